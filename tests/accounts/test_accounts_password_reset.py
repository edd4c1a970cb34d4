"""Password reset by email: the same answer for every address, a link that works once.

A reset link is mailed only to an address that has an account, yet the visitor sees the
same page either way; the link sets a new password once, ends every session, and clears
a sign-in lockout. Requests are limited per network address and per mailed address.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse

from wellbeing.core.models import AuditEvent

PASSWORD = "a-long-test-password"
NEW_PASSWORD = "another-long-passphrase-9"


def ask(client, email: str, **extra):
    return client.post(reverse("accounts:password_reset"), {"email": email}, **extra)


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def path_of(link: str, settings) -> str:
    return link.removeprefix(settings.SITE_URL.rstrip("/"))


def follow_link(client, link: str, settings):
    """Open the mailed link like a browser: it redirects to the form without the token."""
    opened = client.get(path_of(link, settings))
    assert opened.status_code == 302
    return opened["Location"]


def sign_in(client, email: str, password: str):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


@pytest.mark.django_db
def test_the_sign_in_page_links_to_the_reset(client):
    page = client.get(reverse("accounts:login"))
    assert reverse("accounts:password_reset") in page.content.decode()


def test_a_reset_link_is_mailed_for_an_existing_address(client, clinician, settings):
    settings.SITE_URL = "https://wellbeing.example.org"
    response = ask(client, clinician.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    [message] = mail.outbox
    assert message.to == [clinician.email]
    assert link_in(message).startswith("https://wellbeing.example.org/accounts/password-reset/")
    assert AuditEvent.objects.filter(verb="account.password_reset_requested").count() == 1


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, clinician):
    known = ask(client, clinician.email)
    unknown = ask(client, "nobody@riverbend.test")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mail.outbox) == 1
    page = client.get(unknown["Location"])
    assert page.status_code == 200
    assert "If an account uses the address you entered" in page.content.decode()


def test_the_address_is_found_however_it_is_typed(client, clinician):
    ask(client, "  Casey@RiverBend.TEST ")
    assert [m.to for m in mail.outbox] == [[clinician.email]]


def test_the_link_uses_the_site_address_not_the_request_s_host(client, clinician, settings):
    settings.SITE_URL = "https://wellbeing.example.org"
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]
    ask(client, clinician.email, HTTP_HOST="other.example")
    assert "other.example" not in mail.outbox[0].body
    assert link_in(mail.outbox[0]).startswith("https://wellbeing.example.org/")


def test_a_malformed_address_is_a_form_error(client, db):
    response = ask(client, "not an address")
    assert response.status_code == 400
    assert "usa-error-message" in response.content.decode()
    assert not mail.outbox


def test_the_reset_link_sets_a_new_password_and_the_old_one_stops_working(
    client, clinician, settings
):
    ask(client, clinician.email)
    form_url = follow_link(client, link_in(mail.outbox[0]), settings)
    assert client.get(form_url).status_code == 200
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:password_reset_complete")
    assert "_auth_user_id" not in client.session  # the link signs nobody in
    clinician.refresh_from_db()
    assert clinician.check_password(NEW_PASSWORD) and not clinician.check_password(PASSWORD)
    assert sign_in(client, clinician.email, PASSWORD).status_code == 200
    assert sign_in(client, clinician.email, NEW_PASSWORD).status_code == 302
    assert AuditEvent.objects.filter(verb="account.password_reset", actor=clinician).exists()


def test_a_reused_reset_link_is_refused(client, clinician, settings):
    ask(client, clinician.email)
    link = link_in(mail.outbox[0])
    form_url = follow_link(client, link, settings)
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    again = client.get(path_of(link, settings))
    assert again.status_code == 400
    assert "This link does not work" in again.content.decode()
    retry = client.post(form_url, {"new_password1": "third-passphrase-77", "new_password2": "x"})
    assert retry.status_code == 400
    clinician.refresh_from_db()
    assert clinician.check_password(NEW_PASSWORD)


def test_a_tampered_reset_link_is_refused(client, clinician, settings):
    ask(client, clinician.email)
    path = path_of(link_in(mail.outbox[0]), settings)
    uid, token = path.rstrip("/").split("/")[-2:]
    forged = reverse(
        "accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token[:-2] + "zz"}
    )
    assert client.get(forged).status_code == 400


def test_an_unsuitable_new_password_is_a_form_error(client, clinician, settings):
    ask(client, clinician.email)
    form_url = follow_link(client, link_in(mail.outbox[0]), settings)
    response = client.post(form_url, {"new_password1": "12345", "new_password2": "12345"})
    assert response.status_code == 400
    clinician.refresh_from_db()
    assert clinician.check_password(PASSWORD)


def test_a_reset_ends_every_session_of_the_account(client, clinician, settings):
    elsewhere = type(client)()
    elsewhere.force_login(clinician)
    assert elsewhere.get(reverse("accounts:home")).status_code == 200
    ask(client, clinician.email)
    form_url = follow_link(client, link_in(mail.outbox[0]), settings)
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert elsewhere.get(reverse("accounts:home")).status_code == 302


def test_a_reset_clears_the_sign_in_lockout(client, clinician, settings):
    settings.AXES_ENABLED = True
    for _ in range(5):
        sign_in(client, clinician.email, "wrong-password-1234")
    assert sign_in(client, clinician.email, PASSWORD).status_code == 429
    ask(client, clinician.email)
    form_url = follow_link(client, link_in(mail.outbox[0]), settings)
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert sign_in(client, clinician.email, NEW_PASSWORD).status_code == 302


def test_reset_mail_to_one_address_is_limited_but_answered_alike(client, clinician):
    answers = {ask(client, clinician.email).status_code for _ in range(5)}
    assert answers == {302}
    assert len(mail.outbox) == 3


def test_reset_requests_from_one_network_address_are_limited(client, db):
    codes = [ask(client, f"person{n}@example.test").status_code for n in range(11)]
    assert codes[:10] == [302] * 10
    assert codes[10] == 429


def test_no_audit_row_names_an_unknown_address(client, db):
    ask(client, "nobody@riverbend.test")
    assert not AuditEvent.objects.filter(target__icontains="nobody").exists()
