from django.urls import path

from wellbeing.plan import views

app_name = "plan"

urlpatterns = [
    path("", views.index, name="index"),
    # Before the slug pattern, which would otherwise take these for a priority area
    # and answer 404.
    path("conceptual-model/", views.conceptual_model, name="conceptual_model"),
    path("actor-groups/", views.actor_group_index, name="actor_groups"),
    path("actor-groups/<slug:slug>/", views.actor_group, name="actor_group"),
    path("completeness/", views.completeness_view, name="completeness"),
    path("<slug:slug>/", views.priority_area, name="priority_area"),
]
