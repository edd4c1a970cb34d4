from django.urls import path

from wellbeing.campaign.views import participant as own
from wellbeing.campaign.views import public, staff, support

app_name = "campaign"

urlpatterns = [
    path("", public.index, name="index"),
    path("directory/", public.directory, name="directory"),
    path("commitments/", public.explorer, name="explorer"),
    path("participants/<int:pk>/", public.participant, name="participant"),
    path("participants/<int:pk>/badge.svg", public.badge, name="badge"),
    path("join/", own.join, name="join"),
    path("join/institution/", own.sign_on, {"kind": "institution"}, name="sign_on_institution"),
    path("join/individual/", own.sign_on, {"kind": "individual"}, name="sign_on_individual"),
    path("join/sent/", own.sign_on_sent, name="sign_on_sent"),
    path("join/thanks/<int:pk>/", own.thanks, name="thanks"),
    path("confirm/<str:token>/", own.confirm, name="confirm"),
    path("mine/", own.mine, name="mine"),
    path("mine/<int:pk>/", own.manage, name="manage"),
    path("mine/<int:pk>/listing/", own.listing, name="listing"),
    path("mine/<int:pk>/commitments/new/", own.commitment_new, name="commitment_new"),
    path("mine/<int:pk>/commitments/<int:commitment_pk>/", own.commitment, name="commitment"),
    path(
        "mine/<int:pk>/commitments/<int:commitment_pk>/status/",
        own.commitment_status,
        name="commitment_status",
    ),
    path(
        "mine/<int:pk>/commitments/<int:commitment_pk>/metrics/",
        own.metric_new,
        name="metric_new",
    ),
    path(
        "mine/<int:pk>/commitments/<int:commitment_pk>/progress/",
        own.progress_new,
        name="progress_new",
    ),
    path(
        "mine/<int:pk>/commitments/<int:commitment_pk>/metrics/<int:metric_pk>/link/",
        own.metric_link,
        name="metric_link",
    ),
    path("mine/<int:pk>/support/", support.support, name="support"),
    path("mine/<int:pk>/support/<int:request_pk>/", support.support_thread, name="support_thread"),
    path("staff/", staff.dashboard, name="dashboard"),
    path("staff/review/", staff.review_queue, name="review_queue"),
    path("staff/support/", support.staff_support, name="staff_support"),
    path(
        "staff/support/<int:request_pk>/", support.staff_support_thread, name="staff_support_thread"
    ),
    path("staff/participants.csv", staff.export_participants, name="export_participants"),
    path("staff/commitments.csv", staff.export_commitments, name="export_commitments"),
    path("staff/review/<int:pk>/<str:decision>/", staff.review, name="review"),
    path("staff/participants/", staff.participants, name="staff_participants"),
    path("staff/participants/<int:pk>/", staff.participant, name="staff_participant"),
    path("staff/notifications/", staff.notifications, name="staff_notifications"),
]
