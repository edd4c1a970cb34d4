"""Staff enrol a second factor and read the audit log: accessible on a desktop and a phone."""

import pytest
from django_otp.oath import totp

pytestmark = pytest.mark.browser
PASSWORD = "a-long-test-password"


@pytest.fixture
def staff(transactional_db):
    from wellbeing.accounts.models import User

    return User.objects.create_user("sam@campaign.test", PASSWORD, is_staff=True)


def test_staff_enrol_two_step_sign_in_and_read_the_audit_log(site, staff, settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.WELLBEING_REQUIRE_2FA = True
    site.open("/accounts/login/")
    site.page.fill("#id_username", staff.email)
    site.page.fill("#id_password", PASSWORD)
    site.page.click("main button[type=submit]")
    site.page.wait_for_url("**/two-factor/setup/**")
    assert site.page.locator(".wb-qr svg").is_visible()
    site.assert_accessible()
    site.assert_no_horizontal_scroll()
    device = TOTPDevice.objects.get(user=staff)
    code = f"{totp(device.bin_key, step=device.step, digits=device.digits):0{device.digits}d}"
    site.page.fill("#id_token", code)
    site.page.click("main form button[type=submit]")
    assert site.page.locator("main li code").count() == 10
    site.assert_accessible()
    site.open("/staff/audit/?action=account.")
    assert "account.2fa.enrol" in site.page.locator("main table").inner_text()
    site.assert_accessible()
    site.assert_no_horizontal_scroll()
