"""Benchmark the import of a file of 100,000 responses into a wave.

For each backend (SQLite, PostgreSQL) a fresh database is migrated; a child process
creates an organization with 20 units and a survey asking single-item-burnout, WHO-5
and PHQ-9 with the demographic question role, and writes a Qualtrics-style CSV of
``--rows`` synthetic responses (ResponseId, 15 items, unit name, role; 1 in 50 rows
leaves a WHO-5 item blank). Then it times the whole import as a person runs it:

- upload: read the CSV into a table (``imports.run.upload``);
- check: the dry run of every row against the mapping (``imports.run.dry_run``);
- import: the task (``imports.run.start`` -> ``import_file``): read and check again,
  the idempotency look-up, scoring, and the inserts of 100,000 responses and 400,000
  scores in one transaction;

and once more with the same file, which must store nothing.

Baseline, in the same process and on the same database: a raw bulk insert of the same
rows into another wave with the database's own bulk load (COPY on PostgreSQL,
``executemany`` of one prepared INSERT on SQLite) of the response rows (answers already as JSON) and of the score rows (scores computed
beforehand with one ``instruments.score`` call per instrument, untimed): what the
database takes without parsing, checking or scoring. The ratio is import / baseline.

    .venv/bin/python bench/import_rows.py [--rows 100000] [--backend sqlite|postgresql|both]
        [--database-url postgresql://postgres@127.0.0.1:5432/wellbeing_import_bench]

Target: under 30 s for 100,000 rows on 2 cores. Exits 0 whether or not it is met.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from _database import child_env, recreate_database  # bench/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/wellbeing_import_bench"
TARGET_SECONDS = 30.0
INSTRUMENTS = ["single-item-burnout", "who5", "phq9"]
SCALES = ("single-item-burnout/dolan2015", "who5/frequency", "phq9/frequency")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rows < 100:
        parser.error(f"--rows: expected at least 100, got {args.rows}")
    return args


def run_backend(args: argparse.Namespace, backend: str) -> dict | None:
    print(f"\n== {backend} ==", flush=True)
    with tempfile.TemporaryDirectory(prefix="import-bench-") as tmp:
        env = child_env(backend, tmp, args.database_url)
        if backend == "postgresql":
            recreate_database(args.database_url)
        done = subprocess.run(
            [sys.executable, "-m", "wellbeing", "migrate", "-v", "0"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise SystemExit(f"migrate failed:\n{done.stdout}{done.stderr}")
        result = Path(tmp) / "result.json"
        command = [sys.executable, __file__, "--child", backend, "--result", str(result)]
        command += [f"--rows={args.rows}", f"--database-url={args.database_url}"]
        if subprocess.run(command, env=env, cwd=ROOT).returncode != 0:
            print(f"{backend}: the benchmark process failed", file=sys.stderr)
            return None
        return json.loads(result.read_text())


def main() -> int:
    args = parse_args()
    if args.child:
        return child(args)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    results = {b: run_backend(args, b) for b in backends}
    print("\n== summary ==")
    for backend, r in results.items():
        if r is None:
            print(f"{backend}: failed")
            continue
        verdict = "met" if r["total"] < TARGET_SECONDS else "NOT met"
        print(
            f"{backend}: {args.rows} rows imported in {r['total']:.1f} s "
            f"({args.rows / r['total']:,.0f} rows/s; upload {r['upload']:.1f} s, check "
            f"{r['check']:.1f} s, import {r['import']:.1f} s); same file again {r['again']:.1f} s; "
            f"raw bulk insert {r['baseline']:.1f} s ({args.rows / r['baseline']:,.0f} rows/s); "
            f"ratio {r['total'] / r['baseline']:.2f}x; target < {TARGET_SECONDS:.0f} s {verdict}"
        )
    return 0 if all(results.values()) else 1


# -- child: one backend -------------------------------------------------------------------------


def make_csv(n: int, unit_names: list[str]) -> bytes:
    rng = np.random.default_rng(7)
    burnout = rng.integers(1, 6, n)
    who5 = rng.integers(0, 6, (n, 5))
    phq9 = rng.integers(0, 4, (n, 9))
    units = rng.integers(0, len(unit_names), n)
    roles = np.array(["nurse", "physician", "pharmacist", "other"])[rng.integers(0, 4, n)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "ResponseId",
            "burnout",
            *[f"who5_{k}" for k in range(1, 6)],
            *[f"phq9_{k}" for k in range(1, 10)],
            "unit",
            "role",
        ]
    )
    for i in range(n):
        w = [str(v) for v in who5[i]]
        if i % 50 == 0:
            w[2] = ""
        writer.writerow(
            [
                f"R_{i:07d}",
                str(burnout[i]),
                *w,
                *[str(v) for v in phq9[i]],
                unit_names[units[i]],
                roles[i],
            ]
        )
    return out.getvalue().encode()


def child(args: argparse.Namespace) -> int:
    import django

    # The import's task runs in this process, as the worker would run it (the site's
    # default queues it in the database for the worker).
    os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
    django.setup()
    from django.test import TestCase

    from wellbeing.accounts import actions as accounts
    from wellbeing.accounts.models import User
    from wellbeing.surveys import actions
    from wellbeing.surveys.imports import run
    from wellbeing.surveys.imports.mapping import Mapping
    from wellbeing.surveys.imports.models import ImportJob
    from wellbeing.surveys.models import Response

    del TestCase
    org = accounts.create_organization(
        name="Benchmark Health (synthetic)", kind="health_system", slug="bench"
    )
    admin = User.objects.create_user("admin@bench.test", "a-long-bench-password")
    accounts.add_member(organization=org, user=admin, role="org_admin")
    units = [accounts.add_unit(organization=org, name=f"Unit {k:02d}") for k in range(20)]
    survey = actions.create_survey(
        organization=org,
        name="Pulse",
        instruments=INSTRUMENTS,
        demographics=["role", "unit"],
        actor=admin,
    )
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    wave = actions.create_wave(
        survey=survey,
        name="2024",
        opens_at=now - timedelta(days=700),
        closes_at=now - timedelta(days=680),
        actor=admin,
    )
    content = make_csv(args.rows, [u.name for u in units])
    mapping = Mapping(
        items={
            "single-item-burnout": ["burnout"],
            "who5": [f"who5_{k}" for k in range(1, 6)],
            "phq9": [f"phq9_{k}" for k in range(1, 10)],
        },
        key_columns=["ResponseId"],
        unit_column="unit",
        demographics={"role": "role"},
        # What a person confirms on the dry-run page: the file holds the instruments' codes.
        readings={scale: "codes" for scale in SCALES},
        confirmed={
            "single-item-burnout/dolan2015": ["burnout"],
            "who5/frequency": [f"who5_{k}" for k in range(1, 6)],
            "phq9/frequency": [f"phq9_{k}" for k in range(1, 10)],
        },
    )

    def one_import() -> tuple[float, float, float, ImportJob]:
        t0 = time.perf_counter()
        job = run.upload(
            wave=wave, filename="export.csv", content=content, preset="qualtrics", actor=admin
        )
        t1 = time.perf_counter()
        checked = run.dry_run(job=job, mapping=mapping, actor=admin)
        if not checked.ok:
            raise SystemExit(f"the benchmark file has errors: {checked.errors[:3]}")
        t2 = time.perf_counter()
        run.start(job=job, actor=admin)  # outside a transaction: the task runs at once
        t3 = time.perf_counter()
        job.refresh_from_db()
        return t1 - t0, t2 - t1, t3 - t2, job

    upload, check, imported, job = one_import()
    if job.status != "done" or job.stored != args.rows:
        raise SystemExit(
            f"import: expected {args.rows} rows stored, got {job.stored} ({job.message})"
        )
    total = upload + check + imported
    print(
        f"import: upload {upload:.2f} s, check {check:.2f} s, import {imported:.2f} s = {total:.2f} s",
        flush=True,
    )
    u2, c2, i2, again = one_import()
    if again.stored != 0 or Response.objects.filter(wave=wave).count() != args.rows:
        raise SystemExit("the same file again stored rows twice")
    print(f"same file again: {u2 + c2 + i2:.2f} s, stored {again.stored}", flush=True)
    baseline = raw_insert(survey, wave, admin, args.rows)
    print(f"raw bulk insert: {baseline:.2f} s", flush=True)
    Path(args.result).write_text(
        json.dumps(
            {
                "upload": upload,
                "check": check,
                "import": imported,
                "total": total,
                "again": u2 + c2 + i2,
                "baseline": baseline,
            }
        )
    )
    return 0


RESPONSE_COLUMNS = (
    "id",
    "wave_id",
    "unit_id",
    "submitted_on",
    "idempotency_key",
    "answers",
    "demographics",
)
SCORE_COLUMNS = ("id", "response_id", "wave_id", "instrument", "scale", "value", "category")


def insert(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """The database's own bulk load: COPY on PostgreSQL, executemany on SQLite."""
    from django.db import connection

    q = connection.ops.quote_name
    table, names = q(model._meta.db_table), ", ".join(q(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608


def raw_insert(survey, wave, admin, n: int) -> float:
    """A bulk load of the same rows into another wave (scores computed beforehand)."""
    from datetime import timedelta

    from django.db import transaction

    import instruments
    from wellbeing.surveys import actions
    from wellbeing.surveys.models import Response, Score, random_id

    other = actions.create_wave(
        survey=survey,
        name="raw",
        opens_at=wave.opens_at + timedelta(days=100),
        closes_at=wave.closes_at + timedelta(days=100),
        actor=admin,
    )
    rows = list(
        Response.objects.filter(wave=wave)
        .order_by("pk")
        .values_list("unit_id", "answers", "demographics")
    )
    scores_by_instrument = {}
    for instrument_id in INSTRUMENTS:
        instrument = instruments.get(instrument_id)
        matrix = np.array(
            [
                [
                    -1 if c is None else c
                    for c in (a.get(instrument_id) or [None] * instrument.n_items)
                ]
                for _u, a, _d in rows
            ]
        )
        result = instruments.score(instrument, matrix)
        scores_by_instrument[instrument_id] = {
            s: np.asarray(result.scales[s]) for s in instrument.scale_ids
        }
    day = wave.opens_at.date()
    # Response ids are random (they say nothing about when a row was written), as the
    # import's own rows are; drawn here, before the clock starts.
    ids = [random_id() for _ in rows]
    response_params = [
        (rid, other.pk, u, day, f"raw-{i}", json.dumps(a), json.dumps(d))
        for i, (rid, (u, a, d)) in enumerate(zip(ids, rows, strict=True))
    ]
    score_params = [
        (
            random_id(),
            rid,
            other.pk,
            instrument_id,
            scale,
            None if np.isnan(v[i]) else float(v[i]),
            "",
        )
        for instrument_id, scales in scores_by_instrument.items()
        for scale, v in scales.items()
        for i, rid in enumerate(ids)
    ]
    t0 = time.perf_counter()
    with transaction.atomic():
        insert(Response, RESPONSE_COLUMNS, response_params)
        insert(Score, SCORE_COLUMNS, score_params)
    return time.perf_counter() - t0


if __name__ == "__main__":
    sys.exit(main())
