"""Benchmark the confidential report (``build_report``) on a large organization.

For each backend (SQLite, PostgreSQL) a fresh database is migrated and filled
through the project's actions: an organization with a 4-level unit tree (root
units > departments > teams > sub-teams, 400 units by default), a survey with
single-item-burnout, WHO-5 and PHQ-2 and the five demographic questions (role,
tenure, career stage, work setting, schedule), and two waves of 50,000 synthetic responses each (unit sizes
skewed so that some units are small and suppressed; a few respondents skip the
PHQ-2, leave a WHO-5 item blank, skip a demographic question or give no unit).

Then ``build_report(latest wave)`` runs ``--repeat`` times with fresh objects,
in three situations. A first view starts with nothing derived: no packed columns
(``WaveColumns``), no stored plans (``StoredPlan``), none kept in the process; two
``load_wave`` calls decode every JSON row and pack them, every disclosure plan is
searched. A first view after ``warm_report`` (run in the background when the wave
closes) is what a reader sees in a server process that has not built this report
yet: packed columns and stored plans in the database, nothing in memory. A view
again (the same report reopened, or with another filter) also has the plans in
memory. All three include rescoring, the unit subtree and unit x category
statistics, the change tests against the earlier wave, and the report's figures.
Key drivers are computed per reader after ``build_report`` and need a
work-environment measure, which this survey does not field, so they are not timed.
``load_wave`` is also timed on its own for a breakdown.

Baseline, in the same process and on the same database: what an analyst writes
with pandas to get the same means, without suppression or tests: read the same
rows (unit, demographics, answers) of both waves, score the three instruments
with column sums, pair each respondent with its unit and every unit above it
(``merge`` with an ancestor table), then ``groupby`` unit and unit x category,
and the change of each unit's mean. The pandas means are checked against the
report's published means.

Each backend runs in its own child process (Django's settings choose the
database once per process); this parent creates the database and migrates it.

    .venv/bin/python bench/report.py [--respondents 50000] [--units 400]
        [--backend sqlite|postgresql|both] [--repeat 3] [--profile]
        [--database-url postgresql://postgres@127.0.0.1:5432/wellbeing_report_bench]

Target: the full report in under 1.5 s on 2 cores, and within 3x of the pandas
baseline. Exits 0 whether or not the target is met (it is a measurement).
"""

from __future__ import annotations

import argparse
import contextlib
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
BATCH = 5_000  # responses per import_responses call (one transaction each)
TARGET_SECONDS = 1.5
TARGET_RATIO = 3.0
# Unit tree: root units x departments x teams, then the remaining units as sub-teams.
FANOUT = (5, 8, 5)


# -- parent: databases and child processes -------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--respondents", type=int, default=50_000, help="responses per wave")
    parser.add_argument("--units", type=int, default=400, help="units in the 4-level tree")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each measurement")
    parser.add_argument(
        "--profile", action="store_true", help="also print a cProfile of one build_report"
    )
    parser.add_argument(
        "--database-url",
        default=DEFAULT_URL,
        help="PostgreSQL: dropped and re-created; its name must contain 'bench'",
    )
    parser.add_argument("--child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args()
    minimum = sum(np.cumprod(FANOUT)) + 1
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
        print(
            f"{backend}: setup {r['setup']:.1f} s; report first view {r['first']:.3f} s"
            f" (target {r['first_verdict']}), after warm_report {r['warmed']:.3f} s"
            f" (target {r['warmed_verdict']}), viewed again {r['report']:.3f} s"
            f" (target {r['verdict']}); pandas median {r['pandas']:.3f} s, ratio (again)"
            f" {r['ratio']:.2f}x; everything else {r['other_cores']:.2f} cores"
        )
    print(f"total: {time.perf_counter() - t0:.1f} s")
    return 0 if all(results.values()) else 1


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


def _timed(function, repeat: int, before=None) -> tuple[list[float], list[float], list]:
    """Wall and process-CPU seconds of ``repeat`` calls (``before()`` untimed before each)."""
    import gc

    walls, cpus, results = [], [], []
    for _ in range(repeat):
        if before is not None:
            before()
        gc.collect()
        c0, w0 = time.process_time(), time.perf_counter()
        results.append(function())
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
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
        for depth, fanout in enumerate(FANOUT):
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

    def create_fixture(self) -> tuple[int, int]:
        from datetime import timedelta

        from django.db import transaction
        from django.utils import timezone

        from wellbeing.accounts.actions import create_organization
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
        waves = [
            actions.create_wave(
                survey=survey,
                name=f"Wave {n}",
                opens_at=now - timedelta(days=400 - 300 * n),
                closes_at=now - timedelta(days=370 - 300 * n),
            )
            for n in (1, 2)
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
            for start in range(0, len(rows), BATCH):
                actions.import_responses(
                    wave=wave,
                    rows=rows[start : start + BATCH],
                    submitted_on=wave.opens_at.date(),
                )
            print(
                f"setup: wave {number}: {len(rows):,} responses generated in {made:.1f} s, "
                f"stored with actions.import_responses in {time.perf_counter() - t1 - made:.1f} s "
                f"(batches of {BATCH:,})",
                flush=True,
            )
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
        import django

        django.setup()
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from wellbeing.surveys.models import Response, StoredPlan, Wave, WaveColumns
        from wellbeing.surveys.reports import build, plans

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
            f" 4 scales, demographic fields {', '.join(FIELDS)}",
            flush=True,
        )
        print(
            "  note: key drivers are computed per reader after build_report"
            " (surveys.reports.drivers) and need a work-environment measure this survey does"
            " not field; they are not timed here"
        )

        def report():
            return build.build_report(Wave.objects.get(pk=latest))  # looked up: Steps wraps it

        def forget() -> None:
            """A first view: no packed columns of either wave, no plans kept or stored."""
            WaveColumns.objects.all().delete()
            StoredPlan.objects.all().delete()
            plans.forget_plans()

        def new_process() -> None:
            """A first view in a server process after ``warm_report`` ran (at the wave's close):
            packed columns and stored plans in the database, nothing in this process's memory."""
            plans.forget_plans()

        def breakdown() -> tuple[dict[str, float], dict[str, int]]:
            with Steps() as steps:
                report()
            return steps.seconds, steps.calls

        def baseline():
            return self.pandas_means([first, latest], org_id)

        forget()
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            warm = report()  # not in the figures: first imports (scipy.stats), cold caches
            cold = time.perf_counter() - t0
        baseline()  # not timed either: pandas' first imports
        cpu0 = Cpu.take(database)
        f_walls, f_cpus, _ = _timed(report, repeat, before=forget)
        w_walls, w_cpus, _ = _timed(report, repeat, before=new_process)
        walls, cpus, reports = _timed(report, repeat)
        cpu1 = Cpu.take(database)
        _, _, splits = _timed(breakdown, repeat, before=forget)
        cpu2 = Cpu.take(database)
        p_walls, p_cpus, p_results = _timed(baseline, repeat)
        cpu3 = Cpu.take(database)

        median = statistics.median(walls)
        f_median = statistics.median(f_walls)
        w_median = statistics.median(w_walls)
        p_median = statistics.median(p_walls)
        split = {k: statistics.median(s[0].get(k, 0.0) for s in splits) for k in splits[0][0]}
        calls = splits[0][1]
        load = split["load"]
        grouping = statistics.median(r[1] for r in p_results)
        ratio = median / p_median
        f_ratio = f_median / p_median
        w_ratio = w_median / p_median
        rest_ratio = max(f_median - load, 0.0) / grouping

        scales = warm.scales
        units = len(warm.units) + 1
        hidden = [sum(f.suppressed for f in s.by_unit.values()) for s in scales]
        changes = sum(c.difference is not None for s in scales for c in (s.unit_changes or []))
        print(
            f"report, first view (no packed columns, no kept plans: decodes both waves' JSON"
            f" rows, packs them, plans every disclosure), {repeat} runs: {_runs(f_walls)}"
            f" (process CPU median {statistics.median(f_cpus):.3f} s; {len(queries)} queries;"
            f" the first run of the process, not counted: {cold:.3f} s)"
        )
        print(
            f"report, first view after warm_report (packed columns and stored plans in the"
            f" database, none in this process), {repeat} runs: {_runs(w_walls)}"
            f" (process CPU median {statistics.median(w_cpus):.3f} s)"
        )
        print(
            f"report, viewed again (packed columns, the same plans), {repeat} runs:"
            f" {_runs(walls)} (process CPU median {statistics.median(cpus):.3f} s)"
        )
        steps = ", ".join(
            f"{label} ({calls[key]} calls) {split[key]:.3f} s"
            for key, label in STEP_LABELS.items()
            if key in split
        )
        print(
            f"  breakdown of a first view (medians of {repeat} more runs, a timer around each step):"
            f" {steps}; everything else {split['total'] - sum(split[k] for k in TOP_STEPS):.3f} s"
        )
        print(
            f"  output: {units} units x {len(scales)} scales; suppressed unit figures per scale"
            f" {hidden} of {units}; {changes} unit changes tested; org-level figures by"
            f" {len(warm.categories)} demographic fields (the unit x category tables are computed,"
            " only their org row is kept in the Report)"
        )
        print(
            f"pandas baseline (read rows, json, score, merge ancestors, groupby unit and"
            f" unit x category, 2 waves, change), {repeat} runs: {_runs(p_walls)}"
            f" (process CPU median {statistics.median(p_cpus):.3f} s;"
            f" of which merge + groupby {grouping:.3f} s)"
        )
        agree, worst, compared = _compare(warm, p_results[0][0], first, latest)
        print(
            f"  check: pandas means {'equal' if agree else 'DIFFER FROM'} the report's published"
            f" means (max |diff| {worst:.2e} over {compared:,} figures)"
        )
        print(
            f"ratio: report / pandas = first view {f_ratio:.2f}x, after warm_report"
            f" {w_ratio:.2f}x, viewed again {ratio:.2f}x"
            f" (end to end, both from the database); first view after loading:"
            f" report {max(f_median - load, 0.0):.3f} s / pandas merge + groupby"
            f" {grouping:.3f} s = {rest_ratio:.2f}x"
        )
        seconds, own, pg, other = cpu0.until(cpu3)
        print(
            f"cpu, cores busy over the {seconds:.1f} s of timed runs ({os.cpu_count()} cores):"
            f" this process {own:.2f}, postgres (this database) {pg:.2f},"
            f" everything else {other:.2f}"
        )
        for name, (a, b) in {"report": (cpu0, cpu1), "pandas": (cpu2, cpu3)}.items():
            _, own_, pg_, other_ = a.until(b)
            print(
                f"  during the {name} runs: this process {own_:.2f}, postgres {pg_:.2f},"
                f" everything else {other_:.2f}"
            )

        def verdict_of(seconds: float, times: float) -> str:
            return "MET" if seconds < TARGET_SECONDS and times <= TARGET_RATIO else "NOT MET"

        verdict = verdict_of(median, ratio)
        f_verdict = verdict_of(f_median, f_ratio)
        w_verdict = verdict_of(w_median, w_ratio)
        print(
            f"target: full report < {TARGET_SECONDS} s and <= {TARGET_RATIO:.0f}x pandas:"
            f" first view {f_verdict} ({f_median:.3f} s, {f_ratio:.2f}x);"
            f" after warm_report {w_verdict} ({w_median:.3f} s, {w_ratio:.2f}x);"
            f" viewed again {verdict} ({median:.3f} s, {ratio:.2f}x)",
            flush=True,
        )
        del reports
        if self.args.profile:
            _profile(report)
        Path(self.args.result).write_text(
            json.dumps(
                {
                    "setup": setup,
                    "report": median,
                    "first": f_median,
                    "first_verdict": f_verdict,
                    "warmed": w_median,
                    "warmed_verdict": w_verdict,
                    "pandas": p_median,
                    "ratio": ratio,
                    "other_cores": other,
                    "verdict": verdict,
                }
            )
        )
        return 0


# Steps of build_report timed by ``Steps``: (module, function) -> key; labels in print order.
STEPS = {
    ("wellbeing.surveys.reports.build", "organization_tree"): "tree",
    ("wellbeing.surveys.reports.build", "load_wave"): "load",
    ("wellbeing.surveys.reports.data", "_score_instrument"): "rescore",
    ("wellbeing.surveys.reports.build", "_plan"): "plans",
    ("wellbeing.surveys.reports.build", "group_stats"): "stats",
    ("wellbeing.surveys.reports.build", "mean_change"): "change",
    ("wellbeing.surveys.reports.build", "rate_change"): "change",
    ("wellbeing.surveys.reports.build", "_figure"): "figures",
    ("wellbeing.surveys.reports.build", "_change"): "figures",
    ("wellbeing.surveys.reports.build", "build_report"): "total",
}
STEP_LABELS = {
    "load": "load_wave x2",
    "rescore": "(of which rescoring)",
    "plans": "disclosure plans",
    "stats": "group_stats",
    "change": "change tests",
    "figures": "Figure/Change objects",
    "tree": "unit tree",
}
TOP_STEPS = ("tree", "load", "plans", "stats", "change", "figures")  # disjoint, inside "total"


class Steps:
    """Wraps the functions of STEPS (module attributes, looked up at call time) with timers."""

    def __enter__(self) -> Steps:
        import importlib

        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self.saved = []
        for (module_name, name), key in STEPS.items():
            module = importlib.import_module(module_name)
            original = getattr(module, name)
            self.saved.append((module, name, original))
            setattr(module, name, self._timer(original, key))
        return self

    def _timer(self, original, key: str):
        def timed(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[key] = self.seconds.get(key, 0.0) + time.perf_counter() - t0
                self.calls[key] = self.calls.get(key, 0) + 1

        return timed

    def __exit__(self, *exc) -> None:
        for module, name, original in self.saved:
            setattr(module, name, original)


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


def _profile(function) -> None:
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
        print(f"profile of one build_report (cProfile adds overhead), by {order}:")
        print("\n".join(lines[start:]).rstrip())


if __name__ == "__main__":
    sys.exit(main())
