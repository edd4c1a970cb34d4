"""The hub's test world: resources created through ``hub.actions``, as staff would."""

import textwrap

import pytest


@pytest.fixture
def make_resource(db):
    from wellbeing.hub import actions

    def make(slug, title, summary="A resource.", *, status="published", **fields):
        areas = fields.pop("priority_areas", [])
        factors = fields.pop("factors", [])
        case_study = fields.pop("case_study", None)
        outcomes = fields.pop("outcomes", [])
        values = {
            "slug": slug,
            "title": title,
            "summary": summary,
            "kind": "report",
            "url": f"https://example.org/{slug}",
            "source": f"https://example.org/{slug}",
            "status": status,
            **fields,
        }
        resource, _ = actions.upsert_resource(
            values, priority_areas=areas, factors=factors, case_study=case_study, outcomes=outcomes
        )
        return resource

    return make


@pytest.fixture
def library(make_resource):
    """Twelve published resources with varied taxonomy, one draft, one case study."""
    rows = [
        ("peer-support", "Peer support programs", "Colleagues listen after adverse events.",
         {"kind": "toolkit", "elements": ["cultivating-a-culture-of-connection-and-support"],
          "professions": ["physician", "nurse"], "evidence": "observational-study",
          "factors": ["organizational-factors"], "published": "2021-03"}),
        ("inbox-time", "Reducing inbox time", "Team documentation lowers burnout.",
         {"kind": "research", "elements": ["enhancing-workplace-efficiency"],
          "professions": ["physician"], "evidence": "randomized-trial",
          "factors": ["learning-practice-environment", "organizational-factors"],
          "priority_areas": ["effective-technology-tools"], "published": "2023-01"}),
        ("leader-rounds", "Leadership rounds", "Leaders ask what gets in the way.",
         {"kind": "toolkit", "elements": ["strengthening-leadership-behaviors"],
          "professions": ["nurse"], "care_settings": ["hospital"], "evidence": "practice-guide",
          "priority_areas": ["positive-work-and-learning-environments"], "published": "2022"}),
        ("measure-first", "Measure before acting", "Survey the workforce with validated instruments.",
         {"kind": "report", "elements": ["conducting-workplace-assessments"],
          "professions": ["all-clinicians"], "evidence": "consensus-report",
          "priority_areas": ["measurement-assessment-strategies-and-research"], "published": "2022-10"}),
        ("licensure", "Licensure questions and help-seeking", "Mental health questions deter care.",
         {"kind": "research", "elements": ["examining-policies-and-practices"],
          "professions": ["physician", "nurse", "pharmacist"], "evidence": "observational-study",
          "factors": ["rules-and-regulations"], "priority_areas": ["mental-health-and-stigma"],
          "published": "2020-06"}),
        ("night-shift", "A nurse's night shift", "A personal story about fatigue and burnout.",
         {"kind": "story", "professions": ["nurse"], "care_settings": ["hospital"],
          "career_stages": ["early-career"], "evidence": "personal-narrative", "published": "2019"}),
        ("trainee-duty", "Trainee duty hours", "Scheduling for residents.",
         {"kind": "research", "professions": ["trainee"], "career_stages": ["trainee"],
          "evidence": "systematic-review", "factors": ["learning-practice-environment"],
          "published": "2018-05"}),
        ("pharmacy-workload", "Pharmacy workload", "Staffing and burnout in pharmacies.",
         {"kind": "blog", "professions": ["pharmacist"], "care_settings": ["community-health"],
          "published": "2024-02"}),
        ("commitment", "Making well-being a value", "Boards put well-being on the agenda.",
         {"kind": "presentation", "elements": ["advancing-organizational-commitment"],
          "priority_areas": ["well-being-as-a-long-term-value"], "evidence": "expert-opinion",
          "published": "2021"}),
        ("webinar-ehr", "EHR usability webinar", "Usability of electronic records.",
         {"kind": "webinar", "elements": ["enhancing-workplace-efficiency"],
          "priority_areas": ["effective-technology-tools"], "published": "2023-06"}),
        ("video-stigma", "Talking about stigma", "A short film on seeking help.",
         {"kind": "video", "priority_areas": ["mental-health-and-stigma"],
          "professions": ["student"], "published": "2022-05"}),
        ("mini-z-guide", "Using the Mini Z", "How to field a short burnout survey.",
         {"kind": "instrument-guide", "elements": ["conducting-workplace-assessments"],
          "evidence": "instrument-validation", "published": "2020"}),
    ]  # fmt: skip
    made = {
        slug: make_resource(slug, title, summary, **extra) for slug, title, summary, extra in rows
    }
    made["draft"] = make_resource(
        "draft-burnout", "Unpublished burnout draft", "Not yet public.", status="draft"
    )
    made["case"] = make_resource(
        "scribes-case",
        "Scribes in primary care",
        "Scribes took over documentation.",
        kind="case-study",
        care_settings=["primary-care"],
        professions=["physician"],
        elements=["enhancing-workplace-efficiency"],
        published="2021-09",
        case_study={
            "organization": "Example Clinic (fictional, for tests)",
            "setting": "primary-care",
            "population": "Primary-care physicians",
            "challenge": "Evenings spent on notes",
            "intervention": "Scribes took over documentation",
        },
        outcomes=[{"metric": "Burnout", "before": "40%", "after": "25%", "instrument": "Mini Z"}],
    )
    return made


@pytest.fixture
def write_seed():
    return _write_seed


def _write_seed(directory, resources: str = "", case_studies: str = ""):
    if resources:
        (directory / "resources.toml").write_text(textwrap.dedent(resources), encoding="utf-8")
    if case_studies:
        (directory / "case_studies.toml").write_text(
            textwrap.dedent(case_studies), encoding="utf-8"
        )
    return directory
