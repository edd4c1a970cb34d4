"""A visitor registers for an event, submits artwork, and reads the Day's and a questionnaire's pages."""

import io
from types import SimpleNamespace

import pytest
from django.core import mail
from PIL import Image

pytestmark = pytest.mark.browser


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def engage_demo(transactional_db, media):
    from wellbeing.accounts.models import User
    from wellbeing.engage.demo import load_engage_demo

    staff = User.objects.create_user("sam@campaign.test", "a-long-test-password", is_staff=True)
    return load_engage_demo(SimpleNamespace(staff=staff))


def test_a_visitor_registers_for_an_event(open_site, engage_demo):
    site = open_site("desktop")
    site.open("/engage/events/")
    site.assert_accessible()
    site.assert_crisis_banner_visible()
    site.page.get_by_role("link", name="Peer support in practice (synthetic demo event)").click()
    site.page.wait_for_selector("h1:has-text('Peer support in practice')")
    site.assert_accessible()
    site.screenshot("engage-events")

    site.page.get_by_role("button", name="Register").click()  # empty: errors first
    site.page.wait_for_selector("text=Please correct the form")
    site.assert_accessible()
    site.page.get_by_label("Your name").fill("Robin Reyes")
    site.page.get_by_label("Email address").fill("robin@example.org")
    site.page.get_by_role("button", name="Register").click()
    site.page.wait_for_selector("h1:has-text('You are registered')")
    site.assert_accessible()
    assert mail.outbox[-1].to == ["robin@example.org"]
    ics = site.page.request.get(site.base_url + "/engage/events/demo-peer-support/calendar.ics")
    assert ics.ok and "BEGIN:VEVENT" in ics.text()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 80), (30, 90, 160)).save(out, format="PNG")
    return out.getvalue()


def test_a_visitor_submits_artwork_and_staff_approve_it(open_site, engage_demo):
    from wellbeing.engage.models import Artwork

    site = open_site("desktop")
    site.open("/engage/gallery/")
    site.assert_accessible()
    site.screenshot("engage-gallery")
    site.page.get_by_role("link", name="Submit your work").click()
    page = site.page
    page.wait_for_selector("h1:has-text('Submit your work')")
    site.assert_accessible()
    page.get_by_label("Title").fill("Blue hour")
    page.get_by_label("Name to show with the work").fill("R. Reyes")
    page.locator("label", has_text="Clinician or health worker").click()
    page.locator("label", has_text="Image (painting").click()
    page.get_by_label("Image file").set_input_files(
        {"name": "blue.png", "mimeType": "image/png", "buffer": _png()}
    )
    page.get_by_role("button", name="Submit for review").click()  # no alt text yet
    page.wait_for_selector("text=Describe the image in alternative text.")
    site.assert_accessible()
    page.get_by_label("Image file").set_input_files(
        {"name": "blue.png", "mimeType": "image/png", "buffer": _png()}
    )
    page.get_by_label("Alternative text for the image").fill("A deep blue rectangle.")
    page.get_by_label("Artist statement").fill("The quiet after a long shift.")
    page.locator("label", has_text="CC BY 4.0").click()
    page.locator("label", has_text="I made this work").click()
    page.get_by_label("Your email address").fill("reyes@example.org")
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_selector("h1:has-text('Thank you for your submission')")
    work = Artwork.objects.get(title="Blue hour")
    assert work.status == "submitted" and work.alt_text == "A deep blue rectangle."

    staff = open_site("desktop")
    staff.open("/accounts/login/")
    staff.page.fill("#id_username", "sam@campaign.test")
    staff.page.fill("#id_password", "a-long-test-password")
    staff.page.click("main button[type=submit]")
    staff.page.wait_for_url(lambda url: "/login/" not in url)
    staff.open("/engage/gallery/staff/")
    staff.assert_accessible()
    staff.page.get_by_role("button", name="Approve Blue hour").click()
    staff.page.wait_for_selector("text=is approved")
    site.open("/engage/gallery/")
    assert site.page.locator("img[alt='A deep blue rectangle.']").count() == 1


def test_the_awareness_day_and_questionnaire_pages_pass_axe(open_site, engage_demo, viewport):
    site = open_site(viewport)
    site.open("/engage/health-workforce-well-being-day/")
    site.assert_accessible()
    site.assert_no_horizontal_scroll()
    assert "March 18" in site.page.inner_text("main")
    if viewport == "desktop":
        site.screenshot("engage-awareness-day")
    site.open(engage_demo.questionnaire.get_absolute_url())
    site.assert_accessible()
    site.assert_no_horizontal_scroll()
    assert site.page.locator("svg[role=img]").count() >= 2
    if viewport == "desktop":
        site.screenshot("engage-questionnaire-results")
    site.open("/engage/gallery/host/")
    site.assert_accessible()
    site.open("/engage/")
    site.assert_accessible()


def test_the_gallery_has_no_horizontal_scroll_on_a_phone(open_site, engage_demo):
    site = open_site("phone")
    site.open("/engage/gallery/")
    site.assert_accessible()
    site.assert_no_horizontal_scroll()
