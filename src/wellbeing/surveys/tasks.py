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


@task()
def close_due_waves() -> int:
    """Run every minute (the scheduler): close the open waves whose ``closes_at`` has passed.

    Closing announces ``wave_closed``, on which the reports app publishes the results and the
    campaign fills the metrics linked to the survey. Returns how many waves this run closed."""
    from django.db import transaction
    from django.utils import timezone

    from wellbeing.surveys.actions import set_wave_status
    from wellbeing.surveys.models import Wave

    due = Wave.objects.filter(status=Wave.Status.OPEN, closes_at__lte=timezone.now())
    closed = 0
    for pk in due.order_by("closes_at").values_list("pk", flat=True):
        with transaction.atomic():
            # Locked and checked again, so a wave closed meanwhile is not announced twice.
            wave = (
                Wave.objects.select_for_update(of=("self",))
                .select_related("survey__organization")
                .filter(pk=pk, status=Wave.Status.OPEN)
                .first()
            )
            if wave is not None:
                set_wave_status(wave=wave, status=Wave.Status.CLOSED, actor=None)
                closed += 1
    return closed


@task()
def clear_import_uploads() -> int:
    """Run hourly (the scheduler; ``python -m wellbeing import_housekeeping`` by hand): delete
    what imports keep of their files once done, or after 24 hours. Returns the jobs cleared."""
    from wellbeing.surveys.imports.housekeeping import clear_uploads

    return sum(len(ids) for ids in clear_uploads().values())
