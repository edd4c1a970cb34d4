from django.urls import path

from wellbeing.campaign import views

app_name = "campaign"

urlpatterns = [
    path("", views.index, name="index"),
    path("directory/", views.directory, name="directory"),
    path("commitments/", views.explorer, name="explorer"),
    path("participants/<int:pk>/", views.participant, name="participant"),
    path("participants/<int:pk>/badge.svg", views.badge, name="badge"),
    path("join/", views.join, name="join"),
    path("join/institution/", views.sign_on, {"kind": "institution"}, name="sign_on_institution"),
    path("join/individual/", views.sign_on, {"kind": "individual"}, name="sign_on_individual"),
    path("join/thanks/<int:pk>/", views.thanks, name="thanks"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("mine/", views.mine, name="mine"),
    path("mine/<int:pk>/", views.manage, name="manage"),
    path("mine/<int:pk>/commitments/new/", views.commitment_new, name="commitment_new"),
    path("mine/<int:pk>/commitments/<int:commitment_pk>/", views.commitment, name="commitment"),
    path(
        "mine/<int:pk>/commitments/<int:commitment_pk>/status/",
        views.commitment_status,
        name="commitment_status",
    ),
    path(
        "mine/<int:pk>/commitments/<int:commitment_pk>/metrics/",
        views.metric_new,
        name="metric_new",
    ),
    path(
        "mine/<int:pk>/commitments/<int:commitment_pk>/progress/",
        views.progress_new,
        name="progress_new",
    ),
    path(
        "mine/<int:pk>/commitments/<int:commitment_pk>/metrics/<int:metric_pk>/link/",
        views.metric_link,
        name="metric_link",
    ),
    path("mine/<int:pk>/support/", views.support, name="support"),
    path("mine/<int:pk>/support/<int:request_pk>/", views.support_thread, name="support_thread"),
    path("staff/", views.dashboard, name="dashboard"),
    path("staff/review/", views.review_queue, name="review_queue"),
    path("staff/support/", views.staff_support, name="staff_support"),
    path(
        "staff/support/<int:request_pk>/", views.staff_support_thread, name="staff_support_thread"
    ),
    path("staff/participants.csv", views.export_participants, name="export_participants"),
    path("staff/commitments.csv", views.export_commitments, name="export_commitments"),
    path("staff/review/<int:pk>/<str:decision>/", views.review, name="review"),
]
