"""What the values of a file mean: confirmed by the person importing, never assumed.

A survey tool writes an answer its own way: Qualtrics as the choice's recode value (1, 2,
3… in the order the choices were created) or as its text; REDCap as the code typed into
the field's choices or as its label; LimeSurvey as an answer code (often A1, A2, …) or as
the answer's text; SPSS as a number with a value label. A number that is also one of the
instrument's codes says nothing about which answer it is: a WHO-5 built "All of the time"
first writes 1 where the instrument's code is 5. So a value is never taken as a code by
itself:

- The values of the items that share an answer scale (an instrument's option set) are
  listed once, in one ``Block``, each with its answer: matched by label where the file has
  one (the cell's text or its SPSS value label, compared after ``normalise``), chosen by
  the person otherwise, or by a numbering (``numberings``: the instrument's codes, or the
  answers counted from 0 or 1, from either end) that fits every value. None of it is used
  until the person confirms the block for the columns it lists.
- A unit is matched by its name, never by a number taken as its id; a demographic answer
  by its label or key. A value matched by nothing is asked about; without an answer its
  rows are errors.

``MISSING_ANSWER`` is the explicit "no answer" (an empty item, no unit, no demographic),
for values such as "Prefer not to answer" or 99.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

MISSING_ANSWER = "missing"
ITEMS, UNIT, DEMOGRAPHIC = "items", "unit", "demographic"
UNIT_KEY = "unit"
MAX_LISTED = 100  # values listed of one block (a form field or two each); more are counted

_FOLDED = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u00b4`", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"),
    }
)
_SPACED_DASH = re.compile(r"\s*-\s*")
# A value that counts answers: a number, or a number after letters (LimeSurvey's "A1").
_POSITION = re.compile(r"(?P<prefix>[A-Za-z]*)(?P<number>\d+)(?:\.0+)?")


def normalise(text: str) -> str:
    """Text as compared with a label or a name: curly and straight quotes, the dashes
    (hyphen, en and em dash, minus) with the spaces around them, case and runs of spaces
    all count as the same. Nothing else is forgiven: "Less than half the time" is not
    "Less than half of the time"."""
    text = unicodedata.normalize("NFKC", text).translate(_FOLDED)
    return _SPACED_DASH.sub("-", " ".join(text.split())).casefold()


@dataclass(frozen=True)
class Choice:
    """An answer a value may be given: what is stored, and what the person reads."""

    value: str  # an instrument code, a unit's id, a demographic key, or MISSING_ANSWER
    label: str


@dataclass(frozen=True)
class Reading:
    """A way the file may number the answers of a scale, and what it makes of each value."""

    key: str
    name: str
    legend: tuple[str, ...]  # "1 = All of the time", … for every answer of the scale
    answers: dict[str, str]  # each value found -> the instrument's code


@dataclass
class Found:
    """A distinct value of a block's columns, with where it is and what it means."""

    value: str  # as the file holds it, without surrounding spaces
    rows: int
    first_row: int  # as a spreadsheet shows it (the header is row 1)
    label: str = ""  # the file's own label for it (an SPSS value label)
    proposed: str = ""  # the answer its label or name matches
    chosen: str = ""  # the answer it has on the page: the person's, a numbering's, the match


@dataclass
class Block:
    """The values of an answer scale's items, of the unit column or of a demographic column."""

    key: str
    kind: str
    title: str
    columns: list[str]
    choices: list[Choice]
    values: list[Found]
    readings: list[Reading] = field(default_factory=list)
    reading: str = ""  # the numbering chosen, if any
    confirmed: bool = False
    finding: str = ""  # what the values show (a shifted or reversed numbering)

    @property
    def needs_confirmation(self) -> bool:
        return self.kind == ITEMS and bool(self.values)

    @property
    def pending(self) -> bool:
        return self.needs_confirmation and not self.confirmed

    @property
    def listed(self) -> list[Found]:
        return self.values[:MAX_LISTED]

    @property
    def unlisted(self) -> int:
        return max(0, len(self.values) - MAX_LISTED)

    def answers(self) -> dict[str, str]:
        """Each value's answer as it is used: nothing of an items block not yet confirmed."""
        if self.pending:
            return {}
        return {f.value: f.chosen for f in self.values if f.chosen}

    def choice_label(self, value: str) -> str:
        return next((c.label for c in self.choices if c.value == value), value)


class Tally:
    """The distinct values of one or more columns: rows holding each, and the first one."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.first: dict[str, int] = {}
        self.labels: dict[str, str] = {}

    def add(self, value: str, rows: int, first_row: int, label: str = "") -> None:
        self.counts[value] = self.counts.get(value, 0) + rows
        self.first[value] = min(self.first.get(value, first_row), first_row)
        if label:
            self.labels.setdefault(value, label)

    def found(self) -> list[Found]:
        """The values in the order a person reads them: numbers by size, then the others
        as they first appear in the file."""
        return [
            Found(v, self.counts[v], self.first[v], self.labels.get(v, ""))
            for v in sorted(self.counts, key=self._order)
        ]

    def _order(self, value: str) -> tuple:
        position = _position(value)
        if position is not None:
            return (0, position[0], position[1], value)
        return (1, "", self.first[value], value)


def _position(value: str) -> tuple[str, int] | None:
    match = _POSITION.fullmatch(value)
    return (match["prefix"], int(match["number"])) if match else None


# -- answer scales ------------------------------------------------------------------------------


def scale_choices(options: Sequence[tuple[int, str]]) -> list[Choice]:
    """The answers of a scale, ``options`` being (code, label or "") in code order."""
    return [
        Choice(str(code), f"{label} ({code})" if label else f"Code {code}")
        for code, label in options
    ] + [Choice(MISSING_ANSWER, "No answer (missing)")]


def items_block(
    key: str,
    title: str,
    columns: list[str],
    options: Sequence[tuple[int, str]],
    tally: Tally,
    *,
    chosen: dict[str, str],
    reading: str,
    confirmed_columns: Sequence[str] | None,
) -> Block:
    """The block of an answer scale: each value with its match by label, the numberings
    that fit every value, and the person's choices (a numbering wins over value by value)."""
    by_label = {normalise(label): str(code) for code, label in options if label}
    values = tally.found()
    for found in values:
        found.proposed = by_label.get(normalise(found.label or found.value), "")
    labelled = any(found.label for found in values)
    readings = [] if labelled else numberings([f.value for f in values], options)
    picked = next((r for r in readings if r.key == reading), None)
    valid = {c.value for c in scale_choices(options)}
    for found in values:
        person = chosen.get(found.value, "")
        if picked is not None:
            found.chosen = picked.answers[found.value]
        else:
            found.chosen = person if person in valid else found.proposed
    block = Block(
        key,
        ITEMS,
        title,
        columns,
        scale_choices(options),
        values,
        readings,
        picked.key if picked else "",
        confirmed=confirmed_columns is not None and list(confirmed_columns) == columns,
    )
    block.finding = finding(values, options, readings)
    return block


def numberings(values: list[str], options: Sequence[tuple[int, str]]) -> list[Reading]:
    """The ways of numbering the scale's answers that give every value an answer.

    The instrument's own codes (only for plain numbers), then the answers counted from 1 or
    from 0, from the lowest code or from the highest, with the letters of the values in
    front (LimeSurvey's A1, A2, …). Two ways that number every answer alike are one.
    """
    positions = [_position(v) for v in values]
    if not values or any(p is None for p in positions):
        return []
    prefixes = {p[0] for p in positions if p is not None}
    if len(prefixes) != 1:
        return []
    prefix = prefixes.pop()
    numbers = [p[1] for p in positions if p is not None]
    codes = [code for code, _label in options]
    label = dict(options)
    candidates: list[tuple[str, str, dict[int, int]]] = []
    if not prefix:
        candidates.append(("codes", "The instrument's own codes", {c: c for c in codes}))
    for start in (1, 0):
        for key, order in ((f"{start}-up", codes), (f"{start}-down", codes[::-1])):
            first = label[order[0]] or f"code {order[0]}"
            name = f"Numbered from {prefix}{start}, starting with “{first}”"
            candidates.append((key, name, {start + n: c for n, c in enumerate(order)}))
    out: list[Reading] = []
    seen: set[tuple] = set()
    for key, name, numbering in candidates:
        signature = tuple(sorted(numbering.items()))
        if signature in seen or not all(n in numbering for n in numbers):
            continue
        seen.add(signature)
        legend = tuple(
            f"{prefix}{n} = {label[c] or f'code {c}'}" for n, c in sorted(numbering.items())
        )
        answers = {v: str(numbering[n]) for v, n in zip(values, numbers, strict=True)}
        out.append(Reading(key, name, legend, answers))
    return out


def finding(
    values: list[Found], options: Sequence[tuple[int, str]], readings: list[Reading]
) -> str:
    """What the values show about the file's numbering, said before the person chooses."""
    codes = [code for code, _label in options]
    numbers = [p[1] for p in (_position(f.value) for f in values) if p is not None and not p[0]]
    if readings and len(numbers) == len(values):
        if all(n in codes for n in numbers):
            return (
                "Every value is also one of the instrument's codes, but the file does not say"
                " what they mean: a tool that numbers the answers 1, 2, 3… from either end"
                " writes the same numbers. Choose how this file numbers them."
            )
        return (
            f"The values run from {min(numbers)} to {max(numbers)}, the instrument's codes"
            f" from {codes[0]} to {codes[-1]}: the file numbers the answers its own way."
            " Choose how, or give each value its answer."
        )
    pairs = [
        (p[1], int(f.proposed))
        for f, p in ((f, _position(f.value)) for f in values)
        if p is not None and not p[0] and f.proposed.lstrip("-").isdigit()
    ]
    if len(pairs) < 2 or all(n == code for n, code in pairs):
        return ""
    if len({n + code for n, code in pairs}) == 1:
        return (
            "The file's numbers run the other way from the instrument's codes (by their"
            f" labels, {pairs[0][0]} is the instrument's {pairs[0][1]}): the labels decide."
        )
    return (
        "The file's numbers are not the instrument's codes (by their labels,"
        f" {pairs[0][0]} is the instrument's {pairs[0][1]}): the labels decide."
    )


# -- units and demographic questions ------------------------------------------------------------


def named_block(
    key: str,
    kind: str,
    title: str,
    column: str,
    choices: list[Choice],
    names: dict[str, list[str]],
    chosen: dict[str, str],
    tally: Tally,
) -> Block:
    """A unit or demographic column's values: each matched by name (``names``: a normalised
    name -> the answers it names, one unless two share a name), or chosen by the person."""
    valid = {c.value for c in choices}
    values = tally.found()
    for found in values:
        matches = names.get(normalise(found.label or found.value), [])
        found.proposed = matches[0] if len(matches) == 1 else ""
        person = chosen.get(found.value, "")
        found.chosen = person if person in valid else found.proposed
    return Block(key, kind, title, [column], choices, values)


def unit_choices(units: Iterable) -> tuple[list[Choice], dict[str, list[str]]]:
    """The organization's units as choices (with their place in the tree) and by name."""
    by_id = {u.pk: u for u in units}

    def path(unit) -> str:
        names = [unit.name]
        parent = by_id.get(unit.parent_id)
        while parent is not None and len(names) < 50:
            names.append(parent.name)
            parent = by_id.get(parent.parent_id)
        return " / ".join(reversed(names)) + (" (retired)" if unit.retired_at else "")

    ordered = sorted(by_id.values(), key=lambda u: u.path or "")
    choices = [Choice(str(u.pk), path(u)) for u in ordered]
    choices.append(Choice(MISSING_ANSWER, "No unit: the whole organization"))
    names: dict[str, list[str]] = {}
    for unit in ordered:
        names.setdefault(normalise(unit.name), []).append(str(unit.pk))
    return choices, names
