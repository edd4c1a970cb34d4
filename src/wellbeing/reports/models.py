"""The ledger of releases, and what the reports door keeps between readers.

- ``Release``: one publication of a wave's results. It freezes the respondents it covers
  (their units, demographic answers and item codes, packed, in random order), the unit
  tree of the day, and the disclosure plan of every figure any page, export or API shows.
  Readers always read a release, never live data, so two views of the same release are
  identical and two releases never differ by a group below the minimum size
  (``reports.releases`` plans each new release against every earlier one).
- ``WaveColumns``: a wave's decoded responses, packed, so that publishing a release decodes
  only the responses stored since the last time (derived data).
- ``PrivateRelease``: one differentially private release of campaign-wide counts.
- ``SupportAccess``: an organization admin's time-limited grant to a named campaign staff
  member to read its reports (``reports.access`` reads it, ``reports.actions`` writes it).

Nothing here holds an identity: no user, link or token of a respondent, no response id and
no time of day (a release records the day it was published).
"""

import secrets
from datetime import datetime

from django.conf import settings
from django.db import models

from wellbeing.accounts.models import Organization
from wellbeing.surveys.models import Wave


def _new_key() -> str:
    return secrets.token_hex(16)


class Release(models.Model):
    class Kind(models.TextChoices):
        INTERIM = "interim", "Interim results while the wave was open"
        CLOSE = "close", "Results at the close of the wave"
        IMPORT = "import", "Results after an import"

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="releases")
    number = models.PositiveIntegerField()
    # Names the release in caches across processes: a primary key can come back (a database
    # restored from a backup), a random key does not.
    key = models.CharField(max_length=32, unique=True, default=_new_key, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # The day only: a time of day could be matched against a person's visit.
    published_on = models.DateField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responses = models.PositiveIntegerField()
    min_size = models.PositiveSmallIntegerField()
    # numpy arrays (np.savez, no pickles): the tree, the rows, every plan's statuses, the
    # ids of the comments shown and each unit's complete answers for key drivers.
    data = models.BinaryField()

    class Meta:
        ordering = ["wave", "number"]
        constraints = [
            models.UniqueConstraint(fields=["wave", "number"], name="one_release_number_per_wave")
        ]

    def __str__(self) -> str:
        return f"release {self.number} of {self.wave}"

    @property
    def final(self) -> bool:
        """Published when the wave no longer collected (at its close, or after an import)."""
        return self.kind != self.Kind.INTERIM


class WaveColumns(models.Model):
    """A wave's responses as packed columns, so publishing need not decode every JSON row again.

    Derived data, never edited by hand (``reports.columns`` writes and reads it): the keys,
    unit ids, demographic answers and each instrument's item codes of ``rows`` responses,
    in the order of their random keys. A read checks that each of them is still a response
    of the wave and decodes only the others. It holds what ``Response`` holds: no
    identities, and no order of arrival.
    """

    wave = models.OneToOneField(Wave, on_delete=models.CASCADE, primary_key=True, related_name="+")
    rows = models.PositiveIntegerField()
    layout = models.CharField(max_length=400)  # instruments and widths; a mismatch discards it
    data = models.BinaryField()

    def __str__(self) -> str:
        return f"columns of {self.wave} ({self.rows} responses)"


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
        db_table = "surveys_privaterelease"  # kept from when it lived in the surveys app
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.what} (epsilon {self.epsilon:g})"


class SupportAccess(models.Model):
    """An organization admin lets one named campaign staff member read its reports for a while.

    Staff see no organization's data by being staff (``accounts.permissions``); a grant is
    the one way in, and only to read: the report and unit pages and the report's files,
    never the record export, imports, surveys or administration. It ends at ``expires_at``
    or when an admin revokes it, whichever comes first, and rows are kept afterwards so the
    organization sees every past grant. Writes go through ``reports.actions`` (audited).
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="support_grants"
    )
    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="support_grants"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-granted_at", "-pk"]
        indexes = [
            models.Index(fields=["staff_user", "organization", "expires_at"], name="support_lookup")
        ]

    def __str__(self) -> str:
        return f"support access of {self.staff_user} to {self.organization}"

    def is_active(self, now: datetime) -> bool:
        """Neither revoked nor expired at ``now``."""
        return self.revoked_at is None and now < self.expires_at
