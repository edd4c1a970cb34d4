import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.validators import URLValidator
from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from wellbeing.accounts.models import Organization, User, normalize_email
from wellbeing.accounts.permissions import organizations_administered_by
from wellbeing.accounts.states import US_STATES
from wellbeing.campaign.commitment_templates import BY_SLUG
from wellbeing.campaign.labels import scale_label, sector_choices
from wellbeing.campaign.models import ROLE_PLEDGES, Commitment, Metric, Role
from wellbeing.plan.models import PriorityArea, RecommendedAction

# Shown in the visitor's language and stored in it, as the signer's own statement.
AUTHORITY_TEXT = _(
    "I confirm that I am authorized to commit this institution to the Change Maker campaign "
    "in the role chosen above."
)
STATE_CHOICES = [("", _("Select a state")), *US_STATES]


class PriorityAreaChoice(forms.ModelMultipleChoiceField):
    """Priority areas by their public slug; an unknown slug is named in the error."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            queryset=PriorityArea.objects.order_by("number"),
            to_field_name="slug",
            widget=forms.CheckboxSelectMultiple,
            error_messages={
                "invalid_choice": _("%(value)s is not a priority area of the National Plan."),
                "required": _("Choose at least one priority area."),
            },
            **kwargs,
        )

    def label_from_instance(self, obj: PriorityArea) -> str:
        return str(obj)


def _role_choices() -> list[tuple[str, str]]:
    return [(role.value, f"{role.label}: {ROLE_PLEDGES[role]}") for role in Role]


class SignOnForm(forms.Form):
    """Sign-on for an institution (``institution=True``) or an individual.

    A visitor who is not signed in also creates their account here; a signed-in
    user signs on with the account they have.
    """

    signer_name = forms.CharField(
        label=_("Your full name"),
        max_length=200,
        error_messages={"required": _("Enter your full name.")},
    )
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_("We send a link to this address to confirm it."),
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter an email address in the format name@example.org."),
        },
    )
    password = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters. You sign in with your email and this password."),
        error_messages={"required": _("Choose a password.")},
    )
    role = forms.ChoiceField(
        label=_("Role"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a role."),
            "invalid_choice": _("Choose Node, Champion or Accelerator."),
        },
    )
    priority_areas = PriorityAreaChoice(
        label=_("Priority areas of interest"),
        help_text=_("The National Plan's priority areas you want to work on."),
    )
    is_public = forms.BooleanField(
        label=_("List us in the public directory of Change Makers once approved"),
        required=False,
    )

    def __init__(self, *args: Any, user: User | None, institution: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.institution = institution
        cast(forms.ChoiceField, self.fields["role"]).choices = _role_choices()
        if user is not None:
            del self.fields["email"], self.fields["password"]
            self.fields["signer_name"].initial = user.display_name
        if institution:
            self._add_institution_fields(user)
        else:
            self.fields["state"] = forms.ChoiceField(
                label=_("U.S. state"), choices=STATE_CHOICES, required=False
            )
            self.fields["is_public"].label = _("List me in the public directory once approved")

    def _add_institution_fields(self, user: User | None) -> None:
        admin_of = self.organizations_administered(user)
        if admin_of.exists():
            self.fields["organization"] = forms.ModelChoiceField(
                label=_("Institution"),
                queryset=admin_of,
                required=False,
                empty_label=_("A new institution (enter it below)"),
                to_field_name="slug",
                error_messages={"invalid_choice": _("Choose one of your institutions.")},
            )
        # Required unless the signer picks one of their institutions above (checked in clean()).
        new_required = not admin_of.exists()
        hint = "" if new_required else _("Only for a new institution.")
        self.fields["organization_name"] = forms.CharField(
            label=_("Institution name"),
            max_length=200,
            required=new_required,
            help_text=hint,
            error_messages={"required": _("Enter the institution's name.")},
        )
        self.fields["kind"] = forms.ChoiceField(
            label=_("Sector"),
            choices=[("", _("Select a sector")), *sector_choices()],
            required=new_required,
            help_text=hint,
            error_messages={"required": _("Choose the institution's sector.")},
        )
        self.fields["state"] = forms.ChoiceField(
            label=_("U.S. state"),
            choices=STATE_CHOICES,
            required=new_required,
            help_text=hint,
            error_messages={
                "required": _("Choose the U.S. state where the institution is based."),
                "invalid_choice": _("Choose a U.S. state from the list."),
            },
        )
        self.fields["website"] = forms.URLField(
            assume_scheme="https",
            label=_("Website"),
            required=False,
            error_messages={"invalid": _("Enter a web address starting with https://.")},
        )
        self.fields["signer_title"] = forms.CharField(
            label=_("Your title or position"),
            max_length=200,
            error_messages={"required": _("Enter your title or position.")},
        )
        self.fields["authority"] = forms.BooleanField(
            label=AUTHORITY_TEXT,
            error_messages={"required": _("Confirm that you may commit the institution.")},
        )

    @staticmethod
    def organizations_administered(user: User | None) -> QuerySet[Organization]:
        if user is None:
            return Organization.objects.none()
        return organizations_administered_by(user).order_by("name")

    def clean_email(self) -> str:
        # No "this address has an account" error here: the form would tell anyone who has
        # one. ``actions.sign_on_visitor`` answers both alike and mails the owner instead.
        return normalize_email(self.cleaned_data["email"])

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        validate_password(password)
        return password

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        from wellbeing.campaign.models import Participant

        existing = data.get("organization")
        if existing is not None and Participant.objects.filter(organization=existing).exists():
            self.add_error("organization", _("This institution has already signed on."))
        if (
            not self.institution
            and self.user is not None
            and Participant.objects.filter(user=self.user, organization__isnull=True).exists()
        ):
            raise forms.ValidationError(_("You have already signed on as an individual."))
        if self.institution and not data.get("organization"):
            for name, message in (
                ("organization_name", _("Enter the institution's name.")),
                ("kind", _("Choose the institution's sector.")),
                ("state", _("Choose the U.S. state where the institution is based.")),
            ):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)
        return data


class ListingForm(forms.Form):
    priority_areas = PriorityAreaChoice(
        label=_("Priority areas of interest"),
        help_text=_("The National Plan's priority areas you want to work on."),
    )
    is_public = forms.BooleanField(
        label=_("List in the public directory of Change Makers (once approved)"), required=False
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Reason (sent to the signer)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Give the reason for declining."},
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("New role"),
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose a role above the current one.")},
    )

    def __init__(self, *args: Any, current: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from wellbeing.campaign.models import ROLE_RANK

        rank = ROLE_RANK[Role(current)]
        cast(forms.ChoiceField, self.fields["role"]).choices = [
            (r.value, f"{r.label}: {ROLE_PLEDGES[r]}") for r in Role if ROLE_RANK[r] > rank
        ]


_NUMBER = {"invalid": _("Enter a number, for example 42 or 12.5.")}


class MetricForm(forms.Form):
    name = forms.CharField(
        label=_("Metric"), max_length=200, error_messages={"required": _("Name the metric.")}
    )
    unit = forms.CharField(
        label=_("Unit"),
        max_length=60,
        help_text=_("For example %, staff, forms."),
        error_messages={"required": _("Give the metric's unit.")},
    )
    direction = forms.ChoiceField(
        label=_("Better is"),
        choices=[("", _("Select")), *Metric.Direction.choices],
        error_messages={"required": _("Say whether the metric should go up or down.")},
    )
    baseline_value = forms.DecimalField(
        label=_("Baseline value"),
        max_digits=14,
        decimal_places=4,
        error_messages={**_NUMBER, "required": _("Enter the baseline value.")},
    )
    baseline_date = forms.DateField(
        label=_("Baseline date"),
        help_text=_("YYYY-MM-DD"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Enter the baseline date."),
            "invalid": _("Enter a date as YYYY-MM-DD."),
        },
    )
    target_value = forms.DecimalField(
        label=_("Target value"),
        max_digits=14,
        decimal_places=4,
        error_messages={**_NUMBER, "required": _("Enter the target value.")},
    )
    target_date = forms.DateField(
        label=_("Target date"),
        help_text=_("YYYY-MM-DD"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Enter the target date."),
            "invalid": _("Enter a date as YYYY-MM-DD."),
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        baseline, target = data.get("baseline_date"), data.get("target_date")
        if baseline and target and target <= baseline:
            self.add_error("target_date", _("The target date must be after the baseline date."))
        direction = data.get("direction")
        b_value: Decimal | None = data.get("baseline_value")
        t_value: Decimal | None = data.get("target_value")
        if direction and b_value is not None and t_value is not None:
            if direction == Metric.Direction.DECREASE and t_value >= b_value:
                self.add_error(
                    "target_value", _("For a decrease the target must be below the baseline.")
                )
            if direction == Metric.Direction.INCREASE and t_value <= b_value:
                self.add_error(
                    "target_value", _("For an increase the target must be above the baseline.")
                )
        return data


class ActionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: RecommendedAction) -> str:
        """The Plan's number and wording; an action the Plan gives no number shows its wording
        alone (its slug is an address, not a name)."""
        text = obj.text if len(obj.text) <= 90 else obj.text[:89].rstrip() + "…"
        return f"{obj.code}: {text}" if obj.code else text


class CommitmentForm(MetricForm):
    """A commitment with its first metric (more metrics can be added afterwards)."""

    title = forms.CharField(
        label=_("Commitment"),
        max_length=200,
        error_messages={"required": _("Name the commitment.")},
    )
    priority_area = forms.ModelChoiceField(
        label=_("Priority area"),
        queryset=PriorityArea.objects.order_by("number"),
        to_field_name="slug",
        empty_label=_("Select a priority area"),
        error_messages={
            "required": _("Choose the priority area this commitment serves."),
            "invalid_choice": _("That is not a priority area of the National Plan."),
        },
    )
    action = ActionChoice(
        label=_("Recommended action of the Plan"),
        queryset=RecommendedAction.objects.select_related("priority_area"),
        to_field_name="slug",
        required=False,
        empty_label=_("None"),
        error_messages={"invalid_choice": _("That is not a recommended action of the Plan.")},
    )
    goal_statement = forms.CharField(
        label=_("Goal"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        error_messages={"required": _("State the goal.")},
    )
    template = forms.CharField(required=False, widget=forms.HiddenInput)

    field_order = ["title", "priority_area", "action", "goal_statement"]

    @classmethod
    def initial_from_template(cls, slug: str) -> dict[str, str]:
        """The template's texts in the visitor's language, to adapt and save as their own."""
        template = BY_SLUG.get(slug)
        if template is None:
            return {}
        return {
            "template": template.slug,
            "title": str(template.title),
            "priority_area": template.priority_area,
            "goal_statement": str(template.goal_statement),
            "name": str(template.metric_name),
            "unit": str(template.metric_unit),
            "direction": template.metric_direction,
        }

    def clean_template(self) -> str:
        slug = self.cleaned_data.get("template", "")
        return slug if slug in BY_SLUG else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        area, action = data.get("priority_area"), data.get("action")
        if area and action and action.priority_area_id != area.pk:
            self.add_error("action", _("Choose an action of the chosen priority area, or none."))
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=Commitment.Status.choices,
        error_messages={"invalid_choice": _("That is not a commitment status.")},
    )


class ProgressForm(forms.Form):
    """A quarter's report: one optional value per metric, a narrative, evidence, obstacles."""

    period_end = forms.TypedChoiceField(
        label=_("Quarter"),
        coerce=lambda value: dt.date.fromisoformat(value),
        error_messages={
            "required": _("Choose the quarter you report on."),
            "invalid_choice": _("Choose a quarter that has not been reported yet."),
        },
    )
    narrative = forms.CharField(
        label=_("What happened this quarter"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=8000,
        error_messages={"required": _("Describe the quarter's progress.")},
    )
    obstacles = forms.CharField(
        label=_("Obstacles"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
    )
    evidence_links = forms.CharField(
        label=_("Evidence links"),
        help_text=_("One web address per line, for example a published report."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
    )

    def __init__(
        self, *args: Any, metrics: list[Metric], quarters: list[dt.date], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["period_end"]).choices = [
            (q.isoformat(), _("Quarter ending %(date)s") % {"date": date_format(q, "DATE_FORMAT")})
            for q in quarters
        ]
        self.metrics = metrics
        for metric in metrics:
            self.fields[f"metric_{metric.pk}"] = forms.DecimalField(
                label=f"{metric.name} ({metric.unit})",
                max_digits=14,
                decimal_places=4,
                required=False,
                help_text=_("Leave empty if not measured this quarter."),
                error_messages=_NUMBER,
            )

    def metric_fields(self) -> list[forms.BoundField]:
        return [self[f"metric_{m.pk}"] for m in self.metrics]

    def clean_evidence_links(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["evidence_links"].splitlines()]
        links = [line for line in lines if line]
        validate = URLValidator(schemes=["http", "https"])
        for link in links:
            try:
                validate(link)
            except forms.ValidationError:
                raise forms.ValidationError(
                    _("%(link)s is not a web address; start each line with https://."),
                    params={"link": link[:80]},
                ) from None
        return links

    def values(self) -> dict[int, Decimal]:
        return {
            m.pk: self.cleaned_data[f"metric_{m.pk}"]
            for m in self.metrics
            if self.cleaned_data.get(f"metric_{m.pk}") is not None
        }


class SurveyLinkForm(forms.Form):
    survey: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Survey"),
        queryset=None,
        empty_label=_("Select a survey"),
        error_messages={
            "required": _("Choose one of your organization's surveys."),
            "invalid_choice": _("Choose one of your organization's surveys."),
        },
    )
    scale = forms.ChoiceField(
        label=_("Scale"),
        error_messages={"invalid_choice": _("Choose a scale of the survey's instruments.")},
    )
    statistic = forms.ChoiceField(
        label=_("Figure"),
        choices=[
            ("share", _("Share in the upper band (for example burned out), %")),
            ("mean", _("Mean")),
        ],
    )

    def __init__(self, *args: Any, surveys: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from wellbeing.surveys.scoring import get_instrument

        cast(forms.ModelChoiceField, self.fields["survey"]).queryset = surveys
        choices = []
        for survey in surveys.prefetch_related("versions"):
            for version in survey.versions.all():
                for instrument_id in version.instruments:
                    instrument = get_instrument(instrument_id)
                    for scale in instrument.scales:
                        key = f"{instrument.id}.{scale.id}"
                        label = scale_label(key)
                        if (key, label) not in choices:
                            choices.append((key, label))
        cast(forms.ChoiceField, self.fields["scale"]).choices = choices


class SupportRequestForm(forms.Form):
    topic = forms.CharField(
        label=_("Topic"), max_length=200, error_messages={"required": _("Name the topic.")}
    )
    priority_area = forms.ModelChoiceField(
        label=_("Priority area"),
        queryset=PriorityArea.objects.order_by("number"),
        to_field_name="slug",
        required=False,
        empty_label=_("Not specific to one area"),
        error_messages={"invalid_choice": _("That is not a priority area of the National Plan.")},
    )
    description = forms.CharField(
        label=_("What do you need help with?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=8000,
        error_messages={"required": _("Describe what you need.")},
    )


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Reply"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=8000,
        error_messages={"required": _("Write the reply.")},
    )


class StaffNotificationForm(forms.Form):
    sign_ons = forms.BooleanField(
        label="New sign-ons awaiting review (once the signer has confirmed their email address)",
        required=False,
    )
    support = forms.BooleanField(
        label="New support requests and participants' replies", required=False
    )
