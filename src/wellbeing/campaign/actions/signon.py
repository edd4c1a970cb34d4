"""Signing on: the sign-on itself, email confirmation, staff review and role changes.

A visitor's sign-on (``sign_on_visitor``) is answered alike whether or not the
address already has an account, so the form cannot tell anyone who has one;
what differs is the mail, which only the address's owner reads. The
confirmation link names the sign-on and its user, never the address, and
confirms only when its page's button is pressed (``participant_to_confirm``
is what the page reads).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from wellbeing.accounts import actions as accounts_actions
from wellbeing.accounts.models import Membership, Organization, User, normalize_email
from wellbeing.campaign.actions import notify
from wellbeing.campaign.actions._common import TransitionError, mail_on_commit, notify_on_commit
from wellbeing.campaign.models import (
    ROLE_RANK,
    Participant,
    Role,
    RoleChange,
)
from wellbeing.campaign.tasks import send_campaign_email
from wellbeing.core.models import audit
from wellbeing.plan.models import PriorityArea

CONFIRM_SALT = "campaign.confirm-email"
CONFIRM_MAX_AGE = 14 * 24 * 3600  # a confirmation link works for two weeks

INDIVIDUAL_AUTHORITY = "I sign on to the Change Maker campaign as an individual."


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
        # The mail goes out after the commit, in the language the signer used for the form.
        language = translation.get_language()
        transaction.on_commit(lambda: _send_confirmation(participant, confirm_url_base, language))
    return participant


@transaction.atomic
def sign_on_visitor(
    *, email: str, password: str, confirm_url_base: str = "", **details: Any
) -> Participant | None:
    """A sign-on from someone not signed in; the caller shows the same page whatever happens.

    A new address gets its account, the pending sign-on and the confirmation
    mail (``sign_on``). An address that already has an account gets a mail
    asking its owner to sign in and sign on from there, and nothing is
    recorded: returns None. The password is hashed either way, so the time
    taken does not tell the two apart either.
    """
    email = normalize_email(email)
    existing = User.objects.filter(email=email).first()
    if existing is None:
        try:
            with transaction.atomic():
                return sign_on(
                    user=None,
                    email=email,
                    password=password,
                    confirm_url_base=confirm_url_base,
                    **details,
                )
        except IntegrityError:
            existing = User.objects.filter(email=email).first()  # created meanwhile
            if existing is None:
                raise
    make_password(password)
    mail_on_commit(*_sign_in_first_email(confirm_url_base), existing.email)
    return None


def _sign_in_first_email(url_base: str) -> tuple[str, str]:
    """The mail to an address that already has an account, in the visitor's language."""
    sign_in = f"{url_base}{reverse('accounts:login')}?next={reverse('campaign:join')}"
    reset = f"{url_base}{reverse('accounts:password_reset')}"
    body = gettext(
        "Someone, probably you, tried to sign on to the Change Maker campaign with this email "
        "address. It already has an account, so nothing was recorded.\n\n"
        "Sign in with your account, then sign on from there:\n%(sign_in)s\n\n"
        "Forgotten your password? Choose a new one at %(reset)s\n"
        "If this was not you, ignore this message: your account is unchanged.\n"
    ) % {"sign_in": sign_in, "reset": reset}
    return gettext("You already have an account: sign in, then sign on"), body


def confirmation_token(participant: Participant) -> str:
    # Names the sign-on and its user, never the address: URLs end up in logs and histories.
    return signing.dumps({"p": participant.pk, "u": participant.user_id}, salt=CONFIRM_SALT)


def _send_confirmation(participant: Participant, url_base: str, language: str) -> None:
    path = reverse("campaign:confirm", args=[confirmation_token(participant)])
    with translation.override(language):
        subject = gettext("Confirm your Change Maker sign-on")
        body = gettext(
            "Thank you for signing on %(name)s as a Change Maker %(role)s.\n\n"
            "Confirm your email address: open this link, then select the button on the page:\n"
            "%(confirm)s\n\n"
            "Campaign staff review every sign-on; we will write again once it is reviewed.\n"
            "Sign in with this address and your password to follow your sign-on:\n"
            "%(mine)s\n"
        ) % {
            "name": participant.display_name,
            "role": participant.get_role_display(),
            "confirm": f"{url_base}{path}",
            "mine": f"{url_base}{reverse('campaign:mine')}",
        }
    send_campaign_email.enqueue(subject=subject, body=body, to=[participant.user.email])


def _confirmation(token: str) -> tuple[int, int]:
    """The (participant, user) ids a link names; raises ``signing.BadSignature``."""
    data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    pk, user_id = (data.get("p"), data.get("u")) if isinstance(data, dict) else (None, None)
    if not isinstance(pk, int) or not isinstance(user_id, int):
        raise signing.BadSignature("the link names no sign-on")
    return pk, user_id


def participant_to_confirm(token: str) -> Participant:
    """The sign-on a link would confirm, changing nothing (the page's GET).

    Raises ``signing.BadSignature`` for a bad or expired link and
    ``Participant.DoesNotExist`` for one naming no sign-on.
    """
    pk, user_id = _confirmation(token)
    return Participant.objects.select_related("organization").get(pk=pk, user_id=user_id)


@transaction.atomic
def confirm_email(token: str) -> Participant:
    """Mark the sign-on's email as confirmed; raises ``signing.BadSignature`` for a bad link."""
    pk, user_id = _confirmation(token)
    participant = Participant.objects.select_for_update().get(pk=pk, user_id=user_id)
    if participant.email_confirmed_at is None:
        participant.email_confirmed_at = timezone.now()
        participant.save(update_fields=["email_confirmed_at"])
        audit(
            "campaign.confirm_email",
            actor=participant.user,
            target=participant,
            organization=participant.organization,
        )
        if participant.status == Participant.Status.PENDING:
            notify.sign_on_awaits_review(participant)  # it enters the review queue now
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
        # Lock the participant's row only: PostgreSQL cannot lock the nullable side of the
        # outer joins that select_related makes (an individual has no organization).
        Participant.objects.select_for_update(of=("self",))
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
        notify_on_commit(
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
        notify_on_commit(
            participant,
            "Your Change Maker sign-on was not approved",
            f"Campaign staff could not approve the sign-on of {participant.display_name}:\n\n{reason}",
        )
    return participant


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


@transaction.atomic
def update_listing(
    participant: Participant,
    *,
    actor: User,
    is_public: bool,
    priority_areas: Iterable[PriorityArea],
) -> Participant:
    """Change the directory choice and the priority areas of interest after signing on."""
    areas = list(priority_areas)
    if not areas:
        raise ValueError("priority_areas: expected at least one priority area, got none")
    participant.is_public = is_public
    participant.save(update_fields=["is_public"])
    participant.priority_areas.set(areas)
    audit(
        "campaign.listing",
        actor=actor,
        target=participant,
        organization=participant.organization,
        is_public=is_public,
        priority_areas=sorted(a.number for a in areas),
    )
    return participant
