from django.urls import path

from wellbeing.engage.views import updates as views

app_name = "engage"

urlpatterns = [
    path("", views.index, name="index"),
    path("updates/", views.updates, name="updates"),
    path("updates/thanks/", views.updates_thanks, name="updates_thanks"),
]
