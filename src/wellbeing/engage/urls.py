from django.urls import path

from wellbeing.engage.views import (
    consultations,
    contact,
    events,
    gallery,
    questionnaires,
    staff_consultations,
    staff_engage,
    staff_updates,
)
from wellbeing.engage.views import updates as views

app_name = "engage"

urlpatterns = [
    path("", views.index, name="index"),
    path("updates/", views.updates, name="updates"),
    path("updates/thanks/", views.updates_thanks, name="updates_thanks"),
    path("updates/confirm/<str:token>/", views.updates_confirm, name="updates_confirm"),
    path("updates/unsubscribe/<str:token>/", views.updates_unsubscribe, name="updates_unsubscribe"),
    path("updates/preferences/<str:token>/", views.updates_preferences, name="updates_preferences"),
    path("updates/staff/", staff_updates.staff_newsletters, name="newsletter_staff_list"),
    path("updates/staff/<int:pk>/", staff_updates.staff_newsletter, name="newsletter_staff"),
    path(
        "updates/staff/<int:pk>/send/",
        staff_updates.staff_newsletter_send,
        name="newsletter_staff_send",
    ),
    # Contact form
    path("contact/", contact.contact, name="contact"),
    path("contact/thanks/", contact.contact_thanks, name="contact_thanks"),
    path("contact/staff/", staff_updates.staff_contact, name="contact_staff"),
    path(
        "contact/staff/<int:pk>/",
        staff_updates.staff_contact_handled,
        name="contact_staff_handled",
    ),
    # Consultations on drafts
    path("consultations/", consultations.consultation_list, name="consultation_list"),
    path(
        "consultations/staff/",
        staff_consultations.staff_consultations,
        name="consultation_staff_list",
    ),
    path(
        "consultations/verify/<str:token>/",
        consultations.consultation_verify,
        name="consultation_verify",
    ),
    path(
        "consultations/<slug:slug>/",
        consultations.consultation_detail,
        name="consultation_detail",
    ),
    path(
        "consultations/<slug:slug>/comment/",
        consultations.consultation_comment,
        name="consultation_comment",
    ),
    path(
        "consultations/<slug:slug>/comment/<slug:anchor>/",
        consultations.consultation_comment,
        name="consultation_comment_paragraph",
    ),
    path(
        "consultations/<slug:slug>/thanks/",
        consultations.consultation_thanks,
        name="consultation_thanks",
    ),
    path(
        "consultations/<slug:slug>/staff/",
        staff_consultations.staff_consultation,
        name="consultation_staff",
    ),
    path(
        "consultations/<slug:slug>/staff/queue/",
        staff_consultations.staff_comment_queue,
        name="consultation_queue",
    ),
    path(
        "consultations/<slug:slug>/staff/comments/<int:pk>/themes/",
        staff_consultations.staff_comment_tag,
        name="consultation_comment_tag",
    ),
    path(
        "consultations/<slug:slug>/staff/comments/<int:pk>/<str:decision>/",
        staff_consultations.staff_comment_decide,
        name="consultation_comment_decide",
    ),
    path(
        "consultations/<slug:slug>/staff/export.<str:fmt>",
        staff_consultations.staff_export,
        name="consultation_export",
    ),
    # Events and Health Workforce Well-Being Day
    path("events/", events.event_list, name="event_list"),
    path("events/cancel/<str:token>/", events.event_cancel, name="event_cancel"),
    path("events/<slug:slug>/", events.event_detail, name="event_detail"),
    path(
        "events/<slug:slug>/registered/<str:outcome>/",
        events.event_registered,
        name="event_registered",
    ),
    path("events/<slug:slug>/calendar.ics", events.event_ics_view, name="event_ics"),
    path("health-workforce-well-being-day/", events.awareness_day, name="awareness_day"),
    path(
        "health-workforce-well-being-day/graphics/<int:pk>/",
        events.awareness_graphic,
        name="awareness_graphic",
    ),
    # The art gallery
    path("gallery/", gallery.gallery, name="gallery_index"),
    path("gallery/submit/", gallery.gallery_submit, name="gallery_submit"),
    path("gallery/submit/thanks/", gallery.gallery_thanks, name="gallery_thanks"),
    path("gallery/host/", gallery.gallery_host, name="gallery_host"),
    path("gallery/host/thanks/", gallery.gallery_host_thanks, name="gallery_host_thanks"),
    path("gallery/works/<int:pk>/", gallery.gallery_work, name="gallery_work"),
    path("gallery/works/<int:pk>/image/", gallery.gallery_image, name="gallery_image"),
    path("gallery/staff/", staff_engage.staff_gallery, name="gallery_staff"),
    path(
        "gallery/staff/<int:pk>/<str:decision>/",
        staff_engage.staff_gallery_decide,
        name="gallery_staff_decide",
    ),
    path("gallery/staff/hosting/", staff_engage.staff_hosting, name="gallery_staff_hosting"),
    path(
        "gallery/staff/hosting/<int:pk>/",
        staff_engage.staff_hosting_move,
        name="gallery_staff_hosting_move",
    ),
    # Network questionnaires
    path("questionnaires/", questionnaires.questionnaire_list, name="questionnaire_list"),
    path(
        "questionnaires/staff/", staff_engage.staff_questionnaires, name="questionnaire_staff_list"
    ),
    path(
        "questionnaires/<slug:slug>/",
        questionnaires.questionnaire_results,
        name="questionnaire_results",
    ),
    path(
        "questionnaires/<slug:slug>/staff/",
        staff_engage.staff_questionnaire,
        name="questionnaire_staff",
    ),
    path(
        "questionnaires/<slug:slug>/staff/themes/<int:pk>/",
        staff_engage.staff_theme_rename,
        name="questionnaire_theme_rename",
    ),
    path(
        "questionnaires/<slug:slug>/staff/<str:what>/",
        staff_engage.staff_questionnaire_action,
        name="questionnaire_staff_action",
    ),
]
