from datetime import timedelta

from django import forms
from django.utils import timezone

from wellbeing.surveys import scoring
from wellbeing.surveys.actions import MAX_TOKENS_PER_BATCH
from wellbeing.surveys.questions import DEMOGRAPHICS, MAX_OPEN_QUESTIONS

RECOMMENDED = ["single-item-burnout", "mini-z-2", "pfi"]


def _instrument_choices() -> list[tuple[str, str]]:
    return [(i.id, i.name) for i in scoring.fieldable_instruments()]


class SurveyForm(forms.Form):
    name = forms.CharField(
        max_length=200, label="Survey name", error_messages={"required": "Give the survey a name."}
    )
    instruments = forms.MultipleChoiceField(
        choices=_instrument_choices,
        widget=forms.CheckboxSelectMultiple,
        label="Instruments",
        help_text="Validated questionnaires, shown one per page in this order. The recommended set takes about five minutes.",
        error_messages={"required": "Choose at least one instrument."},
    )
    demographics = forms.MultipleChoiceField(
        choices=[("unit", "Unit (asked only when the survey link is not for one unit)")]
        + [(k, q.label) for k, q in DEMOGRAPHICS.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Questions about the respondent",
        help_text="Each is optional for respondents and offers “Prefer not to say”.",
    )
    open_question_1 = forms.CharField(max_length=300, required=False, label="Open-ended question 1")
    open_question_2 = forms.CharField(max_length=300, required=False, label="Open-ended question 2")
    open_question_3 = forms.CharField(max_length=300, required=False, label="Open-ended question 3")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and "instruments" not in self.initial:
            available = {c for c, _ in _instrument_choices()}
            self.initial["instruments"] = [i for i in RECOMMENDED if i in available]

    @property
    def open_questions(self) -> list[str]:
        return [
            self.cleaned_data.get(f"open_question_{n}", "")
            for n in range(1, MAX_OPEN_QUESTIONS + 1)
        ]


class WaveForm(forms.Form):
    name = forms.CharField(
        max_length=200, label="Wave name", help_text="For example “Spring 2027”."
    )
    opens_at = forms.DateTimeField(
        label="Opens",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="In the organization's time zone.",
    )
    closes_at = forms.DateTimeField(
        label="Closes",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        now = timezone.localtime().replace(second=0, microsecond=0)
        self.initial.setdefault("opens_at", now)
        self.initial.setdefault("closes_at", now + timedelta(days=21))
        self.units = list(units)
        for unit in self.units:
            self.fields[f"headcount_{unit.pk}"] = forms.IntegerField(
                min_value=0, max_value=1_000_000, required=False, label=f"Headcount: {unit.name}"
            )

    def clean(self):
        data = super().clean() or {}
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", "The closing time must be after the opening time.")
        return data

    def headcounts(self) -> dict:
        return {
            unit: self.cleaned_data[f"headcount_{unit.pk}"]
            for unit in self.units
            if self.cleaned_data.get(f"headcount_{unit.pk}") is not None
        }


class TokenForm(forms.Form):
    count = forms.IntegerField(
        min_value=1,
        max_value=MAX_TOKENS_PER_BATCH,
        label="Number of personal links",
        error_messages={"max_value": f"At most {MAX_TOKENS_PER_BATCH:,} links at a time."},
    )
    unit = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Unit")

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [  # type: ignore[attr-defined]  # a TypedChoiceField
            ("", "Whole organization (respondents choose their unit)")
        ] + [(u.pk, u.name) for u in units]


class InvitationForm(forms.Form):
    """Addresses to invite by email: pasted, or a file (read in memory only)."""

    addresses = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8, "autocomplete": "off", "spellcheck": "false"}),
        required=False,
        max_length=1_000_000,
        label="Email addresses",
        help_text="One a line; commas and semicolons also separate addresses.",
    )
    file = forms.FileField(
        required=False,
        label="Or a file of addresses",
        error_messages={"empty": "The file is empty.", "invalid": "Choose a file to upload."},
        help_text=(
            "CSV, TXT or Excel (.xlsx), up to 5 MB: one address a line, or a column named"
            " “email” and, if you like, a column “unit” naming each person's unit exactly."
        ),
    )
    unit = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        label="Unit",
        help_text="The unit their answers count for, unless the file names one.",
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [  # type: ignore[attr-defined]  # a TypedChoiceField
            ("", "Whole organization (respondents choose their unit)")
        ] + [(u.pk, u.name) for u in units]

    def clean(self):
        data = super().clean() or {}
        if not self.errors and not data.get("addresses", "").strip() and not data.get("file"):
            self.add_error("addresses", "Paste email addresses or choose a file of them.")
        return data


class InvitationConfirmForm(forms.Form):
    draft = forms.CharField(widget=forms.HiddenInput, max_length=2_000_000)
