"""The column naming of the common survey tools' exports.

- **Qualtrics** (CSV/XLSX "Export data"): three header rows — the column names, the
  question text, and ``{"ImportId":"QID1_1"}`` — then one row per response;
  ``ResponseId`` (``R_…``) identifies a response; metadata columns such as
  ``StartDate``, ``IPAddress`` or ``RecipientEmail`` are never imported. The legacy
  layout (before 2017) has two: ``V1``…``V10``, ``Q1``… and a row of labels whose first
  cells are ``ResponseID``, ``ResponseSet``, … (``V1`` is the response's id).
- **REDCap** (CSV "raw" export): ``record_id`` identifies a record and
  ``redcap_event_name`` its event in longitudinal projects, so the key is the two
  together; checkbox questions come as one column per option, ``name___code``;
  ``*_complete`` columns hold the form status.
- **LimeSurvey** (CSV "question codes" export): ``id`` identifies a response,
  ``submitdate`` is empty for an incomplete one; array questions are
  ``CODE[SQ001]`` (or ``CODESQ001`` in older versions).

A preset only suggests: which column is the key, which rows to skip, which columns are
metadata, and which column fits an instrument item (by its name, or by the question text
a tool writes under the header or as the header: Qualtrics' ``Q2_1`` gets nothing from
its name). The person importing confirms it, and may give an instrument's items a whole
run of numbered columns at once (``column_runs``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wellbeing.surveys.imports.codes import normalise
from wellbeing.surveys.imports.formats import Table

if TYPE_CHECKING:
    from instruments import Instrument

MIN_ITEM_TEXT = 12  # shorter item texts ("Sometimes") end too many questions to go by


@dataclass(frozen=True)
class Preset:
    key: str
    name: str
    key_columns: tuple[str, ...]
    metadata: frozenset[str]
    metadata_patterns: tuple[str, ...] = ()


PRESETS = {
    p.key: p
    for p in (
        Preset("plain", "Other (one header row)", ("response_id", "id", "ResponseId"), frozenset()),
        Preset(
            "qualtrics",
            "Qualtrics",
            ("ResponseId", "ResponseID", "V1"),
            frozenset(
                {
                    "StartDate",
                    "EndDate",
                    "Status",
                    "IPAddress",
                    "Progress",
                    "Duration (in seconds)",
                    "Finished",
                    "RecordedDate",
                    "RecipientLastName",
                    "RecipientFirstName",
                    "RecipientEmail",
                    "ExternalReference",
                    "LocationLatitude",
                    "LocationLongitude",
                    "DistributionChannel",
                    "UserLanguage",
                }
            ),
        ),
        Preset(
            "redcap",
            "REDCap",
            ("record_id", "redcap_event_name"),
            frozenset(
                {"redcap_repeat_instrument", "redcap_repeat_instance", "redcap_data_access_group"}
            ),
            (r"_complete$", r"_timestamp$", r"___"),
        ),
        Preset(
            "limesurvey",
            "LimeSurvey",
            ("id",),
            frozenset(
                {
                    "submitdate",
                    "lastpage",
                    "startlanguage",
                    "seed",
                    "startdate",
                    "datestamp",
                    "ipaddr",
                    "refurl",
                    "token",
                }
            ),
        ),
    )
}
QUALTRICS_IMPORT_ID = '{"ImportId"'
# Where a Qualtrics export keeps the response's id: today's name, and the legacy layout's.
QUALTRICS_ID_COLUMNS = ("ResponseId", "ResponseID", "V1")


def detect_preset(table: Table) -> str:
    columns = set(table.columns)
    if columns & {"ResponseId", "ResponseID"} or _qualtrics_rows(table):
        return "qualtrics"
    # A label export names columns by their labels: its form status is "Complete?".
    if columns & {"record_id", "redcap_event_name", "Complete?"}:
        return "redcap"
    if "id" in columns and ("submitdate" in columns or "lastpage" in columns):
        return "limesurvey"
    return "plain"


def _qualtrics_rows(table: Table) -> int:
    """How many of the first data rows are Qualtrics' extra header rows (0, 1 or 2): up to
    the ImportId row, or else a first row of labels (the legacy layout's, or question
    text without ImportIds), told by the label "ResponseID" under the response's id."""
    if table.n_rows == 0:
        return 0
    first = table.data.iloc[: min(2, table.n_rows)]
    for i in range(len(first)):
        if any(str(v).startswith(QUALTRICS_IMPORT_ID) for v in first.iloc[i].tolist()):
            return i + 1
    id_column = next((c for c in QUALTRICS_ID_COLUMNS if c in table.columns), "")
    if id_column and _norm(str(table.data[id_column].iloc[0])) == "responseid":
        return 1
    return 0


def prepare(table: Table, preset: str) -> Table:
    """The table without a tool's extra header rows (Qualtrics: question text and ImportId).

    The rows skipped stay on the table (``skipped_rows``): Qualtrics' question text."""
    if preset != "qualtrics":
        return table
    return table.without_first_rows(_qualtrics_rows(table))


def is_metadata(preset: str, column: str) -> bool:
    p = PRESETS[preset]
    return column in p.metadata or any(re.search(x, column) for x in p.metadata_patterns)


def key_columns(preset: str, table: Table) -> list[str]:
    """The preset's key column(s) present in the table (REDCap: record and event together)."""
    present = [c for c in PRESETS[preset].key_columns if c in table.columns]
    if preset == "redcap":
        return present if "record_id" in present else []
    return present[:1]


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def suggest_items(columns: list[str], instrument_id: str, item_ids: list[str]) -> list[str]:
    """A column for each item when the names make it plain, else "".

    Matches ``who5_1``, ``WHO5_1``, ``who5[SQ001]``/``who5SQ001`` (LimeSurvey sub-question
    codes in item order) and ``who5_1`` inside longer names; never guesses between two
    candidates.
    """
    normalised = {_norm(c): c for c in columns}
    out = []
    for n, item in enumerate(item_ids, start=1):
        wanted = [
            _norm(item),
            _norm(f"{instrument_id}_{n}"),
            _norm(f"{instrument_id}[SQ{n:03d}]"),
        ]
        found = next((normalised[w] for w in wanted if w in normalised), "")
        out.append(found)
    return out


# A column numbered within a run: a stem ending in a non-digit, the number, maybe "]".
_NUMBERED = re.compile(r"(?P<stem>.*?\D)(?P<number>\d+)(?P<end>\]?)")


def column_runs(columns: list[str], size: int) -> list[list[str]]:
    """Runs of ``size`` columns numbered 1 to ``size`` under one stem, in number order: a
    Qualtrics matrix (``Q2_1`` … ``Q2_5``), a LimeSurvey array (``Q2[SQ001]`` …), a block of
    REDCap fields. Offered to fill an instrument's items at once, never chosen alone."""
    if size < 2:
        return []
    runs: dict[tuple[str, str], dict[int, str]] = {}
    for column in columns:
        match = _NUMBERED.fullmatch(column)
        if match:
            run = runs.setdefault((match["stem"], match["end"]), {})
            run.setdefault(int(match["number"]), column)
    wanted = list(range(1, size + 1))
    return [[run[n] for n in wanted] for run in runs.values() if sorted(run) == wanted]


def suggest_by_text(table: Table, item_texts: dict[str, list[str]]) -> dict[str, list[str]]:
    """A column for each item whose own text a column's text ends with, else "".

    A column's text is its name (a REDCap label export names columns by their field
    labels) and what a tool writes under the header (Qualtrics' question-text row:
    "Over the last two weeks - I have felt cheerful and in good spirits"), compared after
    ``codes.normalise``. Only one-to-one matches: an item two columns could hold, or a
    column two items could be, is left to the person. ``item_texts``: instrument -> the
    text of each item ("" when the wording is the licence holder's).
    """
    own = {c: {normalise(c)} for c in table.columns}
    for row in table.skipped_rows:
        for column, text in zip(table.columns, row, strict=False):
            own[column].add(normalise(text))
    matches: dict[tuple[str, int], list[str]] = {}
    for instrument_id, texts in item_texts.items():
        for n, text in enumerate(texts):
            wanted = normalise(text)
            if len(wanted) >= MIN_ITEM_TEXT:
                matches[(instrument_id, n)] = [
                    c for c, mine in own.items() if any(t.endswith(wanted) for t in mine)
                ]
    claimed = Counter(c for found in matches.values() for c in found)
    out = {i: [""] * len(texts) for i, texts in item_texts.items()}
    for (instrument_id, n), found in matches.items():
        if len(found) == 1 and claimed[found[0]] == 1:
            out[instrument_id][n] = found[0]
    return out


def suggest_all_items(table: Table, instruments: list[Instrument]) -> dict[str, list[str]]:
    """Each instrument's item columns: by name (``suggest_items``), then by text
    (``suggest_by_text``) for the items left, with a column no other item took."""
    by_name = {i.id: suggest_items(table.columns, i.id, list(i.item_ids)) for i in instruments}
    by_text = suggest_by_text(
        table, {i.id: [item.text or "" for item in i.items] for i in instruments}
    )
    taken = {c for columns in by_name.values() for c in columns if c}
    return {
        instrument_id: [
            named or (text if text not in taken else "")
            for named, text in zip(columns, by_text[instrument_id], strict=True)
        ]
        for instrument_id, columns in by_name.items()
    }
