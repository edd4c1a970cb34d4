from django.urls import path

from wellbeing.surveys.views import imports, invitations, manage, respond

app_name = "surveys"

urlpatterns = [
    path("s/<str:key>/", respond.respond_link, name="respond_link"),
    path("t/<str:token>/", respond.respond_token, name="respond_token"),
    # Where both entrances lead: a random id, the survey's state only in the sealed cookie.
    path("r/<str:rid>/", respond.respond, name="respond"),
    path("measure/<slug:slug>/", manage.survey_list, name="survey_list"),
    path("measure/<slug:slug>/surveys/new/", manage.survey_new, name="survey_new"),
    path("measure/<slug:slug>/surveys/<int:pk>/", manage.survey_detail, name="survey"),
    path("measure/<slug:slug>/surveys/<int:pk>/waves/new/", manage.wave_new, name="wave_new"),
    path("measure/<slug:slug>/waves/<int:pk>/", manage.wave_detail, name="wave"),
    path("measure/<slug:slug>/waves/<int:pk>/counts/", manage.wave_counts, name="wave_counts"),
    path("measure/<slug:slug>/waves/<int:pk>/status/", manage.wave_status, name="wave_status"),
    path("measure/<slug:slug>/waves/<int:pk>/tokens/", manage.wave_tokens, name="wave_tokens"),
    path(
        "measure/<slug:slug>/waves/<int:pk>/invitations/",
        invitations.invite,
        name="invitations",
    ),
    path(
        "measure/<slug:slug>/waves/<int:pk>/invitations/send/",
        invitations.send,
        name="invitations_send",
    ),
    path(
        "measure/<slug:slug>/waves/<int:pk>/invitations/remind/",
        invitations.remind,
        name="invitations_remind",
    ),
    path(
        "measure/<slug:slug>/waves/<int:pk>/invitations/status/",
        invitations.status,
        name="invitations_status",
    ),
    path("measure/<slug:slug>/waves/<int:pk>/import/", imports.import_upload, name="import_upload"),
    path(
        "measure/<slug:slug>/waves/<int:pk>/import/<int:job_pk>/map/",
        imports.import_map,
        name="import_map",
    ),
    path(
        "measure/<slug:slug>/waves/<int:pk>/import/<int:job_pk>/start/",
        imports.import_start,
        name="import_start",
    ),
    path(
        "measure/<slug:slug>/waves/<int:pk>/import/<int:job_pk>/",
        imports.import_job,
        name="import_job",
    ),
    path(
        "measure/<slug:slug>/waves/<int:pk>/import/<int:job_pk>/rows-not-imported.csv",
        imports.import_rejected,
        name="import_rejected",
    ),
]
