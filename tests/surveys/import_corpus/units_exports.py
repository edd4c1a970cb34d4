"""Units and demographics: by name, never by a numeric code taken as a unit's id.

The first is the case of issue 24: a Qualtrics numeric export whose unit question was built
with "Nursing" first, so 1 = "Nursing", which an id lookup stores under the unit whose id is 1.
"""

from import_corpus import Case
from import_corpus._layouts import (
    BURNOUT,
    BURNOUT_SCALE,
    ROLE_LABELS,
    Question,
    as_codes,
    cell,
    codes_of,
    csv_bytes,
    known,
    labels_of,
    people,
    qualtrics_rows,
    sav_bytes,
    stored,
)

BURNOUT_TEXT = (
    "Overall, based on your definition of burnout, how would you rate your level of burnout?"
)
BURNOUT_CODES = as_codes(codes_of(BURNOUT))
# The unit question's choices as the survey's designer created them: recode values 1-4.
UNIT_CHOICES = ("Nursing", "Emergency Department", "Intensive Care Unit", "ICU Night Team")
UNIT_CODES = {name: str(n) for n, name in enumerate(UNIT_CHOICES, start=1)}
ROLE_CODES = {"nurse": "1", "physician": "2", "other": "3"}


def _burnout(p) -> str:
    return cell(BURNOUT_CODES, p.burnout)


# 1. Qualtrics numeric: the unit question as recode values (1 = "Nursing").
CODED = people(11, n=36)


def qualtrics_unit_codes() -> bytes:
    questions = [
        Question("Q1", BURNOUT_TEXT, _burnout),
        Question("Q4", "Which unit do you work in?", lambda p: UNIT_CODES[p.unit]),
    ]
    return csv_bytes(qualtrics_rows(CODED, questions, choice_text=False))


# 2. SPSS: unit and role codes with value labels that name them.
LABELLED = people(12)


def spss_unit_labels() -> bytes:
    columns = {
        "ResponseId": [f"R_{p.id:04d}" for p in LABELLED],
        "Q1": [_burnout(p) for p in LABELLED],
        "Q4": [UNIT_CODES[p.unit] for p in LABELLED],
        "Q5": [ROLE_CODES[p.role] for p in LABELLED],
    }
    labels = {
        "Q1": {float(c): t for c, t in labels_of(BURNOUT).items()},
        "Q4": {float(code): name for name, code in UNIT_CODES.items()},
        "Q5": {float(code): ROLE_LABELS[key] for key, code in ROLE_CODES.items()},
    }
    return sav_bytes(columns, labels)


# 3. Unit names typed differently from the organization's list.
TYPED = people(
    13, units=("Emergency Department", "Nursing", "Intensive Care Unit", "Mother\u2013Baby Unit")
)
TYPED_NAMES = {
    "Emergency Department": "  emergency   department ",
    "Nursing": "NURSING",
    "Intensive Care Unit": "Intensive  Care Unit",
    "Mother\u2013Baby Unit": "Mother-Baby Unit",
}


def plain_unit_name_variants() -> bytes:
    rows = [["response_id", "burnout", "unit"]]
    rows += [[f"v{p.id}", _burnout(p), TYPED_NAMES[p.unit]] for p in TYPED]
    return csv_bytes(rows)


# 4. Short codes for units and roles, translated by recoding rules on those columns.
SHORT = people(14)
SHORT_UNITS = {
    "Emergency Department": "ED",
    "Nursing": "NUR",
    "Intensive Care Unit": "ICU",
    "ICU Night Team": "ICU-N",
}
SHORT_ROLES = {"nurse": "RN", "physician": "MD", "other": "OTH"}
SHORT_RULES = "\n".join(
    [f"unit: {code} = {name}" for name, code in SHORT_UNITS.items()]
    + [f"job: {code} = {key}" for key, code in SHORT_ROLES.items()]
)


def plain_unit_rules() -> bytes:
    rows = [["response_id", "burnout", "unit", "job"]]
    rows += [[f"s{p.id}", _burnout(p), SHORT_UNITS[p.unit], SHORT_ROLES[p.role]] for p in SHORT]
    return csv_bytes(rows)


# 5. A unit the organization does not have: refused until the person says where it goes.
ELSEWHERE = people(15, units=("Emergency Department", "Cardiology"))


def plain_unknown_unit() -> bytes:
    rows = [["response_id", "burnout", "unit"]]
    rows += [[f"c{p.id}", _burnout(p), p.unit] for p in ELSEWHERE]
    return csv_bytes(rows)


CASES = [
    Case(
        "units_qualtrics_unit_codes.csv",
        qualtrics_unit_codes,
        stored(CODED, (BURNOUT,)),
        columns={"items": {BURNOUT: ["Q1"]}, "unit_column": "Q4"},
        answers={
            BURNOUT_SCALE: known(BURNOUT_CODES),
            "unit": {code: name for name, code in UNIT_CODES.items()},
        },
        asked={"unit": set(UNIT_CODES.values())},
        numbering={BURNOUT_SCALE: "codes"},
    ),
    Case(
        "units_spss_value_labels.sav",
        spss_unit_labels,
        stored(LABELLED, (BURNOUT,), role=True),
        columns={
            "items": {BURNOUT: ["Q1"]},
            "unit_column": "Q4",
            "demographics": {"role": "Q5"},
            "key_columns": ["ResponseId"],
        },
        answers={
            BURNOUT_SCALE: known(BURNOUT_CODES),
            "unit": {code: name for name, code in UNIT_CODES.items()},
            "role": {code: key for key, code in ROLE_CODES.items()},
        },
        # SPSS keeps 120 characters of a value label: the burnout measure's longest is cut.
        asked={BURNOUT_SCALE: {"5"}, "unit": set(), "role": set()},
    ),
    Case(
        "units_plain_name_variants.csv",
        plain_unit_name_variants,
        stored(TYPED, (BURNOUT,)),
        answers={
            BURNOUT_SCALE: known(BURNOUT_CODES),
            "unit": {typed.strip(): name for name, typed in TYPED_NAMES.items()},
        },
        asked={"unit": set()},
        extra_units=(("Mother\u2013Baby Unit", "Nursing"),),
    ),
    Case(
        "units_plain_recoding_rules.csv",
        plain_unit_rules,
        stored(SHORT, (BURNOUT,), role=True),
        columns={"demographics": {"role": "job"}},
        answers={BURNOUT_SCALE: known(BURNOUT_CODES)},
        recode=SHORT_RULES,
    ),
    Case(
        "units_plain_unknown_unit.csv",
        plain_unknown_unit,
        None,
        answers={BURNOUT_SCALE: known(BURNOUT_CODES)},
        refused="choose a unit",
    ),
]
