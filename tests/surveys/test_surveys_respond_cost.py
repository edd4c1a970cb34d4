"""What a respondent's pages cost the server, and that what the process keeps never leaks.

Every page of the path reads what it shows from per-process memos (``surveys.memo``,
``surveys.pages``, ``surveys.links``): after the first respondent, the database is read only
to store the answers. These tests pin that (a query creeping back into a page fails them)
and check that a kept page carries the requester's own address, keys and token, never
another respondent's, never an answer or an error.
"""

import re

import pytest
from django.core import signing
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from tests.conftest import complete_answers, survey_pages

from wellbeing.accounts import actions as account_actions
from wellbeing.hub import actions as hub_actions
from wellbeing.surveys import links, memo, pages
from wellbeing.surveys.views import respond

CRISIS_LINE = 'href="tel:988"'
MARKER = re.compile(r"wb-[0-9a-f]{16}-")  # where a kept page takes a request's own values
CHECKED = re.compile(r"<input[^>]* checked")
# The final submit's statements: the savepoint (a transaction outside tests), the INSERT ...
# SELECT of the sealed row, the look-up of an already settled twin, its release.
SUBMIT_QUERIES = 4


def _walk(client, entrance, answers=None, demo=None):
    """Take the survey like a browser without JavaScript; return [(request, queries, response)]."""
    answers = answers or complete_answers()
    seen = []

    def request(label, method, url, data=None):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url, data) if method == "POST" else client.get(url)
        seen.append((label, len(queries), response))
        return response

    address = request("GET entrance", "GET", entrance)["Location"]
    page = request("GET intro", "GET", address)
    flow, signed = page.context["flow"], page.context["idempotency_field"]
    forms = survey_pages(flow, signed, answers, comment="More staff on nights.", demo=demo)
    for index, (step, data) in enumerate(zip(flow.steps, forms, strict=True)):
        response = request(f"POST {step}", "POST", address, data)
        if data["go"] == "next":
            request(f"GET {flow.steps[index + 1]}", "GET", response["Location"])
    return seen


def _link(wave, unit=None):
    return wave.links.get(unit=unit).get_absolute_url()


def test_after_the_first_respondent_only_the_final_submit_reads_the_database(client, wave):
    _walk(Client(), _link(wave))  # the first respondent fills this process's memos
    seen = _walk(client, _link(wave))
    assert [label for label, _n, _r in seen][-1] == "POST comments"
    *pages, (_label, submit, final) = seen
    assert {label: n for label, n, _r in pages} == {label: 0 for label, _n, _r in pages}
    assert submit == SUBMIT_QUERIES
    assert (
        final.status_code == 200 and "Thank you: your answers are saved" in final.content.decode()
    )


def test_the_first_respondent_of_a_process_reads_each_definition_once(client, wave):
    reads = {label: n for label, n, _r in _walk(client, _link(wave))}
    # The link (its wave, survey, organization and unit in one join) on entering, the
    # organization's units on the page that lists them, then only the submit.
    expected = {"GET entrance": 1, "GET about": 1, "POST comments": SUBMIT_QUERIES}
    assert reads == {**dict.fromkeys(reads, 0), **expected}


def test_every_page_of_the_path_shows_the_988_lifeline(client, wave):
    _walk(Client(), _link(wave))  # kept pages, then pages served from the memo
    for label, _n, response in _walk(client, _link(wave)):
        if response.status_code == 200:
            assert CRISIS_LINE in response.content.decode(), label


def test_a_kept_page_carries_the_requesters_own_address_keys_and_token(wave):
    first, second = Client(), Client(enforce_csrf_checks=True)
    first_address = first.get(_link(wave))["Location"]
    first.get(first_address)  # the introduction, rendered with markers and kept
    first_key = respond.Draft.unsealed(first.cookies["wb_draft"].value, first_address).key
    address = second.get(_link(wave))["Location"]
    html = second.get(address).content.decode()  # the kept introduction
    key = respond.Draft.unsealed(second.cookies["wb_draft"].value, address).key
    assert f'action="{address}"' in html and f'data-draft-key="{key}"' in html
    assert first_address not in html and first_key not in html
    signed = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    assert signing.loads(signed, salt=f"wb-idempotency:{address}") == key
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    data = {"csrfmiddlewaretoken": token, "idempotency_key": signed, "step": "0", "go": "next"}
    assert second.post(address, data).status_code == 303
    assert not MARKER.search(html)


def test_a_kept_page_is_the_page_rendered_afresh(wave):
    client = Client()
    address = client.get(_link(wave))["Location"]
    client.get(address)  # kept
    page = client.get(address)  # from the memo
    html = page.content.decode()
    flow, key = page.context["flow"], page.context["idempotency_key"]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    mine = pages.Mine(address, token, key, page.context["idempotency_field"])
    context = {**pages.page_context(flow, 0, {}, {}), "mine": mine, "csrf_token": token}
    assert render_to_string(pages.PAGE, context) in html


def test_an_answer_or_an_error_never_reaches_another_respondent(wave):
    first = Client()
    address = first.get(_link(wave))["Location"]
    signed = first.get(address).context["idempotency_field"]
    first.post(address, {"idempotency_key": signed, "step": "0", "go": "next"})
    answered = {"idempotency_key": signed, "step": "1", "go": "next"}
    answered["single-item-burnout__burnout"] = "4"
    assert first.post(address, answered).status_code == 303
    assert CHECKED.search(first.get(f"{address}?step=1").content.decode())
    refused = first.post(address, {"idempotency_key": signed, "step": "2", "go": "next"})
    assert refused.status_code == 400
    assert "Choose an answer for this question." in refused.content.decode()

    other = Client()
    own = other.get(_link(wave))["Location"]
    theirs = other.get(f"{own}?step=1").content.decode()
    again = other.get(f"{own}?step=2").content.decode()
    assert not CHECKED.search(theirs) and "Choose an answer" not in again
    assert address not in theirs + again


def test_a_renamed_survey_shows_on_the_next_page_in_this_process(client, wave):
    address = client.get(_link(wave))["Location"]
    assert "Pulse" in client.get(address).content.decode()
    wave.survey.name = "Spring pulse"
    wave.survey.save(update_fields=["name"])
    assert "Spring pulse" in client.get(address).content.decode()


def test_a_unit_retired_in_another_process_is_not_offered_after_the_link_cache_time(
    client, wave, units, monkeypatch
):
    address = client.get(_link(wave))["Location"]
    about = address + "?step=4"
    assert "Emergency Department" in client.get(about).content.decode()
    # QuerySet.update, as retiring does, sends no signal: another process would not hear it.
    account_actions.retire_unit(unit=units["ed"])
    later = memo.time.monotonic() + links.TTL + 1
    monkeypatch.setattr(memo.time, "monotonic", lambda: later)
    assert "Emergency Department" not in client.get(about).content.decode()


def test_matches_for_every_result_are_found_at_once(client, wave):
    """A respondent's feedback costs the same reads whatever earlier respondents' results
    pointed to: how long the page takes tells nothing about them."""
    hub_actions.upsert_resource(
        {
            "slug": "peer-support",
            "title": "Peer support after adverse events",
            "summary": "A resource.",
            "kind": "toolkit",
            "url": "https://example.org/peer-support",
            "source": "https://example.org/peer-support",
            "status": "published",
        },
        factors=["personal-factors"],
        priority_areas=["mental-health-and-stigma"],
    )
    _walk(Client(), _link(wave), answers=complete_answers(burnout=5))  # work environment
    distressed = complete_answers(phq9=(0, 0, 0, 0, 0, 0, 0, 0, 1))  # mental health
    *_pages, (_label, submit, final) = _walk(client, _link(wave), answers=distressed)
    assert submit == SUBMIT_QUERIES
    assert "Peer support after adverse events" in final.content.decode()


@pytest.mark.parametrize("language", ["en", "es"])
def test_each_language_keeps_its_own_pages(wave, language):
    other = Client(HTTP_ACCEPT_LANGUAGE="es" if language == "en" else "en")
    other.get(other.get(_link(wave))["Location"])  # the other language's page is kept first
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    page = client.get(client.get(_link(wave))["Location"]).content.decode()
    assert ("Your answers are anonymous" in page) == (language == "en")
    assert ("Sus respuestas son anónimas" in page) == (language == "es")
