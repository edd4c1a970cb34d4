"""Answer codes: files whose numbers or labels mean something other than the instrument's codes.

The first two are the cases of issue 24: a Qualtrics numeric export whose WHO-5 was built
with "All of the time" first (recode value 1 = instrument code 5; nobody answered "At no time",
so every value is also a valid WHO-5 code), and an SPSS file whose value labels use a wording
variant ("Less than half the time").
"""

from functools import partial

from import_corpus import Case, Stored
from import_corpus._layouts import (
    BURNOUT,
    BURNOUT_SCALE,
    PHQ9,
    PHQ9_SCALE,
    WHO5,
    WHO5_SCALE,
    Question,
    as_codes,
    cell,
    codes_of,
    csv_bytes,
    known,
    labels_of,
    limesurvey_rows,
    matrix,
    missing_to,
    numbered,
    people,
    phq9_of,
    qualtrics_rows,
    redcap_raw_rows,
    sav_bytes,
    stored,
    sub_questions,
    who5_of,
    xlsx_bytes,
)

WHO5_STEM = "Over the last two weeks"
BURNOUT_TEXT = (
    "Overall, based on your definition of burnout, how would you rate your level of burnout?"
)
WHO5_Q = [f"Q2_{n}" for n in range(1, 6)]
PHQ9_Q = [f"Q3_{n}" for n in range(1, 10)]


def _burnout_question(encoding) -> Question:
    return Question("Q1", BURNOUT_TEXT, lambda p: cell(encoding, p.burnout))


def _department(p) -> str:
    return p.unit or ""


# 1. Qualtrics numeric, WHO-5 built "All of the time" first, nobody at "At no time".
REVERSED = people(1, who5_codes=range(1, 6))
WHO5_FIRST_IS_ALL = numbered(codes_of(WHO5), descending=True)  # 5 -> "1", …, 0 -> "6"
BURNOUT_IN_ORDER = numbered(codes_of(BURNOUT))  # 1 -> "1", …, 5 -> "5"


def qualtrics_reversed_who5() -> bytes:
    questions = [
        _burnout_question(BURNOUT_IN_ORDER),
        *matrix("Q2", WHO5_STEM, WHO5, who5_of, WHO5_FIRST_IS_ALL),
        Question("Department", "Department", _department, import_id="Department"),
    ]
    return csv_bytes(qualtrics_rows(REVERSED, questions, choice_text=False))


# 2. SPSS from Qualtrics: the same WHO-5 coding, value labels with one wording variant.
VARIANT = people(2)
VARIANT_LABELS = {
    float(value): labels_of(WHO5)[code] for code, value in WHO5_FIRST_IS_ALL.items()
} | {4.0: "Less than half the time"}


def spss_wording_variant() -> bytes:
    columns = {
        "ResponseId": [f"R_{p.id:04d}" for p in VARIANT],
        "Q1": [cell(BURNOUT_IN_ORDER, p.burnout) for p in VARIANT],
        **{
            name: [cell(WHO5_FIRST_IS_ALL, p.who5[n]) for p in VARIANT]
            for n, name in enumerate(WHO5_Q)
        },
        "Department": [_department(p) for p in VARIANT],
    }
    labels = {"Q1": {float(c): t for c, t in labels_of(BURNOUT).items()}}
    labels |= {name: VARIANT_LABELS for name in WHO5_Q}
    return sav_bytes(columns, labels)


# 3. Qualtrics "Use choice text": curly apostrophes, capitals, doubled spaces, an en dash.
TYPED = people(3, units=("Emergency Department", "Nursing", "Mother\u2013Baby Unit"))
CURLY_BURNOUT = {c: t.replace("'", "\u2019") for c, t in labels_of(BURNOUT).items()}
SHOUTED_WHO5 = {c: t.upper() if c % 2 else t.replace(" ", "  ") for c, t in labels_of(WHO5).items()}
TYPED_UNITS = {
    "Emergency Department": "emergency department",
    "Nursing": "NURSING",
    "Mother\u2013Baby Unit": "Mother-Baby Unit",
}


def qualtrics_choice_text_typography() -> bytes:
    questions = [
        _burnout_question(CURLY_BURNOUT),
        *matrix("Q2", WHO5_STEM, WHO5, who5_of, SHOUTED_WHO5),
        *matrix("Q3", "Over the last 2 weeks", PHQ9, phq9_of, labels_of(PHQ9)),
        Question("Department", "Department", lambda p: TYPED_UNITS[p.unit]),
    ]
    return csv_bytes(qualtrics_rows(TYPED, questions, choice_text=True))


# 4. "Prefer not to answer" as an extra choice of the WHO-5 items and of the role question.
PREFER_NOT = "Prefer not to answer"
DECLINING = people(4)


def _declines(p, n: int) -> bool:
    return (p.id + n) % 9 == 0


def _who5_declined(p, n: int) -> str:
    return PREFER_NOT if _declines(p, n) else cell(labels_of(WHO5), p.who5[n])


def _role_declined(p) -> str:
    return (
        PREFER_NOT
        if p.id % 7 == 0
        else {"nurse": "Nurse", "physician": "Physician"}.get(p.role, "Other")
    )


def qualtrics_prefer_not_to_answer() -> bytes:
    questions = [
        _burnout_question(labels_of(BURNOUT)),
        *[
            Question(name, f"{WHO5_STEM} - {n}", partial(_who5_declined, n=n))
            for n, name in enumerate(WHO5_Q)
        ],
        Question("Department", "Department", _department),
        Question("Q5", "Which best describes your role?", _role_declined),
    ]
    return csv_bytes(qualtrics_rows(DECLINING, questions, choice_text=True))


def _declined_answers(p, instrument_id):
    if instrument_id == WHO5:
        return [None if _declines(p, n) else c for n, c in enumerate(p.who5)]
    return [p.burnout]


def _declined_rows() -> list[Stored]:
    rows = stored(DECLINING, (BURNOUT, WHO5), answer=_declined_answers)
    return [
        Stored(r.answers, r.unit, {"role": "prefer_not" if p.id % 7 == 0 else p.role})
        for r, p in zip(rows, DECLINING, strict=True)
    ]


# 5. REDCap raw: WHO-5 coded 1-6 from "At no time"; nobody at "All of the time".
SHIFTED = people(5, who5_codes=range(5))
WHO5_FROM_ONE = numbered(codes_of(WHO5))  # 0 -> "1", …, 5 -> "6"


def redcap_shifted_who5() -> bytes:
    fields = [
        Question("burnout", BURNOUT_TEXT, lambda p: cell(as_codes(codes_of(BURNOUT)), p.burnout)),
        *[
            Question(f"who5_{n + 1}", text, lambda p, n=n: cell(WHO5_FROM_ONE, p.who5[n]))
            for n, text in enumerate(["who5"] * 5)
        ],
        *[
            Question(f"phq9_{n + 1}", "phq9", lambda p, n=n: cell(as_codes(range(4)), p.phq9[n]))
            for n in range(9)
        ],
        Question("department", "Department", _department),
    ]
    return csv_bytes(redcap_raw_rows(SHIFTED, fields))


# 6. The instrument's own codes, with 99 for "no answer" (a statistics package's user-missing).
NINETY_NINE = people(6)


def _or_99(code, n: int, p) -> str:
    return "99" if code is None or (p.id + n) % 11 == 0 else str(code)


def codes_with_99() -> bytes:
    header = ["response_id", "burnout", *[f"who5_{n}" for n in range(1, 6)], "unit"]
    rows = [header]
    for p in NINETY_NINE:
        rows.append(
            [f"r{p.id}", str(p.burnout), *[_or_99(c, n, p) for n, c in enumerate(p.who5)], p.unit]
        )
    return csv_bytes(rows)


def _ninety_nine_answers(p, instrument_id):
    if instrument_id == WHO5:
        return [None if (p.id + n) % 11 == 0 else c for n, c in enumerate(p.who5)]
    return [p.burnout]


# 7. LimeSurvey answer codes A1, A2, …: one confirmation per answer scale, not one per column.
LIME = people(7)
LIME_BURNOUT = numbered(codes_of(BURNOUT), prefix="A")
LIME_WHO5 = numbered(codes_of(WHO5), descending=True, prefix="A")  # A1 = All of the time
LIME_PHQ9 = numbered(codes_of(PHQ9), prefix="A")  # A1 = Not at all


def limesurvey_answer_codes() -> bytes:
    fields = [
        Question("burnout", BURNOUT_TEXT, lambda p: cell(LIME_BURNOUT, p.burnout)),
        *sub_questions("who5", WHO5, who5_of, LIME_WHO5),
        *sub_questions("phq9", PHQ9, phq9_of, LIME_PHQ9),
        Question("dept", "Department", _department),
    ]
    return csv_bytes(limesurvey_rows(LIME, fields))


# 8. Excel, the single-item measure numbered 0-4 from its first answer (a shifted range).
ZERO_BASED = people(8)
BURNOUT_FROM_ZERO = numbered(codes_of(BURNOUT), start=0)


def excel_zero_based_burnout() -> bytes:
    rows = [["response_id", "burnout", "unit"]]
    rows += [[f"x{p.id}", cell(BURNOUT_FROM_ZERO, p.burnout), p.unit] for p in ZERO_BASED]
    return xlsx_bytes(rows)


QUALTRICS_ITEMS = {"items": {BURNOUT: ["Q1"], WHO5: WHO5_Q}, "unit_column": "Department"}

CASES = [
    Case(
        "codes_qualtrics_reversed_who5.csv",
        qualtrics_reversed_who5,
        stored(REVERSED, (BURNOUT, WHO5)),
        columns=QUALTRICS_ITEMS,
        answers={WHO5_SCALE: known(WHO5_FIRST_IS_ALL), BURNOUT_SCALE: known(BURNOUT_IN_ORDER)},
        asked={WHO5_SCALE: {str(v) for v in range(1, 6)}},
        numbering={WHO5_SCALE: "1-down", BURNOUT_SCALE: "codes"},
    ),
    Case(
        "codes_spss_wording_variant.sav",
        spss_wording_variant,
        stored(VARIANT, (BURNOUT, WHO5)),
        columns={**QUALTRICS_ITEMS, "key_columns": ["ResponseId"]},
        answers={WHO5_SCALE: known(WHO5_FIRST_IS_ALL), BURNOUT_SCALE: known(BURNOUT_IN_ORDER)},
        # SPSS keeps 120 characters of a value label: the burnout measure's longest is cut.
        asked={WHO5_SCALE: {"4"}, BURNOUT_SCALE: {"5"}},
    ),
    Case(
        "codes_qualtrics_choice_text_typography.csv",
        qualtrics_choice_text_typography,
        stored(TYPED),
        columns={
            "items": {BURNOUT: ["Q1"], WHO5: WHO5_Q, PHQ9: PHQ9_Q},
            "unit_column": "Department",
        },
        answers={
            WHO5_SCALE: known(SHOUTED_WHO5),
            BURNOUT_SCALE: known(CURLY_BURNOUT),
            PHQ9_SCALE: known(labels_of(PHQ9)),
            "unit": {v: k for k, v in TYPED_UNITS.items()},
        },
        asked={WHO5_SCALE: set(), BURNOUT_SCALE: set(), PHQ9_SCALE: set(), "unit": set()},
        extra_units=(("Mother\u2013Baby Unit", "Nursing"),),
    ),
    Case(
        "codes_qualtrics_prefer_not_to_answer.csv",
        qualtrics_prefer_not_to_answer,
        _declined_rows(),
        columns={**QUALTRICS_ITEMS, "demographics": {"role": "Q5"}},
        answers={
            WHO5_SCALE: known(labels_of(WHO5), extra=missing_to(PREFER_NOT)),
            BURNOUT_SCALE: known(labels_of(BURNOUT)),
            "role": {"Nurse": "nurse", "Physician": "physician", "Other": "other"}
            | {PREFER_NOT: "prefer_not"},
        },
        asked={WHO5_SCALE: {PREFER_NOT}, "role": {PREFER_NOT}},
    ),
    Case(
        "codes_redcap_shifted_who5.csv",
        redcap_shifted_who5,
        stored(SHIFTED),
        columns={"unit_column": "department"},
        answers={
            WHO5_SCALE: known(WHO5_FROM_ONE),
            BURNOUT_SCALE: known(as_codes(codes_of(BURNOUT))),
            PHQ9_SCALE: known(as_codes(range(4))),
        },
        asked={WHO5_SCALE: {str(v) for v in range(1, 6)}},
        numbering={WHO5_SCALE: "1-up", BURNOUT_SCALE: "codes", PHQ9_SCALE: "codes"},
    ),
    Case(
        "codes_plain_99_for_no_answer.csv",
        codes_with_99,
        stored(NINETY_NINE, (BURNOUT, WHO5), answer=_ninety_nine_answers),
        answers={
            WHO5_SCALE: known(as_codes(codes_of(WHO5)), extra=missing_to("99")),
            BURNOUT_SCALE: known(as_codes(codes_of(BURNOUT))),
        },
    ),
    Case(
        "codes_limesurvey_answer_codes.csv",
        limesurvey_answer_codes,
        stored(LIME),
        columns={"unit_column": "dept"},
        answers={
            WHO5_SCALE: known(LIME_WHO5),
            BURNOUT_SCALE: known(LIME_BURNOUT),
            PHQ9_SCALE: known(LIME_PHQ9),
        },
        numbering={WHO5_SCALE: "1-down", BURNOUT_SCALE: "1-up", PHQ9_SCALE: "1-up"},
    ),
    Case(
        "codes_excel_zero_based_burnout.xlsx",
        excel_zero_based_burnout,
        stored(ZERO_BASED, (BURNOUT,)),
        answers={BURNOUT_SCALE: known(BURNOUT_FROM_ZERO)},
        numbering={BURNOUT_SCALE: "0-up"},
    ),
]
