"""Background work of the engage app, through Django's tasks API (settings ``TASKS``).

Actions enqueue mail after their transaction commits, so a rolled-back write
never sends anything.
"""

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task


@task()
def send_engage_email(subject: str, body: str, to: list[str]) -> int:
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)


@task()
def send_event_reminders() -> int:
    """Run hourly or daily (``python -m wellbeing event_reminders``): remind people a day ahead."""
    from wellbeing.engage.actions.events import send_due_reminders

    return send_due_reminders()


@task()
def deliver_newsletter(newsletter_id: int) -> int:
    """Send a newsletter to its recipients in batches; safe to run again (see ``deliver``)."""
    from wellbeing.engage.actions.updates import deliver

    return deliver(newsletter_id)


@task()
def resume_stalled_newsletters() -> int:
    """Run hourly (the scheduler): enqueue again the delivery of every newsletter still
    sending an hour after it started, as when a worker stopped mid-send. Sending twice at
    once is safe: each recipient is claimed once (``deliver``). Returns how many it enqueued."""
    from datetime import timedelta

    from django.utils import timezone

    from wellbeing.engage.models import Newsletter

    stalled = Newsletter.objects.filter(
        status=Newsletter.Status.SENDING, started_at__lte=timezone.now() - timedelta(hours=1)
    ).values_list("pk", flat=True)
    for pk in stalled:
        deliver_newsletter.enqueue(pk)
    return len(stalled)
