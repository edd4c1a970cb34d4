import pytest

pytestmark = pytest.mark.browser

PAGES = {
    "home": "/",
    "plan": "/plan/",
    "priority-area": "/plan/{first_area}/",
    "conceptual-model": "/plan/conceptual-model/",
    "about": "/about/",
    "campaign": "/campaign/",
    "measure": "/measure/",
    "hub": "/hub/",
    "engage": "/engage/",
    "updates": "/engage/updates/",
}


def _path(name):
    from wellbeing.plan.models import PriorityArea

    return PAGES[name].format(first_area=PriorityArea.objects.order_by("number").first().slug)


@pytest.mark.parametrize("name", list(PAGES))
def test_public_page_renders_accessibly_with_the_crisis_banner(site, name):
    site.open(_path(name))
    site.assert_crisis_banner_visible()
    site.assert_accessible()
    site.assert_no_horizontal_scroll()
    assert site.console_errors == [], site.console_errors  # includes CSP violations
    if name in {"home", "priority-area", "conceptual-model", "updates"}:
        site.screenshot(f"{name}-{site.viewport}")


def test_the_sign_up_form_shows_errors_accessibly(site):
    site.open("/engage/updates/")
    site.page.fill("#id_email", "not-an-email")
    site.page.click("main button[type=submit]")
    site.page.wait_for_selector(".usa-alert--error")
    assert "Enter an email address in the format name@example.org." in site.page.inner_text("main")
    assert "Tick the box" in site.page.inner_text("main")
    site.assert_crisis_banner_visible()
    site.assert_accessible()
    if site.viewport == "phone":
        site.screenshot("updates-error-phone")


def test_the_sign_up_form_accepts_a_valid_address(site):
    from wellbeing.engage.models import Subscriber

    site.open("/engage/updates/")
    site.page.fill("#id_email", f"{site.viewport}@example.org")
    site.page.click("label[for=id_consent]")  # USWDS hides the native box behind its label
    site.page.click("main button[type=submit]")
    site.page.wait_for_url("**/engage/updates/thanks/")
    # Double opt-in: the address is stored, and nothing is sent until the mailed link is opened.
    assert site.page.locator("h1").inner_text() == "Check your email"
    stored = Subscriber.objects.get(email=f"{site.viewport}@example.org")
    assert stored.confirmed_at is None


def test_the_phone_menu_opens_and_reaches_the_plan(open_site):
    site = open_site("phone")
    site.open("/")
    menu = site.page.get_by_role("button", name="Menu")
    assert menu.is_visible()
    menu.click()
    site.page.get_by_role("link", name="Plan", exact=True).click()
    site.page.wait_for_url("**/plan/")
    assert site.console_errors == []


def _visible_switch(site):
    """The header's language switch shown at this width (one for phones, one for wide screens)."""
    return site.page.locator('[data-testid="language-switch"] button:visible')


def test_the_language_switch_keeps_the_visitor_on_the_same_page_in_spanish(site):
    site.open("/engage/gallery/?medium=writing")
    assert site.page.get_attribute("html", "lang") == "en"
    switch = _visible_switch(site)
    assert switch.count() == 1 and switch.inner_text() == "Español"
    switch.click()
    site.page.wait_for_selector("h1:has-text('Expresiones de bienestar')")
    assert site.page.url.endswith("/engage/gallery/?medium=writing")
    assert site.page.get_attribute("html", "lang") == "es"
    assert site.page.locator("#filter-medium").input_value() == "writing"
    site.assert_crisis_banner_visible()
    site.assert_accessible()
    site.assert_no_horizontal_scroll()
    site.open("/")  # the choice stays for the next pages
    assert site.page.locator("h1").inner_text().startswith("Cuidar a quienes cuidan.")
    assert _visible_switch(site).inner_text() == "English"
    site.screenshot(f"home-es-{site.viewport}")
    _visible_switch(site).click()
    site.page.wait_for_selector("h1:has-text('Care for the people who care.')")


def test_the_language_switch_works_without_javascript(browser, live_server, national_plan):
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/about/")
        page.locator('[data-testid="language-switch"] button:visible').click()
        page.wait_for_selector("h1:has-text('Acerca de')")
        assert page.url == live_server.url + "/about/"
    finally:
        context.close()


SPANISH_PAGES = {
    "home": "/",
    "about": "/about/",
    "measure": "/measure/",
    "engage": "/engage/",
    "updates": "/engage/updates/",
    "events": "/engage/events/",
    "gallery-submit": "/engage/gallery/submit/",
    "contact": "/engage/contact/",
}


@pytest.mark.parametrize("name", list(SPANISH_PAGES))
def test_public_pages_in_spanish_pass_axe_on_a_phone(open_site, name):
    site = open_site("phone")
    site.page.context.add_cookies(
        [{"name": "django_language", "value": "es", "url": site.base_url}]
    )
    site.open(SPANISH_PAGES[name])
    assert site.page.get_attribute("html", "lang") == "es"
    site.assert_crisis_banner_visible()
    site.assert_accessible()
    site.assert_no_horizontal_scroll()
    assert site.console_errors == [], site.console_errors
