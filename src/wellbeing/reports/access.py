"""Who may read an organization's reports: its people by role, or campaign staff under a grant.

``accounts.permissions`` decides by membership: a unit lead reads the subtree they lead, an
admin the whole organization, and campaign staff nothing by being staff. An admin may give
one named staff member time-limited, read-only access to the reports (``SupportAccess``,
written by ``reports.actions``). This module adds that grant to the role check for the
report and unit pages and the report's files alone; every other page (surveys, imports,
the record export, members, the audit log, the API) keeps asking ``accounts.permissions``
and stays closed to staff. What a user may not read is a 404, like any unknown page.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from wellbeing.accounts.models import Membership, Organization, Unit, User
from wellbeing.accounts.permissions import (
    AnyUser,
    get_org_for_user,
    get_unit_for_user,
    is_org_admin,
    is_staff,
)
from wellbeing.reports.models import SupportAccess

LEAD = Membership.Role.UNIT_LEAD


@dataclass(frozen=True)
class ReportAccess:
    """How a user reads an organization's reports: by role, or under ``grant``."""

    organization: Organization
    grant: SupportAccess | None = None  # set when the user reads under a support grant

    @property
    def support(self) -> bool:
        return self.grant is not None


def active_grants(user: AnyUser, now: datetime | None = None) -> QuerySet[SupportAccess]:
    """The grants ``user`` reads under now: none unless they are active campaign staff (a
    grant ends when its holder stops being staff, as well as at expiry or revocation)."""
    if not isinstance(user, User) or not is_staff(user):
        return SupportAccess.objects.none()
    return SupportAccess.objects.filter(
        staff_user=user, revoked_at__isnull=True, expires_at__gt=now or timezone.now()
    )


def active_grant(user: AnyUser, organization: Organization) -> SupportAccess | None:
    """The grant under which ``user`` may read ``organization``'s reports now, if any."""
    return active_grants(user).filter(organization=organization).order_by("-expires_at").first()


def reads_whole_organization(user: AnyUser, organization: Organization) -> bool:
    """Whether ``user`` reads every figure of the organization: its admins, and staff under
    a grant (who see what the admin who granted them sees, to help them read it)."""
    return is_org_admin(user, organization) or active_grant(user, organization) is not None


def may_read_reports(user: AnyUser, organization: Organization) -> bool:
    """Whether ``user`` may open ``organization``'s report pages and files at all."""
    if reads_whole_organization(user, organization):
        return True
    try:
        get_org_for_user(user, organization.slug, min_role=LEAD)
    except Http404:
        return False
    return True


def get_org_for_report_reader(user: AnyUser, slug: str) -> ReportAccess:
    """The organization ``slug`` for a reader of its reports; 404 to anyone else.

    A role comes first (an admin or lead reads as such); a staff member without one reads
    under their active grant, which the caller records with every read."""
    org = Organization.objects.filter(slug=slug).first()
    if org is None:
        raise Http404("No such organization.")
    if not is_org_admin(user, org):
        grant = active_grant(user, org)
        if grant is not None:
            return ReportAccess(org, grant)
    return ReportAccess(get_org_for_user(user, slug, min_role=LEAD))


def get_unit_for_report_reader(user: AnyUser, organization: Organization, unit_pk: int) -> Unit:
    """A unit whose report ``user`` may read: any unit under a grant, else by role (404)."""
    if active_grant(user, organization) is not None:
        unit = Unit.objects.filter(organization=organization, pk=unit_pk).first()
        if unit is None:
            raise Http404("No such unit.")
        return unit
    return get_unit_for_user(user, organization, unit_pk)


def may_publish(user: AnyUser, organization: Organization) -> bool:
    """Who publishes an organization's results so far: its admins, by membership (campaign
    staff publish only the campaign's own questionnaires: ``door.publish_campaign_interim``)."""
    return is_org_admin(user, organization)
