from django.urls import path

from wellbeing.api import views

app_name = "api_pages"

urlpatterns = [
    path("measure/<slug:slug>/api-tokens/", views.token_list, name="tokens"),
    path(
        "measure/<slug:slug>/api-tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"
    ),
]
