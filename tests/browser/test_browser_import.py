"""Importing a file of responses in the browser, the API token page and the API docs, with axe-core."""

import csv
from datetime import timedelta

import pytest

pytestmark = pytest.mark.browser

WHO5 = [f"who5_{n}" for n in range(1, 6)]


def _sign_in(site, email):
    from wellbeing.accounts.demo import DEMO_PASSWORD

    site.open("/accounts/login/")
    site.page.fill("#id_username", email)
    site.page.fill("#id_password", DEMO_PASSWORD)
    site.page.click("main button[type=submit]")
    site.page.wait_for_url(lambda url: "/login/" not in url)


def _file(tmp_path, name, rows):
    path = tmp_path / name
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ResponseId", "burnout", *WHO5, "role"])
        writer.writerows(rows)
    return path


def _historical_wave(world):
    from django.utils import timezone

    from wellbeing.surveys import actions

    survey = actions.create_survey(
        organization=world.organization,
        name="2024 pulse (synthetic)",
        instruments=["single-item-burnout", "who5"],
        demographics=["role"],
        actor=world.admin,
    )
    now = timezone.now()
    return actions.create_wave(
        survey=survey,
        name="2024",
        opens_at=now - timedelta(days=500),
        closes_at=now - timedelta(days=480),
        actor=world.admin,
    )


def _confirm_the_values(page):
    """Give each number the instrument's answer of that code, confirm every table, check again.

    A number with no such answer (a burnout "7") is left without one: its rows stay problems."""
    page.wait_for_selector("h2:has-text('What the values in the file mean')")
    for select in page.locator("select[name*='-answer-']").all():
        name = select.get_attribute("name")
        value = page.locator(f"input[name='{name.replace('-answer-', '-value-')}']").get_attribute(
            "value"
        )
        codes = select.locator("option").evaluate_all("(options) => options.map(o => o.value)")
        if not select.input_value() and value in codes:
            select.select_option(value)
    for box in page.locator("input[type=checkbox][name$='-confirm']").all():
        page.locator(f"label[for={box.get_attribute('id')}]").click()
    page.get_by_role("button", name="Check every row").click()


def test_an_admin_imports_a_file_and_sees_each_bad_row_first(open_site, transactional_db, tmp_path):
    from wellbeing.accounts.demo import load_demo
    from wellbeing.surveys.models import Response

    world = load_demo()
    wave = _historical_wave(world)
    rows = [[f"R_{i}", "2", "Most of the time", "3", "3", "3", "3", "Nurse"] for i in range(20)]
    bad = [list(r) for r in rows]
    bad[3][1] = "7"
    site = open_site("desktop")
    _sign_in(site, world.admin.email)
    site.open(f"/measure/{world.organization.slug}/waves/{wave.pk}/")
    site.page.get_by_role("link", name="Import responses from a file").click()
    site.page.wait_for_selector("h1:has-text('Import responses')")
    site.assert_accessible()
    site.page.set_input_files("#id_file", str(_file(tmp_path, "bad.csv", bad)))
    site.page.get_by_role("button", name="Upload and map the columns").click()
    site.page.wait_for_selector("h1:has-text('Map the columns')")
    site.assert_accessible()
    site.page.get_by_role("button", name="Check every row").click()
    _confirm_the_values(site.page)
    site.page.wait_for_selector("text=1 of 20 rows have problems")
    problems = site.page.locator("table", has_text="Problems, by row").locator("tbody tr")
    assert problems.count() == 1
    assert "burnout" in problems.inner_text()
    site.assert_accessible()
    assert Response.objects.filter(wave=wave).count() == 0
    site.open(f"/measure/{world.organization.slug}/waves/{wave.pk}/import/")
    site.page.set_input_files("#id_file", str(_file(tmp_path, "good.csv", rows)))
    site.page.get_by_role("button", name="Upload and map the columns").click()
    site.page.get_by_role("button", name="Check every row").click()
    _confirm_the_values(site.page)
    site.page.get_by_role("button", name="Import 20 rows").click()
    site.page.wait_for_selector("text=20 responses imported")
    assert site.page.locator("progress#import-bar").get_attribute("value") == "100"
    site.assert_crisis_banner_visible()
    site.assert_accessible()
    site.screenshot("import-done-desktop")
    assert Response.objects.filter(wave=wave).count() == 20
    assert all("status of 400" in e for e in site.console_errors), site.console_errors


def test_the_token_page_and_the_api_docs_work_under_the_csp(open_site, transactional_db):
    from wellbeing.accounts.demo import load_demo

    world = load_demo()
    site = open_site("desktop")
    _sign_in(site, world.admin.email)
    site.open(f"/measure/{world.organization.slug}/api-tokens/")
    site.page.fill("#id_name", "Board dashboard")
    site.page.click("label[for=id_scopes_1]")  # USWDS draws the box on the label
    site.page.get_by_role("button", name="Create the token").click()
    site.page.wait_for_selector("text=it is shown only once")
    assert site.page.locator("#new-token").input_value().startswith("wbt_")
    site.assert_accessible()
    site.open("/api/v1/docs")
    site.page.wait_for_selector(".swagger-ui .opblock", timeout=15_000)
    assert site.page.locator(".swagger-ui .opblock").count() >= 10
    assert site.console_errors == [], site.console_errors
