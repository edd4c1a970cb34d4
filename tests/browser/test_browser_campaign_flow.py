"""An institution signs on as an Accelerator, is approved, commits, reports and is seen publicly."""

import re

import pytest
from django.core import mail

pytestmark = pytest.mark.browser

PASSWORD = "a-long-test-password"


def _sign_in(site, email, password=PASSWORD):
    site.open("/accounts/login/")
    site.page.fill("#id_username", email)
    site.page.fill("#id_password", password)
    site.page.click("main button[type=submit]")
    site.page.wait_for_url(lambda url: "/login/" not in url)


def _check(page, text):
    page.locator("label", has_text=text).first.click()


def test_an_accelerator_signs_on_commits_reports_and_appears_in_the_explorer(open_site):
    from wellbeing.accounts.models import User

    User.objects.create_user("sam@campaign.test", PASSWORD, is_staff=True)
    signer = open_site("desktop")

    # Sign on a new institution as an Accelerator.
    signer.open("/campaign/join/")
    signer.assert_accessible()
    signer.page.get_by_role("link", name="Sign on for an institution").click()
    page = signer.page
    page.get_by_label("Your full name").fill("Dana Doe")
    page.get_by_label("Your title or position").fill("Chief Wellness Officer")
    page.get_by_label("Your email address").fill("dana@harbor.test")
    page.get_by_label("Choose a password").fill("correct-horse-battery-staple")
    page.get_by_label("Institution name").fill("Harbor Health (synthetic)")
    page.get_by_label("Sector").select_option("health_system")
    page.get_by_label("U.S. state").select_option("OH")
    _check(page, "Accelerator:")
    _check(page, "Invest in Measurement")
    _check(page, "List us in the public directory")
    _check(page, "I confirm that I am authorized")
    signer.assert_accessible()
    signer.screenshot("campaign-1-sign-on-desktop")
    page.get_by_role("button", name="Sign on").click()
    page.wait_for_selector("h1:has-text('Check your email')")
    signer.assert_accessible()

    # Confirm the address with the mailed link: its page's button confirms.
    (message,) = mail.outbox
    link = re.search(r"https?://\S+/campaign/confirm/\S+/", message.body).group(0)
    page.goto(link)
    page.wait_for_selector("h1:has-text('Confirm your email address')")
    signer.assert_accessible()
    page.get_by_role("button", name="Confirm my email address").click()
    page.wait_for_selector("text=Email address confirmed")
    signer.assert_accessible()
    _sign_in(signer, "dana@harbor.test", "correct-horse-battery-staple")

    # Staff approve the sign-on.
    staff = open_site("desktop")
    _sign_in(staff, "sam@campaign.test")
    staff.open("/campaign/staff/review/")
    assert "Harbor Health (synthetic)" in staff.page.inner_text("main")
    staff.assert_accessible()
    staff.screenshot("campaign-2-review-queue-desktop")
    staff.page.get_by_role("button", name="Approve Harbor Health (synthetic)").click()
    staff.page.wait_for_selector("text=is approved")
    staff.open("/campaign/staff/")
    staff.assert_accessible()

    # The signer adds a commitment from a template.
    signer.open("/campaign/mine/")
    page.get_by_role("link", name="Harbor Health (synthetic)").click()
    assert page.get_by_test_id("participant-status").text_content() == "Approved"
    signer.assert_accessible()
    page.get_by_role("link", name="Reduce the burnout rate").click()
    page.get_by_label("Baseline value").fill("44")
    page.get_by_label("Baseline date").fill("2026-01-15")
    page.get_by_label("Target value").fill("35")
    page.get_by_label("Target date").fill("2027-12-31")
    signer.assert_accessible()
    page.get_by_role("button", name="Save the commitment").click()
    page.wait_for_selector("h1:has-text('Reduce the burnout rate')")
    signer.assert_accessible()

    # File a progress report with a new value.
    page.get_by_role("link", name="File a progress report").click()
    page.get_by_label("Share of respondents reporting burnout").fill("40.5")
    page.get_by_label("What happened this quarter").fill("Two units changed their scheduling.")
    page.get_by_label("Evidence links").fill("https://example.org/harbor-quarterly")
    signer.assert_accessible()
    page.get_by_role("button", name="File the report").click()
    page.wait_for_selector("text=Two units changed their scheduling.")
    signer.screenshot("campaign-3-commitment-desktop")

    # Anyone sees it in the public explorer, with its latest value.
    visitor = open_site("phone")
    visitor.open("/campaign/commitments/?area=measurement-assessment-strategies-and-research")
    main = visitor.page.inner_text("main")
    assert "Reduce the burnout rate" in main and "Harbor Health (synthetic)" in main
    assert "40.5" in main
    visitor.assert_crisis_banner_visible()
    visitor.assert_accessible()
    visitor.assert_no_horizontal_scroll()
    visitor.screenshot("campaign-4-explorer-phone")
    visitor.open("/campaign/")
    assert "1 approved participant" in visitor.page.inner_text("main")
    assert visitor.page.locator("svg.wb-growth-chart rect").count() == 1
    visitor.assert_accessible()
    visitor.assert_no_horizontal_scroll()
    visitor.screenshot("campaign-5-movement-phone")
    visitor.open("/campaign/directory/")
    visitor.assert_accessible()
    for site in (signer, staff, visitor):
        assert site.console_errors == [], site.console_errors
