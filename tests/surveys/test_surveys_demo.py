"""The demo survey as a respondent and an admin meet it: real wording, no developer words."""

import re

import pytest
from django.test import Client
from tests.conftest import enter, survey_pages

from wellbeing.surveys import scoring
from wellbeing.surveys.demo import INSTRUMENTS

# What once reached people: placeholders, an empty choice as a radio, a field name as a label.
DEVELOPER_WORDS = re.compile(r"placeholder|\[Demo|-{5,}|Careerstage|career_stage|pesnwi_", re.I)


@pytest.fixture
def demo(db):
    from wellbeing.accounts.demo import load_demo
    from wellbeing.surveys.demo import load_survey_demo

    world = load_demo()
    return world, load_survey_demo(world.organization, world.admin)


def _main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def _text(html: str) -> str:
    """What a person reads of the page's main part (field names in attributes are not read)."""
    return re.sub(r"<[^>]+>", " ", _main(html))


def test_the_demo_fields_only_instruments_whose_wording_ships(demo):
    _world, survey = demo
    version = survey.current_version
    assert version.instruments == INSTRUMENTS and not version.licensed_text
    for instrument_id in version.instruments:
        instrument = scoring.get_instrument(instrument_id)
        assert all(item.text and not item.text_supplied_by_licensee for item in instrument.items)
        assert scoring.missing_licensed_text([instrument_id], {}) == []


def test_every_page_of_the_demo_survey_reads_as_written_for_people(demo):
    _world, survey = demo
    wave = survey.waves.order_by("opens_at").last()
    client = Client()
    url, page = enter(client, wave.links.get(unit=None).get_absolute_url())
    flow = page.context["flow"]
    answers = {"single-item-burnout": [3], "who5": [2] * 5, "phq2": [1, 1]}
    pages = survey_pages(flow, page.context["idempotency_field"], answers)
    htmls = [page.content.decode()]
    for index, data in enumerate(pages[:-1]):
        client.post(url, data)
        htmls.append(client.get(f"{url}?step={index + 1}").content.decode())
    htmls.append(client.post(url, pages[-1]).content.decode())
    for step, html in zip(["intro", *flow.steps[1:], "feedback"], htmls, strict=True):
        assert not DEVELOPER_WORDS.search(_text(html)), (step, DEVELOPER_WORDS.search(_text(html)))
    about = _main(htmls[flow.steps.index("about")])
    # One "Optional" per question, and each question its own words.
    assert about.count(">Optional<") == len(flow.demographics) == 4
    assert "Which best describes your career stage?" in about
    comments = _main(htmls[flow.steps.index("comments")])
    assert comments.count("(optional)") == len(flow.open_questions) == 1


def test_the_survey_page_names_the_questions_about_respondents_in_words(client, demo):
    world, survey = demo
    client.force_login(world.admin)
    text = _text(client.get(survey.get_absolute_url()).content.decode())
    assert "Career stage: “Which best describes your career stage?”" in text
    assert "Time at this organization: “How long have you worked at this organization?”" in text
    assert not DEVELOPER_WORDS.search(text) and "tenure" not in text
