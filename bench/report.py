"""Benchmark the confidential report's releases on a large organization: publish, then view.

For each backend (SQLite, PostgreSQL) a fresh database is migrated and filled
through the project's actions: an organization with a 4-level unit tree (root
units > departments > teams > sub-teams, 400 units by default), a survey with
single-item-burnout, WHO-5 and PHQ-2 and the five demographic questions (role,
tenure, career stage, work setting, schedule), and two waves of 50,000 synthetic
responses each (unit sizes skewed so that some units are small and suppressed; a few
respondents skip the PHQ-2, leave a WHO-5 item blank, skip a demographic question or
give no unit). The responses are stored as collected through the waves' links: each
wave is opened (``set_wave_status(..., "open")``), its responses are stored with
``record_synthetic_responses`` in batches of 5,000, and it is closed. Wave 2 takes 90%
of its responses, then an interim release is published while it is open
(``releases.publish(wave, kind=INTERIM)``), then the last 10% arrive before the close,
so its final release is planned against an earlier release, as in real use.

Closing a wave sends ``wave_closed``, whose receiver publishes the final release at once
(the default in-process task backend, when the close commits). The fixture lets that
happen: wave 1's release is the previous wave's release a report compares with, and
the close of wave 2 is printed as an untimed first publish. Each timed publish then
starts clean: wave 2's final release is deleted before it, so the interim release is
its only earlier release.

Timed, ``--repeat`` times each:

- publish at close, cold: ``releases.publish_final(wave 2)`` with no packed columns of
  wave 2 (``WaveColumns``) and nothing kept in the process (``forget_opened``,
  ``forget_built``): decode every JSON row and pack them, score, unpack the interim
  release, search every plan of the release and of its difference from the interim
  release, store the release. It runs once, in the background, when the wave closes.
- publish at close with packed columns: the same with ``WaveColumns`` holding every
  response (the usual case: they were packed while the wave was fielding).
- first view: ``door.latest_report(wave 2)`` in a fresh server process
  (``forget_opened``, ``forget_built``): unpack wave 2's final release and wave 1's
  release (its scores are stored: no rescoring), restore and check every plan, compute every figure (unit
  subtrees and unit x category tables of the five fields) and the change since wave 1.
- viewed again: the same call in the same process (the report is kept in memory).

A breakdown times the steps of the publish and of the first view (each step's own time,
without the steps inside it, so the steps and "everything else" add up to the total),
during the same timed runs. Information loss, for wave 2's final release and for wave
1's release (no earlier release): per plan, the share of figures hidden although not
small (``DisclosurePlan.information_loss``) and how many are hidden as small, as
complementary and as changed since an earlier release; whether the organization's and
the top-level units' totals are shown.

Baseline, in the same process and on the same database: what an analyst writes
with pandas to get the same means, without suppression or tests: read the same
rows (unit, demographics, answers) of both waves, score the three instruments
with column sums, pair each respondent with its unit and every unit above it
(``merge`` with an ancestor table), then ``groupby`` unit and unit x category,
and the change of each unit's mean. The pandas means are checked against the
report's published means. Every time is printed with its ratio to this baseline.

Each backend runs in its own child process (Django's settings choose the
database once per process); this parent creates the database and migrates it.

    .venv/bin/python bench/report.py [--respondents 50000] [--units 400]
        [--backend sqlite|postgresql|both] [--repeat 3] [--profile]
        [--database-url postgresql://postgres@127.0.0.1:5432/wellbeing_report_bench]

Target: a view of the full report (first view and viewed again) in under 1.5 s on 2
cores, and within 3x of the pandas baseline. The publish has no target of its own (it
runs once per release, before the first reader). Exits 0 whether or not the target is
met (it is a measurement).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from _database import child_env, recreate_database  # bench/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/wellbeing_report_bench"
INSTRUMENTS = ["single-item-burnout", "who5", "phq2"]
FIELDS = ["role", "tenure", "career_stage", "work_setting", "schedule"]
BATCH = 5_000  # responses per record_synthetic_responses call (one transaction each)
INTERIM_SHARE = 0.9  # of wave 2's responses stored before its interim release
TARGET_SECONDS = 1.5
TARGET_RATIO = 3.0
# Unit tree: root units x departments x teams, then the remaining units as sub-teams.
FANOUT = (5, 8, 5)
SMALL_FANOUT = (3, 4, 3)  # for a quick check with fewer than 246 units


def fanout_for(units: int) -> tuple[int, int, int]:
    return FANOUT if units > sum(np.cumprod(FANOUT)) else SMALL_FANOUT


# -- parent: databases and child processes -------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--respondents", type=int, default=50_000, help="responses per wave")
    parser.add_argument(
        "--units",
        type=int,
        default=400,
        help="units in the 4-level tree (5 x 8 x 5 above the sub-teams; 3 x 4 x 3 below 246)",
    )
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each measurement")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also print a cProfile of one cold publish and one first view",
    )
    parser.add_argument(
        "--database-url",
        default=DEFAULT_URL,
        help="PostgreSQL: dropped and re-created; its name must contain 'bench'",
    )
    parser.add_argument("--child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args()
    minimum = sum(np.cumprod(SMALL_FANOUT)) + 1
    if args.units < minimum:
        parser.error(f"--units: expected at least {minimum} (a 4-level tree), got {args.units}")
    if args.respondents < 1000 or args.repeat < 1:
        parser.error("--respondents: at least 1000; --repeat: at least 1")
    return args


def run_backend(args: argparse.Namespace, backend: str) -> dict | None:
    print(f"\n== {backend} ==", flush=True)
    with tempfile.TemporaryDirectory(prefix="report-bench-") as tmp:
        env = child_env(backend, tmp, args.database_url)
        t0 = time.perf_counter()
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
        migrate = time.perf_counter() - t0
        where = args.database_url if backend == "postgresql" else f"{tmp}/db.sqlite3"
        print(f"setup: database + migrate {migrate:.1f} s ({where})", flush=True)
        result = Path(tmp) / "result.json"
        command = [sys.executable, __file__, "--child", backend, "--result", str(result)]
        command += [f"--respondents={args.respondents}", f"--units={args.units}"]
        command += [f"--repeat={args.repeat}", f"--database-url={args.database_url}"]
        command += ["--profile"] if args.profile else []
        if subprocess.run(command, env=env, cwd=ROOT).returncode != 0:
            print(f"{backend}: the benchmark process failed", file=sys.stderr)
            return None
        figures = json.loads(result.read_text())
        figures["setup"] += migrate
        return figures


def main() -> int:
    args = parse_args()
    if args.child:
        return Child(args).run()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    t0 = time.perf_counter()
    results = {b: run_backend(args, b) for b in backends}
    print("\n== summary ==")
    for backend, r in results.items():
        if r is None:
            print(f"{backend}: failed")
            continue
        ratio, loss = r["ratios"], r["loss"]["wave2_final"]
        print(
            f"{backend}: setup {r['setup']:.1f} s; publish at close: cold {r['publish_cold']:.3f} s"
            f" ({ratio['publish_cold']:.2f}x pandas), packed columns {r['publish_packed']:.3f} s"
            f" ({ratio['publish_packed']:.2f}x); report first view {r['first']:.3f} s"
            f" ({ratio['first']:.2f}x, target {r['first_verdict']}), viewed again"
            f" {r['again']:.3f} s ({ratio['again']:.2f}x, target {r['again_verdict']});"
            f" pandas median {r['pandas']:.3f} s; information loss of wave 2's final release:"
            f" responses {loss['responses']['loss']:.1%}, scales {_span(loss['scales'], 'loss')};"
            f" everything else {r['other_cores']:.2f} cores"
        )
    print(f"total: {time.perf_counter() - t0:.1f} s")
    return 0 if all(results.values()) else 1


def _span(plans: list[dict], key: str, percent: bool = True) -> str:
    """min / median / max of ``key`` over plans (as a percentage, or as counts)."""
    values = [p[key] for p in plans]
    if not values:
        return "none"
    points = (min(values), statistics.median(values), max(values))
    if percent:
        return "/".join(f"{v:.1%}" for v in points) + " (min/median/max)"
    return f"{points[0]:g}-{points[2]:g}" if points[0] != points[2] else f"{points[0]:g}"


# -- CPU accounting (Linux /proc) -----------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _machine() -> float:
    """CPU seconds the whole machine spent so far (all cores; not idle, not iowait)."""
    with open("/proc/stat", encoding="ascii") as handle:
        ticks = [int(v) for v in handle.readline().split()[1:9]]
    return (sum(ticks) - ticks[3] - ticks[4]) / CLOCK_TICKS


def _postgres(database: str) -> float:
    """CPU seconds of the postgres backends connected to ``database`` (ours)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            text = (entry / "stat").read_text(encoding="ascii", errors="replace")
            if text[text.index("(") + 1 : text.rindex(")")] != "postgres":
                continue
            # "postgres: [cluster: ]user database host(port) state": a backend of this database.
            words = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().split()
            if database in words[1:5]:
                fields = text[text.rindex(")") + 2 :].split()
                total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return total


@dataclass
class Cpu:
    at: float
    own: float
    postgres: float
    machine: float

    @classmethod
    def take(cls, database: str | None) -> Cpu:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        pg = _postgres(database) if database else 0.0
        return cls(time.monotonic(), usage.ru_utime + usage.ru_stime, pg, _machine())

    def until(self, after: Cpu) -> tuple[float, float, float, float]:
        """(seconds, our cores, postgres cores, everything else cores) between two samples."""
        seconds = max(after.at - self.at, 1e-9)
        own = (after.own - self.own) / seconds
        pg = max(after.postgres - self.postgres, 0.0) / seconds
        other = max((after.machine - self.machine) / seconds - own - pg, 0.0)
        return seconds, own, pg, other


# -- child: fixture, measurements ------------------------------------------------------------------


def _timed(function, repeat: int, before=None, steps=None) -> tuple[list[float], list[float], list]:
    """Wall and process-CPU seconds of ``repeat`` calls (``before()`` untimed before each).
    With ``steps``, each call's breakdown is taken after it and returned with its result."""
    import gc

    walls, cpus, results = [], [], []
    for _ in range(repeat):
        if before is not None:
            before()
        if steps is not None:
            steps.take()  # nothing timed by ``before`` counts
        gc.collect()
        c0, w0 = time.process_time(), time.perf_counter()
        result = function()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
        results.append((result, steps.take()) if steps is not None else result)
    return walls, cpus, results


def _runs(walls: list[float]) -> str:
    return (
        " ".join(f"{w:.3f}" for w in walls)
        + f" s -> best {min(walls):.3f}, median {statistics.median(walls):.3f} s"
    )


class Child:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.backend: str = args.child
        self.rng = np.random.default_rng(2026)

    # -- fixture ----------------------------------------------------------------------------------

    def build_units(self, org):
        """Root units > departments > teams > sub-teams; returns (units, parents) in creation order."""
        from wellbeing.accounts.actions import add_unit

        units, levels = [], [[None]]
        for depth, fanout in enumerate(fanout_for(self.args.units)):
            level = []
            for parent in levels[-1]:
                for n in range(fanout):
                    name = ("Division", "Department", "Team")[depth] + f" {n + 1}"
                    level.append(add_unit(organization=org, name=name, parent=parent))
            units += level
            levels.append(level)
        teams = levels[-1]
        rest = self.args.units - len(units)
        # Spread the sub-teams over the teams: most get 0-2, as in real org charts.
        hosts = self.rng.choice(len(teams), size=rest, replace=rest > len(teams))
        counts: dict[int, int] = {}
        for host in hosts.tolist():
            counts[host] = counts.get(host, 0) + 1
            parent = teams[host]
            units.append(add_unit(organization=org, name=f"Sub-team {counts[host]}", parent=parent))
        return units

    def unit_weights(self, units) -> np.ndarray:
        """Skewed unit sizes: log-normal, leaves hold most people, a few units are empty."""
        has_children = {u.parent_id for u in units}
        weights = self.rng.lognormal(0.0, 1.3, size=len(units))
        inner = np.array([u.pk in has_children for u in units])
        weights[inner] *= 0.08  # staff attached to a division or department itself
        weights[self.rng.random(len(units)) < 0.03] = 0.0
        return weights / weights.sum()

    def responses(self, wave_number: int, units, weights: np.ndarray):
        """Synthetic ImportedResponse rows: answers follow a latent strain per unit and person."""
        from wellbeing.surveys.actions import ImportedResponse

        n = self.args.respondents
        rng = self.rng
        w = weights * rng.lognormal(0.0, 0.15, size=len(weights))  # sizes drift between waves
        unit_index = rng.choice(len(units), size=n, p=w / w.sum())
        no_unit = rng.random(n) < 0.01
        strain = self.strain[unit_index] - (wave_number - 1) * self.progress[unit_index]
        z = rng.normal(strain, 0.8)
        burnout = np.clip(np.rint(1.6 + 1.1 * z + rng.normal(0, 0.6, n)), 1, 5).astype(int)
        who5 = np.clip(np.rint(3.2 - 1.1 * z[:, None] + rng.normal(0, 0.9, (n, 5))), 0, 5)
        phq2 = np.clip(np.rint(0.5 + 0.8 * z[:, None] + rng.normal(0, 0.6, (n, 2))), 0, 3)
        skip_phq2 = rng.random(n) < 0.02
        blank_who5 = rng.random(n) < 0.01
        demo_codes = {
            name: rng.choice(len(choices), size=n, p=probabilities)
            for name, (choices, probabilities) in self.demo_choices.items()
        }
        skip_demo = {name: rng.random(n) < 0.03 for name in FIELDS}
        who5_lists, phq2_lists = who5.astype(int).tolist(), phq2.astype(int).tolist()
        rows = []
        for i in range(n):
            items: list[int | None] = who5_lists[i]
            if blank_who5[i]:
                items[int(rng.integers(5))] = None
            answers = {"single-item-burnout": [int(burnout[i])], "who5": items}
            if not skip_phq2[i]:
                answers["phq2"] = phq2_lists[i]
            demographics = {
                name: self.demo_choices[name][0][demo_codes[name][i]]
                for name in FIELDS
                if not skip_demo[name][i]
            }
            unit = None if no_unit[i] else units[unit_index[i]]
            rows.append(ImportedResponse(f"bench-w{wave_number}-{i}", unit, answers, demographics))
        return rows

    def store(self, wave, rows) -> float:
        """Store ``rows`` as collected through the wave's links, in batches; seconds taken."""
        from wellbeing.surveys import actions

        t0 = time.perf_counter()
        for start in range(0, len(rows), BATCH):
            actions.record_synthetic_responses(
                wave=wave, rows=rows[start : start + BATCH], submitted_on=wave.opens_at.date()
            )
        return time.perf_counter() - t0

    def close(self, wave) -> None:
        """Close the wave; ``wave_closed`` publishes its final release when the close commits."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from wellbeing.reports.models import Release
        from wellbeing.surveys import actions

        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            actions.set_wave_status(wave=wave, status="closed")
            seconds = time.perf_counter() - t0
        final = Release.objects.filter(wave=wave).exclude(kind=Release.Kind.INTERIM)
        if not final.exists():
            raise SystemExit(f"closing {wave.name} published no release (see the log above)")
        print(
            f"setup: {wave.name} closed in {seconds:.1f} s, {len(queries)} queries (wave_closed"
            " publishes its final release in-process: the first publish of this process,"
            " not counted)",
            flush=True,
        )

    def create_fixture(self) -> tuple[int, int]:
        from datetime import timedelta

        from django.db import transaction
        from django.utils import timezone

        from wellbeing.accounts.actions import create_organization
        from wellbeing.reports import releases
        from wellbeing.reports.models import Release
        from wellbeing.surveys import actions
        from wellbeing.surveys.questions import DEMOGRAPHICS

        t0 = time.perf_counter()
        with transaction.atomic():  # one commit for the whole tree
            org = create_organization(
                name="Bench Health", kind="health_system", slug="bench", is_synthetic=True
            )
            units = self.build_units(org)
        depths = np.bincount([u.depth for u in units])
        print(
            f"setup: {len(units)} units in {time.perf_counter() - t0:.1f} s "
            f"(per level {'/'.join(map(str, depths.tolist()))})",
            flush=True,
        )
        survey = actions.create_survey(
            organization=org, name="Bench survey", instruments=INSTRUMENTS, demographics=FIELDS
        )
        now = timezone.now()
        spans = [  # a wave a year ago, and one open now
            (now - timedelta(days=400), now - timedelta(days=370)),
            (now - timedelta(days=30), now + timedelta(days=1)),
        ]
        waves = [
            actions.create_wave(
                survey=survey, name=f"Wave {n}", opens_at=opens_at, closes_at=closes_at
            )
            for n, (opens_at, closes_at) in enumerate(spans, start=1)
        ]
        self.demo_choices = {}
        for name in FIELDS:
            keys = [key for key, _label in DEMOGRAPHICS[name].choices]
            p = self.rng.dirichlet(np.full(len(keys), 2.0))
            self.demo_choices[name] = (keys, p)
        self.strain = self.rng.normal(0.5, 0.3, size=len(units))
        self.progress = np.where(self.rng.random(len(units)) < 0.3, 0.3, 0.0)
        weights = self.unit_weights(units)
        for number, wave in enumerate(waves, start=1):
            t1 = time.perf_counter()
            rows = self.responses(number, units, weights)
            made = time.perf_counter() - t1
            actions.set_wave_status(wave=wave, status="open")
            if number == 1:
                stored = self.store(wave, rows)
                print(
                    f"setup: {wave.name}: {len(rows):,} responses generated in {made:.1f} s,"
                    f" stored with actions.record_synthetic_responses in {stored:.1f} s"
                    f" (batches of {BATCH:,})",
                    flush=True,
                )
            else:
                early = int(len(rows) * INTERIM_SHARE)
                stored = self.store(wave, rows[:early])
                t2 = time.perf_counter()
                interim = releases.publish(wave, kind=Release.Kind.INTERIM)
                published = time.perf_counter() - t2
                stored += self.store(wave, rows[early:])
                print(
                    f"setup: {wave.name}: {len(rows):,} responses generated in {made:.1f} s,"
                    f" stored with actions.record_synthetic_responses in {stored:.1f} s"
                    f" (batches of {BATCH:,}); after the first {early:,}, interim release"
                    f" {interim.number} published in {published:.1f} s (not counted)",
                    flush=True,
                )
            self.close(wave)
        return waves[0].pk, waves[1].pk

    # -- pandas baseline ---------------------------------------------------------------------------

    def pandas_means(self, wave_ids: list[int], org_id: int):
        """Unit-subtree and unit x category means of each scale for each wave, and the unit
        changes. Returns (results, seconds spent after the rows were read and scored)."""
        import pandas as pd
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, parent_id FROM accounts_unit WHERE organization_id = %s", [org_id]
            )
            tree = pd.DataFrame(cursor.fetchall(), columns=["unit_id", "parent_id"])
        # Each unit paired with itself and every unit above it; 0 is the organization.
        parent = tree.set_index("unit_id")["parent_id"]
        step = tree.assign(node=tree["unit_id"])[["unit_id", "node"]]
        pairs = [step, pd.DataFrame({"unit_id": tree["unit_id"], "node": 0})]
        while True:
            step = step.assign(node=step["node"].map(parent)).dropna()
            if step.empty:
                break
            pairs.append(step.astype({"node": "int64"}))
        ancestors = pd.concat([*pairs, pd.DataFrame({"unit_id": [0], "node": [0]})])

        grouping = 0.0
        out = {}
        for wave_id in wave_ids:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT unit_id, demographics, answers FROM surveys_response"
                    " WHERE wave_id = %s ORDER BY id",
                    [wave_id],
                )
                frame = pd.DataFrame(
                    cursor.fetchall(), columns=["unit_id", "demographics", "answers"]
                )
            answers = frame["answers"].map(_json)
            demo = pd.DataFrame(frame["demographics"].map(_json).tolist(), index=frame.index)
            demo = demo.reindex(columns=FIELDS).fillna("not_answered")
            scores = pd.DataFrame(index=frame.index)
            burnout = _items(answers, "single-item-burnout", 1)
            who5 = _items(answers, "who5", 5)
            phq2 = _items(answers, "phq2", 2)
            scores["single-item-burnout.score"] = burnout[0]
            scores["who5.raw"] = who5.sum(axis=1, min_count=5)
            scores["who5.percentage"] = scores["who5.raw"] * 4
            scores["phq2.total"] = phq2.sum(axis=1, min_count=2)
            t0 = time.perf_counter()
            people = pd.concat([scores, demo], axis=1)
            people["unit_id"] = frame["unit_id"].fillna(0).astype("int64")
            expanded = people.merge(ancestors, on="unit_id")
            units = expanded.groupby("node")[list(scores.columns)].mean()
            categories = {
                name: expanded.groupby(["node", name])[list(scores.columns)].mean()
                for name in FIELDS
            }
            out[wave_id] = (units, categories)
            grouping += time.perf_counter() - t0
        t0 = time.perf_counter()
        before, now = (out[w][0] for w in wave_ids)
        change = now - before  # per unit and scale, NaN where a wave has no scores
        grouping += time.perf_counter() - t0
        return (out, change), grouping

    # -- measurement ---------------------------------------------------------------------------------

    def run(self) -> int:
        import logging

        import django

        django.setup()
        # The task backend logs every task it runs (the publish at each close): not a figure.
        logging.getLogger("django_tasks").setLevel(logging.WARNING)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from wellbeing.reports import build, door, releases
        from wellbeing.reports.models import Release, WaveColumns
        from wellbeing.surveys.models import Response, Wave

        t0 = time.perf_counter()
        first, latest = self.create_fixture()
        setup = time.perf_counter() - t0
        print(f"setup: fixture {setup:.1f} s", flush=True)
        if self.backend == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        else:
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE surveys_response")
        counts = [Response.objects.filter(wave_id=w).count() for w in (first, latest)]
        org_id = Wave.objects.select_related("survey").get(pk=latest).survey.organization_id
        database = connection.settings_dict["NAME"] if self.backend == "postgresql" else None
        repeat = self.args.repeat

        print(
            f"data: {self.args.units} units in 4 levels, {counts[0]:,} + {counts[1]:,} responses,"
            f" 4 scales, demographic fields {', '.join(FIELDS)}; wave 2's final release is"
            f" planned against its interim release of {int(counts[1] * INTERIM_SHARE):,}"
            " responses",
            flush=True,
        )
        print(
            "  note: key drivers are computed per reader from a report"
            " (reports.drivers) and need a work-environment measure this survey does"
            " not field; they are not timed here"
        )

        def wave_of(pk: int):
            return Wave.objects.select_related("survey__organization", "version").get(pk=pk)

        def new_process() -> None:
            """Nothing unpacked or built in this process, as in a server process just started."""
            releases.forget_opened()
            build.forget_built()

        def without_final() -> None:
            """Wave 2 back to its interim release only, with its packed columns kept."""
            Release.objects.filter(wave_id=latest).exclude(kind=Release.Kind.INTERIM).delete()
            new_process()

        def cold() -> None:
            """... and without its packed columns: every JSON row is decoded again."""
            without_final()
            WaveColumns.objects.filter(wave_id=latest).delete()

        def publish():
            # Looked up at call time: Steps wraps releases.publish_final.
            release = releases.publish_final(wave_of(latest))
            if release is None:
                raise SystemExit("publish_final published nothing: wave 2 had a final release")
            return release

        def view():
            return door.latest_report(wave_of(latest))  # looked up: Steps wraps it

        def baseline():
            return self.pandas_means([first, latest], org_id)

        new_process()
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            view()  # not in the figures: the process's first view (imports, cold caches)
            warm_view = time.perf_counter() - t0
        with CaptureQueriesContext(connection) as again_queries:
            view()
        baseline()  # not timed either: pandas' first imports

        steps = Steps()
        with steps:
            cpu0 = Cpu.take(database)
            c_walls, c_cpus, c_runs = _timed(publish, repeat, before=cold, steps=steps)
            k_walls, k_cpus, k_runs = _timed(publish, repeat, before=without_final, steps=steps)
            cpu1 = Cpu.take(database)
            f_walls, f_cpus, f_runs = _timed(view, repeat, before=new_process, steps=steps)
            a_walls, a_cpus, _ = _timed(view, repeat, steps=steps)
            cpu2 = Cpu.take(database)
        p_walls, p_cpus, p_results = _timed(baseline, repeat)
        cpu3 = Cpu.take(database)

        median = {
            "publish_cold": statistics.median(c_walls),
            "publish_packed": statistics.median(k_walls),
            "first": statistics.median(f_walls),
            "again": statistics.median(a_walls),
        }
        p_median = statistics.median(p_walls)
        ratios = {name: seconds / p_median for name, seconds in median.items()}
        grouping = statistics.median(r[1] for r in p_results)
        report = f_runs[-1][0]

        print(
            f"publish at close, cold (no packed columns, nothing in the process: decodes every"
            f" JSON row, packs, scores, unpacks the interim release, searches every plan and"
            f" every plan of the difference from it), {repeat} runs: {_runs(c_walls)}"
            f" (process CPU median {statistics.median(c_cpus):.3f} s) = {ratios['publish_cold']:.2f}x"
            " pandas"
        )
        _print_steps(PUBLISH_LABELS, "publish", c_runs)
        print(
            f"publish at close with packed columns (WaveColumns of every response), {repeat} runs:"
            f" {_runs(k_walls)} (process CPU median {statistics.median(k_cpus):.3f} s)"
            f" = {ratios['publish_packed']:.2f}x pandas"
        )
        _print_steps(PUBLISH_LABELS, "publish", k_runs)
        print(
            f"report, first view in a new process (unpacks wave 2's final release and wave 1's"
            f" release, restores every plan, every figure, the change), {repeat} runs:"
            f" {_runs(f_walls)} (process CPU median {statistics.median(f_cpus):.3f} s;"
            f" {len(queries)} queries; the first view of the process, not counted:"
            f" {warm_view:.3f} s) = {ratios['first']:.2f}x pandas"
        )
        _print_steps(VIEW_LABELS, "view", f_runs)
        print(
            f"report, viewed again (kept in the process), {repeat} runs: {_runs(a_walls)}"
            f" (process CPU median {statistics.median(a_cpus):.3f} s; {len(again_queries)}"
            f" queries) = {ratios['again']:.2f}x pandas"
        )
        scales = report.scales
        units = len(report.units) + 1
        hidden = [sum(f.suppressed for f in s.by_unit.values()) for s in scales]
        changes = sum(c.difference is not None for s in scales for c in (s.unit_changes or []))
        print(
            f"  output: {units} units x {len(scales)} scales; suppressed unit figures per scale"
            f" {hidden} of {units}; {changes} unit changes tested; unit x category tables of"
            f" {len(report.categories)} demographic fields"
        )

        loss = {
            "wave2_final": _loss(releases.latest(wave_of(latest))),
            "wave1": _loss(releases.latest(wave_of(first))),
        }
        print(
            "information loss (DisclosurePlan.information_loss: the share of the figures that"
            " are not small which are hidden all the same), and hidden figures by reason:"
        )
        _print_loss(
            "wave 2, final release (planned against its interim release)", loss["wave2_final"]
        )
        _print_loss("wave 1, its release (no earlier release)", loss["wave1"])

        print(
            f"pandas baseline (read rows, json, score, merge ancestors, groupby unit and"
            f" unit x category, 2 waves, change), {repeat} runs: {_runs(p_walls)}"
            f" (process CPU median {statistics.median(p_cpus):.3f} s;"
            f" of which merge + groupby {grouping:.3f} s)"
        )
        agree, worst, compared = _compare(report, p_results[0][0], first, latest)
        print(
            f"  check: pandas means {'equal' if agree else 'DIFFER FROM'} the report's published"
            f" means (max |diff| {worst:.2e} over {compared:,} figures)"
        )
        print(
            "ratio: report / pandas (end to end, both from the database) ="
            f" publish cold {ratios['publish_cold']:.2f}x, publish with packed columns"
            f" {ratios['publish_packed']:.2f}x, first view {ratios['first']:.2f}x, viewed again"
            f" {ratios['again']:.2f}x; first view / pandas merge + groupby alone"
            f" {median['first'] / grouping:.2f}x"
        )
        seconds, own, pg, other = cpu0.until(cpu3)
        print(
            f"cpu, cores busy over the {seconds:.1f} s of timed runs ({os.cpu_count()} cores):"
            f" this process {own:.2f}, postgres (this database) {pg:.2f},"
            f" everything else {other:.2f}"
        )
        windows = {"publish": (cpu0, cpu1), "view": (cpu1, cpu2), "pandas": (cpu2, cpu3)}
        for name, (a, b) in windows.items():
            _, own_, pg_, other_ = a.until(b)
            print(
                f"  during the {name} runs: this process {own_:.2f}, postgres {pg_:.2f},"
                f" everything else {other_:.2f}"
            )

        def verdict_of(seconds: float, times: float) -> str:
            return "MET" if seconds < TARGET_SECONDS and times <= TARGET_RATIO else "NOT MET"

        f_verdict = verdict_of(median["first"], ratios["first"])
        a_verdict = verdict_of(median["again"], ratios["again"])
        print(
            f"target: a view of the full report < {TARGET_SECONDS} s and <= {TARGET_RATIO:.0f}x"
            f" pandas: first view {f_verdict} ({median['first']:.3f} s, {ratios['first']:.2f}x);"
            f" viewed again {a_verdict} ({median['again']:.3f} s, {ratios['again']:.2f}x)",
            flush=True,
        )
        del report, f_runs
        if self.args.profile:
            cold()
            _profile(publish, "one cold publish")
            new_process()
            _profile(view, "one first view")
        Path(self.args.result).write_text(
            json.dumps(
                {
                    "setup": setup,
                    **median,
                    "pandas": p_median,
                    "ratios": ratios,
                    "first_verdict": f_verdict,
                    "again_verdict": a_verdict,
                    "loss": loss,
                    "other_cores": other,
                }
            )
        )
        return 0


# Steps timed by ``Steps``: (module, attribute) -> key. Each step's own time is counted,
# without the steps called inside it, so the keys add up to the whole call ("publish",
# "view": their own time is everything else).
STEPS = {
    ("wellbeing.reports.releases", "publish_final"): "publish",
    ("wellbeing.reports.releases", "stored_rows"): "rows",
    ("wellbeing.reports.releases", "scored"): "score",
    ("wellbeing.reports.releases", "open_release"): "open",
    ("wellbeing.reports.releases", "_content_order"): "order",
    ("wellbeing.reports.releases", "_Planner.statuses"): "search",
    ("wellbeing.reports.tree", "current"): "tree",
    ("wellbeing.reports.columns", "save"): "save",
    ("wellbeing.reports.columns", "load"): "load",
    ("wellbeing.reports.door", "latest_report"): "view",
    ("wellbeing.reports.door", "_current"): "lookup",
    ("wellbeing.reports.build", "open_release"): "open",
    ("wellbeing.reports.build", "plans_of"): "restore",
    ("wellbeing.reports.build", "_tables"): "tables",
    ("wellbeing.reports.build", "_aligned"): "aligned",
    ("wellbeing.reports.build", "_changes"): "changes",
    ("wellbeing.reports.build", "unit_rows"): "units",
}
PUBLISH_LABELS = {
    "rows": "stored rows (read WaveColumns, decode newer JSON rows, pack)",
    "load": "np.load",
    "save": "np.savez (WaveColumns, the release)",
    "score": "scoring",
    "open": "unpacking the interim release",
    "tree": "unit tree",
    "order": "content order",
    "search": "plan search (_Planner.statuses)",
}
VIEW_LABELS = {
    "lookup": "latest releases (door._current)",
    "load": "np.load",
    "open": "unpacking releases",
    "restore": "restoring and checking plans (plans_of)",
    "tables": "unit and unit x category statistics (_tables)",
    "aligned": "previous wave on this tree (_aligned)",
    "changes": "change tests (_changes)",
    "units": "unit rows",
}


class Steps:
    """Wraps the functions of STEPS (module or class attributes, looked up at call time) with
    timers that count each step's own time."""

    def __enter__(self) -> Steps:
        import importlib

        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self.inner: list[float] = []  # per active step: seconds spent in steps inside it
        self.saved = []
        for (module_name, name), key in STEPS.items():
            owner = importlib.import_module(module_name)
            *path, attribute = name.split(".")
            for part in path:
                owner = getattr(owner, part)
            original = vars(owner)[attribute]  # a class's plain function, not a bound method
            self.saved.append((owner, attribute, original))
            setattr(owner, attribute, self._timer(original, key))
        return self

    def _timer(self, original, key: str):
        @functools.wraps(original)
        def timed(*args, **kwargs):
            self.inner.append(0.0)
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - t0
                own = elapsed - self.inner.pop()
                self.seconds[key] = self.seconds.get(key, 0.0) + own
                self.calls[key] = self.calls.get(key, 0) + 1
                if self.inner:
                    self.inner[-1] += elapsed

        return timed

    def take(self) -> tuple[dict[str, float], dict[str, int]]:
        """The seconds and calls counted since the last take."""
        taken = (self.seconds, self.calls)
        self.seconds, self.calls = {}, {}
        return taken

    def __exit__(self, *exc) -> None:
        for owner, attribute, original in reversed(self.saved):
            setattr(owner, attribute, original)


def _print_steps(labels: dict[str, str], total: str, runs: list) -> None:
    """The median of each step's own time over the runs, in the order of ``labels``."""
    splits = [split for _result, split in runs]
    keys = {key for seconds, _calls in splits for key in seconds}
    median = {key: statistics.median(s[0].get(key, 0.0) for s in splits) for key in keys}
    calls = splits[-1][1]
    parts = []
    for key, label in labels.items():
        if key in median:
            many = f" ({calls.get(key, 0)} calls)" if calls.get(key, 0) > 1 else ""
            parts.append(f"{label}{many} {median[key]:.3f} s")
    rest = [k for k in median if k not in labels and k != total]
    parts += [f"{key} {median[key]:.3f} s" for key in sorted(rest)]  # a step of the other kind
    print(
        "  breakdown (medians of the runs above, each step's own time): "
        + ", ".join(parts)
        + f"; everything else {median.get(total, 0.0):.3f} s; sum"
        f" {sum(median.values()):.3f} s"
    )


def _loss(release) -> dict:
    """Information loss and hidden figures of every plan of ``release`` (see _print_loss)."""
    from analysis.disclosure import CHANGED, COMPLEMENT, SHOWN, SMALL, plan_statuses
    from wellbeing.reports import build, releases

    frozen = releases.open_release(release)
    t = frozen.tree
    top = np.flatnonzero(t.parents == 0)
    plans = {}
    for key, plan in build.plans_of(frozen).items():
        status = plan_statuses(plan)
        plans[key] = {
            "key": key,
            "loss": plan.information_loss(),
            "figures": int(status.size),
            "small": int(np.count_nonzero(status == SMALL)),
            "complement": int(np.count_nonzero(status == COMPLEMENT)),
            "changed": int(np.count_nonzero(status == CHANGED)),
            "totals": int(np.count_nonzero(plan.total_status != SMALL)),
            "totals_hidden": int(np.count_nonzero(plan.total_status > SMALL)),
            "org_total": bool(plan.total_status[0] == SHOWN),
            "top_shown": int(np.count_nonzero(plan.total_status[top] == SHOWN)),
            "top": int(top.size),
        }
    return {
        "release": f"{release.number} ({release.kind}, {release.responses:,} responses)",
        "responses": plans.pop(releases.PLAN_RESPONSES),
        "scales": [plans.pop(key) for key in frozen.data.scales if key in plans],
        "other": list(plans.values()),
    }


def _print_loss(title: str, loss: dict) -> None:
    def line(p: dict) -> str:
        return (
            f"loss {p['loss']:.2%} of {p['figures'] - p['small']:,} figures not small;"
            f" hidden as small {p['small']:,}, as complementary {p['complement']:,}, as changed"
            f" since an earlier release {p['changed']:,}; unit totals hidden although not small"
            f" {p['totals_hidden']:,} of {p['totals']:,}; organization total"
            f" {'shown' if p['org_total'] else 'HIDDEN'}, top-level units' totals shown"
            f" {p['top_shown']} of {p['top']}"
        )

    print(f"  {title}, release {loss['release']}:")
    print(f"    responses plan: {line(loss['responses'])}")
    scales = loss["scales"]
    if scales:
        each = ", ".join(f"{p['key']} {p['loss']:.2%}" for p in scales)
        shown = sum(p["org_total"] for p in scales)
        print(
            f"    scale plans ({len(scales)}): loss {_span(scales, 'loss')} ({each});"
            f" hidden as small {_span(scales, 'small', False)}, as complementary"
            f" {_span(scales, 'complement', False)}, as changed {_span(scales, 'changed', False)};"
            f" unit totals hidden although not small {_span(scales, 'totals_hidden', False)};"
            f" organization total shown in {shown} of {len(scales)}, top-level units' totals"
            f" shown {_span(scales, 'top_shown', False)} of {scales[0]['top']}"
        )
    for p in loss["other"]:
        print(f"    {p['key']} plan: {line(p)}")


def _json(value):
    # Django's SQLite and psycopg backends both hand JSON columns to Python as text.
    return json.loads(value) if isinstance(value, str | bytes) else (value or {})


def _items(answers, instrument: str, n: int):
    """One column per item (float, NaN for a blank), NaN rows where the instrument was skipped."""
    import pandas as pd

    blank = [None] * n
    return pd.DataFrame(
        [a.get(instrument) or blank for a in answers],
        index=answers.index,
        columns=range(n),
        dtype="float64",
    )


def _compare(report, results, first: int, latest: int) -> tuple[bool, float, int]:
    """Largest difference between the report's published means and pandas' means."""
    (means, change) = results
    units, categories = means[latest]
    node = {0: 0, **{row.index: row.unit.pk for row in report.units}}
    worst, compared = 0.0, 0
    for scale in report.scales:
        for index, figure in scale.by_unit.items():
            if figure.mean is not None:
                worst = max(worst, abs(figure.mean - units.at[node[index], scale.key]))
                compared += 1
        for name, by_category in scale.by_category.items():
            for category, figure in by_category.items():
                if figure.mean is not None:
                    expected = categories[name].at[(0, category), scale.key]
                    worst = max(worst, abs(figure.mean - expected))
                    compared += 1
        for index, c in enumerate(scale.unit_changes or []):
            if c.difference is not None:
                worst = max(worst, abs(c.difference - change.at[node[index], scale.key]))
                compared += 1
    return worst < 1e-9, worst, compared


def _profile(function, what: str) -> None:
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    function()
    profiler.disable()
    for order in ("cumulative", "tottime"):
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats(order).print_stats(18)
        lines = text.getvalue().splitlines()
        start = next(i for i, line in enumerate(lines) if "ncalls" in line)
        print(f"profile of {what} (cProfile adds overhead), by {order}:")
        print("\n".join(lines[start:]).rstrip())


if __name__ == "__main__":
    sys.exit(main())
