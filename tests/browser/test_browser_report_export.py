"""The report's filters, the record export's confirmation and the staff DP page, with axe-core."""

import pytest

pytestmark = pytest.mark.browser


def _sign_in(site, email):
    from wellbeing.accounts.demo import DEMO_PASSWORD

    site.open("/accounts/login/")
    site.page.fill("#id_username", email)
    site.page.fill("#id_password", DEMO_PASSWORD)
    site.page.click("main button[type=submit]")
    site.page.wait_for_url(lambda url: "/login/" not in url)


def test_the_filtered_report_and_the_export_form_are_accessible(open_site, transactional_db):
    from wellbeing.accounts.demo import load_demo
    from wellbeing.surveys.demo import load_survey_demo

    world = load_demo()
    survey = load_survey_demo(world.organization, world.admin)
    site = open_site("desktop")
    _sign_in(site, world.admin.email)
    # The open autumn wave's interim results offer no record export: files come from a
    # closed wave's final results, such as the spring wave's.
    autumn = survey.waves.order_by("opens_at").last()
    site.open(f"/measure/{world.organization.slug}/waves/{autumn.pk}/report/")
    assert site.page.get_by_role("link", name="Responses (generalised)").count() == 0
    wave = survey.waves.order_by("opens_at").first()
    base = f"/measure/{world.organization.slug}/waves/{wave.pk}"
    site.open(f"{base}/report/")
    site.page.select_option("#filter-by", "role")
    site.page.click("form[method=get] button[type=submit]")
    site.page.wait_for_selector("#breakdown")
    assert site.page.locator("#breakdown tbody tr").count() > 0
    site.assert_accessible()
    site.page.get_by_role("link", name="Responses (generalised)").click()
    site.page.wait_for_selector("text=What the file contains")
    site.assert_crisis_banner_visible()
    site.assert_accessible()
    assert site.console_errors == [], site.console_errors
    site.page.get_by_role("button", name="Download the responses").click()  # not confirmed
    site.page.wait_for_selector("text=Tick the box to confirm")
    site.assert_accessible()
    # The only console message is the browser noting the form's 400 answer.
    assert all("status of 400" in e for e in site.console_errors), site.console_errors


def test_the_staff_page_of_private_aggregates_is_accessible(open_site, transactional_db):
    from wellbeing.accounts.demo import load_demo
    from wellbeing.surveys.demo import load_survey_demo

    world = load_demo()
    load_survey_demo(world.organization, world.admin)
    site = open_site("desktop")
    _sign_in(site, world.staff.email)
    site.open("/staff/campaign-aggregates/")
    assert site.page.get_by_role("heading", name="Privacy budget").is_visible()
    site.assert_accessible()
    assert site.console_errors == [], site.console_errors


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_staff_aggregates_and_support_pages_fit_the_screen(
    open_site, transactional_db, viewport
):
    from wellbeing.accounts.demo import load_demo
    from wellbeing.reports import actions, door
    from wellbeing.surveys.demo import load_survey_demo

    world = load_demo()
    load_survey_demo(world.organization, world.admin)
    door.release_campaign_aggregates(world.staff)
    door.release_campaign_aggregates(world.staff)  # a second row in the releases table
    for days in (3, 7):  # one grant replaced (past access), one current
        actions.grant_support_access(
            organization=world.organization, staff_user=world.staff, days=days, actor=world.admin
        )
    staff = open_site(viewport)
    _sign_in(staff, world.staff.email)
    for path in ("/staff/campaign-aggregates/", "/staff/support-access/"):
        staff.open(path)
        staff.assert_no_horizontal_scroll()
        staff.assert_accessible()
    admin = open_site(viewport)
    _sign_in(admin, world.admin.email)
    admin.open(f"/measure/{world.organization.slug}/support-access/")
    assert admin.page.get_by_role("button", name="Revoke").count() == 1
    admin.assert_no_horizontal_scroll()
    admin.assert_accessible()
    assert staff.console_errors == [] and admin.console_errors == []
