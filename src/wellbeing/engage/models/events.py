"""Events with registration, and the annual Health Workforce Well-Being Day.

Times are stored in UTC; ``Event.timezone`` is the IANA zone the event is held
in, used to show local times and to write ``TZID`` in the calendar file.
"""

import zoneinfo
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    """A field validator: ``value`` must be an IANA time zone name such as America/New_York."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ValidationError(
            f"{value!r} is not an IANA time zone such as America/New_York."
        ) from error


class EventQuerySet(models.QuerySet["Event"]):
    def published(self) -> "EventQuerySet":
        return self.filter(published=True)

    def upcoming(self, now: datetime | None = None) -> "EventQuerySet":
        return self.published().filter(ends_at__gte=now or timezone.now()).order_by("starts_at")

    def past(self, now: datetime | None = None) -> "EventQuerySet":
        return self.published().filter(ends_at__lt=now or timezone.now()).order_by("-starts_at")


class Event(models.Model):
    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        VIRTUAL = "virtual", _("Virtual")
        HYBRID = "hybrid", _("Hybrid")

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    summary = models.TextField(
        help_text="Plain text shown on the event page and in the calendar file."
    )
    format = models.CharField(max_length=10, choices=Format.choices)
    host = models.CharField(max_length=200, help_text="The organization that holds the event.")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    timezone = models.CharField(
        max_length=64, default="America/New_York", validators=[validate_time_zone]
    )
    venue = models.CharField(
        max_length=300, blank=True, help_text="Address, for in-person and hybrid events."
    )
    online_url = models.URLField(
        blank=True, help_text="Joining link, sent to registered people only."
    )
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Empty means no limit.")
    registration_open = models.BooleanField(default=True)
    awareness_day = models.BooleanField(
        default=False, help_text="Part of Health Workforce Well-Being Day (listed on its page)."
    )
    recording_url = models.URLField(blank=True, help_text="Recording of a past event.")
    published = models.BooleanField(default=False)
    is_demo = models.BooleanField(default=False, help_text="Synthetic demonstration event.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("engage:event_detail", args=[self.slug])

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(self.zone)

    @property
    def local_end(self) -> datetime:
        return self.ends_at.astimezone(self.zone)

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()

    def confirmed_count(self) -> int:
        return self.registrations.filter(status=Registration.Status.CONFIRMED).count()

    def places_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(0, self.capacity - self.confirmed_count())


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        WAITLISTED = "waitlisted", "On the waitlist"
        CANCELLED = "cancelled", "Cancelled"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    status = models.CharField(max_length=10, choices=Status.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    reminded_at = models.DateTimeField(null=True, blank=True)
    # The site's language when the person signed up or submitted: mail sent later (by a
    # task, or after someone else's action) is written in it, not in the language active then.
    language = models.CharField(max_length=8, default="en")

    class Meta:
        ordering = ["event", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "email"], name="registration_event_email_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} for {self.event} ({self.status})"


class ToolkitItem(models.Model):
    """One entry of the Health Workforce Well-Being Day toolkit page, with its source.

    Seeded only with what the published sources state (``engage.awareness``);
    staff add and edit the rest, including shareable graphics with alt text.
    """

    class Kind(models.TextChoices):
        ACTION = "action", "What organizations can do"
        MESSAGE = "message", "Key message"
        FACT = "fact", "Fact to share"
        GRAPHIC = "graphic", "Shareable graphic"

    key = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    source_url = models.URLField(blank=True, help_text="Where this is stated; required for facts.")
    graphic = models.FileField(upload_to="engage/toolkit/", blank=True)
    alt_text = models.CharField(max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    published = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "position", "pk"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.graphic and not self.alt_text.strip():
            raise ValidationError(
                {"alt_text": "Describe the graphic for people who cannot see it."}
            )
        if self.kind == self.Kind.FACT and not self.source_url:
            raise ValidationError({"source_url": "Give the source of the fact."})
