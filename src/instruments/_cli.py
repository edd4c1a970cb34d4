"""``python -m instruments``: list, show and score instruments from the shell.

Errors are one line on stderr (``error: <file>: row <r>, column <c>: ...``)
with exit status 2, so a spreadsheet user can find the cell. Rows count as a
spreadsheet does: the header is row 1, the first response row 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pandas as pd

from instruments._catalogue import catalogue, verification_status
from instruments._engine import score
from instruments._model import MEASURES, Instrument
from instruments._registry import get
from instruments._result import ResponseError

CHUNK_ROWS = 50_000


class CliError(Exception):
    """A user-facing problem: printed as one line, exit status 2."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except CliError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (KeyError, ValueError) as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        print(f"error: {message}", file=sys.stderr)
        return 2
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m instruments", description=__doc__.splitlines()[0]
    )
    sub = parser.add_subparsers(required=True, metavar="{list,show,score}")
    listing = sub.add_parser("list", help="list instruments (filterable)")
    listing.add_argument("--measures", choices=MEASURES)
    listing.add_argument("--population")
    listing.add_argument(
        "--commercial", action="store_true", help="only licences allowing commercial use"
    )
    listing.add_argument("--max-items", type=int)
    listing.set_defaults(run=_list)
    show = sub.add_parser("show", help="show one instrument's definition")
    show.add_argument("instrument")
    show.add_argument("--json", action="store_true", help="the whole definition as JSON")
    show.set_defaults(run=_show)
    scoring = sub.add_parser("score", help="score a .csv, .xlsx or .sav file of responses")
    scoring.add_argument("input", type=Path)
    scoring.add_argument("--instrument", "-i", required=True)
    scoring.add_argument("-o", "--output", type=Path, help=".csv or .xlsx (default: CSV on stdout)")
    scoring.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=ITEM",
        help="rename an input column to an item id (repeatable)",
    )
    scoring.add_argument("--map-file", type=Path, help="CSV with two columns: column,item")
    scoring.add_argument(
        "--keep",
        action="append",
        default=[],
        metavar="COLUMN",
        help="copy a non-item column (e.g. a respondent id) to the output",
    )
    scoring.add_argument(
        "--ignore-extra", action="store_true", help="ignore columns that are neither items nor kept"
    )
    scoring.add_argument(
        "--missing",
        action="append",
        default=[],
        metavar="VALUE",
        help="an extra code meaning 'not answered' (e.g. 99)",
    )
    scoring.add_argument(
        "--progress",
        action="store_true",
        help="draw a progress bar even when stderr is not a terminal",
    )
    scoring.set_defaults(run=_score)
    return parser


def _list(args: argparse.Namespace) -> None:
    found = catalogue(
        measures=args.measures,
        population=args.population,
        commercial_use_allowed=True if args.commercial else None,
        max_items=args.max_items,
    )
    for instrument in found:
        items = (
            "structure only"
            if instrument.structure_only
            else f"{instrument.n_items} item{'' if instrument.n_items == 1 else 's'}"
        )
        print(
            f"{instrument.id:<20} {items:<15} {', '.join(instrument.measures):<35} {instrument.licence.commercial_use}"
        )


def _show(args: argparse.Namespace) -> None:
    instrument = get(args.instrument)
    if args.json:
        print(json.dumps(asdict(instrument), indent=2, ensure_ascii=False, default=str))
        return
    _print_instrument(instrument, sys.stdout)


def _print_instrument(instrument: Instrument, out: TextIO) -> None:
    write = out.write
    write(f"{instrument.name} [{instrument.id}] - {instrument.version}\n{instrument.description}\n")
    write(
        f"Measures: {', '.join(instrument.measures)}; populations: {', '.join(instrument.populations)}\n"
    )
    write(f"Recall period: {instrument.recall_period or 'not stated'}\n")
    licence = instrument.licence
    write(f"Licence: {licence.name} (commercial use: {licence.commercial_use})\n")
    write(f"Verification: {verification_status(instrument)}\n")
    for citation in instrument.citations:
        write(f"Citation [{citation.evidence}]: {citation.text}\n")
    write("Items:\n")
    for item in instrument.items:
        text = item.text or "(text supplied by the licensee)"
        reverse = " [reverse-keyed]" if item.reverse else ""
        write(f"  {item.id}: {text}{reverse}  codes {list(item.option_set.codes)}\n")
    write("Scales:\n")
    for scale in instrument.scales:
        write(f"  {scale.id}: {scale.name} ({scale.method}) [{scale.evidence}]\n")
    write("Cut-offs:\n")
    for cutoff in instrument.cutoffs:
        status = "verified" if cutoff.verified else "UNVERIFIED"
        bands = "; ".join(
            f"{'>' if b.exclusive else '>='}{b.lower:g}: {b.label}" for b in cutoff.bands
        )
        write(f"  {cutoff.id} on {cutoff.scale} [{status}]: {bands}\n")
    for flag in instrument.flags:
        write(f"Flag ({flag.kind}) {flag.id}: {flag.label}\n")


def _score(args: argparse.Namespace) -> None:
    instrument = get(args.instrument)
    mapping = _mapping(args)
    draw = args.progress or sys.stderr.isatty()
    total = _count_rows(args.input) if draw else 0
    frames = []
    done = 0
    for offset, chunk in _read(args.input):
        frames.append(_score_chunk(instrument, chunk, mapping, args, offset))
        done += len(chunk)
        if draw:
            _progress(done, total)
    if draw:
        sys.stderr.write("\n")
    result = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    _write(result, args.output)


def _mapping(args: argparse.Namespace) -> dict[str, str]:
    pairs: list[str] = list(args.map)
    if args.map_file:
        frame = pd.read_csv(args.map_file, dtype=str, header=None)
        pairs += [f"{row[0]}={row[1]}" for row in frame.itertuples(index=False)]
    mapping: dict[str, str] = {}
    for pair in pairs:
        column, sep, item = pair.partition("=")
        if not sep or not column or not item:
            raise CliError(f"--map: expected COLUMN=ITEM, got {pair!r}")
        mapping[column] = item
    return mapping


def _read(path: Path) -> Iterator[tuple[int, pd.DataFrame]]:
    """(first data row index, chunk of raw cells as text) pairs."""
    if not path.exists():
        raise CliError(f"{path}: file not found")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        reader = pd.read_csv(path, dtype=str, keep_default_na=False, chunksize=CHUNK_ROWS)
        offset = 0
        for chunk in reader:
            yield offset, chunk
            offset += len(chunk)
    elif suffix == ".xlsx":
        yield 0, pd.read_excel(path, dtype=str, keep_default_na=False)
    elif suffix == ".sav":
        import pyreadstat

        frame, _meta = pyreadstat.read_sav(str(path))
        yield 0, frame
    else:
        raise CliError(
            f"{path}: expected a .csv, .xlsx or .sav file, got {suffix or 'no extension'!r}"
        )


def _score_chunk(
    instrument: Instrument,
    raw: pd.DataFrame,
    mapping: dict[str, str],
    args: argparse.Namespace,
    offset: int,
) -> pd.DataFrame:
    unknown_map = [c for c in mapping if c not in raw.columns]
    if unknown_map:
        raise CliError(
            f"{args.input}: --map names column(s) not in the file: {unknown_map}; columns are {list(raw.columns)}"
        )
    frame = raw.rename(columns=mapping)
    items = set(instrument.item_ids)
    missing_items = [i for i in instrument.item_ids if i not in frame.columns]
    if missing_items:
        raise CliError(
            f"{args.input}: no column for item(s) {missing_items} of {instrument.id}; use --map COLUMN=ITEM"
        )
    extra = [c for c in frame.columns if c not in items and c not in args.keep]
    if extra and not args.ignore_extra:
        raise CliError(
            f"{args.input}: unknown column(s) {extra}; map them with --map, keep them with --keep, or pass --ignore-extra"
        )
    codes = _codes(instrument, frame, mapping, args, offset)
    try:
        scored = score(instrument, codes).to_frame()
    except ResponseError as error:
        column = _source_column(mapping, error.item)
        raise CliError(
            f"{args.input}: row {offset + error.row + 2}, column {column!r}: value {error.value!r} is not a code of item "
            f"{error.item!r} (expected one of {', '.join(map(str, error.expected))}, or empty for missing)"
        ) from error
    kept = frame[list(args.keep)].reset_index(drop=True) if args.keep else None
    return scored if kept is None else pd.concat([kept, scored], axis=1)


def _codes(
    instrument: Instrument,
    frame: pd.DataFrame,
    mapping: dict[str, str],
    args: argparse.Namespace,
    offset: int,
) -> np.ndarray[Any, np.dtype[np.int64]]:
    missing_values = {"", "nan", "NaN", "NA", *args.missing}
    codes = np.empty((len(frame), instrument.n_items), dtype=np.int64)
    for j, item_id in enumerate(instrument.item_ids):
        cells = frame[item_id].astype(str).str.strip()
        blank = cells.isin(missing_values).to_numpy()
        numbers = pd.to_numeric(cells.where(~blank), errors="coerce").to_numpy(dtype=np.float64)
        bad = ~blank & (np.isnan(numbers) | (numbers != np.round(numbers)))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            column = _source_column(mapping, item_id)
            raise CliError(
                f"{args.input}: row {offset + row + 2}, column {column!r}: value {cells.iloc[row]!r} is not a whole number"
            )
        codes[:, j] = np.where(blank, -1, np.nan_to_num(numbers, nan=-1)).astype(np.int64)
    return codes


def _source_column(mapping: dict[str, str], item_id: str) -> str:
    for column, item in mapping.items():
        if item == item_id:
            return column
    return item_id


def _count_rows(path: Path) -> int:
    if path.suffix.lower() != ".csv":
        return 0
    with path.open("rb") as handle:
        return max(
            0, sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b"")) - 1
        )


def _progress(done: int, total: int, width: int = 30) -> None:
    if total:
        filled = int(width * min(done, total) / total)
        sys.stderr.write(
            f"\rscoring [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} rows"
        )
    else:
        sys.stderr.write(f"\rscoring {done:,} rows")
    sys.stderr.flush()


def _write(result: pd.DataFrame, output: Path | None) -> None:
    if output is None:
        result.to_csv(sys.stdout, index=False)
    elif output.suffix.lower() == ".xlsx":
        result.to_excel(output, index=False)
    elif output.suffix.lower() == ".csv":
        result.to_csv(output, index=False)
    else:
        raise CliError(f"-o: expected a .csv or .xlsx file name, got {str(output)!r}")
