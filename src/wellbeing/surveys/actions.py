"""The one write path for surveys, waves, invitations and responses.

Response submission deliberately writes **no audit row**: an audit row carries
a timestamp and would let anyone with database access line a response up with
a token's use or a person's visit. Everything else is audited.
"""

import json
import random
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from wellbeing.accounts.models import Organization, Unit, User
from wellbeing.core import sealing
from wellbeing.core.models import audit
from wellbeing.surveys import inserts, invitations, scoring, signals
from wellbeing.surveys.inserts import insert_pending
from wellbeing.surveys.models import (
    Comment,
    InvitationToken,
    OpenLink,
    Pending,
    Response,
    Score,
    Survey,
    SurveyVersion,
    Wave,
    WaveTarget,
    hash_token,
)
from wellbeing.surveys.questions import DEMOGRAPHICS, MAX_OPEN_QUESTIONS


class OriginRefused(ValueError):
    """Imported rows and link-collected responses may not share a wave; the message says why."""


IMPORT_INTO_COLLECTING = (
    "This wave collects responses through its links, so responses cannot be imported into it:"
    " imported rows could make up a group with real respondents and reveal their answers."
    " Import into a new wave that has never been opened."
)
OPEN_IMPORTED = (
    "This wave holds imported responses, so it cannot open for new ones: imported rows could"
    " make up a group with real respondents and reveal their answers. Create a new wave."
)


def check_importable(wave: Wave) -> None:
    """Raise ``OriginRefused`` unless responses may be imported into ``wave``."""
    if wave.collects or wave.status == Wave.Status.OPEN:
        raise OriginRefused(IMPORT_INTO_COLLECTING)


class SubmissionRefused(Exception):
    """A submission that must not be stored; ``reason`` picks the page shown."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _check_design(
    instruments: list[str], demographics: list[str], open_questions: list[str]
) -> None:
    if not instruments:
        raise ValueError("instruments: expected at least one instrument id, got none")
    for instrument_id in instruments:
        scoring.get_instrument(instrument_id)  # raises ValueError for unknown or structure-only
    if len(set(instruments)) != len(instruments):
        raise ValueError(f"instruments: expected each instrument once, got {instruments}")
    unknown = [d for d in demographics if d not in DEMOGRAPHICS and d != "unit"]
    if unknown:
        raise ValueError(f"demographics: expected keys of {[*DEMOGRAPHICS, 'unit']}, got {unknown}")
    if len(open_questions) > MAX_OPEN_QUESTIONS:
        raise ValueError(
            f"open_questions: expected at most {MAX_OPEN_QUESTIONS}, got {len(open_questions)}"
        )


@transaction.atomic
def create_survey(
    *,
    organization: Organization,
    name: str,
    instruments: list[str],
    demographics: Sequence[str] = (),
    open_questions: Sequence[str] = (),
    licensed_text: dict | None = None,
    actor: User | None = None,
) -> Survey:
    _check_design(list(instruments), list(demographics), list(open_questions))
    survey = Survey.objects.create(organization=organization, name=name, created_by=actor)
    SurveyVersion.objects.create(
        survey=survey,
        number=1,
        instruments=list(instruments),
        demographics=list(demographics),
        open_questions=[q.strip() for q in open_questions if q.strip()],
        licensed_text=licensed_text or {},
    )
    audit("survey.create", actor=actor, target=survey, organization=organization)
    return survey


@transaction.atomic
def revise_survey(
    *,
    survey: Survey,
    instruments: list[str],
    demographics: list[str],
    open_questions: list[str],
    licensed_text: dict | None = None,
    actor: User | None = None,
) -> SurveyVersion:
    """Change the questions: in place while unanswered, as a new version once frozen."""
    _check_design(instruments, demographics, open_questions)
    current = survey.current_version
    fields = {
        "instruments": instruments,
        "demographics": demographics,
        "open_questions": [q.strip() for q in open_questions if q.strip()],
        "licensed_text": licensed_text if licensed_text is not None else current.licensed_text,
    }
    if current.is_frozen:
        version = SurveyVersion.objects.create(survey=survey, number=current.number + 1, **fields)
    else:
        for key, value in fields.items():
            setattr(current, key, value)
        current.save(update_fields=list(fields))
        version = current
    audit("survey.revise", actor=actor, target=version, organization=survey.organization)
    return version


@transaction.atomic
def create_wave(
    *,
    survey: Survey,
    name: str,
    opens_at: datetime,
    closes_at: datetime,
    headcounts: dict[Unit, int] | None = None,
    actor: User | None = None,
) -> Wave:
    if timezone.is_naive(opens_at) or timezone.is_naive(closes_at):
        raise ValueError("opens_at/closes_at: expected timezone-aware datetimes, got naive ones")
    if closes_at <= opens_at:
        raise ValueError(f"closes_at: expected a time after opens_at ({opens_at}), got {closes_at}")
    wave = Wave.objects.create(
        survey=survey,
        version=survey.current_version,
        name=name,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    for unit, headcount in (headcounts or {}).items():
        if unit.organization_id != survey.organization_id:
            raise ValueError(
                f"headcounts: expected units of {survey.organization.slug!r}, got {unit}"
            )
        WaveTarget.objects.create(wave=wave, unit=unit, headcount=headcount)
    audit("wave.create", actor=actor, target=wave, organization=survey.organization)
    return wave


@transaction.atomic
def set_wave_status(*, wave: Wave, status: str, actor: User | None = None) -> Wave:
    """Open, close or return a wave to draft. Opening makes it a wave that collects through
    its links for good; a wave of imported responses never opens (``OriginRefused``)."""
    if status not in Wave.Status.values:
        raise ValueError(f"status: expected one of {Wave.Status.values}, got {status!r}")
    if status == Wave.Status.OPEN and wave.imported:
        raise OriginRefused(OPEN_IMPORTED)
    was_open = wave.status == Wave.Status.OPEN
    wave.status = status
    fields = ["status"]
    if status == Wave.Status.OPEN and not wave.collects:
        wave.origin = Wave.Origin.LINKS
        fields.append("origin")
    wave.save(update_fields=fields)
    audit(f"wave.{status}", actor=actor, target=wave, organization=wave.survey.organization)
    if was_open and status != Wave.Status.OPEN:
        # Nobody needs the invited addresses any more: delete them with the wave's change.
        invitations.purge_invitations(wave)
        # Its readers come now: the reports app publishes its results.
        transaction.on_commit(lambda: signals.wave_closed.send(Wave, wave=wave))
    return wave


@transaction.atomic
def open_links(
    *, wave: Wave, units: Iterable[Unit | None], actor: User | None = None
) -> list[OpenLink]:
    links = []
    for unit in units:
        if unit is not None and unit.organization_id != wave.survey.organization_id:
            raise ValueError(
                f"units: expected units of {wave.survey.organization.slug!r}, got {unit}"
            )
        link, _ = OpenLink.objects.get_or_create(wave=wave, unit=unit)
        links.append(link)
    audit(
        "wave.links",
        actor=actor,
        target=wave,
        organization=wave.survey.organization,
        count=len(links),
    )
    return links


MAX_TOKENS_PER_BATCH = 20_000


@transaction.atomic
def issue_tokens(
    *, wave: Wave, count: int, unit: Unit | None = None, actor: User | None = None
) -> list[str]:
    """Create ``count`` single-use tokens; the plain tokens are returned once and never stored."""
    if not 1 <= count <= MAX_TOKENS_PER_BATCH:
        raise ValueError(f"count: expected 1 to {MAX_TOKENS_PER_BATCH}, got {count}")
    if unit is not None and unit.organization_id != wave.survey.organization_id:
        raise ValueError(f"unit: expected a unit of {wave.survey.organization.slug!r}, got {unit}")
    tokens = [secrets.token_urlsafe(18) for _ in range(count)]
    InvitationToken.objects.bulk_create(
        [InvitationToken(wave=wave, unit=unit, token_hash=hash_token(t)) for t in tokens]
    )
    audit(
        "wave.tokens", actor=actor, target=wave, organization=wave.survey.organization, count=count
    )
    return tokens


@dataclass(frozen=True)
class Submission:
    wave: Wave
    unit: Unit | None
    idempotency_key: str
    answers: dict[str, list[int | None]]
    demographics: dict[str, str]
    comments: dict[int, str]
    token: str | None = None


BODY_PURPOSE = "surveys.submission-body"
SEAL_PURPOSE = "surveys.pending-submission"


def _body(sub: Submission) -> bytes:
    """What ``sub`` submits, as canonical bytes (the unit, every answer, every open answer)."""
    return _canonical(
        {
            "unit": sub.unit.pk if sub.unit is not None else None,
            "answers": sub.answers,
            "demographics": sub.demographics,
            "comments": {str(q): t for q, t in sorted(sub.comments.items()) if t},
        }
    )


def body_digest(sub: Submission) -> str:
    """The keyed digest of what ``sub`` submits: the same key must always carry the same body.

    Keyed with the server's secret: an unkeyed hash over answers and open answers would let
    anyone holding the database try each comment against each response and join them."""
    return sealing.keyed_digest(_body(sub), BODY_PURPOSE)


def _canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def submit_response(sub: Submission) -> tuple[Response, bool]:
    """Store one submission exactly once. Returns (response, created).

    The submission is written as one sealed ``Pending`` row (see its docstring), with the
    token marked used in the same transaction. A repeated idempotency key with the same
    body returns the stored answers (created=False), whether the first request finished
    long ago or is committing right now; the same key with another body is refused
    (``SubmissionRefused("key_reused")``) and reveals nothing of the stored one.
    """
    if not sub.wave.accepting_responses():
        # A retry of a response stored before the wave closed still gets its answer.
        return _twin(sub, refused="closed"), False
    scoring.score_answers(sub.answers)  # validates; raises ValueError before any write
    unit_id = sub.unit.pk if sub.unit is not None else None
    payload = {
        "answers": sub.answers,
        "demographics": sub.demographics,
        "comments": {str(q): t for q, t in sub.comments.items() if t},
        "on": timezone.localdate().isoformat(),
    }
    sealed = sealing.seal(_canonical(payload), SEAL_PURPOSE)
    # No look-up before the insert: the unique key is the guard, and a duplicate (a retry,
    # a double click) lands in the IntegrityError branch below, which returns the stored twin.
    try:
        with transaction.atomic():
            if sub.token is not None:
                used = InvitationToken.objects.filter(
                    wave=sub.wave, token_hash=hash_token(sub.token), used=False
                ).update(used=True)
                if used != 1:
                    raise SubmissionRefused("token_used")
            stored = insert_pending(
                wave_id=sub.wave.pk,
                unit_id=unit_id,
                key=sub.idempotency_key,
                digest=body_digest(sub),
                sealed=sealed,
                now=timezone.now(),
            )
            if not stored:
                raise SubmissionRefused("closed")
            # Settled already? Asked after the insert, which waits for a settling transaction
            # holding the same key to commit, so a retry never becomes a second response.
            if Response.objects.filter(idempotency_key=sub.idempotency_key).exists():
                raise IntegrityError("idempotency key of a stored response")
    except (IntegrityError, SubmissionRefused) as error:
        # A twin request with the same key committed first: its response is ours.
        refused = error.reason if isinstance(error, SubmissionRefused) else "conflict"
        return _twin(sub, refused=refused), False
    # Not a stored row yet (no key): the submission waits sealed until it is settled.
    response = Response(
        id=None,
        wave=sub.wave,
        unit=sub.unit,
        submitted_on=timezone.localdate(),
        idempotency_key=sub.idempotency_key,
        answers=sub.answers,
        demographics=sub.demographics,
    )
    return response, True


def _twin(sub: Submission, *, refused: str) -> Response:
    """The stored submission with ``sub``'s key, if ``sub`` is its retry; else refuse.

    ``refused`` is the reason when no submission has the key. The same key with another
    body is a different person's submission: ``key_reused``, and nothing of it is shown."""
    key = sub.idempotency_key
    pending = Pending.objects.filter(wave=sub.wave, idempotency_key=key).first()
    if pending is not None:
        if not _same_body(sub, pending.body_digest):
            raise SubmissionRefused("key_reused")
        payload = json.loads(sealing.unseal(bytes(pending.sealed), SEAL_PURPOSE))
        return Response(
            id=None,
            wave=sub.wave,
            unit_id=pending.unit_id,
            idempotency_key=key,
            answers=payload["answers"],
            demographics=payload["demographics"],
        )
    response = Response.objects.filter(wave=sub.wave, idempotency_key=key).first()
    if response is not None:
        if not _same_body(sub, response.body_digest):
            raise SubmissionRefused("key_reused")
        return response
    if refused == "conflict" and Response.objects.filter(idempotency_key=key).exists():
        # The key belongs to another wave's response: refuse rather than reveal or overwrite it.
        raise SubmissionRefused("conflict")
    raise SubmissionRefused(refused)


def _same_body(sub: Submission, stored: str) -> bool:
    # An imported row (no digest) is never the twin of a submission.
    return bool(stored) and sealing.digest_matches(_body(sub), BODY_PURPOSE, stored)


def pending_count(wave: Wave) -> int:
    return Pending.objects.filter(wave=wave).count()


@transaction.atomic
def settle_responses(wave: Wave) -> int:
    """Move the wave's pending submissions into ``Response``, ``Score`` and ``Comment`` rows.

    Called by whoever publishes the wave's results, inside the transaction that reads them.
    The rows get random primary keys, and the wave's earlier rows are written again with
    them in one random order (``inserts.rewrite_in_random_order``), so that neither the
    order of rows in a table nor the transaction that wrote them tells a batch of late
    respondents from the rest. Returns how many submissions were settled."""
    pending = list(Pending.objects.select_for_update().filter(wave=wave))
    if not pending:
        return 0
    stored = set(
        Response.objects.filter(
            idempotency_key__in=[p.idempotency_key for p in pending]
        ).values_list("idempotency_key", flat=True)
    )
    if stored:  # never expected (``submit_response`` checks): a response is stored once
        Pending.objects.filter(idempotency_key__in=stored).delete()
        pending = [p for p in pending if p.idempotency_key not in stored]
    rng = random.SystemRandom()
    rng.shuffle(pending)
    payloads = [json.loads(sealing.unseal(bytes(p.sealed), SEAL_PURPOSE)) for p in pending]
    scored = scoring.score_many([p["answers"] for p in payloads])
    responses = [
        Response(
            wave_id=wave.pk,
            unit_id=p.unit_id,
            submitted_on=date.fromisoformat(payload["on"]),
            idempotency_key=p.idempotency_key,
            body_digest=p.body_digest,
            answers=payload["answers"],
            demographics=payload["demographics"],
        )
        for p, payload in zip(pending, payloads, strict=True)
    ]
    scores = [
        Score(
            response_id=r.pk,
            wave_id=wave.pk,
            instrument=s.instrument,
            scale=s.scale,
            value=s.value,
            category=s.category,
        )
        for r, rows in zip(responses, scored, strict=True)
        for s in rows
    ]
    comments = [
        Comment(wave_id=wave.pk, unit_id=p.unit_id, question=int(q), text=t)
        for p, payload in zip(pending, payloads, strict=True)
        for q, t in payload["comments"].items()
    ]
    rng.shuffle(scores)
    rng.shuffle(comments)
    Pending.objects.filter(pk__in=[p.pk for p in pending]).delete()
    Response.objects.bulk_create(responses, batch_size=2000)
    Score.objects.bulk_create(scores, batch_size=2000)
    Comment.objects.bulk_create(comments, batch_size=2000)
    inserts.rewrite_in_random_order(wave.pk)
    return len(pending)


@dataclass(frozen=True)
class ImportedResponse:
    """A response recorded elsewhere (an earlier survey tool, or the synthetic demo)."""

    key: str  # stable per source row, so importing the same rows twice adds nothing
    unit: Unit | None
    answers: dict[str, list[int | None]]
    demographics: dict[str, str]


@transaction.atomic
def import_comments(*, wave: Wave, texts: list[str], actor: User | None = None) -> int:
    """Store answers to open questions that came without a unit, in a wave of imports."""
    wave = Wave.objects.select_for_update().get(pk=wave.pk)
    check_importable(wave)
    return _store_comments(wave, texts, actor)


def _store_comments(wave: Wave, texts: list[str], actor: User | None) -> int:
    stored = Comment.objects.bulk_create(
        [Comment(wave=wave, question=1, text=t[:5000]) for t in texts if t.strip()]
    )
    audit(
        "wave.import_comments",
        actor=actor,
        target=wave,
        organization=wave.survey.organization,
        count=len(stored),
    )
    return len(stored)


@transaction.atomic
def import_responses(
    *, wave: Wave, rows: list[ImportedResponse], submitted_on=None, actor: User | None = None
) -> int:
    """Store many responses at once, all or nothing; rows already imported are skipped.

    Only into a wave that has never collected through its links (``OriginRefused``
    otherwise); the wave is then a wave of imports for good and its results are published
    once the rows are stored."""
    locked = Wave.objects.select_for_update().select_related("survey__organization").get(pk=wave.pk)
    check_importable(locked)
    if not locked.imported:
        Wave.objects.filter(pk=wave.pk).update(origin=Wave.Origin.IMPORT)
        wave.origin = Wave.Origin.IMPORT
    stored = _bulk_store(wave, rows, submitted_on)
    audit(
        "wave.import",
        actor=actor,
        target=wave,
        organization=wave.survey.organization,
        count=stored,
    )
    transaction.on_commit(lambda: signals.responses_imported.send(Wave, wave=wave))
    return stored


@transaction.atomic
def record_synthetic_responses(
    *, wave: Wave, rows: list[ImportedResponse], comments: Sequence[str] = (), submitted_on=None
) -> int:
    """Synthetic responses for the demo, benchmarks and tests, stored as if they had come
    through the wave's links (so only into a wave that collects through them). No view
    calls this: real responses arrive one at a time through ``submit_response``."""
    if not wave.collects:
        raise OriginRefused("Synthetic responses go only into a wave that has opened.")
    stored = _bulk_store(wave, rows, submitted_on)
    if comments and not wave.comments.exists():
        _store_comments(wave, list(comments), None)
    return stored


def _bulk_store(wave: Wave, rows: list[ImportedResponse], submitted_on) -> int:
    keys = [r.key for r in rows]
    if len(set(keys)) != len(keys):
        raise ValueError("rows: expected unique keys, got duplicates")
    known = set(
        Response.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True)
    )
    fresh = [r for r in rows if r.key not in known]
    scored = scoring.score_many([r.answers for r in fresh])
    responses = Response.objects.bulk_create(
        [
            Response(
                wave=wave,
                unit=r.unit,
                idempotency_key=r.key,
                answers=r.answers,
                demographics=r.demographics,
                submitted_on=submitted_on or timezone.localdate(),
            )
            for r in fresh
        ]
    )
    Score.objects.bulk_create(
        [
            Score(
                response=response,
                wave=wave,
                instrument=s.instrument,
                scale=s.scale,
                value=s.value,
                category=s.category,
            )
            for response, rows_scored in zip(responses, scored, strict=True)
            for s in rows_scored
        ],
        batch_size=2000,
    )
    return len(fresh)


def retention_cutoff(months: int, now: datetime | None = None) -> datetime:
    """The moment ``months`` months (of 30.44 days) before ``now``."""
    if months < 1:
        raise ValueError(f"months: expected 1 or more, got {months}")
    return (now or timezone.now()) - timedelta(days=round(months * 30.44))


@transaction.atomic
def delete_expired_comments(*, months: int, now: datetime | None = None) -> dict[Wave, int]:
    """Delete the free-text answers of waves that closed more than ``months`` ago.

    Comments carry no time of their own (anonymity), so a wave's closing time ages
    them all. One audit row per wave, with the count; scores and closed answers stay.
    """
    cutoff = retention_cutoff(months, now)
    waves = Wave.objects.filter(closes_at__lt=cutoff, comments__isnull=False).distinct()
    deleted: dict[Wave, int] = {}
    for wave in waves.select_related("survey__organization"):
        _, per_model = Comment.objects.filter(wave=wave).delete()  # theme links cascade
        count = per_model.get(Comment._meta.label, 0)
        deleted[wave] = count
        audit(
            "wave.comments_expired",
            target=wave,
            organization=wave.survey.organization,
            months=months,
            deleted=count,
        )
    return deleted
