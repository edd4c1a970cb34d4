"""The write path of a person's own account: name, address, password, sessions, reset.

Each action is atomic and leaves an audit row naming the account, never a password, a
token or an address it is changing to. Mail goes out once the transaction commits, with
links built on ``settings.SITE_URL`` (never on the request's Host header).

Sessions end without reading the session table: Django checks each session's stored
``get_session_auth_hash`` on every request, and ``User.session_salt`` is part of it, so a
new salt (or a new password) ends every session at its next request. The view keeps the
current one with ``update_session_auth_hash``.
"""

import hashlib
import json
import logging
from dataclasses import dataclass

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from wellbeing.accounts.models import User, new_session_salt, normalize_email
from wellbeing.core import ratelimit, sealing
from wellbeing.core.models import audit

log = logging.getLogger(__name__)

# Reset mail to one address, per hour: more requests are answered alike and send nothing.
RESET_MAILS_PER_ADDRESS = 3
EMAIL_CHANGE_SALT = "wellbeing.accounts.email_change"
EMAIL_CHANGE_MAX_AGE = 24 * 3600  # seconds a confirmation link works


class EmailTaken(ValueError):
    """Another account already signs in with this address."""


def site_url() -> str:
    return str(settings.SITE_URL).rstrip("/")


def address_taken(email: str, *, user: User) -> bool:
    """Whether an account other than ``user`` holds ``email``, in any case."""
    return User.objects.filter(email__iexact=normalize_email(email)).exclude(pk=user.pk).exists()


def _mail_on_commit(subject: str, body: str, to: str) -> None:
    def send() -> None:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
        except OSError:  # smtplib's errors are OSErrors; the address stays out of the log
            log.exception("accounts: could not send %r", subject)

    transaction.on_commit(send)


# --- name ---------------------------------------------------------------------------------


@transaction.atomic
def change_display_name(user: User, display_name: str) -> User:
    user.display_name = display_name.strip()
    user.save(update_fields=["display_name"])
    audit("account.display_name_changed", actor=user, target=user.email)
    return user


# --- password and sessions ----------------------------------------------------------------


def _new_password(user: User, password: str) -> None:
    user.set_password(password)
    user.session_salt = new_session_salt()
    user.save(update_fields=["password", "session_salt"])


@transaction.atomic
def change_password(user: User, new_password: str) -> User:
    """Set a new password and end every session; the view keeps the current one."""
    _new_password(user, new_password)
    audit("account.password_changed", actor=user, target=user.email)
    _mail_on_commit(
        "Your password was changed",
        "The password of your account was just changed, and every other device was signed "
        "out.\n\nIf this was not you, reset your password now:\n"
        f"{site_url()}{reverse('accounts:password_reset')}\n"
        f"and write to {settings.CONTACT_EMAIL}.\n",
        user.email,
    )
    return user


@transaction.atomic
def end_sessions(user: User, *, this_one_too: bool) -> User:
    """End every session of the user; unless ``this_one_too``, the view keeps the current one."""
    user.session_salt = new_session_salt()
    user.save(update_fields=["session_salt"])
    audit("account.sessions_ended", actor=user, target=user.email, this_device=this_one_too)
    return user


# --- password reset -----------------------------------------------------------------------


def reset_mail_allowed(email: str) -> bool:
    """Count one reset mail to ``email`` in this hour; False past the limit.

    The address is hashed before it becomes a cache key, as ``core.ratelimit`` does.
    """
    if not getattr(settings, "RATE_LIMITS_ENABLED", True):
        return True
    digest = hashlib.sha256(normalize_email(email).encode()).hexdigest()[:32]
    key = f"ratelimit:accounts.password_reset.address:{digest}"
    return ratelimit.count_in_window(key, RESET_MAILS_PER_ADDRESS, ratelimit.WINDOW_SECONDS) == 0


def send_password_reset(form: PasswordResetForm, **options: object) -> None:
    """Mail a reset link if an active account holds the form's address, and audit it.

    The caller answers alike whether or not one does: nothing here tells the visitor.
    """
    email = str(form.cleaned_data["email"])
    if not reset_mail_allowed(email):
        return
    with transaction.atomic():
        for user in form.get_users(email):
            audit("account.password_reset_requested", target=user.email)
    extra = {"site_url": site_url(), "site_name": settings.SITE_NAME}
    form.save(extra_email_context=extra, **options)  # type: ignore[arg-type]


@transaction.atomic
def reset_password(user: User, new_password: str) -> User:
    """Set the password chosen through a reset link: every session ends, sign-in unlocks.

    The link stops working (Django's token covers the password hash). django-axes'
    failed sign-ins for the address are cleared, so the new password signs in at once.
    """
    _new_password(user, new_password)
    axes_reset(username=user.email)
    audit("account.password_reset", actor=user, target=user.email)
    return user


# --- email address ------------------------------------------------------------------------


@dataclass(frozen=True)
class EmailChange:
    user_id: int
    old: str
    new: str


def email_change_token(user: User, new_email: str) -> str:
    """A signed, time-limited link token naming the change; the addresses are sealed in it,
    so a URL in a log or a browser's history shows neither."""
    payload = json.dumps({"u": user.pk, "o": user.email, "n": normalize_email(new_email)})
    sealed = sealing.seal_text(payload.encode(), EMAIL_CHANGE_SALT)
    return signing.TimestampSigner(salt=EMAIL_CHANGE_SALT).sign(sealed)


def email_change_for(user: User, token: str) -> EmailChange:
    """The change a link names for this user, changing nothing (the confirmation page's GET).

    Raises ``signing.BadSignature`` for a tampered, expired or used link, or one of another
    account.
    """
    try:
        sealed = signing.TimestampSigner(salt=EMAIL_CHANGE_SALT).unsign(
            token, max_age=EMAIL_CHANGE_MAX_AGE
        )
        data = json.loads(sealing.unseal_text(sealed, EMAIL_CHANGE_SALT))
    except ValueError as error:  # Unsealable, bad JSON (BadSignature passes through)
        raise signing.BadSignature("the link names no change of address") from error
    change = EmailChange(user_id=data.get("u"), old=data.get("o"), new=data.get("n"))
    if change.user_id != user.pk or change.old != user.email:  # another account's, or used
        raise signing.BadSignature("the link names no change of this account's address")
    return change


@transaction.atomic
def request_email_change(user: User, new_email: str) -> None:
    """Mail a confirmation link to the new address and a note to the current one.

    Nothing changes until the link is opened and confirmed (``confirm_email_change``).
    """
    new_email = normalize_email(new_email)
    if address_taken(new_email, user=user):
        raise EmailTaken("new_email: another account holds this address")
    path = reverse("accounts:email_confirm", args=[email_change_token(user, new_email)])
    audit("account.email_change_requested", actor=user, target=user.email)
    hours = EMAIL_CHANGE_MAX_AGE // 3600
    _mail_on_commit(
        "Confirm your new sign-in address",
        f"Someone, probably you, asked to sign in to {settings.SITE_NAME} with this address "
        "from now on.\n\n"
        f"To confirm, open this link within {hours} hours, sign in if asked, and select the "
        f"button on the page:\n{site_url()}{path}\n\n"
        "If this was not you, ignore this message: nothing changes.\n",
        new_email,
    )
    _mail_on_commit(
        "A change of your sign-in address was requested",
        "Someone signed in to your account asked to change its sign-in address. The "
        "change happens only when it is confirmed from the new address.\n\n"
        "If this was not you, change your password now:\n"
        f"{site_url()}{reverse('accounts:settings')}\n"
        f"and write to {settings.CONTACT_EMAIL}.\n",
        user.email,
    )


@transaction.atomic
def confirm_email_change(user: User, token: str) -> User:
    """Change the address a link names; raises ``signing.BadSignature`` or ``EmailTaken``."""
    user = User.objects.select_for_update().get(pk=user.pk)
    change = email_change_for(user, token)
    if address_taken(change.new, user=user):
        raise EmailTaken("new_email: another account holds this address")
    user.email = change.new
    try:
        with transaction.atomic():
            user.save(update_fields=["email"])
    except IntegrityError as error:  # taken between the check and the write
        raise EmailTaken("new_email: another account holds this address") from error
    audit("account.email_changed", actor=user, target=change.old)
    _mail_on_commit(
        "Your sign-in address was changed",
        f"Your account at {settings.SITE_NAME} now signs in with another address; this one "
        "no longer works for it.\n\n"
        f"If this was not you, write to {settings.CONTACT_EMAIL} at once.\n",
        change.old,
    )
    return user
