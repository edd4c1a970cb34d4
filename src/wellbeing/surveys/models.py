"""Surveys, waves, anonymous invitations, responses and their scores.

Anonymity is a property of this schema:

- ``Response`` has no foreign key to a user, a membership, an invitation token
  or an open link, and no IP address, user agent or time of day (only the date).
- ``InvitationToken`` stores a hash of the token and a ``used`` flag, never when
  it was used or by which response, so the two tables cannot be joined.
- Open-ended ``Comment`` rows are stored apart from the ``Response`` they came
  with (no key between them), so a comment can never be shown with the
  respondent's demographics.
"""

import hashlib
import secrets
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.urls import reverse
from django.utils import timezone

from wellbeing.accounts.models import Organization, Unit


class Survey(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="surveys")
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["organization", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("surveys:survey", args=[self.organization.slug, self.pk])

    @property
    def current_version(self) -> "SurveyVersion":
        return self.versions.order_by("-number").first()  # type: ignore[return-value]


class SurveyVersion(models.Model):
    """The questions of a survey. Frozen once any wave using it has a response."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(default=1)
    # Instrument ids in the order respondents see them (see src/instruments).
    instruments = models.JSONField(default=list)
    # Demographic question keys chosen by the organization (see surveys.questions).
    demographics = models.JSONField(default=list)
    # Up to three open-ended questions, as plain strings.
    open_questions = models.JSONField(default=list, blank=True)
    # Wording for items whose text the licence holder supplies: {instrument: {item: text}}.
    licensed_text = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["survey", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "number"], name="survey_version_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey} v{self.number}"

    @property
    def is_frozen(self) -> bool:
        return Response.objects.filter(wave__version=self).exists()


class WaveManager(models.Manager["Wave"]):
    """``Wave.accepting_responses`` as plain SQL, for the submit path's statements."""

    def accepting_sql(self) -> str:
        """SELECT the id of the wave if it takes responses (parameters: ``accepting_params``)."""
        q = connection.ops.quote_name
        # Identifiers come from the model's metadata, quoted; every value is a parameter.
        return (
            f"SELECT {q('id')} FROM {q(self.model._meta.db_table)} WHERE {q('id')} = %s"  # noqa: S608
            f" AND {q('status')} = %s AND {q('opens_at')} <= %s AND {q('closes_at')} > %s"
        )

    def accepting_params(self, pk: int, now: datetime | None = None) -> list[Any]:
        at = connection.ops.adapt_datetimefield_value(now or timezone.now())
        return [pk, Wave.Status.OPEN, at, at]

    def accepting(self, pk: int, now: datetime | None = None) -> bool:
        """Whether wave ``pk`` takes responses now, asked of the database itself.

        One primary-key read: the submit path calls it inside its transaction on every
        response.
        """
        with connection.cursor() as cursor:
            cursor.execute(self.accepting_sql(), self.accepting_params(pk, now))
            return cursor.fetchone() is not None


class Wave(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="waves")
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="waves")
    name = models.CharField(max_length=200)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WaveManager()

    class Meta:
        ordering = ["survey", "opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="wave_closes_after_it_opens",
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey}: {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("surveys:wave", args=[self.survey.organization.slug, self.pk])

    @property
    def organization(self) -> Organization:
        return self.survey.organization

    def accepting_responses(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.OPEN and self.opens_at <= now < self.closes_at


class WaveTarget(models.Model):
    """How many people a unit has, for response rates."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    headcount = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["wave", "unit"], name="one_target_per_wave_unit")
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.headcount}"


def _new_key() -> str:
    return secrets.token_urlsafe(16)


class OpenLink(models.Model):
    """Anyone with the link may respond; the response is counted for ``unit``."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="links")
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=40, unique=True, default=_new_key)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["wave", "unit"], name="one_link_per_wave_unit")
        ]

    def __str__(self) -> str:
        return f"{self.wave} / {self.unit or 'whole organization'}"

    def get_absolute_url(self) -> str:
        return reverse("surveys:respond_link", args=[self.key])


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationToken(models.Model):
    """A single-use invitation. Only the hash is stored; there is no use time and no response link."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="tokens")
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    used = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"token for {self.wave}"


class Response(models.Model):
    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="responses")
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The date only: a time of day could be matched against a token's use.
    submitted_on = models.DateField(default=timezone.localdate)
    # Generated by the form, not by the person: makes a retried POST store nothing twice.
    idempotency_key = models.CharField(max_length=64, unique=True)
    # {instrument_id: [code or null per item, in the instrument's item order]}
    answers = models.JSONField(default=dict)
    # {question_key: option_key}; "prefer_not" is a valid answer.
    demographics = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["wave", "unit"])]

    def __str__(self) -> str:
        return f"response #{self.pk}"


class Score(models.Model):
    """One scale score of one response, for grouped SQL in reports."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="scores")
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="+")
    instrument = models.CharField(max_length=40)
    scale = models.CharField(max_length=60)
    value = models.FloatField(null=True)
    category = models.CharField(max_length=80, blank=True)

    class Meta:
        indexes = [models.Index(fields=["wave", "instrument", "scale"])]

    def __str__(self) -> str:
        return f"{self.instrument}.{self.scale} = {self.value}"


class Comment(models.Model):
    """An answer to an open-ended question, deliberately not linked to its response."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="comments")
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    question = models.PositiveSmallIntegerField()
    text = models.TextField(max_length=5000)

    def __str__(self) -> str:
        return f"comment #{self.pk} on {self.wave}"


class PrivateRelease(models.Model):
    """One differentially private release of campaign-wide aggregates (see analysis.private).

    ``key`` names what was released and the state of the data it came from, so viewing
    the same figures again reuses the release instead of spending more privacy budget.
    The true counts are never stored.
    """

    key = models.CharField(max_length=200, unique=True)
    what = models.CharField(max_length=200)
    epsilon = models.FloatField()
    mechanism = models.CharField(max_length=200)
    # {"labels": [...], "values": [...]}: the noisy counts as released.
    values = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.what} (epsilon {self.epsilon:g})"


class WaveColumns(models.Model):
    """A wave's responses as packed columns, so a report need not decode every JSON row again.

    Derived data, never edited by hand (``surveys.reports.columns`` writes and reads it):
    unit ids, demographic answers and each instrument's item codes of the responses with
    ``pk <= through_id``, ``rows`` of them. A report reads the snapshot, checks that exactly
    ``rows`` responses still have ``pk <= through_id`` (a late commit or a deletion shows up
    there), and decodes only newer responses. It holds what ``Response`` holds — no identities.
    """

    wave = models.OneToOneField(Wave, on_delete=models.CASCADE, primary_key=True, related_name="+")
    through_id = models.BigIntegerField()
    rows = models.PositiveIntegerField()
    layout = models.CharField(max_length=400)  # instruments and widths; a mismatch discards it
    data = models.BinaryField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"columns of {self.wave} through response #{self.through_id}"


class StoredPlan(models.Model):
    """A disclosure plan of a wave, kept so that no report searches for it twice.

    Derived data (``surveys.reports.plans`` writes and reads it): ``digest`` is a hash of
    everything the plan is computed from (the unit tree, the counts of the scored
    respondents by unit and category, the minimum group size) and ``statuses`` the
    plan's published/hidden status of every figure (``analysis.disclosure.plan_statuses``).
    Any new response, unit or setting gives another digest, so a stored plan is used only
    for exactly the counts it was searched for; restoring it checks it against those counts.
    It holds statuses only: no answers, no identities.
    """

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="+")
    digest = models.BinaryField(max_length=32)
    statuses = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["wave", "digest"], name="stored_plan_once_per_wave")
        ]

    def __str__(self) -> str:
        return f"disclosure plan of {self.wave} ({bytes(self.digest).hex()[:12]})"


# Registered with the app here; defined beside the import code that uses it.
from wellbeing.surveys.imports.models import ImportJob  # noqa: E402, F401
