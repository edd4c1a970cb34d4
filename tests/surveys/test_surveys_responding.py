"""Responding: nothing lost, nothing doubled, bad input refused clearly, anonymity by construction."""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.db import models
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import complete_answers, enter, settle_all, survey_pages

from wellbeing.surveys import actions
from wellbeing.surveys.models import Comment, InvitationToken, Response, Score, Wave
from wellbeing.surveys.views import respond


def _link(wave, unit=None):
    return wave.links.get(unit=unit).get_absolute_url()


def _open(client, wave, unit=None):
    """Open the wave's link like a browser; return the survey's own address and first page."""
    return enter(client, _link(wave, unit))


def _up_to_the_last_page(client, wave, answers=None, comment="More staff on nights."):
    """Answer every page but the last; return the survey's address and the final POST's data."""
    url, page = _open(client, wave)
    flow, signed = page.context["flow"], page.context["idempotency_field"]
    pages = survey_pages(flow, signed, answers or complete_answers(), comment)
    for data in pages[:-1]:
        assert client.post(url, data).status_code == 303
    return url, pages[-1]


def test_a_respondent_completes_every_page_and_sees_feedback(client, wave, units, walk):
    final = walk(
        client, _link(wave, units["icu"]), demo={"role": "nurse"}, comment="More staff on nights."
    )
    assert final.status_code == 200
    html = final.content.decode()
    assert "Thank you: your answers are saved" in html
    settle_all()  # publishing results settles the sealed submissions
    response = Response.objects.get()
    assert response.unit == units["icu"]
    assert response.demographics == {"role": "nurse"}
    assert response.answers["who5"] == [3, 3, 3, 3, 3]
    assert (
        Score.objects.filter(response=response, instrument="who5", scale="percentage").get().value
        == 60.0
    )
    assert Comment.objects.get().text == "More staff on nights."


def test_the_same_idempotency_key_twice_stores_one_response(client, wave):
    url, final = _up_to_the_last_page(client, wave)
    draft = client.cookies["wb_draft"].value
    first = client.post(url, final)
    # A retried final POST (double click, a response lost on the way) carries the same
    # draft cookie and the same signed key: the browser never saw the first answer.
    client.cookies["wb_draft"] = draft
    again = client.post(url, final)
    assert first.status_code == again.status_code == 200
    assert b"Thank you: your answers are saved" in again.content
    settle_all()  # publishing results settles the sealed submissions
    assert Response.objects.count() == 1
    assert Score.objects.count() == Score.objects.filter(response=Response.objects.get()).count()


def test_a_made_up_key_cannot_fetch_another_responses_feedback(client, wave, walk, answers):
    actions.record_synthetic_responses(
        wave=wave,
        rows=[
            actions.ImportedResponse(
                key="import-row-1", unit=None, answers=answers(burnout=5), demographics={}
            )
        ],
    )
    final = walk(client, _link(wave), key="import-row-1", answers=answers(burnout=1))
    assert final.status_code == 200
    settle_all()  # publishing results settles the sealed submissions
    assert Response.objects.count() == 2  # the forged key was ignored; a fresh one was used
    assert "Burnout rating (1-5): 1</strong>" in final.content.decode()


def test_submit_response_is_idempotent_when_called_directly(wave, answers):
    sub = actions.Submission(
        wave=wave,
        unit=None,
        idempotency_key="k" * 22,
        answers=answers(),
        demographics={},
        comments={},
    )
    first, created = actions.submit_response(sub)
    second, created_again = actions.submit_response(sub)
    assert (created, created_again) == (True, False)
    assert first.answers == second.answers
    settle_all()  # publishing results settles the sealed submissions
    assert Response.objects.count() == 1


def test_phq9_item_9_puts_the_988_lifeline_first(client, wave, walk, answers):
    final = walk(client, _link(wave), answers=answers(phq9=(0, 0, 0, 0, 0, 0, 0, 0, 1)))
    html = final.content.decode()
    support = html.index("Support is available right now")
    assert support < html.index("Thank you: your answers are saved")
    assert 'href="tel:988"' in html[support : support + 2000]


def test_no_distress_means_no_emergency_alert(client, wave, walk):
    html = walk(client, _link(wave)).content.decode()
    assert "Support is available right now" not in html
    assert "988 Suicide &amp; Crisis Lifeline" in html  # still in the banner and resources


def test_a_closed_wave_shows_a_clear_page(client, wave, org_admin):
    actions.set_wave_status(wave=wave, status="closed", actor=org_admin)
    response = client.get(_link(wave))
    assert response.status_code == 410
    assert "This survey is closed" in response.content.decode()


def test_a_wave_closed_by_another_process_refuses_the_final_submit(client, wave, walk):
    # This process resolved the link (and keeps it for a few seconds); then another process
    # closes the wave. A queryset update sends no signal, so the cached wave still says open:
    # the submit must ask the database, refuse clearly, and store nothing.
    first = client.get(_link(wave), follow=True)
    assert first.status_code == 200
    Wave.objects.filter(pk=wave.pk).update(status="closed")
    final = walk(client, _link(wave))
    assert final.status_code == 410
    assert "This survey is closed" in final.content.decode()
    assert (Response.objects.count(), Score.objects.count(), Comment.objects.count()) == (0, 0, 0)


def test_a_wave_past_its_closing_time_refuses_the_final_submit(client, wave, walk):
    client.get(_link(wave), follow=True)
    Wave.objects.filter(pk=wave.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    final = walk(client, _link(wave))
    assert final.status_code == 410
    assert Response.objects.count() == 0


def test_closing_a_wave_takes_effect_at_once_in_this_process(client, wave, org_admin):
    assert client.get(_link(wave), follow=True).status_code == 200
    actions.set_wave_status(wave=wave, status="closed", actor=org_admin)
    assert client.get(_link(wave)).status_code == 410


def test_a_stored_response_reads_back_exactly_as_submitted(wave, units, answers):
    sub = actions.Submission(
        wave=wave,
        unit=units["icu"],
        idempotency_key="r" * 30,
        answers=answers(phq9=(0, 1, 2, 3, 0, 1, 2, 3, 0)),
        demographics={"role": "nurse"},
        comments={1: "Quiet rooms, please.", 2: ""},
    )
    returned, created = actions.submit_response(sub)
    settle_all()  # publishing results settles the sealed submissions
    stored = Response.objects.get()
    assert created and returned.answers == stored.answers
    assert stored.answers == sub.answers and stored.demographics == {"role": "nurse"}
    assert stored.unit == units["icu"] and stored.submitted_on == timezone.localdate()
    scores = {(s.instrument, s.scale): s.value for s in Score.objects.filter(response=stored)}
    assert scores[("phq9", "total")] == 12.0
    assert set(Score.objects.values_list("wave", flat=True)) == {wave.pk}
    assert list(Comment.objects.values_list("unit", "question", "text")) == [
        (units["icu"].pk, 1, "Quiet rooms, please.")
    ]


def test_an_unknown_link_is_a_clear_not_found(client, db):
    response = client.get("/s/not-a-real-link-key/")
    assert response.status_code == 404
    assert "Survey link not found" in response.content.decode()


def test_a_single_use_token_works_once(client, wave, walk):
    (token,) = actions.issue_tokens(wave=wave, count=1)
    url = f"/t/{token}/"
    assert walk(client, url).status_code == 200
    assert InvitationToken.objects.get().used is True
    other = client.__class__()  # a second browser with the same link
    refused = other.get(url)
    assert refused.status_code == 410
    assert "This link has been used" in refused.content.decode()
    settle_all()  # publishing results settles the sealed submissions
    assert Response.objects.count() == 1


def test_a_used_token_cannot_be_replayed_with_a_fresh_key(client, wave, walk):
    (token,) = actions.issue_tokens(wave=wave, count=1)
    walk(client, f"/t/{token}/")
    sub = actions.Submission(
        wave=wave,
        unit=None,
        idempotency_key="fresh-key-000000000000",
        answers={"single-item-burnout": [1], "who5": [1] * 5, "phq9": [0] * 9},
        demographics={},
        comments={},
        token=token,
    )
    with pytest.raises(actions.SubmissionRefused, match="token_used"):
        actions.submit_response(sub)
    settle_all()  # publishing results settles the sealed submissions
    assert Response.objects.count() == 1


def test_skipping_a_question_gets_a_clear_message_and_stores_nothing(client, wave):
    url, page = _open(client, wave)
    key = page.context["idempotency_key"]
    client.post(url, {"idempotency_key": key, "step": "0", "go": "next"})
    response = client.post(url, {"idempotency_key": key, "step": "1", "go": "next"})
    assert response.status_code == 400
    assert "Choose an answer for this question." in response.content.decode()
    assert "Please check 1 answer" in response.content.decode()
    assert Response.objects.count() == 0


def test_a_forged_final_post_that_skipped_pages_stores_nothing(client, wave):
    url, page = _open(client, wave)
    key = page.context["idempotency_key"]
    last = len(client.get(url).context["flow"].steps) - 1
    response = client.post(
        url, {"idempotency_key": key, "step": str(last), "go": "submit", "open__1": "hi"}
    )
    assert response.status_code == 303  # sent back to the first unanswered page
    assert Response.objects.count() == 0


def test_answers_survive_a_reload_between_pages(client, wave):
    url, page = _open(client, wave)
    key = page.context["idempotency_key"]
    client.post(url, {"idempotency_key": key, "step": "0", "go": "next"})
    client.post(
        url,
        {"idempotency_key": key, "step": "1", "go": "next", "single-item-burnout__burnout": "4"},
    )
    reloaded = client.get(url + "?step=1")
    assert reloaded.context["idempotency_key"] == key
    assert reloaded.context["answers"]["single-item-burnout"] == [4]


MALFORMED = st.dictionaries(
    st.sampled_from(
        [
            "idempotency_key",
            "step",
            "go",
            "single-item-burnout__burnout",
            "who5__who5_1",
            "phq9__phq9_9",
            "demo__role",
            "demo__unit",
            "open__1",
            "x",
        ]
    ),
    st.one_of(st.text(max_size=300), st.integers(-(10**12), 10**12).map(str), st.just("")),
    max_size=8,
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(payload=MALFORMED)
def test_malformed_payloads_never_500_and_never_store_a_partial_response(client, wave, payload):
    url, _page = _open(client, wave)
    response = client.post(url, payload)
    assert response.status_code in (200, 303, 400)
    assert Response.objects.count() == 0
    assert Score.objects.count() == 0


def test_the_schema_cannot_join_a_response_to_a_token_or_a_person():
    """From the database alone no response can be joined to a token, a user or a visit."""
    response_fields = {f.name: f for f in Response._meta.get_fields()}
    token_fields = {f.name: f for f in InvitationToken._meta.get_fields()}
    for field in response_fields.values():
        related = getattr(field, "related_model", None)
        assert related not in {InvitationToken}, field
        assert getattr(related, "__name__", "") not in {
            "User",
            "Membership",
            "OpenLink",
            "InvitationToken",
        }, field
        assert not isinstance(field, models.DateTimeField), (
            f"{field.name}: a time of day could be matched to a token's use"
        )
        assert not isinstance(field, models.GenericIPAddressField)
    assert not any(
        isinstance(f, (models.DateTimeField, models.DateField)) for f in token_fields.values()
    )
    assert (
        "response" not in token_fields
        and "user_agent" not in response_fields
        and "ip" not in response_fields
    )


def test_a_token_response_leaves_no_trace_of_the_token(client, wave, walk):
    (token,) = actions.issue_tokens(wave=wave, count=1)
    walk(client, f"/t/{token}/")
    settle_all()  # publishing results settles the sealed submissions
    row = Response.objects.values().get()
    flat = " ".join(str(v) for v in row.values())
    token_row = InvitationToken.objects.values().get()
    assert token not in flat and token_row["token_hash"] not in flat
    assert set(token_row) == {"id", "wave_id", "unit_id", "token_hash", "used"}


def test_the_survey_speaks_spanish_and_says_which_instruments_are_english_only(client, wave):
    from django.conf import settings as django_settings

    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "es"
    url, page = _open(client, wave)
    intro = page.content.decode()
    assert "Sus respuestas son anónimas" in intro
    assert "Comenzar la encuesta" in intro
    assert "Llame o envíe un mensaje de texto al" in intro  # the crisis banner too
    key = page.context["idempotency_key"]
    page = client.post(
        url, {"idempotency_key": key, "step": "0", "go": "next"}, follow=True
    ).content.decode()
    assert "solo está disponible en inglés" in page
    assert 'lang="en">Overall, based on your definition of burnout' in page
    error = client.post(url, {"idempotency_key": key, "step": "1", "go": "next"}).content.decode()
    assert "Elija una respuesta para esta pregunta." in error
    assert "Revise 1 respuesta" in error


def test_a_draft_the_instruments_no_longer_accept_is_asked_again(client, wave):
    url, page = _open(client, wave)
    draft = respond.Draft.unsealed(client.cookies["wb_draft"].value, url)
    stale = {"single-item-burnout": [9], "who5": [3] * 5, "phq9": [0] * 9}  # 9 is not a code
    client.cookies["wb_draft"] = replace(draft, answers=stale).sealed(url)
    last = len(page.context["flow"].steps) - 1
    response = client.post(
        url,
        {"idempotency_key": page.context["idempotency_field"], "step": str(last), "go": "submit"},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("?step=1")
    assert Response.objects.count() == 0


def test_the_organization_wide_link_asks_for_the_unit_even_when_the_survey_does_not(
    client, org, units, org_admin, walk
):
    survey = actions.create_survey(
        organization=org,
        name="No unit question",
        instruments=["single-item-burnout"],
        actor=org_admin,
    )
    now = timezone.now()
    wave = actions.create_wave(
        survey=survey, name="W", opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=5)
    )
    actions.open_links(wave=wave, units=[None, units["icu"]], actor=org_admin)
    actions.set_wave_status(wave=wave, status="open", actor=org_admin)
    flow = _open(client, wave)[1].context["flow"]
    assert flow.demographics == ["unit"] and "about" in flow.steps
    # A unit's own link knows its unit and does not ask.
    assert "about" not in _open(Client(), wave, units["icu"])[1].context["flow"].steps
    answers = {"single-item-burnout": [3]}
    walk(Client(), _link(wave), answers=answers, demo={"unit": str(units["night"].pk)})
    walk(Client(), _link(wave), answers=answers, demo={"unit": "prefer_not"})
    settle_all()  # publishing results settles the sealed submissions
    stored = sorted((r.unit_id or 0 for r in Response.objects.filter(wave=wave)), key=lambda pk: pk)
    assert stored == sorted([units["night"].pk, 0])
