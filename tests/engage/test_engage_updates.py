import pytest
from django.urls import reverse

from wellbeing.engage.models import Subscriber

URL = "/engage/updates/"


@pytest.mark.django_db
def test_a_valid_sign_up_is_stored_once_and_thanked(client):
    response = client.post(URL, {"email": "Pat@Example.org ", "consent": "on"})
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("engage:updates_thanks")
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "pat@example.org"
    assert "unsubscribe" in subscriber.consent_text


@pytest.mark.django_db
def test_signing_up_twice_keeps_one_row_and_reveals_nothing(client):
    first = client.post(URL, {"email": "pat@example.org", "consent": "on"})
    second = client.post(URL, {"email": "PAT@example.org", "consent": "on"})
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert Subscriber.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Enter your email address."),
        ({"email": "", "consent": "on"}, "Enter your email address."),
        (
            {"email": "not-an-email", "consent": "on"},
            "Enter an email address in the format name@example.org.",
        ),
        (
            {"email": "a@b", "consent": "on"},
            "Enter an email address in the format name@example.org.",
        ),
        ({"email": "x" * 10_000 + "@example.org", "consent": "on"}, "at most 254 characters"),
        ({"email": "pat@example.org"}, "Tick the box to agree to receive updates."),
        ({"email": "\x00@example.org", "consent": "on"}, "Null characters are not allowed."),
    ],
)
def test_bad_input_gets_a_clear_form_error_not_a_500(client, data, message):
    response = client.post(URL, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "Please correct the form" in html
    assert "<title>Error: Sign up for updates" in html
    assert Subscriber.objects.count() == 0


@pytest.mark.django_db
def test_a_ten_kilobyte_string_in_every_field_is_refused_cleanly(client):
    blob = "é" * 10_240
    response = client.post(URL, {"email": blob, "consent": blob})
    assert response.status_code == 400
    assert Subscriber.objects.count() == 0


@pytest.mark.django_db
def test_the_errors_are_linked_to_their_fields_for_screen_readers(client):
    html = client.post(URL, {"email": "nope", "consent": "on"}).content.decode()
    assert 'aria-describedby="id_email-error"' in html
    assert 'id="id_email-error"' in html
    assert 'href="#id_email"' in html
