"""Schemathesis against the app's own OpenAPI schema, in process (WSGI, no network).

Every operation is called with generated input anonymously, with a token of the
organization, and with the organization's real slug and ids substituted so the
authorized paths are reached too. Each answer must not be a 5xx and must match the
schema: a declared status code, content type and body.
"""

from datetime import timedelta

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def world(db, org, org_admin, units):
    """A token with every scope, a survey with a wave of responses and a commitment."""
    from wellbeing.api import actions as api_actions
    from wellbeing.surveys import actions

    survey = actions.create_survey(
        organization=org, name="Pulse", instruments=["single-item-burnout"], actor=org_admin
    )
    now = timezone.now()
    wave = actions.create_wave(
        survey=survey,
        name="Spring",
        opens_at=now - timedelta(days=30),
        closes_at=now - timedelta(days=10),
        actor=org_admin,
    )
    actions.import_responses(
        wave=wave,
        rows=[
            actions.ImportedResponse(
                key=f"s-{i}",
                unit=units["ed"],
                answers={"single-item-burnout": [2]},
                demographics={},
            )
            for i in range(6)
        ],
    )
    token = api_actions.create_token(
        organization=org,
        name="Schema test",
        scopes=["surveys:read", "reports:read", "progress:read", "progress:write"],
        expires_at=now + timedelta(days=1),
        actor=org_admin,
    )
    return {"slug": org.slug, "survey_id": survey.pk, "wave_id": wave.pk, "secret": token.secret}


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000


@pytest.fixture(autouse=True)
def _keep_the_tests_connection():
    """The WSGI handler closes the database connection after each request, which would end
    the test's transaction on PostgreSQL; Django's own test client disconnects it the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_answers_as_its_schema_says(case, world):
    case.call_and_validate(checks=CHECKS)
    bearer = {"Authorization": f"Bearer {world['secret']}"}
    case.call_and_validate(headers=bearer, checks=CHECKS)
    if case.path_parameters:
        for name in ("slug", "survey_id", "wave_id"):
            if name in case.path_parameters:
                case.path_parameters[name] = world[name]
        case.call_and_validate(headers=bearer, checks=CHECKS)
