"""The write path of an import: upload, check (a dry run), and the import itself.

The import is all or nothing (one transaction), idempotent twice over (a file mapped
the same way as a finished import stores nothing; a row whose key is already in the
wave is skipped), and runs as a background task through Django's tasks API. Imported
responses are scored by ``scoring.score_many``, the surveys app's own scoring path, and
stored like any response, so reports and wave-over-wave change include them.

Only complete responses of one time point go in (``completeness``: the tool's own marks,
the person's choices recorded on the job), and each is stored under a key nobody can
compute from the export (``keys``). On request the valid rows are imported and the
others kept, with their reasons, as a CSV for the person who uploaded the file, until
``housekeeping`` deletes it.

Progress: rows stored so far are counted in the cache while the transaction runs (rows
written inside it are invisible to the page until it commits); the job row records each
phase and the outcome.

What is kept of a file: the uploaded bytes only until the columns are mapped (the dry
run), then only the mapped columns (``formats.KEPT``), and nothing once the import is
done or failed. ``housekeeping`` deletes what an abandoned upload left after 24 hours.
Row contents are never logged: an exception's text may quote a cell, so only its type
and frames are.
"""

import dataclasses
import hashlib
import io
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
from wellbeing.core.spreadsheets import csv_writer
from wellbeing.surveys import scoring, signals
from wellbeing.surveys.actions import OriginRefused, check_importable
from wellbeing.surveys.imports import completeness, keys, presets
from wellbeing.surveys.imports.completeness import Choices, Selection
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
        notes=[*table.notes, *_skipped_note(table)],
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


def _skipped_note(table: Table) -> list[str]:
    """What the page says of a tool's header rows under the column names, skipped."""
    if len(table.skipped_rows) == 1:
        return ["The row under the header holds Qualtrics' question text, not a response: skipped."]
    if table.skipped_rows:
        return [
            f"The {len(table.skipped_rows)} rows under the header hold Qualtrics' question"
            " text and import ids, not responses: skipped."
        ]
    return []


def table_of(job: ImportJob) -> Table:
    """The job's table with its completeness marks: the uploaded file before the mapping
    (marks read from the tool's columns), its mapped columns after (marks as kept)."""
    if job.content is None:
        raise FileError("The file of this import is no longer kept; upload it again.")
    if job.format == KEPT:
        return load_kept(bytes(job.content))
    table = presets.prepare(read_table(bytes(job.content), job.filename), job.preset)
    return dataclasses.replace(table, markers=completeness.read_markers(table, job.preset))


def suggested_mapping(job: ImportJob, table: Table) -> Mapping:
    """A starting mapping from the preset: key column, item columns whose names or question
    texts are plain."""
    version = job.wave.version
    instruments = [scoring.get_instrument(i) for i in version.instruments]
    items = presets.suggest_all_items(table, instruments)
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


@dataclasses.dataclass(frozen=True)
class Prepared:
    """A check of the rows chosen for the wave: ``checked`` holds them (errors numbered by
    the file's rows, final keys), ``rows`` is their table, ``digests`` their unkeyed
    digests (to recognise rows imported before the keys were keyed)."""

    checked: Checked
    selection: Selection
    rows: Table
    digests: list[str]


def item_columns(mapping: Mapping) -> list[str]:
    return [c for columns in mapping.items.values() for c in columns if c]


def _check(job: ImportJob, table: Table, mapping: Mapping, choices: Choices) -> Prepared:
    """Check the rows that are complete responses of the chosen time point.

    Raises ``completeness.ChoiceNeeded`` (a ValueError) when the file mixes time points
    and the choices do not pick one."""
    wave = job.wave
    selection = completeness.select(table.markers, table.n_rows, item_columns(mapping), choices)
    rows = table.rows_at(selection.positions)
    units = list(Unit.objects.filter(organization=wave.survey.organization))
    checked = check(
        rows,
        mapping,
        wave_instruments=list(wave.version.instruments),
        wave_demographics=[d for d in wave.version.demographics if d != "unit"],
        units=units,
        fingerprint=mapping.fingerprint(job.content_sha256),
        wave_id=wave.pk,
        licensed=wave.version.licensed_text,  # licensed answer labels match the file's too
    )
    offset = rows.header_lines + 1  # ``check`` numbers a row by its place among ``rows``
    checked.errors = [
        dataclasses.replace(e, row=rows.file_row(e.row - offset)) for e in checked.errors
    ]
    digests = keys.digests(wave.pk, _sources(job, rows, mapping))
    checked.keys = keys.response_keys(digests)
    return Prepared(checked, selection, rows, digests)


def _sources(job: ImportJob, rows: Table, mapping: Mapping) -> list[str]:
    """Each row's source id: its identifier columns, or (without any) the file's
    fingerprint and the row's place in the whole file, whichever rows are chosen."""
    if mapping.key_columns:
        parts = [rows.data[c].astype(str).tolist() for c in mapping.key_columns]
        return ["|".join(cells) for cells in zip(*parts, strict=True)]
    fingerprint = mapping.fingerprint(job.content_sha256)
    return [f"{fingerprint}:{position}" for position in rows.data.index.tolist()]


def fingerprint(mapping: Mapping, content_sha256: str, choices: Choices) -> str:
    """The same file, mapped and chosen the same way: the same import. Without choices it
    is the mapping's own fingerprint, as imports recorded before the choices existed."""
    base = mapping.fingerprint(content_sha256)
    if choices == Choices():
        return base
    chosen = json.dumps(choices.to_json(), sort_keys=True)
    return hashlib.sha256(f"{base}:{chosen}".encode()).hexdigest()


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
def dry_run(
    *, job: ImportJob, mapping: Mapping, actor: User, choices: Choices | None = None
) -> Checked:
    """Check every chosen row against the mapping and record the outcome; stores no response.

    Raises ValueError for a mapping that cannot be applied (a column not in the file,
    a recoding line not understood, a file of several time points without a choice,
    no complete response) and FileError for a file that cannot be read.

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
    choices = choices or Choices()
    table = table_of(locked)
    _check_kept_columns(locked, table, mapping)
    prepared = _check(locked, table, mapping, choices)
    if not prepared.checked.n_rows:
        raise ValueError(_nothing_chosen(prepared.selection))
    _save_checked(locked, table, mapping, choices, prepared)
    job.refresh_from_db()
    audit(
        "wave.import_check",
        actor=actor,
        target=job.wave,
        organization=job.wave.survey.organization,
        job=job.pk,
        rows=prepared.checked.n_rows,
        errors=prepared.checked.error_count,
        left_out=prepared.selection.left_out,
    )
    return prepared.checked


def _nothing_chosen(selection: Selection) -> str:
    left_out = completeness.left_out_sentence(selection.left_out)
    hint = (
        " To import unfinished responses, tick “Include incomplete responses”."
        if completeness.INCOMPLETE in selection.left_out
        else ""
    )
    return f"No row of the file is a response to import. {left_out}{hint}".strip()


def _save_checked(
    job: ImportJob, table: Table, mapping: Mapping, choices: Choices, prepared: Prepared
) -> None:
    """Record the dry run's outcome and keep only the mapped columns of the file."""
    checked = prepared.checked
    kept = keep_columns(table, mapping.columns())
    kept = dataclasses.replace(kept, markers=completeness.kept(table.markers, kept.columns))
    job.content = dump_kept(kept)
    job.format = KEPT
    job.mapping = mapping.to_json()
    job.choices = choices.to_json()
    job.left_out = prepared.selection.left_out
    job.fingerprint = fingerprint(mapping, job.content_sha256, choices)
    job.status = ImportJob.Status.CHECKED
    job.total_rows = checked.n_rows
    job.error_count, job.error_rows = checked.error_count, checked.error_rows
    job.errors = [asdict(e) for e in checked.errors]
    job.message = ""
    job.save()


@transaction.atomic
def start(*, job: ImportJob, actor: User, valid_rows_only: bool = False) -> ImportJob:
    """Queue a checked import; the task runs once this transaction commits.

    A file with rows in error is imported only with ``valid_rows_only``: its valid rows
    go in, the others are kept as a CSV for the person who uploaded it."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportJob.Status.CHECKED or not job.total_rows:
        raise ValueError("Only a checked file can be imported.")
    if job.error_count and not valid_rows_only:
        raise ValueError("Only a checked file without errors can be imported.")
    if job.error_rows >= job.total_rows:
        raise ValueError("No row of the file is valid: there is nothing to import.")
    check_importable(job.wave)
    job.status = ImportJob.Status.QUEUED
    job.processed = 0
    job.valid_rows_only = bool(valid_rows_only and job.error_count)
    job.save(update_fields=["status", "processed", "valid_rows_only"])
    audit(
        "wave.import_start",
        actor=actor,
        target=job.wave,
        organization=job.wave.survey.organization,
        job=job.pk,
        valid_rows_only=job.valid_rows_only,
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
    if isinstance(error, OriginRefused | FileError | completeness.ChoiceNeeded):
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
    prepared = _check(job, table, mapping, Choices.from_json(job.choices))
    checked = prepared.checked
    rejected = set(checked.problems) if job.valid_rows_only else set()
    if not checked.n_rows or (checked.error_count and len(rejected) in (0, checked.n_rows)):
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
            stored, skipped = 0, checked.n_rows - len(rejected)
            message = f"This file was imported already (on {earlier.finished_at:%Y-%m-%d}); nothing was stored twice."
        else:
            stored, skipped = _store(job, prepared, rejected)
            message = ""
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.DONE,
            processed=checked.n_rows,
            stored=stored,
            skipped=skipped,
            message=message,
            content=None,  # the file may hold columns never meant to be kept
            rejected=rejected_csv(prepared) if rejected else None,
            rejected_rows=len(rejected),
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
            rejected=len(rejected),
        )
    if stored:
        signals.responses_imported.send(Wave, wave=job.wave)  # its results are published now
    return stored


def rejected_csv(prepared: Prepared) -> bytes:
    """The rows left out of a partial import: the mapped columns as the file holds them and
    a reason (the file's row and its problems), formula-safe, UTF-8 with a byte-order mark
    so that Excel opens it as UTF-8. Corrected, it can be imported again as it is."""
    rows, problems = prepared.rows, prepared.checked.problems
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\r\n")
    writer.writerow([*rows.columns, "reason"])
    cells = rows.data.iloc[sorted(problems)].astype(str).values.tolist() if problems else []
    for position, row in zip(sorted(problems), cells, strict=True):
        writer.writerow([*row, f"Row {rows.file_row(position)}: {problems[position]}"])
    return ("\ufeff" + out.getvalue()).encode()


def _existing(wave: Wave) -> set[str]:
    """The wave's keys: an import's keys hash the wave's id, so no other wave holds them."""
    return set(Response.objects.filter(wave=wave).values_list("idempotency_key", flat=True))


def _store(job: ImportJob, prepared: Prepared, rejected: set[int]) -> tuple[int, int]:
    """INSERT the valid rows not yet in the wave, CHUNK at a time, with their scores.

    Bulk INSERTs (``_insert``): building a model instance per response
    and preparing 2.4 million score values through the ORM took most of an import's time.
    Values are prepared by the fields themselves (JSON, dates), as the ORM would.
    """
    wave, checked = job.wave, prepared.checked
    stored_before = keys.already_stored(checked.keys, prepared.digests, _existing(wave))
    fresh = np.asarray(
        [i for i, seen in enumerate(stored_before) if not seen and i not in rejected],
        dtype=np.int64,
    )
    # Stored in random order: the rows' places in the tables do not repeat the file's order.
    fresh = fresh[np.argsort([secrets.randbits(64) for _ in range(len(fresh))], kind="stable")]
    submitted_on = timezone.localtime(wave.opens_at).date()
    day = Response._meta.get_field("submitted_on")
    date_value = day.get_db_prep_save(submitted_on, connection)  # type: ignore[union-attr]
    demo_names = list(checked.demographics)
    skipped = len(checked.keys) - len(rejected) - len(fresh)
    for start_at in range(0, len(fresh), CHUNK):
        rows = fresh[start_at : start_at + CHUNK]
        row_keys = [checked.keys[r] for r in rows.tolist()]
        answers, answered = _answers(checked, rows)
        demographics = [
            {n: v for n in demo_names if (v := str(checked.demographics[n][r]))}
            for r in rows.tolist()
        ]
        # JSON text as JSONField stores it (json.dumps); PostgreSQL casts the text to jsonb.
        # Random keys, as every response has (surveys.models.random_id).
        response_ids = np.asarray([random_id() for _ in row_keys], dtype=np.int64)
        params = [
            (pk, wave.pk, checked.unit_ids[r], date_value, key, dumps(a), dumps(d))
            for pk, r, key, a, d in zip(
                response_ids.tolist(), rows.tolist(), row_keys, answers, demographics, strict=True
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
        cache.set(
            progress_key(job.pk), len(rejected) + skipped + start_at + len(rows), timeout=3600
        )
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
