"""API tokens: scopes, expiry, revocation, rate limits, the use log, and the admin's pages."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from wellbeing.api import actions
from wellbeing.api.models import ApiToken, ApiTokenUse
from wellbeing.core.models import AuditEvent


def surveys_url(org):
    return f"/api/v1/orgs/{org.slug}/surveys"


def test_a_token_is_stored_only_as_its_hash_and_prefix(token):
    stored = ApiToken.objects.get()
    assert stored.token_hash == hashlib.sha256(token.secret.encode()).hexdigest()
    assert token.secret not in {stored.token_hash, stored.prefix, stored.name}
    assert token.secret.startswith("wbt_" + stored.prefix)


def test_a_request_without_a_token_is_401(client, org):
    assert client.get(surveys_url(org)).status_code == 401


def test_an_unknown_token_is_401(client, org, bearer):
    assert client.get(surveys_url(org), **bearer("wbt_not-a-token")).status_code == 401


def test_a_token_without_the_scope_gets_403(client, org, make_token, bearer):
    only_reports = make_token(scopes=["reports:read"])
    response = client.get(surveys_url(org), **bearer(only_reports.secret))
    assert response.status_code == 403
    assert "surveys:read" in response.json()["detail"]


def test_an_expired_token_gets_401(client, org, token, bearer):
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(surveys_url(org), **bearer(token.secret)).status_code == 401


def test_a_revoked_token_gets_401(client, org, org_admin, token, bearer):
    assert client.get(surveys_url(org), **bearer(token.secret)).status_code == 200
    actions.revoke_token(token=token.token, actor=org_admin)
    assert client.get(surveys_url(org), **bearer(token.secret)).status_code == 401


def test_a_token_reaches_nothing_once_its_creator_is_no_longer_an_admin(
    client, org, org_admin, token, bearer
):
    from wellbeing.accounts.models import Membership

    Membership.objects.filter(user=org_admin, organization=org).update(role="member")
    assert client.get(surveys_url(org), **bearer(token.secret)).status_code == 401


def test_every_use_is_logged_with_its_status(client, org, token, make_token, bearer):
    client.get(surveys_url(org), **bearer(token.secret))
    client.get("/api/v1/orgs/lakeside/surveys", **bearer(token.secret))
    ApiToken.objects.filter(pk=token.token.pk).update(revoked_at=timezone.now())
    client.get(surveys_url(org), **bearer(token.secret))
    uses = list(ApiTokenUse.objects.order_by("pk").values_list("method", "path", "status"))
    assert uses == [
        ("GET", "/api/v1/orgs/riverbend/surveys", 200),
        ("GET", "/api/v1/orgs/lakeside/surveys", 404),
        ("GET", "/api/v1/orgs/riverbend/surveys", 401),
    ]
    assert ApiToken.objects.get(pk=token.token.pk).last_used_at is not None


@pytest.fixture
def one_minute(monkeypatch):
    """Requests of a test fall in one rate window even when the clock crosses a minute."""
    from wellbeing.core import ratelimit

    monkeypatch.setattr(ratelimit.time, "time", lambda: 1_800_000_030.0)


def test_too_many_requests_get_429_with_retry_after(
    client, org, token, bearer, settings, one_minute
):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    statuses = [client.get(surveys_url(org), **bearer(token.secret)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get(surveys_url(org), **bearer(token.secret))
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == 31
    assert ApiTokenUse.objects.filter(status=429).count() == 2


def test_the_rate_limit_counts_each_token_apart(
    client, org, make_token, bearer, settings, one_minute
):
    settings.API_RATE_LIMIT_PER_MINUTE = 1
    first, second = make_token(), make_token()
    assert client.get(surveys_url(org), **bearer(first.secret)).status_code == 200
    assert client.get(surveys_url(org), **bearer(second.secret)).status_code == 200
    assert client.get(surveys_url(org), **bearer(first.secret)).status_code == 429


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"scopes": []}, "scopes"),
        ({"scopes": ["everything"]}, "scopes"),
        ({"name": " "}, "name"),
        ({"days": -1}, "expires_at"),
    ],
)
def test_bad_token_input_is_refused_naming_the_argument(org, org_admin, change, message):
    values = {"name": "Dashboard", "scopes": ["reports:read"], "days": 30, **change}
    with pytest.raises(ValueError, match=message):
        actions.create_token(
            organization=org,
            name=values["name"],
            scopes=values["scopes"],
            expires_at=timezone.now() + timedelta(days=values["days"]),
            actor=org_admin,
        )


def test_only_an_admin_of_the_organization_creates_its_tokens(org, clinician, staff_curator):
    for person in (clinician, staff_curator):
        with pytest.raises(PermissionError):
            actions.create_token(
                organization=org,
                name="x",
                scopes=["reports:read"],
                expires_at=timezone.now() + timedelta(days=1),
                actor=person,
            )


# --- the admin's pages ---------------------------------------------------------------------


def test_an_admin_creates_a_token_and_sees_it_once(client, org, org_admin):
    client.force_login(org_admin)
    url = f"/measure/{org.slug}/api-tokens/"
    response = client.post(
        url, {"name": "Board dashboard", "scopes": ["reports:read"], "expires_in": "90"}
    )
    assert response.status_code == 200
    secret = response.context["created"].secret
    assert secret in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    stored = ApiToken.objects.get()
    assert stored.scopes == ["reports:read"]
    assert timedelta(days=89) < stored.expires_at - timezone.now() <= timedelta(days=90)
    assert secret not in client.get(url).content.decode()
    assert AuditEvent.objects.filter(verb="api.token.create").count() == 1


def test_a_token_form_without_a_scope_says_so(client, org, org_admin):
    client.force_login(org_admin)
    response = client.post(f"/measure/{org.slug}/api-tokens/", {"name": "x", "expires_in": "90"})
    assert response.status_code == 400
    assert "Choose at least one thing the token may do." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_an_admin_revokes_a_token(client, org, org_admin, token, bearer):
    client.force_login(org_admin)
    response = client.post(f"/measure/{org.slug}/api-tokens/{token.token.pk}/revoke/")
    assert response.status_code == 302
    assert ApiToken.objects.get().status == "revoked"
    assert client.get(surveys_url(org), **bearer(token.secret)).status_code == 401
    assert AuditEvent.objects.filter(verb="api.token.revoke").count() == 1


@pytest.mark.parametrize("who", ["clinician", "unit_lead", "outsider", "staff_curator"])
def test_the_token_pages_are_not_found_for_anyone_but_the_admins(client, org, token, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(f"/measure/{org.slug}/api-tokens/").status_code == 404
    revoke = client.post(f"/measure/{org.slug}/api-tokens/{token.token.pk}/revoke/")
    assert revoke.status_code == 404
    assert ApiToken.objects.get().status == "active"
