"""Account settings: name, address (confirmed from the new one), password, second factor,
and signing out everywhere else.

Sessions end through ``User.session_salt``: each test that ends sessions holds a second
``Client`` signed in as the same person, as another device would be.
"""

import time

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from wellbeing.accounts.models import User
from wellbeing.core.models import AuditEvent

PASSWORD = "a-long-test-password"
NEW_PASSWORD = "another-long-passphrase-9"
NEW_EMAIL = "casey.new@riverbend.test"
SETTINGS = reverse("accounts:settings")
POST_ROUTES = [
    "accounts:settings_profile",
    "accounts:settings_email",
    "accounts:settings_password",
    "accounts:settings_sessions",
    "accounts:settings_backup_codes",
    "accounts:settings_two_factor_remove",
]


@pytest.fixture
def signed_in(client, clinician):
    client.force_login(clinician)
    return client


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Make a request, then run what it left for after its commit (its mail), as in production."""

    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


@pytest.fixture
def elsewhere(clinician):
    """The same person signed in on another device."""
    other = Client()
    other.force_login(clinician)
    assert other.get(reverse("accounts:home")).status_code == 200
    return other


def is_signed_in(client) -> bool:
    return client.get(reverse("accounts:home")).status_code == 200


def request_change(client, email=NEW_EMAIL, password=PASSWORD):
    return client.post(
        reverse("accounts:settings_email"), {"email-new_email": email, "email-password": password}
    )


def confirm_path(message) -> str:
    [line] = [line for line in message.body.splitlines() if "/settings/email/confirm/" in line]
    return line[line.index("/accounts/") :]


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):0{device.digits}d}"


def enrol(client) -> list[str]:
    client.get(reverse("accounts:two_factor_setup"))
    device = TOTPDevice.objects.get(confirmed=False)
    done = client.post(reverse("accounts:two_factor_setup"), {"token": code_for(device)})
    return done.context["codes"]


# --- the page -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_settings_page_needs_sign_in(client):
    page = client.get(SETTINGS)
    assert page.status_code == 302 and page["Location"].startswith(reverse("accounts:login"))
    for name in POST_ROUTES:
        refused = client.post(reverse(name), {"profile-display_name": "Intruder"})
        assert refused.status_code == 302, name
        assert refused["Location"].startswith(reverse("accounts:login")), name


def test_the_settings_page_shows_every_section(signed_in, clinician):
    page = signed_in.get(SETTINGS)
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("<h1") == 1 and clinician.email in html
    for heading in ("Display name", "Email address", "Password", "Two-step sign-in"):
        assert f">{heading}</h2>" in html
    assert "Sign out of all other devices" in html
    assert 'style="' not in html


def test_the_change_forms_refuse_a_get(signed_in):
    assert signed_in.get(reverse("accounts:settings_sessions")).status_code == 405


# --- display name -------------------------------------------------------------------------


def test_a_display_name_is_saved(signed_in, clinician):
    response = signed_in.post(
        reverse("accounts:settings_profile"), {"profile-display_name": " Casey R. "}
    )
    assert response.status_code == 302
    clinician.refresh_from_db()
    assert clinician.display_name == "Casey R."
    assert AuditEvent.objects.filter(verb="account.display_name_changed", actor=clinician).exists()


def test_a_too_long_display_name_is_a_form_error(signed_in, clinician):
    response = signed_in.post(
        reverse("accounts:settings_profile"), {"profile-display_name": "x" * 151}
    )
    assert response.status_code == 400
    assert "usa-error-message" in response.content.decode()


# --- email address ------------------------------------------------------------------------


def test_the_address_changes_only_after_the_new_address_s_link_is_confirmed_by_post(
    committed, signed_in, clinician
):
    assert committed(request_change, signed_in).status_code == 302
    clinician.refresh_from_db()
    assert clinician.email == "casey@riverbend.test"
    to_new, to_old = mail.outbox
    assert to_new.to == [NEW_EMAIL] and to_old.to == ["casey@riverbend.test"]
    path = confirm_path(to_new)

    page = signed_in.get(path)  # a mail scanner's GET changes nothing
    assert page.status_code == 200 and NEW_EMAIL in page.content.decode()
    clinician.refresh_from_db()
    assert clinician.email == "casey@riverbend.test"

    done = committed(signed_in.post, path)
    assert done.status_code == 302 and done["Location"] == SETTINGS
    clinician.refresh_from_db()
    assert clinician.email == NEW_EMAIL
    assert mail.outbox[-1].to == ["casey@riverbend.test"]  # the old address is told
    assert is_signed_in(signed_in)
    verbs = set(AuditEvent.objects.filter(actor=clinician).values_list("verb", flat=True))
    assert {"account.email_change_requested", "account.email_changed"} <= verbs


def test_the_new_address_signs_in_and_the_old_one_no_longer_does(committed, client, clinician):
    client.force_login(clinician)
    committed(request_change, client)
    client.post(confirm_path(mail.outbox[0]))
    fresh = Client()
    old = fresh.post(
        reverse("accounts:login"), {"username": "casey@riverbend.test", "password": PASSWORD}
    )
    assert old.status_code == 200
    new = fresh.post(reverse("accounts:login"), {"username": NEW_EMAIL, "password": PASSWORD})
    assert new.status_code == 302


def test_no_audit_row_or_link_holds_the_new_address_in_clear(committed, signed_in, clinician):
    committed(request_change, signed_in)
    path = confirm_path(mail.outbox[0])
    signed_in.post(path)
    assert "casey.new" not in path and "riverbend" not in path
    for event in AuditEvent.objects.all():
        assert NEW_EMAIL not in event.target and NEW_EMAIL not in str(event.detail)
        assert PASSWORD not in str(event.detail)


def test_an_address_another_account_holds_is_refused_in_any_case(
    committed, signed_in, clinician, unit_lead
):
    response = committed(request_change, signed_in, "  LEE@RiverBend.test")
    assert response.status_code == 400
    assert "another account signs in with it" in response.content.decode()
    assert not mail.outbox
    clinician.refresh_from_db()
    assert clinician.email == "casey@riverbend.test"


def test_an_email_change_needs_the_current_password(committed, signed_in):
    response = committed(request_change, signed_in, password="not-my-password-at-all")
    assert response.status_code == 400
    assert "not your current password" in response.content.decode()
    assert not mail.outbox


def test_an_expired_email_link_is_refused(committed, signed_in, clinician, monkeypatch):
    day_ago = time.time() - 25 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: day_ago)
    committed(request_change, signed_in)
    monkeypatch.undo()
    path = confirm_path(mail.outbox[0])
    assert signed_in.get(path).status_code == 400
    assert signed_in.post(path).status_code == 400
    clinician.refresh_from_db()
    assert clinician.email == "casey@riverbend.test"


def test_a_tampered_email_link_is_refused(committed, signed_in, clinician):
    committed(request_change, signed_in)
    path = confirm_path(mail.outbox[0])
    token = path.rstrip("/").rsplit("/", 1)[1]
    head, signature = token.rsplit(":", 1)
    forged_head = ("B" if head[5] != "B" else "C").join([head[:5], head[6:]])
    for forged in (f"{forged_head}:{signature}", f"{head}:{signature[:-1]}x"):
        url = reverse("accounts:email_confirm", args=[forged])
        assert signed_in.post(url).status_code == 400
    clinician.refresh_from_db()
    assert clinician.email == "casey@riverbend.test"


def test_an_email_link_works_once(committed, signed_in, clinician):
    committed(request_change, signed_in)
    path = confirm_path(mail.outbox[0])
    signed_in.post(path)
    assert signed_in.post(path).status_code == 400


def test_an_email_link_is_refused_to_another_signed_in_account(
    committed, signed_in, clinician, unit_lead
):
    committed(request_change, signed_in)
    path = confirm_path(mail.outbox[0])
    thief = Client()
    thief.force_login(unit_lead)
    assert thief.get(path).status_code == 400
    assert thief.post(path).status_code == 400
    assert not User.objects.filter(email=NEW_EMAIL).exists()


def test_an_email_link_asks_an_anonymous_visitor_to_sign_in(committed, signed_in):
    committed(request_change, signed_in)
    page = Client().post(confirm_path(mail.outbox[0]))
    assert page.status_code == 302 and page["Location"].startswith(reverse("accounts:login"))
    assert not User.objects.filter(email=NEW_EMAIL).exists()


def test_an_address_taken_after_the_link_was_sent_is_refused_on_confirmation(
    committed, signed_in, clinician
):
    committed(request_change, signed_in)
    User.objects.create_user(NEW_EMAIL.upper(), "someone-else-password-1")
    response = signed_in.post(confirm_path(mail.outbox[0]))
    assert response.status_code == 400
    assert "another account now signs in with it" in response.content.decode()
    clinician.refresh_from_db()
    assert clinician.email == "casey@riverbend.test"


# --- password and sessions ----------------------------------------------------------------


def test_a_password_change_keeps_this_session_and_ends_others(
    committed, signed_in, elsewhere, clinician
):
    response = committed(
        signed_in.post,
        reverse("accounts:settings_password"),
        {
            "password-old_password": PASSWORD,
            "password-new_password1": NEW_PASSWORD,
            "password-new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert is_signed_in(signed_in)
    assert not is_signed_in(elsewhere)
    clinician.refresh_from_db()
    assert clinician.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(verb="account.password_changed")
    assert event.actor == clinician and NEW_PASSWORD not in str(event.detail)
    assert mail.outbox[-1].to == [clinician.email]


def test_a_wrong_current_password_changes_nothing(signed_in, elsewhere, clinician):
    response = signed_in.post(
        reverse("accounts:settings_password"),
        {
            "password-old_password": "not-my-password-at-all",
            "password-new_password1": NEW_PASSWORD,
            "password-new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 400
    assert is_signed_in(elsewhere)
    clinician.refresh_from_db()
    assert clinician.check_password(PASSWORD)


def test_signing_out_everywhere_ends_another_client_s_session_and_keeps_this_one(
    signed_in, elsewhere, clinician
):
    salt = clinician.session_salt
    response = signed_in.post(reverse("accounts:settings_sessions"), {"sessions-scope": "others"})
    assert response.status_code == 302
    assert not is_signed_in(elsewhere)
    assert is_signed_in(signed_in)
    clinician.refresh_from_db()
    assert clinician.session_salt != salt
    assert AuditEvent.objects.filter(verb="account.sessions_ended", actor=clinician).exists()


def test_a_device_signed_out_everywhere_can_sign_in_again(signed_in, elsewhere, clinician):
    signed_in.post(reverse("accounts:settings_sessions"), {"sessions-scope": "others"})
    login = {"username": clinician.email, "password": PASSWORD}
    assert elsewhere.post(reverse("accounts:login"), login).status_code == 302
    assert is_signed_in(elsewhere)


def test_signing_out_everywhere_this_device_too_ends_both_sessions(signed_in, elsewhere):
    response = signed_in.post(reverse("accounts:settings_sessions"), {"sessions-scope": "all"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert not is_signed_in(signed_in)
    assert not is_signed_in(elsewhere)


def test_signing_out_without_a_choice_is_a_form_error_and_ends_nothing(signed_in, elsewhere):
    response = signed_in.post(reverse("accounts:settings_sessions"), {"sessions-scope": "nope"})
    assert response.status_code == 400
    assert "Choose which devices to sign out." in response.content.decode()
    assert is_signed_in(elsewhere)


@pytest.mark.django_db
def test_every_account_gets_its_own_session_salt(clinician, unit_lead):
    assert clinician.session_salt and unit_lead.session_salt
    assert clinician.session_salt != unit_lead.session_salt


# --- second factor ------------------------------------------------------------------------


def test_the_page_offers_set_up_when_two_step_sign_in_is_off(signed_in):
    html = signed_in.get(SETTINGS).content.decode()
    assert "<strong>Off.</strong>" in html
    assert reverse("accounts:two_factor_setup") in html


def test_new_backup_codes_need_the_password_and_replace_the_old_ones(signed_in, clinician):
    old_codes = enrol(signed_in)
    assert "<strong>On.</strong>" in signed_in.get(SETTINGS).content.decode()
    url = reverse("accounts:settings_backup_codes")
    refused = signed_in.post(url, {"codes-password": "not-my-password-at-all"})
    assert refused.status_code == 400
    page = signed_in.post(url, {"codes-password": PASSWORD})
    assert page.status_code == 200
    new_codes = page.context["codes"]
    assert len(new_codes) == 10
    stored = set(StaticToken.objects.filter(device__user=clinician).values_list("token", flat=True))
    assert stored == set(new_codes) and not stored & set(old_codes)
    assert AuditEvent.objects.filter(verb="account.backup_codes_regenerated").exists()


def test_removing_the_authenticator_needs_the_password(signed_in, clinician):
    enrol(signed_in)
    url = reverse("accounts:settings_two_factor_remove")
    assert signed_in.post(url, {"remove-password": "not-my-password-at-all"}).status_code == 400
    assert TOTPDevice.objects.filter(user=clinician).exists()
    done = signed_in.post(url, {"remove-password": PASSWORD})
    assert done.status_code == 302 and done["Location"] == SETTINGS
    assert not TOTPDevice.objects.filter(user=clinician).exists()
    assert not StaticToken.objects.filter(device__user=clinician).exists()
    assert AuditEvent.objects.filter(verb="account.two_factor_removed", actor=clinician).exists()


def test_an_admin_who_removes_the_required_authenticator_is_sent_to_set_up_not_locked_out(
    client, org_admin, settings
):
    settings.WELLBEING_REQUIRE_2FA = True
    client.force_login(org_admin)
    enrol(client)
    assert client.get(SETTINGS).status_code == 200
    done = client.post(
        reverse("accounts:settings_two_factor_remove"), {"remove-password": PASSWORD}
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:two_factor_setup")
    assert client.get(done["Location"]).status_code == 200
    gated = client.get(SETTINGS)
    assert gated.status_code == 302
    assert gated["Location"].startswith(reverse("accounts:two_factor_setup"))
    enrol(client)
    assert client.get(SETTINGS).status_code == 200
