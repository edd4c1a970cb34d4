"""Forms of a person's own account: reset, name, address, password, second factor."""

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm

from wellbeing.accounts.account_actions import address_taken
from wellbeing.accounts.models import User, normalize_email

STRENGTH_HINT = (
    "At least 12 characters. Not a common password, not only numbers, "
    "and not too like your name or email address."
)


def _password_widget(autocomplete: str) -> forms.PasswordInput:
    return forms.PasswordInput(attrs={"autocomplete": autocomplete})


def _plain_new_password_fields(form: forms.Form) -> None:
    """Plain labels and hint for Django's new-password pair (its hint is an HTML list)."""
    form.fields["new_password1"].label = "New password"
    form.fields["new_password1"].help_text = STRENGTH_HINT
    form.fields["new_password2"].label = "New password again"
    form.fields["new_password2"].help_text = ""


class ResetRequestForm(PasswordResetForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_email(self) -> str:
        return normalize_email(str(self.cleaned_data.get("email") or ""))


class ResetSetPasswordForm(SetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain_new_password_fields(self)


class DisplayNameForm(forms.Form):
    display_name = forms.CharField(
        label="Display name",
        max_length=150,
        required=False,
        help_text="How your name appears to colleagues in your organizations. Leave it empty to show your email address.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )


class CurrentPasswordMixin:
    """A ``password`` field checked against the signed-in user's password."""

    user: User
    cleaned_data: dict[str, Any]

    def clean_password(self) -> str:
        password = str(self.cleaned_data.get("password") or "")
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your current password.")
        return password


def _current_password_field() -> forms.CharField:
    return forms.CharField(
        label="Current password",
        strip=False,
        widget=_password_widget("current-password"),
    )


class EmailChangeForm(CurrentPasswordMixin, forms.Form):
    new_email = forms.EmailField(
        label="New email address",
        max_length=254,
        help_text="We will send a link to this address. Your address changes only when you open it and confirm.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = _current_password_field()

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_new_email(self) -> str:
        email = normalize_email(str(self.cleaned_data.get("new_email") or ""))
        if email == self.user.email:
            raise forms.ValidationError("This is already your sign-in address.")
        if address_taken(email, user=self.user):
            raise forms.ValidationError(
                "This address cannot be used: another account signs in with it. Choose a different address."
            )
        return email


class PasswordChange(PasswordChangeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Current password"
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
        _plain_new_password_fields(self)


class ConfirmPasswordForm(CurrentPasswordMixin, forms.Form):
    """Re-entering the password before a change to the second factor."""

    password = _current_password_field()

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)


class EndSessionsForm(forms.Form):
    """Which sessions to end: the page's two buttons send ``others`` or ``all``."""

    scope = forms.ChoiceField(
        choices=[("others", "Every other device"), ("all", "Every device, this one too")],
        error_messages={
            "required": "Choose which devices to sign out.",
            "invalid_choice": "Choose which devices to sign out.",
        },
    )
