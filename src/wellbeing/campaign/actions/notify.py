"""Mail to campaign staff: sign-ons awaiting review, support requests and participants' replies.

Each staff member chooses what they receive (``StaffNotificationPreference``; no
row means both kinds); the addresses of the ``STAFF_NOTIFICATION_EMAILS`` setting
(a shared inbox) receive everything. Every address gets its own message, so no
recipient sees another's address, and nothing is enqueued until the transaction
commits.

What a message holds: the participant's name, the request's topic and a link to
the staff page, never the text a participant wrote nor any survey figure. Mail
leaves the platform's access control, audit and retention (it sits in inboxes,
is forwarded, and a shared inbox may be read by people who are not staff), and a
participant may describe their workforce in a support message; the link keeps
that text behind staff sign-in.
"""

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from wellbeing.accounts.models import User
from wellbeing.campaign.models import (
    Participant,
    StaffNotificationPreference,
    SupportRequest,
)
from wellbeing.campaign.tasks import send_campaign_email
from wellbeing.core.models import audit

SIGN_ONS = "sign_ons"
SUPPORT = "support"
KINDS = (SIGN_ONS, SUPPORT)


def staff_recipients(kind: str, *, exclude: int | None = None) -> list[str]:
    """The addresses that receive ``kind``: opted-in active staff and the extra addresses.

    ``exclude``: the id of the user who acted, so nobody is told of their own action.
    """
    if kind not in KINDS:
        raise ValueError(f"kind: expected one of {KINDS}, got {kind!r}")
    opted_out = StaffNotificationPreference.objects.filter(**{kind: False}).values("user_id")
    staff = User.objects.filter(is_staff=True, is_active=True).exclude(pk__in=opted_out)
    if exclude is not None:
        staff = staff.exclude(pk=exclude)
    addresses = [*staff.values_list("email", flat=True), *settings.STAFF_NOTIFICATION_EMAILS]
    unique: dict[str, str] = {}
    for address in (a.strip() for a in addresses):
        if address:
            unique.setdefault(address.lower(), address)  # an account's own spelling first
    return [unique[key] for key in sorted(unique)]


def _notify_staff(kind: str, subject: str, body: str, *, exclude: int | None) -> None:
    for address in staff_recipients(kind, exclude=exclude):

        def send(to: str = address) -> None:
            send_campaign_email.enqueue(subject=subject, body=body, to=[to])

        # robust: a failure to enqueue must not fail the participant's request, which has
        # committed already; Django logs the error (the function's name, not the address).
        transaction.on_commit(send, robust=True)


def _staff_url(name: str, *args: object) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse(name, args=args)}"


def sign_on_awaits_review(participant: Participant) -> None:
    """A signer confirmed their address: the sign-on is in the review queue."""
    if participant.is_synthetic:
        return  # the demo's invented participants mail nobody
    kind = "an individual" if participant.is_individual else "an institution"
    _notify_staff(
        SIGN_ONS,
        f"Change Maker sign-on to review: {participant.display_name}",
        (
            f"{participant.display_name} ({kind}) signed on as a Change Maker "
            f"{participant.get_role_display()} and confirmed their email address. "
            "The sign-on waits for review.\n\n"
            f"The participant: {_staff_url('campaign:staff_participant', participant.pk)}\n"
            f"The review queue: {_staff_url('campaign:review_queue')}\n\n"
            "You receive this as campaign staff; choose what you receive at "
            f"{_staff_url('campaign:staff_notifications')}\n"
        ),
        exclude=participant.user_id,
    )


def support_needs_staff(request: SupportRequest, *, actor: User, new: bool) -> None:
    """A participant opened a support request (``new``) or replied to one."""
    participant = request.participant
    if participant.is_synthetic:
        return
    what = "asked for technical support" if new else "replied to their support request"
    _notify_staff(
        SUPPORT,
        f"{'Support request' if new else 'Support reply'} from {participant.display_name}: "
        f"{request.topic}",
        (
            f'{participant.display_name} {what}: "{request.topic}".\n\n'
            "The message is not copied into this mail; read it and answer on the thread:\n"
            f"{_staff_url('campaign:staff_support_thread', request.pk)}\n\n"
            f"The participant: {_staff_url('campaign:staff_participant', participant.pk)}\n\n"
            "You receive this as campaign staff; choose what you receive at "
            f"{_staff_url('campaign:staff_notifications')}\n"
        ),
        exclude=actor.pk,
    )


def preference_of(user: User) -> StaffNotificationPreference:
    """The staff member's choices; an unsaved default (both on) when they never chose."""
    found = StaffNotificationPreference.objects.filter(user=user).first()
    return found or StaffNotificationPreference(user=user)


@transaction.atomic
def set_staff_notifications(
    user: User, *, sign_ons: bool, support: bool
) -> StaffNotificationPreference:
    if not user.is_staff:
        raise PermissionError("user: notifications are for campaign staff")
    preference, _ = StaffNotificationPreference.objects.update_or_create(
        user=user, defaults={"sign_ons": sign_ons, "support": support}
    )
    audit(
        "campaign.staff_notifications",
        actor=user,
        target=f"user #{user.pk}",
        sign_ons=sign_ons,
        support=support,
    )
    return preference
