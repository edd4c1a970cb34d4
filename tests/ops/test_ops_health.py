"""``/healthz`` and the "please retry" page when the database cannot be reached.

A lost database is simulated by making the connection's ``ensure_connection``
raise ``OperationalError``, as the driver does when the server is down.
"""

import pytest
from django.db import OperationalError, connection, connections
from django.test import Client

from wellbeing.surveys.models import Wave
from wellbeing.surveys.queries import collected


@pytest.fixture
def database_down(db):
    """Return a function that cuts (or restores) the database connection; restored after."""
    wrapper = connections["default"]

    def _refuse():
        raise OperationalError("connection refused (simulated)")

    def _set(down: bool = True):
        if down:
            wrapper.ensure_connection = _refuse
        elif "ensure_connection" in vars(wrapper):
            del wrapper.ensure_connection

    yield _set
    _set(False)


def test_the_health_check_reports_the_database_and_the_task_queue(client, db):
    page = client.get("/healthz")
    assert page.status_code == 200
    body = page.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"ok": True, "vendor": connection.vendor}
    assert body["checks"]["tasks"] == {"ok": True, "backend": "immediate"}
    assert "no-cache" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]


def test_the_health_check_is_503_when_the_database_is_down(client, db, database_down):
    database_down()
    page = client.get("/healthz")
    assert page.status_code == 503
    assert page.json()["checks"]["database"] == {"ok": False, "error": "OperationalError"}


def test_the_health_check_is_not_redirected_to_https(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301


def _answers_up_to_the_last_page(client, url):
    """Walk every page but the last; return the survey's own address and the last page."""
    first = client.get(url, follow=True)
    url = first.request["PATH_INFO"]  # the link redirects to an address of its own
    flow = first.context["flow"]
    key = first.context["idempotency_key"]
    pages = []
    for index, step in enumerate(flow.steps):
        data = {"idempotency_key": key, "step": str(index), "go": "next"}
        for instrument in flow.instruments:
            if instrument.id == step:
                data.update({f"{step}__{item.id}": "1" for item in instrument.items})
        if step == "comments":
            data["open__1"] = "More staff on nights."
        pages.append(data)
    for data in pages[:-1]:
        assert client.post(url, data).status_code == 303
    return url, pages[-1]


def test_a_survey_submitted_while_the_database_is_down_gets_retry_and_keeps_the_draft(
    world, database_down
):
    client = Client(raise_request_exception=False)
    url, last = _answers_up_to_the_last_page(client, f"/s/{world.link_key}/")
    stored = collected(Wave.objects.get(links__key=world.link_key))
    database_down()
    refused = client.post(url, last)
    html = refused.content.decode()
    assert refused.status_code == 503
    assert refused["Retry-After"] == "30"
    assert "Your answers are kept on this device" in html
    # draft.js empties the browser's saved answers only on a page marked data-draft-clear.
    assert "data-draft-clear" not in html
    database_down(False)
    retried = client.post(url, last)
    assert retried.status_code == 200 and "data-draft-clear" in retried.content.decode()
    assert collected(Wave.objects.get(links__key=world.link_key)) == stored + 1


def test_a_database_lost_before_the_view_also_gets_the_retry_page(
    org_admin, database_down, settings
):
    client = Client(raise_request_exception=False)
    client.force_login(org_admin)
    database_down()  # the session and the user are read in middleware, before any view
    page = client.get("/accounts/")
    assert page.status_code == 503
    assert "Please retry in a moment" in page.content.decode()
