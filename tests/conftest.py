"""The shared test world: two organizations and named actors.

- ``org``: Riverbend (synthetic) with a unit tree; ``other_org``: Lakeside.
- ``org_admin`` (admin of ``org``), ``unit_lead`` (leads Nursing in ``org``),
  ``clinician`` (a member of ``org``), ``staff_curator`` (campaign staff),
  ``outsider`` (admin of ``other_org``, no role in ``org``).
"""

import pytest

# Django is imported inside the fixtures, so the pure-package tests
# (tests/instruments, tests/analysis) also run with `-p no:django`.


@pytest.fixture(autouse=True)
def _fast_password_hashing(request):
    if request.config.pluginmanager.hasplugin("django"):
        settings = request.getfixturevalue("settings")
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    """Rate-limit counts and cached lookups start empty in every test."""
    if request.config.pluginmanager.hasplugin("django"):
        from django.core.cache import cache

        cache.clear()


@pytest.fixture(autouse=True)
def _no_second_factor_or_lockout(request):
    """2FA and sign-in lockout are off, except in the tests of them (tests/ops/test_ops_security.py)."""
    if (
        request.config.pluginmanager.hasplugin("django")
        and "test_ops_security" not in request.node.nodeid
    ):
        settings = request.getfixturevalue("settings")
        settings.WELLBEING_REQUIRE_2FA = False
        settings.AXES_ENABLED = False


@pytest.fixture
def org(db):
    from wellbeing.accounts import actions

    return actions.create_organization(
        name="Riverbend Health", kind="health_system", slug="riverbend"
    )


@pytest.fixture
def other_org(db):
    from wellbeing.accounts import actions

    return actions.create_organization(
        name="Lakeside Clinic", kind="hospital_clinic", slug="lakeside"
    )


@pytest.fixture
def units(org):
    from wellbeing.accounts import actions

    ed = actions.add_unit(organization=org, name="Emergency Department")
    nursing = actions.add_unit(organization=org, name="Nursing")
    icu = actions.add_unit(organization=org, name="Intensive Care Unit", parent=nursing)
    night = actions.add_unit(organization=org, name="ICU Night Team", parent=icu)
    return {"ed": ed, "nursing": nursing, "icu": icu, "night": night}


def _person(email: str, **extra):
    from wellbeing.accounts.models import User

    return User.objects.create_user(email, "a-long-test-password", **extra)


def _member(org, user, role: str, unit=None):
    from wellbeing.accounts import actions

    actions.add_member(organization=org, user=user, role=role, unit=unit)
    return user


@pytest.fixture
def org_admin(org):
    return _member(org, _person("alice@riverbend.test"), "org_admin")


@pytest.fixture
def unit_lead(org, units):
    return _member(org, _person("lee@riverbend.test"), "unit_lead", units["nursing"])


@pytest.fixture
def clinician(org):
    return _member(org, _person("casey@riverbend.test"), "member")


@pytest.fixture
def staff_curator(db):
    return _person("sam@campaign.test", is_staff=True)


@pytest.fixture
def outsider(other_org):
    return _member(other_org, _person("olu@lakeside.test"), "org_admin")
