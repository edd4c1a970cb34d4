from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("wellbeing.core.urls")),
    path("accounts/", include("wellbeing.accounts.urls")),
    path("plan/", include("wellbeing.plan.urls")),
    path("campaign/", include("wellbeing.campaign.urls")),
    path("hub/", include("wellbeing.hub.urls")),
    path("engage/", include("wellbeing.engage.urls")),
    path("", include("wellbeing.surveys.urls")),
    path("", include("wellbeing.reports.urls")),
    path("api/v1/", include("wellbeing.api.urls")),
    path("", include("wellbeing.api.page_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler404 = "wellbeing.core.views.page_not_found"
handler500 = "wellbeing.core.views.server_error"
