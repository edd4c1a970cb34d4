"""Playwright driving Debian's Chromium against the live test server, plus axe-core.

Never downloads a browser: ``executable_path`` is /usr/bin/chromium. In CI
(``CI=true``) a missing Chromium is a failure, not a skip.
"""

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = Path(os.environ.get("SCREENSHOTS_DIR", ROOT / "test-results" / "screenshots"))
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# Playwright's sync API runs an event loop in this thread; the test still
# talks to the database synchronously, which is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; CI must run the browser tests")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class Page:
    """A page with the checks every public page must pass."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url
        self.console_errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        page.on("pageerror", lambda e: self.console_errors.append(str(e)))

    def open(self, path: str):
        response = self.page.goto(self.base_url + path, wait_until="load")
        assert response is not None and response.status < 400, (
            f"{path}: {response and response.status}"
        )
        return response

    def axe_violations(self) -> list[dict]:
        self.start_axe()
        return self.started_axe_violations()

    def start_axe(self):
        """Start axe-core without waiting for it (the crawl checks several tabs at once)."""
        # evaluate() runs through the DevTools protocol, so the page's CSP does not block axe.
        self.page.evaluate(AXE.read_text())
        self.page.evaluate(
            "() => { window.axeRun = axe.run(document, {runOnly: {type: 'tag', values: "
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}}); }"
        )

    def started_axe_violations(self) -> list[dict]:
        return self.page.evaluate("async () => (await window.axeRun).violations")

    def assert_accessible(self):
        violations = self.axe_violations()
        summary = [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:5]]}
            for v in violations
        ]
        assert violations == [], json.dumps(summary, indent=2)

    def assert_crisis_banner_visible(self):
        banner = self.page.get_by_test_id("crisis-banner")
        assert banner.is_visible()
        assert "988" in banner.inner_text()
        assert self.page.locator('[data-testid="crisis-banner"] a[href="tel:988"]').is_visible()

    def assert_no_horizontal_scroll(self):
        width = self.page.evaluate("document.documentElement.scrollWidth")
        viewport = self.page.viewport_size["width"]
        assert width <= viewport, f"page is {width}px wide in a {viewport}px viewport"

    def screenshot(self, name: str):
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    def screenshot_of(self, selector: str, name: str):
        """A screenshot of one element, e.g. a chart."""
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.locator(selector).screenshot(path=str(SHOTS / f"{name}.png"))


@pytest.fixture
def national_plan(transactional_db):
    # A transactional test flushes tables, so the Plan loaded by migrate is gone.
    from wellbeing.plan.loader import load_national_plan

    load_national_plan()


@pytest.fixture(params=["desktop", "phone"])
def viewport(request):
    return request.param


@pytest.fixture
def open_site(browser, live_server, national_plan):
    contexts = []

    def make(viewport: str) -> Page:
        context = browser.new_context(viewport=DESKTOP if viewport == "desktop" else PHONE)
        contexts.append(context)
        wrapped = Page(context.new_page(), live_server.url)
        wrapped.viewport = viewport
        return wrapped

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def site(open_site, viewport):
    return open_site(viewport)


@pytest.fixture(scope="session")
def checked_page():
    """``Page`` for a page of a context the test opened itself (the crawl signs in once per reader)."""
    return Page
