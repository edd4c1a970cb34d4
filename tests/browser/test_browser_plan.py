"""The National Plan's pages in Chromium: the model as a keyboard map, actor groups, completeness."""

import pytest

pytestmark = pytest.mark.browser


def _sign_in_staff(site, live_server):
    from django.test import Client

    from wellbeing.accounts.models import User

    staff = User.objects.create_user(f"staff-{site.viewport}@example.org", "a-long-test-password")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(staff)
    site.page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_model_is_a_map_a_keyboard_can_follow_to_each_factor(site, live_server, language):
    site.page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    site.open("/plan/conceptual-model/")
    site.assert_accessible()
    site.assert_no_horizontal_scroll()
    assert site.console_errors == [], site.console_errors

    link = site.page.locator('nav.wb-model a[href="#organizational-factors"]')
    link.focus()
    site.page.keyboard.press("Enter")
    site.page.wait_for_url("**#organizational-factors")
    heading = site.page.locator("#organizational-factors")
    assert heading.is_visible()
    top = heading.evaluate("el => el.getBoundingClientRect().top")
    assert 0 <= top < site.page.viewport_size["height"] / 2
    # The factor's section offers the hub and the report measures tied to it.
    section = site.page.locator("li.wb-domain", has=heading)
    assert "Staffing and Resource Adequacy" in section.inner_text()
    if language == "en":
        site.screenshot(f"conceptual-model-links-{site.viewport}")


@pytest.mark.parametrize(
    "path", ["/plan/actor-groups/", "/plan/actor-groups/federal-state-and-local-governments/"]
)
def test_the_actor_group_pages_are_accessible_at_both_widths(site, path):
    site.open(path)
    site.assert_crisis_banner_visible()
    site.assert_accessible()
    site.assert_no_horizontal_scroll()
    assert site.console_errors == [], site.console_errors


def test_the_completeness_page_is_accessible_for_staff_at_both_widths(site, live_server):
    _sign_in_staff(site, live_server)
    site.open("/plan/completeness/")
    assert "Goal 3.1" in site.page.inner_text("main")
    site.assert_accessible()
    site.assert_no_horizontal_scroll()
    assert site.console_errors == [], site.console_errors
