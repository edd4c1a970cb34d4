"""The write path of an import: upload, check (a dry run), and the import itself.

The import is all or nothing (one transaction), idempotent twice over (a file mapped
the same way as a finished import stores nothing; a row whose key is already in the
wave is skipped), and runs as a background task through Django's tasks API. Imported
responses are scored by ``scoring.score_many``, the surveys app's own scoring path, and
stored like any response, so reports and wave-over-wave change include them.

Progress: rows stored so far are counted in the cache while the transaction runs (rows
written inside it are invisible to the page until it commits); the job row records each
phase and the outcome.

What is kept of a file: the uploaded bytes only until the columns are mapped (the dry
run), then only the mapped columns (``formats.KEPT``), and nothing once the import is
done or failed. ``housekeeping`` deletes what an abandoned upload left after 24 hours.
Row contents are never logged: an exception's text may quote a cell, so only its type
and frames are.
"""

import hashlib
import json
import logging
import secrets
import traceback
from dataclasses import asdict
from typing import Any

import numpy as np
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django_tasks import task

from wellbeing.accounts.models import Unit, User
from wellbeing.core.models import audit
from wellbeing.surveys import scoring, signals
from wellbeing.surveys.actions import OriginRefused, check_importable
from wellbeing.surveys.imports import presets
from wellbeing.surveys.imports.formats import (
    KEPT,
    FileError,
    Table,
    detect_format,
    dump_kept,
    keep_columns,
    load_kept,
    read_table,
)
from wellbeing.surveys.imports.mapping import Checked, Mapping, check
from wellbeing.surveys.imports.models import ImportJob
from wellbeing.surveys.models import Response, Score, Wave, random_id
from wellbeing.surveys.scoring import MISSING

log = logging.getLogger(__name__)
CHUNK = 5000
SCORE_FIELDS = ("id", "response", "wave", "instrument", "scale", "value", "category")
dumps = json.JSONEncoder().encode
RESPONSE_FIELDS = (
    "id",
    "wave",
    "unit",
    "submitted_on",
    "idempotency_key",
    "answers",
    "demographics",
)


def progress_key(job_id: int) -> str:
    return f"surveys:import:{job_id}:processed"


def processed(job: ImportJob) -> int:
    """Rows stored so far: the cache while the import runs, the job row before and after."""
    if job.status == ImportJob.Status.RUNNING:
        return int(cache.get(progress_key(job.pk), job.processed))
    return job.processed


@transaction.atomic
def upload(*, wave: Wave, filename: str, content: bytes, preset: str, actor: User) -> ImportJob:
    """Store the file for mapping; raises FileError if it cannot be read as a table, and
    ``actions.OriginRefused`` if the wave collects through its links."""
    check_importable(wave)
    table = read_table(content, filename)
    if preset == "auto" or preset not in presets.PRESETS:
        preset = presets.detect_preset(table)
    table = presets.prepare(table, preset)
    job = ImportJob.objects.create(
        wave=wave,
        created_by=actor,
        filename=filename[:255],
        format=detect_format(filename),
        preset=preset,
        content=content,
        content_sha256=hashlib.sha256(content).hexdigest(),
        total_rows=table.n_rows,
    )
    audit(
        "wave.import_upload",
        actor=actor,
        target=wave,
        organization=wave.survey.organization,
        job=job.pk,
        rows=table.n_rows,
        format=job.format,
        preset=preset,
    )
    return job


def table_of(job: ImportJob) -> Table:
    """The job's table: the uploaded file before the mapping, its mapped columns after."""
    if job.content is None:
        raise FileError("The file of this import is no longer kept; upload it again.")
    if job.format == KEPT:
        return load_kept(bytes(job.content))
    return presets.prepare(read_table(bytes(job.content), job.filename), job.preset)


def suggested_mapping(job: ImportJob, table: Table) -> Mapping:
    """A starting mapping from the preset: key column, item columns whose names are plain."""
    version = job.wave.version
    items = {}
    for instrument_id in version.instruments:
        instrument = scoring.get_instrument(instrument_id)
        items[instrument_id] = presets.suggest_items(
            table.columns, instrument_id, list(instrument.item_ids)
        )
    demographics = {
        name: name for name in version.demographics if name != "unit" and name in table.columns
    }
    unit = next((c for c in table.columns if c.casefold() in ("unit", "department")), "")
    return Mapping(
        items=items,
        key_columns=presets.key_columns(job.preset, table),
        unit_column=unit,
        demographics=demographics,
    )


def _check(job: ImportJob, table: Table, mapping: Mapping) -> Checked:
    wave = job.wave
    units = list(Unit.objects.filter(organization=wave.survey.organization))
    return check(
        table,
        mapping,
        wave_instruments=list(wave.version.instruments),
        wave_demographics=[d for d in wave.version.demographics if d != "unit"],
        units=units,
        fingerprint=mapping.fingerprint(job.content_sha256),
        wave_id=wave.pk,
    )


def _check_kept_columns(job: ImportJob, table: Table, mapping: Mapping) -> None:
    """Once mapped, the job holds only the mapped columns: say so for any other column."""
    if job.format != KEPT:
        return
    gone = [c for c in mapping.columns() if c not in table.columns]
    if gone:
        raise ValueError(
            f"Only the columns mapped at the first check are kept; upload the file again "
            f"to map “{gone[0]}”."
        )


@transaction.atomic
def dry_run(*, job: ImportJob, mapping: Mapping, actor: User) -> Checked:
    """Check every row against the mapping and record the outcome; stores no response.

    Raises ValueError for a mapping that cannot be applied (a column not in the file,
    a recoding line not understood) and FileError for a file that cannot be read.

    A mapping that applies replaces the uploaded bytes with the mapped columns: columns
    not mapped (names, e-mail and IP addresses, dates) are not stored from then on. The
    fingerprint rests on ``content_sha256``, taken at upload, so it survives the drop.
    ``job`` is refreshed from the database afterwards.
    """
    # Locked: housekeeping may have cleared an abandoned upload since the page was read.
    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    if locked.status not in (
        ImportJob.Status.UPLOADED,
        ImportJob.Status.CHECKED,
        ImportJob.Status.FAILED,
    ):
        raise ValueError("This import has already run.")
    table = table_of(locked)
    _check_kept_columns(locked, table, mapping)
    checked = _check(locked, table, mapping)
    _save_checked(locked, table, mapping, checked)
    job.refresh_from_db()
    audit(
        "wave.import_check",
        actor=actor,
        target=job.wave,
        organization=job.wave.survey.organization,
        job=job.pk,
        rows=checked.n_rows,
        errors=checked.error_count,
    )
    return checked


def _save_checked(job: ImportJob, table: Table, mapping: Mapping, checked: Checked) -> None:
    """Record the dry run's outcome and keep only the mapped columns of the file."""
    job.content = dump_kept(keep_columns(table, mapping.columns()))
    job.format = KEPT
    job.mapping = mapping.to_json()
    job.fingerprint = mapping.fingerprint(job.content_sha256)
    job.status = ImportJob.Status.CHECKED
    job.total_rows = checked.n_rows
    job.error_count, job.error_rows = checked.error_count, checked.error_rows
    job.errors = [asdict(e) for e in checked.errors]
    job.message = ""
    job.save()


@transaction.atomic
def start(*, job: ImportJob, actor: User) -> ImportJob:
    """Queue a checked import without errors; the task runs once this transaction commits."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportJob.Status.CHECKED or job.error_count or not job.total_rows:
        raise ValueError("Only a checked file without errors can be imported.")
    check_importable(job.wave)
    job.status = ImportJob.Status.QUEUED
    job.processed = 0
    job.save(update_fields=["status", "processed"])
    audit(
        "wave.import_start",
        actor=actor,
        target=job.wave,
        organization=job.wave.survey.organization,
        job=job.pk,
    )
    transaction.on_commit(lambda: import_file.enqueue(job.pk))
    return job


@task()
def import_file(job_id: int) -> int:
    """The background task: import the job's file; returns the number of rows stored."""
    job = ImportJob.objects.select_related("wave__survey__organization", "wave__version").get(
        pk=job_id
    )
    # Claimed in one UPDATE: housekeeping may have failed an abandoned job meanwhile.
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING
    )
    if not claimed:
        return 0
    job.status = ImportJob.Status.RUNNING
    cache.set(progress_key(job.pk), 0, timeout=3600)
    try:
        return run_import(job)
    except Exception as error:
        _log_failure(job, error)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED,
            message=failure_message(job, error),
            content=None,
            finished_at=timezone.now(),
        )
        return 0
    finally:
        cache.delete(progress_key(job.pk))


def failure_message(job: ImportJob, error: Exception) -> str:
    """What the job page says: our own refusals as they are, anything else without its text.

    Another exception's text may quote a cell of the file (a database error quotes the
    row it refused), and the job row must hold no value of the file beyond the mapped
    columns' row errors.
    """
    if isinstance(error, OriginRefused | FileError):
        return f"Nothing was imported: {error}"
    return (
        f"Nothing was imported: the import stopped on an unexpected error "
        f"({type(error).__name__}; import {job.pk} in the server's log)."
    )


def _log_failure(job: ImportJob, error: Exception) -> None:
    """Log the exception's type and frames, never its text, which may quote a cell."""
    frames = "".join(traceback.format_tb(error.__traceback__))
    log.error("import %s failed: %s\n%s", job.pk, type(error).__name__, frames)


def run_import(job: ImportJob) -> int:
    table = table_of(job)
    mapping = Mapping.from_json(job.mapping)
    checked = _check(job, table, mapping)
    if not checked.ok:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED,
            error_count=checked.error_count,
            error_rows=checked.error_rows,
            errors=[asdict(e) for e in checked.errors],
            message="Nothing was imported: the file has rows with errors.",
            content=None,  # failed is finished: the file is not kept
            finished_at=timezone.now(),
        )
        return 0
    earlier = (
        ImportJob.objects.filter(
            wave=job.wave, fingerprint=job.fingerprint, status=ImportJob.Status.DONE
        )
        .exclude(pk=job.pk)
        .first()
    )
    with transaction.atomic():
        # The wave may have opened since the file was checked: decided under its row lock.
        wave = Wave.objects.select_for_update().get(pk=job.wave_id)
        check_importable(wave)
        if not wave.imported:
            Wave.objects.filter(pk=wave.pk).update(origin=Wave.Origin.IMPORT)
        if earlier is not None:
            stored, skipped = 0, checked.n_rows
            message = f"This file was imported already (on {earlier.finished_at:%Y-%m-%d}); nothing was stored twice."
        else:
            stored, skipped = _store(job, checked)
            message = ""
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.DONE,
            processed=checked.n_rows,
            stored=stored,
            skipped=skipped,
            message=message,
            content=None,  # the file may hold columns never meant to be kept
            finished_at=timezone.now(),
        )
        audit(
            "wave.import",
            actor=job.created_by,
            target=job.wave,
            organization=job.wave.survey.organization,
            job=job.pk,
            count=stored,
            skipped=skipped,
        )
    if stored:
        signals.responses_imported.send(Wave, wave=job.wave)  # its results are published now
    return stored


def _existing(wave: Wave) -> set[str]:
    """The wave's keys: an import's keys hash the wave's id, so no other wave holds them."""
    return set(Response.objects.filter(wave=wave).values_list("idempotency_key", flat=True))


def _store(job: ImportJob, checked: Checked) -> tuple[int, int]:
    """INSERT the rows not yet in the wave, CHUNK at a time, with their scores.

    Bulk INSERTs (``_insert``): building a model instance per response
    and preparing 2.4 million score values through the ORM took most of an import's time.
    Values are prepared by the fields themselves (JSON, dates), as the ORM would.
    """
    wave = job.wave
    known = _existing(wave)
    fresh = np.asarray(
        [i for i, key in enumerate(checked.keys) if key not in known], dtype=np.int64
    )
    # Stored in random order: the rows' places in the tables do not repeat the file's order.
    fresh = fresh[np.argsort([secrets.randbits(64) for _ in range(len(fresh))], kind="stable")]
    submitted_on = timezone.localtime(wave.opens_at).date()
    day = Response._meta.get_field("submitted_on")
    date_value = day.get_db_prep_save(submitted_on, connection)  # type: ignore[union-attr]
    demo_names = list(checked.demographics)
    skipped = len(checked.keys) - len(fresh)
    for start_at in range(0, len(fresh), CHUNK):
        rows = fresh[start_at : start_at + CHUNK]
        keys = [checked.keys[r] for r in rows.tolist()]
        answers, answered = _answers(checked, rows)
        demographics = [
            {n: v for n in demo_names if (v := str(checked.demographics[n][r]))}
            for r in rows.tolist()
        ]
        # JSON text as JSONField stores it (json.dumps); PostgreSQL casts the text to jsonb.
        # Random keys, as every response has (surveys.models.random_id).
        response_ids = np.asarray([random_id() for _ in keys], dtype=np.int64)
        params = [
            (pk, wave.pk, checked.unit_ids[r], date_value, key, dumps(a), dumps(d))
            for pk, r, key, a, d in zip(
                response_ids.tolist(), rows.tolist(), keys, answers, demographics, strict=True
            )
        ]
        _insert(Response, RESPONSE_FIELDS, params)
        score_params: list[tuple[Any, ...]] = []
        for instrument_id, mask in answered.items():
            instrument = scoring.get_instrument(instrument_id)
            codes = checked.answers[instrument_id][rows][mask].astype(np.int64)
            owners = response_ids[mask].tolist()
            for scale_id, values, categories in scoring.score_columns(instrument, codes):
                score_params += zip(
                    [random_id() for _ in owners],
                    owners,
                    [wave.pk] * len(owners),
                    [instrument_id] * len(owners),
                    [scale_id] * len(owners),
                    values,
                    categories,
                    strict=True,
                )
        _insert(Score, SCORE_FIELDS, score_params)
        cache.set(progress_key(job.pk), skipped + start_at + len(rows), timeout=3600)
    return len(fresh), skipped


def _insert(model: type[Model], names: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Bulk INSERT: COPY on PostgreSQL, ``executemany`` of one prepared statement on SQLite.

    The fastest load each database offers. On PostgreSQL ``executemany`` costs a round trip
    a row, and a long multi-row INSERT costs more to compose on the client than to run.
    """
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    columns = ", ".join(q(str(model._meta.get_field(n).column)) for n in names)  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Identifiers come from the model's metadata, quoted; values go through COPY.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(names))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608


def _answers(checked: Checked, rows: np.ndarray) -> tuple[list[dict], dict[str, np.ndarray]]:
    """Each row's answers as stored ({instrument: [code or None]}, only instruments it
    answered), and per instrument which of ``rows`` answered it."""
    per_row: list[dict] = [{} for _ in range(len(rows))]
    answered = {}
    for instrument_id, all_codes in checked.answers.items():
        codes = all_codes[rows]
        mask = (codes != MISSING).any(axis=1)
        answered[instrument_id] = mask
        values = codes.astype(object)
        values[codes == MISSING] = None
        for n, row in zip(np.flatnonzero(mask).tolist(), values[mask].tolist(), strict=True):
            per_row[n][instrument_id] = row
    return per_row, answered
