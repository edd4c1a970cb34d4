"""The respondent's path in Spanish: every page, error and refusal; instruments in English
unless a published translation ships with their definition, and then scored the same."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from tests.conftest import complete_answers, enter, settle_all, survey_pages

import instruments
from wellbeing.surveys import actions
from wellbeing.surveys.models import Score

DEFINITIONS = Path(instruments.__file__).parent / "definitions"
# Test data marked "[test]", not a translation of the PHQ-2 (none ships: docs/instruments.md).
TEST_TRANSLATION = """
[translations.es]
stem = "[test] enunciado"
items = ["[test] pregunta 1", "[test] pregunta 2"]
source = "https://example.org/phq2-test-translation.pdf"
evidence = "V"

[translations.es.options]
frequency = ["[test] nunca", "[test] varios", "[test] mitad", "[test] casi"]
"""
ENGLISH_ONLY = "Este cuestionario solo está disponible en inglés"


def _spanish(client=None):
    client = client or Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    return client


def _link(wave, unit=None):
    return wave.links.get(unit=unit).get_absolute_url()


def test_every_page_of_the_path_is_in_spanish_and_each_instrument_says_english_only(wave):
    client = _spanish()
    url, page = enter(client, _link(wave))
    flow, signed = page.context["flow"], page.context["idempotency_field"]
    assert "Sus respuestas son anónimas" in page.content.decode()
    pages = survey_pages(flow, signed, complete_answers(burnout=4), comment="Más personal.")
    seen = {}
    for index, data in enumerate(pages[:-1]):
        assert client.post(url, data).status_code == 303
        seen[flow.steps[index + 1]] = client.get(f"{url}?step={index + 1}").content.decode()
    for instrument in flow.instruments:
        html = seen[instrument.id]
        assert ENGLISH_ONLY in html and "Siguiente" in html and "Atrás" in html
        assert html.count(ENGLISH_ONLY) == 1
    assert "Sobre usted" in seen["about"] and "¿Qué describe mejor su función?" in seen["about"]
    assert "Prefiero no decirlo" in seen["about"] and "Opcional" in seen["about"]
    assert "En sus propias palabras" in seen["comments"] and "(opcional)" in seen["comments"]
    assert "Enviar mis respuestas" in seen["comments"]
    final = client.post(url, pages[-1]).content.decode()
    assert "Gracias: sus respuestas se han guardado" in final and "Recursos" in final
    assert "Rango posible de 0 a 100. Las puntuaciones más altas son mejores." in final


def test_errors_in_spanish_name_the_question_that_needs_an_answer(wave):
    client = _spanish()
    url, page = enter(client, _link(wave))
    signed = page.context["idempotency_field"]
    client.post(url, {"idempotency_key": signed, "step": "0", "go": "next"})
    error = client.post(url, {"idempotency_key": signed, "step": "2", "go": "next"})
    html = error.content.decode()
    assert error.status_code == 400
    assert "Revise 5 respuestas" in html and "Elija una respuesta para esta pregunta." in html
    assert "<title>Error:" in html


def test_closed_used_unknown_and_expired_links_explain_themselves_in_spanish(wave, org_admin, walk):
    (token,) = actions.issue_tokens(wave=wave, count=1)
    walk(Client(), f"/t/{token}/")
    used = _spanish().get(f"/t/{token}/").content.decode()
    assert "Este enlace ya se ha usado" in used and "Siempre hay apoyo disponible" in used
    unknown = _spanish().get("/s/no-such-link-at-all-here/").content.decode()
    assert "No se encontró el enlace de la encuesta" in unknown
    restart = _spanish().get("/r/AAAAAAAAAAAAAAAAAAAAAA/").content.decode()
    assert "Abra de nuevo el enlace de su encuesta" in restart
    assert "Esta página de la encuesta solo funciona en el navegador" in restart
    actions.set_wave_status(wave=wave, status="closed", actor=org_admin)
    closed = _spanish().get(_link(wave)).content.decode()
    assert "Esta encuesta está cerrada" in closed


# -- an instrument with a published translation ------------------------------------------------


@pytest.fixture
def translated(tmp_path, monkeypatch, org, org_admin):
    """A survey of a PHQ-2 declared with a Spanish translation (test wording) and its wave."""
    text = (DEFINITIONS / "phq2.toml").read_text(encoding="utf-8")
    text = text.replace('id = "phq2"', 'id = "phq2-es"')
    text = text.replace('languages = ["en"]', 'languages = ["en", "es"]') + TEST_TRANSLATION
    (tmp_path / "phq2-es.toml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("INSTRUMENTS_PATH", str(tmp_path))
    instruments.clear_cache()
    survey = actions.create_survey(
        organization=org, name="Translated", instruments=["phq2-es", "who5"], actor=org_admin
    )
    now = timezone.now()
    wave = actions.create_wave(
        survey=survey, name="W", opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=5)
    )
    actions.open_links(wave=wave, units=[None], actor=org_admin)
    actions.set_wave_status(wave=wave, status="open", actor=org_admin)
    yield wave
    instruments.clear_cache()


def _instrument_page(client, wave, step=1):
    url, page = enter(client, _link(wave))
    client.post(
        url, {"idempotency_key": page.context["idempotency_field"], "step": "0", "go": "next"}
    )
    return client.get(f"{url}?step={step}").content.decode()


def test_a_translated_instrument_is_shown_in_spanish_with_its_own_wording(translated):
    html = _instrument_page(_spanish(), translated)
    assert ENGLISH_ONLY not in html
    assert 'lang="es">[test] pregunta 1</legend>' in html
    assert (
        'lang="es">[test] casi</label>' in html
        and '<p class="usa-intro" lang="es">[test] enunciado' in html
    )
    # The next instrument has no translation: English, with the note.
    after = _instrument_page(_spanish(), translated, step=2)
    assert ENGLISH_ONLY in after and 'lang="en">I have felt cheerful' in after


def test_an_english_reader_sees_the_original_wording(translated):
    html = _instrument_page(Client(), translated)
    assert 'lang="en">Little interest or pleasure in doing things</legend>' in html
    assert "[test]" not in html and "English only" not in html


def test_the_language_of_the_wording_does_not_change_the_score(translated, walk):
    answers = {"phq2-es": [3, 2], "who5": [3, 3, 3, 3, 3]}
    walk(_spanish(), _link(translated), answers=answers)
    walk(Client(), _link(translated), answers=answers)
    settle_all()
    totals = Score.objects.filter(instrument="phq2-es", scale="total").values_list(
        "value", flat=True
    )
    assert sorted(totals) == [5.0, 5.0]
