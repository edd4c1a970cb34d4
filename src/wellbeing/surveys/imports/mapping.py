"""From a table's columns to answers, units and demographics, with row-level errors.

The checks run column by column on whole arrays (pandas/numpy), never row by row in
Python, so 100,000 rows validate in well under a second per column. Every error names
the row as the spreadsheet shows it (the header is row 1), the column, the value as the
file holds it, and why it was refused.
"""

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from wellbeing.accounts.models import Unit
from wellbeing.surveys.imports.formats import Table
from wellbeing.surveys.questions import DEMOGRAPHICS
from wellbeing.surveys.scoring import MISSING, get_instrument

MAX_ERRORS_SHOWN = 500
RULE = re.compile(
    r"^\s*(?:(?P<column>[^:=]+?)\s*:\s*)?(?P<source>[^=]*?)\s*=\s*(?P<target>.*?)\s*$"
)


@dataclass
class Mapping:
    """What each column means. ``items``: instrument -> a column per item ("" = not in the file)."""

    items: dict[str, list[str]] = field(default_factory=dict)
    key_columns: list[str] = field(default_factory=list)
    unit_column: str = ""
    demographics: dict[str, str] = field(default_factory=dict)  # field -> column
    # Lines "source = target" for every column, or "column: source = target" for one.
    recode: str = ""

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "Mapping":
        return cls(
            items={k: list(v) for k, v in (data.get("items") or {}).items()},
            key_columns=list(data.get("key_columns") or []),
            unit_column=data.get("unit_column") or "",
            demographics=dict(data.get("demographics") or {}),
            recode=data.get("recode") or "",
        )

    def columns(self) -> list[str]:
        """Every column the mapping reads: the only columns an import keeps of a file."""
        used = [c for cols in self.items.values() for c in cols]
        used += [self.unit_column, *self.demographics.values(), *self.key_columns]
        return list(dict.fromkeys(c for c in used if c))

    def fingerprint(self, content_sha256: str) -> str:
        """The same file with the same mapping: the same import.

        Built on the file's SHA-256 rather than its bytes, so it can be computed again
        (a changed mapping, the import itself) after the uploaded bytes were dropped.
        """
        digest = hashlib.sha256(content_sha256.encode())
        digest.update(json.dumps(self.to_json(), sort_keys=True).encode())
        return digest.hexdigest()


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    why: str


@dataclass
class Checked:
    """The validated rows: everything ``run`` needs to store them, or the errors."""

    n_rows: int
    errors: list[RowError]
    error_count: int
    error_rows: int
    keys: list[str] = field(default_factory=list)
    unit_ids: list[int | None] = field(default_factory=list)
    answers: dict[str, np.ndarray] = field(default_factory=dict)  # instrument -> int16 codes
    demographics: dict[str, np.ndarray] = field(default_factory=dict)  # field -> str keys ("" none)

    @property
    def ok(self) -> bool:
        return self.error_count == 0 and self.n_rows > 0


def parse_rules(text: str, columns: list[str]) -> tuple[dict[str, dict[str, str]], list[str]]:
    """Recoding rules by column ("*" for every column), and a message per line not understood."""
    rules: dict[str, dict[str, str]] = {}
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.strip().startswith("#"):
            continue
        match = RULE.match(line)
        if match is None or not match["source"]:
            problems.append(
                f"Recoding line {number}: expected “value = code”, got “{line.strip()}”."
            )
            continue
        column = (match["column"] or "*").strip()
        if column != "*" and column not in columns:
            problems.append(f"Recoding line {number}: there is no column “{column}” in the file.")
            continue
        rules.setdefault(column, {})[match["source"].strip().casefold()] = match["target"]
    return rules, problems


class _Errors:
    def __init__(self, header_lines: int) -> None:
        self.offset = header_lines + 1
        self.parts: list[tuple[np.ndarray, str, np.ndarray, str]] = []

    def add(self, bad: np.ndarray, column: str, values: np.ndarray, why: str) -> None:
        rows = np.flatnonzero(bad)
        if len(rows):
            self.parts.append((rows, column, values[rows], why))

    def collect(self) -> tuple[list[RowError], int, int]:
        total = sum(len(rows) for rows, *_ in self.parts)
        bad_rows = len(np.unique(np.concatenate([p[0] for p in self.parts]))) if self.parts else 0
        shown = []
        for rows, column, values, why in self.parts:
            for r, v in zip(rows[:MAX_ERRORS_SHOWN], values[:MAX_ERRORS_SHOWN], strict=True):
                shown.append(RowError(int(r) + self.offset, column, str(v), why))
        shown.sort(key=lambda e: (e.row, e.column))
        return shown[:MAX_ERRORS_SHOWN], total, bad_rows


def _distinct(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A column's distinct values and each row's index into them."""
    inverse, distinct = pd.factorize(pd.Series(raw), sort=False)
    return np.asarray(distinct, dtype=str), np.asarray(inverse, dtype=np.int64)


def _recoded(
    values: np.ndarray, column: str, rules: dict, labels: dict[str, str], extra: dict
) -> np.ndarray:
    """``values`` with the column's rules applied (by value, or by its SPSS value label)."""
    table = {**extra, **rules.get("*", {}), **rules.get(column, {})}
    if not table:
        return values
    series = pd.Series(values)
    folded = series.str.strip().str.casefold()
    out = folded.map(table)
    if labels:
        by_label = series.map(labels).str.casefold().map(table)
        out = out.fillna(by_label)
    return np.where(out.isna(), values, out.astype(object)).astype(str)


def check(
    table: Table,
    mapping: Mapping,
    *,
    wave_instruments: list[str],
    wave_demographics: list[str],
    units: list[Unit],
    fingerprint: str,
    wave_id: int,
) -> Checked:
    n = table.n_rows
    errors = _Errors(table.header_lines)
    columns = set(table.columns)
    rules, problems = parse_rules(mapping.recode, table.columns)
    problems += _rules_on_unmapped_columns(rules, mapping)
    if problems:
        raise ValueError(" ".join(problems))
    _check_mapping(mapping, columns, wave_instruments, wave_demographics)
    data = table.data
    answers = {}
    answered_any = np.zeros(n, dtype=bool)
    for instrument_id, item_columns in mapping.items.items():
        if not any(item_columns):
            continue
        instrument = get_instrument(instrument_id)
        codes = np.full((n, instrument.n_items), MISSING, dtype=np.int16)
        for j, (item, column) in enumerate(zip(instrument.items, item_columns, strict=True)):
            if not column:
                continue
            raw = data[column].to_numpy(dtype=str)
            # Checked once per distinct value (a few per column), then spread to the rows.
            distinct, inverse = _distinct(raw)
            by_label = {o.label.casefold(): str(o.code) for o in item.option_set.options if o.label}
            values = _recoded(distinct, column, rules, table.value_labels.get(column, {}), by_label)
            blank = (np.char.str_len(np.char.strip(values)) == 0)[inverse]
            numbers = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy()
            valid_distinct = np.isin(numbers, np.asarray(item.option_set.codes, dtype=float))
            valid = valid_distinct[inverse]
            bad = ~blank & ~valid
            allowed = ", ".join(str(c) for c in item.option_set.codes)
            errors.add(
                bad,
                column,
                raw,
                f"expected one of {allowed} for {instrument.name} item {j + 1} (or a label recoded to one)",
            )
            ok = valid & ~blank
            codes[ok, j] = np.where(valid_distinct, numbers, 0).astype(np.int16)[inverse][ok]
            answered_any |= ok
        answers[instrument_id] = codes
    if answers:
        nothing = ~answered_any
        errors.add(
            nothing,
            "(all items)",
            np.full(n, "", dtype=object),
            "the row answers none of the mapped items",
        )
    unit_ids = _units(data, mapping, units, errors, n)
    demographics = _demographics(data, mapping, rules, table.value_labels, errors, n)
    keys = _keys(data, mapping, errors, n, fingerprint, wave_id)
    shown, total, bad_rows = errors.collect()
    return Checked(n, shown, total, bad_rows, keys, unit_ids, answers, demographics)


def _rules_on_unmapped_columns(rules: dict[str, dict[str, str]], mapping: Mapping) -> list[str]:
    """A rule may name only a mapped column: the others are not kept for the import."""
    mapped = set(mapping.columns())
    return [
        f"Recoding rules name the column “{column}”, which is not mapped; map it or remove them."
        for column in rules
        if column != "*" and column not in mapped
    ]


def _check_mapping(
    mapping: Mapping, columns: set[str], instruments: list[str], fields: list[str]
) -> None:
    if not any(any(c for c in cols) for cols in mapping.items.values()):
        raise ValueError("Map at least one column to an instrument item.")
    for instrument_id, cols in mapping.items.items():
        if instrument_id not in instruments:
            raise ValueError(f"The wave does not ask {instrument_id}.")
        if len(cols) != get_instrument(instrument_id).n_items:
            raise ValueError(f"{instrument_id}: expected a column (or none) for each item.")
    missing = sorted({c for c in mapping.columns() if c not in columns})
    if missing:
        raise ValueError(f"The file has no column “{missing[0]}”.")
    for name in mapping.demographics:
        if name not in fields:
            raise ValueError(f"The wave does not ask the demographic question “{name}”.")


def _units(
    data: pd.DataFrame, mapping: Mapping, units: list[Unit], errors: _Errors, n: int
) -> list[int | None]:
    if not mapping.unit_column:
        return [None] * n
    raw = data[mapping.unit_column].to_numpy(dtype=str)
    lookup: dict[str, int] = {}
    for u in units:
        lookup[u.name.strip().casefold()] = u.pk
        lookup[str(u.pk)] = u.pk
    distinct, inverse = _distinct(raw)
    folded = [v.strip().casefold() for v in distinct.tolist()]
    found = np.asarray([lookup.get(v, -1) for v in folded], dtype=np.int64)
    blank = np.asarray([v == "" for v in folded], dtype=bool)
    bad = ((found < 0) & ~blank)[inverse]
    errors.add(bad, mapping.unit_column, raw, "no unit of the organization has this name or id")
    ids = found[inverse].tolist()
    return [None if v < 0 else v for v in ids]


def _demographics(
    data, mapping: Mapping, rules: dict, value_labels: dict, errors: _Errors, n: int
) -> dict[str, np.ndarray]:
    out = {}
    for name, column in mapping.demographics.items():
        if not column:
            continue
        question = DEMOGRAPHICS[name]
        raw = data[column].to_numpy(dtype=str)
        distinct, inverse = _distinct(raw)
        by_label = {str(label).casefold(): key for key, label in question.choices}
        by_label.update({key.casefold(): key for key, _label in question.choices})
        recoded = _recoded(distinct, column, rules, value_labels.get(column, {}), by_label)
        values = np.char.strip(recoded.astype(str))[inverse]
        blank = values == ""
        valid = np.isin(values, list(question.keys))
        errors.add(
            ~blank & ~valid,
            column,
            raw,
            f"expected one of {', '.join(sorted(question.keys))} (or a label recoded to one)",
        )
        out[name] = np.where(valid, values, "")
    return out


def _keys(
    data, mapping: Mapping, errors: _Errors, n: int, fingerprint: str, wave_id: int
) -> list[str]:
    """Each row's source key, hashed with the wave so it is unique per wave, not across waves."""
    if mapping.key_columns:
        parts = [data[c].to_numpy(dtype=str) for c in mapping.key_columns]
        source = parts[0].astype(object)
        for more in parts[1:]:
            source = source + "|" + more.astype(object)
        blank = np.char.str_len(np.char.strip(parts[0])) == 0
        errors.add(blank, mapping.key_columns[0], parts[0], "the response has no identifier")
        duplicated = pd.Series(source).duplicated(keep="first").to_numpy() & ~blank
        errors.add(
            duplicated,
            " + ".join(mapping.key_columns),
            source,
            "this identifier appears on an earlier row",
        )
        sources = [str(s) for s in source]
    else:
        # No identifier column: the file itself and the row's position identify a row.
        sources = [f"{fingerprint}:{i}" for i in range(n)]
    prefix = f"{wave_id}:".encode()
    return ["imp-" + hashlib.sha256(prefix + s.encode()).hexdigest()[:60] for s in sources]
