from django.urls import path

from wellbeing.hub import views

app_name = "hub"

urlpatterns = [
    path("", views.index, name="index"),
    path("r/<slug:slug>/", views.resource_detail, name="resource"),
    path("r/<slug:slug>/save/", views.save, name="save"),
    path("r/<slug:slug>/curate/", views.curate, name="curate"),
    path("r/<slug:slug>/curate/remove/", views.curate_remove, name="curate_remove"),
    path("case-studies/", views.case_studies, name="case_studies"),
    path("case-studies/<slug:slug>/", views.case_study_detail, name="case_study"),
    path("compendium/", views.compendium_index, name="compendium"),
    path("compendium/<slug:element>/", views.compendium_element, name="compendium_element"),
    path("instruments/", views.instrument_index, name="instruments"),
    path("instruments/<slug:instrument_id>/", views.instrument_detail, name="instrument"),
    path("suggest/", views.suggest, name="suggest"),
    path("suggest/thanks/", views.suggest_thanks, name="suggest_thanks"),
    path("lists/", views.my_lists, name="lists"),
    path("lists/<int:pk>/", views.list_detail, name="list"),
    path("lists/<int:pk>/remove/<slug:slug>/", views.list_remove, name="list_remove"),
]
