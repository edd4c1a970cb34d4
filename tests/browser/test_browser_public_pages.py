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
    site.page.click("button[type=submit]")
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
    site.page.click("button[type=submit]")
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
