from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from wellbeing.accounts.models import normalize_email


class NormalizedEmailMixin:
    """Hand ``authenticate`` the address in its one spelling (``normalize_email``).

    The backend would find the account anyway; normalizing here matters for
    django-axes, which counts failures by the username it is given: without it,
    ``Admin@x`` and ``admin@x`` would be two counters, and every change of case
    five more guesses at one password.
    """

    cleaned_data: dict[str, object]

    def clean_username(self) -> str:
        return normalize_email(str(self.cleaned_data.get("username") or ""))


class EmailAuthenticationForm(NormalizedEmailMixin, AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": "That email address and password do not match an account. The password is case-sensitive; the email address is not.",
        "inactive": "This account is inactive.",
    }


class AdminEmailAuthenticationForm(NormalizedEmailMixin, AdminAuthenticationForm):
    """The admin site's sign-in, counted by axes under the same spelling as the main one."""


class OneTimeCodeForm(forms.Form):
    token = forms.CharField(
        label="Code",
        max_length=16,
        help_text="The 6-digit code from your authenticator app, or one of your backup codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
