"""From a table's columns to answers, units and demographics, with row-level errors.

The checks run column by column on whole arrays (numpy), deciding once per distinct value
of a column, never row by row in Python, so 100,000 rows validate in well under a second
per column. Every error names the row as the spreadsheet shows it (the header is row 1),
the column, the value as the file holds it, and why it was refused.

What a value means is never assumed (``codes``): the answers of an answer scale's items are
used only once the person importing has confirmed them for those columns, and units and
demographic answers go by name. Until then the check is not ``ok`` and says what to
confirm (``Checked.pending``), and every row counts as waiting for it, so nothing of the
file can be imported, not even the rows of a partial import.

pandas is imported inside the functions that use it: the web app starts without it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from wellbeing.surveys.imports import answers
from wellbeing.surveys.imports.answers import Errors, RowError
from wellbeing.surveys.imports.codes import MISSING_ANSWER, Block, normalise
from wellbeing.surveys.scoring import get_instrument

if TYPE_CHECKING:
    from wellbeing.accounts.models import Unit
    from wellbeing.surveys.imports.formats import Table

__all__ = ["Checked", "Mapping", "RowError", "check", "parse_rules"]
RULE = re.compile(
    r"^\s*(?:(?P<column>[^:=]+?)\s*:\s*)?(?P<source>[^=]*?)\s*=\s*(?P<target>.*?)\s*$"
)
# The parts of a mapping that say what values mean: not part of what identifies an import.
ANSWER_FIELDS = ("codes", "readings", "confirmed")


@dataclass
class Mapping:
    """What each column means. ``items``: instrument -> a column per item ("" = not in the file).

    ``codes``, ``readings`` and ``confirmed`` hold what the person said on the dry-run page,
    by block (``codes.Block.key``): an answer for each value, a numbering of the scale, and
    the columns each answer scale was confirmed for.
    """

    items: dict[str, list[str]] = field(default_factory=dict)
    key_columns: list[str] = field(default_factory=list)
    unit_column: str = ""
    demographics: dict[str, str] = field(default_factory=dict)  # field -> column
    # Lines "source = target" for every column, or "column: source = target" for one.
    recode: str = ""
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    readings: dict[str, str] = field(default_factory=dict)
    confirmed: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Mapping:
        return cls(
            items={k: list(v) for k, v in (data.get("items") or {}).items()},
            key_columns=list(data.get("key_columns") or []),
            unit_column=data.get("unit_column") or "",
            demographics=dict(data.get("demographics") or {}),
            recode=data.get("recode") or "",
            codes={k: dict(v) for k, v in (data.get("codes") or {}).items()},
            readings=dict(data.get("readings") or {}),
            confirmed={k: list(v) for k, v in (data.get("confirmed") or {}).items()},
        )

    def columns(self) -> list[str]:
        """Every column the mapping reads: the only columns an import keeps of a file."""
        used = [c for cols in self.items.values() for c in cols]
        used += [self.unit_column, *self.demographics.values(), *self.key_columns]
        return list(dict.fromkeys(c for c in used if c))

    def fingerprint(self, content_sha256: str) -> str:
        """The same file with the same columns mapped: the same import.

        Built on the file's SHA-256 rather than its bytes, so it can be computed again
        (a changed mapping, the import itself) after the uploaded bytes were dropped. What
        the values mean is left out: confirming them changes no response's identity, and
        a file without identifiers keys its rows by this fingerprint.
        """
        chosen = {k: v for k, v in self.to_json().items() if k not in ANSWER_FIELDS}
        digest = hashlib.sha256(content_sha256.encode())
        digest.update(json.dumps(chosen, sort_keys=True).encode())
        return digest.hexdigest()


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
    # Every row with a problem (its position) -> its problems, for a partial import's
    # rejected rows: unlike ``errors``, never cut short.
    problems: dict[int, str] = field(default_factory=dict)
    # What the values of each answer scale, the unit and each demographic column mean.
    blocks: list[Block] = field(default_factory=list)
    # An answer scale not yet confirmed, said for the person; none may be imported until then.
    pending: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error_count == 0 and self.n_rows > 0 and not self.pending

    @property
    def row_problems(self) -> int:
        """The problems of rows themselves: ``error_count`` also counts each answer scale
        waiting for its confirmation, so that nothing can be imported meanwhile."""
        return self.error_count - len(self.pending)


def parse_rules(
    text: str, columns: list[str], instruments: Iterable[str] = ()
) -> tuple[dict[str, dict[str, str]], list[str]]:
    """Recoding rules by column, by instrument (every column of its items) or "*" (every
    column), each keyed by the normalised text it recodes; and a message per line not
    understood."""
    scopes = set(columns) | set(instruments)
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
        if not match["target"]:
            problems.append(
                f"Recoding line {number}: nothing after “=”; write “= {MISSING_ANSWER}”"
                " for no answer."
            )
            continue
        column = (match["column"] or "*").strip()
        if column != "*" and column not in scopes:
            problems.append(f"Recoding line {number}: there is no column “{column}” in the file.")
            continue
        rules.setdefault(column, {})[normalise(match["source"])] = match["target"]
    return rules, problems


def check(
    table: Table,
    mapping: Mapping,
    *,
    wave_instruments: list[str],
    wave_demographics: list[str],
    units: list[Unit],
    fingerprint: str,
    wave_id: int,
    licensed: dict | None = None,
) -> Checked:
    """Every row against the mapping; ``licensed``: the version's licensed wording, whose
    answer labels the file's labels may match."""
    n = table.n_rows
    errors = Errors(table.header_lines)
    mapped = [i for i, cols in mapping.items.items() if any(cols)]
    rules, problems = parse_rules(mapping.recode, table.columns, mapped)
    problems += _rules_on_unmapped_columns(rules, mapping)
    if problems:
        raise ValueError(" ".join(problems))
    _check_mapping(mapping, set(table.columns), wave_instruments, wave_demographics)
    blocks: list[Block] = []
    item_codes, answered_any = answers.items(table, mapping, rules, licensed or {}, errors, blocks)
    unit_ids = answers.units(table, mapping, rules, units, errors, blocks)
    demographics = answers.demographics(table, mapping, rules, errors, blocks)
    pending = [
        f"{b.title}: confirm what each value in the file means, in its table on this page."
        for b in blocks
        if b.pending
    ]
    if item_codes and not pending:
        errors.add(
            ~answered_any,
            "(all items)",
            np.full(n, "", dtype=object),
            "the row answers none of the mapped items",
        )
    keys = _keys(table.data, mapping, errors, n, fingerprint, wave_id)
    shown, total, bad_rows = errors.collect()
    if pending:  # every row waits for the confirmation
        total, bad_rows = total + len(pending), n
    return Checked(
        n,
        shown,
        total,
        bad_rows,
        keys,
        unit_ids,
        item_codes,
        demographics,
        errors.by_row(),
        blocks,
        pending,
    )


def _rules_on_unmapped_columns(rules: dict[str, dict[str, str]], mapping: Mapping) -> list[str]:
    """A rule may name only a mapped column (or instrument): the others are not kept."""
    mapped = set(mapping.columns()) | set(mapping.items)
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


def _keys(
    data, mapping: Mapping, errors: Errors, n: int, fingerprint: str, wave_id: int
) -> list[str]:
    """Each row's source key, hashed with the wave so it is unique per wave, not across waves."""
    import pandas as pd

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
