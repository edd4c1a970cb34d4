"""Consultations: a draft document put out for public comment during a period.

A draft has ordered sections of ordered paragraphs; each paragraph keeps a
stable ``anchor`` (its link target and the key of its comments in exports).
Times are stored in UTC; ``Consultation.timezone`` is the IANA zone the
period is announced in and shown in.

A comment starts ``unverified`` and becomes ``pending`` only when its author
opens the signed link mailed to them and presses the button on its page (opening
the link alone changes nothing); staff then publish or reject it.
"""

import zoneinfo
from datetime import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from wellbeing.engage.models.events import validate_time_zone

COMMENT_MAX_LENGTH = 5000


class ConsultationQuerySet(models.QuerySet["Consultation"]):
    def open(self, now: datetime) -> "ConsultationQuerySet":
        return self.filter(opens_at__lte=now, closes_at__gt=now).order_by("closes_at")

    def upcoming(self, now: datetime) -> "ConsultationQuerySet":
        return self.filter(opens_at__gt=now).order_by("opens_at")

    def closed(self, now: datetime) -> "ConsultationQuerySet":
        return self.filter(closes_at__lte=now).order_by("-closes_at")


class Consultation(models.Model):
    class Period(models.TextChoices):
        UPCOMING = "upcoming", "Upcoming"
        OPEN = "open", "Open for comment"
        CLOSED = "closed", "Closed"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    summary = models.TextField(help_text="Plain text: what the draft is and what input is sought.")
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    timezone = models.CharField(
        max_length=64, default="America/New_York", validators=[validate_time_zone]
    )
    webinar = models.ForeignKey(
        "engage.Event",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consultations",
        help_text="The launch webinar, if there is one.",
    )
    is_demo = models.BooleanField(default=False, help_text="Synthetic demonstration draft.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="consultation_closes_after_opening",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("engage:consultation_detail", args=[self.slug])

    def period(self, now: datetime | None = None) -> str:
        now = now or timezone.now()
        if now < self.opens_at:
            return self.Period.UPCOMING
        return self.Period.OPEN if now < self.closes_at else self.Period.CLOSED

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def local_opens(self) -> datetime:
        return self.opens_at.astimezone(self.zone)

    @property
    def local_closes(self) -> datetime:
        return self.closes_at.astimezone(self.zone)


class Section(models.Model):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="sections"
    )
    title = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["consultation", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "position"], name="section_position_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Paragraph(models.Model):
    # The consultation is repeated here so an anchor is unique across the draft.
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="paragraphs"
    )
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="paragraphs")
    anchor = models.SlugField(max_length=40, help_text="Stable link target, e.g. s2-p3.")
    text = models.TextField()
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["section__position", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "anchor"], name="paragraph_anchor_unique"
            )
        ]

    def __str__(self) -> str:
        return self.anchor

    @property
    def number(self) -> str:
        """What readers see ("2.3": section 2, paragraph 3); the anchor is the link's target."""
        return f"{self.section.position}.{self.position}"


class CommentTheme(models.Model):
    """A label staff put on comments to group what people said."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="comment_themes"
    )
    label = models.CharField(max_length=100)

    class Meta:
        ordering = ["label"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "label"], name="comment_theme_label_unique"
            )
        ]

    def __str__(self) -> str:
        return self.label


class ConsultationComment(models.Model):
    class State(models.TextChoices):
        UNVERIFIED = "unverified", "Unverified (email not confirmed)"
        PENDING = "pending", "Pending review"
        PUBLISHED = "published", "Published"
        REJECTED = "rejected", "Rejected"

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="comments"
    )
    paragraph = models.ForeignKey(
        Paragraph,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="comments",
        help_text="Empty for a comment on the whole draft.",
    )
    body = models.TextField(max_length=COMMENT_MAX_LENGTH)
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(help_text="Never shown; used to verify the comment.")
    affiliation = models.CharField(max_length=200, blank=True)
    actor_group = models.ForeignKey(
        "plan.ActorGroup", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=12, choices=State.choices, default=State.UNVERIFIED)
    rejection_reason = models.CharField(max_length=500, blank=True)
    themes = models.ManyToManyField(CommentTheme, blank=True, related_name="comments")
    created_at = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["consultation", "state"])]

    def __str__(self) -> str:
        return f"comment #{self.pk} on {self.consultation}"

    @property
    def display_name(self) -> str:
        return self.name or gettext("Anonymous")
