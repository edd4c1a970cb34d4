"""Surveys, waves, anonymous invitations, responses and their scores.

Anonymity is a property of this schema:

- ``Response`` has no foreign key to a user, a membership, an invitation token
  or an open link, and no IP address, user agent or time of day (only the date).
- ``InvitationToken`` stores a hash of the token and a ``used`` flag, never when
  it was used or by which response, so the two tables cannot be joined.
- Open-ended ``Comment`` rows are stored apart from the ``Response`` they came
  with (no key between them), so a comment can never be shown with the
  respondent's demographics.
- Nothing orders them by arrival: ``Response``, ``Score`` and ``Comment`` have random
  primary keys, and while a wave collects each submission waits as a ``Pending`` row,
  sealed under the server's secret (``core.sealing``); ``actions.settle_responses`` moves
  a wave's pending submissions into the plain tables in random order when its results are
  published (on PostgreSQL rewriting the wave's rows, so neither the heap's order nor a
  row's transaction id ranks them).
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
        return (
            Response.objects.filter(wave__version=self).exists()
            or Pending.objects.filter(wave__version=self).exists()
        )


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

    class Origin(models.TextChoices):
        LINKS = "links", "Collected through its links"
        IMPORT = "import", "Imported from files"

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="waves")
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="waves")
    name = models.CharField(max_length=200)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Where the wave's responses come from, decided once: through its links (the first time
    # it opens) or from files (the first import). The two never share a wave, so rows an
    # admin imports can never make up a protected group with real respondents.
    origin = models.CharField(max_length=10, choices=Origin.choices, blank=True, default="")
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

    @property
    def collects(self) -> bool:
        """True once the wave has opened for responses through its links."""
        return self.origin == self.Origin.LINKS

    @property
    def imported(self) -> bool:
        return self.origin == self.Origin.IMPORT

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


RANDOM_ID_LIMIT = 2**63 - 1


def random_id() -> int:
    """A primary key that says nothing about when its row was written."""
    return secrets.randbelow(RANDOM_ID_LIMIT) + 1


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


class InvitationBatch(models.Model):
    """Invitations the platform mails for one wave at an admin's request: counts only.

    The addresses are ``Invitation`` rows, sealed, deleted when the wave closes
    (``surveys.invitations.purge_invitations``); the batch keeps its counts and times, which
    say nothing about who answered.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        DONE = "done", "Done"

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="invitation_batches")
    # The unit picked for the batch; None: the whole organization (or units named in the file).
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    total = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    bounced = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # When reminders last went out for this batch (batch-level times date nobody's answer).
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["wave", "created_at", "pk"]

    def __str__(self) -> str:
        return f"invitations to {self.wave} ({self.total})"

    @property
    def busy(self) -> bool:
        return self.status != self.Status.DONE


class Invitation(models.Model):
    """One invited address of a batch: sealed, with its personal link sealed beside it.

    No time of its own (a sending time could be lined up with a response's date). The
    address is sealed under the server's secret (``core.sealing``); ``address_digest`` is a
    keyed digest of the normalized address and the wave, for "invited once per wave" and
    bounce matching without opening the seal. Once the link is used, the address and the
    link are wiped and only the digest stays, so the address cannot be invited again; every
    row of a wave is deleted when the wave stops collecting.
    """

    class Delivery(models.TextChoices):
        QUEUED = "queued", "Queued"
        # Claimed by a sending run: a crash now loses this one mail rather than sending it twice.
        CLAIMED = "claimed", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Refused by the mail server"

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="invitations")
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    batch = models.ForeignKey(InvitationBatch, on_delete=models.CASCADE, related_name="invitations")
    address_sealed = models.TextField(blank=True, default="")
    address_digest = models.CharField(max_length=64)
    token_sealed = models.TextField(blank=True, default="")
    token = models.OneToOneField(
        InvitationToken,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="invitation",
    )
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.QUEUED)
    bounced = models.BooleanField(default=False)
    reminder_due = models.BooleanField(default=False)
    reminded = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["wave", "address_digest"], name="invited_once_per_wave")
        ]
        indexes = [models.Index(fields=["address_digest"])]

    def __str__(self) -> str:
        return f"invitation to {self.wave}"


class Pending(models.Model):
    """A submission acknowledged while its wave collects, sealed until it is settled.

    Only the server can open ``sealed`` (the unit's answers, demographics, open answers and
    the day): anyone holding the database sees rows in the order they arrived but can read
    none of them. ``unit`` stays readable for the wave page's rounded live counts; a unit's
    personal links say as much. ``actions.settle_responses`` turns these rows into
    ``Response``, ``Score`` and ``Comment`` rows in random order and deletes them.
    """

    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="pending")
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    idempotency_key = models.CharField(max_length=64, unique=True)
    # A keyed digest of what was submitted: a retry with the same key must carry the same body.
    body_digest = models.CharField(max_length=64)
    sealed = models.BinaryField()

    def __str__(self) -> str:
        return f"pending submission to {self.wave}"


class Response(models.Model):
    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="responses")
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The date only: a time of day could be matched against a token's use.
    submitted_on = models.DateField(default=timezone.localdate)
    # Generated by the form, not by the person: makes a retried POST store nothing twice.
    idempotency_key = models.CharField(max_length=64, unique=True)
    # The keyed digest of the submission (see ``Pending``); empty for imported rows.
    body_digest = models.CharField(max_length=64, blank=True, default="", db_default="")
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

    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
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

    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="comments")
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    question = models.PositiveSmallIntegerField()
    text = models.TextField(max_length=5000)

    def __str__(self) -> str:
        return f"comment #{self.pk} on {self.wave}"


# Registered with the app here; defined beside the import code that uses it.
from wellbeing.surveys.imports.models import ImportJob  # noqa: E402, F401
