from django.contrib.auth import views as auth_views
from django.urls import path

from wellbeing.accounts import account_views, org_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/verify/", views.two_factor_verify, name="two_factor_verify"),
    # Password reset by email, and a person's own account settings (account_views).
    path("password-reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        account_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        account_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("settings/", account_views.account_settings, name="settings"),
    path("settings/name/", account_views.settings_profile, name="settings_profile"),
    path("settings/email/", account_views.settings_email, name="settings_email"),
    path("settings/email/confirm/<str:token>/", account_views.email_confirm, name="email_confirm"),
    path("settings/password/", account_views.settings_password, name="settings_password"),
    path("settings/sessions/", account_views.settings_sessions, name="settings_sessions"),
    path(
        "settings/two-factor/backup-codes/",
        account_views.settings_backup_codes,
        name="settings_backup_codes",
    ),
    path(
        "settings/two-factor/remove/",
        account_views.settings_two_factor_remove,
        name="settings_two_factor_remove",
    ),
    path("", views.home, name="home"),
    path("organizations/<slug:slug>/", views.organization, name="organization"),
    path("organizations/<slug:slug>/audit/", views.organization_audit, name="organization_audit"),
    # An organization's set-up by its admins, and accepting an invitation (org_views).
    path("organizations/<slug:slug>/units/", org_views.units, name="units"),
    path("organizations/<slug:slug>/units/import/", org_views.units_import, name="units_import"),
    path(
        "organizations/<slug:slug>/units/import/confirm/",
        org_views.units_import_confirm,
        name="units_import_confirm",
    ),
    path("organizations/<slug:slug>/units/<int:pk>/", org_views.unit, name="unit"),
    path(
        "organizations/<slug:slug>/units/<int:pk>/retire/",
        org_views.unit_retire,
        name="unit_retire",
    ),
    path(
        "organizations/<slug:slug>/units/<int:pk>/restore/",
        org_views.unit_restore,
        name="unit_restore",
    ),
    path("organizations/<slug:slug>/members/", org_views.members, name="members"),
    path("organizations/<slug:slug>/members/<int:pk>/", org_views.member, name="member"),
    path(
        "organizations/<slug:slug>/members/<int:pk>/remove/",
        org_views.member_remove,
        name="member_remove",
    ),
    path(
        "organizations/<slug:slug>/invites/<int:pk>/resend/",
        org_views.invite_resend,
        name="invite_resend",
    ),
    path(
        "organizations/<slug:slug>/invites/<int:pk>/cancel/",
        org_views.invite_cancel,
        name="invite_cancel",
    ),
    path("invite/<str:token>/", org_views.invite_accept, name="invite_accept"),
]
