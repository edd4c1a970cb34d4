"""Forms of consultations: a comment, and the staff forms (new draft, moderation, themes)."""

import zoneinfo
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wellbeing.core.spam import honeypot_field, is_spam
from wellbeing.engage.actions.consultations import parse_draft
from wellbeing.engage.models import Event
from wellbeing.engage.models.consultations import COMMENT_MAX_LENGTH
from wellbeing.plan.models import ActorGroup

ZONES = [
    ("America/New_York", "Eastern (America/New_York)"),
    ("America/Chicago", "Central (America/Chicago)"),
    ("America/Denver", "Mountain (America/Denver)"),
    ("America/Phoenix", "Arizona (America/Phoenix)"),
    ("America/Los_Angeles", "Pacific (America/Los_Angeles)"),
    ("America/Anchorage", "Alaska (America/Anchorage)"),
    ("Pacific/Honolulu", "Hawaii (Pacific/Honolulu)"),
    ("UTC", "UTC"),
]


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=COMMENT_MAX_LENGTH,
        error_messages={
            "required": _("Enter your comment."),
            "max_length": _("Comments can be at most 5,000 characters long."),
        },
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("We email you a link to confirm your comment. Your address is never shown."),
        error_messages={
            "required": _("Enter your email address, so we can confirm your comment."),
            "invalid": _("Enter an email address in the format name@example.org."),
            "max_length": _("Email addresses can be at most 254 characters long."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    name = forms.CharField(
        label=_("Name to show with your comment"),
        required=False,
        max_length=200,
        help_text=_("Leave empty to be shown as “Anonymous”."),
        error_messages={"max_length": _("Names can be at most 200 characters long.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    affiliation = forms.CharField(
        label=_("Organization or affiliation"),
        required=False,
        max_length=200,
        error_messages={"max_length": _("Affiliations can be at most 200 characters long.")},
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    actor_group = forms.ModelChoiceField(
        label=_("Which group do you belong to?"),
        queryset=ActorGroup.objects.all(),
        required=False,
        empty_label=_("Prefer not to say"),
        error_messages={"invalid_choice": _("Choose a group from the list.")},
    )
    website = honeypot_field()

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def is_spam(self) -> bool:
        return is_spam(self)


class _LocalDateTime(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"], **kwargs)


class ConsultationForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    slug = forms.SlugField(
        label="Web address name",
        max_length=80,
        help_text="Letters, numbers and hyphens, e.g. draft-plan-2027.",
    )
    summary = forms.CharField(
        label="Summary", widget=forms.Textarea(attrs={"rows": 3}), max_length=3000
    )
    opens_at = _LocalDateTime(label="Comment period opens", help_text="In the time zone below.")
    closes_at = _LocalDateTime(label="Comment period closes", help_text="In the time zone below.")
    zone = forms.ChoiceField(label="Time zone of the period", choices=ZONES)
    webinar = forms.ModelChoiceField(
        label="Launch webinar",
        queryset=Event.objects.all(),
        required=False,
        empty_label="No webinar",
    )
    draft = forms.CharField(
        label="Draft text",
        help_text="Start each section with a line “## Section title”; "
        "separate paragraphs with an empty line.",
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=200_000,
    )

    def clean_draft(self):
        try:
            return parse_draft(self.cleaned_data["draft"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        zone = data.get("zone")
        if zone and data.get("opens_at") and data.get("closes_at"):
            # The browser sends wall-clock times; they mean that time in the chosen zone.
            tz = zoneinfo.ZoneInfo(zone)
            for key in ("opens_at", "closes_at"):
                data[key] = timezone.make_naive(data[key]).replace(tzinfo=tz)
            if data["closes_at"] <= data["opens_at"]:
                self.add_error("closes_at", "The comment period must close after it opens.")
        return data


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Reason for rejecting",
        max_length=500,
        error_messages={"required": "Give a reason for rejecting the comment."},
    )


class NewThemeForm(forms.Form):
    new_theme = forms.CharField(label="New theme", required=False, max_length=100)
