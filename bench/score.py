"""Benchmark the scoring engine on 1,000,000 synthetic responses.

Four instruments in one survey: Mini Z 2.0 (10 items), Stanford PFI (16), CBI (19)
and WHO-5 (5) = 50 items per response, int8 codes, about 0.5% missing answers
(so 2.5% to 9% of the rows of an instrument have a gap).

Prints the time of
  1. instruments.score (our engine: validation, reverse keys, missing-data rule,
     subscales, categories as band indices, flags, validity),
  2. an idiomatic pandas implementation written here (column sums/means per
     subscale on a float DataFrame with NaN for missing, pd.cut for cut-offs),
  3. the numpy lower bound: one matrix product of the 50-item response matrix
     with a scoring-weight matrix (no validation, no missing data, no reverse
     keys), as before,
  4. a numpy lower bound that handles missing answers: the same product, plus
     one product of the missing-answer mask giving the answers each scale lost
     and the -1s to add back (still no validation, rules or reverse keys),
and the ratios engine/pandas and engine/bound (both bounds), in wall time and in
CPU time (steadier on a shared machine). Each contender runs with the BLAS
thread count that suits it best (1, or the library's default), best of --repeat.

    .venv/bin/python bench/score.py [--n 1000000] [--repeat 3]

Targets: engine >= 3x pandas; engine time <= 1.5x the one-matmul bound.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_info, threadpool_limits

import instruments
from instruments import Instrument

INSTRUMENT_IDS = ("mini-z-2", "pfi", "cbi", "who5")
MISSING_RATE = 0.005
BLOCK_ROWS = 8192  # rows per product in the bounds (the fastest form measured)


def synthetic(instrument: Instrument, n: int, rng: np.random.Generator) -> np.ndarray:
    """Random valid codes per item (int8), with about MISSING_RATE answers missing."""
    codes = np.array([item.option_set.codes for item in instrument.items], dtype=np.int16)
    positions = rng.integers(0, codes.shape[1], size=(n, instrument.n_items), dtype=np.int8)
    matrix = np.take_along_axis(codes.T, positions.astype(np.intp), axis=0).astype(np.int8)
    missing = rng.random(size=matrix.shape, dtype=np.float32) < MISSING_RATE
    matrix[missing] = instruments.MISSING
    return matrix


def run_engine(blocks: dict[str, np.ndarray]) -> None:
    for instrument_id, block in blocks.items():
        instruments.score(instruments.get(instrument_id), block)


def pandas_scores(instrument: Instrument, frame: pd.DataFrame) -> pd.DataFrame:
    """What a careful analyst writes: reverse, then per-scale sum/mean with a completeness rule."""
    frame = frame.copy()
    for item in instrument.items:
        if item.reverse:
            frame[item.id] = item.option_set.min_value + item.option_set.max_value - frame[item.id]
    out = pd.DataFrame(index=frame.index)
    for scale in instrument.scales:
        columns = frame[list(scale.items)]
        complete = columns.notna().sum(axis=1) >= (scale.min_answered or len(scale.items))
        value = columns.sum(axis=1) if scale.method == "sum" else columns.mean(axis=1)
        out[scale.id] = (value * scale.multiplier).where(complete)
    for cutoff in instrument.cutoffs:
        edges = [-np.inf, *(b.lower for b in cutoff.bands[1:]), np.inf]
        right = cutoff.bands[1].exclusive  # bands closed on the left unless exclusive
        out[cutoff.id] = pd.cut(
            out[cutoff.scale], edges, right=right, labels=[b.label for b in cutoff.bands]
        )
    return out


def run_pandas(frames: dict[str, pd.DataFrame]) -> None:
    for instrument_id, frame in frames.items():
        pandas_scores(instruments.get(instrument_id), frame)


def weight_matrix(selected: list[Instrument]) -> np.ndarray:
    """Block-diagonal items x scales 0/1 matrix over the whole 50-item survey."""
    item_scales = [(i, s) for i in selected for s in i.scales if s.method in ("sum", "mean")]
    offsets = np.cumsum([0, *(i.n_items for i in selected)])
    weights = np.zeros((int(offsets[-1]), len(item_scales)), dtype=np.float32)
    start = dict(zip((i.id for i in selected), offsets, strict=False))
    for column, (instrument, scale) in enumerate(item_scales):
        rows = [int(start[instrument.id]) + instrument.item_ids.index(i) for i in scale.items]
        weights[rows, column] = 1.0
    return weights


def run_bound(matrix: np.ndarray, weights: np.ndarray) -> None:
    """One matrix product, blocked so the float conversion stays in cache."""
    out = np.empty((matrix.shape[0], weights.shape[1]), dtype=np.float32)
    for start in range(0, matrix.shape[0], BLOCK_ROWS):
        np.matmul(
            matrix[start : start + BLOCK_ROWS].astype(np.float32),
            weights,
            out=out[start : start + BLOCK_ROWS],
        )


def run_missing_bound(matrix: np.ndarray, weights: np.ndarray) -> None:
    """The product above, and one of the missing-answer mask: answers lost, -1s added back."""
    sums = np.empty((matrix.shape[0], weights.shape[1]), dtype=np.float32)
    lost = np.empty_like(sums)
    for start in range(0, matrix.shape[0], BLOCK_ROWS):
        block = matrix[start : start + BLOCK_ROWS]
        rows = slice(start, start + block.shape[0])
        np.matmul(block.astype(np.float32), weights, out=sums[rows])
        np.matmul((block < 0).astype(np.float32), weights, out=lost[rows])
        sums[rows] += lost[rows]


@dataclass(frozen=True)
class Timing:
    wall: float  # best wall time
    cpu: float  # best CPU time of this process (all its threads)
    threads: str  # BLAS threads of the best wall time


def best_of(repeat: int, work: Callable[[], None], *, blas: bool = True) -> Timing:
    """Best of ``repeat`` runs; with ``blas``, at 1 BLAS thread and at the library's default.

    On a busy 2-core machine a second BLAS thread made these small products
    10 to 40 times slower, on a quiet one it may help: each contender gets its best.
    """
    runs: list[tuple[float, float, str]] = []
    for threads in (1, None) if blas else (None,):
        with threadpool_limits(limits=threads, user_api="blas"):
            for _ in range(repeat):
                wall, cpu = time.perf_counter(), time.process_time()
                work()
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                runs.append((wall, cpu, "-" if not blas else str(threads or "default")))
    wall, _, threads = min(runs)
    return Timing(wall, min(run[1] for run in runs), threads)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    rng = np.random.default_rng(20240503)
    selected = [instruments.get(i) for i in INSTRUMENT_IDS]
    blocks = {i.id: synthetic(i, args.n, rng) for i in selected}
    matrix = np.hstack(list(blocks.values()))
    frames = {
        i.id: pd.DataFrame(
            np.where(blocks[i.id] < 0, np.nan, blocks[i.id]).astype(np.float64),
            columns=list(i.item_ids),
        )
        for i in selected
    }
    weights = weight_matrix(selected)
    blas = ", ".join(f"{p['internal_api']} {p['num_threads']} threads" for p in threadpool_info())
    print(
        f"{args.n:,} responses x {matrix.shape[1]} items ({', '.join(INSTRUMENT_IDS)}), "
        f"{(matrix < 0).mean():.2%} answers missing; BLAS default: {blas or 'none found'}; "
        f"data ready in {time.perf_counter() - started:.1f} s"
    )
    engine = best_of(args.repeat, lambda: run_engine(blocks))
    pandas = best_of(max(1, args.repeat - 1), lambda: run_pandas(frames), blas=False)
    bound = best_of(args.repeat, lambda: run_bound(matrix, weights))
    missing_bound = best_of(args.repeat, lambda: run_missing_bound(matrix, weights))
    rows = [
        ("engine (instruments.score)", engine),
        ("pandas (idiomatic baseline)", pandas),
        ("numpy bound (one matmul)", bound),
        ("numpy bound with missing", missing_bound),
    ]
    for label, timing in rows:
        print(
            f"{label:30s}{args.n / timing.wall:>12,.0f} responses/s  ({timing.wall:.3f} s wall, "
            f"{timing.cpu:.3f} s CPU, BLAS threads {timing.threads})"
        )
    ratios = (
        ("pandas time / engine time", pandas.wall / engine.wall, pandas.cpu / engine.cpu, ">= 3x"),
        ("engine time / bound time", engine.wall / bound.wall, engine.cpu / bound.cpu, "<= 1.5x"),
        (
            "engine time / missing bound",
            engine.wall / missing_bound.wall,
            engine.cpu / missing_bound.cpu,
            "none",
        ),
    )
    for label, wall, cpu, target in ratios:
        print(f"{label:30s}{wall:>11.2f}x wall  {cpu:.2f}x CPU  (target {target})")
    print(f"total wall time {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
