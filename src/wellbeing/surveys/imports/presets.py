"""The column naming of the common survey tools' exports.

- **Qualtrics** (CSV/XLSX "Export data"): three header rows — the column names, the
  question text, and ``{"ImportId":"QID1_1"}`` — then one row per response;
  ``ResponseId`` (``R_…``) identifies a response; metadata columns such as
  ``StartDate``, ``IPAddress`` or ``RecipientEmail`` are never imported.
- **REDCap** (CSV "raw" export): ``record_id`` identifies a record and
  ``redcap_event_name`` its event in longitudinal projects, so the key is the two
  together; checkbox questions come as one column per option, ``name___code``;
  ``*_complete`` columns hold the form status.
- **LimeSurvey** (CSV "question codes" export): ``id`` identifies a response,
  ``submitdate`` is empty for an incomplete one; array questions are
  ``CODE[SQ001]`` (or ``CODESQ001`` in older versions).

A preset only suggests: which column is the key, which rows to skip, which columns are
metadata, and which column fits an instrument item. The person importing confirms it.
"""

import re
from dataclasses import dataclass

from wellbeing.surveys.imports.formats import Table


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
            ("ResponseId",),
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


def detect_preset(table: Table) -> str:
    columns = set(table.columns)
    if "ResponseId" in columns or _qualtrics_rows(table):
        return "qualtrics"
    if "record_id" in columns or "redcap_event_name" in columns:
        return "redcap"
    if "id" in columns and ("submitdate" in columns or "lastpage" in columns):
        return "limesurvey"
    return "plain"


def _qualtrics_rows(table: Table) -> int:
    """How many of the first data rows are Qualtrics' extra header rows (0, 1 or 2)."""
    if table.n_rows == 0:
        return 0
    first = table.data.iloc[: min(2, table.n_rows)]
    for i in range(len(first)):
        if any(str(v).startswith(QUALTRICS_IMPORT_ID) for v in first.iloc[i].tolist()):
            return i + 1
    return 0


def prepare(table: Table, preset: str) -> Table:
    """The table without a tool's extra header rows (Qualtrics: question text and ImportId)."""
    if preset != "qualtrics":
        return table
    skip = _qualtrics_rows(table)
    if not skip:
        return table
    data = table.data.iloc[skip:].reset_index(drop=True)
    return Table(table.columns, data, table.value_labels, header_lines=table.header_lines + skip)


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
