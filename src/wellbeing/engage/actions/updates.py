"""Email updates: double opt-in, topics, one-click unsubscribe, newsletters and bounces.

Every link in the mail is signed (``django.core.signing``), so no token is
stored, and no link carries the address (``engage.links``). The confirmation
link names the consent it confirms (``consented_at``): after an unsubscribe,
subscribing again needs a new confirmation and the old link no longer works.
Unsubscribe and preference links never expire, because they sit in every
newsletter ever sent. Opening a link changes nothing: the page it shows has the
button that acts (mail scanners open links; they do not press buttons).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import mail, signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from wellbeing.core.models import audit
from wellbeing.engage import links
from wellbeing.engage.forms import CONSENT_TEXT
from wellbeing.engage.models import Delivery, Newsletter, Subscriber, SubscriberTopic, Topic
from wellbeing.engage.tasks import deliver_newsletter, send_engage_email

CONFIRM_SALT = "engage.subscriber.confirm"
CONFIRM_MAX_AGE = timedelta(days=7)
UNSUBSCRIBE_SALT = "engage.subscriber.unsubscribe"
PREFERENCES_SALT = "engage.subscriber.preferences"
BATCH_SIZE = 100


def _site() -> str:
    return str(settings.SITE_URL).rstrip("/")


def confirm_token(subscriber: Subscriber) -> str:
    # Names the subscriber and the consent it confirms, never the address.
    consent = subscriber.consented_at.isoformat() if subscriber.consented_at else ""
    return signing.dumps({"s": subscriber.pk, "c": consent}, salt=CONFIRM_SALT)


def _signed_path(view: str, salt: str, subscriber: Subscriber) -> str:
    token = links.make_token(salt=salt, key="s", pk=subscriber.pk, email=subscriber.email)
    return reverse(view, args=[token])


def unsubscribe_path(subscriber: Subscriber) -> str:
    return _signed_path("engage:updates_unsubscribe", UNSUBSCRIBE_SALT, subscriber)


def preferences_path(subscriber: Subscriber) -> str:
    return _signed_path("engage:updates_preferences", PREFERENCES_SALT, subscriber)


def unsubscribe_url(subscriber: Subscriber, site: str = "") -> str:
    return (site or _site()) + unsubscribe_path(subscriber)


def preferences_url(subscriber: Subscriber, site: str = "") -> str:
    return (site or _site()) + preferences_path(subscriber)


@dataclass(frozen=True)
class SubscriberLink:
    """The subscriber a link names; ``legacy`` for a link mailed when links carried the address."""

    subscriber: Subscriber
    legacy: bool


def _subscriber_for(token: str, salt: str) -> SubscriberLink | None:
    try:
        link = links.read_token(token, salt=salt, key="s")
    except signing.BadSignature:
        return None
    subscriber = Subscriber.objects.filter(pk=link.pk).first()
    if subscriber is None or not link.matches(subscriber.email):
        return None
    return SubscriberLink(subscriber, link.legacy)


def subscriber_for_unsubscribe(token: str) -> SubscriberLink | None:
    """The subscriber an unsubscribe link names, or None for a forged or mangled link."""
    return _subscriber_for(token, UNSUBSCRIBE_SALT)


def subscriber_for_preferences(token: str) -> SubscriberLink | None:
    return _subscriber_for(token, PREFERENCES_SALT)


def _set_topics(subscriber: Subscriber, topics: Iterable[str]) -> None:
    wanted = sorted(set(topics) & set(Topic.values))
    if not wanted:
        raise ValueError(f"topics must name at least one of {Topic.values}, got {list(topics)!r}")
    subscriber.topic_rows.exclude(topic__in=wanted).delete()
    have = set(subscriber.topic_rows.values_list("topic", flat=True))
    SubscriberTopic.objects.bulk_create(
        SubscriberTopic(subscriber=subscriber, topic=t) for t in wanted if t not in have
    )


def subscribe(email: str, topics: Iterable[str] = (), site: str = "") -> Subscriber:
    """Ask for updates; the address gets a confirmation link and nothing else until it is used.

    A repeated sign-up is not an error and reveals nothing on the page. An
    active subscriber gets a link to their preferences instead, so nobody can
    change another person's topics by typing their address. The consent is
    stored in the words shown, and the mail (now and every newsletter's footer
    later) is in the language of the page the person signed up on.
    """
    email = email.strip().lower()
    topics = list(topics) or list(Topic.values)
    consent, language = str(CONSENT_TEXT), translation.get_language() or "en"
    with transaction.atomic():
        try:
            with transaction.atomic():
                subscriber = Subscriber.objects.create(
                    email=email, consent_text=consent, language=language
                )
        except IntegrityError:
            subscriber = Subscriber.objects.select_for_update().get(email=email)
            if subscriber.is_active:
                _mail_on_commit(subscriber, *_already_email(subscriber, site))
                return subscriber
        subscriber.consent_text, subscriber.consented_at = consent, timezone.now()
        subscriber.confirmed_at = subscriber.unsubscribed_at = None
        subscriber.language = language
        subscriber.save(
            update_fields=[
                "consent_text",
                "consented_at",
                "confirmed_at",
                "unsubscribed_at",
                "language",
            ]
        )
        _set_topics(subscriber, topics)
        audit("subscriber.subscribe", target=f"subscriber #{subscriber.pk}", topics=topics)
        _mail_on_commit(subscriber, *_confirm_email(subscriber, site))
    return subscriber


def _mail_on_commit(subscriber: Subscriber, subject: str, body: str) -> None:
    to = [subscriber.email]
    transaction.on_commit(lambda: send_engage_email.enqueue(subject, body, to))


def _confirm_email(subscriber: Subscriber, site: str) -> tuple[str, str]:
    link = (site or _site()) + reverse("engage:updates_confirm", args=[confirm_token(subscriber)])
    lines = [
        gettext("Please confirm that you want email updates from us."),
        "",
        gettext("Open this link, then select the button on the page to confirm:"),
        link,
        "",
        gettext(
            "The link works for %(days)s days. If you did not sign up, ignore this message: "
            "without confirmation we send you nothing."
        )
        % {"days": CONFIRM_MAX_AGE.days},
    ]
    return gettext("Confirm your email updates"), "\n".join(lines) + "\n"


def _already_email(subscriber: Subscriber, site: str) -> tuple[str, str]:
    lines = [
        gettext(
            "Someone (probably you) asked for email updates with this address, which already "
            "receives them."
        ),
        "",
        *_footer(subscriber, site),
    ]
    return gettext("You already receive our email updates"), "\n".join(lines) + "\n"


def _footer(subscriber: Subscriber, site: str = "") -> list[str]:
    """The personal links every mail to a subscriber ends with."""
    return [
        gettext("Change your topics: %(url)s") % {"url": preferences_url(subscriber, site)},
        gettext("Unsubscribe: %(url)s") % {"url": unsubscribe_url(subscriber, site)},
    ]


def _confirm_link(token: str) -> tuple[int, str] | None:
    """The subscriber id and consent a confirmation link names, or None if it is not valid."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    pk, consent = (data.get("s"), data.get("c")) if isinstance(data, dict) else (None, None)
    if not isinstance(pk, int) or not isinstance(consent, str):
        return None
    return pk, consent


def _consent_matches(subscriber: Subscriber | None, consent: str) -> bool:
    """A link confirms only the latest consent of a subscriber who has not unsubscribed."""
    if subscriber is None or subscriber.unsubscribed_at is not None:
        return False
    current = subscriber.consented_at.isoformat() if subscriber.consented_at else ""
    return consent == current


def subscriber_to_confirm(token: str) -> Subscriber | None:
    """The subscriber a confirmation link would confirm, changing nothing (the page's GET)."""
    named = _confirm_link(token)
    if named is None:
        return None
    subscriber = Subscriber.objects.filter(pk=named[0]).first()
    return subscriber if _consent_matches(subscriber, named[1]) else None


def confirm(token: str) -> Subscriber | None:
    """Confirm the subscription a link names; None for a forged, expired or superseded link.

    Confirming clears a bounce mark: following the link proves the address receives mail.
    """
    named = _confirm_link(token)
    if named is None:
        return None
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(pk=named[0]).first()
        if subscriber is None or not _consent_matches(subscriber, named[1]):
            return None
        if subscriber.confirmed_at is None:
            subscriber.confirmed_at, subscriber.bounced_at = timezone.now(), None
            subscriber.save(update_fields=["confirmed_at", "bounced_at"])
            audit("subscriber.confirm", target=f"subscriber #{subscriber.pk}")
    return subscriber


def unsubscribe(subscriber: Subscriber) -> Subscriber:
    """Stop all mail to the address; a second call changes nothing."""
    with transaction.atomic():
        updated = Subscriber.objects.filter(pk=subscriber.pk, unsubscribed_at__isnull=True).update(
            unsubscribed_at=timezone.now()
        )
        if updated:
            audit("subscriber.unsubscribe", target=f"subscriber #{subscriber.pk}")
    subscriber.refresh_from_db()
    return subscriber


def set_topics(subscriber: Subscriber, topics: Iterable[str]) -> Subscriber:
    with transaction.atomic():
        _set_topics(subscriber, topics)
        audit("subscriber.topics", target=f"subscriber #{subscriber.pk}", topics=list(topics))
    return subscriber


def mark_bounced(emails: Iterable[str]) -> tuple[int, list[str]]:
    """Mark these addresses bounced; returns how many were marked and those not found."""
    wanted = {e.strip().lower() for e in emails if e.strip()}
    with transaction.atomic():
        found = set(Subscriber.objects.filter(email__in=wanted).values_list("email", flat=True))
        marked = Subscriber.objects.filter(email__in=found, bounced_at__isnull=True).update(
            bounced_at=timezone.now()
        )
        audit("subscriber.bounced", target="subscribers", count=marked)
    return marked, sorted(wanted - found)


# Newsletters


def create_newsletter(*, subject: str, body: str, topics: list[str], actor) -> Newsletter:
    unknown = sorted(set(topics) - set(Topic.values))
    if not topics or unknown:
        raise ValueError(f"topics must be some of {Topic.values}, got {topics!r}")
    with transaction.atomic():
        newsletter = Newsletter.objects.create(
            subject=subject, body=body, topics=sorted(set(topics)), created_by=actor
        )
        audit("newsletter.create", actor=actor, target=f"newsletter #{newsletter.pk}")
    return newsletter


def recipients(newsletter: Newsletter):
    return Subscriber.objects.sendable().for_topics(newsletter.topics).order_by("pk")


def send_newsletter(*, newsletter: Newsletter, actor) -> Newsletter:
    """Start sending: count the recipients and enqueue the delivery task after commit."""
    with transaction.atomic():
        locked = Newsletter.objects.select_for_update().get(pk=newsletter.pk)
        if locked.status != Newsletter.Status.DRAFT:
            raise ValueError(f"newsletter #{locked.pk} is already {locked.get_status_display()}")
        locked.status, locked.started_at = Newsletter.Status.SENDING, timezone.now()
        locked.total = recipients(locked).count()
        locked.save(update_fields=["status", "started_at", "total"])
        audit("newsletter.send", actor=actor, target=f"newsletter #{locked.pk}", total=locked.total)
        pk = locked.pk
        transaction.on_commit(lambda: deliver_newsletter.enqueue(pk))
    newsletter.refresh_from_db()
    return newsletter


def deliver(newsletter_id: int, batch_size: int = BATCH_SIZE) -> int:
    """Send to every recipient not yet sent to, in batches; returns how many this run sent.

    Each recipient is first claimed with a ``Delivery`` row (unique per
    newsletter and subscriber), so a task that runs twice, or is retried after
    a crash, never sends anyone the same newsletter twice. A crash between the
    claim and the send loses that one message rather than duplicating it.
    """
    newsletter = Newsletter.objects.get(pk=newsletter_id)
    if newsletter.status == Newsletter.Status.DRAFT:
        raise ValueError(f"newsletter #{newsletter_id} has not been sent yet (still a draft)")
    sent = 0
    while True:
        batch = list(recipients(newsletter).exclude(deliveries__newsletter=newsletter)[:batch_size])
        if not batch:
            break
        sent += _send_batch(newsletter, batch)
    Newsletter.objects.filter(pk=newsletter.pk, status=Newsletter.Status.SENDING).update(
        status=Newsletter.Status.SENT, finished_at=timezone.now()
    )
    Newsletter.objects.filter(pk=newsletter.pk).update(sent_count=newsletter.deliveries.count())
    return sent


def _send_batch(newsletter: Newsletter, batch: list[Subscriber]) -> int:
    sent = 0
    with mail.get_connection() as connection:
        for subscriber in batch:
            try:
                with transaction.atomic():
                    Delivery.objects.create(newsletter=newsletter, subscriber=subscriber)
            except IntegrityError:  # another run claimed this one
                continue
            newsletter_message(newsletter, subscriber, connection).send()
            sent += 1
    Newsletter.objects.filter(pk=newsletter.pk).update(sent_count=newsletter.deliveries.count())
    return sent


def newsletter_message(
    newsletter: Newsletter, subscriber: Subscriber, connection=None
) -> mail.EmailMessage:
    """The mail for one subscriber, with RFC 8058 one-click unsubscribe headers.

    The newsletter is sent as staff wrote it; its footer is in the subscriber's language."""
    leave = unsubscribe_url(subscriber)
    with translation.override(subscriber.language):
        footer = "\n".join(_footer(subscriber))
    body = f"{newsletter.body.rstrip()}\n\n--\n{footer}\n"
    return mail.EmailMessage(
        newsletter.subject,
        body,
        settings.DEFAULT_FROM_EMAIL,
        [subscriber.email],
        connection=connection,
        headers={
            "List-Unsubscribe": f"<{leave}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
