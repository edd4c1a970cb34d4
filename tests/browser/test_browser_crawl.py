"""The acceptance crawl of issue #21: every page the URL patterns name, opened by a reader the
authorization matrix lets read it, in English and in Spanish, on a phone and on a desktop.

Django's test client reads every page in both languages (it opens, and shows no placeholder
and no developer name) and follows every internal link once. Chromium then opens every HTML
page at 390 px (no sideways scroll, axe-core clean) and at 1280 px (axe-core clean) in
English, and the public pages at 390 px in Spanish.

One test: the world (tests/browser/_crawl.py) is built once, and every problem is collected
before the one assertion, so a run lists them all. After it: tests of what the crawl looks
for, and of the keyboard and phone behaviours of item 10 (focus after a failed submit, the
crisis banner's focus ring, a wide table scrolling in its own region).
"""

import pytest
from _crawl import (
    BrowserChecks,
    build_world,
    html_pages,
    internal,
    internal_links,
    make_actors,
    read,
    targets,
    unfinished,
    visit,
)

pytestmark = pytest.mark.browser
LANGUAGES = ("en", "es")


@pytest.fixture
def crawl(national_plan, settings, tmp_path):
    """The Plan, the hub's seed content and the operations world, with their pages' readers."""
    from wellbeing.hub.seed import load_seed

    settings.MEDIA_ROOT = tmp_path / "media"
    load_seed()
    actors = make_actors()
    world = build_world(actors)
    return actors.users, targets(world.kwargs)


def signed_in_clients(users: dict, actors: set[str]) -> dict:
    """A test client per reader and language, each signed in once."""
    from django.conf import settings
    from django.test import Client

    made = {}
    for actor in actors:
        for language in LANGUAGES:
            client = Client()
            if actor != "anonymous":
                client.force_login(users[actor])
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            made[actor, language] = client
    return made


def read_site(pages: list, clients: dict) -> dict:
    """Every page in English; in Spanish too when it is HTML (a file has no language)."""
    visits = {}
    for target in pages:
        english = visits[target, "en"] = visit(clients[target.actor, "en"], target.url)
        if english.html:
            visits[target, "es"] = visit(clients[target.actor, "es"], target.url)
    return visits


def problems_of(where: str, seen) -> list[str]:
    """A page that fails to open, or shows a placeholder or a developer's name."""
    problems = [f"{where}: status {seen.status}"] if seen.status >= 400 else []
    if seen.html:
        problems += [f"{where}: {found}" for found in unfinished(read(seen.html).text)]
    return problems


def page_problems(visits: dict) -> list[str]:
    problems = []
    for (target, language), seen in visits.items():
        problems += problems_of(f"{target.name} [{target.actor}, {language}] {target.url}", seen)
    return problems


def link_problems(visits: dict, clients: dict) -> list[str]:
    """Internal links that do not open or open unfinished (every Plan area, case study and
    resource the crawled pages link to), each read once per language by a reader of its page."""
    problems = []
    for (path, language), (actor, page) in internal_links(visits).items():
        seen = visit(clients[actor, language], path)
        problems += problems_of(f"link {path} [{actor}, {language}] on {page}", seen)
    return problems


def browser_problems(browser, base_url: str, clients: dict, checked_page, visits) -> list[str]:
    """English pages at both widths, public Spanish pages on a phone, in signed-in tabs."""
    from django.conf import settings

    def cookies(actor: str, language: str) -> dict[str, str]:
        session = clients[actor, language].cookies.get(settings.SESSION_COOKIE_NAME)
        signed_in = {settings.SESSION_COOKIE_NAME: session.value} if session else {}
        return {settings.LANGUAGE_COOKIE_NAME: language, **signed_in}

    checks = BrowserChecks(browser, base_url, cookies, checked_page)
    try:
        for target in html_pages(visits, "en"):
            checks.check(target, "en", ("phone", "desktop"))
        for target in html_pages(visits, "es", readers={"anonymous"}):
            checks.check(target, "es", ("phone",))
    finally:
        problems = checks.finish()
    return problems


@pytest.mark.slow
def test_every_page_is_finished_linked_and_accessible_in_english_and_spanish(
    crawl, live_server, browser, checked_page
):
    users, (pages, unknown) = crawl
    names = {t.name for t in pages}
    assert {t.actor for t in pages} == {"anonymous", "member", "admin_a", "staff"}
    assert {"plan:priority_area", "surveys:respond_link", "reports:wave_report"} <= names
    assert {"campaign:dashboard", "api_pages:tokens", "hub:case_study"} <= names

    clients = signed_in_clients(users, {t.actor for t in pages})
    visits = read_site(pages, clients)
    home = next(t for t in pages if t.name == "core:home")
    assert '<html lang="es"' in visits[home, "es"].html  # the Spanish crawl reads Spanish
    problems = [f"{name}: no row in the authorization matrix, not crawled" for name in unknown]
    problems += page_problems(visits) + link_problems(visits, clients)

    problems += browser_problems(browser, live_server.url, clients, checked_page, visits)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(sorted(set(problems)))


# What the crawl looks for, on pages written for the purpose.


def test_the_crawl_reads_placeholders_and_developer_names_but_not_code_or_addresses():
    html = """<html><body><main>
      <h1 title="Careerstage">Goal 4: TO BE COMPLETED</h1>
      <p>Choose your career_stage. Column <code>record_id</code> holds the id.</p>
      <pre>redcap_event_name</pre>
      <p>Write to first_last@example.org or see https://example.org/a_b/ and /hub/x_y/.</p>
      <p>Map the columns of spring_2025_export.csv.</p>
      <select><option>---------</option></select>
      <script>var snake_case_in_script = 1;</script>
    </main></body></html>"""
    found = unfinished(read(html).text)
    assert found == [
        "'---------'",
        "'Careerstage'",
        "'to be completed'",
        "developer name 'career_stage'",
    ]


def test_the_crawl_follows_links_to_our_own_pages_only():
    page = "/plan/"
    assert internal("/plan/area-1/#goals", page) == "/plan/area-1/"
    assert internal("area-2/?tab=goals", page) == "/plan/area-2/?tab=goals"
    assert internal("http://testserver/hub/", page) == "/hub/"
    for elsewhere in (
        "https://nam.edu/plan/",
        "mailto:wellbeing@example.org",
        "tel:988",
        "/static/core/site.css",
        "/admin/",
        "/accounts/logout/",
    ):
        assert internal(elsewhere, page) is None, elsewhere


# Keyboards and phones (issue #21, item 10).


def test_a_failed_submit_moves_focus_to_the_error_summary_whose_links_reach_the_fields(
    open_site,
):
    site = open_site("phone")
    site.open("/engage/updates/")
    site.page.fill("#id_email", "not-an-email")
    site.page.click("main button[type=submit]")
    site.page.wait_for_selector("[data-error-summary]")
    focused = "document.activeElement"
    assert site.page.evaluate(f"{focused}.hasAttribute('data-error-summary')")
    site.page.keyboard.press("Tab")
    assert site.page.evaluate(f"{focused}.getAttribute('href')") == "#id_email"
    site.page.keyboard.press("Enter")
    assert site.page.evaluate(f"{focused}.id") == "id_email"
    site.page.locator("[data-error-summary] a[href='#id_consent']").click()
    assert site.page.evaluate(f"{focused}.id") == "id_consent"
    site.assert_accessible()


def test_a_survey_question_left_unanswered_is_reached_from_the_summary(open_site, wave):
    site = open_site("phone")
    site.open(wave.links.filter(unit__isnull=True).get().get_absolute_url())
    site.page.get_by_role("button", name="Start the survey").click()
    site.page.wait_for_selector("fieldset.wb-question")
    site.page.get_by_role("button", name="Next").click()
    site.page.wait_for_selector("[data-error-summary]")
    assert site.page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    site.page.locator("[data-error-summary] a").first.click()
    # The link names the question's legend; focus goes to its first answer, a radio button.
    focused = site.page.evaluate("[document.activeElement.type, document.activeElement.name]")
    first_radio = site.page.locator("fieldset.wb-question input[type=radio]").first
    assert focused == ["radio", first_radio.get_attribute("name")]


def test_the_focus_ring_on_the_crisis_banner_contrasts_with_the_banner(open_site):
    site = open_site("desktop")
    site.open("/")
    link = site.page.locator('[data-testid="crisis-banner"] a[href="tel:988"]')
    link.focus()
    ring = link.evaluate(
        "a => { const s = getComputedStyle(a); return [s.outlineColor, s.outlineStyle,"
        " parseFloat(s.outlineWidth), s.boxShadow]; }"
    )
    banner = site.page.locator('[data-testid="crisis-banner"] .usa-alert__body').evaluate(
        "e => getComputedStyle(e).backgroundColor"
    )
    outline, style, width, shadow = ring
    assert style == "solid" and width >= 2
    assert contrast(outline, banner) >= 3, (outline, banner)
    assert contrast(outline, "rgb(255, 255, 255)") >= 3  # the page around the banner
    assert "rgb(255, 255, 255)" in shadow  # the inner ring, 6.8:1 against the banner


def contrast(one: str, other: str) -> float:
    """WCAG 2.1 contrast ratio of two computed ``rgb(r, g, b)`` colours."""

    def luminance(rgb: str) -> float:
        channels = [int(c) / 255 for c in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_api_token_table_scrolls_in_its_own_region_on_a_phone(open_site, org, org_admin):
    from datetime import timedelta

    from django.test import Client
    from django.utils import timezone

    from wellbeing.api import actions

    actions.create_token(
        organization=org,
        name="Board dashboard for the quarterly well-being review",
        scopes=["surveys:read", "reports:read", "progress:read", "progress:write"],
        expires_at=timezone.now() + timedelta(days=30),
        actor=org_admin,
    )
    client = Client()
    client.force_login(org_admin)
    site = open_site("phone")
    site.page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": site.base_url}]
    )
    site.open(f"/measure/{org.slug}/api-tokens/")
    region = site.page.get_by_role("region", name="API tokens")
    assert region.get_attribute("tabindex") == "0"  # keyboard users can scroll it
    assert region.evaluate("r => r.scrollWidth > r.clientWidth")  # the table scrolls inside it
    site.assert_no_horizontal_scroll()
    site.assert_accessible()


# Alerts that report a state rather than a failed submit: no focus is moved to them.
STATUS_ALERTS = {
    "campaign/manage.html",  # a declined sign-on
    "engage/consultations/verify_failed.html",  # a link that does not work
    "engage/updates/link_failed.html",
    "surveys/imports/_progress.html",  # an import that failed in the background
}


def test_every_error_alert_of_a_form_is_an_error_summary_that_takes_focus():
    """core/site.js focuses the first [data-error-summary] of a page: a form's error alert
    without the attribute leaves keyboard and screen-reader users at the top of the page."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "src" / "wellbeing"
    unmarked, marked = [], 0
    for template in root.glob("*/templates/**/*.html"):
        name = template.as_posix().split("/templates/", 1)[1]
        if name in STATUS_ALERTS:
            continue
        for line in template.read_text().splitlines():
            marked += "data-error-summary" in line
            if "usa-alert--error" in line and "data-error-summary" not in line:
                unmarked.append(f"{name}: {line.strip()[:80]}")
    assert not unmarked, "\n".join(unmarked)
    assert marked >= 25  # the forms' summaries were found (the partials count once each)
