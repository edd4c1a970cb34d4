"""Benchmark the knowledge hub's search (``hub.search.search``) on 100,000 resources.

For each backend (SQLite, PostgreSQL) a fresh database is migrated and filled
with generated resources (bulk inserts, then ``indexing.rebuild()``, the same
index the app keeps): titles of 4-9 words, summaries of 20-40, bodies of
60-140, drawn from a 20,000-word synthetic vocabulary with Zipf frequencies
(the commonest word is in most resources, a rank-1,000 word in about 2%),
plus random taxonomy: kind, evidence, 0-3 elements, professions, settings,
stages, priority areas and factors.

Then 1,000 queries go through ``search(query, facets, sort, page)`` exactly
as the view calls it (facet labels, the one statement with total, facet
counts and page, the page's rows and snippets): 40% one word, 25% two
words, 20% a two-word phrase taken from a title, 15% three words; 40% with
no facet, 40% with one, 20% with two; word ranks are log-uniform between 30
and 5,000, so both common and rare words are asked for.

Baseline, in the same process on the same database: the raw full-text query
with the same terms and no facets (FTS5 ``MATCH`` ordered by bm25, or
``@@`` ordered by ts_rank, LIMIT 20), with no count, no facets, no snippets.

    .venv/bin/python bench/search.py [--resources 100000] [--queries 1000]
        [--backend sqlite|postgresql|both] [--reuse]
        [--database-url postgresql://postgres@127.0.0.1:5432/wellbeing_search_bench]

Target: p95 under 50 ms, and within 2x of the raw query. Exits 0 whether or
not the target is met (it is a measurement).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _database import child_env, recreate_database  # bench/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/wellbeing_search_bench"
VOCABULARY = 20_000
TARGET_MS = 50.0
TARGET_RATIO = 2.0
SYLLABLES = [
    "ba", "ce", "di", "fo", "gu", "ha", "je", "ki", "lo", "mu", "na", "pe", "ri", "so", "tu",
    "va", "we", "xi", "yo", "za", "bri", "cla", "dro", "fle", "gri", "plo", "sta", "tre", "vor",
    "qua", "sen", "mar", "tel", "nor", "lin", "ver", "gan", "pol", "rus", "tam",
]  # fmt: skip


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument(
        "--database-url",
        default="",
        help="PostgreSQL (dropped and re-created; its name must contain 'bench'); "
        f"with --backend postgresql or both, defaults to {DEFAULT_URL}",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="PostgreSQL: keep the database of an earlier run with the same --resources"
        " (migrated, not filled again); the queries are drawn afresh",
    )
    parser.add_argument("--child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.resources < 1_000 or args.queries < 100:
        parser.error("--resources: at least 1000; --queries: at least 100")
    if args.database_url and args.backend == "sqlite" and not args.child:
        args.backend = "both"  # a database URL asks for PostgreSQL too
    args.database_url = args.database_url or DEFAULT_URL
    return args


def run_backend(args: argparse.Namespace, backend: str) -> dict | None:
    print(f"\n== {backend} ==", flush=True)
    with tempfile.TemporaryDirectory(prefix="search-bench-") as tmp:
        env = child_env(backend, tmp, args.database_url)
        if backend == "postgresql" and not args.reuse:
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
        command += [f"--resources={args.resources}", f"--queries={args.queries}"]
        command += [f"--database-url={args.database_url}"] + (["--reuse"] if args.reuse else [])
        if subprocess.run(command, env=env, cwd=ROOT).returncode != 0:
            print(f"{backend}: the benchmark process failed", file=sys.stderr)
            return None
        return json.loads(result.read_text())


def main() -> int:
    args = parse_args()
    if args.child:
        return Child(args).run()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    results = {b: run_backend(args, b) for b in backends}
    print("\n== summary ==")
    for backend, r in results.items():
        if r is None:
            print(f"{backend}: failed")
            continue
        print(
            f"{backend}: {r['resources']:,} resources, {r['queries']:,} queries; "
            f"search p50 {r['app_p50']:.1f} ms, p95 {r['app_p95']:.1f} ms; "
            f"raw FTS p50 {r['raw_p50']:.1f} ms, p95 {r['raw_p95']:.1f} ms; "
            f"ratio p50 {r['ratio_p50']:.2f}x, p95 {r['ratio_p95']:.2f}x; target {r['verdict']}"
        )
    return 0 if all(results.values()) else 1


# -- child: one backend, one process ---------------------------------------------------------------


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Child:
    def __init__(self, args: argparse.Namespace) -> None:
        import django

        django.setup()
        self.args = args
        self.rng = random.Random(20261125)
        self.words = self._vocabulary()
        ranks = range(len(self.words))
        self.cumulative = list(_cumulative([1.0 / (r + 10) for r in ranks]))

    def _vocabulary(self) -> list[str]:
        words: set[str] = set()
        while len(words) < VOCABULARY:
            parts = self.rng.randint(2, 4)
            words.add("".join(self.rng.choice(SYLLABLES) for _ in range(parts)))
        # Sorted first: a set iterates in a per-process hash order, and the ranks must be the
        # same in every process (a --reuse run draws its queries from the same ranking).
        return sorted(sorted(words), key=lambda w: (self.rng.random(), w))

    def _text(self, low: int, high: int) -> str:
        n = self.rng.randint(low, high)
        return " ".join(self.rng.choices(self.words, cum_weights=self.cumulative, k=n))

    def generate(self) -> None:
        from django.db import transaction

        from wellbeing.hub import taxonomy
        from wellbeing.hub.models import Resource
        from wellbeing.plan.models import ModelElement, PriorityArea

        areas = list(PriorityArea.objects.values_list("pk", flat=True))
        factors = list(ModelElement.objects.exclude(kind="outcome").values_list("pk", flat=True))
        rng = self.rng
        pick = lambda values, most: rng.sample(values, rng.randint(0, most))  # noqa: E731
        area_links, factor_links = Resource.priority_areas.through, Resource.factors.through
        batch = 5_000
        for start in range(0, self.args.resources, batch):
            rows = []
            for i in range(start, min(start + batch, self.args.resources)):
                year = rng.randint(2005, 2025)
                rows.append(
                    Resource(
                        slug=f"bench-{i}",
                        title=self._text(4, 9).capitalize(),
                        kind=rng.choice(taxonomy.Kind.values),
                        summary=self._text(20, 40).capitalize() + ".",
                        body=self._text(60, 140).capitalize() + ".",
                        url=f"https://example.org/bench/{i}",
                        publisher="Synthetic benchmark data",
                        published=f"{year}-{rng.randint(1, 12):02d}",
                        elements=pick(taxonomy.Element.values, 3),
                        professions=pick(taxonomy.Profession.values, 3),
                        care_settings=pick(taxonomy.CareSetting.values, 2),
                        career_stages=pick(taxonomy.CareerStage.values, 2),
                        evidence=rng.choice(taxonomy.Evidence.values),
                        source="synthetic",
                        status=Resource.Status.PUBLISHED,
                    )
                )
            with transaction.atomic():
                made = Resource.objects.bulk_create(rows)
                area_links.objects.bulk_create(
                    area_links(resource_id=r.pk, priorityarea_id=a)
                    for r in made
                    for a in pick(areas, 2)
                )
                factor_links.objects.bulk_create(
                    factor_links(resource_id=r.pk, modelelement_id=f)
                    for r in made
                    for f in pick(factors, 2)
                )

    def queries(self) -> list[tuple[str, str, dict[str, list[str]]]]:
        from wellbeing.hub import taxonomy
        from wellbeing.hub.models import Resource
        from wellbeing.plan.models import ModelElement, PriorityArea

        values = {name: list(choices.values) for name, choices in taxonomy.ENUM_FACETS.items()}
        values["priority_area"] = list(PriorityArea.objects.values_list("slug", flat=True))
        values["factor"] = list(
            ModelElement.objects.exclude(kind="outcome").values_list("slug", flat=True)
        )
        titles = list(
            Resource.objects.order_by("?").values_list("title", flat=True)[: self.args.queries]
        )
        rng = self.rng

        def word() -> str:
            # Log-uniform rank between 30 and 5,000: common and rare words alike.
            return self.words[int(30 * (5_000 / 30) ** rng.random())]

        out = []
        for i in range(self.args.queries):
            roll = rng.random()
            if roll < 0.40:
                kind, text = "one word", word()
            elif roll < 0.65:
                kind, text = "two words", f"{word()} {word()}"
            elif roll < 0.85:
                words = titles[i % len(titles)].lower().split()
                at = rng.randrange(len(words) - 1)
                kind, text = "phrase", f'"{words[at]} {words[at + 1]}"'
            else:
                kind, text = "three words", f"{word()} {word()} {word()}"
            facets: dict[str, list[str]] = {}
            for name in rng.sample(list(values), rng.choices([0, 1, 2], [0.4, 0.4, 0.2])[0]):
                facets[name] = [rng.choice(values[name])]
            out.append((kind, text, facets))
        return out

    def run(self) -> int:
        from django.db import connection

        from wellbeing.hub.models import Resource
        from wellbeing.hub.search import indexing, search
        from wellbeing.hub.search.backends import backend
        from wellbeing.hub.search.query import parse_query

        reuse = (
            self.args.reuse
            and connection.vendor == "postgresql"
            and Resource.objects.filter(source="synthetic").count() == self.args.resources
            and not indexing.is_stale()
        )
        generated = index_s = 0.0
        indexed = self.args.resources
        if reuse:
            print("setup: reusing the resources and index of an earlier run", flush=True)
        else:
            t0 = time.perf_counter()
            self.generate()
            generated = time.perf_counter() - t0
            t0 = time.perf_counter()
            indexed = indexing.rebuild()
            index_s = time.perf_counter() - t0
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(
            f"setup: {self.args.resources:,} resources generated in {generated:.1f} s, "
            f"{indexed:,} indexed in {index_s:.1f} s",
            flush=True,
        )
        queries = self.queries()
        engine = backend()

        def raw(text: str) -> int:
            sql, params = engine.raw_sql(parse_query(text), 20)
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return len(cursor.fetchall())

        for _, text, facets in queries[:50]:  # warm caches and prepared statements
            search(text, facets)
            raw(text)
        app_ms, raw_ms, by_kind, totals = [], [], {}, []
        for kind, text, facets in queries:
            t = time.perf_counter()
            results = search(text, facets, "relevance", 1)
            app = (time.perf_counter() - t) * 1000
            t = time.perf_counter()
            raw(text)
            base = (time.perf_counter() - t) * 1000
            app_ms.append(app)
            raw_ms.append(base)
            totals.append(results.total)
            by_kind.setdefault(kind, []).append(app)
            by_kind.setdefault("with facets" if facets else "no facets", []).append(app)
        figures = {
            "resources": self.args.resources,
            "queries": len(queries),
            "app_p50": statistics.median(app_ms),
            "app_p95": _percentile(app_ms, 0.95),
            "raw_p50": statistics.median(raw_ms),
            "raw_p95": _percentile(raw_ms, 0.95),
        }
        figures["ratio_p50"] = figures["app_p50"] / figures["raw_p50"]
        figures["ratio_p95"] = figures["app_p95"] / figures["raw_p95"]
        met = figures["app_p95"] < TARGET_MS and figures["ratio_p95"] <= TARGET_RATIO
        figures["verdict"] = "met" if met else "NOT met"
        print(
            f"results per query: median {statistics.median(totals):,.0f}, "
            f"max {max(totals):,}, empty {sum(t == 0 for t in totals)} of {len(totals)}"
        )
        for kind, values in by_kind.items():
            print(
                f"  search, {kind:<12} n={len(values):>4}: p50 {statistics.median(values):6.1f} ms, "
                f"p95 {_percentile(values, 0.95):6.1f} ms"
            )
        print(
            f"search (app):  p50 {figures['app_p50']:.1f} ms, p95 {figures['app_p95']:.1f} ms\n"
            f"raw FTS query: p50 {figures['raw_p50']:.1f} ms, p95 {figures['raw_p95']:.1f} ms\n"
            f"ratio: p50 {figures['ratio_p50']:.2f}x, p95 {figures['ratio_p95']:.2f}x "
            f"(target: p95 < {TARGET_MS:.0f} ms and <= {TARGET_RATIO:.0f}x: {figures['verdict']})"
        )
        Path(self.args.result).write_text(json.dumps(figures))
        return 0


def _cumulative(weights: list[float]):
    total = 0.0
    for w in weights:
        total += w
        yield total


if __name__ == "__main__":
    raise SystemExit(main())
