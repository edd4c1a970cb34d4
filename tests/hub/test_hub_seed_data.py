"""The knowledge hub's seed data: real resources and case studies in the shared schema.

The files are data, not code, so these checks are what keeps them loadable by the hub app:
every enumerated value must come from the schema's vocabularies (the Plan's seven priority
areas, the six essential elements, the conceptual-model factors...), every kind, element and
priority area must be represented, dates must be real ISO dates that have already happened,
and summaries must be short, distinct and in sentences. Pure Python: no database.
"""

import re
import tomllib
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import wellbeing

SEED = Path(wellbeing.__file__).parent / "hub" / "seed"

KINDS = {
    "research",
    "story",
    "toolkit",
    "presentation",
    "blog",
    "video",
    "report",
    "webinar",
    "case-study",
    "instrument-guide",
}
ELEMENTS = {
    "advancing-organizational-commitment",
    "strengthening-leadership-behaviors",
    "conducting-workplace-assessments",
    "examining-policies-and-practices",
    "enhancing-workplace-efficiency",
    "cultivating-a-culture-of-connection-and-support",
}
PRIORITY_AREAS = {
    "positive-work-and-learning-environments",
    "measurement-assessment-strategies-and-research",
    "mental-health-and-stigma",
    "compliance-regulatory-and-policy-barriers",
    "effective-technology-tools",
    "well-being-as-a-long-term-value",
    "diverse-and-inclusive-health-workforce",
}
FACTORS = {
    "society-and-culture",
    "rules-and-regulations",
    "organizational-factors",
    "learning-practice-environment",
    "health-care-responsibilities",
    "personal-factors",
    "skills-and-abilities",
    "professional-development-opportunities",
    "scope-of-practice",
    "external-factors",
    "individual-factors",
}
PROFESSIONS = {
    "physician",
    "nurse",
    "pharmacist",
    "physician-assistant",
    "advanced-practice-provider",
    "trainee",
    "student",
    "allied-health",
    "all-clinicians",
}
CARE_SETTINGS = {
    "hospital",
    "ambulatory",
    "academic-medical-center",
    "primary-care",
    "long-term-care",
    "community-health",
    "all-settings",
}
CAREER_STAGES = {"student", "trainee", "early-career", "mid-career", "late-career", "leader", "all"}
EVIDENCE = {
    "systematic-review",
    "randomized-trial",
    "observational-study",
    "consensus-report",
    "expert-opinion",
    "case-report",
    "practice-guide",
    "instrument-validation",
    "personal-narrative",
}

RESOURCE_STRINGS = ("slug", "title", "kind", "summary", "url", "authors", "publisher")
RESOURCE_STRINGS += ("published", "evidence", "source")
RESOURCE_LISTS = {
    "elements": ELEMENTS,
    "priority_areas": PRIORITY_AREAS,
    "factors": FACTORS,
    "professions": PROFESSIONS,
    "care_settings": CARE_SETTINGS,
    "career_stages": CAREER_STAGES,
}
CASE_STRINGS = ("slug", "title", "organization", "setting", "population", "challenge")
CASE_STRINGS += ("intervention", "timeline", "resources_needed", "lessons", "url")
CASE_STRINGS += ("published", "source", "summary", "authors", "publisher", "evidence")
CASE_LISTS = {
    "elements": ELEMENTS,
    "priority_areas": PRIORITY_AREAS,
    "factors": FACTORS,
    "professions": PROFESSIONS,
    "care_settings": CARE_SETTINGS,
    "career_stages": CAREER_STAGES,
}
OUTCOME_STRINGS = ("metric", "before", "after", "instrument")

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
WEB_ADDRESS = re.compile(r"https?://\S+")
# Abbreviations whose full stop does not end a sentence in our summaries.
ABBREVIATIONS = ("U.S.", "Dr.", "et al.", "e.g.", "i.e.", "vs.")
SENTENCE_END = re.compile(r"[.!?](?=\s+\S|$)")


def _load(name):
    with (SEED / name).open("rb") as handle:
        return tomllib.load(handle)


RESOURCES = _load("resources.toml")["resources"]
CASE_STUDIES = _load("case_studies.toml")["case_studies"]
PLACEMENTS = _load("compendium.toml")["placements"]


def _sentences(text):
    for abbreviation in ABBREVIATIONS:
        text = text.replace(abbreviation, abbreviation.replace(".", ""))
    return len(SENTENCE_END.findall(text.strip()))


def _parse_published(value):
    """An ISO date of one of the three allowed precisions, as the earliest day it allows."""
    for pattern, build in (
        (r"(\d{4})-(\d{2})-(\d{2})", lambda y, m, d: date(y, m, d)),
        (r"(\d{4})-(\d{2})", lambda y, m: date(y, m, 1)),
        (r"(\d{4})", lambda y: date(y, 1, 1)),
    ):
        match = re.fullmatch(pattern, value)
        if match:
            return build(*(int(part) for part in match.groups()))
    raise ValueError(f"published={value!r} is not YYYY-MM-DD, YYYY-MM or YYYY")


def _ids(records):
    return [record.get("slug", "?") for record in records]


def test_the_seed_files_hold_enough_real_entries():
    assert len(RESOURCES) + len(CASE_STUDIES) >= 65
    assert len(CASE_STUDIES) >= 9


@pytest.mark.parametrize("records", [RESOURCES, CASE_STUDIES], ids=["resources", "case_studies"])
def test_slugs_are_unique_and_lowercase_hyphenated(records):
    slugs = [record["slug"] for record in records]
    assert len(slugs) == len(set(slugs))
    malformed = [slug for slug in slugs if not SLUG.fullmatch(slug)]
    assert malformed == []


@pytest.mark.parametrize("resource", RESOURCES, ids=_ids(RESOURCES))
def test_each_resource_has_exactly_the_schema_fields(resource):
    assert set(resource) == set(RESOURCE_STRINGS) | set(RESOURCE_LISTS)
    for field in RESOURCE_STRINGS:
        assert isinstance(resource[field], str), field
        if field != "authors":  # "" means an institutional author only
            assert resource[field].strip(), field


@pytest.mark.parametrize("resource", RESOURCES, ids=_ids(RESOURCES))
def test_each_resource_uses_only_the_schema_vocabularies(resource):
    assert resource["kind"] in KINDS
    assert resource["evidence"] in EVIDENCE
    for field, allowed in RESOURCE_LISTS.items():
        values = resource[field]
        assert isinstance(values, list), field
        assert set(values) <= allowed, (field, set(values) - allowed)
        assert len(values) == len(set(values)), field


@pytest.mark.parametrize(
    ("field", "vocabulary"),
    [("kind", KINDS), ("elements", ELEMENTS), ("priority_areas", PRIORITY_AREAS)],
)
def test_every_kind_element_and_priority_area_is_covered(field, vocabulary):
    seen = set()
    for resource in RESOURCES + [case | {"kind": "case-study"} for case in CASE_STUDIES]:
        value = resource[field]
        seen.update(value if isinstance(value, list) else [value])
    assert vocabulary - seen == set()


@pytest.mark.parametrize("record", RESOURCES + CASE_STUDIES, ids=_ids(RESOURCES + CASE_STUDIES))
def test_links_and_sources_are_web_addresses(record):
    assert WEB_ADDRESS.fullmatch(record["url"])
    assert record["source"].startswith(("http://", "https://"))


@pytest.mark.parametrize("record", RESOURCES + CASE_STUDIES, ids=_ids(RESOURCES + CASE_STUDIES))
def test_publication_dates_are_iso_and_not_in_the_future(record):
    assert _parse_published(record["published"]) <= datetime.now(tz=UTC).date()


@pytest.mark.parametrize("resource", RESOURCES, ids=_ids(RESOURCES))
def test_summaries_are_two_to_four_sentences_under_800_characters(resource):
    summary = resource["summary"]
    assert len(summary) < 800
    assert 2 <= _sentences(summary) <= 4, summary
    assert summary.rstrip().endswith((".", "!", "?"))


def test_no_two_summaries_are_identical():
    summaries = [" ".join(resource["summary"].split()).lower() for resource in RESOURCES]
    assert len(summaries) == len(set(summaries))


def test_no_two_resources_share_a_title_or_link():
    """A case study is one resource: never also a row of resources.toml (the old duplicates)."""
    records = RESOURCES + CASE_STUDIES
    titles = [record["title"].lower() for record in records]
    urls = [record["url"] for record in records]
    assert len(titles) == len(set(titles))
    assert len(urls) == len(set(urls))
    assert [r["slug"] for r in RESOURCES if r["kind"] == "case-study"] == []


def test_a_replaced_slug_is_no_longer_a_seed_entry():
    slugs = {record["slug"] for record in RESOURCES + CASE_STUDIES}
    replaced = [slug for case in CASE_STUDIES for slug in case["replaces"]]
    assert len(replaced) == len(set(replaced))
    assert slugs & set(replaced) == set()


@pytest.mark.parametrize("case", CASE_STUDIES, ids=_ids(CASE_STUDIES))
def test_each_case_study_has_the_schema_fields_and_vocabularies(case):
    assert set(case) - {"outcomes"} == set(CASE_STRINGS) | set(CASE_LISTS) | {"replaces"}
    for field in CASE_STRINGS:
        assert isinstance(case[field], str), field
    for field in ("slug", "title", "organization", "population", "challenge", "intervention"):
        assert case[field].strip(), field
    assert case["setting"] in CARE_SETTINGS
    assert case["evidence"] in EVIDENCE
    assert 2 <= _sentences(case["summary"]) <= 4 and len(case["summary"]) < 800
    for field, allowed in CASE_LISTS.items():
        assert isinstance(case[field], list), field
        assert set(case[field]) <= allowed, (field, set(case[field]) - allowed)


def test_each_compendium_placement_names_a_seed_resource_an_element_and_a_reason():
    slugs = {record["slug"] for record in RESOURCES + CASE_STUDIES}
    keys = [(p["element"], p["slug"]) for p in PLACEMENTS]
    assert len(keys) == len(set(keys))
    for placement in PLACEMENTS:
        assert set(placement) == {"element", "slug", "reason"}
        assert placement["element"] in ELEMENTS
        assert placement["slug"] in slugs, placement["slug"]
        assert placement["reason"].strip().endswith("."), placement["slug"]
    assert {p["element"] for p in PLACEMENTS} == ELEMENTS


@pytest.mark.parametrize("case", CASE_STUDIES, ids=_ids(CASE_STUDIES))
def test_case_study_outcomes_name_a_metric_and_a_published_figure(case):
    for outcome in case.get("outcomes", []):
        assert set(outcome) == set(OUTCOME_STRINGS)
        assert all(isinstance(outcome[field], str) for field in OUTCOME_STRINGS)
        assert outcome["metric"].strip()
        # An outcome row exists only for a figure read in the source.
        assert outcome["before"].strip() or outcome["after"].strip()


def test_most_case_studies_report_measured_outcomes():
    with_outcomes = [case for case in CASE_STUDIES if case.get("outcomes")]
    assert len(with_outcomes) >= 6


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two.", 2),
        ("The U.S. Surgeon General wrote it. Dr. Breen is remembered.", 2),
        ("Costs were 4.6 billion dollars. Readers agree. Yes? Fine!", 4),
    ],
)
def test_the_sentence_counter_ignores_abbreviations_and_decimals(text, expected):
    assert _sentences(text) == expected


@pytest.mark.parametrize(
    "value", ["2022-13", "22-10-03", "2022/10/03", "October 2022", "2022-02-30"]
)
def test_the_date_parser_rejects_other_formats(value):
    with pytest.raises(ValueError):
        _parse_published(value)
