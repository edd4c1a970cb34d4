"""Background work of the surveys app, through Django's tasks API (settings ``TASKS``).

``expire_free_text`` applies the retention setting to free-text answers; ``send_invitations``
and ``send_reminders`` mail a wave's invitations (enqueued after the transaction that
stores them commits; safe to run again); ``purge_closed_wave_invitations`` deletes the
addresses of every wave that no longer collects. (Publishing a wave's results when it
closes is the reports app's: ``reports.tasks``.)
"""

from django.conf import settings
from django_tasks import task


@task()
def expire_free_text() -> int:
    """Run daily (``python -m wellbeing retention --enqueue``): apply RETENTION_FREE_TEXT_MONTHS."""
    from wellbeing.surveys.actions import delete_expired_comments

    months = settings.RETENTION_FREE_TEXT_MONTHS
    if not months:
        return 0
    return sum(delete_expired_comments(months=months).values())


@task()
def send_invitations(batch_id: int) -> int:
    """Mail a batch's invitations not sent yet; returns how many this run sent."""
    from wellbeing.surveys.invitations import deliver_batch

    return deliver_batch(batch_id)


@task()
def send_reminders(wave_id: int) -> int:
    """Mail the reminders a wave's admin asked for; each at most once."""
    from wellbeing.surveys.invitations import deliver_reminders

    return deliver_reminders(wave_id)


@task()
def purge_closed_wave_invitations() -> int:
    """Run daily or hourly: delete the invitations (addresses, links, digests) of every wave
    that is closed or past its closing time. Returns how many were deleted."""
    from wellbeing.surveys.invitations import purge_closed

    return purge_closed()
