"""``python -m instruments``: list, show and score instruments from the shell.

Errors are one line on stderr (``error: <file>: row <r>, column <c>: ...``)
with exit status 2, so a spreadsheet user can find the cell. Rows count as a
spreadsheet does: the header is row 1, the first response row 2. Notes (a column
matched ignoring case) and warnings (repeated ids) follow the scores on stderr.

A researcher runs this once per file, so start-up counts: CSV is read and
written with the standard library and scoring a CSV loads numpy and nothing
heavier; pandas loads only for ``.xlsx`` and ``.sav`` files, and scipy only
with the reliability statistics, which the command line does not compute.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

from instruments._catalogue import catalogue, verification_status
from instruments._cli import codes, layout, output, tables
from instruments._cli.messages import CliError, did_you_mean
from instruments._engine import score
from instruments._model import MEASURES, Instrument
from instruments._registry import registry

__all__ = ["CliError", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except CliError as error:
        message = str(error)
    except KeyError as error:
        message = str(error.args[0]) if error.args else repr(error)
    except OSError as error:
        message = f"{error.filename}: {error.strerror}" if error.filename else str(error)
    except ValueError as error:
        message = str(error)
    else:
        return 0
    # One line whatever a reader library put in its message: scripts read stderr by line.
    print(f"error: {' '.join(message.split())}", file=sys.stderr)
    return 2


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
    _score_parser(sub.add_parser("score", help="score a .csv, .xlsx or .sav file of responses"))
    return parser


def _score_parser(scoring: argparse.ArgumentParser) -> None:
    scoring.add_argument("input", type=Path, help=".csv, .xlsx or .sav file, one response a row")
    scoring.add_argument(
        "--instrument", "-i", required=True, help="an instrument id (see `list`), e.g. who5"
    )
    scoring.add_argument("-o", "--output", type=Path, help=".csv or .xlsx (default: CSV on stdout)")
    scoring.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=ITEM",
        help="rename an input column to an item id (repeatable)",
    )
    scoring.add_argument(
        "--map-file", type=Path, help="CSV of column,item rows (a header row is optional)"
    )
    scoring.add_argument(
        "--id",
        metavar="COLUMN",
        help="the respondent id column: copied first to the output; repeated ids are reported",
    )
    scoring.add_argument(
        "--keep",
        action="append",
        default=[],
        metavar="COLUMN",
        help="copy a non-item column (e.g. a unit) to the output (repeatable)",
    )
    scoring.add_argument(
        "--ignore-extra", action="store_true", help="ignore columns that are neither items nor kept"
    )
    scoring.add_argument(
        "--missing",
        action="append",
        default=[],
        metavar="VALUE",
        help="an extra code meaning 'not answered' (e.g. 99, which matches 99.0; repeatable)",
    )
    scoring.add_argument(
        "--delimiter",
        type=_delimiter,
        default=",",
        metavar="CHAR",
        help="the CSV cell separator: ',' (default), ';' or tab",
    )
    scoring.add_argument(
        "--progress",
        action="store_true",
        help="draw a progress bar even when stderr is not a terminal",
    )
    scoring.set_defaults(run=_score)


def _delimiter(value: str) -> str:
    named = {"tab": "\t", "\\t": "\t", "semicolon": ";", "comma": ","}
    delimiter = named.get(value.lower(), value)
    if len(delimiter) != 1:
        raise argparse.ArgumentTypeError(f"expected one character or 'tab', got {value!r}")
    return delimiter


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
    instrument = _instrument(args.instrument)
    if args.json:
        print(json.dumps(asdict(instrument), indent=2, ensure_ascii=False, default=str))
        return
    _print_instrument(instrument, sys.stdout)


def _instrument(instrument_id: str) -> Instrument:
    """The instrument, its id matched ignoring case; else a message naming close ids."""
    known = registry()
    by_folded = {known_id.casefold(): known_id for known_id in known}
    found = by_folded.get(instrument_id.strip().casefold())
    if found is None:
        raise CliError(
            f"unknown instrument {instrument_id!r}{did_you_mean(instrument_id, list(known))}; "
            "`python -m instruments list` shows them all"
        )
    return known[found]


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
    instrument = _instrument(args.instrument)
    if instrument.structure_only:
        raise CliError(
            f"{instrument.id} is structure only: its items are not shipped and its scores come "
            "from the licence holder, so there is nothing to score from a file"
        )
    out = output.output(args.output)
    table = tables.read(args.input, args.delimiter)
    where = layout.layout(instrument, table, layout.mapping(args, instrument), args)
    missing = codes.Missing.of(args.missing)
    ids = codes.RepeatedIds(table, where)
    draw = args.progress or sys.stderr.isatty()
    done = 0
    for chunk in table.chunks:
        found = codes.codes(instrument, table, where, chunk, missing)
        ids.add(chunk)
        kept = [(table.header[j].strip(), chunk.columns[j]) for j in where.kept]
        out.add(kept, score(instrument, found))
        done += len(chunk.numbers)
        if draw:
            _progress(done, table.rows)
    if draw:
        sys.stderr.write("\n")
    out.finish()
    for note in [*where.notes, *ids.warnings()]:
        print(note, file=sys.stderr)


def _progress(done: int, total: int, width: int = 30) -> None:
    if total:
        filled = int(width * min(done, total) / total)
        sys.stderr.write(
            f"\rscoring [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} rows"
        )
    else:
        sys.stderr.write(f"\rscoring {done:,} rows")
    sys.stderr.flush()
