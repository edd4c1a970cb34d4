"""The audit log: every write through an ``actions`` module leaves one row."""

from datetime import datetime, time

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    # Set by ``audit``: the moment, or for ``day_only`` events the start of the day.
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField(max_length=80)
    # A short description of the object; never survey answers or other personal data.
    target = models.CharField(max_length=200, blank=True)
    organization = models.ForeignKey(
        "accounts.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb} {self.target}"


def audit(
    verb: str,
    *,
    actor=None,
    target: object = "",
    organization=None,
    day_only: bool = False,
    **detail: object,
) -> AuditEvent:
    """Record an audit row; call inside the action's transaction.

    ``day_only``: record the day, not the moment, for events whose time could bracket when
    respondents answered (a release of an open wave holds a count of its responses)."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    at = timezone.now()
    if day_only:
        at = timezone.make_aware(datetime.combine(timezone.localdate(at), time.min))
    return AuditEvent.objects.create(
        at=at,
        verb=verb,
        actor=actor,
        target=str(target)[:200],
        organization=organization,
        detail=detail,
    )


class ScheduledRun(models.Model):
    """The last due time of a periodic task that a scheduler enqueued (``wellbeing.schedule``).

    A scheduler claims a due time with one conditional UPDATE from the value it read, so
    two schedulers, or one restarted, never enqueue the same due time twice."""

    name = models.CharField(max_length=100, unique=True)
    last_due_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} (last due {self.last_due_at or 'never'})"
