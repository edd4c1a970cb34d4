from django.urls import path

from wellbeing.core import health, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("measure/", views.section, {"template": "core/measure.html"}, name="measure"),
    path("staff/audit/", views.staff_audit, name="staff_audit"),
    path("healthz", health.healthz, name="healthz"),
]
