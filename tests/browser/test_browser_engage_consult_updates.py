"""A visitor comments on a paragraph of a draft, signs up for updates and writes to staff.

Every page visited passes axe-core, on a desktop and on a phone.
"""

import re
from types import SimpleNamespace

import pytest
from django.core import mail

pytestmark = pytest.mark.browser


@pytest.fixture
def engage_demo(transactional_db, settings, tmp_path):
    from django.core.cache import cache

    from wellbeing.accounts.models import User
    from wellbeing.engage.demo import load_engage_demo

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()  # rate limits of earlier tests
    staff = User.objects.create_user("sam@campaign.test", "a-long-test-password", is_staff=True)
    return load_engage_demo(SimpleNamespace(staff=staff))


def _path_of(link_pattern: str) -> str:
    url = re.search(link_pattern, mail.outbox[-1].body).group(0)
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_a_visitor_comments_on_a_paragraph_and_confirms_by_email(site, engage_demo):
    from wellbeing.engage.models import ConsultationComment

    page = site.page
    site.open("/engage/")
    page.get_by_role("link", name="See the drafts").click()
    page.wait_for_selector("h1:has-text('Comment on drafts')")
    site.assert_accessible()
    page.get_by_role("link", name="Demonstration draft guide on recovery time (synthetic)").click()
    page.wait_for_selector("h1:has-text('Demonstration draft guide')")
    site.assert_accessible()
    site.assert_no_horizontal_scroll()
    site.screenshot(f"engage-consultation-{site.viewport}")
    page.get_by_role("link", name="Comment on this paragraph (2.2)").click()
    page.wait_for_selector("blockquote")
    page.get_by_role("button", name="Send comment").click()  # empty: errors first
    page.wait_for_selector("text=Please correct the form")
    site.assert_accessible()
    page.get_by_label("Your comment", exact=True).fill("Handover notes should be short.")
    page.get_by_label("Email address").fill("robin@example.org")
    page.get_by_label("Name to show with your comment").fill("Robin")
    page.get_by_role("button", name="Send comment").click()
    page.wait_for_selector("h1:has-text('Check your email')")
    site.assert_accessible()
    comment = ConsultationComment.objects.get(email="robin@example.org")
    assert comment.paragraph.anchor == "s2-p2"
    assert comment.state == ConsultationComment.State.UNVERIFIED
    site.open(_path_of(r"http\S+/engage/consultations/verify/\S+/"))
    page.wait_for_selector("h1:has-text('Confirm your comment')")
    site.assert_accessible()
    comment.refresh_from_db()
    assert comment.state == ConsultationComment.State.UNVERIFIED  # opening the link is not enough
    page.get_by_role("button", name="Confirm my comment").click()
    page.wait_for_selector("h1:has-text('Your comment is confirmed')")
    site.assert_accessible()
    comment.refresh_from_db()
    assert comment.state == ConsultationComment.State.PENDING


def test_a_visitor_subscribes_to_updates_and_confirms_by_email(site, engage_demo):
    from wellbeing.engage.models import Subscriber

    page = site.page
    site.open("/engage/updates/")
    site.assert_accessible()
    site.assert_no_horizontal_scroll()
    site.screenshot(f"engage-updates-{site.viewport}")
    page.get_by_label("Email address").fill("pat@example.org")
    page.locator("label", has_text="Public comment periods on drafts").click()
    page.locator("label", has_text="occasional email updates").click()
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_selector("h1:has-text('Check your email')")
    site.assert_accessible()
    assert Subscriber.objects.get().confirmed_at is None
    site.open(_path_of(r"http\S+/engage/updates/confirm/\S+/"))
    page.wait_for_selector("h1:has-text('Confirm your email updates')")
    site.assert_accessible()
    assert Subscriber.objects.get().confirmed_at is None  # opening the link is not enough
    page.get_by_role("button", name="Yes, send me email updates").click()
    page.wait_for_selector("h1:has-text('Your email updates are confirmed')")
    site.assert_accessible()
    subscriber = Subscriber.objects.get()
    assert subscriber.confirmed_at is not None and subscriber.topics == ["consultations"]
    page.get_by_role("link", name="Change your topics now").click()
    page.wait_for_selector("h1:has-text('Your email update topics')")
    site.assert_accessible()
    page.get_by_role("button", name="Unsubscribe").click()
    page.wait_for_selector("h1:has-text('You are unsubscribed')")
    site.assert_accessible()
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is not None


def test_a_visitor_sends_a_contact_message(site, engage_demo, settings):
    from wellbeing.engage.models import ContactMessage

    settings.CONTACT_EMAIL = "team@example.org"
    page = site.page
    site.open("/engage/contact/")
    site.assert_accessible()
    site.assert_no_horizontal_scroll()
    page.get_by_label("Your name").fill("Robin Reyes")
    page.get_by_label("Email address").fill("robin@example.org")
    page.locator("label", has_text="Events and Health Workforce Well-Being Day").click()
    page.get_by_label("Message").fill("Will the webinar be recorded?")
    site.screenshot(f"engage-contact-{site.viewport}")
    page.get_by_role("button", name="Send message").click()
    page.wait_for_selector("h1:has-text('Thank you for your message')")
    site.assert_accessible()
    assert ContactMessage.objects.get().topic == "events"
    assert mail.outbox[-1].to == ["team@example.org"]


def test_staff_pages_pass_axe(open_site, engage_demo):
    site = open_site("desktop")
    page = site.page
    site.open("/accounts/login/")
    page.fill("#id_username", "sam@campaign.test")
    page.fill("#id_password", "a-long-test-password")
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    for path in (
        "/engage/consultations/staff/",
        "/engage/consultations/demo-draft-guide/staff/",
        "/engage/consultations/demo-draft-guide/staff/queue/",
        "/engage/updates/staff/",
        "/engage/contact/staff/",
    ):
        site.open(path)
        site.assert_accessible()
    site.open("/engage/consultations/demo-draft-guide/staff/queue/")
    site.screenshot("engage-consultation-moderation-desktop")
