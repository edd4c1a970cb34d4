"""Demographic questions an organization may add to a survey.

Every question is optional for the respondent and offers "Prefer not to say".
Categories are deliberately coarse: fine categories make small groups, and
small groups are suppressed in reports anyway.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

PREFER_NOT = "prefer_not"


@dataclass(frozen=True)
class DemographicQuestion:
    key: str
    name: str | Promise  # what reports and admins call it ("Career stage"), never the key
    label: str | Promise  # the question a respondent reads
    options: tuple[tuple[str, str | Promise], ...]

    @property
    def choices(self) -> tuple[tuple[str, str | Promise], ...]:
        return (*self.options, (PREFER_NOT, _("Prefer not to say")))

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(key for key, _label in self.choices)


DEMOGRAPHICS: dict[str, DemographicQuestion] = {
    q.key: q
    for q in (
        DemographicQuestion(
            "role",
            _("Role"),
            _("Which best describes your role?"),
            (
                ("physician", _("Physician")),
                ("resident_fellow", _("Resident or fellow")),
                ("nurse", _("Nurse")),
                ("advanced_practice", _("Nurse practitioner or physician assistant")),
                ("pharmacist", _("Pharmacist")),
                ("allied_health", _("Allied health professional")),
                ("student", _("Student or trainee")),
                ("support_staff", _("Administrative or support staff")),
                ("other", _("Other")),
            ),
        ),
        DemographicQuestion(
            "tenure",
            _("Time at this organization"),
            _("How long have you worked at this organization?"),
            (
                ("lt1", _("Less than 1 year")),
                ("1_5", _("1 to 5 years")),
                ("6_10", _("6 to 10 years")),
                ("11_20", _("11 to 20 years")),
                ("gt20", _("More than 20 years")),
            ),
        ),
        DemographicQuestion(
            "career_stage",
            _("Career stage"),
            _("Which best describes your career stage?"),
            (
                ("training", _("In training")),
                ("early", _("Early career")),
                ("mid", _("Mid career")),
                ("late", _("Late career")),
            ),
        ),
        DemographicQuestion(
            "work_setting",
            _("Work setting"),
            _("Where do you spend most of your working time?"),
            (
                ("inpatient", _("Inpatient care")),
                ("outpatient", _("Outpatient or ambulatory care")),
                ("emergency", _("Emergency or urgent care")),
                ("perioperative", _("Operating room or procedural area")),
                ("long_term", _("Long-term, home or community care")),
                ("non_clinical", _("Non-clinical setting")),
            ),
        ),
        DemographicQuestion(
            "schedule",
            _("Work schedule"),
            _("What is your usual work schedule?"),
            (
                ("full_time", _("Full time")),
                ("part_time", _("Part time")),
                ("per_diem", _("Per diem or as needed")),
            ),
        ),
    )
}

# The unit is asked like a demographic question, but its options are the organization's units.
UNIT_QUESTION = DemographicQuestion("unit", _("Unit"), _("Which unit do you work in?"), ())


def question(key: str) -> DemographicQuestion:
    """The question asked for ``key``, the unit's included (KeyError for an unknown key)."""
    return UNIT_QUESTION if key == UNIT_QUESTION.key else DEMOGRAPHICS[key]


MAX_OPEN_QUESTIONS = 3
MAX_COMMENT_LENGTH = 2000
