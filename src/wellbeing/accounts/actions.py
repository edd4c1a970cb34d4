"""The one write path for accounts: each action is atomic and leaves an audit row."""

from django.db import transaction
from django.utils.text import slugify

from wellbeing.accounts.models import Membership, Organization, Unit, User
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
