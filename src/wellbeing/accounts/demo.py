"""Synthetic demonstration organizations, units and people.

Everything here is invented and marked ``is_synthetic``; e-mail addresses use
the reserved ``example.org`` domain. Loading is idempotent: running it again
finds what exists and adds only what is missing.
"""

from dataclasses import dataclass

from django.db import transaction

from wellbeing.accounts import actions
from wellbeing.accounts.models import Membership, Organization, Unit, User, normalize_email

DEMO_PASSWORD = "demo-wellbeing-2026"  # noqa: S105 -- published in the README for the synthetic demo

# (name, children) — a hospital's departments and teams, three levels deep.
RIVERBEND_UNITS: list[tuple[str, list[tuple[str, list]]]] = [
    ("Emergency Department", [("Adult Emergency", []), ("Pediatric Emergency", [])]),
    ("Internal Medicine", [("Hospital Medicine", []), ("General Internal Medicine Clinic", [])]),
    (
        "Nursing",
        [
            ("Intensive Care Unit", []),
            ("Medical-Surgical Unit", []),
            ("Perioperative Services", []),
        ],
    ),
    ("Pharmacy", []),
    ("Graduate Medical Education", [("Internal Medicine Residency", [])]),
]


@dataclass(frozen=True)
class DemoWorld:
    organization: Organization
    other_organization: Organization
    admin: User
    lead: User
    clinician: User
    staff: User


def _user(email: str, name: str, *, staff: bool = False) -> User:
    user = User.objects.filter(email=normalize_email(email)).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, display_name=name, is_staff=staff)
    return user


def _org(slug: str, name: str, kind: str) -> Organization:
    org = Organization.objects.filter(slug=slug).first()
    return org or actions.create_organization(name=name, kind=kind, slug=slug, is_synthetic=True)


def _units(org: Organization, tree: list, parent: Unit | None = None) -> None:
    for name, children in tree:
        unit = Unit.objects.filter(organization=org, parent=parent, name=name).first()
        if unit is None:
            unit = actions.add_unit(organization=org, name=name, parent=parent)
        _units(org, children, unit)


@transaction.atomic
def load_demo() -> DemoWorld:
    org = _org(
        "riverbend-health", "Riverbend Health (synthetic demo)", Organization.Kind.HEALTH_SYSTEM
    )
    _units(org, RIVERBEND_UNITS)
    other = _org(
        "lakeside-clinic",
        "Lakeside Community Clinic (synthetic demo)",
        Organization.Kind.HOSPITAL_CLINIC,
    )
    _units(other, [("Primary Care", []), ("Behavioral Health", [])])

    admin = _user("admin@riverbend.example.org", "Dana Admin (synthetic)")
    lead = _user("lead@riverbend.example.org", "Lee Lead (synthetic)")
    clinician = _user("clinician@riverbend.example.org", "Casey Clinician (synthetic)")
    outsider = _user("admin@lakeside.example.org", "Olu Outsider (synthetic)")
    staff = _user("staff@campaign.example.org", "Sam Staff (synthetic)", staff=True)

    nursing = Unit.objects.get(organization=org, parent=None, name="Nursing")
    Role = Membership.Role
    actions.add_member(organization=org, user=admin, role=Role.ORG_ADMIN)
    actions.add_member(organization=org, user=lead, role=Role.UNIT_LEAD, unit=nursing)
    actions.add_member(organization=org, user=clinician, role=Role.MEMBER)
    actions.add_member(organization=other, user=outsider, role=Role.ORG_ADMIN)
    return DemoWorld(org, other, admin, lead, clinician, staff)
