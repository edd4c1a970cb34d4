"""Quarterly progress, survey-linked metrics and report reminders."""

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from wellbeing.accounts.models import User
from wellbeing.campaign.actions._common import mail_on_commit
from wellbeing.campaign.models import (
    Commitment,
    Metric,
    MetricValue,
    Participant,
    ProgressReport,
    ReminderSent,
)
from wellbeing.campaign.periods import REMINDER_DAYS, REPORT_GRACE_DAYS, due_date, quarter_end
from wellbeing.core.models import audit

if TYPE_CHECKING:
    from wellbeing.surveys.models import Wave


@transaction.atomic
def record_progress(
    commitment: Commitment,
    *,
    actor: User,
    period_end: date,
    narrative: str,
    values: dict[int, Decimal],
    obstacles: str = "",
    evidence_links: list[str] | None = None,
) -> ProgressReport:
    """File the quarter's report; each value becomes the metric's latest if it is the newest."""
    if period_end != quarter_end(period_end):
        raise ValueError(f"period_end: expected the last day of a quarter, got {period_end}")
    metrics = {m.pk: m for m in commitment.metrics.select_for_update()}
    unknown = set(values) - set(metrics)
    if unknown:
        raise ValueError(f"values: expected metrics of {commitment.pk}, got ids {sorted(unknown)}")
    report = ProgressReport.objects.create(
        commitment=commitment,
        period_end=period_end,
        narrative=narrative,
        obstacles=obstacles,
        evidence_links=evidence_links or [],
        submitted_by=actor,
    )
    for metric_id, value in values.items():
        _record_value(metrics[metric_id], value, period_end, report=report)
    audit(
        "campaign.progress.create",
        actor=actor,
        target=report,
        organization=commitment.participant.organization,
    )
    return report


def _record_value(
    metric: Metric,
    value: Decimal,
    as_of: date,
    *,
    report: ProgressReport | None = None,
    wave: "Wave | None" = None,
    n: int | None = None,
) -> MetricValue:
    source = MetricValue.Source.REPORT if report else MetricValue.Source.SURVEY
    row = MetricValue.objects.create(
        metric=metric, value=value, as_of=as_of, source=source, report=report, wave=wave, n=n
    )
    if metric.current_as_of is None or as_of >= metric.current_as_of:
        metric.current_value, metric.current_as_of = value, as_of
        metric.save(update_fields=["current_value", "current_as_of"])
    return row


@transaction.atomic
def link_metric_to_survey(
    metric: Metric, *, actor: User, survey: object, scale: str, statistic: str
) -> Metric:
    """Fill ``metric`` from a scale of the organization's own survey at each closed wave."""
    from wellbeing.surveys.models import Survey

    organization = metric.commitment.participant.organization
    if not isinstance(survey, Survey) or organization is None:
        raise ValueError("survey: expected a survey of the participating organization")
    if survey.organization_id != organization.pk:
        raise PermissionError("survey: it belongs to another organization")
    if statistic not in ("share", "mean"):
        raise ValueError(f"statistic: expected 'share' or 'mean', got {statistic!r}")
    metric.survey, metric.survey_scale, metric.survey_statistic = survey, scale, statistic
    metric.save(update_fields=["survey", "survey_scale", "survey_statistic"])
    audit(
        "campaign.metric.link",
        actor=actor,
        target=metric,
        organization=organization,
        scale=scale,
        statistic=statistic,
    )
    return metric


@transaction.atomic
def fill_metrics_from_wave(wave: object) -> list[MetricValue]:
    """Record, for every metric linked to the wave's survey, the figure its report publishes.

    Only the organization-wide figure of the wave's final results is used (through the
    reports door), so a value exists only where the report itself shows one, and it is the
    same figure. A wave without final results, or already recorded for a metric, is
    skipped: running this twice changes nothing.
    """
    from wellbeing.reports import door
    from wellbeing.surveys.models import Wave

    if not isinstance(wave, Wave):
        raise TypeError(f"wave: expected a Wave, got {type(wave).__name__}")
    metrics = list(
        Metric.objects.filter(survey_id=wave.survey_id)
        .exclude(values__wave=wave)
        .select_related("commitment__participant")
        .select_for_update(of=("self",))  # the metrics' rows, not the joined ones
    )
    if not metrics:
        return []
    overall = door.overall_figures(wave)
    if overall is None:
        return []
    recorded = []
    for metric in metrics:
        figure = overall.get(metric.survey_scale)
        number = None if figure is None else getattr(figure, metric.survey_statistic, None)
        if figure is None or figure.n is None or number is None:
            continue  # hidden by the report (too few responses) or not measured
        if metric.survey_statistic == "share":
            number *= 100
        value = Decimal(str(round(number, 1 if metric.survey_statistic == "share" else 2)))
        as_of = timezone.localdate(wave.closes_at)
        recorded.append(_record_value(metric, value, as_of, wave=wave, n=figure.n))
        audit(
            "campaign.metric.survey_value",
            target=metric,
            organization=wave.survey.organization,
            wave=wave.pk,
        )
    return recorded


def send_due_reminders(today: date) -> int:
    """Mail each active commitment's owner once per quarter, before the report falls due."""
    period = quarter_end(today - timedelta(days=REPORT_GRACE_DAYS))
    if today < due_date(period) - timedelta(days=REMINDER_DAYS):
        return 0
    due = (
        Commitment.objects.filter(
            participant__status=Participant.Status.APPROVED,
            status__in=[Commitment.Status.PLANNED, Commitment.Status.IN_PROGRESS],
            created_at__date__lte=period,
        )
        .exclude(progress_reports__period_end=period)
        .exclude(pk__in=ReminderSent.objects.filter(period_end=period).values("commitment_id"))
        .select_related("participant__user")
    )
    sent = 0
    for commitment in due:
        with transaction.atomic():
            ReminderSent.objects.create(commitment=commitment, period_end=period)
            email = commitment.participant.user.email
            subject = f"Progress report due {due_date(period):%B %-d, %Y}: {commitment.title}"
            body = (
                f"The progress report of {commitment.participant.display_name} for the quarter "
                f'ending {period:%B %-d, %Y} on the commitment "{commitment.title}" is due on '
                f"{due_date(period):%B %-d, %Y}.\n"
            )
            mail_on_commit(subject, body, email)
            audit(
                "campaign.progress.reminder",
                target=commitment,
                organization=commitment.participant.organization,
                period_end=str(period),
            )
        sent += 1
    return sent
