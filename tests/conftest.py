"""The shared test world: two organizations and named actors.

- ``org``: Riverbend (synthetic) with a unit tree; ``other_org``: Lakeside.
- ``org_admin`` (admin of ``org``), ``unit_lead`` (leads Nursing in ``org``),
  ``clinician`` (a member of ``org``), ``staff_curator`` (campaign staff),
  ``outsider`` (admin of ``other_org``, no role in ``org``).
"""

import pytest

from wellbeing.accounts import actions
from wellbeing.accounts.models import Membership, Organization, Unit, User

Role = Membership.Role


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def org(db) -> Organization:
    return actions.create_organization(
        name="Riverbend Health", kind="health_system", slug="riverbend"
    )


@pytest.fixture
def other_org(db) -> Organization:
    return actions.create_organization(
        name="Lakeside Clinic", kind="hospital_clinic", slug="lakeside"
    )


@pytest.fixture
def units(org) -> dict[str, Unit]:
    ed = actions.add_unit(organization=org, name="Emergency Department")
    nursing = actions.add_unit(organization=org, name="Nursing")
    icu = actions.add_unit(organization=org, name="Intensive Care Unit", parent=nursing)
    night = actions.add_unit(organization=org, name="ICU Night Team", parent=icu)
    return {"ed": ed, "nursing": nursing, "icu": icu, "night": night}


def _person(email: str, **extra) -> User:
    return User.objects.create_user(email, "a-long-test-password", **extra)


@pytest.fixture
def org_admin(org) -> User:
    user = _person("alice@riverbend.test")
    actions.add_member(organization=org, user=user, role=Role.ORG_ADMIN)
    return user


@pytest.fixture
def unit_lead(org, units) -> User:
    user = _person("lee@riverbend.test")
    actions.add_member(organization=org, user=user, role=Role.UNIT_LEAD, unit=units["nursing"])
    return user


@pytest.fixture
def clinician(org) -> User:
    user = _person("casey@riverbend.test")
    actions.add_member(organization=org, user=user, role=Role.MEMBER)
    return user


@pytest.fixture
def staff_curator(db) -> User:
    return _person("sam@campaign.test", is_staff=True)


@pytest.fixture
def outsider(other_org) -> User:
    user = _person("olu@lakeside.test")
    actions.add_member(organization=other_org, user=user, role=Role.ORG_ADMIN)
    return user
