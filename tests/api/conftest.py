"""The API's test world: tokens of the shared organizations and a wave with responses."""

from datetime import timedelta

import pytest
from django.utils import timezone


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_token(org, org_admin):
    """Return a function making a token (secret returned) of ``org`` unless told otherwise."""
    from wellbeing.api import actions

    def _make(scopes=("surveys:read", "reports:read"), organization=None, actor=None, days=30):
        return actions.create_token(
            organization=organization or org,
            name="Dashboard",
            scopes=list(scopes),
            expires_at=timezone.now() + timedelta(days=days),
            actor=actor or org_admin,
        )

    return _make


@pytest.fixture
def token(make_token):
    return make_token(scopes=("surveys:read", "reports:read", "progress:read", "progress:write"))


@pytest.fixture
def bearer():
    def _headers(secret):
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    return _headers


@pytest.fixture
def survey(org, units, org_admin):
    from wellbeing.surveys import actions

    return actions.create_survey(
        organization=org,
        name="Pulse",
        instruments=["single-item-burnout", "who5"],
        demographics=["role", "unit"],
        actor=org_admin,
    )


def _make_wave(survey, name, days_ago, admin):
    from wellbeing.surveys import actions

    now = timezone.now()
    return actions.create_wave(
        survey=survey,
        name=name,
        opens_at=now - timedelta(days=days_ago),
        closes_at=now - timedelta(days=days_ago - 20),
        actor=admin,
    )


def _fill(wave, unit, n, burnout=2, role="nurse", prefix=""):
    from wellbeing.surveys import actions

    rows = [
        actions.ImportedResponse(
            key=f"{prefix}{wave.pk}-{unit.pk if unit else 'x'}-{role}-{i}",
            unit=unit,
            answers={"single-item-burnout": [burnout], "who5": [3, 3, 3, 3, 3]},
            demographics={"role": role},
        )
        for i in range(n)
    ]
    actions.import_responses(wave=wave, rows=rows)


@pytest.fixture
def wave(survey, units, org_admin):
    """Wave 1: 12 responses in the ED, 2 in the ICU night team (below the minimum of 5)."""
    wave = _make_wave(survey, "Spring", 60, org_admin)
    _fill(wave, units["ed"], 12)
    _fill(wave, units["night"], 2, role="physician")
    return wave


@pytest.fixture
def make_wave():
    return _make_wave


@pytest.fixture
def fill():
    return _fill
