"""Signing on, tested as attacks: account enumeration and mail scanners.

- Whether an address has an account must not show in the sign-on's answer: a known and
  an unknown address get the same status, page and redirect; only the mail differs.
- A mail scanner opening the confirmation link must confirm nothing; the page's button
  (a POST with its CSRF token) confirms.
"""

import re

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from wellbeing.accounts.models import Organization, User
from wellbeing.campaign import actions
from wellbeing.campaign.models import Participant

pytestmark = pytest.mark.django_db
INSTITUTION = reverse("campaign:sign_on_institution")
INDIVIDUAL = reverse("campaign:sign_on_individual")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _data(email: str) -> dict[str, object]:
    return {
        "signer_name": "Dana Doe",
        "signer_title": "Chief Medical Officer",
        "email": email,
        "password": "correct-horse-battery-staple",
        "organization_name": "Harbor Health",
        "kind": "health_system",
        "state": "OH",
        "role": "accelerator",
        "priority_areas": ["mental-health-and-stigma"],
        "is_public": "on",
        "authority": "on",
    }


def _without_csrf(content: bytes) -> str:
    return CSRF.sub('name="csrfmiddlewaretoken" value=""', content.decode())


def _answer(email: str, capture, url: str = INSTITUTION) -> tuple[object, ...]:
    """Sign on from a fresh browser: status, Location, cookies set, body, the page it leads to."""
    client = Client()
    with capture(execute=True):
        response = client.post(url, _data(email))
    landing = client.get(response["Location"]) if response.status_code == 302 else response
    return (
        response.status_code,
        response.get("Location", ""),
        sorted(response.cookies),
        _without_csrf(response.content),
        _without_csrf(landing.content),
        client,
    )


@pytest.mark.parametrize("url", [INSTITUTION, INDIVIDUAL])
def test_a_known_and_an_unknown_address_get_the_same_answer_and_different_mail(
    org_admin, django_capture_on_commit_callbacks, url
):
    users_before = User.objects.count()
    # The known address typed in another case: the same account (accounts are case-blind).
    known = _answer("Alice@Riverbend.TEST", django_capture_on_commit_callbacks, url)
    assert User.objects.count() == users_before and not Participant.objects.exists()
    assert not Organization.objects.filter(name="Harbor Health").exists()
    unknown = _answer("newcomer@harbor.test", django_capture_on_commit_callbacks, url)

    assert known[:5] == unknown[:5]
    assert known[0] == 302 and known[1] == reverse("campaign:sign_on_sent")
    assert "Check your email" in known[4]
    for client in (known[5], unknown[5]):
        assert "_auth_user_id" not in client.session  # nobody is signed in by the form

    to_known, to_unknown = mail.outbox
    assert to_known.to == ["alice@riverbend.test"]
    assert "already has an account" in to_known.body
    assert "/accounts/login/?next=/campaign/join/" in to_known.body
    assert "/campaign/confirm/" not in to_known.body
    assert to_unknown.to == ["newcomer@harbor.test"]
    assert "/campaign/confirm/" in to_unknown.body
    assert Participant.objects.get().user.email == "newcomer@harbor.test"


def test_a_new_account_signs_in_with_its_password_after_signing_on(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(INSTITUTION, _data("Newcomer@Harbor.test"))
    signed_in = client.post(
        reverse("accounts:login"),
        {"username": "newcomer@harbor.test", "password": "correct-horse-battery-staple"},
    )
    assert signed_in.status_code == 302
    participant = Participant.objects.get()
    assert client.get(reverse("campaign:thanks", args=[participant.pk])).status_code == 200


def test_opening_the_confirmation_link_confirms_nothing_and_the_button_does(
    pending, django_capture_on_commit_callbacks
):
    browser = Client(enforce_csrf_checks=True)
    path = reverse("campaign:confirm", args=[actions.confirmation_token(pending)])
    for response in (browser.get(path), browser.head(path), browser.get(path, follow=True)):
        assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.email_confirmed_at is None

    page = browser.get(path).content.decode()
    assert "<h1>Confirm your email address</h1>" in page
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', page, re.S)
    assert form and form.group(1) == path
    assert 'type="submit">Confirm my email address</button>' in form.group(2)
    assert browser.post(path).status_code == 403  # a forged cross-site POST
    pending.refresh_from_db()
    assert pending.email_confirmed_at is None

    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(2)).group(1)
    confirmed = browser.post(path, {"csrfmiddlewaretoken": token})
    assert confirmed.status_code == 200
    assert "Email address confirmed" in confirmed.content.decode()
    pending.refresh_from_db()
    assert pending.email_confirmed_at is not None


def test_the_confirmation_link_carries_no_address_and_old_links_still_work(client, pending):
    token = actions.confirmation_token(pending)
    payload = signing.b64_decode(token.split(":", 1)[0].encode()).decode()
    assert "@" not in payload and "alice" not in payload
    # Links mailed before the button existed have the same format: they open its page.
    old = signing.dumps({"p": pending.pk, "u": pending.user_id}, salt=actions.CONFIRM_SALT)
    page = client.get(reverse("campaign:confirm", args=[old]))
    assert page.status_code == 200 and "Confirm my email address" in page.content.decode()
