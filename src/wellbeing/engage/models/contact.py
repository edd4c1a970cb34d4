"""Messages sent through the public contact form."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ContactMessage(models.Model):
    class Topic(models.TextChoices):
        GENERAL = "general", _("A general question")
        CAMPAIGN = "campaign", _("The Change Maker campaign")
        SURVEYS = "surveys", _("Surveys and reports")
        HUB = "hub", _("The knowledge hub")
        EVENTS = "events", _("Events and Health Workforce Well-Being Day")
        MEDIA = "media", _("Media and press")

    name = models.CharField(max_length=200)
    email = models.EmailField()
    topic = models.CharField(max_length=12, choices=Topic.choices)
    message = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_topic_display()} from {self.name}"
