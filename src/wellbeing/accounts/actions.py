"""The one write path for accounts: each action is atomic and leaves an audit row."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from wellbeing.accounts.models import (
    Membership,
    MembershipInvite,
    Organization,
    Unit,
    User,
    hash_token,
    normalize_email,
)
from wellbeing.core.models import audit

_PATH_WIDTH = 8  # ids up to 99,999,999 per materialized-path segment


@transaction.atomic
def create_organization(
    *, name: str, kind: str, actor: User | None = None, slug: str = "", **fields: object
) -> Organization:
    if kind not in Organization.Kind.values:
        raise ValueError(f"kind: expected one of {Organization.Kind.values}, got {kind!r}")
    org = Organization.objects.create(name=name, kind=kind, slug=slug or _free_slug(name), **fields)
    audit("organization.create", actor=actor, target=org, organization=org)
    return org


def _free_slug(name: str) -> str:
    base = slugify(name)[:70] or "organization"
    slug, n = base, 1
    while Organization.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def add_unit(
    *, organization: Organization, name: str, parent: Unit | None = None, actor: User | None = None
) -> Unit:
    if parent is not None and parent.organization_id != organization.pk:
        raise ValueError(
            f"parent: expected a unit of {organization.slug!r}, got one of organization id {parent.organization_id}"
        )
    unit = Unit.objects.create(organization=organization, parent=parent, name=name)
    prefix = parent.path if parent else ""
    unit.path = f"{prefix}{unit.pk:0{_PATH_WIDTH}d}/"
    unit.depth = parent.depth + 1 if parent else 0
    unit.save(update_fields=["path", "depth"])
    audit("unit.create", actor=actor, target=unit, organization=organization)
    return unit


@transaction.atomic
def add_member(
    *,
    organization: Organization,
    user: User,
    role: str = Membership.Role.MEMBER,
    unit: Unit | None = None,
    actor: User | None = None,
) -> Membership:
    if role not in Membership.Role.values:
        raise ValueError(f"role: expected one of {Membership.Role.values}, got {role!r}")
    if role == Membership.Role.UNIT_LEAD and unit is None:
        raise ValueError("unit: a unit lead needs the unit they lead, got None")
    if unit is not None and unit.organization_id != organization.pk:
        raise ValueError(f"unit: expected a unit of {organization.slug!r}, got {unit}")
    membership, _ = Membership.objects.update_or_create(
        user=user, organization=organization, defaults={"role": role, "unit": unit}
    )
    audit("membership.set", actor=actor, target=membership, organization=organization, role=role)
    return membership


# --- The unit tree: rename, move, retire, restore -------------------------------------------

_MAX_DEPTH = 700 // (_PATH_WIDTH + 1)  # Unit.path holds this many segments


class UnitError(ValueError):
    """A change to the unit tree that is refused; the message is for the admin who asked."""


def _sibling_clash(organization: Organization, parent: Unit | None, name: str, *, but: int = 0):
    """The unit named ``name`` (ignoring case) under ``parent``, other than unit ``but``."""
    siblings = Unit.objects.filter(organization=organization, parent=parent).exclude(pk=but)
    wanted = name.casefold()
    return next((u for u in siblings if u.name.casefold() == wanted), None)


def _check_name(organization: Organization, parent: Unit | None, name: str, *, but: int = 0) -> str:
    name = " ".join(name.split())
    if not name:
        raise UnitError("Give the unit a name.")
    if len(name) > Unit._meta.get_field("name").max_length:  # type: ignore[operator]
        raise UnitError("A unit's name is at most 200 characters.")
    clash = _sibling_clash(organization, parent, name, but=but)
    if clash is not None:
        where = f"under “{parent.name}”" if parent else "at the top level"
        retired = " (a retired unit: restore it instead)" if clash.is_retired else ""
        raise UnitError(f"A unit named “{clash.name}” already exists {where}{retired}.")
    return name


def _fresh(unit: Unit | None) -> Unit | None:
    """``unit`` as the database has it now, locked: a page's copy may be out of date."""
    return None if unit is None else Unit.objects.select_for_update().get(pk=unit.pk)


def _check_parent(organization: Organization, parent: Unit | None) -> None:
    if parent is None:
        return
    if parent.organization_id != organization.pk:
        raise ValueError(
            f"parent: expected a unit of {organization.slug!r}, got one of organization id {parent.organization_id}"
        )
    if parent.is_retired:
        raise UnitError(f"“{parent.name}” is retired: restore it before placing units under it.")
    if parent.depth + 1 >= _MAX_DEPTH:
        raise UnitError(f"The unit tree is at most {_MAX_DEPTH} levels deep.")


@transaction.atomic
def create_unit(
    *, organization: Organization, name: str, parent: Unit | None = None, actor: User | None = None
) -> Unit:
    """``add_unit`` for people: the name tidied and checked against its siblings (``UnitError``)."""
    parent = _fresh(parent)
    _check_parent(organization, parent)
    name = _check_name(organization, parent, name)
    return add_unit(organization=organization, name=name, parent=parent, actor=actor)


@transaction.atomic
def rename_unit(*, unit: Unit, name: str, actor: User | None = None) -> Unit:
    old = unit.name
    unit.name = _check_name(unit.organization, unit.parent, name, but=unit.pk)
    if unit.name != old:
        unit.save(update_fields=["name"])
        audit("unit.rename", actor=actor, target=unit, organization=unit.organization, old_name=old)
    return unit


@transaction.atomic
def move_unit(*, unit: Unit, parent: Unit | None, actor: User | None = None) -> Unit:
    """Put ``unit`` and its whole subtree under ``parent`` (``None``: the top level).

    Every path and depth of the subtree is rewritten in the same transaction, so the
    subtree is one ``startswith`` query before and after, never half moved."""
    org = unit.organization
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    parent = _fresh(parent)
    if parent is not None and parent.path.startswith(unit.path):
        raise UnitError("A unit cannot move under itself or one of its own units.")
    _check_parent(org, parent)
    if (parent.pk if parent else None) == unit.parent_id:
        return unit
    _check_name(org, parent, unit.name, but=unit.pk)
    old_path, old_parent = unit.path, unit.parent
    new_path = f"{parent.path if parent else ''}{unit.pk:0{_PATH_WIDTH}d}/"
    shift = (parent.depth + 1 if parent else 0) - unit.depth
    subtree = list(unit.subtree().select_for_update())
    if max(u.depth for u in subtree) + shift >= _MAX_DEPTH:
        raise UnitError(f"The unit tree is at most {_MAX_DEPTH} levels deep.")
    for member in subtree:
        member.path = new_path + member.path[len(old_path) :]
        member.depth += shift
    Unit.objects.bulk_update(subtree, ["path", "depth"])
    Unit.objects.filter(pk=unit.pk).update(parent=parent)
    unit.refresh_from_db()
    audit(
        "unit.move",
        actor=actor,
        target=unit,
        organization=org,
        old_parent=old_parent.name if old_parent else "",
        new_parent=parent.name if parent else "",
        units_moved=len(subtree),
    )
    return unit


@transaction.atomic
def retire_unit(*, unit: Unit, actor: User | None = None) -> int:
    """Retire ``unit`` and every unit under it that is not retired yet; return how many.

    Nothing is deleted: past waves, releases and reports keep the units. They are offered
    in no picker and asked in no survey until restored."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if unit.is_retired:
        return 0
    now = timezone.now()
    count = unit.subtree().filter(retired_at__isnull=True).update(retired_at=now)
    audit("unit.retire", actor=actor, target=unit, organization=unit.organization, units=count)
    return count


@transaction.atomic
def restore_unit(*, unit: Unit, actor: User | None = None) -> int:
    """Restore ``unit`` and the units under it that were retired with it; return how many."""
    unit = Unit.objects.select_for_update(of=("self",)).select_related("parent").get(pk=unit.pk)
    if not unit.is_retired:
        return 0
    if unit.parent is not None and unit.parent.is_retired:
        raise UnitError(f"Restore “{unit.parent.name}” first: “{unit.name}” is under it.")
    count = unit.subtree().filter(retired_at=unit.retired_at).update(retired_at=None)
    audit("unit.restore", actor=actor, target=unit, organization=unit.organization, units=count)
    return count


@transaction.atomic
def import_units(
    *, organization: Organization, paths: list[tuple[str, ...]], actor: User | None = None
) -> int:
    """Create every unit of ``paths`` (names from the top) that does not exist; return how many.

    Names match existing units ignoring case and repeated spaces, so the same paths
    imported twice create nothing the second time. All or nothing: a refused path (a
    retired unit on the way, a name too long) leaves the tree as it was."""
    Organization.objects.select_for_update().filter(pk=organization.pk).first()  # one at a time
    children: dict[tuple[int | None, str], Unit] = {
        (u.parent_id, _name_key(u.name)): u for u in Unit.objects.filter(organization=organization)
    }
    created = 0
    for path in sorted(paths, key=len):
        parent: Unit | None = None
        for name in path:
            unit = children.get((parent.pk if parent else None, _name_key(name)))
            if unit is None:
                unit = create_unit(organization=organization, name=name, parent=parent, actor=actor)
                children[(parent.pk if parent else None, _name_key(unit.name))] = unit
                created += 1
            elif unit.is_retired:
                raise UnitError(f"“{unit.name}” is a retired unit: restore it first.")
            parent = unit
    audit(
        "unit.import", actor=actor, target=organization, organization=organization, created=created
    )
    return created


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


# --- Members and invitations -----------------------------------------------------------------

INVITE_DAYS = 14
_RANK = {Membership.Role.MEMBER: 0, Membership.Role.UNIT_LEAD: 1, Membership.Role.ORG_ADMIN: 2}


class MemberError(ValueError):
    """A change to an organization's members that is refused; the message is for a person."""


def _check_role(organization: Organization, role: str, unit: Unit | None) -> Unit | None:
    if role not in Membership.Role.values:
        raise ValueError(f"role: expected one of {Membership.Role.values}, got {role!r}")
    if role != Membership.Role.UNIT_LEAD:
        return None  # only a lead's unit means anything (the subtree they read)
    if unit is None:
        raise MemberError("Choose the unit this unit lead leads.")
    if unit.organization_id != organization.pk:
        raise ValueError(f"unit: expected a unit of {organization.slug!r}, got {unit}")
    return unit


def _keep_an_admin(membership: Membership, new_role: str | None) -> None:
    """Refuse to leave the organization without an admin (``new_role`` None: removal)."""
    if membership.role != Membership.Role.ORG_ADMIN or new_role == Membership.Role.ORG_ADMIN:
        return
    admins = Membership.objects.select_for_update().filter(
        organization_id=membership.organization_id, role=Membership.Role.ORG_ADMIN
    )
    if not admins.exclude(pk=membership.pk).exists():
        raise MemberError(
            "This is the organization's last admin. Make another member an admin first."
        )


@transaction.atomic
def change_member(
    *, membership: Membership, role: str, unit: Unit | None = None, actor: User | None = None
) -> Membership:
    unit = _check_role(membership.organization, role, unit)
    _keep_an_admin(membership, role)
    old_role, old_unit = membership.role, membership.unit
    membership.role, membership.unit = role, unit
    membership.save(update_fields=["role", "unit"])
    audit(
        "membership.change",
        actor=actor,
        target=membership.user.email,
        organization=membership.organization,
        old_role=old_role,
        role=role,
        old_unit=old_unit.name if old_unit else "",
        unit=unit.name if unit else "",
    )
    return membership


@transaction.atomic
def remove_member(*, membership: Membership, actor: User | None = None) -> None:
    _keep_an_admin(membership, None)
    audit(
        "membership.remove",
        actor=actor,
        target=membership.user.email,
        organization=membership.organization,
        role=membership.role,
    )
    membership.delete()


@dataclass(frozen=True)
class SentInvite:
    invite: MembershipInvite
    token: str  # in the mail only; never stored


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def _mail_invite(invite: MembershipInvite, token: str) -> None:
    """Send the invitation once the transaction commits (a rolled-back invite sends nothing).

    Sent directly rather than through the task queue: a queued task stores its
    arguments, and the link holds the plain token, which must live in the mail alone.
    ``robust``: a mail server that is down costs the admin a "resend", not a 500."""
    from django.urls import reverse

    url = str(settings.SITE_URL).rstrip("/") + reverse("accounts:invite_accept", args=[token])
    inviter = invite.invited_by.email if invite.invited_by else "An administrator"
    subject = f"Invitation to join {invite.organization.name} on {settings.SITE_NAME}"
    body = (
        f"{inviter} invited you to join {invite.organization.name} on {settings.SITE_NAME}"
        f" as {invite.get_role_display().lower()}"
        f"{' of ' + invite.unit.name if invite.unit else ''}.\n\n"
        f"To accept, open this link before {invite.expires_at:%B %d, %Y}:\n{url}\n\n"
        "If you did not expect this invitation, ignore this message: nothing happens"
        " until the link is opened and accepted.\n"
    )
    to = [invite.email]
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to), robust=True
    )


@transaction.atomic
def invite_member(
    *,
    organization: Organization,
    email: str,
    role: str = Membership.Role.MEMBER,
    unit: Unit | None = None,
    actor: User | None = None,
) -> SentInvite:
    """Invite ``email`` with ``role``; the mail holds the one copy of the accept link's token."""
    email = normalize_email(email)
    unit = _check_role(organization, role, unit)
    if Membership.objects.filter(organization=organization, user__email=email).exists():
        raise MemberError(f"{email} is already a member: change their role in the list instead.")
    pending = MembershipInvite.objects.filter(
        organization=organization,
        email=email,
        accepted_at__isnull=True,
        cancelled_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    if pending.exists():
        raise MemberError(f"{email} already has a pending invitation: resend it instead.")
    token, hashed = _new_token()
    invite = MembershipInvite.objects.create(
        organization=organization,
        email=email,
        role=role,
        unit=unit,
        token_hash=hashed,
        invited_by=actor if actor is not None and actor.is_authenticated else None,
        expires_at=timezone.now() + timedelta(days=INVITE_DAYS),
    )
    audit("invite.create", actor=actor, target=email, organization=organization, role=role)
    _mail_invite(invite, token)
    return SentInvite(invite, token)


def _check_pending(invite: MembershipInvite) -> None:
    if not invite.is_pending:
        raise MemberError("This invitation was already used or cancelled.")


@transaction.atomic
def resend_invite(*, invite: MembershipInvite, actor: User | None = None) -> SentInvite:
    """A new token and a new 14 days; the link sent before stops working."""
    _check_pending(invite)
    token, invite.token_hash = _new_token()
    invite.expires_at = timezone.now() + timedelta(days=INVITE_DAYS)
    invite.save(update_fields=["token_hash", "expires_at"])
    audit("invite.resend", actor=actor, target=invite.email, organization=invite.organization)
    _mail_invite(invite, token)
    return SentInvite(invite, token)


@transaction.atomic
def cancel_invite(*, invite: MembershipInvite, actor: User | None = None) -> None:
    _check_pending(invite)
    invite.cancelled_at = timezone.now()
    invite.save(update_fields=["cancelled_at"])
    audit("invite.cancel", actor=actor, target=invite.email, organization=invite.organization)


def _claim(invite: MembershipInvite) -> MembershipInvite:
    """The invite, locked, if it can still be accepted (else ``MemberError``)."""
    invite = MembershipInvite.objects.select_for_update().get(pk=invite.pk)
    _check_pending(invite)
    if invite.expires_at <= timezone.now():
        raise MemberError("This invitation has expired.")
    return invite


@transaction.atomic
def accept_invite(*, invite: MembershipInvite, user: User) -> Membership:
    """``user`` (the invited address) joins; a role they already hold above it is kept."""
    invite = _claim(invite)
    if normalize_email(user.email) != invite.email:
        raise MemberError("This invitation was sent to another email address.")
    current = Membership.objects.filter(user=user, organization=invite.organization).first()
    if (
        current is not None
        and _RANK[Membership.Role(current.role)] >= _RANK[Membership.Role(invite.role)]
    ):
        membership = current
    else:
        membership = add_member(
            organization=invite.organization,
            user=user,
            role=invite.role,
            unit=invite.unit,
            actor=user,
        )
    invite.accepted_at = timezone.now()
    invite.save(update_fields=["accepted_at"])
    audit("invite.accept", actor=user, target=invite.email, organization=invite.organization)
    return membership


@transaction.atomic
def create_account_from_invite(
    *, invite: MembershipInvite, display_name: str, password: str
) -> User:
    """A new account for the invited address (the link proves the mailbox), then accept."""
    invite = _claim(invite)
    if User.objects.filter(email=invite.email).exists():
        raise MemberError("An account with this email address exists: sign in to accept.")
    user = User.objects.create_user(invite.email, password, display_name=display_name.strip())
    audit("user.create", actor=user, target=user.email, organization=invite.organization)
    accept_invite(invite=invite, user=user)
    return user
