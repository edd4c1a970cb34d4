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
