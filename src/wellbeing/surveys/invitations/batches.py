"""Checking a batch of addresses, the confirmation's sealed draft, and storing the batch."""

import json
import secrets
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import parseaddr

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.utils import timezone

from wellbeing.accounts.models import Unit, User, normalize_email
from wellbeing.core import sealing
from wellbeing.core.models import audit
from wellbeing.surveys.invitations.reading import MAX_ADDRESSES, InputError, Line
from wellbeing.surveys.models import (
    Invitation,
    InvitationBatch,
    InvitationToken,
    Wave,
    hash_token,
)

ADDRESS_PURPOSE = "surveys.invitation-address"
LINK_PURPOSE = "surveys.invitation-link"
DIGEST_PURPOSE = "surveys.invitation-address-digest"
DRAFT_PURPOSE = "surveys.invitation-draft"
MAX_ROWS_SHOWN = 200  # invalid lines listed on a page
DRAFT_LIFETIME = timedelta(hours=12)


class InvitationsRefused(ValueError):
    """The wave cannot send invitations or reminders now; the message says why."""


# -- checking a batch ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int
    value: str
    message: str


@dataclass
class Plan:
    """What a batch would send: addresses with their units, problems by row, duplicates."""

    entries: list[tuple[str, int | None]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    repeated: int = 0  # the same address twice in the batch
    already: int = 0  # invited to this wave before

    @property
    def skipped(self) -> int:
        return self.repeated + self.already

    def per_unit(self, units: dict[int, Unit]) -> list[tuple[str, int]]:
        counts = Counter(unit_id for _, unit_id in self.entries)
        named = [
            (units[u].name if u is not None else "Whole organization (respondents choose)", n)
            for u, n in counts.items()
        ]
        return sorted(named)


def address_digest(wave: Wave, address: str) -> str:
    """The keyed digest of a normalized address for one wave: a wave's rows cannot be matched
    with another wave's by anyone holding only the database."""
    return sealing.keyed_digest(f"{wave.pk}\n{address}".encode(), DIGEST_PURPOSE)


def plan_batch(wave: Wave, lines: Iterable[Line], default_unit: Unit | None) -> Plan:
    """Validate, normalize and de-duplicate ``lines`` for ``wave``; nothing is stored."""
    units = list(Unit.objects.filter(organization_id=wave.survey.organization_id, retired_at=None))
    by_name: dict[str, list[Unit]] = {}
    for unit in units:
        by_name.setdefault(unit.name, []).append(unit)
    invited = set(Invitation.objects.filter(wave=wave).values_list("address_digest", flat=True))
    validate = EmailValidator()
    plan, seen = Plan(), set()
    for line in lines:
        address = clean_address(line.address)
        try:
            validate(address)
        except ValidationError:
            shown = line.address or "(no address)"
            plan.errors.append(RowError(line.row, shown, "This is not a valid email address."))
            continue
        unit = default_unit
        if line.unit_name:
            matches = by_name.get(line.unit_name, [])
            if len(matches) != 1:
                plan.errors.append(RowError(line.row, line.unit_name, _unit_problem(matches)))
                continue
            unit = matches[0]
        if address in seen:
            plan.repeated += 1
        elif address_digest(wave, address) in invited:
            plan.already += 1
        else:
            seen.add(address)
            plan.entries.append((address, unit.pk if unit is not None else None))
    return plan


def clean_address(raw: str) -> str:
    """``Name <a@b.org>`` or ``a@b.org``, normalized."""
    if "<" in raw:
        raw = parseaddr(raw)[1] or raw
    return normalize_email(raw)


def _unit_problem(matches: list[Unit]) -> str:
    if not matches:
        return "No unit of the organization has exactly this name."
    return (
        f"{len(matches)} units have this name: leave the cell empty and pick the unit,"
        " or rename one of them."
    )


# -- the confirmation step's sealed draft ----------------------------------------------------


def seal_draft(wave: Wave, actor: User, unit: Unit | None, plan: Plan) -> str:
    """The checked batch as a sealed value for the confirmation form: nothing is stored
    until the admin confirms, and the value opens only for this wave and this admin."""
    payload = {
        "wave": wave.pk,
        "by": actor.pk,
        "unit": unit.pk if unit is not None else None,
        "made": timezone.now().timestamp(),
        "entries": plan.entries,
    }
    packed = zlib.compress(json.dumps(payload, separators=(",", ":")).encode())
    return sealing.seal_text(packed, DRAFT_PURPOSE)


def open_draft(
    text: str, wave: Wave, actor: User
) -> tuple[int | None, list[tuple[str, int | None]]]:
    """The unit id and entries of a sealed draft; ``InputError`` if it is not this admin's
    draft for this wave, was altered, or is older than a day's work."""
    try:
        payload = json.loads(zlib.decompress(sealing.unseal_text(text, DRAFT_PURPOSE)))
        mine = payload["wave"] == wave.pk and payload["by"] == actor.pk
        fresh = timezone.now().timestamp() - payload["made"] < DRAFT_LIFETIME.total_seconds()
        entries = [(str(a), None if u is None else int(u)) for a, u in payload["entries"]]
    except (sealing.Unsealable, zlib.error, ValueError, KeyError, TypeError) as error:
        raise InputError(
            "This confirmation has expired or was altered: check the addresses again."
        ) from error
    if not (mine and fresh):
        raise InputError("This confirmation has expired or was altered: check the addresses again.")
    return payload["unit"], entries


# -- creating a batch -------------------------------------------------------------------------


def check_invitable(wave: Wave) -> None:
    """Raise ``InvitationsRefused`` unless invitations may be sent for ``wave`` now."""
    if not wave.accepting_responses():
        raise InvitationsRefused(
            "Invitations and reminders are sent while the wave takes responses: it must be"
            " open, past its opening time and before its closing time."
        )


@transaction.atomic
def create_batch(
    *,
    wave: Wave,
    entries: list[tuple[str, int | None]],
    unit: Unit | None = None,
    actor: User | None = None,
) -> tuple[InvitationBatch | None, int]:
    """Store a batch of invitations and start sending it once the transaction commits.

    ``entries`` are (normalized address, unit id or None). Addresses invited to the wave
    already are skipped. Returns the batch (None when nothing is left to send) and how many
    were skipped. One personal link per address; the plain link is only sealed, for the
    person's own mail and reminders."""
    wave = Wave.objects.select_for_update().select_related("survey__organization").get(pk=wave.pk)
    check_invitable(wave)
    org = wave.survey.organization
    if len(entries) > MAX_ADDRESSES:
        raise ValueError(f"entries: expected at most {MAX_ADDRESSES}, got {len(entries)}")
    if unit is not None and unit.organization_id != org.pk:
        raise ValueError(f"unit: expected a unit of {org.slug!r}, got {unit}")
    unit_ids = {u for _, u in entries if u is not None}
    units = {u.pk: u for u in Unit.objects.filter(organization=org, pk__in=unit_ids)}
    if unit_ids - set(units):
        raise ValueError(
            f"entries: expected units of {org.slug!r}, got ids {sorted(unit_ids - set(units))}"
        )
    invited = set(Invitation.objects.filter(wave=wave).values_list("address_digest", flat=True))
    fresh: dict[str, tuple[str, int | None]] = {}
    for address, unit_id in entries:
        digest = address_digest(wave, normalize_email(address))
        if digest not in invited:
            fresh.setdefault(digest, (normalize_email(address), unit_id))
    skipped = len(entries) - len(fresh)
    if not fresh:
        return None, skipped
    batch = InvitationBatch.objects.create(wave=wave, unit=unit, created_by=actor, total=len(fresh))
    plain = [secrets.token_urlsafe(18) for _ in fresh]
    tokens = InvitationToken.objects.bulk_create(
        [
            InvitationToken(wave=wave, unit=units.get(unit_id), token_hash=hash_token(t))
            for t, (_, unit_id) in zip(plain, fresh.values(), strict=True)
        ]
    )
    if any(t.pk is None for t in tokens):  # a database that returns no ids from bulk inserts
        by_hash = InvitationToken.objects.in_bulk(
            [t.token_hash for t in tokens], field_name="token_hash"
        )
        tokens = [by_hash[t.token_hash] for t in tokens]
    Invitation.objects.bulk_create(
        [
            Invitation(
                wave=wave,
                unit=units.get(unit_id),
                batch=batch,
                address_sealed=sealing.seal_text(address.encode(), ADDRESS_PURPOSE),
                address_digest=digest,
                token_sealed=sealing.seal_text(token.encode(), LINK_PURPOSE),
                token=row,
            )
            for (digest, (address, unit_id)), token, row in zip(
                fresh.items(), plain, tokens, strict=True
            )
        ],
        batch_size=1000,
    )
    audit("wave.invitations_sent", actor=actor, target=wave, organization=org, count=len(fresh))
    batch_pk = batch.pk
    transaction.on_commit(lambda: _enqueue_batch(batch_pk))
    return batch, skipped


def _enqueue_batch(batch_pk: int) -> None:
    from wellbeing.surveys.tasks import send_invitations

    send_invitations.enqueue(batch_pk)


# -- what the wave page shows -------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    batches: list[InvitationBatch]
    busy: bool
    invited: int
    sent: int
    failed: int
    bounced: int
    reminded_at: object


def summary(wave: Wave) -> Summary:
    """Counts of the wave's batches; never how many invitations were answered."""
    batches = list(InvitationBatch.objects.filter(wave=wave).select_related("unit"))
    return Summary(
        batches=batches,
        busy=any(b.busy for b in batches),
        invited=sum(b.total for b in batches),
        sent=sum(b.sent for b in batches),
        failed=sum(b.failed for b in batches),
        bounced=sum(b.bounced for b in batches),
        reminded_at=max((b.reminded_at for b in batches if b.reminded_at), default=None),
    )
