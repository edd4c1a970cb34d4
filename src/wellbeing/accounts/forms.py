from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from wellbeing.accounts.models import Membership, Unit, User, normalize_email


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


# --- Organization set-up (org_views) ---------------------------------------------------------


class UnitChoiceField(forms.ModelChoiceField):
    """A unit picker that shows the tree: each name indented by its depth."""

    def label_from_instance(self, obj: Unit) -> str:  # type: ignore[override]
        return "\u2003" * obj.depth + obj.name


def _unit_field(
    units: QuerySet[Unit], label: str, empty: str, help_text: str = ""
) -> UnitChoiceField:
    return UnitChoiceField(
        queryset=units, required=False, label=label, empty_label=empty, help_text=help_text
    )


class UnitForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"] = _unit_field(
            units,
            "Part of",
            "— Top level —",
            "The department or division this unit belongs to, if any.",
        )


class UnitRenameForm(forms.Form):
    name = forms.CharField(label="New name", max_length=200)


class UnitMoveForm(forms.Form):
    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"] = _unit_field(
            units,
            "Move under",
            "— Top level —",
            "The unit moves with every unit under it.",
        )


class UnitImportForm(forms.Form):
    file = forms.FileField(
        label="CSV or Excel (.xlsx) file",
        help_text=(
            "Either a column per level, such as “Division, Department, Team”, or two columns"
            " named “unit” and “parent”. At most 1 MB and 2,000 rows."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


class _RoleFields(forms.Form):
    role = forms.ChoiceField(
        label="Role",
        choices=Membership.Role.choices,
        initial=Membership.Role.MEMBER,
        help_text=(
            "Members take part; unit leads also read the reports of the unit they lead;"
            " organization admins run the organization and read every report."
        ),
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"] = _unit_field(
            units, "Unit they lead", "— None —", "For a unit lead only: the unit they lead."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role") == Membership.Role.UNIT_LEAD and not data.get("unit"):
            self.add_error("unit", "Choose the unit this unit lead leads.")
        return data


class InviteForm(_RoleFields):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    field_order = ["email", "role", "unit"]

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])


class MemberForm(_RoleFields):
    pass


class InviteAccountForm(forms.Form):
    """A new account for an invited address: a name and a password (Django's validators)."""

    display_name = forms.CharField(
        label="Your name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters; not a common password, not only digits.",
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ.")
        elif first:
            probe = User(email=self.email, display_name=data.get("display_name", ""))
            try:
                password_validation.validate_password(first, probe)
            except ValidationError as error:
                self.add_error("password1", error)
        return data
