"""Technical-support requests and their threads."""

from django.db import transaction
from django.utils import timezone

from wellbeing.accounts.models import User
from wellbeing.campaign.actions import notify
from wellbeing.campaign.actions._common import TransitionError, mail_on_commit
from wellbeing.campaign.models import (
    Participant,
    Role,
    SupportMessage,
    SupportRequest,
)
from wellbeing.core.models import audit
from wellbeing.plan.models import PriorityArea


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
    notify.support_needs_staff(request, actor=actor, new=True)
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
        mail_on_commit(
            f"Reply to your support request: {request.topic}",
            f'Campaign staff replied to "{request.topic}":\n\n{body}\n',
            request.participant.user.email,
        )
    else:
        notify.support_needs_staff(request, actor=actor, new=False)
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
