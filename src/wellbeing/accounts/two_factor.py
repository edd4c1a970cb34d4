"""Two-factor sign-in (TOTP) for staff and organization admins: enrolment and verification.

The write path of the second factor: each function is atomic and leaves an audit
row. A privileged user without a confirmed authenticator is sent to enrolment
after signing in (``accounts.middleware``); enrolment shows a QR code and ten
single-use backup codes, once.
"""

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from wellbeing.accounts.models import User
from wellbeing.accounts.permissions import holds_admin_role, is_staff
from wellbeing.core.models import audit

BACKUP_CODES = 10
DEVICE_NAME = "Authenticator app"


def is_privileged(user: User | AnonymousUser) -> bool:
    """Staff and organization admins: the roles that see confidential reports or run the site."""
    return is_staff(user) or holds_admin_role(user)


def has_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@transaction.atomic
def pending_device(user: User) -> TOTPDevice:
    """The user's unconfirmed authenticator, created on first use (its secret is shown once)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
        audit("account.2fa.start", actor=user, target=user.email)
    return device


def qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an SVG QR code (paths only: no inline styles)."""
    # Here, not at the top: qrcode loads Pillow, and only enrolment draws a code.
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")


@transaction.atomic
def confirm_device(request: HttpRequest, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the authenticator with a code from it; returns new backup codes, or None."""
    if not device.verify_token(token.strip()):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_backup_codes(device.user)
    otp_login(request, device)
    audit("account.2fa.enrol", actor=device.user, target=device.user.email)
    return codes


@transaction.atomic
def verify(request: HttpRequest, user: User, token: str) -> bool:
    """Verify this session with a code from the authenticator or a backup code."""
    device = match_token(user, token.strip().replace(" ", ""))
    if device is None:
        audit("account.2fa.fail", actor=user, target=user.email)
        return False
    otp_login(request, device)
    audit("account.2fa.verify", actor=user, target=user.email, kind=type(device).__name__)
    return True


def _new_backup_codes(user: User) -> list[str]:
    """Replace the user's backup codes with ten new ones; the old ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    backup = StaticDevice.objects.create(user=user, name="Backup codes")
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=backup, token=c) for c in codes)
    return codes


@transaction.atomic
def regenerate_backup_codes(user: User) -> list[str]:
    """Ten new backup codes for a user with an authenticator (shown once); the old ones end."""
    if not has_device(user):
        raise ValueError(f"user: expected one with a confirmed authenticator, got {user.pk}")
    codes = _new_backup_codes(user)
    audit("account.backup_codes_regenerated", actor=user, target=user.email)
    return codes


@transaction.atomic
def remove_devices(user: User) -> None:
    """Remove the authenticator and the backup codes: sign-in asks for the password only.

    A privileged user under ``WELLBEING_REQUIRE_2FA`` is sent to enrolment on their next
    page (``accounts.middleware``): the session is no longer verified.
    """
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit("account.two_factor_removed", actor=user, target=user.email)
