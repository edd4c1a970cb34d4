"""Benchmark the start-up of ``python -m instruments``.

A researcher runs the command line once per file, so its start-up is what they wait for.
Prints the median wall time of ``--repeat`` runs of

  1. ``python -c pass`` (the baseline: the interpreter alone),
  2. ``python -c "import numpy"`` (the floor: the scoring engine needs numpy),
  3. ``python -m instruments --help``,
  4. ``python -m instruments score`` of a 100-row WHO-5 CSV with a respondent column,

each with its ratio to the baseline measured in the same run, the median CPU time of the
child process (steadier than wall time on a shared machine) and the heavy packages each
command imported (from ``-X importtime``).

    .venv/bin/python bench/cli.py [--repeat 5] [--rows 100]

Target: ``--help`` and the 100-row scoring run each under 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HEAVY = ("numpy", "pandas", "scipy", "pingouin", "pyreadstat", "openpyxl")
TARGET_SECONDS = 0.5


def write_responses(path: Path, rows: int) -> None:
    """A WHO-5 export: respondent id and five codes 0-5, about 1% left empty."""
    rng = np.random.default_rng(24)
    codes = rng.integers(0, 6, size=(rows, 5))
    lines = ["respondent,who5_1,who5_2,who5_3,who5_4,who5_5"]
    for n, row in enumerate(codes, start=1):
        cells = ["" if rng.random() < 0.01 else str(code) for code in row]
        lines.append(f"r{n:05d},{','.join(cells)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def median_seconds(command: list[str], repeat: int) -> tuple[float, float]:
    """Median wall time and median CPU time (user + system) of ``repeat`` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        before = _children_cpu()
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - start)
        cpus.append(_children_cpu() - before)
    return statistics.median(walls), statistics.median(cpus)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def heavy_imports(command: list[str]) -> list[str]:
    """Top-level heavy packages the command imports, read from ``-X importtime``."""
    done = subprocess.run(
        [command[0], "-X", "importtime", *command[1:]],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    names = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    return [name for name in HEAVY if name in names]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rows", type=int, default=100)
    args = parser.parse_args()
    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "who5.csv"
        write_responses(data, args.rows)
        scoring = [python, "-m", "instruments", "score", "-i", "who5", str(data)]
        scoring += ["--id", "respondent", "-o", str(Path(tmp) / "out.csv")]
        commands = {
            "python -c pass (baseline)": [python, "-c", "pass"],
            "python -c 'import numpy'": [python, "-c", "import numpy"],
            "python -m instruments --help": [python, "-m", "instruments", "--help"],
            f"score, {args.rows} rows": scoring,
        }
        baseline = None
        print(f"median of {args.repeat} runs each; os.getloadavg() = {os.getloadavg()}")
        for label, command in commands.items():
            seconds, cpu = median_seconds(command, args.repeat)
            baseline = baseline or seconds
            loaded = ", ".join(heavy_imports(command)) or "none"
            verdict = "" if label.startswith("python -c") else _verdict(seconds)
            print(
                f"{label:<30} {seconds:6.3f} s {seconds / baseline:6.1f}x baseline"
                f"  cpu {cpu:6.3f} s  imports: {loaded}{verdict}"
            )


def _verdict(seconds: float) -> str:
    met = "met" if seconds < TARGET_SECONDS else "NOT met"
    return f"  (target < {TARGET_SECONDS} s: {met})"


if __name__ == "__main__":
    main()
