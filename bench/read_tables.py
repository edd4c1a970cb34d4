"""Benchmark reading a 100,000-row export in each text layout, and keying its rows.

The import reads every text file through ``core.tables`` (decode, choose the delimiter)
into a frame of text columns (``imports.formats.read_table``: pandas' C parser splits a
plain file's rows, the csv module any other).
This times that on a Qualtrics-style export of ``--rows`` responses (ResponseId, 15 items,
a unit name with an accented letter, a role) written four ways:

- UTF-8, comma, LF;
- UTF-8 with a byte-order mark, semicolon, CRLF (Excel "CSV UTF-8" in a European locale);
- UTF-16 little-endian with a byte-order mark, tab, CRLF (Excel "Unicode Text");
- Mac Roman, comma, CR (Excel "CSV (Macintosh)").

Baseline, in the same process: ``pandas.read_csv`` (C engine, every cell as text) of the
same text, already decoded and told its delimiter: the fastest parse of a known layout,
without the reader's decoding, sniffing or checks. The ratio is reader / baseline.

Then the response keys of those rows (``imports.keys``: a SHA-256 digest, its HMAC under
the server's secret, and the look-up against a wave's keys under every secret), against
the plain SHA-256 digests of the keys before the HMAC.

    .venv/bin/python bench/read_tables.py [--rows 100000] [--repeat 3]

Also the csv module's parse of the same file (``formats.parse_exactly``, what a file the
C parser cannot split costs), against the same baseline.

Target: each layout read in under 3 s for 100,000 rows, a tenth of the whole import's
30 s target (``import_rows.py``). Exits 0 whether or not the target is met.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

TARGET_SECONDS_PER_100K = 3.0
UNITS = [f"Unité {k:02d}" for k in range(20)]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.rows < 100:
        parser.error(f"--rows: expected at least 100, got {args.rows}")
    if args.repeat < 1:
        parser.error(f"--repeat: expected at least 1, got {args.repeat}")
    return args


def export_rows(n: int) -> list[list[str]]:
    rng = np.random.default_rng(7)
    burnout = rng.integers(1, 6, n)
    who5 = rng.integers(0, 6, (n, 5))
    phq9 = rng.integers(0, 4, (n, 9))
    units = rng.integers(0, len(UNITS), n)
    roles = np.array(["nurse", "physician", "pharmacist", "other"])[rng.integers(0, 4, n)]
    header = ["ResponseId", "burnout", *[f"who5_{k}" for k in range(1, 6)]]
    header += [*[f"phq9_{k}" for k in range(1, 10)], "unit", "role"]
    rows = [header]
    for i in range(n):
        rows.append(
            [
                f"R_{i:07d}",
                str(burnout[i]),
                *[str(v) for v in who5[i]],
                *[str(v) for v in phq9[i]],
                UNITS[units[i]],
                str(roles[i]),
            ]
        )
    return rows


def text(rows: list[list[str]], delimiter: str, line_end: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=line_end).writerows(rows)
    return out.getvalue()


LAYOUTS: dict[str, tuple[str, str, Callable[[str], bytes]]] = {
    "UTF-8, comma, LF": (",", "\n", lambda t: t.encode()),
    "UTF-8 BOM, semicolon, CRLF": (";", "\r\n", lambda t: codecs.BOM_UTF8 + t.encode()),
    "UTF-16 LE, tab, CRLF": ("\t", "\r\n", lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le")),
    "Mac Roman, comma, CR": (",", "\r", lambda t: t.encode("mac_roman")),
}


def best_of(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def read_layouts(rows: list[list[str]], repeat: int) -> bool:
    import pandas as pd

    from wellbeing.core.tables import read_text_table
    from wellbeing.surveys.imports.formats import parse_exactly, read_table

    met = True
    for name, (delimiter, line_end, encode) in LAYOUTS.items():
        decoded = text(rows, delimiter, line_end)
        content = encode(decoded)
        table = read_table(content, "export.csv")
        if table.n_rows != len(rows) - 1 or table.data["unit"].iloc[1] != rows[2][-2]:
            raise SystemExit(f"{name}: the reader did not read the rows back")
        ours = best_of(repeat, lambda content=content: read_table(content, "export.csv"))
        baseline = best_of(
            repeat,
            lambda decoded=decoded, delimiter=delimiter: pd.read_csv(
                io.StringIO(decoded),
                sep=delimiter,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                engine="c",
            ),
        )
        reading = read_text_table(content)
        exact = best_of(repeat, lambda reading=reading: parse_exactly(reading))
        met &= ours * 100_000 / (len(rows) - 1) <= TARGET_SECONDS_PER_100K
        print(
            f"{name:28s} {len(content) / 1e6:5.1f} MB: read {ours:.2f} s "
            f"({(len(rows) - 1) / ours:,.0f} rows/s), ratio {ours / baseline:.2f}x; the csv "
            f"module's parse {exact:.2f} s, ratio {exact / baseline:.2f}x; baseline "
            f"pandas.read_csv of the decoded text {baseline:.2f} s",
            flush=True,
        )
    return met


def key_rows(rows: list[list[str]], repeat: int) -> None:
    import hashlib

    from django.conf import settings

    settings.configure(SECRET_KEY="bench-" + "x" * 50, SECRET_KEY_FALLBACKS=["old-" + "y" * 50])
    from wellbeing.surveys.imports import keys

    sources = [row[0] for row in rows[1:]]
    wave_keys = set(keys.response_keys(keys.digests(1, sources[: len(sources) // 2])))

    def keyed() -> None:
        digested = keys.digests(1, sources)
        keys.already_stored(keys.response_keys(digested), digested, wave_keys)

    def unkeyed() -> None:
        [hashlib.sha256(f"1:{s}".encode()).hexdigest()[:60] for s in sources]

    ours, baseline = best_of(repeat, keyed), best_of(repeat, unkeyed)
    print(
        f"keys of {len(sources):,} rows (digest, HMAC, look-up under 2 secrets): {ours:.2f} s; "
        f"plain SHA-256 digests {baseline:.2f} s; ratio {ours / baseline:.2f}x",
        flush=True,
    )


def main() -> int:
    args = parse_args()
    rows = export_rows(args.rows)
    met = read_layouts(rows, args.repeat)
    key_rows(rows, args.repeat)
    verdict = "met" if met else "NOT met"
    print(f"target: each layout under {TARGET_SECONDS_PER_100K:.0f} s per 100,000 rows {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
