"""The hub's enumerations: the seed-file schema's vocabularies, one place.

Priority areas and conceptual-model factors are not here: they are rows of
``plan`` (``PriorityArea``, ``ModelElement``) and resources link to them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    RESEARCH = "research", _("Peer-reviewed research")
    STORY = "story", _("Personal story")
    TOOLKIT = "toolkit", _("Toolkit")
    PRESENTATION = "presentation", _("Presentation")
    BLOG = "blog", _("Blog post")
    VIDEO = "video", _("Video")
    REPORT = "report", _("Report")
    WEBINAR = "webinar", _("Webinar")
    CASE_STUDY = "case-study", _("Case study")
    INSTRUMENT_GUIDE = "instrument-guide", _("Instrument guide")


class Element(models.TextChoices):
    """The resource compendium's six essential elements, in the compendium's order."""

    COMMITMENT = "advancing-organizational-commitment", _("Advancing organizational commitment")
    LEADERSHIP = "strengthening-leadership-behaviors", _("Strengthening leadership behaviors")
    ASSESSMENTS = "conducting-workplace-assessments", _("Conducting workplace assessments")
    POLICIES = "examining-policies-and-practices", _("Examining policies and practices")
    EFFICIENCY = "enhancing-workplace-efficiency", _("Enhancing workplace efficiency")
    CONNECTION = (
        "cultivating-a-culture-of-connection-and-support",
        _("Cultivating a culture of connection and support"),
    )


class Profession(models.TextChoices):
    PHYSICIAN = "physician", _("Physician")
    NURSE = "nurse", _("Nurse")
    PHARMACIST = "pharmacist", _("Pharmacist")
    PHYSICIAN_ASSISTANT = "physician-assistant", _("Physician assistant")
    APP = "advanced-practice-provider", _("Advanced practice provider")
    TRAINEE = "trainee", _("Trainee")
    STUDENT = "student", _("Student")
    ALLIED = "allied-health", _("Allied health")
    ALL = "all-clinicians", _("All clinicians")


class CareSetting(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital")
    AMBULATORY = "ambulatory", _("Ambulatory care")
    AMC = "academic-medical-center", _("Academic medical center")
    PRIMARY = "primary-care", _("Primary care")
    LONG_TERM = "long-term-care", _("Long-term care")
    COMMUNITY = "community-health", _("Community health")
    ALL = "all-settings", _("All settings")


class CareerStage(models.TextChoices):
    STUDENT = "student", _("Student")
    TRAINEE = "trainee", _("Trainee")
    EARLY = "early-career", _("Early career")
    MID = "mid-career", _("Mid-career")
    LATE = "late-career", _("Late career")
    LEADER = "leader", _("Leader")
    ALL = "all", _("All career stages")


class Evidence(models.TextChoices):
    """Level of evidence, strongest first (matching ranks ties by this order)."""

    SYSTEMATIC_REVIEW = "systematic-review", _("Systematic review")
    RANDOMIZED_TRIAL = "randomized-trial", _("Randomized trial")
    OBSERVATIONAL = "observational-study", _("Observational study")
    CONSENSUS = "consensus-report", _("Consensus report")
    EXPERT_OPINION = "expert-opinion", _("Expert opinion")
    CASE_REPORT = "case-report", _("Case report")
    PRACTICE_GUIDE = "practice-guide", _("Practice guide")
    INSTRUMENT_VALIDATION = "instrument-validation", _("Instrument validation")
    PERSONAL_NARRATIVE = "personal-narrative", _("Personal narrative")


EVIDENCE_ORDER = {value: rank for rank, value in enumerate(Evidence.values)}

# Multi-valued enumerations stored as lists on a resource: field name -> choices.
LIST_FIELDS: dict[str, type[models.TextChoices]] = {
    "elements": Element,
    "professions": Profession,
    "care_settings": CareSetting,
    "career_stages": CareerStage,
}

# Search facets: URL parameter -> label (the values come from ENUM_FACETS or the Plan).
FACETS: dict[str, str] = {
    "kind": _("Type"),
    "element": _("Essential element"),
    "priority_area": _("Priority area"),
    "factor": _("Conceptual-model factor"),
    "profession": _("Profession"),
    "setting": _("Care setting"),
    "stage": _("Career stage"),
    "evidence": _("Level of evidence"),
}
ENUM_FACETS: dict[str, type[models.TextChoices]] = {
    "kind": Kind,
    "element": Element,
    "profession": Profession,
    "setting": CareSetting,
    "stage": CareerStage,
    "evidence": Evidence,
}
