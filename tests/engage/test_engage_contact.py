"""The contact form and the staff inbox."""

import pytest
from django.core import mail
from django.urls import reverse

from wellbeing.engage.models import ContactMessage

pytestmark = pytest.mark.django_db
URL = "/engage/contact/"
GOOD = {
    "name": "Robin Reyes",
    "email": "Robin@Example.org",
    "topic": "events",
    "message": "When is the next webinar?",
}


def test_a_message_is_stored_mailed_to_the_contact_address_and_thanked(
    client, settings, django_capture_on_commit_callbacks
):
    settings.CONTACT_EMAIL = "team@example.org"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, GOOD)
    assert response.status_code == 302 and response.url == reverse("engage:contact_thanks")
    stored = ContactMessage.objects.get()
    assert stored.email == "robin@example.org" and stored.handled_at is None
    assert mail.outbox[-1].to == ["team@example.org"]
    assert "When is the next webinar?" in mail.outbox[-1].body
    assert "Thank you for your message" in client.get(response.url).content.decode()


def test_a_filled_honeypot_is_thanked_but_not_stored_or_mailed(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {**GOOD, "website": "spam"})
    assert response.status_code == 302 and response.url == reverse("engage:contact_thanks")
    assert not ContactMessage.objects.exists() and mail.outbox == []


def test_too_many_messages_from_one_address_get_a_429_page_that_says_why(client):
    codes = [client.post(URL, GOOD).status_code for _ in range(7)]
    assert codes == [302] * 5 + [429] * 2
    assert "Too many messages" in client.post(URL, GOOD).content.decode()
    assert ContactMessage.objects.count() == 5


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Enter your name."),
        ({**GOOD, "email": "nope"}, "Enter an email address in the format name@example.org."),
        ({**GOOD, "topic": "other"}, "Choose a topic from the list."),
        ({**GOOD, "message": ""}, "Enter your message."),
        ({**GOOD, "message": "m" * 5001}, "at most 5,000 characters"),
        ({**GOOD, "name": "\x00"}, "Null characters are not allowed."),
    ],
)
def test_bad_input_gets_a_clear_form_error_not_a_500(client, data, message):
    response = client.post(URL, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ContactMessage.objects.exists()


@pytest.fixture
def received(db):
    return ContactMessage.objects.create(
        name="Robin", email="r@example.org", topic="general", message="Hello there."
    )


@pytest.mark.parametrize("who", ["anonymous", "clinician"])
def test_the_inbox_is_a_404_to_others(client, request, received, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("engage:contact_staff")).status_code == 404
    toggle = reverse("engage:contact_staff_handled", args=[received.pk])
    assert client.post(toggle, {"handled": "1"}).status_code == 404
    received.refresh_from_db()
    assert received.handled_at is None


def test_staff_read_the_inbox_and_toggle_handled(client, staff_curator, received):
    client.force_login(staff_curator)
    inbox = reverse("engage:contact_staff")
    assert "Hello there." in client.get(inbox).content.decode()
    toggle = reverse("engage:contact_staff_handled", args=[received.pk])
    client.post(toggle, {"handled": "1"})
    received.refresh_from_db()
    assert received.handled_at is not None and received.handled_by == staff_curator
    assert "Hello there." not in client.get(inbox).content.decode()
    assert "Hello there." in client.get(inbox + "?show=all").content.decode()
    client.post(toggle, {"handled": "0"})
    received.refresh_from_db()
    assert received.handled_at is None
