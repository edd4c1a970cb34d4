"""Plan a unit tree from a CSV or XLSX file: what an import would create, and what is wrong.

Two layouts are read:

- a column per level ("Division, Department, Team"): each row is a path from the top,
  blank cells at its end for a shorter path;
- two columns named ``unit`` and ``parent``: a blank parent is the top level, and a parent
  is found among the file's units or the organization's existing ones, by name.

Names are matched ignoring case and repeated spaces, so importing the same file twice
creates nothing the second time. Planning writes nothing: the dry run shows the plan and
its row errors, and only a confirmed plan (``signed_plan`` / ``paths_from``) is applied
by ``actions.import_units``, which checks every path again.

The file is read from memory only (``core.uploads.MemoryOnlyUploadHandler``): an upload never touches disk.
A text file is read by the project's text-table reader (``core.tables``): UTF-8, UTF-16,
Windows-1252 or Mac Roman; CR, LF or CRLF line ends; comma, semicolon, tab or ``|``.
"""

import io
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core import signing

from wellbeing.accounts.models import Organization, Unit
from wellbeing.core.tables import UnreadableText, read_text_table

MAX_BYTES = 1024 * 1024
MAX_ROWS = 2000
MAX_LEVELS = 20
MAX_NAME = 200
PLAN_MAX_AGE = 3600  # seconds a dry run may be confirmed after
_SALT = "wellbeing.accounts.unit_import"

Path = tuple[str, ...]


class ImportFileError(ValueError):
    """The file cannot be read as a table of units; the message says why, for a person."""


@dataclass(frozen=True)
class RowError:
    row: int  # as a spreadsheet numbers it: the header is row 1
    message: str


@dataclass(frozen=True)
class PlannedUnit:
    path: Path  # names from the top level down
    existing: bool
    retired: bool = False

    @property
    def name(self) -> str:
        return self.path[-1]

    @property
    def depth(self) -> int:
        return len(self.path) - 1


@dataclass
class Plan:
    units: list[PlannedUnit] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    layout: str = ""

    @property
    def new_count(self) -> int:
        return sum(not u.existing for u in self.units)

    @property
    def existing_count(self) -> int:
        return sum(u.existing for u in self.units)

    @property
    def paths(self) -> list[Path]:
        return [u.path for u in self.units]


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _tidy(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


# --- Reading the file ---------------------------------------------------------------------


def read_rows(content: bytes, filename: str) -> list[list[str]]:
    """The file's rows (the header first) as tidy text cells; ``ImportFileError`` if unreadable."""
    if not content:
        raise ImportFileError("The file is empty.")
    if len(content) > MAX_BYTES:
        raise ImportFileError(f"The file is larger than {MAX_BYTES // 1024} KB.")
    ext = os.path.splitext(filename.lower())[1]
    if ext in (".csv", ".txt", ".tsv"):
        rows = _read_csv(content)
    elif ext == ".xlsx":
        rows = _read_xlsx(content)
    else:
        raise ImportFileError(f"Expected a .csv or .xlsx file, got “{filename}”.")
    if not rows or not any(rows[0]):
        raise ImportFileError("The file has no header row.")
    return rows


def _bounded(rows: Iterable[Sequence[object]]) -> list[list[str]]:
    kept: list[list[str]] = []
    for row in rows:
        if len(kept) > MAX_ROWS:
            raise ImportFileError(
                f"The file has more than {MAX_ROWS:,} rows: import at most {MAX_ROWS:,} units at a time."
            )
        kept.append([_tidy(v) for v in row[: MAX_LEVELS + 1]])
    return kept


def _read_csv(content: bytes) -> list[list[str]]:
    try:
        return _bounded(read_text_table(content).records())
    except UnreadableText as error:
        raise ImportFileError(str(error)) from error


def _read_xlsx(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError("The file cannot be read as an Excel workbook (.xlsx).") from error
    try:
        return _bounded(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()


# --- Planning -------------------------------------------------------------------------------


class _Existing:
    """The organization's units by their path of names (ignoring case)."""

    def __init__(self, organization: Organization) -> None:
        units = list(Unit.objects.filter(organization=organization).order_by("path"))
        names: dict[int, Path] = {}
        self.by_path: dict[Path, Unit] = {}
        self.by_name: dict[str, list[Unit]] = defaultdict(list)
        for unit in units:  # ordered by path: a parent comes before its children
            parent = names.get(unit.parent_id, ()) if unit.parent_id else ()
            names[unit.pk] = (*parent, unit.name)
            self.by_path[tuple(_key(n) for n in names[unit.pk])] = unit
            self.by_name[_key(unit.name)].append(unit)
        self.names = names


def plan_file(organization: Organization, content: bytes, filename: str) -> Plan:
    """The dry run of importing the file: nothing is written."""
    rows = read_rows(content, filename)
    header = [c.casefold() for c in rows[0] if c]
    existing = _Existing(organization)
    if sorted(header) == ["parent", "unit"] and len(rows[0]) >= 2:
        paths, errors = _pair_paths(rows, existing)
        layout = "unit, parent"
    else:
        if len([c for c in rows[0] if c]) > MAX_LEVELS:
            raise ImportFileError(f"The file has more than {MAX_LEVELS} level columns.")
        paths, errors = _level_paths(rows)
        layout = ", ".join(c for c in rows[0] if c)
    plan = _plan(paths, existing)
    plan.errors = sorted(errors + plan.errors, key=lambda e: e.row)
    plan.layout = layout
    return plan


def plan_paths(organization: Organization, paths: Iterable[Path]) -> Plan:
    """The plan of a confirmed dry run, checked again against the tree as it is now."""
    return _plan([(0, tuple(p)) for p in paths], _Existing(organization))


def _level_paths(rows: list[list[str]]) -> tuple[list[tuple[int, Path]], list[RowError]]:
    width = len(rows[0])
    levels = rows[0]
    paths: list[tuple[int, Path]] = []
    errors: list[RowError] = []
    seen: dict[Path, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        cells = (row + [""] * width)[:width]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue  # a blank row
        if "" in cells:
            level = levels[cells.index("")] or f"column {cells.index('') + 1}"
            errors.append(
                RowError(number, f"The “{level}” name is blank, but a later column is not.")
            )
            continue
        if any(len(c) > MAX_NAME for c in cells):
            errors.append(RowError(number, f"A name is longer than {MAX_NAME} characters."))
            continue
        key = tuple(_key(c) for c in cells)
        if key in seen:
            errors.append(RowError(number, f"This row repeats row {seen[key]}."))
            continue
        seen[key] = number
        paths.append((number, tuple(cells)))
    return paths, errors


def _pair_paths(
    rows: list[list[str]], existing: _Existing
) -> tuple[list[tuple[int, Path]], list[RowError]]:
    header = [c.casefold() for c in rows[0]]
    at_unit, at_parent = header.index("unit"), header.index("parent")
    errors: list[RowError] = []
    declared: dict[str, list[int]] = defaultdict(list)
    entries: dict[int, tuple[str, str]] = {}
    seen: dict[tuple[str, str], int] = {}
    for number, row in enumerate(rows[1:], start=2):
        cells = row + [""] * (len(header) - len(row))
        unit, parent = cells[at_unit], cells[at_parent]
        if not unit and not parent:
            continue  # a blank row
        if not unit:
            errors.append(RowError(number, "The unit's name is blank."))
            continue
        if len(unit) > MAX_NAME:
            errors.append(RowError(number, f"The name is longer than {MAX_NAME} characters."))
            continue
        pair = (_key(unit), _key(parent))
        if pair in seen:
            errors.append(RowError(number, f"This row repeats row {seen[pair]}."))
            continue
        seen[pair] = number
        declared[_key(unit)].append(number)
        entries[number] = (unit, parent)
    resolver = _PairResolver(entries, declared, existing)
    paths = []
    for number in entries:
        try:
            paths.append((number, resolver.path(number, ())))
        except _RowProblem as problem:
            errors.append(RowError(number, str(problem)))
    return paths, errors


class _RowProblem(ValueError):
    pass


class _PairResolver:
    """The path of each "unit, parent" row: its parent found in the file or the organization."""

    def __init__(
        self,
        entries: dict[int, tuple[str, str]],
        declared: dict[str, list[int]],
        existing: _Existing,
    ) -> None:
        self.entries, self.declared, self.existing = entries, declared, existing
        self.done: dict[int, Path] = {}

    def path(self, number: int, visiting: tuple[int, ...]) -> Path:
        if number in self.done:
            return self.done[number]
        if number in visiting:
            raise _RowProblem("The unit is its own parent, directly or through other rows.")
        if len(visiting) >= MAX_LEVELS:
            raise _RowProblem(f"The unit is more than {MAX_LEVELS} levels deep.")
        unit, parent = self.entries[number]
        self.done[number] = (*self._parent_path(parent, (*visiting, number)), unit)
        return self.done[number]

    def _parent_path(self, parent: str, visiting: tuple[int, ...]) -> Path:
        if not parent:
            return ()
        rows = self.declared.get(_key(parent), [])
        if len(rows) > 1:
            listed = ", ".join(str(r) for r in rows)
            raise _RowProblem(
                f"The parent “{parent}” is ambiguous: it is listed as a unit on rows {listed}."
            )
        if rows:
            try:
                return self.path(rows[0], visiting)
            except _RowProblem as problem:
                if "own parent" in str(problem):
                    raise
                raise _RowProblem(f"The parent “{parent}” (row {rows[0]}) has an error.") from None
        found = self.existing.by_name.get(_key(parent), [])
        if not found:
            raise _RowProblem(f"The parent “{parent}” is not in the file or the organization.")
        if len(found) > 1:
            raise _RowProblem(
                f"The parent “{parent}” is ambiguous: {len(found)} units have that name."
                " Use a column per level to say which."
            )
        return self.existing.names[found[0].pk]


def _plan(paths: list[tuple[int, Path]], existing: _Existing) -> Plan:
    """Every path and its ancestors, each marked new or existing (a retired one is an error)."""
    plan = Plan()
    spelled: dict[Path, Path] = {}  # key -> the names as first written
    rows: dict[Path, int] = {}
    for number, path in paths:
        for end in range(1, len(path) + 1):
            key = tuple(_key(n) for n in path[:end])
            parent = spelled.get(key[:-1], ())
            spelled.setdefault(key, (*parent, path[end - 1]))
            rows.setdefault(key, number)
    for key in sorted(spelled):
        unit = existing.by_path.get(key)
        names = existing.names[unit.pk] if unit else spelled[key]
        retired = unit is not None and unit.is_retired
        if unit is not None and retired:
            plan.errors.append(
                RowError(rows[key], f"“{unit.name}” is a retired unit: restore it first.")
            )
        plan.units.append(PlannedUnit(names, existing=unit is not None, retired=retired))
    return plan


# --- Carrying a dry run to its confirmation ------------------------------------------------


def signed_plan(organization: Organization, plan: Plan) -> str:
    """The dry run's paths, signed: the confirmation applies what was shown, nothing else."""
    return signing.dumps({"o": organization.pk, "p": plan.paths}, salt=_SALT, compress=True)


def paths_from(organization: Organization, signed: str) -> list[Path]:
    """The paths of a signed dry run of ``organization``; ``ImportFileError`` if not valid."""
    try:
        data = signing.loads(signed, salt=_SALT, max_age=PLAN_MAX_AGE)
    except signing.SignatureExpired:
        raise ImportFileError(
            "This dry run is more than an hour old: upload the file again."
        ) from None
    except signing.BadSignature:
        raise ImportFileError("This dry run cannot be read: upload the file again.") from None
    if not isinstance(data, dict) or data.get("o") != organization.pk:
        raise ImportFileError("This dry run is of another organization: upload the file again.")
    return [tuple(str(n) for n in p) for p in data.get("p", [])]
