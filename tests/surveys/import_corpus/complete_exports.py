"""Exports holding more than finished responses of one time point, as each tool marks them.

Layouts, from each tool's documentation:

- Qualtrics: ``Finished`` is 1/0 in a numeric export and True/False with choice text (a
  response closed before its end is 0 or False); ``Status`` is "IP Address" for a real
  response and "Survey Preview" for a preview, or 0 and 1 in a numeric export (rOpenSci's
  excluder package, ``check_preview``).
- REDCap: ``<form>_complete`` ends each form's fields, 0 Incomplete, 1 Unverified,
  2 Complete ("Incomplete", "Unverified", "Complete" in a label export); a survey started
  and not submitted has "[not completed]" as its ``<form>_timestamp``; a form nobody
  filled in is exported as 0 too. A longitudinal project adds ``redcap_event_name``
  (one row per record and event), repeated instruments ``redcap_repeat_instrument`` and
  ``redcap_repeat_instance`` (REDCapR's test projects; REDCapRITS's illustration).
- LimeSurvey: ``submitdate`` is empty for a response never submitted.

What must come of them: only the finished responses, never the previews; a file of
several time points is refused until one is chosen, with the events it holds listed.
"""

from import_corpus import Case
from import_corpus._layouts import (
    BURNOUT,
    BURNOUT_SCALE,
    PHQ9,
    PHQ9_SCALE,
    QUALTRICS_META,
    WHO5,
    WHO5_SCALE,
    Question,
    as_codes,
    cell,
    codes_of,
    csv_bytes,
    item_texts,
    known,
    labels_of,
    limesurvey_rows,
    matrix,
    people,
    phq9_of,
    qualtrics_rows,
    stored,
    sub_questions,
    who5_of,
)

BURNOUT_TEXT = (
    "Overall, based on your definition of burnout, how would you rate your level of burnout?"
)
WHO5_FIELDS = [f"who5_{n}" for n in range(1, 6)]
PHQ9_FIELDS = [f"phq9_{n}" for n in range(1, 10)]
CODES = {i: as_codes(codes_of(i)) for i in (BURNOUT, WHO5, PHQ9)}
IDENTITY = {
    BURNOUT_SCALE: known(CODES[BURNOUT]),
    WHO5_SCALE: known(CODES[WHO5]),
    PHQ9_SCALE: known(CODES[PHQ9]),
}
BY_LABEL = {
    BURNOUT_SCALE: known(labels_of(BURNOUT)),
    WHO5_SCALE: known(labels_of(WHO5)),
    PHQ9_SCALE: known(labels_of(PHQ9)),
}
UNITS = ("Emergency Department", "Nursing", "Intensive Care Unit", "ICU Night Team")
BY_NAME = {"unit": {u: u for u in UNITS}}


def _meta_column(name: str) -> int:
    return [m[0] for m in QUALTRICS_META].index(name)


# 1. Qualtrics "Use choice text": 4 unfinished responses and 2 previews among 30.
QT = people(81, n=30)
QT_UNFINISHED = {3, 9, 17, 25}  # positions among the people
QT_PREVIEW = {0, 11}


def qualtrics_unfinished_and_previews() -> bytes:
    questions = [
        Question("Q1", BURNOUT_TEXT, lambda p: cell(labels_of(BURNOUT), p.burnout)),
        *matrix("Q2", "Over the last two weeks", WHO5, who5_of, labels_of(WHO5)),
        *matrix("Q3", "Over the last 2 weeks", PHQ9, phq9_of, labels_of(PHQ9)),
        Question("Q4", "Which unit do you work in?", lambda p: p.unit),
    ]
    rows = qualtrics_rows(QT, questions, choice_text=True)
    for n, row in enumerate(rows[3:]):
        if n in QT_UNFINISHED:
            row[_meta_column("Finished")] = "False"
            row[_meta_column("Progress")] = "40"
        if n in QT_PREVIEW:
            row[_meta_column("Status")] = "Survey Preview"
    return csv_bytes(rows)


def _finished(crowd, *left_out):
    return [p for n, p in enumerate(crowd) if not any(n in group for group in left_out)]


QUALTRICS_COLUMNS = {
    "items": {
        BURNOUT: ["Q1"],
        WHO5: [f"Q2_{n}" for n in range(1, 6)],
        PHQ9: [f"Q3_{n}" for n in range(1, 10)],
    },
    "unit_column": "Q4",
}

# 2. The same, exported with numeric values: Finished 0, Status 1 for a preview.
QN = people(82, n=30)
QN_UNFINISHED = {1, 2, 20}
QN_PREVIEW = {7}


def qualtrics_numeric_unfinished_and_previews() -> bytes:
    questions = [
        Question("Q1", BURNOUT_TEXT, lambda p: cell(CODES[BURNOUT], p.burnout)),
        *matrix("Q2", "Over the last two weeks", WHO5, who5_of, CODES[WHO5]),
        *matrix("Q3", "Over the last 2 weeks", PHQ9, phq9_of, CODES[PHQ9]),
        Question("Q4", "Which unit do you work in?", lambda p: p.unit),
    ]
    rows = qualtrics_rows(QN, questions, choice_text=False)
    for n, row in enumerate(rows[3:]):
        if n in QN_UNFINISHED:
            row[_meta_column("Finished")] = "0"
        if n in QN_PREVIEW:
            row[_meta_column("Status")] = "1"
    return csv_bytes(rows)


# 3. REDCap raw: a contact form nobody filled (status 0 for everyone) before the
# well-being survey; 3 surveys Incomplete, 2 Unverified, 1 started and not submitted.
RC = people(83, n=30)
RC_STATUS = {4: "0", 5: "0", 13: "0", 8: "1", 21: "1"}
RC_NOT_COMPLETED = {27}


def redcap_incomplete_forms() -> bytes:
    header = ["record_id", "redcap_survey_identifier", "phone", "contact_complete"]
    header += ["wellbeing_timestamp", "burnout", *WHO5_FIELDS, *PHQ9_FIELDS, "unit"]
    rows = [[*header, "wellbeing_complete"]]
    for n, p in enumerate(RC):
        stamp = "[not completed]" if n in RC_NOT_COMPLETED else "2025-04-02 10:00:00"
        row = [str(p.id), "", "", "0", stamp, cell(CODES[BURNOUT], p.burnout)]
        row += [cell(CODES[WHO5], c) for c in p.who5]
        row += [cell(CODES[PHQ9], c) for c in p.phq9]
        status = "0" if n in RC_NOT_COMPLETED else RC_STATUS.get(n, "2")
        rows.append([*row, p.unit, status])
    return csv_bytes(rows)


# 4. REDCap "CSV (labels)": the form status as words.
RL = people(84, n=24)
RL_STATUS = {2: "Incomplete", 10: "Unverified", 11: "Incomplete"}


def redcap_labels_incomplete() -> bytes:
    header = ["Record ID", "Survey Timestamp", BURNOUT_TEXT, *item_texts(WHO5)]
    rows = [[*header, *item_texts(PHQ9), "Which unit do you work in?", "Complete?"]]
    for n, p in enumerate(RL):
        row = [str(p.id), "2025-04-02 10:00:00", cell(labels_of(BURNOUT), p.burnout)]
        row += [cell(labels_of(WHO5), c) for c in p.who5]
        row += [cell(labels_of(PHQ9), c) for c in p.phq9]
        rows.append([*row, p.unit, RL_STATUS.get(n, "Complete")])
    return csv_bytes(rows)


def _redcap_labels_columns():
    return {
        "items": {BURNOUT: [BURNOUT_TEXT], WHO5: item_texts(WHO5), PHQ9: item_texts(PHQ9)},
        "unit_column": "Which unit do you work in?",
        "key_columns": ["Record ID"],
    }


# 5. REDCap longitudinal: baseline and month 6 of the same 20 records, one file.
RLONG = people(85, n=20)
RLONG_LATER = people(86, n=20)


def redcap_longitudinal() -> bytes:
    header = ["record_id", "redcap_event_name", "wellbeing_timestamp", "burnout", *WHO5_FIELDS]
    rows = [[*header, "wellbeing_complete"]]
    for event, crowd in (("baseline_arm_1", RLONG), ("month_6_arm_1", RLONG_LATER)):
        for p in crowd:
            row = [str(p.id), event, "2025-04-02 10:00:00", cell(CODES[BURNOUT], p.burnout)]
            rows.append([*row, *[cell(CODES[WHO5], c) for c in p.who5], "2"])
    return csv_bytes(rows)


# 6. REDCap repeated instrument: the survey taken up to three times by each record.
RREP = people(87, n=12)


def redcap_repeated_instrument() -> bytes:
    header = ["record_id", "redcap_repeat_instrument", "redcap_repeat_instance", "site"]
    header += ["enrolment_complete", "burnout", *WHO5_FIELDS, "wellbeing_complete"]
    rows = [header]
    for p in RREP:
        rows.append([str(p.id), "", "", "North", "2", "", *[""] * 5, ""])
        for instance in range(1, 2 + p.id % 3):
            answers = [cell(CODES[BURNOUT], p.burnout), *[cell(CODES[WHO5], c) for c in p.who5]]
            rows.append([str(p.id), "wellbeing", str(instance), "", "", *answers, "2"])
    return csv_bytes(rows)


# 7. LimeSurvey: 5 responses never submitted (no submitdate) among 28.
LS = people(88, n=28)
LS_UNSUBMITTED = {0, 6, 7, 19, 27}


def limesurvey_unsubmitted() -> bytes:
    fields = [
        Question("burnout", BURNOUT_TEXT, lambda p: cell(CODES[BURNOUT], p.burnout)),
        *sub_questions("who5", WHO5, who5_of, CODES[WHO5]),
        *sub_questions("phq9", PHQ9, phq9_of, CODES[PHQ9]),
        Question("unit", "Which unit do you work in?", lambda p: p.unit),
    ]
    rows = limesurvey_rows(LS, fields)
    for n, row in enumerate(rows[1:]):
        if n in LS_UNSUBMITTED:
            row[1] = ""
    return csv_bytes(rows)


# 8. LimeSurvey: nobody submitted (the survey was tested, never run).
LS_NONE = people(89, n=6)


def limesurvey_nothing_submitted() -> bytes:
    fields = [
        Question("burnout", BURNOUT_TEXT, lambda p: cell(CODES[BURNOUT], p.burnout)),
        *sub_questions("who5", WHO5, who5_of, CODES[WHO5]),
    ]
    rows = limesurvey_rows(LS_NONE, fields)
    for row in rows[1:]:
        row[1] = ""
    return csv_bytes(rows)


CASES = [
    Case(
        "complete_qualtrics_unfinished_previews.csv",
        qualtrics_unfinished_and_previews,
        stored(_finished(QT, QT_UNFINISHED, QT_PREVIEW)),
        columns=QUALTRICS_COLUMNS,
        answers={**BY_LABEL, **BY_NAME},
    ),
    Case(
        "complete_qualtrics_numeric_unfinished_previews.csv",
        qualtrics_numeric_unfinished_and_previews,
        stored(_finished(QN, QN_UNFINISHED, QN_PREVIEW)),
        columns=QUALTRICS_COLUMNS,
        answers={**IDENTITY, **BY_NAME},
    ),
    Case(
        "complete_redcap_incomplete_forms.csv",
        redcap_incomplete_forms,
        stored(_finished(RC, set(RC_STATUS), RC_NOT_COMPLETED)),
        columns={"unit_column": "unit", "key_columns": ["record_id"]},
        answers={**IDENTITY, **BY_NAME},
    ),
    Case(
        "complete_redcap_labels_incomplete.csv",
        redcap_labels_incomplete,
        stored(_finished(RL, set(RL_STATUS))),
        columns=_redcap_labels_columns(),
        answers={**BY_LABEL, **BY_NAME},
    ),
    Case(
        "complete_redcap_longitudinal.csv",
        redcap_longitudinal,
        None,
        refused="holds 2 events: baseline_arm_1 (20 rows), month_6_arm_1 (20 rows)",
        columns={"key_columns": ["record_id"]},
        answers=IDENTITY,
    ),
    Case(
        "complete_redcap_repeated_instrument.csv",
        redcap_repeated_instrument,
        None,
        refused="choose the repeat that goes into this wave",
        columns={"key_columns": ["record_id"]},
        answers=IDENTITY,
    ),
    Case(
        "complete_limesurvey_unsubmitted.csv",
        limesurvey_unsubmitted,
        stored(_finished(LS, LS_UNSUBMITTED)),
        columns={"unit_column": "unit"},
        answers={**IDENTITY, **BY_NAME},
    ),
    Case(
        "complete_limesurvey_nothing_submitted.csv",
        limesurvey_nothing_submitted,
        None,
        refused="tick “Include incomplete responses”",
        answers=IDENTITY,
    ),
]
