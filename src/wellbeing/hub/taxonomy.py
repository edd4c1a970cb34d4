"""The hub's enumerations: the seed-file schema's vocabularies, one place.

Priority areas and conceptual-model factors are not here: they are rows of
``plan`` (``PriorityArea``, ``ModelElement``) and resources link to them.
"""

from django.db import models


class Kind(models.TextChoices):
    RESEARCH = "research", "Peer-reviewed research"
    STORY = "story", "Personal story"
    TOOLKIT = "toolkit", "Toolkit"
    PRESENTATION = "presentation", "Presentation"
    BLOG = "blog", "Blog post"
    VIDEO = "video", "Video"
    REPORT = "report", "Report"
    WEBINAR = "webinar", "Webinar"
    CASE_STUDY = "case-study", "Case study"
    INSTRUMENT_GUIDE = "instrument-guide", "Instrument guide"


class Element(models.TextChoices):
    """The resource compendium's six essential elements, in the compendium's order."""

    COMMITMENT = "advancing-organizational-commitment", "Advancing organizational commitment"
    LEADERSHIP = "strengthening-leadership-behaviors", "Strengthening leadership behaviors"
    ASSESSMENTS = "conducting-workplace-assessments", "Conducting workplace assessments"
    POLICIES = "examining-policies-and-practices", "Examining policies and practices"
    EFFICIENCY = "enhancing-workplace-efficiency", "Enhancing workplace efficiency"
    CONNECTION = (
        "cultivating-a-culture-of-connection-and-support",
        "Cultivating a culture of connection and support",
    )


class Profession(models.TextChoices):
    PHYSICIAN = "physician", "Physician"
    NURSE = "nurse", "Nurse"
    PHARMACIST = "pharmacist", "Pharmacist"
    PHYSICIAN_ASSISTANT = "physician-assistant", "Physician assistant"
    APP = "advanced-practice-provider", "Advanced practice provider"
    TRAINEE = "trainee", "Trainee"
    STUDENT = "student", "Student"
    ALLIED = "allied-health", "Allied health"
    ALL = "all-clinicians", "All clinicians"


class CareSetting(models.TextChoices):
    HOSPITAL = "hospital", "Hospital"
    AMBULATORY = "ambulatory", "Ambulatory care"
    AMC = "academic-medical-center", "Academic medical center"
    PRIMARY = "primary-care", "Primary care"
    LONG_TERM = "long-term-care", "Long-term care"
    COMMUNITY = "community-health", "Community health"
    ALL = "all-settings", "All settings"


class CareerStage(models.TextChoices):
    STUDENT = "student", "Student"
    TRAINEE = "trainee", "Trainee"
    EARLY = "early-career", "Early career"
    MID = "mid-career", "Mid-career"
    LATE = "late-career", "Late career"
    LEADER = "leader", "Leader"
    ALL = "all", "All career stages"


class Evidence(models.TextChoices):
    """Level of evidence, strongest first (matching ranks ties by this order)."""

    SYSTEMATIC_REVIEW = "systematic-review", "Systematic review"
    RANDOMIZED_TRIAL = "randomized-trial", "Randomized trial"
    OBSERVATIONAL = "observational-study", "Observational study"
    CONSENSUS = "consensus-report", "Consensus report"
    EXPERT_OPINION = "expert-opinion", "Expert opinion"
    CASE_REPORT = "case-report", "Case report"
    PRACTICE_GUIDE = "practice-guide", "Practice guide"
    INSTRUMENT_VALIDATION = "instrument-validation", "Instrument validation"
    PERSONAL_NARRATIVE = "personal-narrative", "Personal narrative"


EVIDENCE_ORDER = {value: rank for rank, value in enumerate(Evidence.values)}

# Multi-valued enumerations stored as lists on a resource: field name -> choices.
LIST_FIELDS: dict[str, type[models.TextChoices]] = {
    "elements": Element,
    "professions": Profession,
    "care_settings": CareSetting,
    "career_stages": CareerStage,
}

# Search facets: URL parameter -> (label, where its values come from).
FACETS: dict[str, str] = {
    "kind": "Type",
    "element": "Essential element",
    "priority_area": "Priority area",
    "factor": "Conceptual-model factor",
    "profession": "Profession",
    "setting": "Care setting",
    "stage": "Career stage",
    "evidence": "Level of evidence",
}
ENUM_FACETS: dict[str, type[models.TextChoices]] = {
    "kind": Kind,
    "element": Element,
    "profession": Profession,
    "setting": CareSetting,
    "stage": CareerStage,
    "evidence": Evidence,
}
