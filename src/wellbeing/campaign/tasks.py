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


@task()
def send_progress_reminders() -> int:
    """Run daily (``python -m wellbeing campaign_daily``): mail reminders before reports fall due."""
    from django.utils import timezone

    from wellbeing.campaign.actions import send_due_reminders

    return send_due_reminders(timezone.localdate())


@task()
def fill_metrics_from_closed_waves() -> int:
    """Run daily: fill survey-linked metrics from every closed wave not yet recorded."""
    from django.db.models import Q
    from django.utils import timezone

    from wellbeing.campaign.actions import fill_metrics_from_wave
    from wellbeing.campaign.models import Metric
    from wellbeing.surveys.models import Wave

    linked = Metric.objects.exclude(survey=None).values("survey_id")
    closed = Q(status=Wave.Status.CLOSED) | Q(closes_at__lte=timezone.now())
    waves = Wave.objects.filter(closed, survey_id__in=linked)
    return sum(len(fill_metrics_from_wave(wave)) for wave in waves.order_by("closes_at"))
