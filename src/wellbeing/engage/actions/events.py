"""Registration for events: capacity, waitlist with automatic promotion, mail, reminders."""

from collections.abc import Callable
from datetime import timedelta

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wellbeing.core.models import audit
from wellbeing.engage import links
from wellbeing.engage.models import Event, Registration
from wellbeing.engage.tasks import send_engage_email

CANCEL_SALT = "engage.registration.cancel"
REMIND_BEFORE = timedelta(hours=24)
# Each mail about a registration: its subject (naming the event) and its opening line.
MAILS = {
    "confirmed": (_("You are registered: %(title)s"), _("Your place is confirmed.")),
    "waitlisted": (
        _("You are on the waitlist: %(title)s"),
        _("The event is full, so you are on the waitlist. We will email you if a place opens up."),
    ),
    "promoted": (_("A place opened up: %(title)s"), _("A place opened up and it is yours.")),
    "reminder": (_("Reminder: %(title)s"), _("A reminder: the event starts soon.")),
}


class RegistrationClosed(Exception):
    """The event does not take registrations (closed, unpublished or over)."""


def cancel_token(registration: Registration) -> str:
    # Names the registration without its address: URLs end up in logs and histories.
    return links.make_token(salt=CANCEL_SALT, key="r", pk=registration.pk, email=registration.email)


def registration_for_token(token: str) -> Registration | None:
    """The registration a cancel link names, or None for a forged, mangled or expired link.

    Links mailed when they still carried the address are refused: the page
    offers another way to cancel rather than act on such a URL.
    """
    try:
        link = links.read_token(token, salt=CANCEL_SALT, key="r")
    except signing.BadSignature:
        return None
    if link.legacy:
        return None
    registration = Registration.objects.select_related("event").filter(pk=link.pk).first()
    return registration if registration and link.matches(registration.email) else None


def register(*, event: Event, name: str, email: str, site: str) -> tuple[Registration, bool]:
    """Register ``email``; a second registration with the same address changes nothing.

    Returns the registration and whether this call created or revived it. The
    event row is locked so two people cannot take the last place at once. Mail
    about the registration, now and later, is in the language of the page the
    person registered on.
    """
    email = email.strip().lower()
    language = translation.get_language() or "en"
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        if not locked.published or not locked.registration_open or locked.is_past:
            raise RegistrationClosed(locked.title)
        existing = Registration.objects.filter(event=locked, email=email).first()
        if existing and existing.status != Registration.Status.CANCELLED:
            return existing, False
        status = _status_for_newcomer(locked)
        if existing:
            existing.name, existing.status, existing.status_changed_at = (
                name,
                status,
                timezone.now(),
            )
            existing.reminded_at, existing.language = None, language
            existing.save(
                update_fields=["name", "status", "status_changed_at", "reminded_at", "language"]
            )
            registration = existing
        else:
            registration = Registration.objects.create(
                event=locked, name=name, email=email, status=status, language=language
            )
        audit(
            "event.register",
            target=f"registration #{registration.pk}",
            event=locked.pk,
            status=status,
        )
        _mail_on_commit(registration, site)
    return registration, True


def _status_for_newcomer(event: Event) -> str:
    left = event.places_left()
    waiting = event.registrations.filter(status=Registration.Status.WAITLISTED).exists()
    if left is None or (left > 0 and not waiting):
        return Registration.Status.CONFIRMED
    return Registration.Status.WAITLISTED


def cancel(*, registration: Registration, site: str) -> Registration | None:
    """Cancel a registration; a freed place goes to the longest-waiting person.

    Returns the promoted registration, if any. Cancelling twice is harmless.
    """
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=registration.event_id)
        current = Registration.objects.get(pk=registration.pk)
        if current.status == Registration.Status.CANCELLED:
            return None
        was_confirmed = current.status == Registration.Status.CONFIRMED
        current.status, current.status_changed_at = Registration.Status.CANCELLED, timezone.now()
        current.save(update_fields=["status", "status_changed_at"])
        audit("event.cancel", target=f"registration #{current.pk}", event=event.pk)
        promoted = _promote(event, site) if was_confirmed and not event.is_past else None
    registration.refresh_from_db()
    return promoted


def _promote(event: Event, site: str) -> Registration | None:
    if event.places_left() == 0:
        return None
    nxt = (
        event.registrations.filter(status=Registration.Status.WAITLISTED)
        .order_by("status_changed_at", "pk")
        .first()
    )
    if nxt is None:
        return None
    nxt.status, nxt.status_changed_at = Registration.Status.CONFIRMED, timezone.now()
    nxt.save(update_fields=["status", "status_changed_at"])
    audit("event.promote", target=f"registration #{nxt.pk}", event=event.pk)
    _mail_on_commit(nxt, site, kind="promoted")
    return nxt


def _mail_on_commit(registration: Registration, site: str, *, kind: str = "") -> None:
    subject, body = registration_email(registration, site, kind=kind)
    to = [registration.email]
    transaction.on_commit(lambda: send_engage_email.enqueue(subject, body, to))


def _links(registration: Registration, site: str) -> tuple[str, str, str]:
    event = registration.event
    page = site + event.get_absolute_url()
    ics = site + reverse("engage:event_ics", args=[event.slug])
    cancel_url = site + reverse("engage:event_cancel", args=[cancel_token(registration)])
    return page, ics, cancel_url


def _when(event: Event) -> str:
    return gettext("%(start)s to %(end)s (%(zone)s)") % {
        "start": formats.date_format(event.local_start, gettext("l, F j, Y, g:i A")),
        "end": formats.date_format(event.local_end, gettext("g:i A")),
        "zone": event.timezone,
    }


def _where(event: Event, confirmed: bool) -> list[str]:
    lines = []
    if event.venue:
        lines.append(gettext("Venue: %(venue)s") % {"venue": event.venue})
    if event.online_url and confirmed:
        lines.append(gettext("Join online: %(url)s") % {"url": event.online_url})
    elif event.format != Event.Format.IN_PERSON:
        lines.append(gettext("Online: the joining link comes once your place is confirmed."))
    return lines


def registration_email(registration: Registration, site: str, *, kind: str = "") -> tuple[str, str]:
    """The mail about a registration (``kind``: a key of ``MAILS``, by default its status),
    in the language the person registered in, whoever's action sends it."""
    confirmed = registration.status == Registration.Status.CONFIRMED
    subject, opening = MAILS[kind or ("confirmed" if confirmed else "waitlisted")]
    with translation.override(registration.language):
        subject_line = str(subject) % {"title": registration.event.title}
        body = _registration_body(registration, site, str(opening), confirmed)
    return subject_line, body


def _registration_body(registration: Registration, site: str, opening: str, confirmed: bool) -> str:
    event = registration.event
    page, ics, cancel_url = _links(registration, site)
    lines = [
        gettext("Hello %(name)s,") % {"name": registration.name},
        "",
        opening,
        "",
        event.title,
        _when(event),
        *_where(event, confirmed),
        "",
        gettext("Event page: %(url)s") % {"url": page},
        gettext("Add to your calendar: %(url)s") % {"url": ics},
        gettext("Cannot come? Cancel here so someone else can take your place: %(url)s")
        % {"url": cancel_url},
    ]
    return "\n".join(lines) + "\n"


def send_due_reminders(now=None, site: str = "") -> int:
    """Email confirmed people whose event starts within a day; each is reminded once."""
    now = now or timezone.now()
    due = Registration.objects.select_related("event").filter(
        status=Registration.Status.CONFIRMED,
        reminded_at__isnull=True,
        event__published=True,
        event__starts_at__gt=now,
        event__starts_at__lte=now + REMIND_BEFORE,
    )
    sent = 0
    for registration in due:
        with transaction.atomic():
            claimed = Registration.objects.filter(
                pk=registration.pk, reminded_at__isnull=True
            ).update(reminded_at=now)
            if not claimed:
                continue
            audit("event.remind", target=f"registration #{registration.pk}")
            subject, body = registration_email(
                registration, site or _default_site(), kind="reminder"
            )
            to = [registration.email]
            transaction.on_commit(_enqueue(subject, body, to))
            sent += 1
    return sent


def _enqueue(subject: str, body: str, to: list[str]) -> Callable[[], object]:
    return lambda: send_engage_email.enqueue(subject, body, to)


def _default_site() -> str:
    from django.conf import settings

    return str(settings.SITE_URL).rstrip("/")
