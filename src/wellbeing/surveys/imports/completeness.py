"""Which rows of an export are complete responses of one time point, by the tool's own marks.

An export holds more than finished responses: Qualtrics writes unfinished ones
(``Finished`` 0 or False) and the survey's previews (``Status`` "Survey Preview", or 1 in a
numeric export: rOpenSci's excluder package documents both forms); REDCap writes each
form's status (``<form>_complete``: 0 Incomplete, 1 Unverified, 2 Complete; "Complete?"
with those words in a label export) and "[not completed]" in the survey timestamp of a
survey started but not submitted; LimeSurvey leaves ``submitdate`` empty for a response
never submitted. Imported as they are, they count as complete answers, so these rows are
left out by default, counted on the dry run, and imported only if the person importing
asks (``Choices.include_incomplete``). Previews are never responses and always left out.

A REDCap form's status column ends the form's fields (REDCap writes each form's fields,
then its status), so a row counts as complete when every form holding a mapped item is
Complete, not when some unrelated form was never filled.

A longitudinal REDCap project writes one row per record and event
(``redcap_event_name``), and repeated instruments as more rows
(``redcap_repeat_instrument``, ``redcap_repeat_instance``). A wave is one time point, so
a file with several events (or repeats) is refused until the person picks the one that
goes into this wave; the others are left out and counted.

The marks are read from the tool's own columns, which the import drops at the mapping
(they are not answers): ``read_markers`` keeps them as JSON beside the kept table
(``formats.Table.markers``), positions only, never a value of the file but event and
instrument names.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from wellbeing.surveys.imports.formats import Table

PREVIEW, INCOMPLETE, EVENT, REPEAT = "preview", "incomplete", "event", "repeat"
NOT_REPEATED = "-"  # the repeat choice of a REDCap row outside repeated instruments
QUALTRICS_PREVIEW = {"survey preview", "1"}
QUALTRICS_UNFINISHED = {"0", "false"}
REDCAP_COMPLETE = {"2", "complete"}
REDCAP_NOT_COMPLETED = "[not completed]"
# REDCap's columns, raw export name first, then the label export's header.
REDCAP_EVENT = ("redcap_event_name", "Event Name")
REDCAP_REPEAT_INSTRUMENT = ("redcap_repeat_instrument", "Repeat Instrument")
REDCAP_REPEAT_INSTANCE = ("redcap_repeat_instance", "Repeat Instance")
REDCAP_STATUS = re.compile(r"^(?:(?P<form>.+)_complete|Complete\?(?: \(\d+\))?)$")
REDCAP_TIMESTAMP = re.compile(r"^(?:.+_timestamp|Survey Timestamp(?: \(\d+\))?)$")


class ChoiceNeeded(ValueError):
    """The file mixes time points (events or repeats) and none was chosen; the message
    lists what the file holds."""


@dataclass(frozen=True)
class Choices:
    """What the person importing chose about rows that are not complete responses of one
    time point; recorded with the import."""

    include_incomplete: bool = False
    event: str = ""  # a REDCap event name, "" for none chosen
    repeat: str = ""  # "<instrument>#<instance>", NOT_REPEATED, or "" for none chosen

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Choices:
        data = data or {}
        return cls(
            include_incomplete=bool(data.get("include_incomplete")),
            event=str(data.get("event") or ""),
            repeat=str(data.get("repeat") or ""),
        )


@dataclass(frozen=True)
class Selection:
    """The rows that go into the wave, and how many were left out, by reason."""

    keep: np.ndarray  # bool, one per row of the table
    left_out: dict[str, int]

    @property
    def positions(self) -> list[int]:
        return np.flatnonzero(self.keep).tolist()


# --- Reading the marks ---------------------------------------------------------------------


def read_markers(table: Table, preset: str) -> dict[str, Any]:
    """The marks a tool's columns put on each row of ``table``, as JSON (positions)."""
    reader = {"qualtrics": _qualtrics, "redcap": _redcap, "limesurvey": _limesurvey}.get(preset)
    return reader(table) if reader else {}


def _cells(table: Table, column: str) -> list[str]:
    return [str(v).strip() for v in table.data[column].tolist()]


def _positions(flags: Iterable[bool]) -> list[int]:
    return [i for i, flag in enumerate(flags) if flag]


def _qualtrics_column(table: Table, name: str) -> str:
    """The column named ``name``, or in the legacy layout (``V1``…) the one its label row names so."""
    if name in table.columns:
        return name
    for labels in table.skipped_rows:
        for column, label in zip(table.columns, labels, strict=False):
            if label.strip() == name:
                return column
    return ""


def _qualtrics(table: Table) -> dict[str, Any]:
    marks: dict[str, Any] = {}
    status = _qualtrics_column(table, "Status")
    if status:
        marks[PREVIEW] = _positions(
            v.casefold() in QUALTRICS_PREVIEW for v in _cells(table, status)
        )
    finished = _qualtrics_column(table, "Finished")
    if finished:
        cells = _cells(table, finished)
        marks[INCOMPLETE] = _positions(v.casefold() in QUALTRICS_UNFINISHED for v in cells)
    return marks


def _limesurvey(table: Table) -> dict[str, Any]:
    if "submitdate" not in table.columns:
        return {}
    return {INCOMPLETE: _positions(not v for v in _cells(table, "submitdate"))}


def _redcap(table: Table) -> dict[str, Any]:
    marks: dict[str, Any] = {}
    forms, form_of = _redcap_forms(table)
    if forms:
        marks["forms"], marks["form_of"] = forms, form_of
    event = _first_present(table, REDCAP_EVENT)
    if event:
        marks[EVENT] = _coded(_cells(table, event))
    instrument = _first_present(table, REDCAP_REPEAT_INSTRUMENT)
    instance = _first_present(table, REDCAP_REPEAT_INSTANCE)
    if instrument or instance:
        names = _cells(table, instrument) if instrument else [""] * table.n_rows
        numbers = _cells(table, instance) if instance else [""] * table.n_rows
        keys = [
            f"{n}#{i}" if (n or i) else NOT_REPEATED for n, i in zip(names, numbers, strict=True)
        ]
        marks[REPEAT] = _coded(keys)
    return marks


def _first_present(table: Table, names: Sequence[str]) -> str:
    return next((n for n in names if n in table.columns), "")


def _coded(values: list[str]) -> dict[str, Any]:
    """Values as their distinct list (in order of appearance) and each row's index into it."""
    distinct = list(dict.fromkeys(values))
    index = {v: i for i, v in enumerate(distinct)}
    return {"values": distinct, "of": [index[v] for v in values]}


def _redcap_forms(table: Table) -> tuple[dict[str, list[int]], dict[str, str]]:
    """Each form's rows that are not complete, and the form of each column.

    A form is the columns after the previous form's status column up to its own status
    column (REDCap writes a form's timestamp, fields and status in that order).
    """
    forms: dict[str, list[int]] = {}
    form_of: dict[str, str] = {}
    span: list[str] = []
    for column in table.columns:
        span.append(column)
        match = REDCAP_STATUS.match(column)
        if not match:
            continue
        form = match["form"] or column
        not_done = np.asarray([v.casefold() not in REDCAP_COMPLETE for v in _cells(table, column)])
        for stamp in (c for c in span if REDCAP_TIMESTAMP.match(c)):
            not_done |= np.asarray([v == REDCAP_NOT_COMPLETED for v in _cells(table, stamp)])
        forms[form] = np.flatnonzero(not_done).tolist()
        form_of.update(dict.fromkeys(span, form))
        span = []
    return forms, form_of


def kept(markers: dict[str, Any], columns: Iterable[str]) -> dict[str, Any]:
    """The marks with the form of only ``columns``: the names of dropped columns are not kept."""
    if "form_of" not in markers:
        return markers
    wanted = set(columns)
    form_of = {c: f for c, f in markers["form_of"].items() if c in wanted}
    forms = {f: rows for f, rows in markers["forms"].items() if f in form_of.values()}
    return {**markers, "form_of": form_of, "forms": forms}


# --- Choosing the rows ----------------------------------------------------------------------


def select(
    markers: dict[str, Any], n_rows: int, item_columns: Iterable[str], choices: Choices
) -> Selection:
    """The rows of one time point that are complete responses (or also incomplete ones, if
    chosen). Raises ``ChoiceNeeded`` when the file mixes events or repeats and the choice
    is missing or names none of them. Each row left out counts once, under the first of
    event, repeat, preview, incomplete."""
    reasons = np.full(n_rows, "", dtype=object)
    events, repeats = markers.get(EVENT), markers.get(REPEAT)
    if events:
        mixed = len(events["values"]) > 1
        _mark(reasons, _others(events, choices.event, mixed, _event_problem), EVENT)
    if repeats:
        mixed = any(v != NOT_REPEATED for v in repeats["values"])
        _mark(reasons, _others(repeats, choices.repeat, mixed, _repeat_problem), REPEAT)
    _mark(reasons, markers.get(PREVIEW, []), PREVIEW)
    if not choices.include_incomplete:
        _mark(reasons, _incomplete(markers, item_columns), INCOMPLETE)
    counts = Counter(r for r in reasons.tolist() if r)
    left_out = {reason: counts[reason] for reason in (INCOMPLETE, PREVIEW, EVENT, REPEAT)}
    return Selection(reasons == "", {k: v for k, v in left_out.items() if v})


def _mark(reasons: np.ndarray, rows: Iterable[int], reason: str) -> None:
    index = np.asarray(list(rows), dtype=np.int64)
    if len(index):
        free = index[reasons[index] == ""]
        reasons[free] = reason


def _incomplete(markers: dict[str, Any], item_columns: Iterable[str]) -> list[int]:
    rows = set(markers.get(INCOMPLETE, []))
    form_of = markers.get("form_of", {})
    for form in {form_of[c] for c in item_columns if c in form_of}:
        rows.update(markers["forms"].get(form, []))
    return sorted(rows)


def _others(
    coded: dict[str, Any], chosen: str, mixed: bool, problem: Callable[..., str]
) -> list[int]:
    """The rows of every event (or repeat) but the chosen one. ``ChoiceNeeded`` when the
    file mixes several and none was chosen, or the one chosen is not in the file."""
    values, of = coded["values"], coded["of"]
    if not chosen and not mixed:
        return []
    if not chosen or chosen not in values:
        counts = Counter(of)
        raise ChoiceNeeded(problem([(v, counts[i]) for i, v in enumerate(values)], chosen))
    target = values.index(chosen)
    return [i for i, v in enumerate(of) if v != target]


def _event_problem(found: list[tuple[str, int]], chosen: str) -> str:
    listing = ", ".join(
        f"{name or '(none)'} ({count} row{'s' if count != 1 else ''})" for name, count in found
    )
    start = f"The file has no REDCap event “{chosen}”. " if chosen else ""
    return (
        f"{start}This REDCap file holds {len(found)} events: {listing}. A wave is one time"
        " point: choose the event that goes into this wave (import another event into"
        " another wave)."
    )


def _repeat_problem(found: list[tuple[str, int]], chosen: str) -> str:
    listing = ", ".join(
        f"{repeat_label(key)} ({count} row{'s' if count != 1 else ''})" for key, count in found
    )
    start = f"The file has no repeat “{repeat_label(chosen)}”. " if chosen else ""
    return (
        f"{start}This REDCap file holds repeated instruments: {listing}. A wave takes one"
        " row per record: choose the repeat that goes into this wave."
    )


def repeat_label(key: str) -> str:
    """A repeat choice as a person reads it: "wellbeing, instance 2"."""
    if key == NOT_REPEATED:
        return "rows outside repeated instruments"
    instrument, _, instance = key.partition("#")
    return f"{instrument or 'repeated event'}, instance {instance or '?'}"


def time_points(markers: dict[str, Any]) -> dict[str, list[tuple[str, str, int]]]:
    """The events and repeats the file holds, as (value, label, rows), for the page's choices."""
    found: dict[str, list[tuple[str, str, int]]] = {}
    for kind, label in ((EVENT, str), (REPEAT, repeat_label)):
        coded = markers.get(kind)
        if coded:
            counts = Counter(coded["of"])
            found[kind] = [(v, label(v), counts[i]) for i, v in enumerate(coded["values"])]
    return found


def left_out_sentence(left_out: dict[str, int]) -> str:
    """ "8 incomplete and 1 preview response left out." and the rows of other time points."""
    sentences = []
    responses = [
        (left_out[k], word)
        for k, word in ((INCOMPLETE, "incomplete"), (PREVIEW, "preview"))
        if left_out.get(k)
    ]
    if responses:
        noun = "response" if responses[-1][0] == 1 else "responses"
        sentences.append(f"{' and '.join(f'{n} {w}' for n, w in responses)} {noun} left out.")
    others = [
        f"{left_out[k]} row{'s' if left_out[k] != 1 else ''} of {what}"
        for k, what in ((EVENT, "other events"), (REPEAT, "other repeats"))
        if left_out.get(k)
    ]
    if others:
        sentences.append(f"{' and '.join(others)} left out.")
    text = " ".join(sentences)
    return text[:1].upper() + text[1:]
