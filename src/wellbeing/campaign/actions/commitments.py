"""Commitments and their metrics, and the allowed status moves."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from wellbeing.accounts.models import User
from wellbeing.campaign.actions._common import TransitionError
from wellbeing.campaign.models import (
    COMMITMENT_TRANSITIONS,
    Commitment,
    Metric,
    Participant,
)
from wellbeing.core.models import audit
from wellbeing.plan.models import PriorityArea, RecommendedAction


@dataclass(frozen=True)
class MetricInput:
    name: str
    unit: str
    direction: str
    baseline_value: Decimal
    baseline_date: date
    target_value: Decimal
    target_date: date


def _check_metric(metric: MetricInput) -> None:
    if metric.direction not in Metric.Direction.values:
        raise ValueError(
            f"direction: expected one of {Metric.Direction.values}, got {metric.direction!r}"
        )
    if metric.target_date <= metric.baseline_date:
        raise ValueError(
            f"target_date: expected a date after the baseline {metric.baseline_date}, "
            f"got {metric.target_date}"
        )


@transaction.atomic
def add_commitment(
    participant: Participant,
    *,
    actor: User,
    title: str,
    priority_area: PriorityArea,
    goal_statement: str,
    metric: MetricInput,
    action: RecommendedAction | None = None,
    template: str = "",
) -> Commitment:
    if not participant.can_commit:
        raise TransitionError(
            f"role: commitments are for Champions and Accelerators, got {participant.role!r}"
        )
    if participant.status == Participant.Status.DECLINED:
        raise TransitionError("status: a declined sign-on cannot record commitments")
    if action is not None and action.priority_area_id != priority_area.pk:
        raise ValueError(f"action: expected an action of {priority_area.slug!r}, got {action}")
    _check_metric(metric)
    commitment = Commitment.objects.create(
        participant=participant,
        priority_area=priority_area,
        action=action,
        title=title,
        goal_statement=goal_statement,
        template=template,
    )
    Metric.objects.create(commitment=commitment, **metric.__dict__)
    audit(
        "campaign.commitment.create",
        actor=actor,
        target=commitment,
        organization=participant.organization,
    )
    return commitment


@transaction.atomic
def add_metric(commitment: Commitment, *, actor: User, metric: MetricInput) -> Metric:
    _check_metric(metric)
    row = Metric.objects.create(commitment=commitment, **metric.__dict__)
    audit(
        "campaign.metric.create",
        actor=actor,
        target=row,
        organization=commitment.participant.organization,
    )
    return row


@transaction.atomic
def set_commitment_status(commitment: Commitment, *, status: str, actor: User) -> Commitment:
    if status not in Commitment.Status.values:
        raise ValueError(f"status: expected one of {Commitment.Status.values}, got {status!r}")
    allowed = COMMITMENT_TRANSITIONS[commitment.status]
    if status not in allowed:
        raise TransitionError(
            f"status: a {commitment.get_status_display().lower()} commitment can become "
            f"{', '.join(allowed) or 'nothing else'}, got {status!r}"
        )
    previous = commitment.status
    commitment.status = status
    commitment.save(update_fields=["status", "updated_at"])
    audit(
        "campaign.commitment.status",
        actor=actor,
        target=commitment,
        organization=commitment.participant.organization,
        commitment=commitment.pk,  # the target is its title: titles repeat
        from_status=previous,
        to_status=status,
    )
    return commitment
