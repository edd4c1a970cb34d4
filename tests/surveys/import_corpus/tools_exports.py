"""One export of each tool's usual kinds, with its answers, units and roles as that tool writes them."""

from import_corpus import Case
from import_corpus._layouts import (
    BURNOUT,
    BURNOUT_SCALE,
    PHQ9,
    PHQ9_SCALE,
    ROLE_LABELS,
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
    numbered,
    people,
    phq9_of,
    qualtrics_rows,
    redcap_label_rows,
    redcap_raw_rows,
    sav_bytes,
    stored,
    sub_questions,
    who5_of,
    xlsx_bytes,
)

BURNOUT_TEXT = (
    "Overall, based on your definition of burnout, how would you rate your level of burnout?"
)
UNIT_CHOICES = ("Nursing", "Emergency Department", "Intensive Care Unit", "ICU Night Team")
UNIT_CODES = {name: str(n) for n, name in enumerate(UNIT_CHOICES, start=1)}
ROLE_CODES = {"nurse": "1", "physician": "2", "other": "3"}
UNIT_KNOWN = {code: name for name, code in UNIT_CODES.items()}
ROLE_KNOWN = {code: key for key, code in ROLE_CODES.items()}
ROLE_BY_LABEL = {label: key for key, label in ROLE_LABELS.items()}
WHO5_Q = [f"Q2_{n}" for n in range(1, 6)]
PHQ9_Q = [f"Q3_{n}" for n in range(1, 10)]
ALL_ITEMS = {BURNOUT: ["Q1"], WHO5: WHO5_Q, PHQ9: PHQ9_Q}


def _unit_name(p) -> str:
    return p.unit or ""


# 1. Qualtrics Excel export, numeric: every question numbered 1, 2, … in its creation order.
QX = people(21)
IN_ORDER = {i: numbered(codes_of(i)) for i in (BURNOUT, WHO5, PHQ9)}


def qualtrics_numeric_xlsx() -> bytes:
    questions = [
        Question("Q1", BURNOUT_TEXT, lambda p: cell(IN_ORDER[BURNOUT], p.burnout)),
        *matrix("Q2", "Over the last two weeks", WHO5, who5_of, IN_ORDER[WHO5]),
        *matrix("Q3", "Over the last 2 weeks", PHQ9, phq9_of, IN_ORDER[PHQ9]),
        Question("Q4", "Which unit do you work in?", lambda p: UNIT_CODES[p.unit]),
        Question("Q5", "Which best describes your role?", lambda p: ROLE_CODES[p.role]),
    ]
    return xlsx_bytes(qualtrics_rows(QX, questions, choice_text=False))


# 2. Qualtrics CSV "Use choice text".
QT = people(22)


def qualtrics_choice_text() -> bytes:
    questions = [
        Question("Q1", BURNOUT_TEXT, lambda p: cell(labels_of(BURNOUT), p.burnout)),
        *matrix("Q2", "Over the last two weeks", WHO5, who5_of, labels_of(WHO5)),
        *matrix("Q3", "Over the last 2 weeks", PHQ9, phq9_of, labels_of(PHQ9)),
        Question("Q4", "Which unit do you work in?", _unit_name),
        Question("Q5", "Which best describes your role?", lambda p: ROLE_LABELS[p.role]),
    ]
    return csv_bytes(qualtrics_rows(QT, questions, choice_text=True))


# 3-4. REDCap raw and labels: the designer coded the instruments with their own codes.
RC = people(23)
WHO5_FIELDS = [f"who5_{n}" for n in range(1, 6)]
PHQ9_FIELDS = [f"phq9_{n}" for n in range(1, 10)]


def _redcap_fields(*, labels: bool) -> list[Question]:
    burnout = labels_of(BURNOUT) if labels else as_codes(codes_of(BURNOUT))
    who5 = labels_of(WHO5) if labels else as_codes(codes_of(WHO5))
    phq9 = labels_of(PHQ9) if labels else as_codes(codes_of(PHQ9))
    return [
        Question("burnout", BURNOUT_TEXT, lambda p: cell(burnout, p.burnout)),
        *[
            Question(name, text, lambda p, n=n: cell(who5, p.who5[n]))
            for n, (name, text) in enumerate(zip(WHO5_FIELDS, item_texts(WHO5), strict=True))
        ],
        *[
            Question(name, text, lambda p, n=n: cell(phq9, p.phq9[n]))
            for n, (name, text) in enumerate(zip(PHQ9_FIELDS, item_texts(PHQ9), strict=True))
        ],
        Question(
            "unit",
            "Which unit do you work in?",
            (lambda p: p.unit) if labels else (lambda p: UNIT_CODES[p.unit]),
        ),
        Question(
            "role",
            "Which best describes your role?",
            (lambda p: ROLE_LABELS[p.role]) if labels else (lambda p: ROLE_CODES[p.role]),
        ),
    ]


def redcap_raw() -> bytes:
    return csv_bytes(redcap_raw_rows(RC, _redcap_fields(labels=False)))


def redcap_labels() -> bytes:
    return csv_bytes(redcap_label_rows(RC, _redcap_fields(labels=True)))


# 5. LimeSurvey "Full answers".
LF = people(25)


def limesurvey_full_answers() -> bytes:
    fields = [
        Question("burnout", BURNOUT_TEXT, lambda p: cell(labels_of(BURNOUT), p.burnout)),
        *sub_questions("who5", WHO5, who5_of, labels_of(WHO5)),
        *sub_questions("phq9", PHQ9, phq9_of, labels_of(PHQ9)),
        Question("unit", "Which unit do you work in?", _unit_name),
        Question("role", "Which best describes your role?", lambda p: ROLE_LABELS[p.role]),
    ]
    return csv_bytes(limesurvey_rows(LF, fields))


# 6. SPSS from Qualtrics: recode values with the choices as value labels.
SP = people(26)
WHO5_FIRST_IS_ALL = numbered(codes_of(WHO5), descending=True)


def spss_from_qualtrics() -> bytes:
    columns = {
        "ResponseId": [f"R_{p.id:04d}" for p in SP],
        "Q1": [cell(IN_ORDER[BURNOUT], p.burnout) for p in SP],
        **{name: [cell(WHO5_FIRST_IS_ALL, p.who5[n]) for p in SP] for n, name in enumerate(WHO5_Q)},
        **{name: [cell(IN_ORDER[PHQ9], p.phq9[n]) for p in SP] for n, name in enumerate(PHQ9_Q)},
        "Q4": [UNIT_CODES[p.unit] for p in SP],
        "Q5": [ROLE_CODES[p.role] for p in SP],
    }

    def labelled(encoding, labels):
        return {float(value): labels[code] for code, value in encoding.items()}

    value_labels = {
        "Q1": labelled(IN_ORDER[BURNOUT], labels_of(BURNOUT)),
        **{n: labelled(WHO5_FIRST_IS_ALL, labels_of(WHO5)) for n in WHO5_Q},
        **{n: labelled(IN_ORDER[PHQ9], labels_of(PHQ9)) for n in PHQ9_Q},
        "Q4": {float(code): name for name, code in UNIT_CODES.items()},
        "Q5": {float(code): ROLE_LABELS[key] for key, code in ROLE_CODES.items()},
    }
    return sav_bytes(columns, value_labels)


# 7. The platform's own layout in Excel: item ids, instrument codes, unit names, role keys.
PX = people(27)


def excel_plain() -> bytes:
    header = ["response_id", "burnout", *WHO5_FIELDS, *PHQ9_FIELDS, "unit", "role"]
    rows = [header]
    for p in PX:
        rows.append(
            [
                f"p{p.id}",
                cell(as_codes(codes_of(BURNOUT)), p.burnout),
                *[cell(as_codes(codes_of(WHO5)), c) for c in p.who5],
                *[cell(as_codes(codes_of(PHQ9)), c) for c in p.phq9],
                p.unit,
                p.role,
            ]
        )
    return xlsx_bytes(rows)


IDENTITY = {
    BURNOUT_SCALE: known(as_codes(codes_of(BURNOUT))),
    WHO5_SCALE: known(as_codes(codes_of(WHO5))),
    PHQ9_SCALE: known(as_codes(codes_of(PHQ9))),
}
BY_LABEL = {
    BURNOUT_SCALE: known(labels_of(BURNOUT)),
    WHO5_SCALE: known(labels_of(WHO5)),
    PHQ9_SCALE: known(labels_of(PHQ9)),
    "role": ROLE_BY_LABEL,
}
LABELS_MATCHED = {BURNOUT_SCALE: set(), WHO5_SCALE: set(), PHQ9_SCALE: set(), "role": set()}
QUALTRICS_COLUMNS = {"items": ALL_ITEMS, "unit_column": "Q4", "demographics": {"role": "Q5"}}

CASES = [
    Case(
        "tools_qualtrics_numeric.xlsx",
        qualtrics_numeric_xlsx,
        stored(QX, role=True),
        columns=QUALTRICS_COLUMNS,
        answers={
            BURNOUT_SCALE: known(IN_ORDER[BURNOUT]),
            WHO5_SCALE: known(IN_ORDER[WHO5]),
            PHQ9_SCALE: known(IN_ORDER[PHQ9]),
            "unit": UNIT_KNOWN,
            "role": ROLE_KNOWN,
        },
        numbering={WHO5_SCALE: "1-up", PHQ9_SCALE: "1-up", BURNOUT_SCALE: "codes"},
    ),
    Case(
        "tools_qualtrics_choice_text.csv",
        qualtrics_choice_text,
        stored(QT, role=True),
        columns=QUALTRICS_COLUMNS,
        answers={**BY_LABEL, "unit": {u: u for u in UNIT_CHOICES}},
        asked={**LABELS_MATCHED, "unit": set()},
    ),
    Case(
        "tools_redcap_raw.csv",
        redcap_raw,
        stored(RC, role=True),
        columns={"unit_column": "unit", "demographics": {"role": "role"}},
        answers={**IDENTITY, "unit": UNIT_KNOWN, "role": ROLE_KNOWN},
        numbering={WHO5_SCALE: "codes", PHQ9_SCALE: "codes", BURNOUT_SCALE: "codes"},
    ),
    Case(
        "tools_redcap_labels.csv",
        redcap_labels,
        stored(RC, role=True),
        columns={
            "items": {
                BURNOUT: [BURNOUT_TEXT],
                WHO5: item_texts(WHO5),
                PHQ9: item_texts(PHQ9),
            },
            "unit_column": "Which unit do you work in?",
            "demographics": {"role": "Which best describes your role?"},
            "key_columns": ["Record ID"],
        },
        answers={**BY_LABEL, "unit": {u: u for u in UNIT_CHOICES}},
        asked={**LABELS_MATCHED, "unit": set()},
    ),
    Case(
        "tools_limesurvey_full_answers.csv",
        limesurvey_full_answers,
        stored(LF, role=True),
        columns={"unit_column": "unit", "demographics": {"role": "role"}},
        answers={**BY_LABEL, "unit": {u: u for u in UNIT_CHOICES}},
        asked={**LABELS_MATCHED, "unit": set()},
    ),
    Case(
        "tools_spss_from_qualtrics.sav",
        spss_from_qualtrics,
        stored(SP, role=True),
        columns={**QUALTRICS_COLUMNS, "key_columns": ["ResponseId"]},
        answers={
            BURNOUT_SCALE: known(IN_ORDER[BURNOUT]),
            WHO5_SCALE: known(WHO5_FIRST_IS_ALL),
            PHQ9_SCALE: known(IN_ORDER[PHQ9]),
            "unit": UNIT_KNOWN,
            "role": ROLE_KNOWN,
        },
        # SPSS keeps 120 characters of a value label: the burnout measure's longest is cut.
        asked={
            BURNOUT_SCALE: {"5"},
            WHO5_SCALE: set(),
            PHQ9_SCALE: set(),
            "unit": set(),
            "role": set(),
        },
    ),
    Case(
        "tools_excel_plain.xlsx",
        excel_plain,
        stored(PX, role=True),
        columns={"demographics": {"role": "role"}},
        answers={
            **IDENTITY,
            "unit": {u: u for u in UNIT_CHOICES},
            "role": {k: k for k in ROLE_LABELS},
        },
        asked={"unit": set(), "role": set()},
        numbering={WHO5_SCALE: "codes", PHQ9_SCALE: "codes", BURNOUT_SCALE: "codes"},
    ),
]
