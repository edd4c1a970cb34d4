"""The people behind the sample exports, and each tool's layout of an export.

Layouts, from each tool's documentation:

- Qualtrics "Export data" (CSV and Excel): a row of column names (``Q1``, ``Q2_1`` for a
  matrix's statements), a row of question texts ("question - statement" for a matrix), a row
  of ``{"ImportId":"QID2_1"}``, then one row per response. Numeric exports hold each choice's
  recode value: "By default, the first answer choice will have a recode value of 1, the
  second choice 2, and so forth" (Qualtrics support, "Recode Values"), in the order the choices
  were created. "Use choice text" exports hold the choices' text. SPSS exports hold the recode
  values with the choice texts as value labels.
- REDCap "CSV (raw data)": variable names as headers and the coded values the designer
  typed in each field's choices ("0, At no time | 1, Some of the time"); "CSV (labels)":
  field labels as headers and the choices' labels as values; ``<form>_complete`` is 2
  (raw) or "Complete" (labels) for a complete form.
- LimeSurvey "Export responses" with question codes as headings: ``id``, ``submitdate``,
  ``lastpage``, ``startlanguage``, ``seed``, then ``CODE`` or ``CODE[SQ001]`` for an array's
  sub-questions; cells hold the answer codes or, with "Full answers", the answers' text.
"""

import csv
import io
import json
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import instruments
from import_corpus import MISSING, Stored

UNITS = ("Emergency Department", "Nursing", "Intensive Care Unit", "ICU Night Team")
ROLES = ("nurse", "physician", "other")
ROLE_LABELS = {"nurse": "Nurse", "physician": "Physician", "other": "Other"}
BURNOUT, WHO5, PHQ9 = "single-item-burnout", "who5", "phq9"
# Answer scales ("instrument/option set"): one confirmation each in the importer.
BURNOUT_SCALE, WHO5_SCALE, PHQ9_SCALE = (
    "single-item-burnout/dolan2015",
    "who5/frequency",
    "phq9/frequency",
)


def codes_of(instrument_id: str) -> list[int]:
    return list(instruments.get(instrument_id).items[0].option_set.codes)


def labels_of(instrument_id: str) -> dict[int, str]:
    return {o.code: o.label for o in instruments.get(instrument_id).items[0].option_set.options}


def item_texts(instrument_id: str) -> list[str]:
    return [item.text for item in instruments.get(instrument_id).items]


@dataclass(frozen=True)
class Person:
    """One respondent's true answers (instrument codes, None unanswered), unit and role."""

    id: int
    burnout: int | None
    who5: tuple[int | None, ...]
    phq9: tuple[int | None, ...]
    unit: str | None
    role: str | None


def people(
    seed: int,
    n: int = 40,
    *,
    who5_codes: Sequence[int] = range(6),
    units: Sequence[str] = UNITS,
    skipped: float = 0.05,
) -> list[Person]:
    """``n`` respondents drawn with ``seed``; a few items left unanswered, burnout never."""
    rng = np.random.default_rng(seed)

    def some(codes: Sequence[int], k: int) -> tuple[int | None, ...]:
        drawn = rng.choice(list(codes), size=k)
        gaps = rng.random(k) < skipped
        return tuple(None if gap else int(c) for c, gap in zip(drawn, gaps, strict=True))

    return [
        Person(
            id=i + 1,
            burnout=int(rng.integers(1, 6)),
            who5=some(who5_codes, 5),
            phq9=some(range(4), 9),
            unit=str(rng.choice(list(units))),
            role=str(rng.choice(list(ROLES))),
        )
        for i in range(n)
    ]


def stored(
    crowd: list[Person],
    instruments_in_file: Sequence[str] = (BURNOUT, WHO5, PHQ9),
    *,
    unit: bool = True,
    role: bool = False,
    answer: Callable[[Person, str], list[int | None]] | None = None,
) -> list[Stored]:
    """The rows a wave must hold for ``crowd``: only the instruments a row answered."""

    def answers_of(person: Person, instrument_id: str) -> list[int | None]:
        if answer is not None:
            return answer(person, instrument_id)
        return {
            BURNOUT: [person.burnout],
            WHO5: list(person.who5),
            PHQ9: list(person.phq9),
        }[instrument_id]

    rows = []
    for person in crowd:
        answers = {}
        for instrument_id in instruments_in_file:
            codes = answers_of(person, instrument_id)
            if any(c is not None for c in codes):
                answers[instrument_id] = codes
        rows.append(
            Stored(
                answers,
                person.unit if unit else None,
                {"role": person.role} if role and person.role else {},
            )
        )
    return rows


# -- how a tool writes an answer ----------------------------------------------------------------


def numbered(codes: Sequence[int], *, start: int = 1, descending: bool = False, prefix: str = ""):
    """Answers numbered by their place in the order the survey listed them, from ``start``."""
    order = sorted(codes, reverse=descending)
    return {code: f"{prefix}{start + n}" for n, code in enumerate(order)}


def as_codes(codes: Sequence[int]) -> dict[int, str]:
    return {c: str(c) for c in codes}


def known(encoding: dict, *, extra: dict[str, str] | None = None) -> dict[str, str]:
    """What the person who ran the survey knows: each value in the file -> its answer."""
    out = {value: str(answer) for answer, value in encoding.items()}
    return {**out, **(extra or {})}


def cell(encoding: dict, answer) -> str:
    return "" if answer is None else encoding[answer]


# -- file writers -------------------------------------------------------------------------------


def csv_bytes(rows: list[list], *, encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append([_number_or_text(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _number_or_text(value):
    """Excel cells hold numbers as numbers, as every tool's .xlsx export does."""
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None if value == "" else value


def sav_bytes(columns: dict[str, list], value_labels: dict[str, dict[float, str]]) -> bytes:
    """An SPSS file: numeric columns as floats (empty: system-missing), text columns as text."""
    import pandas as pd
    import pyreadstat

    frame = pd.DataFrame(
        {
            name: [float(v) if v != "" else np.nan for v in values]
            if all(v == "" or str(v).lstrip("-").isdigit() for v in values)
            else values
            for name, values in columns.items()
        }
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.sav"
        pyreadstat.write_sav(frame, str(path), variable_value_labels=value_labels)
        return path.read_bytes()


# -- Qualtrics ----------------------------------------------------------------------------------

QUALTRICS_META = [
    ("StartDate", "Start Date", "startDate"),
    ("EndDate", "End Date", "endDate"),
    ("Status", "Response Type", "status"),
    ("IPAddress", "IP Address", "ipAddress"),
    ("Progress", "Progress", "progress"),
    ("Duration (in seconds)", "Duration (in seconds)", "duration"),
    ("Finished", "Finished", "finished"),
    ("RecordedDate", "Recorded Date", "recordedDate"),
    ("ResponseId", "Response ID", "_recordId"),
    ("RecipientLastName", "Recipient Last Name", "recipientLastName"),
    ("RecipientFirstName", "Recipient First Name", "recipientFirstName"),
    ("RecipientEmail", "Recipient Email", "recipientEmail"),
    ("ExternalReference", "External Data Reference", "externalDataReference"),
    ("LocationLatitude", "Location Latitude", "locationLatitude"),
    ("LocationLongitude", "Location Longitude", "locationLongitude"),
    ("DistributionChannel", "Distribution Channel", "distributionChannel"),
    ("UserLanguage", "User Language", "userLanguage"),
]


@dataclass(frozen=True)
class Question:
    """A column of an export: its name, the question text, and the cell of each person."""

    name: str
    text: str
    cell: Callable[[Person], str]
    import_id: str = ""


def qualtrics_rows(crowd: list[Person], questions: list[Question], *, choice_text: bool):
    """The rows of a Qualtrics export: names, question texts, ImportIds, then one per person."""
    names = [m[0] for m in QUALTRICS_META] + [q.name for q in questions]
    texts = [m[1] for m in QUALTRICS_META] + [q.text for q in questions]
    ids = [json.dumps({"ImportId": m[2]}, separators=(",", ":")) for m in QUALTRICS_META]
    ids += [
        json.dumps({"ImportId": q.import_id or f"QID{q.name[1:]}"}, separators=(",", ":"))
        for q in questions
    ]
    rows = [names, texts, ids]
    for p in crowd:
        meta = {
            "StartDate": f"2025-03-{1 + p.id % 20:02d} 08:{p.id % 60:02d}:00",
            "EndDate": f"2025-03-{1 + p.id % 20:02d} 08:{p.id % 60:02d}:40",
            "Status": "IP Address" if choice_text else "0",
            "IPAddress": f"198.51.100.{p.id}",
            "Progress": "100",
            "Duration (in seconds)": str(200 + p.id),
            "Finished": "True" if choice_text else "1",
            "RecordedDate": f"2025-03-{1 + p.id % 20:02d} 08:{p.id % 60:02d}:41",
            "ResponseId": f"R_{p.id:04d}aBcDeFgHiJkL",
            "DistributionChannel": "anonymous",
            "UserLanguage": "EN",
        }
        rows.append([meta.get(m[0], "") for m in QUALTRICS_META] + [q.cell(p) for q in questions])
    return rows


def matrix(prefix: str, question: str, instrument_id: str, answer_of, encoding) -> list[Question]:
    """A Qualtrics matrix question: one column a statement, ``Q2_1`` … ``Q2_k``."""
    return [
        Question(
            f"{prefix}_{n}",
            f"{question} - {text}",
            lambda p, n=n: cell(encoding, answer_of(p)[n - 1]),
        )
        for n, text in enumerate(item_texts(instrument_id), start=1)
    ]


def who5_of(person: Person):
    return person.who5


def phq9_of(person: Person):
    return person.phq9


# -- REDCap and LimeSurvey ----------------------------------------------------------------------


def redcap_raw_rows(crowd: list[Person], fields: list[Question]) -> list[list]:
    header = ["record_id", "redcap_survey_identifier", "wellbeing_timestamp"]
    rows = [header + [f.name for f in fields] + ["wellbeing_complete"]]
    for p in crowd:
        start = [str(p.id), "", f"2025-04-{1 + p.id % 20:02d} 10:{p.id % 60:02d}:00"]
        rows.append(start + [f.cell(p) for f in fields] + ["2"])
    return rows


def redcap_label_rows(crowd: list[Person], fields: list[Question]) -> list[list]:
    header = ["Record ID", "Survey Identifier", "Survey Timestamp"]
    rows = [header + [f.text for f in fields] + ["Complete?"]]
    for p in crowd:
        start = [str(p.id), "", f"2025-04-{1 + p.id % 20:02d} 10:{p.id % 60:02d}:00"]
        rows.append(start + [f.cell(p) for f in fields] + ["Complete"])
    return rows


def limesurvey_rows(crowd: list[Person], fields: list[Question]) -> list[list]:
    header = ["id", "submitdate", "lastpage", "startlanguage", "seed"]
    rows = [header + [f.name for f in fields]]
    for p in crowd:
        start = [str(p.id), f"2025-05-{1 + p.id % 20:02d} 09:{p.id % 60:02d}:00", "3", "en"]
        rows.append([*start, str(100000 + 7919 * p.id % 900000)] + [f.cell(p) for f in fields])
    return rows


def sub_questions(code: str, instrument_id: str, answer_of, encoding) -> list[Question]:
    """A LimeSurvey array question: ``CODE[SQ001]`` … one column a sub-question."""
    return [
        Question(f"{code}[SQ{n:03d}]", text, lambda p, n=n: cell(encoding, answer_of(p)[n - 1]))
        for n, text in enumerate(item_texts(instrument_id), start=1)
    ]


def missing_to(value: str) -> dict[str, str]:
    """A value the person knows means "no answer"."""
    return {value: MISSING}
