"""A person's own account: password reset by email, the settings page and its forms.

Every change goes through ``account_actions`` (or ``two_factor``); bad input re-renders
the page with the form's errors and status 400. Each form of the settings page posts to
its own address and the page is shown again with that form's errors.
"""

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.core import signing
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods, require_POST

from wellbeing.accounts import account_actions, two_factor
from wellbeing.accounts.account_forms import (
    ConfirmPasswordForm,
    DisplayNameForm,
    EmailChangeForm,
    EndSessionsForm,
    PasswordChange,
    ResetRequestForm,
    ResetSetPasswordForm,
)
from wellbeing.accounts.models import User
from wellbeing.core import ratelimit
from wellbeing.core.ratelimit import rate_limited

RESET_REQUESTS_PER_HOUR = 10  # from one network address
SETTINGS_POSTS_PER_HOUR = 30  # from one network address: the forms check the password


# --- password reset -----------------------------------------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link. The answer is the same whether or not the address has an account.

    Requests are limited per network address here, and mail per address asked for in
    ``account_actions.send_password_reset`` (past it, the same answer and no mail).
    """

    template_name = "accounts/password_reset_form.html"
    form_class = ResetRequestForm
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method == "POST":
            retry_after = ratelimit.hit("accounts.password_reset", request, RESET_REQUESTS_PER_HOUR)
            if retry_after:
                return ratelimit.too_many(request, retry_after)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: ResetRequestForm) -> HttpResponse:  # type: ignore[override]
        account_actions.send_password_reset(
            form,
            use_https=self.request.is_secure(),
            token_generator=self.token_generator,
            from_email=self.from_email,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            request=self.request,
        )
        return HttpResponseRedirect(self.get_success_url())

    def form_invalid(self, form: PasswordResetForm) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The mailed link: a new password, once. Nobody is signed in by it (2FA still applies)."""

    template_name = "accounts/password_reset_confirm.html"
    form_class = ResetSetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: ResetSetPasswordForm) -> HttpResponse:  # type: ignore[override]
        account_actions.reset_password(cast(User, form.user), form.cleaned_data["new_password1"])
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        form = context.get("form")
        if not self.validlink or (form is not None and form.errors):
            kwargs.setdefault("status", 400)
        return super().render_to_response(context, **kwargs)


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# --- the settings page --------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # login_required: never anonymous here


def _page(request: HttpRequest, status: int = 200, **bound: Form) -> HttpResponse:
    """The settings page; ``bound`` replaces the blank form of the one that was posted."""
    user = _user(request)
    forms: dict[str, Form] = {
        "profile_form": DisplayNameForm(
            prefix="profile", initial={"display_name": user.display_name}
        ),
        "email_form": EmailChangeForm(user, prefix="email"),
        "password_form": PasswordChange(user, prefix="password"),
        "codes_form": ConfirmPasswordForm(user, prefix="codes"),
        "remove_form": ConfirmPasswordForm(user, prefix="remove"),
        "sessions_form": EndSessionsForm(prefix="sessions"),
    }
    forms.update(bound)
    context = {**forms, "has_device": two_factor.has_device(user)}
    return render(request, "accounts/settings.html", context, status=status)


def _settings_post(view: Any) -> Any:
    """Signed in, POST only, and a limit per address on the forms that check a password."""
    limited = rate_limited("accounts.settings", per_hour=SETTINGS_POSTS_PER_HOUR)(view)
    return login_required(require_POST(limited))


@login_required
def account_settings(request: HttpRequest) -> HttpResponse:
    return _page(request)


@_settings_post
def settings_profile(request: HttpRequest) -> HttpResponse:
    form = DisplayNameForm(request.POST, prefix="profile")
    if not form.is_valid():
        return _page(request, 400, profile_form=form)
    account_actions.change_display_name(_user(request), form.cleaned_data["display_name"])
    messages.success(request, "Your display name is saved.")
    return redirect("accounts:settings")


@_settings_post
def settings_email(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = EmailChangeForm(user, request.POST, prefix="email")
    if not form.is_valid():
        return _page(request, 400, email_form=form)
    try:
        account_actions.request_email_change(user, form.cleaned_data["new_email"])
    except account_actions.EmailTaken:  # taken since the form's check
        form.add_error("new_email", "This address cannot be used. Choose a different address.")
        return _page(request, 400, email_form=form)
    messages.success(
        request,
        "We sent a link to your new address. Open it within 24 hours to confirm the change; "
        "until then you sign in with your current address.",
    )
    return redirect("accounts:settings")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The mailed link: a page with the button (GET), the change itself (POST).

    Mail scanners open the links in a message; only the button, with its CSRF token,
    changes the address.
    """
    user = _user(request)
    try:
        if request.method == "POST":
            account_actions.confirm_email_change(user, token)
        else:
            change = account_actions.email_change_for(user, token)
    except signing.BadSignature:
        return render(request, "accounts/settings_email_invalid.html", status=400)
    except account_actions.EmailTaken:
        context = {"taken": True}
        return render(request, "accounts/settings_email_invalid.html", context, status=400)
    if request.method == "POST":
        messages.success(request, "Your sign-in address is changed.")
        return redirect("accounts:settings")
    return render(request, "accounts/settings_email_confirm.html", {"new_email": change.new})


@_settings_post
def settings_password(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = PasswordChange(user, request.POST, prefix="password")
    if not form.is_valid():
        return _page(request, 400, password_form=form)
    account_actions.change_password(user, form.cleaned_data["new_password1"])
    update_session_auth_hash(request, user)  # this session stays; every other one ends
    messages.success(request, "Your password is changed. Your other devices are signed out.")
    return redirect("accounts:settings")


@_settings_post
def settings_sessions(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = EndSessionsForm(request.POST, prefix="sessions")
    if not form.is_valid():
        return _page(request, 400, sessions_form=form)
    if form.cleaned_data["scope"] == "all":
        account_actions.end_sessions(user, this_one_too=True)
        logout(request)
        messages.success(request, "You are signed out on every device, this one too.")
        return redirect("accounts:login")
    account_actions.end_sessions(user, this_one_too=False)
    update_session_auth_hash(request, user)  # this session stays; every other one ends
    messages.success(request, "Every other device is signed out. This one stays signed in.")
    return redirect("accounts:settings")


@_settings_post
def settings_backup_codes(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = ConfirmPasswordForm(user, request.POST, prefix="codes")
    if not form.is_valid():
        return _page(request, 400, codes_form=form)
    if not two_factor.has_device(user):
        messages.info(request, "Set up two-step sign-in first; it gives you backup codes.")
        return redirect("accounts:settings")
    codes = two_factor.regenerate_backup_codes(user)
    return render(request, "accounts/settings_backup_codes.html", {"codes": codes})


@_settings_post
def settings_two_factor_remove(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = ConfirmPasswordForm(user, request.POST, prefix="remove")
    if not form.is_valid():
        return _page(request, 400, remove_form=form)
    two_factor.remove_devices(user)
    if getattr(settings, "WELLBEING_REQUIRE_2FA", False) and two_factor.is_privileged(user):
        # The session is no longer verified: the middleware would send every page here.
        messages.info(request, "Your role needs two-step sign-in: set up your new authenticator.")
        return redirect("accounts:two_factor_setup")
    messages.success(request, "Two-step sign-in is off. You sign in with your password only.")
    return redirect("accounts:settings")
