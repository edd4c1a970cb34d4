from django.urls import path

from wellbeing.plan import views

app_name = "plan"

urlpatterns = [
    path("", views.index, name="index"),
    # Before the slug pattern, which would otherwise take "conceptual-model" for
    # a priority area and answer 404.
    path("conceptual-model/", views.conceptual_model, name="conceptual_model"),
    path("<slug:slug>/", views.priority_area, name="priority_area"),
]
