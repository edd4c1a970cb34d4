"""Email updates: subscribers with topics and double opt-in, newsletters and their deliveries.

Nothing is sent to an address until its owner opened the signed confirmation
link and pressed its button (``confirmed_at``); unsubscribed and bounced
addresses are never sent to.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Topic(models.TextChoices):
    CAMPAIGN = "campaign", _("Change Maker campaign news")
    EVENTS = "events", _("Events")
    CONSULTATIONS = "consultations", _("Public comment periods on drafts")
    HUB = "hub", _("New resources in the knowledge hub")
    AWARENESS_DAY = "awareness_day", _("Health Workforce Well-Being Day")


class SubscriberQuerySet(models.QuerySet["Subscriber"]):
    def sendable(self) -> "SubscriberQuerySet":
        """Confirmed, still subscribed and not bounced: the only addresses mail goes to."""
        return self.filter(
            confirmed_at__isnull=False, unsubscribed_at__isnull=True, bounced_at__isnull=True
        )

    def for_topics(self, topics: list[str]) -> "SubscriberQuerySet":
        return self.filter(topic_rows__topic__in=topics).distinct()


class Subscriber(models.Model):
    """An e-mail address that asked for updates."""

    email = models.EmailField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    consented_at = models.DateTimeField(
        null=True, blank=True, help_text="When the person last ticked the consent box."
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    consent_text = models.TextField(help_text="The wording the person agreed to, as shown.")
    # The site's language when the person signed up or submitted: mail sent later (by a
    # task, or after someone else's action) is written in it, not in the language active then.
    language = models.CharField(max_length=8, default="en")

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.email

    @property
    def topics(self) -> list[str]:
        return [row.topic for row in self.topic_rows.all()]

    @property
    def is_active(self) -> bool:
        return bool(self.confirmed_at and not self.unsubscribed_at)


class SubscriberTopic(models.Model):
    # A row per topic (not a JSON list) so "subscribers of these topics" is one
    # query on SQLite and PostgreSQL alike.
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="topic_rows")
    topic = models.CharField(max_length=20, choices=Topic.choices)

    class Meta:
        ordering = ["topic"]
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "topic"], name="subscriber_topic_unique")
        ]

    def __str__(self) -> str:
        return f"{self.subscriber} · {self.topic}"


class Newsletter(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"

    subject = models.CharField(max_length=200)
    body = models.TextField(help_text="Plain text or Markdown; sent as written.")
    topics = models.JSONField(default=list, help_text="Topic values; see Topic.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    total = models.PositiveIntegerField(default=0)
    sent_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject

    def topic_labels(self) -> list[str]:
        return [str(Topic(t).label) for t in self.topics if t in Topic.values]


class Delivery(models.Model):
    """One newsletter to one subscriber; unique, so a retried task never sends twice."""

    newsletter = models.ForeignKey(Newsletter, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["newsletter", "subscriber"], name="delivery_once_per_subscriber"
            )
        ]

    def __str__(self) -> str:
        return f"{self.newsletter} to {self.subscriber}"
