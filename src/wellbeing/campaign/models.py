"""Change Maker participants, their roles over time, commitments and metrics.

A participant is an organization (``accounts.Organization``) or an individual
user. Nothing here is public until staff approve it; ``Participant.objects.public()``
is the only queryset public pages start from.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wellbeing.accounts.states import STATE_NAMES
from wellbeing.campaign.labels import sector_label


class Role(models.TextChoices):
    NODE = "node", _("Node")
    CHAMPION = "champion", _("Champion")
    ACCELERATOR = "accelerator", _("Accelerator")


# Upgrades only go up this ladder (Node -> Champion -> Accelerator).
ROLE_RANK = {Role.NODE: 0, Role.CHAMPION: 1, Role.ACCELERATOR: 2}

ROLE_PLEDGES = {
    Role.NODE: _("Amplifies the National Plan to its own networks."),
    Role.CHAMPION: _("Commits to institutionalize well-being as a long-term value."),
    Role.ACCELERATOR: _(
        "Commits to goals outlined in the National Plan, measures progress and receives "
        "technical support."
    ),
}

INDIVIDUAL_SECTOR = "individual"


class ParticipantQuerySet(models.QuerySet["Participant"]):
    def approved(self) -> "ParticipantQuerySet":
        return self.filter(status=Participant.Status.APPROVED)

    def public(self) -> "ParticipantQuerySet":
        """Approved participants who chose to appear in the public directory."""
        return self.approved().filter(is_public=True)

    def managed_by(self, user: object) -> "ParticipantQuerySet":
        """Participants ``user`` may act for: their own sign-on, or their organizations as admin."""
        from wellbeing.accounts.models import User
        from wellbeing.accounts.permissions import organizations_administered_by

        if not isinstance(user, User) or not user.is_active:
            return self.none()
        admin_orgs = organizations_administered_by(user).values("pk")
        return self.filter(
            Q(organization__isnull=True, user=user) | Q(organization_id__in=admin_orgs)
        )


class Participant(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    organization = models.ForeignKey(
        "accounts.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="campaign_participations",
    )
    # The person who signed on: the individual participant, or the signer for an institution.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="campaign_sign_ons"
    )
    display_name = models.CharField(max_length=200)
    # An individual's state; an institution's state lives on its organization.
    individual_state = models.CharField(max_length=2, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    decline_reason = models.TextField(blank=True)
    signer_name = models.CharField(max_length=200)
    signer_title = models.CharField(max_length=200, blank=True)
    authority_statement = models.TextField(
        help_text="The signer's statement of their authority to commit the institution."
    )
    priority_areas = models.ManyToManyField(
        "plan.PriorityArea", blank=True, related_name="campaign_participants"
    )
    is_public = models.BooleanField(default=False)
    email_confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    reviewed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_synthetic = models.BooleanField(
        default=False, help_text="Demonstration data: the participant is invented."
    )

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["display_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(organization__isnull=False),
                name="campaign_one_participant_per_organization",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(organization__isnull=True),
                name="campaign_one_individual_sign_on_per_user",
            ),
        ]
        indexes = [models.Index(fields=["status", "is_public", "display_name"])]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("campaign:participant", args=[self.pk])

    @property
    def is_individual(self) -> bool:
        return self.organization_id is None

    @property
    def sector(self) -> str:
        """The organization's kind, or "Individual", in the visitor's language (select_related
        the organization)."""
        return str(sector_label(None if self.organization is None else self.organization.kind))

    @property
    def state(self) -> str:
        return self.individual_state if self.organization is None else self.organization.state

    @property
    def state_name(self) -> str:
        return STATE_NAMES.get(self.state, "")

    @property
    def can_commit(self) -> bool:
        """Accelerators record commitments; Champions may."""
        return self.role in (Role.CHAMPION, Role.ACCELERATOR)


class RoleChange(models.Model):
    """One row per role a participant took, the first one at sign-on: the role's history."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="role_changes"
    )
    from_role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    to_role = models.CharField(max_length=20, choices=Role.choices)
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.participant}: {self.from_role or '—'} -> {self.to_role}"


class Commitment(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        ACHIEVED = "achieved", _("Achieved")
        NOT_ACHIEVED = "not_achieved", _("Not achieved")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="commitments"
    )
    priority_area = models.ForeignKey(
        "plan.PriorityArea", on_delete=models.PROTECT, related_name="campaign_commitments"
    )
    action = models.ForeignKey(
        "plan.RecommendedAction",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaign_commitments",
    )
    template = models.CharField(max_length=80, blank=True)
    title = models.CharField(max_length=200)
    goal_statement = models.TextField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["priority_area", "status"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("campaign:commitment", args=[self.participant_id, self.pk])


# Allowed status moves; achieved, not achieved and withdrawn are final.
COMMITMENT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    Commitment.Status.PLANNED: (Commitment.Status.IN_PROGRESS, Commitment.Status.WITHDRAWN),
    Commitment.Status.IN_PROGRESS: (
        Commitment.Status.ACHIEVED,
        Commitment.Status.NOT_ACHIEVED,
        Commitment.Status.WITHDRAWN,
    ),
    Commitment.Status.ACHIEVED: (),
    Commitment.Status.NOT_ACHIEVED: (),
    Commitment.Status.WITHDRAWN: (),
}


class Metric(models.Model):
    class Direction(models.TextChoices):
        INCREASE = "increase", _("Increase")
        DECREASE = "decrease", _("Decrease")

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="metrics")
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=60)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    baseline_value = models.DecimalField(max_digits=14, decimal_places=4)
    baseline_date = models.DateField()
    target_value = models.DecimalField(max_digits=14, decimal_places=4)
    target_date = models.DateField()
    # Optional link to a scale of the organization's own survey: each closed wave then
    # fills in the value from the confidential report (only figures it publishes).
    survey = models.ForeignKey(
        "surveys.Survey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    survey_scale = models.CharField(max_length=80, blank=True)  # e.g. "single-item-burnout.score"
    survey_statistic = models.CharField(
        max_length=10,
        blank=True,
        choices=[("share", "Share in the upper band, %"), ("mean", "Mean")],
    )
    # The latest reported value; progress reports and linked survey waves update it.
    current_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    current_as_of = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_date__gt=models.F("baseline_date")),
                name="campaign_metric_target_after_baseline",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ProgressReport(models.Model):
    """A quarterly update on one commitment: values, narrative, evidence, obstacles."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="progress_reports"
    )
    period_end = models.DateField(help_text="The last day of the quarter reported on.")
    narrative = models.TextField()
    obstacles = models.TextField(blank=True)
    evidence_links = models.JSONField(default=list, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "period_end"], name="campaign_one_report_per_quarter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.commitment}: quarter ending {self.period_end}"


class MetricValue(models.Model):
    """One measured value of a metric, from a progress report or a survey wave."""

    class Source(models.TextChoices):
        REPORT = "report", "Progress report"
        SURVEY = "survey", "Survey wave"

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="values")
    value = models.DecimalField(max_digits=14, decimal_places=4)
    as_of = models.DateField()
    source = models.CharField(max_length=10, choices=Source.choices)
    report = models.ForeignKey(
        ProgressReport, null=True, blank=True, on_delete=models.CASCADE, related_name="values"
    )
    wave = models.ForeignKey(
        "surveys.Wave", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    n = models.PositiveIntegerField(null=True, blank=True)  # respondents behind a survey value

    class Meta:
        ordering = ["as_of", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "wave"],
                condition=Q(wave__isnull=False),
                name="campaign_one_value_per_metric_and_wave",
            )
        ]

    def __str__(self) -> str:
        return f"{self.metric}: {self.value} on {self.as_of}"


class ReminderSent(models.Model):
    """A progress-report reminder already mailed, so the daily run never sends it twice."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="+")
    period_end = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "period_end"], name="campaign_one_reminder_per_quarter"
            )
        ]

    def __str__(self) -> str:
        return f"reminder for {self.commitment_id}, quarter ending {self.period_end}"


class SupportRequest(models.Model):
    """An Accelerator's request for technical support, and its thread with staff."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        CLOSED = "closed", _("Closed")

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="support_requests"
    )
    topic = models.CharField(max_length=200)
    priority_area = models.ForeignKey(
        "plan.PriorityArea", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.topic


class SupportMessage(models.Model):
    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_staff = models.BooleanField(default=False)
    body = models.TextField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.request}: message {self.pk}"


class StaffNotificationPreference(models.Model):
    """What campaign mail a staff member receives; no row means both kinds, the default."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sign_ons = models.BooleanField(
        default=True, help_text="New sign-ons awaiting review (after the signer confirms)."
    )
    support = models.BooleanField(
        default=True, help_text="New support requests and participants' replies."
    )

    def __str__(self) -> str:
        return f"notifications of user #{self.user_id}"
