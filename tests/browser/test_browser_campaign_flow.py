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


def _listed_accelerator(days_ago=0):
    """An approved, listed institution with one commitment; approved ``days_ago`` days ago."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from wellbeing.accounts.models import Organization, User
    from wellbeing.campaign import actions
    from wellbeing.campaign.models import Participant
    from wellbeing.plan.models import PriorityArea

    n = Participant.objects.count()
    staff = User.objects.filter(is_staff=True).first() or User.objects.create_user(
        "staff@campaign.test", PASSWORD, is_staff=True
    )
    signer = User.objects.create_user(f"signer{n}@campaign.test", PASSWORD)
    area = PriorityArea.objects.order_by("number").first()
    p = actions.sign_on(
        user=signer,
        new_organization=actions.NewOrganization(
            name=f"Lakeshore Community Hospital {n} (synthetic)",
            kind=Organization.Kind.HOSPITAL_CLINIC,
            state="WA",
        ),
        signer_name="Dana Doe",
        signer_title="Chief Wellness Officer",
        authority_statement="Dana Doe: I may commit it.",
        role="accelerator",
        priority_areas=[area],
        is_public=True,
        notify=False,
    )
    actions.confirm_email(actions.confirmation_token(p))
    p = actions.approve(p, actor=staff, notify=False)
    moment = timezone.now() - dt.timedelta(days=days_ago)
    Participant.objects.filter(pk=p.pk).update(reviewed_at=moment)
    actions.add_commitment(
        p,
        actor=signer,
        title="Lower burnout in the emergency department",
        priority_area=area,
        goal_statement="Halve the share of staff who report burnout.",
        metric=actions.MetricInput(
            name="Share of respondents reporting burnout (single-item burnout measure)",
            unit="%",
            direction="decrease",
            baseline_value=Decimal("42"),
            baseline_date=dt.date(2026, 1, 15),
            target_value=Decimal("30"),
            target_date=dt.date(2027, 12, 31),
        ),
    )
    return p


def test_a_participant_page_fits_a_phone_with_its_badge_code_wrapped(open_site):
    participant = _listed_accelerator()
    visitor = open_site("phone")
    visitor.open(participant.get_absolute_url())
    snippet = visitor.page.locator("pre.wb-embed-snippet")
    assert "badge.svg" in snippet.inner_text()
    # The one long line of HTML wraps inside its box instead of widening the page.
    assert snippet.evaluate("el => el.scrollWidth <= el.clientWidth")
    assert snippet.evaluate("el => el.getBoundingClientRect().height") > 40  # several lines
    visitor.assert_no_horizontal_scroll()
    visitor.assert_accessible()
    visitor.screenshot("campaign-6-participant-phone")


# Every text of the growth chart inside the chart's box, and on a phone still at least 9 px.
CHART_LABELS = """() => {
  const svg = document.querySelector('svg.wb-growth-chart').getBoundingClientRect();
  return [...document.querySelectorAll('svg.wb-growth-chart text')].map(t => {
    const r = t.getBoundingClientRect();
    return {text: t.textContent, inside: r.left >= svg.left - 0.5 && r.right <= svg.right + 0.5
      && r.top >= svg.top - 0.5 && r.bottom <= svg.bottom + 0.5,
      size: parseFloat(getComputedStyle(t).fontSize) * svg.width / 480};
  });
}"""


def test_the_growth_chart_draws_its_axis_labels_whole(site):
    for days_ago in (400, 300, 200, 100, 0):
        _listed_accelerator(days_ago)
    site.open("/campaign/")
    labels = site.page.evaluate(CHART_LABELS)
    assert {"Participants", "0", "5"} <= {label["text"] for label in labels}
    assert [label["text"] for label in labels if not label["inside"]] == []
    assert min(label["size"] for label in labels) >= 9
    site.assert_no_horizontal_scroll()
    site.assert_accessible()
    site.screenshot_of("svg.wb-growth-chart", f"campaign-7-growth-chart-{site.viewport}")


def test_a_spanish_visitor_signs_on_from_a_phone(open_site):
    visitor = open_site("phone")
    visitor.page.set_extra_http_headers({"Accept-Language": "es"})
    visitor.open("/campaign/join/institution/")
    page = visitor.page
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("h1").inner_text() == "Inscribir a una institución"
    page.get_by_role("button", name="Inscribirse").click()
    page.wait_for_selector("text=Corrija el formulario")
    assert "Escriba su nombre completo." in page.inner_text("main")
    visitor.assert_no_horizontal_scroll()
    visitor.assert_accessible()
    visitor.screenshot("campaign-8-sign-on-spanish-phone")
