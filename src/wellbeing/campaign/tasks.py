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
    """Run daily (the scheduler, or ``python -m wellbeing campaign_daily``): mail reminders
    before reports fall due."""
    from django.utils import timezone

    from wellbeing.campaign.actions import send_due_reminders

    return send_due_reminders(timezone.localdate())


def on_wave_closed(sender: object, wave: object, **kwargs: object) -> None:
    """``surveys.signals.wave_closed``: fill the metrics linked to the wave's survey."""
    fill_metrics_for_wave.enqueue(wave.pk)  # type: ignore[attr-defined]


# Below the default priority, so a worker takes the reports app's publish_release of the same
# close first (the door publishes on first read anyway, so the order is a saving, not a need).
@task(priority=-10)
def fill_metrics_for_wave(wave_id: int) -> int:
    """Fill the metrics linked to one wave's survey from its published results; safe to run
    again (a metric already recorded for the wave is skipped). Returns the values recorded."""
    from wellbeing.campaign.actions import fill_metrics_from_wave
    from wellbeing.surveys.models import Wave

    wave = Wave.objects.select_related("survey__organization").filter(pk=wave_id).first()
    if wave is None or wave.status != Wave.Status.CLOSED:
        return 0
    return len(fill_metrics_from_wave(wave))


@task()
def fill_metrics_from_closed_waves() -> int:
    """Run hourly (the scheduler), behind ``fill_metrics_for_wave`` at each close: fill
    survey-linked metrics from every closed wave not yet recorded."""
    from django.db.models import Q
    from django.utils import timezone

    from wellbeing.campaign.actions import fill_metrics_from_wave
    from wellbeing.campaign.models import Metric
    from wellbeing.surveys.models import Wave

    linked = Metric.objects.exclude(survey=None).values("survey_id")
    closed = Q(status=Wave.Status.CLOSED) | Q(closes_at__lte=timezone.now())
    waves = Wave.objects.filter(closed, survey_id__in=linked)
    return sum(len(fill_metrics_from_wave(wave)) for wave in waves.order_by("closes_at"))
