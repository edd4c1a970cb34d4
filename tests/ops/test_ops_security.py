"""Security: two-step sign-in, lockout, idle timeout, rate limits, headers, passwords, audit log.

The shared autouse fixture turns 2FA and lockout off everywhere but in this module.
"""

import datetime as dt
import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from wellbeing.core.models import AuditEvent, audit

PASSWORD = "a-long-test-password"


@pytest.fixture(autouse=True)
def _production_sign_in(settings):
    settings.WELLBEING_REQUIRE_2FA = True  # the production default
    settings.AXES_ENABLED = True


def sign_in(client, email, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):0{device.digits}d}"


def test_an_org_admin_without_a_device_is_sent_to_enrolment_after_sign_in(client, org_admin, org):
    sign_in(client, org_admin.email)
    page = client.get(f"/measure/{org.slug}/")
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("accounts:two_factor_setup"))


def test_a_member_is_not_asked_for_a_second_factor(client, clinician):
    sign_in(client, clinician.email)
    assert client.get(reverse("accounts:home")).status_code == 200


def test_enrolment_shows_an_svg_qr_code_and_confirms_with_a_code(client, staff_curator, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no back-off after the deliberate wrong code
    sign_in(client, staff_curator.email)
    setup = client.get(reverse("accounts:two_factor_setup"))
    html = setup.content.decode()
    assert setup.status_code == 200 and "<svg" in html and "style=" not in html
    wrong = client.post(reverse("accounts:two_factor_setup"), {"token": "000000"})
    assert wrong.status_code == 400 and "does not match" in wrong.content.decode()
    device = TOTPDevice.objects.get(user=staff_curator)
    done = client.post(reverse("accounts:two_factor_setup"), {"token": code_for(device)})
    assert done.status_code == 200
    assert len(done.context["codes"]) == 10
    assert client.get(reverse("campaign:dashboard")).status_code == 200
    assert AuditEvent.objects.filter(verb="account.2fa.enrol", actor=staff_curator).exists()


def test_a_backup_code_verifies_a_new_session_once(client, staff_curator):
    sign_in(client, staff_curator.email)
    client.get(reverse("accounts:two_factor_setup"))
    device = TOTPDevice.objects.get(user=staff_curator)
    codes = client.post(reverse("accounts:two_factor_setup"), {"token": code_for(device)}).context[
        "codes"
    ]
    client.post(reverse("accounts:logout"))
    sign_in(client, staff_curator.email)
    assert client.get(reverse("campaign:dashboard"))["Location"].startswith(
        reverse("accounts:two_factor_verify")
    )
    ok = client.post(reverse("accounts:two_factor_verify"), {"token": codes[0], "next": "/"})
    assert ok.status_code == 302 and ok["Location"] == "/"
    client.post(reverse("accounts:logout"))
    sign_in(client, staff_curator.email)
    again = client.post(reverse("accounts:two_factor_verify"), {"token": codes[0]})
    assert again.status_code == 400


def test_the_verify_page_refuses_an_outside_next_address(client, staff_curator):
    sign_in(client, staff_curator.email)
    client.get(reverse("accounts:two_factor_setup"))
    device = TOTPDevice.objects.get(user=staff_curator)
    done = client.post(
        reverse("accounts:two_factor_setup"),
        {"token": code_for(device), "next": "https://evil.example/"},
    )
    assert done.context["next"] == "/accounts/"


def test_repeated_wrong_passwords_lock_the_account_out_with_a_clear_page(client, clinician):
    codes = [sign_in(client, clinician.email, "wrong-password-1234").status_code for _ in range(5)]
    assert codes[:4] == [200] * 4
    locked = sign_in(client, clinician.email)  # even the right password, now
    assert locked.status_code == 429
    assert "Sign-in paused" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_lockout_is_per_account_and_address(client, clinician, unit_lead):
    for _ in range(5):
        sign_in(client, clinician.email, "wrong-password-1234")
    assert sign_in(client, unit_lead.email).status_code == 302


def test_an_idle_privileged_session_is_signed_out(client, org_admin, settings):
    settings.WELLBEING_REQUIRE_2FA = False
    client.force_login(org_admin)
    assert client.get(reverse("accounts:home")).status_code == 200
    session = client.session
    session["wb_privileged_seen"] = int(time.time()) - 31 * 60
    session.save()
    page = client.get(reverse("accounts:home"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session


def test_a_member_s_session_has_no_short_idle_timeout(client, clinician, settings):
    client.force_login(clinician)
    session = client.session
    session["wb_privileged_seen"] = int(time.time()) - 31 * 60
    session.save()
    assert client.get(reverse("accounts:home")).status_code == 200


@pytest.mark.parametrize(
    ("url", "limit"),
    [("/engage/updates/", 10), ("/hub/suggest/", 5), ("/campaign/join/individual/", 10)],
)
def test_public_forms_answer_429_with_retry_after_past_their_limit(client, db, url, limit):
    codes = [client.post(url, {}).status_code for _ in range(limit + 1)]
    assert 429 not in codes[:limit]
    assert codes[-1] == 429
    limited = client.post(url, {})
    assert 0 < int(limited["Retry-After"]) <= 3600
    assert "Too many requests" in limited.content.decode()
    assert client.get(url).status_code == 200  # reading is never limited


def test_responses_carry_the_security_headers(client, db):
    page = client.get("/")
    csp = page["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1]
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["Referrer-Policy"] == "same-origin"
    assert page["X-Frame-Options"] == "DENY"
    assert page["Cross-Origin-Opener-Policy"] == "same-origin"


def test_https_responses_carry_hsts_under_the_production_settings(client, db, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    page = client.get("/", secure=True)
    assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_the_password_policy_wants_twelve_characters_and_no_common_words(db):
    with pytest.raises(ValidationError, match="at least 12"):
        validate_password("Sh0rt-pass!")
    with pytest.raises(ValidationError, match="too common"):
        validate_password("password1234")
    with pytest.raises(ValidationError, match="entirely numeric"):
        validate_password("394857203948")
    validate_password("correct horse battery staple")


def test_the_staff_audit_log_is_not_found_for_anyone_else(client, org_admin, settings):
    settings.WELLBEING_REQUIRE_2FA = False
    assert client.get("/staff/audit/").status_code == 404
    client.force_login(org_admin)
    assert client.get("/staff/audit/").status_code == 404


def test_staff_filter_the_audit_log_by_action_actor_organization_and_date(
    client, staff_curator, org_admin, org, other_org, settings
):
    settings.WELLBEING_REQUIRE_2FA = False
    audit("wave.report_view", actor=org_admin, target="Spring", organization=org)
    audit("wave.report_view", actor=None, target="Autumn", organization=other_org)
    audit("hub.list.save", actor=org_admin, target="list #1")
    client.force_login(staff_curator)
    by_action = client.get("/staff/audit/", {"action": "wave."}).context["page"]
    assert {e.target for e in by_action} == {"Spring", "Autumn"}
    by_actor = client.get("/staff/audit/", {"actor": org_admin.email.upper()}).context["page"]
    assert {e.verb for e in by_actor} >= {"wave.report_view", "hub.list.save"}
    by_org = client.get("/staff/audit/", {"organization": other_org.slug}).context["page"]
    assert [e.target for e in by_org] == ["Autumn", "Lakeside Clinic"]  # and its creation
    tomorrow = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    assert not client.get("/staff/audit/", {"since": tomorrow}).context["page"].object_list


def test_a_backwards_date_range_is_explained_not_ignored(client, staff_curator, settings):
    settings.WELLBEING_REQUIRE_2FA = False
    client.force_login(staff_curator)
    page = client.get("/staff/audit/", {"since": "2026-05-02", "until": "2026-05-01"})
    assert page.status_code == 400
    assert "must not be after" in page.content.decode()


def test_the_audit_log_is_paginated(client, staff_curator, settings):
    settings.WELLBEING_REQUIRE_2FA = False
    for i in range(120):
        audit("test.row", target=f"row {i}")
    client.force_login(staff_curator)
    first = client.get("/staff/audit/", {"action": "test."})
    assert len(first.context["page"].object_list) == 50
    last = client.get("/staff/audit/", {"action": "test.", "page": "99"})
    assert last.context["page"].number == 3
