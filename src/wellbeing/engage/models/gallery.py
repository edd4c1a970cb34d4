"""The art gallery "Expressions of well-being" and requests to host the traveling gallery."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ArtworkQuerySet(models.QuerySet["Artwork"]):
    def public(self) -> "ArtworkQuerySet":
        """Only works a moderator approved and whose submitter consented to publication."""
        return self.filter(status=Artwork.Status.APPROVED, consent_to_publish=True)


class Artwork(models.Model):
    class Medium(models.TextChoices):
        IMAGE = "image", _("Image (painting, drawing, photograph)")
        AUDIO = "audio", _("Audio (music, spoken word) — link")
        VIDEO = "video", _("Video — link")
        WRITING = "writing", _("Writing (poem, story, essay)")

    class Perspective(models.TextChoices):
        CLINICIAN = "clinician", _("Clinician or health worker")
        PATIENT = "patient", _("Patient")
        LOVED_ONE = "loved_one", _("Loved one of a clinician")
        ORGANIZATION = "organization", _("Organization")
        OTHER = "other", _("Other")

    class Licence(models.TextChoices):
        CC_BY = "cc-by-4.0", _("Creative Commons Attribution 4.0 (CC BY 4.0)")
        CC_BY_NC = (
            "cc-by-nc-4.0",
            _("Creative Commons Attribution-NonCommercial 4.0 (CC BY-NC 4.0)"),
        )
        ALL_RIGHTS = "all-rights-reserved", _("All rights reserved (display in this gallery only)")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    title = models.CharField(max_length=200)
    artist_name = models.CharField(max_length=200, help_text="Name to show with the work.")
    location = models.CharField(max_length=100, blank=True, help_text="City and state to show.")
    perspective = models.CharField(max_length=20, choices=Perspective.choices)
    medium = models.CharField(max_length=10, choices=Medium.choices)
    image = models.FileField(upload_to="engage/gallery/", blank=True)
    image_width = models.PositiveIntegerField(null=True, blank=True)
    image_height = models.PositiveIntegerField(null=True, blank=True)
    alt_text = models.CharField(max_length=500, blank=True)
    media_url = models.URLField(blank=True)
    writing = models.TextField(blank=True, max_length=20000)
    statement = models.TextField(max_length=3000)
    licence = models.CharField(max_length=24, choices=Licence.choices)
    consent_to_publish = models.BooleanField(default=False)
    contact_email = models.EmailField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    moderation_note = models.TextField(blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(default=False, help_text="Synthetic demonstration work.")
    created_at = models.DateTimeField(auto_now_add=True)
    # The site's language when the person signed up or submitted: mail sent later (by a
    # task, or after someone else's action) is written in it, not in the language active then.
    language = models.CharField(max_length=8, default="en")

    objects = ArtworkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Every stored image has alt text, whatever path wrote it.
            models.CheckConstraint(
                condition=models.Q(image="") | ~models.Q(alt_text=""),
                name="artwork_image_has_alt_text",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("engage:gallery_work", args=[self.pk])


class HostRequest(models.Model):
    """A request to host the traveling gallery, worked through by staff."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        IN_DISCUSSION = "in_discussion", "In discussion"
        SCHEDULED = "scheduled", "Scheduled"
        DECLINED = "declined", "Declined"
        COMPLETED = "completed", "Completed"

    # The moves staff may make; anything else is refused.
    MOVES: dict[str, tuple[str, ...]] = {
        "received": ("in_discussion", "scheduled", "declined"),
        "in_discussion": ("scheduled", "declined"),
        "scheduled": ("completed", "declined"),
        "declined": (),
        "completed": (),
    }

    institution = models.CharField(max_length=200)
    venue = models.CharField(max_length=300)
    location = models.CharField(max_length=100, help_text="City and state.")
    starts_on = models.DateField()
    ends_on = models.DateField()
    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField()
    contact_phone = models.CharField(max_length=40, blank=True)
    programming = models.TextField(blank=True, max_length=3000)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    staff_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_on", "pk"]

    def __str__(self) -> str:
        return f"{self.institution} ({self.starts_on:%Y-%m-%d})"
