"""A clinician on a phone: open the link, answer every page, reload mid-way, submit, see feedback."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

pytestmark = pytest.mark.browser


@pytest.fixture
def open_wave(transactional_db):
    from wellbeing.accounts import actions as accounts
    from wellbeing.surveys import actions

    org = accounts.create_organization(
        name="Riverbend Health (synthetic)", kind="health_system", slug="riverbend"
    )
    icu = accounts.add_unit(organization=org, name="Intensive Care Unit")
    survey = actions.create_survey(
        organization=org,
        name="Clinician well-being survey",
        instruments=["single-item-burnout", "who5", "phq9"],
        demographics=["role"],
        open_questions=["What one change would most improve your well-being at work?"],
    )
    now = timezone.now()
    wave = actions.create_wave(
        survey=survey,
        name="Autumn",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=5),
    )
    (link,) = actions.open_links(wave=wave, units=[icu])
    actions.set_wave_status(wave=wave, status="open")
    return link


def _answer_page(page, choose_index):
    for fieldset in page.locator("fieldset.wb-question").all():
        labels = fieldset.locator("label.usa-radio__label")
        labels.nth(min(choose_index, labels.count() - 1)).click()


def test_a_clinician_completes_the_survey_on_a_phone(open_site, open_wave):
    from tests.conftest import settle_all

    from wellbeing.surveys.models import Response

    site = open_site("phone")
    site.open(open_wave.get_absolute_url())
    # The link only opens the survey: its pages live at an address without the link's key.
    address = urlsplit(site.page.url).path
    assert address.startswith("/r/") and open_wave.key not in site.page.url
    assert "Your answers are anonymous" in site.page.inner_text("main")
    site.assert_crisis_banner_visible()
    site.assert_accessible()
    site.assert_no_horizontal_scroll()
    site.screenshot("survey-1-start-phone")
    site.page.get_by_role("button", name="Start the survey").click()

    # Page 1: single-item burnout. Answer, then reload before moving on: the browser draft restores it.
    site.page.wait_for_selector("fieldset.wb-question")
    _answer_page(site.page, 2)
    site.page.reload()
    assert site.page.locator("fieldset.wb-question input:checked").count() == 1
    site.assert_accessible()
    site.screenshot("survey-2-question-phone")
    site.page.get_by_role("button", name="Next").click()

    # WHO-5, then PHQ-9 with item 9 above zero.
    site.page.wait_for_selector("text=WHO-5")
    _answer_page(site.page, 3)
    site.assert_accessible()
    site.page.get_by_role("button", name="Next").click()
    site.page.wait_for_selector("text=Patient Health Questionnaire-9")
    _answer_page(site.page, 0)
    site.page.locator("fieldset.wb-question").last.locator("label.usa-radio__label").nth(1).click()
    site.assert_accessible()
    site.page.get_by_role("button", name="Next").click()

    # Reload on a later page: answers of earlier pages are kept by the server-side draft.
    site.page.wait_for_selector("text=About you")
    site.page.reload()
    site.page.get_by_role("button", name="Back").click()
    site.page.wait_for_selector("text=Patient Health Questionnaire-9")
    assert site.page.locator("fieldset.wb-question input:checked").count() == 9
    site.page.get_by_role("button", name="Next").click()
    site.page.wait_for_selector("text=About you")
    site.page.get_by_text("Nurse", exact=True).click()
    site.assert_accessible()
    site.page.get_by_role("button", name="Next").click()
    site.page.wait_for_selector("text=In your own words")
    site.page.fill("textarea", "Protected time for breaks.")
    site.assert_accessible()
    site.page.get_by_role("button", name="Submit my answers").dblclick()

    site.page.wait_for_selector("text=Thank you: your answers are saved")
    assert urlsplit(site.page.url).path == address
    # The survey's state ends with the submission: neither the draft nor the way back is kept.
    assert not {"wb_draft", "wb_resume"} & {c["name"] for c in site.page.context.cookies()}
    alert = site.page.locator(".wb-support-first")
    assert alert.is_visible()
    assert "988" in alert.inner_text()
    box = alert.bounding_box()
    heading = site.page.locator("h1").bounding_box()
    assert box["y"] < heading["y"], "support must come before the results"
    site.assert_accessible()
    site.assert_no_horizontal_scroll()
    site.screenshot("survey-3-feedback-phone")
    assert site.console_errors == [], site.console_errors
    settle_all()  # publishing results settles the sealed submissions
    assert Response.objects.count() == 1  # the double click stored one response
    assert Response.objects.get().answers["phq9"][8] == 1


def test_the_spanish_survey_pages_are_accessible(open_site, open_wave):
    site = open_site("phone")
    site.open(open_wave.get_absolute_url())
    site.page.get_by_role("button", name="Español").click()
    site.page.wait_for_selector("text=Sus respuestas son anónimas")
    assert site.page.locator("html").get_attribute("lang") == "es"
    site.assert_accessible()
    site.page.get_by_role("button", name="Comenzar la encuesta").click()
    site.page.wait_for_selector("text=solo está disponible en inglés")
    site.assert_accessible()
    site.assert_crisis_banner_visible()


def test_a_spanish_respondent_reads_every_page_and_matched_resources_on_a_phone(
    open_site, open_wave
):
    from wellbeing.hub import actions as hub

    hub.upsert_resource(
        {
            "slug": "joy-in-work",
            "title": "A framework for joy in work (synthetic)",
            "summary": "A resource.",
            "kind": "toolkit",
            "url": "https://example.org/joy",
            "source": "https://example.org/joy",
            "status": "published",
        },
        factors=["organizational-factors"],
        priority_areas=["positive-work-and-learning-environments"],
    )
    site = open_site("phone")
    site.page.context.add_cookies(
        [{"name": "django_language", "value": "es", "url": site.base_url}]
    )
    site.open(open_wave.get_absolute_url())
    assert site.page.locator("html").get_attribute("lang") == "es"
    site.screenshot("survey-es-1-start-phone")
    site.page.get_by_role("button", name="Comenzar la encuesta").click()
    for heading in ("Single-item burnout measure", "WHO-5", "Patient Health Questionnaire-9"):
        site.page.wait_for_selector(f"text={heading}")
        assert "solo está disponible en inglés" in site.page.inner_text("main")
        _answer_page(site.page, 4)  # burned out; the WHO-5 and PHQ-9 answers as far as they go
        site.assert_accessible()
        site.assert_no_horizontal_scroll()
        site.page.get_by_role("button", name="Siguiente").click()
    site.page.wait_for_selector("text=Sobre usted")
    site.assert_accessible()
    site.page.get_by_role("button", name="Siguiente").click()
    site.page.wait_for_selector("text=En sus propias palabras")
    site.page.get_by_role("button", name="Enviar mis respuestas").click()
    site.page.wait_for_selector("text=Gracias: sus respuestas se han guardado")
    matched = site.page.locator("section", has_text="Recursos para lo que indican sus respuestas")
    assert "A framework for joy in work (synthetic)" in matched.inner_text()
    assert site.page.locator(".wb-support-first").is_visible()  # PHQ-9 item 9 was answered
    site.assert_accessible()
    site.assert_no_horizontal_scroll()
    site.screenshot("survey-es-2-feedback-phone")
    assert site.console_errors == [], site.console_errors


def test_the_organization_survey_pages_are_accessible(open_site, open_wave):
    from wellbeing.accounts import actions as accounts
    from wellbeing.accounts.models import User

    org = open_wave.wave.survey.organization
    admin = User.objects.create_user("admin@riverbend.test", "a-long-test-password")
    accounts.add_member(organization=org, user=admin, role="org_admin")
    site = open_site("desktop")
    site.open("/accounts/login/")
    site.page.fill("#id_username", "admin@riverbend.test")
    site.page.fill("#id_password", "a-long-test-password")
    site.page.click("main button[type=submit]")
    site.page.wait_for_url(lambda url: "/login/" not in url)
    for path in (
        f"/measure/{org.slug}/",
        open_wave.wave.survey.get_absolute_url(),
        open_wave.wave.get_absolute_url(),
        f"/measure/{org.slug}/surveys/new/",
        f"/measure/{org.slug}/surveys/{open_wave.wave.survey.pk}/waves/new/",
        # No results published yet: the page says when they come, with the publish button.
        f"/measure/{org.slug}/waves/{open_wave.wave.pk}/report/",
    ):
        site.open(path)
        site.assert_crisis_banner_visible()
        site.assert_accessible()
    assert site.console_errors == [], site.console_errors


def test_the_confidential_report_is_accessible(open_site, transactional_db):
    from wellbeing.accounts.demo import DEMO_PASSWORD, load_demo
    from wellbeing.surveys.demo import load_survey_demo

    world = load_demo()
    survey = load_survey_demo(world.organization, world.admin)
    wave = survey.waves.order_by("opens_at").last()
    site = open_site("desktop")
    site.open("/accounts/login/")
    site.page.fill("#id_username", world.admin.email)
    site.page.fill("#id_password", DEMO_PASSWORD)
    site.page.click("main button[type=submit]")
    site.page.wait_for_url(lambda url: "/login/" not in url)
    site.open(f"/measure/{world.organization.slug}/waves/{wave.pk}/report/")
    assert site.page.get_by_role("heading", name="Units at a glance").is_visible()
    assert site.page.locator("td.wb-heat-hidden").count() > 0  # the demo has small units
    site.assert_accessible()
    site.screenshot("report-desktop")
    assert site.console_errors == [], site.console_errors
