"""The only door to organization data. Every view goes through these helpers.

An object the user may not see is reported as *not found* (404), never as
*forbidden*: a 403 would confirm to an outsider that the organization or unit
exists.

Campaign staff (``is_staff``) run the movement, not the organizations: being staff opens
no organization's pages, reports, files, imports, members or audit log. Staff reach an
organization's data only through a role in it (a membership, like anyone else) or, for its
reports alone, through a time-limited support grant its admin gives them
(``wellbeing.reports.access``, which builds on these helpers).
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from wellbeing.accounts.models import Membership, Organization, Unit, User

Role = Membership.Role
AnyUser = User | AnonymousUser
_RANK = {Role.MEMBER: 0, Role.UNIT_LEAD: 1, Role.ORG_ADMIN: 2}


def is_staff(user: AnyUser) -> bool:
    """Campaign staff: the movement's own pages. Never a key to an organization's data."""
    return isinstance(user, User) and user.is_active and user.is_staff


def organizations_for_user(user: AnyUser) -> QuerySet[Organization]:
    if not isinstance(user, User):
        return Organization.objects.none()
    return Organization.objects.filter(memberships__user=user).distinct()


def organizations_administered_by(user: AnyUser) -> QuerySet[Organization]:
    """Organizations in which ``user`` is an admin (staff are not admins of every one here)."""
    if not isinstance(user, User) or not user.is_active:
        return Organization.objects.none()
    return Organization.objects.filter(
        memberships__user=user, memberships__role=Role.ORG_ADMIN
    ).distinct()


def is_org_admin(user: AnyUser, organization: Organization) -> bool:
    """Whether ``user`` is an admin of ``organization`` by membership (staff are not, here)."""
    if not isinstance(user, User) or not user.is_active:
        return False
    return Membership.objects.filter(
        user=user, organization=organization, role=Role.ORG_ADMIN
    ).exists()


def get_org_for_admin(user: AnyUser, slug: str) -> Organization:
    """The organization ``slug`` if ``user`` is its admin by membership; else 404, staff too."""
    org = Organization.objects.filter(slug=slug).first()
    if org is None or not is_org_admin(user, org):
        raise Http404("No such organization.")
    return org


def holds_admin_role(user: AnyUser) -> bool:
    """Whether ``user`` is an admin of any organization by membership."""
    if not isinstance(user, User) or not user.is_active:
        return False
    return Membership.objects.filter(user=user, role=Role.ORG_ADMIN).exists()


def membership_for(user: AnyUser, organization: Organization) -> Membership | None:
    if not isinstance(user, User) or not user.is_active:
        return None
    return (
        Membership.objects.filter(user=user, organization=organization)
        .select_related("unit")
        .first()
    )


def get_org_for_user(user: AnyUser, slug: str, *, min_role: str = Role.MEMBER) -> Organization:
    """The organization ``slug`` if ``user`` holds at least ``min_role`` in it by membership.

    Staff without a role meet 404 like any outsider: confidential reports are promised to
    the organization, not to the campaign."""
    if min_role not in _RANK:
        raise ValueError(f"min_role: expected one of {sorted(_RANK)}, got {min_role!r}")
    if not isinstance(user, User):
        raise Http404("No such organization.")
    org = Organization.objects.filter(slug=slug).first()
    if org is None:
        raise Http404("No such organization.")
    membership = membership_for(user, org)
    if membership is None or _RANK[Role(membership.role)] < _RANK[Role(min_role)]:
        raise Http404("No such organization.")
    return org


def units_visible_to(user: AnyUser, organization: Organization) -> QuerySet[Unit]:
    """Units whose reports ``user`` may read by role: all for admins, the led subtree for leads
    (staff without a role: none)."""
    units = Unit.objects.filter(organization=organization)
    membership = membership_for(user, organization)
    if membership is None:
        return units.none()
    if membership.role == Role.ORG_ADMIN:
        return units
    if membership.role == Role.UNIT_LEAD and membership.unit is not None:
        return units.filter(path__startswith=membership.unit.path)
    return units.none()


def get_unit_for_user(user: AnyUser, organization: Organization, unit_id: int) -> Unit:
    unit = units_visible_to(user, organization).filter(pk=unit_id).first()
    if unit is None:
        raise Http404("No such unit.")
    return unit


def can_administer(user: AnyUser, organization: Organization) -> bool:
    """Whether ``user`` runs ``organization`` (its admin by membership; staff are not)."""
    return is_org_admin(user, organization)
