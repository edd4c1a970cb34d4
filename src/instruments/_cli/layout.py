"""Which column of a response file holds each item, the id and the copied columns.

Names match exactly, else ignoring case when one column matches (with a note, since a
spreadsheet tool may have changed the case); a name that matches nothing gets the
close names in its message.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from instruments._cli.messages import CliError, did_you_mean, letter, some
from instruments._cli.tables import Table, read_map
from instruments._model import Instrument


class Header:
    """Finds a column by name: exactly, else ignoring case when one column matches."""

    def __init__(self, table: Table) -> None:
        self.source = table.name
        self.names = [name.strip() for name in table.header]
        self.notes: list[str] = []

    def positions(self, name: str) -> list[int]:
        exact = [j for j, column in enumerate(self.names) if column == name]
        if exact:
            return exact
        folded = name.casefold()
        return [j for j, column in enumerate(self.names) if column.casefold() == folded]

    def only(self, name: str, found: list[int]) -> int:
        """The one column of ``found``; two columns for one name are an error."""
        if len(found) > 1:
            where = ", ".join(f"{self.names[j]!r} in column {letter(j)}" for j in found)
            raise CliError(
                f"{self.source}: column {name!r} appears {len(found)} times ({where}); "
                "rename or delete all but one"
            )
        actual = self.names[found[0]]
        if actual != name and actual.casefold() == name.casefold():
            self.notes.append(
                f"note: {self.source}: column {actual!r} read as {name!r} "
                "(the names differ only in case)"
            )
        return found[0]

    def find(self, name: str, option: str) -> int:
        found = self.positions(name.strip())
        if not found:
            raise CliError(
                f"{self.source}: {option} {name!r} is not a column of the file"
                f"{did_you_mean(name, self.names)}; its columns are {some(self.names)}"
            )
        return self.only(name.strip(), found)


@dataclass(frozen=True)
class Layout:
    """Where each item and each copied column is in the file."""

    items: list[int]  # column index per item, in the instrument's item order
    kept: list[int]  # the id column first, then --keep columns
    id_column: int | None
    notes: list[str]


def layout(
    instrument: Instrument, table: Table, mapping: dict[str, str], args: argparse.Namespace
) -> Layout:
    header = Header(table)
    items = _item_columns(instrument, header, mapping)
    id_column = header.find(args.id, "--id") if args.id else None
    kept = [] if id_column is None else [id_column]
    for name in args.keep:
        j = header.find(name, "--keep")
        if j not in kept:
            kept.append(j)
    extra = [n for j, n in enumerate(header.names) if j not in {*items.values(), *kept}]
    if extra and not args.ignore_extra:
        raise CliError(
            f"{table.name}: unknown column(s) {some(extra)}; map them with --map, keep them "
            "with --keep, or pass --ignore-extra"
        )
    return Layout([items[i] for i in instrument.item_ids], kept, id_column, header.notes)


def _item_columns(
    instrument: Instrument, header: Header, mapping: dict[str, str]
) -> dict[str, int]:
    """Item id -> column: mapped columns, then columns named after an item."""
    sources: dict[str, list[int]] = {item_id: [] for item_id in instrument.item_ids}
    for column, item_id in mapping.items():
        sources[item_id].append(header.find(column, "--map column"))
    mapped = {j for found in sources.values() for j in found}
    for item_id in instrument.item_ids:
        sources[item_id] += [j for j in header.positions(item_id) if j not in mapped]
    for item_id, found in sources.items():
        if len(found) > 1 and any(j in mapped for j in found):
            names = " and ".join(repr(header.names[j]) for j in found)
            raise CliError(
                f"{header.source}: item {item_id!r} would come from two columns, {names}; "
                "delete one or map it to another item"
            )
    found_items = {i: header.only(i, found) for i, found in sources.items() if found}
    absent = [i for i in instrument.item_ids if i not in found_items]
    if absent:
        unused = [n for j, n in enumerate(header.names) if j not in found_items.values()]
        raise CliError(
            f"{header.source}: no column for item(s) {absent} of {instrument.id}"
            f"{did_you_mean(absent[0], unused)}; use --map COLUMN=ITEM"
        )
    return found_items


def mapping(args: argparse.Namespace, instrument: Instrument) -> dict[str, str]:
    """Column name -> item id, from --map and --map-file; item ids are checked here."""
    entries: list[tuple[str, str, str]] = []  # (where it was given, column, item)
    for pair in args.map:
        column, sep, item = pair.partition("=")
        if not sep or not column.strip() or not item.strip():
            raise CliError(f"--map: expected COLUMN=ITEM, got {pair!r}")
        entries.append((f"--map {pair!r}", column.strip(), item.strip()))
    if args.map_file:
        entries += _map_file(args.map_file, instrument)
    found: dict[str, str] = {}
    for where, column, item in entries:
        item_id = _item_id(instrument, item, where)
        if found.setdefault(column, item_id) != item_id:
            raise CliError(f"{where}: column {column!r} is already mapped to {found[column]!r}")
    return found


def _map_file(path: Path, instrument: Instrument) -> list[tuple[str, str, str]]:
    """column,item rows. A first row that names no item (such as ``column,item``) is a header."""
    items = {item_id.casefold() for item_id in instrument.item_ids}
    entries: list[tuple[str, str, str]] = []
    first = True
    for number, record in enumerate(read_map(path), start=1):
        cells = [cell.strip() for cell in record]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        if len(cells) != 2 or not all(cells):
            raise CliError(f"{path}: row {number}: expected two cells, column,item; got {record}")
        if not (first and cells[1].casefold() not in items):
            entries.append((f"{path}: row {number}", cells[0], cells[1]))
        first = False
    return entries


def _item_id(instrument: Instrument, item: str, where: str) -> str:
    by_folded = {item_id.casefold(): item_id for item_id in instrument.item_ids}
    found = by_folded.get(item.casefold())
    if found is None:
        raise CliError(
            f"{where}: {item!r} is not an item of {instrument.id}"
            f"{did_you_mean(item, instrument.item_ids)}; its items are "
            f"{', '.join(instrument.item_ids)}"
        )
    return found
