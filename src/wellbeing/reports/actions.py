"""The reports app's write path for support access: grant and revoke, each audited.

An organization's admin lets one named campaign staff member read its reports for a few
days (``SupportAccess``); ``reports.access`` reads the grants. Only an admin of the
organization by membership grants or revokes: staff cannot grant themselves anything, and
an admin of another organization reaches nothing here.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from wellbeing.accounts.models import Organization, User
from wellbeing.accounts.permissions import is_org_admin
from wellbeing.core.models import audit
from wellbeing.reports.models import SupportAccess

MIN_DAYS = 1
MAX_DAYS = 30
DEFAULT_DAYS = 7


class SupportAccessRefused(ValueError):
    """A grant or revocation that is not allowed; the message says why, for the admin."""


@dataclass(frozen=True)
class Granted:
    grant: SupportAccess
    replaced: SupportAccess | None  # the same person's earlier grant, ended by this one


def _check_admin(actor: User, organization: Organization) -> None:
    if not is_org_admin(actor, organization):
        raise SupportAccessRefused(
            f"actor: expected an admin of {organization.slug!r}, got {actor.email!r}"
        )


def _check_grantee(staff_user: User, days: int) -> None:
    if not (staff_user.is_active and staff_user.is_staff):
        raise SupportAccessRefused(
            f"staff_user: expected an active campaign staff member, got {staff_user.email!r}"
        )
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise SupportAccessRefused(f"days: expected {MIN_DAYS} to {MAX_DAYS}, got {days}")


@transaction.atomic
def grant_support_access(
    *,
    organization: Organization,
    staff_user: User,
    days: int,
    actor: User,
    now: datetime | None = None,
) -> Granted:
    """Let ``staff_user`` read ``organization``'s reports for ``days`` days.

    A person holds one grant per organization at a time: granting again ends the active one
    (recorded as a revocation), so an admin shortens or extends access in one step."""
    _check_admin(actor, organization)
    _check_grantee(staff_user, days)
    now = now or timezone.now()
    current = (
        SupportAccess.objects.select_for_update()
        .filter(organization=organization, staff_user=staff_user, revoked_at__isnull=True)
        .filter(expires_at__gt=now)
        .first()
    )
    if current is not None:
        _end(current, actor=actor, now=now, replaced=True)
    grant = SupportAccess.objects.create(
        organization=organization,
        staff_user=staff_user,
        granted_by=actor,
        granted_at=now,
        expires_at=now + timedelta(days=days),
    )
    audit(
        "support_access.grant",
        actor=actor,
        target=grant,
        organization=organization,
        grant=grant.pk,
        staff=staff_user.email,
        days=days,
        expires_at=grant.expires_at.isoformat(),
    )
    return Granted(grant, current)


@transaction.atomic
def revoke_support_access(
    *, grant: SupportAccess, actor: User, now: datetime | None = None
) -> SupportAccess:
    """End ``grant`` now; revoking an ended grant changes nothing and writes nothing."""
    _check_admin(actor, grant.organization)
    grant = SupportAccess.objects.select_for_update().get(pk=grant.pk)
    now = now or timezone.now()
    if grant.is_active(now):
        _end(grant, actor=actor, now=now, replaced=False)
    return grant


def _end(grant: SupportAccess, *, actor: User, now: datetime, replaced: bool) -> None:
    grant.revoked_at, grant.revoked_by = now, actor
    grant.save(update_fields=["revoked_at", "revoked_by"])
    audit(
        "support_access.revoke",
        actor=actor,
        target=grant,
        organization=grant.organization,
        grant=grant.pk,
        staff=grant.staff_user.email,
        replaced=replaced,
    )
