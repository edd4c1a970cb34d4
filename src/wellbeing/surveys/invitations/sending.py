"""Sending: the mail, a batch's delivery, reminders, bounces and the purge.

A run claims each invitation (committed) before its mail goes out and records the outcome
after, so a second run or a run after a crash never mails an address twice.
"""

import smtplib
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import timedelta

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.db.models import F, Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from wellbeing.accounts.models import User
from wellbeing.core import sealing
from wellbeing.core.models import audit
from wellbeing.surveys.invitations.batches import (
    ADDRESS_PURPOSE,
    LINK_PURPOSE,
    InvitationsRefused,
    address_digest,
    check_invitable,
    clean_address,
)
from wellbeing.surveys.models import Invitation, InvitationBatch, Wave

CHUNK = 100  # messages per claim
MAX_REMINDERS = 3  # per invitation
REMINDER_GAP = timedelta(hours=24)  # between two rounds of reminders of a wave
LANGUAGE_RULE = "-" * 40  # between the languages of one mail


# -- the mail ---------------------------------------------------------------------------------


def invitation_message(
    wave: Wave,
    address: str,
    token: str,
    *,
    reminder: bool = False,
    connection=None,
    languages: Sequence[str] | None = None,
) -> mail.EmailMessage:
    """One person's mail: the common text and their own link, nothing else that differs.

    Written in every language the site offers (``languages``, English first by default):
    nobody records which language a person reads, and a mail both can read needs no such
    record. The link opens the survey in the browser's language, with a switch on every page.
    """
    org = wave.survey.organization
    context = {
        "org": org.name,
        "survey": wave.survey.name,
        "closes": timezone.localtime(wave.closes_at),
        "link": settings.SITE_URL.rstrip("/") + reverse("surveys:respond_token", args=[token]),
        "reminder": reminder,
    }
    names = dict(settings.LANGUAGES)
    codes = list(languages or names)
    parts = [_in_language(code, context) for code in codes]
    # Every part after the first opens with a rule and its language's own name.
    bodies = [
        body if n == 0 else f"{LANGUAGE_RULE}\n{names[code]}\n\n{body}"
        for n, (code, (_subject, body)) in enumerate(zip(codes, parts, strict=True))
    ]
    return mail.EmailMessage(
        " / ".join(subject for subject, _body in parts),
        "\n\n".join(bodies) + "\n",
        settings.DEFAULT_FROM_EMAIL,
        [address],
        connection=connection,
    )


def _in_language(code: str, context: dict) -> tuple[str, str]:
    """The subject (one line) and body of the mail in one language."""
    with translation.override(code):
        subject = render_to_string("surveys/invitations/email_subject.txt", context)
        body = render_to_string("surveys/invitations/email_body.txt", context)
    return " ".join(subject.split()), body.strip()


class DeliveryInterrupted(RuntimeError):
    """The mail server failed mid-run; running the task again resumes where it stopped."""


def _send_one(message: mail.EmailMessage, connection) -> bool:
    """Send ``message``; False if the server refused its recipient. Any other failure
    raises ``DeliveryInterrupted`` naming the kind of failure only: the server's own error
    can carry the address, and a task's error is stored and logged."""
    try:
        return connection.send_messages([message]) == 1
    except smtplib.SMTPRecipientsRefused:
        return False
    except Exception as error:
        raise DeliveryInterrupted(f"mail server error ({type(error).__name__})") from None


# -- sending a batch ----------------------------------------------------------------------------


def deliver_batch(batch_id: int, chunk: int = CHUNK) -> int:
    """Send a batch's queued invitations over one connection; returns how many this run sent.

    Each invitation is claimed (queued -> claimed, committed) before its mail goes out and
    marked sent or refused after, so a second run, or a run after a crash, never mails an
    address twice: a crash between the claim and the send loses that one mail instead."""
    batch = (
        InvitationBatch.objects.select_related("wave__survey__organization")
        .filter(pk=batch_id)
        .first()
    )
    if batch is None:
        return 0
    InvitationBatch.objects.filter(pk=batch.pk, status=InvitationBatch.Status.QUEUED).update(
        status=InvitationBatch.Status.SENDING
    )
    wave, sent = batch.wave, 0
    with mail.get_connection() as connection:
        while Wave.objects.accepting(wave.pk):
            claimed = _claim(
                Q(batch=batch, delivery=Invitation.Delivery.QUEUED), chunk, _claim_send
            )
            if not claimed:
                break
            sent += _send_claimed(batch, wave, claimed, connection)
    queued = Invitation.objects.filter(batch=batch, delivery=Invitation.Delivery.QUEUED)
    if not queued.exists() or not Wave.objects.accepting(wave.pk):
        InvitationBatch.objects.filter(pk=batch.pk).update(status=InvitationBatch.Status.DONE)
    return sent


def _claim_send(row: Invitation) -> int:
    return Invitation.objects.filter(pk=row.pk, delivery=Invitation.Delivery.QUEUED).update(
        delivery=Invitation.Delivery.CLAIMED
    )


def _claim_reminder(row: Invitation) -> int:
    return Invitation.objects.filter(pk=row.pk, reminder_due=True).update(
        reminder_due=False, reminded=F("reminded") + 1
    )


def _claim(where: Q, chunk: int, claim) -> list[tuple[Invitation, str, str]]:
    """Up to ``chunk`` rows matching ``where``, each claimed by ``claim`` (1 if this run got
    it), committed before any mail goes out; with their opened address and link."""
    with transaction.atomic():
        rows = list(Invitation.objects.filter(where).order_by("pk")[:chunk])
        mine = [row for row in rows if claim(row) == 1]
    return [
        (
            row,
            sealing.unseal_text(row.address_sealed, ADDRESS_PURPOSE).decode(),
            sealing.unseal_text(row.token_sealed, LINK_PURPOSE).decode(),
        )
        for row in mine
        if row.address_sealed and row.token_sealed
    ]


def _send_claimed(batch: InvitationBatch, wave: Wave, claimed, connection) -> int:
    done: list[int] = []
    refused: list[int] = []
    try:
        for index, (row, address, token) in enumerate(claimed):
            message = invitation_message(wave, address, token, connection=connection)
            try:
                ok = _send_one(message, connection)
            except DeliveryInterrupted:
                # This one stays claimed (it may have gone out); the rest go back to the queue.
                rest = [r.pk for r, _, _ in claimed[index + 1 :]]
                Invitation.objects.filter(pk__in=rest).update(delivery=Invitation.Delivery.QUEUED)
                raise
            (done if ok else refused).append(row.pk)
    finally:
        with transaction.atomic():
            Invitation.objects.filter(pk__in=done).update(delivery=Invitation.Delivery.SENT)
            Invitation.objects.filter(pk__in=refused).update(delivery=Invitation.Delivery.FAILED)
            InvitationBatch.objects.filter(pk=batch.pk).update(
                sent=F("sent") + len(done), failed=F("failed") + len(refused)
            )
    return len(done)


# -- reminders --------------------------------------------------------------------------------


def rounded(n: int, wave: Wave) -> int:
    """``n`` rounded down to a multiple of the minimum group size, like the live counts of an
    open wave: an exact reminder count, with the sent and bounced counts, would be the exact
    number of invited people who answered."""
    k = wave.survey.organization.effective_min_group_size
    return (n // k) * k


# What an answered invitation keeps: its keyed digest only (address and link erased).
ERASED = {"address_sealed": "", "token_sealed": "", "token": None, "reminder_due": False}


def forget_answered(wave: Wave) -> None:
    """Wipe the address and link of every invitation whose link was used; the keyed digest
    stays, so the address is still invited once per wave whether or not it answered."""
    Invitation.objects.filter(wave=wave, token__used=True).update(**ERASED)


def reminder_candidates(wave: Wave):
    return Invitation.objects.filter(
        wave=wave,
        delivery=Invitation.Delivery.SENT,
        bounced=False,
        token__isnull=False,
        token__used=False,
        reminded__lt=MAX_REMINDERS,
    )


@transaction.atomic
def start_reminders(*, wave: Wave, actor: User | None = None) -> int:
    """Mark every sent, unanswered, unbounced invitation for a reminder and start sending.

    Returns the exact number marked: callers show ``rounded`` of it, never the number."""
    wave = Wave.objects.select_for_update().select_related("survey__organization").get(pk=wave.pk)
    check_invitable(wave)
    batches = InvitationBatch.objects.filter(wave=wave)
    if not batches.exists():
        raise InvitationsRefused("No invitations have been sent for this wave yet.")
    if batches.exclude(status=InvitationBatch.Status.DONE).exists():
        raise InvitationsRefused(
            "Invitations are still being sent: send reminders once they are out."
        )
    last = batches.aggregate(last=Max("reminded_at"))["last"]
    if last is not None and timezone.now() - last < REMINDER_GAP:
        raise InvitationsRefused(
            "Reminders went out less than a day ago: wait a day before sending more."
        )
    forget_answered(wave)
    due = reminder_candidates(wave).update(reminder_due=True)
    batches.update(reminded_at=timezone.now())
    audit(
        "wave.invitation_reminders",
        actor=actor,
        target=wave,
        organization=wave.survey.organization,
        at_least=rounded(due, wave),
    )
    wave_pk = wave.pk
    transaction.on_commit(lambda: _enqueue_reminders(wave_pk))
    return due


def _enqueue_reminders(wave_pk: int) -> None:
    from wellbeing.surveys.tasks import send_reminders

    send_reminders.enqueue(wave_pk)


def deliver_reminders(wave_id: int, chunk: int = CHUNK) -> int:
    """Send the reminders marked by ``start_reminders``, each at most once (claimed first,
    like ``deliver_batch``); a link used since then is skipped. Returns how many were sent."""
    wave = Wave.objects.select_related("survey__organization").filter(pk=wave_id).first()
    sent = 0
    if wave is None:
        return 0
    due = Q(wave=wave, reminder_due=True, bounced=False, token__used=False)
    with mail.get_connection() as connection:
        while Wave.objects.accepting(wave.pk):
            claimed = _claim(due, chunk, _claim_reminder)
            if not claimed:
                break
            for _row, address, token in claimed:
                message = invitation_message(
                    wave, address, token, reminder=True, connection=connection
                )
                sent += int(_send_one(message, connection))
    Invitation.objects.filter(wave=wave, reminder_due=True).update(reminder_due=False)
    return sent


# -- bounces and the purge ----------------------------------------------------------------------


def mark_bounced(addresses: Iterable[str]) -> int:
    """Mark the invitations of these addresses bounced (never reminded); returns how many.

    Matched by keyed digest in every wave that still holds invitations. An answered
    invitation is marked too, so the count says nothing about who answered."""
    wanted = {clean_address(a) for a in addresses if a.strip()}
    waves = list(
        Wave.objects.filter(invitations__isnull=False)
        .distinct()
        .select_related("survey__organization")
    )
    total = 0
    for wave in waves:
        digests = [address_digest(wave, a) for a in wanted]
        with transaction.atomic():
            rows = Invitation.objects.filter(wave=wave, bounced=False, address_digest__in=digests)
            per_batch = Counter(rows.values_list("batch_id", flat=True))
            if not per_batch:
                continue
            marked = rows.update(bounced=True, reminder_due=False)
            for batch_id, n in per_batch.items():
                InvitationBatch.objects.filter(pk=batch_id).update(bounced=F("bounced") + n)
            audit(
                "wave.invitations_bounced",
                target=wave,
                organization=wave.survey.organization,
                count=marked,
            )
            total += marked
    return total


@transaction.atomic
def purge_invitations(wave: Wave) -> int:
    """Delete every address, link and digest of the wave's invitations; the batches keep
    their counts. Called when the wave stops collecting, and daily for waves past closing."""
    deleted = Invitation.objects.filter(wave=wave).delete()[1].get(Invitation._meta.label, 0)
    InvitationBatch.objects.filter(wave=wave).exclude(status=InvitationBatch.Status.DONE).update(
        status=InvitationBatch.Status.DONE
    )
    if deleted:
        audit(
            "wave.invitations_purged",
            target=wave,
            organization=wave.survey.organization,
            count=deleted,
        )
    return deleted


def purge_closed() -> int:
    """Purge the invitations of every wave that is not open or whose closing time passed."""
    waves = (
        Wave.objects.filter(invitations__isnull=False)
        .filter(~Q(status=Wave.Status.OPEN) | Q(closes_at__lte=timezone.now()))
        .distinct()
        .select_related("survey__organization")
    )
    return sum(purge_invitations(wave) for wave in waves)
