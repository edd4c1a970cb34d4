"""The one write path for the campaign: each action is atomic and leaves an audit row."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from wellbeing.accounts import actions as accounts_actions
from wellbeing.accounts.models import Membership, Organization, User
from wellbeing.campaign.models import (
    COMMITMENT_TRANSITIONS,
    ROLE_RANK,
    Commitment,
    Metric,
    MetricValue,
    Participant,
    ProgressReport,
    ReminderSent,
    Role,
    RoleChange,
    SupportMessage,
    SupportRequest,
)
from wellbeing.campaign.periods import REMINDER_DAYS, REPORT_GRACE_DAYS, due_date, quarter_end
from wellbeing.campaign.tasks import send_campaign_email
from wellbeing.core.models import audit
from wellbeing.plan.models import PriorityArea, RecommendedAction

if TYPE_CHECKING:
    from wellbeing.surveys.models import Wave

CONFIRM_SALT = "campaign.confirm-email"
CONFIRM_MAX_AGE = 14 * 24 * 3600  # a confirmation link works for two weeks

INDIVIDUAL_AUTHORITY = "I sign on to the Change Maker campaign as an individual."


class TransitionError(ValueError):
    """A state change that the current state does not allow."""


@dataclass(frozen=True)
class NewOrganization:
    name: str
    kind: str
    state: str
    website: str = ""


@transaction.atomic
def sign_on(
    *,
    user: User | None,
    signer_name: str,
    role: str,
    priority_areas: Iterable[PriorityArea],
    is_public: bool,
    email: str = "",
    password: str = "",
    organization: Organization | None = None,
    new_organization: NewOrganization | None = None,
    signer_title: str = "",
    authority_statement: str = INDIVIDUAL_AUTHORITY,
    individual_state: str = "",
    confirm_url_base: str = "",
    is_synthetic: bool = False,
    notify: bool = True,
) -> Participant:
    """Record a pending sign-on and send the signer a link to confirm their email address.

    ``user`` is None for a visitor: the account is created from ``email``/``password``.
    An institution is an ``organization`` the user administers, or a ``new_organization``
    that the signer then administers.
    """
    if role not in Role.values:
        raise ValueError(f"role: expected one of {Role.values}, got {role!r}")
    if organization is not None and new_organization is not None:
        raise ValueError("organization: expected an existing or a new organization, got both")
    if user is None:
        user = User.objects.create_user(email, password, display_name=signer_name)
        audit("user.create", actor=user, target=f"user #{user.pk}")
    if (
        organization is not None
        and not Membership.objects.filter(
            user=user, organization=organization, role=Membership.Role.ORG_ADMIN
        ).exists()
    ):
        raise PermissionError("organization: the signer is not an admin of it")
    if new_organization is not None:
        organization = accounts_actions.create_organization(
            name=new_organization.name,
            kind=new_organization.kind,
            state=new_organization.state,
            website=new_organization.website,
            actor=user,
        )
        accounts_actions.add_member(
            organization=organization, user=user, role=Membership.Role.ORG_ADMIN, actor=user
        )
    participant = Participant.objects.create(
        organization=organization,
        user=user,
        display_name=organization.name if organization else signer_name,
        individual_state="" if organization else individual_state,
        role=role,
        signer_name=signer_name,
        signer_title=signer_title,
        authority_statement=authority_statement,
        is_public=is_public,
        is_synthetic=is_synthetic,
    )
    participant.priority_areas.set(priority_areas)
    RoleChange.objects.create(participant=participant, to_role=role, actor=user)
    audit("campaign.sign_on", actor=user, target=participant, organization=organization, role=role)
    if notify:
        transaction.on_commit(lambda: _send_confirmation(participant, confirm_url_base))
    return participant


def confirmation_token(participant: Participant) -> str:
    return signing.dumps({"p": participant.pk, "u": participant.user_id}, salt=CONFIRM_SALT)


def _send_confirmation(participant: Participant, url_base: str) -> None:
    path = reverse("campaign:confirm", args=[confirmation_token(participant)])
    send_campaign_email.enqueue(
        subject="Confirm your Change Maker sign-on",
        body=(
            f"Thank you for signing on {participant.display_name} as a Change Maker "
            f"{participant.get_role_display()}.\n\n"
            f"Confirm your email address by opening this link:\n{url_base}{path}\n\n"
            "Campaign staff review every sign-on; we will write again once it is reviewed.\n"
        ),
        to=[participant.user.email],
    )


@transaction.atomic
def confirm_email(token: str) -> Participant:
    """Mark the sign-on's email as confirmed; raises ``signing.BadSignature`` for a bad link."""
    data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    participant = Participant.objects.select_for_update().get(pk=data["p"], user_id=data["u"])
    if participant.email_confirmed_at is None:
        participant.email_confirmed_at = timezone.now()
        participant.save(update_fields=["email_confirmed_at"])
        audit(
            "campaign.confirm_email",
            actor=participant.user,
            target=participant,
            organization=participant.organization,
        )
    return participant


def _review(participant: Participant, actor: User, status: str, reason: str = "") -> Participant:
    if participant.status != Participant.Status.PENDING:
        raise TransitionError(
            f"status: expected a pending sign-on, got {participant.get_status_display()!r}"
        )
    participant.status = status
    participant.decline_reason = reason
    participant.reviewed_at = timezone.now()
    participant.reviewed_by = actor
    participant.save(update_fields=["status", "decline_reason", "reviewed_at", "reviewed_by"])
    return participant


def _locked(participant: Participant) -> Participant:
    """The row re-read under a lock: two staff reviewing at once cannot both win."""
    return (
        Participant.objects.select_for_update()
        .select_related("organization", "user")
        .get(pk=participant.pk)
    )


@transaction.atomic
def approve(participant: Participant, *, actor: User, notify: bool = True) -> Participant:
    participant = _locked(participant)
    if participant.email_confirmed_at is None:
        raise TransitionError("email: the signer has not confirmed their email address yet")
    _review(participant, actor, Participant.Status.APPROVED)
    audit(
        "campaign.approve", actor=actor, target=participant, organization=participant.organization
    )
    if notify:
        _notify_on_commit(
            participant,
            "Your Change Maker sign-on is approved",
            f"{participant.display_name} is now a Change Maker {participant.get_role_display()}.",
        )
    return participant


@transaction.atomic
def decline(
    participant: Participant, *, actor: User, reason: str, notify: bool = True
) -> Participant:
    reason = reason.strip()
    if not reason:
        raise ValueError("reason: expected the reason for declining, got an empty value")
    participant = _locked(participant)
    _review(participant, actor, Participant.Status.DECLINED, reason)
    audit(
        "campaign.decline", actor=actor, target=participant, organization=participant.organization
    )
    if notify:
        _notify_on_commit(
            participant,
            "Your Change Maker sign-on was not approved",
            f"Campaign staff could not approve the sign-on of {participant.display_name}:\n\n{reason}",
        )
    return participant


def _notify_on_commit(participant: Participant, subject: str, body: str) -> None:
    _mail_on_commit(subject, body, participant.user.email)


def _mail_on_commit(subject: str, body: str, email: str) -> None:
    """Enqueue the mail once the transaction commits: a rolled-back write sends nothing."""
    transaction.on_commit(
        lambda: send_campaign_email.enqueue(subject=subject, body=body, to=[email])
    )


@transaction.atomic
def change_role(participant: Participant, *, role: str, actor: User) -> RoleChange:
    """Move a participant up the ladder; the previous role stays in the history."""
    if role not in Role.values:
        raise ValueError(f"role: expected one of {Role.values}, got {role!r}")
    current = Role(participant.role)
    if ROLE_RANK[Role(role)] <= ROLE_RANK[current]:
        raise TransitionError(f"role: expected a role above {current.label}, got {role!r}")
    change = RoleChange.objects.create(
        participant=participant, from_role=current, to_role=role, actor=actor
    )
    participant.role = role
    participant.save(update_fields=["role"])
    audit(
        "campaign.change_role",
        actor=actor,
        target=participant,
        organization=participant.organization,
        from_role=current.value,
        to_role=role,
    )
    return change


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
        from_status=previous,
        to_status=status,
    )
    return commitment


# --- progress ------------------------------------------------------------------------------


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

    Only the organization-wide figure of the confidential report is used, so a value
    exists only where the report itself shows one (its group passes the minimum size).
    A wave already recorded for a metric is skipped: running this twice changes nothing.
    """
    from wellbeing.surveys.models import Wave
    from wellbeing.surveys.reports.build import build_report

    if not isinstance(wave, Wave):
        raise TypeError(f"wave: expected a Wave, got {type(wave).__name__}")
    metrics = list(
        Metric.objects.filter(survey_id=wave.survey_id)
        .exclude(values__wave=wave)
        .select_related("commitment__participant")
        .select_for_update()
    )
    if not metrics:
        return []
    report = build_report(wave)
    scales = {scale.key: scale for scale in report.scales}
    recorded = []
    for metric in metrics:
        scale = scales.get(metric.survey_scale)
        figure = scale.overall if scale else None
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
            _mail_on_commit(subject, body, email)
            audit(
                "campaign.progress.reminder",
                target=commitment,
                organization=commitment.participant.organization,
                period_end=str(period),
            )
        sent += 1
    return sent


# --- technical support ---------------------------------------------------------------------


@transaction.atomic
def request_support(
    participant: Participant,
    *,
    actor: User,
    topic: str,
    description: str,
    priority_area: PriorityArea | None = None,
) -> SupportRequest:
    if participant.role != Role.ACCELERATOR or participant.status != Participant.Status.APPROVED:
        raise TransitionError("role: technical support is for approved Accelerators")
    request = SupportRequest.objects.create(
        participant=participant, topic=topic, priority_area=priority_area
    )
    SupportMessage.objects.create(request=request, author=actor, body=description)
    audit(
        "campaign.support.create",
        actor=actor,
        target=request,
        organization=participant.organization,
    )
    return request


@transaction.atomic
def assign_support(request: SupportRequest, *, actor: User, assignee: User) -> SupportRequest:
    if not assignee.is_staff:
        raise ValueError(f"assignee: expected a staff member, got {assignee}")
    if request.status == SupportRequest.Status.CLOSED:
        raise TransitionError("status: a closed request cannot be assigned")
    request.assigned_to = assignee
    request.status = SupportRequest.Status.IN_PROGRESS
    request.save(update_fields=["assigned_to", "status"])
    audit(
        "campaign.support.assign",
        actor=actor,
        target=request,
        organization=request.participant.organization,
        assignee=assignee.pk,
    )
    return request


@transaction.atomic
def reply_support(
    request: SupportRequest, *, actor: User, body: str, from_staff: bool
) -> SupportMessage:
    """Add to the thread; a staff reply to an open request takes it in progress."""
    if request.status == SupportRequest.Status.CLOSED:
        raise TransitionError("status: a closed request takes no more replies")
    message = SupportMessage.objects.create(
        request=request, author=actor, body=body, from_staff=from_staff
    )
    if from_staff and request.status == SupportRequest.Status.OPEN:
        request.status = SupportRequest.Status.IN_PROGRESS
        request.save(update_fields=["status"])
    if from_staff:
        _mail_on_commit(
            f"Reply to your support request: {request.topic}",
            f'Campaign staff replied to "{request.topic}":\n\n{body}\n',
            request.participant.user.email,
        )
    audit(
        "campaign.support.reply",
        actor=actor,
        target=request,
        organization=request.participant.organization,
    )
    return message


@transaction.atomic
def close_support(request: SupportRequest, *, actor: User) -> SupportRequest:
    if request.status == SupportRequest.Status.CLOSED:
        raise TransitionError("status: the request is already closed")
    request.status = SupportRequest.Status.CLOSED
    request.closed_at = timezone.now()
    request.save(update_fields=["status", "closed_at"])
    audit(
        "campaign.support.close",
        actor=actor,
        target=request,
        organization=request.participant.organization,
    )
    return request
