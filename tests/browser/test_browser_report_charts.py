"""The org admin reads the confidential report's charts, drills into a unit and downloads the PDF."""

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_report(transactional_db):
    from wellbeing.accounts.demo import load_demo
    from wellbeing.surveys.demo import load_survey_demo

    world = load_demo()
    survey = load_survey_demo(world.organization, world.admin)
    # The closed spring wave: its final results reach every unit (the open autumn wave's
    # interim results stop at the top-level units).
    return world, survey.waves.order_by("opens_at").first()


def _sign_in(site, email):
    from wellbeing.accounts.demo import DEMO_PASSWORD

    site.open("/accounts/login/")
    site.page.fill("#id_username", email)
    site.page.fill("#id_password", DEMO_PASSWORD)
    site.page.click("main button[type=submit]")
    site.page.wait_for_url(lambda url: "/login/" not in url)


def _chart_svg(site, chart_id):
    """The Vega SVG that charts.js draws into the chart's canvas."""
    svg = site.page.locator(f"#{chart_id}-canvas svg.marks")
    svg.wait_for(state="visible", timeout=15_000)
    return svg


def test_the_org_admin_reads_the_charts_drills_down_and_downloads_the_pdf(open_site, demo_report):
    world, wave = demo_report
    org = world.organization
    site = open_site("desktop")
    _sign_in(site, world.admin.email)
    site.open(f"/measure/{org.slug}/waves/{wave.pk}/report/")

    heatmap = _chart_svg(site, "chart-heatmap")
    # One cell label per unit and scale, hidden cells included, each saying its number or "Hidden".
    labels = heatmap.locator("text").all_text_contents()
    assert any("(n=" in text for text in labels)
    assert "Hidden" in labels  # the demo's Emergency Department is too small
    rates = _chart_svg(site, "chart-rates")
    assert rates.locator("path, rect").count() > 0
    _chart_svg(site, "chart-group-1")
    site.assert_crisis_banner_visible()
    site.assert_accessible()
    site.screenshot("report-charts-desktop")
    site.screenshot_of("#chart-heatmap", "report-heatmap-desktop")

    # The PDF link downloads a valid PDF.
    with site.page.expect_download() as info:
        site.page.get_by_role("link", name="Download the report (PDF)").click()
    pdf = info.value
    assert pdf.suggested_filename == f"wave-{wave.pk}-report.pdf"
    with open(pdf.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"

    # Drill down from the heat map table's unit link.
    site.page.get_by_role("link", name="Intensive Care Unit", exact=True).first.click()
    site.page.wait_for_selector("h1:has-text('Intensive Care Unit')")
    assert "/report/units/" in site.page.url
    _chart_svg(site, "chart-heatmap")
    _chart_svg(site, "chart-group-1")
    site.assert_crisis_banner_visible()
    site.assert_accessible()
    site.screenshot("report-unit-desktop")
    assert site.console_errors == [], site.console_errors


def test_the_report_charts_fit_a_phone(open_site, demo_report):
    world, wave = demo_report
    site = open_site("phone")
    _sign_in(site, world.admin.email)
    site.open(f"/measure/{world.organization.slug}/waves/{wave.pk}/report/")
    _chart_svg(site, "chart-heatmap")
    # A chart wider than the phone scrolls inside its own focusable region, not the page.
    site.assert_no_horizontal_scroll()
    canvas = site.page.locator("#chart-heatmap-canvas")
    assert canvas.get_attribute("tabindex") == "0"
    site.assert_accessible()
    assert site.console_errors == [], site.console_errors
