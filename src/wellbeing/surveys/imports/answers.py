"""Each mapped column's values to what is stored: item codes by answer scale, units and
demographic answers by name; with the row errors of values that get no answer.

Decided once per distinct value of a column (``Column``), then spread to the rows with
numpy, never row by row in Python. A recoding rule decides first (the column's, then the
instrument's, then one for every column); what no rule decides goes through the column's
``codes.Block``: items only once the person confirmed their answer scale, units and
demographic answers by name or by the person's choice.

pandas is imported inside the functions that use it: the web app starts without it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
from django.utils import translation

from wellbeing.surveys.imports.codes import (
    DEMOGRAPHIC,
    MISSING_ANSWER,
    UNIT,
    UNIT_KEY,
    Block,
    Choice,
    Tally,
    items_block,
    named_block,
    normalise,
    unit_choices,
)
from wellbeing.surveys.questions import DEMOGRAPHICS
from wellbeing.surveys.scoring import MISSING, get_instrument

if TYPE_CHECKING:
    from instruments import Instrument, OptionSet
    from wellbeing.accounts.models import Unit
    from wellbeing.surveys.imports.formats import Table
    from wellbeing.surveys.imports.mapping import Mapping

MAX_ERRORS_SHOWN = 500


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    why: str


class Errors:
    """Row errors gathered column by column, as arrays of rows."""

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

    def by_row(self) -> dict[int, str]:
        """Each row with a problem (by position) and its problems, "column: why; …"."""
        found: dict[int, list[str]] = {}
        for rows, column, _values, why in self.parts:
            for r in rows.tolist():
                found.setdefault(r, []).append(f"{column}: {why}")
        return {r: "; ".join(found[r]) for r in sorted(found)}


@dataclass(frozen=True)
class Column:
    """A column's distinct values (as the file holds them) and each row's index into them."""

    raw: np.ndarray
    distinct: list[str]
    inverse: np.ndarray
    counts: np.ndarray
    first: np.ndarray  # the position of each distinct value's first row

    @classmethod
    def of(cls, table: Table, column: str) -> Column:
        import pandas as pd

        raw = table.data[column].to_numpy(dtype=str)
        inverse, distinct = pd.factorize(pd.Series(raw), sort=False)
        inverse = np.asarray(inverse, dtype=np.int64)
        first = np.full(len(distinct), len(raw), dtype=np.int64)
        np.minimum.at(first, inverse, np.arange(len(raw)))
        counts = np.bincount(inverse, minlength=len(distinct))
        return cls(raw, [str(v) for v in distinct], inverse, counts, first)

    def values(self) -> Iterable[tuple[int, str, int, int]]:
        """(index, value without surrounding spaces, rows, first position) of each non-blank."""
        for n, value in enumerate(self.distinct):
            if value.strip():
                yield n, value.strip(), int(self.counts[n]), int(self.first[n])

    def rows(self, per_value: np.ndarray) -> np.ndarray:
        return per_value[self.inverse]


def rule_for(rules: dict[str, dict[str, str]], scopes: Sequence[str], value: str, label: str):
    """The target a rule gives ``value`` (or its file label), the narrowest scope first."""
    for scope in scopes:
        table = rules.get(scope, {})
        for text in (value, label):
            if text and normalise(text) in table:
                return table[normalise(text)]
    return None


# -- items --------------------------------------------------------------------------------------


def _numbers(numbers: list[int]) -> str:
    """Item numbers as people say them: "item 3", "items 1 to 5", "items 1, 3 and 5"."""
    if len(numbers) == 1:
        return f"item {numbers[0]}"
    if numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"items {numbers[0]} to {numbers[-1]}"
    return f"items {', '.join(map(str, numbers[:-1]))} and {numbers[-1]}"


def _scales(instrument: Instrument, columns: list[str], value_labels: dict) -> list[tuple]:
    """The instrument's mapped items grouped by answer scale: (key, option set, [(item
    position, column)]). Columns whose value labels differ are told apart, so a file
    whose columns number the same answers differently gets a table each."""
    groups: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for j, (item, column) in enumerate(zip(instrument.items, columns, strict=True)):
        if column:
            labels = json.dumps(value_labels.get(column, {}), sort_keys=True)
            groups.setdefault((item.option_set.id, labels), []).append((j, column))
    out, seen = [], set()
    for (set_id, _labels), members in groups.items():
        key = f"{instrument.id}/{set_id}"
        if key in seen:
            key = f"{key}/{members[0][1]}"
        seen.add(key)
        option_set = instrument.items[members[0][0]].option_set
        out.append((key, option_set, members))
    return out


def _options(instrument: Instrument, option_set: OptionSet, licensed: dict) -> list[tuple]:
    """(code, label) of each answer: the definition's label, else the licensed wording's."""
    supplied = licensed.get(instrument.id, {}).get(f"options:{option_set.id}", [])
    return [
        (o.code, o.label or (supplied[n] if n < len(supplied) else "") or "")
        for n, o in enumerate(option_set.options)
    ]


def _item_target(target: str, options: list[tuple]) -> str | None:
    """A rule's target for an item: a code, an answer's label, or "missing"; None if not."""
    wanted = normalise(target)
    if wanted == MISSING_ANSWER:
        return MISSING_ANSWER
    for code, label in options:
        if wanted == str(code) or (label and wanted == normalise(label)):
            return str(code)
    return None


def items(
    table: Table,
    mapping: Mapping,
    rules: dict,
    licensed: dict,
    errors: Errors,
    blocks: list[Block],
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Each mapped instrument's codes (rows x items, ``MISSING`` unanswered) and which rows
    answered any item; a ``Block`` per answer scale goes to ``blocks``."""
    n = table.n_rows
    answers: dict[str, np.ndarray] = {}
    answered_any = np.zeros(n, dtype=bool)
    for instrument_id, item_columns in mapping.items.items():
        if not any(item_columns):
            continue
        instrument = get_instrument(instrument_id)
        codes = np.full((n, instrument.n_items), MISSING, dtype=np.int16)
        for key, option_set, members in _scales(instrument, item_columns, table.value_labels):
            options = _options(instrument, option_set, licensed)
            columns = [column for _j, column in members]
            title = f"{instrument.name}, {_numbers([j + 1 for j, _c in members])}"
            read = {c: Column.of(table, c) for c in dict.fromkeys(columns)}
            ruled: dict[str, dict[str, str]] = {c: {} for c in read}
            tally = Tally()
            for column, values in read.items():
                labels = table.value_labels.get(column, {})
                for _n, value, count, first in values.values():
                    label = labels.get(value, "")
                    target = rule_for(rules, (column, instrument_id, "*"), value, label)
                    if target is not None:
                        ruled[column][value] = target
                    else:
                        tally.add(value, count, table.file_row(first), label)
            block = items_block(
                key,
                title,
                list(read),
                options,
                tally,
                chosen=mapping.codes.get(key, {}),
                reading=mapping.readings.get(key, ""),
                confirmed_columns=mapping.confirmed.get(key),
            )
            blocks.append(block)
            for j, column in members:
                codes[:, j] = _item_codes(
                    read[column], ruled[column], block, options, column, errors
                )
                answered_any |= codes[:, j] != MISSING
        answers[instrument_id] = codes
    return answers, answered_any


def _item_codes(
    values: Column,
    ruled: dict[str, str],
    block: Block,
    options: list[tuple],
    column: str,
    errors: Errors,
) -> np.ndarray:
    """One item column's codes: decided once per distinct value, then spread to the rows."""
    confirmed = block.answers()
    code = np.full(len(values.distinct), MISSING, dtype=np.int16)
    bad_rule = np.zeros(len(values.distinct), dtype=bool)
    unanswered = np.zeros(len(values.distinct), dtype=bool)
    for n, value, _count, _first in values.values():
        if value in ruled:
            answer = _item_target(ruled[value], options)
            bad_rule[n] = answer is None
        else:
            answer = confirmed.get(value)
            unanswered[n] = not answer and not block.pending
        if answer and answer != MISSING_ANSWER:
            code[n] = int(answer)
    allowed = ", ".join(str(c) for c, _label in options)
    errors.add(
        values.rows(bad_rule),
        column,
        values.raw,
        f"a recoding rule gives this value an answer that is not one of {block.title}"
        f" ({allowed}, or “{MISSING_ANSWER}”)",
    )
    errors.add(
        values.rows(unanswered),
        column,
        values.raw,
        f"no answer of {block.title} was chosen for this value: choose one in its table on"
        " this page, or correct the file",
    )
    return values.rows(code)


# -- units and demographics ---------------------------------------------------------------------


def _named(
    table: Table,
    column: str,
    rules: dict,
    make_block: Callable[[Tally], Block],
    names: dict[str, list[str]],
    errors: Errors,
    blocks: list[Block],
    why: tuple[str, str],
) -> np.ndarray:
    """A unit or demographic column: each distinct value's answer ("" none) by rule, name or
    the person's choice, spread to the rows. ``names``: normalised name -> the answers it
    names (a rule's target must name one); ``why``: the errors' reasons (a rule's target
    that names nothing, a value without an answer)."""
    values = Column.of(table, column)
    labels = table.value_labels.get(column, {})
    ruled: dict[int, str] = {}
    tally = Tally()
    for n, value, count, first in values.values():
        target = rule_for(rules, (column, "*"), value, labels.get(value, ""))
        if target is not None:
            ruled[n] = target
        else:
            tally.add(value, count, table.file_row(first), labels.get(value, ""))
    block = make_block(tally)
    blocks.append(block)
    chosen = block.answers()
    answer = np.full(len(values.distinct), "", dtype=object)
    bad_rule = np.zeros(len(values.distinct), dtype=bool)
    unanswered = np.zeros(len(values.distinct), dtype=bool)
    for n, value, _count, _first in values.values():
        if n in ruled:
            found = _named_target(ruled[n], names)
            bad_rule[n] = not found
        else:
            found = chosen.get(value, "")
            unanswered[n] = not found
        answer[n] = "" if found == MISSING_ANSWER else found
    errors.add(values.rows(bad_rule), column, values.raw, why[0])
    errors.add(values.rows(unanswered), column, values.raw, why[1])
    return values.rows(answer)


def _named_target(target: str, names: dict[str, list[str]]) -> str:
    """A rule's target for a unit or demographic column: "missing" or the one answer it
    names; "" if it names none or two."""
    wanted = normalise(target)
    if wanted == MISSING_ANSWER:
        return MISSING_ANSWER
    found = names.get(wanted, [])
    return found[0] if len(found) == 1 else ""


def units(
    table: Table,
    mapping: Mapping,
    rules: dict,
    org_units: list[Unit],
    errors: Errors,
    blocks: list[Block],
) -> list[int | None]:
    """Each row's unit, by name: a number is never taken as a unit's id."""
    if not mapping.unit_column:
        return [None] * table.n_rows
    column = mapping.unit_column
    choices, names = unit_choices(org_units)
    chosen = mapping.codes.get(UNIT_KEY, {})
    answers = _named(
        table,
        column,
        rules,
        partial(named_block, UNIT_KEY, UNIT, "Unit", column, choices, names, chosen),
        names,
        errors,
        blocks,
        (
            "a recoding rule gives this value a unit the organization does not have"
            f" (a unit's name, or “{MISSING_ANSWER}”)",
            "no unit of the organization has this name: choose a unit for it on this page,"
            " or correct the file",
        ),
    )
    return [int(a) if a else None for a in answers.tolist()]


def _demographic_answers(name: str) -> tuple[str, list[Choice], dict[str, list[str]]]:
    """A demographic question's name, its answers as choices, and its answers by label and
    key; in English, the language the file's labels are compared with."""
    question = DEMOGRAPHICS[name]
    with translation.override("en"):
        title = str(question.name)
        labelled = [(key, str(label)) for key, label in question.choices]
    choices = [Choice(key, f"{label} ({key})") for key, label in labelled]
    choices.append(Choice(MISSING_ANSWER, "No answer (missing)"))
    names: dict[str, list[str]] = {}
    for key, label in labelled:
        for text in dict.fromkeys((normalise(label), normalise(key))):
            names.setdefault(text, []).append(key)
    return title, choices, names


def demographics(
    table: Table, mapping: Mapping, rules: dict, errors: Errors, blocks: list[Block]
) -> dict[str, np.ndarray]:
    """Each demographic column's answers (keys, "" for none), by label or key."""
    out = {}
    for name, column in mapping.demographics.items():
        if not column:
            continue
        title, choices, names = _demographic_answers(name)
        chosen = mapping.codes.get(name, {})
        make_block = partial(named_block, name, DEMOGRAPHIC, title, column, choices, names, chosen)
        keys = ", ".join(sorted(DEMOGRAPHICS[name].keys))
        answers = _named(
            table,
            column,
            rules,
            make_block,
            names,
            errors,
            blocks,
            (
                f"a recoding rule gives this value an answer that is not one of “{title}”"
                f" ({keys}, or “{MISSING_ANSWER}”)",
                f"this is not one of the answers of “{title}”: choose its answer on this page,"
                " or correct the file",
            ),
        )
        out[name] = answers.astype(str)
    return out
