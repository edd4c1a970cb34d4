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
    assert any("n=" in text for text in labels)
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


# Text of a chart whose boxes meet: level labels by their boxes; slanted labels (the heat map's
# scale names when many units run down) by the distance between their parallel midlines,
# since a slanted label's box is mostly empty corner.
OVERLAPS = """(id) => {
  const angle = (t) => {
    const found = /rotate\\(([-\\d.]+)/.exec(t.getAttribute("transform") || "");
    return found ? Number(found[1]) : 0;
  };
  const texts = Array.from(document.querySelectorAll("#" + id + " svg text"))
    .filter((t) => t.textContent.trim())
    .map((t) => ({text: t.textContent, box: t.getBoundingClientRect(), angle: angle(t),
                  size: parseFloat(getComputedStyle(t).fontSize)}));
  const clash = [];
  for (let i = 0; i < texts.length; i++) {
    for (let j = i + 1; j < texts.length; j++) {
      const a = texts[i], b = texts[j];
      if (a.angle !== b.angle) { continue; }
      if (a.angle === 0) {
        const w = Math.min(a.box.right, b.box.right) - Math.max(a.box.left, b.box.left);
        const h = Math.min(a.box.bottom, b.box.bottom) - Math.max(a.box.top, b.box.top);
        if (w > 1 && h > 1) { clash.push([a.text, b.text]); }
      } else {
        const r = a.angle * Math.PI / 180;
        const dx = (b.box.left + b.box.right - a.box.left - a.box.right) / 2;
        const dy = (b.box.top + b.box.bottom - a.box.top - a.box.bottom) / 2;
        if (Math.abs(-dx * Math.sin(r) + dy * Math.cos(r)) < 0.9 * a.size) { clash.push([a.text, b.text]); }
      }
    }
  }
  return clash.slice(0, 10);
}"""


def _assert_fits(site, chart_ids):
    """No sideways scroll of the page, nor inside a chart; no chart text over another."""
    site.assert_no_horizontal_scroll()
    for chart_id in chart_ids:
        canvas = site.page.locator(f"#{chart_id}-canvas")
        inner = canvas.evaluate("(e) => e.scrollWidth - e.clientWidth")
        assert inner <= 1, f"{chart_id} is {inner}px wider than its container"
        assert site.page.evaluate(OVERLAPS, chart_id) == [], chart_id


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_report_fits_the_screen_and_reads_in_words(open_site, demo_report, viewport):
    world, spring = demo_report
    autumn = spring.survey.waves.order_by("opens_at").last()
    site = open_site(viewport)
    _sign_in(site, world.admin.email)
    for wave in (spring, autumn):
        site.open(f"/measure/{world.organization.slug}/waves/{wave.pk}/report/")
        charts = ["chart-heatmap", "chart-rates", "chart-group-1"]
        for chart_id in charts:
            _chart_svg(site, chart_id)
        layout = site.page.locator("#chart-heatmap-canvas").get_attribute("data-vega-layout")
        assert layout == ("narrow" if viewport == "phone" else "wide")
        _assert_fits(site, charts)
        # The heat map's numbers are as large as the rest of the chart text.
        sizes = site.page.locator("#chart-heatmap-canvas svg text").evaluate_all(
            "(ts) => ts.filter((t) => /\\d/.test(t.textContent))"
            ".map((t) => parseFloat(getComputedStyle(t).fontSize))"
        )
        assert sizes and min(sizes) >= 12
        headline = site.page.locator("#h-2").inner_text()
        assert "WHO-5 Well-Being Index" in headline and "(0-25)" in headline
        text = site.page.locator("main").inner_text()
        assert "CHANGED" not in text and "Mean down" not in text
        site.assert_accessible()
        site.screenshot(f"report-{wave.name.lower().replace(' ', '-')}-{viewport}")
    # The autumn wave says how it compares with the spring one, in words.
    assert "than Spring 2026" in text or "No clear change from Spring 2026" in text
    assert site.console_errors == [], site.console_errors


def test_a_phone_turned_sideways_redraws_the_wide_heat_map(open_site, demo_report):
    world, spring = demo_report
    site = open_site("phone")
    _sign_in(site, world.admin.email)
    site.open(f"/measure/{world.organization.slug}/waves/{spring.pk}/report/")
    _chart_svg(site, "chart-heatmap")
    canvas = site.page.locator("#chart-heatmap-canvas")
    assert canvas.get_attribute("data-vega-layout") == "narrow"
    site.page.set_viewport_size({"width": 900, "height": 600})
    site.page.wait_for_selector('#chart-heatmap-canvas[data-vega-layout="wide"]')
    _chart_svg(site, "chart-heatmap")
    _assert_fits(site, ["chart-heatmap"])
