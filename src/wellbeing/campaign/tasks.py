"""Background work of the campaign, through Django's tasks API (settings ``TASKS``).

Actions enqueue these after their transaction commits, so a rolled-back write
never sends mail.
"""

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task


@task()
def send_campaign_email(subject: str, body: str, to: list[str]) -> int:
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
