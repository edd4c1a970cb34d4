"""An import of a file of responses into a wave, from upload to the stored rows.

The uploaded file is kept only until the import is done (or abandoned): it may hold
columns the platform never stores, such as names or e-mail addresses.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse


class ImportJob(models.Model):
    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded, to be mapped"
        CHECKED = "checked", "Checked"
        QUEUED = "queued", "Waiting to run"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Not imported"

    wave = models.ForeignKey("surveys.Wave", on_delete=models.CASCADE, related_name="imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=255)
    format = models.CharField(max_length=10)
    preset = models.CharField(max_length=20)
    content = models.BinaryField(null=True, editable=False)
    content_sha256 = models.CharField(max_length=64)
    mapping = models.JSONField(default=dict, blank=True)
    # SHA-256 of the content and the mapping: the same file mapped the same way is one import.
    fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    total_rows = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # the first errors, as shown
    processed = models.PositiveIntegerField(default=0)  # rows stored so far (the progress bar)
    stored = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)  # already in the wave: stored nothing twice
    message = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # How the file was read (encoding, delimiter, renamed columns), said on the mapping page.
    notes = models.JSONField(default=list, blank=True)
    # ``completeness.Choices``: incomplete responses included, the REDCap event and repeat.
    choices = models.JSONField(default=dict, blank=True)
    left_out = models.JSONField(default=dict, blank=True)  # rows left out at the check, by reason
    # Asked at the start: import the valid rows and keep the others for download.
    valid_rows_only = models.BooleanField(default=False)
    # Those other rows as CSV (the mapped columns and a reason), for the person who
    # uploaded the file; deleted 24 hours after the import (``housekeeping``).
    rejected = models.BinaryField(null=True, editable=False)
    rejected_rows = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"import of {self.filename} into {self.wave_id}"

    def get_absolute_url(self) -> str:
        return reverse(
            "surveys:import_job", args=[self.wave.survey.organization.slug, self.wave_id, self.pk]
        )

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.processed / self.total_rows) if self.total_rows else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
