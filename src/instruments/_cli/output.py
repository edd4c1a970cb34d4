"""Writing the scores: CSV with the standard library, ``.xlsx`` through pandas.

Nothing is written until every row has scored, so a bad cell in row 90,000 leaves no
half-written file behind.
"""

from __future__ import annotations

import csv
import io
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from instruments._cli.messages import CliError
from instruments._result import ScoreResult

if TYPE_CHECKING:
    import pandas as pd

Column = tuple[str, Sequence[str]]
SPOOL_BYTES = 16 << 20


class Output:
    """Collects the copied columns and scores of each chunk, then writes them once."""

    def add(self, kept: list[Column], result: ScoreResult) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        raise NotImplementedError


def output(path: Path | None) -> Output:
    """Where the scores go: CSV on stdout, or a .csv or .xlsx file."""
    if path is None or path.suffix.lower() == ".csv":
        return _CsvOutput(path)
    if path.suffix.lower() == ".xlsx":
        return _ExcelOutput(path)
    raise CliError(f"-o: expected a .csv or .xlsx file name, got {str(path)!r}")


class _CsvOutput(Output):
    """Rows go to a spooled temporary file (in memory up to 16 MB, on disk beyond), copied
    to stdout or the ``-o`` file once every row has scored."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.spool = tempfile.SpooledTemporaryFile(  # noqa: SIM115 (closed by finish)
            max_size=SPOOL_BYTES, mode="w+", encoding="utf-8", newline=""
        )
        self.started = False

    def add(self, kept: list[Column], result: ScoreResult) -> None:
        columns = [*kept, *score_columns(result)]
        text = io.StringIO()  # one write to the spool per chunk, not one per row
        writer = csv.writer(text, lineterminator="\n")
        if not self.started:
            writer.writerow([name for name, _values in columns])
            self.started = True
        writer.writerows(zip(*(values for _name, values in columns), strict=True))
        self.spool.write(text.getvalue())

    def finish(self) -> None:
        with self.spool:
            self.spool.seek(0)
            if self.path is None:
                shutil.copyfileobj(self.spool, sys.stdout)
                return
            with self.path.open("w", encoding="utf-8", newline="") as handle:
                shutil.copyfileobj(self.spool, handle)


class _ExcelOutput(Output):
    def __init__(self, path: Path) -> None:
        self.path = path
        self.frames: list[pd.DataFrame] = []

    def add(self, kept: list[Column], result: ScoreResult) -> None:
        import pandas as pd

        copied = pd.DataFrame({name: list(values) for name, values in kept})
        self.frames.append(pd.concat([copied, result.to_frame()], axis=1))

    def finish(self) -> None:
        import pandas as pd

        pd.concat(self.frames, ignore_index=True).to_excel(self.path, index=False)


def score_columns(result: ScoreResult) -> list[Column]:
    """The score columns as CSV text, named as :meth:`ScoreResult.to_frame` names them.

    ``<instrument>.<scale>``, ``<instrument>.valid``, ``<instrument>.<cut-off>`` (the band
    label) with ``__unverified`` appended when the definition says ``verified = false``,
    and ``<instrument>.flag.<flag>``: the rule docs/instruments.md states.
    """
    prefix = result.instrument_id
    columns: list[Column] = [(f"{prefix}.{s}", _numbers(v)) for s, v in result.scales.items()]
    columns.append((f"{prefix}.valid", _booleans(result.valid)))
    for cutoff_id, labels in result.categories.items():
        suffix = "" if result.category_verified[cutoff_id] else "__unverified"
        texts = ["" if label is None else str(label) for label in labels.tolist()]
        columns.append((f"{prefix}.{cutoff_id}{suffix}", texts))
    columns += [(f"{prefix}.flag.{f}", _booleans(raised)) for f, raised in result.flags.items()]
    return columns


def _numbers(values: NDArray[np.float64]) -> list[str]:
    """Shortest round-trip text (12.0, 2.3333333333333335) as pandas writes; NaN empty."""
    return ["" if value != value else repr(value) for value in values.tolist()]


def _booleans(values: NDArray[np.bool_]) -> list[str]:
    return ["True" if value else "False" for value in values.tolist()]
