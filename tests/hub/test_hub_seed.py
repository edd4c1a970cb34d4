"""The seed loader: exactly the shared schema, idempotent, loud about bad records."""

import pytest
from django.core.management import call_command

from wellbeing.hub.models import Outcome, Resource, Revision
from wellbeing.hub.search import search
from wellbeing.hub.seed import SeedError, load_seed

pytestmark = pytest.mark.django_db

RESOURCES = """
[[resources]]
slug = "example-plan"
title = "An example plan"
kind = "report"
summary = "Written for the loader's tests."
url = "https://example.org/plan"
authors = "Doe J, ed."
publisher = "Example Press"
published = "2022-10"
elements = ["conducting-workplace-assessments"]
priority_areas = ["positive-work-and-learning-environments"]
factors = ["organizational-factors"]
professions = ["physician", "nurse"]
care_settings = ["hospital"]
career_stages = ["all"]
evidence = "consensus-report"
source = "https://example.org/plan (checked for the test)"

[[resources]]
slug = "example-story"
title = "An example story"
kind = "story"
summary = "A second record."
url = "https://example.org/story"
authors = ""
publisher = "Example Blog"
published = "2021"
elements = []
priority_areas = []
factors = []
professions = []
care_settings = []
career_stages = []
evidence = "personal-narrative"
source = "https://example.org/story"
"""

CASES = """
[[case_studies]]
slug = "example-case"
title = "An example case"
organization = "Example Health (fictional)"
setting = "academic-medical-center"
population = "Residents"
challenge = "Long hours"
intervention = "Protected sleep time"
timeline = ""
resources_needed = ""
lessons = "Start small."
url = "https://example.org/case"
published = "2020-05"
elements = ["enhancing-workplace-efficiency"]
priority_areas = []
factors = ["learning-practice-environment"]
professions = ["trainee"]
source = "https://example.org/case"
[[case_studies.outcomes]]
metric = "Burnout rate"
before = "45%"
after = "30%"
instrument = "Mini Z"
[[case_studies.outcomes]]
metric = "Sleep hours"
before = ""
after = ""
instrument = ""
"""


def test_it_loads_resources_and_case_studies_of_the_shared_schema(write_seed, tmp_path):
    report = load_seed(write_seed(tmp_path, RESOURCES, CASES))
    assert (report.created, report.updated, report.case_studies) == (3, 0, 1)
    plan = Resource.objects.get(slug="example-plan")
    assert plan.is_published and plan.professions == ["physician", "nurse"]
    assert [a.slug for a in plan.priority_areas.all()] == [
        "positive-work-and-learning-environments"
    ]
    assert [f.slug for f in plan.factors.all()] == ["organizational-factors"]
    case = Resource.objects.get(slug="example-case")
    assert case.kind == "case-study" and case.care_settings == ["academic-medical-center"]
    assert case.case_study.lessons == "Start small."
    assert list(
        case.case_study.outcomes.values_list("metric", "before", "after", "instrument")
    ) == [
        ("Burnout rate", "45%", "30%", "Mini Z"),
        ("Sleep hours", "", "", ""),
    ]
    assert search("protected sleep").hits[0].resource.slug == "example-case"


def test_loading_twice_changes_nothing(write_seed, tmp_path):
    seed = write_seed(tmp_path, RESOURCES, CASES)
    load_seed(seed)
    before = (Resource.objects.count(), Revision.objects.count(), Outcome.objects.count())
    report = load_seed(seed)
    assert (report.created, report.updated) == (0, 3)
    assert (Resource.objects.count(), Revision.objects.count(), Outcome.objects.count()) == before


def test_a_changed_record_is_updated_with_a_new_revision(write_seed, tmp_path):
    load_seed(write_seed(tmp_path, RESOURCES))
    load_seed(write_seed(tmp_path, RESOURCES.replace("An example plan", "A renamed plan")))
    plan = Resource.objects.get(slug="example-plan")
    assert plan.title == "A renamed plan"
    assert plan.revisions.count() == 2
    assert search("renamed").total == 1


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('kind = "report"', 'kind = "podcast"', "kind"),
        ('evidence = "consensus-report"', 'evidence = "anecdote"', "evidence"),
        ('professions = ["physician", "nurse"]', 'professions = ["surgeon"]', "professions"),
        ('factors = ["organizational-factors"]', 'factors = ["no-such-factor"]', "no-such-factor"),
        ('published = "2022-10"', 'published = "October 2022"', "published"),
        ('source = "https://example.org/plan (checked for the test)"', 'source = ""', "source"),
        ('publisher = "Example Press"', 'publisher = "Example Press"\ncolour = "red"', "colour"),
        ('slug = "example-story"', 'slug = "example-plan"', "duplicate"),
    ],
)
def test_a_bad_record_stops_the_load_and_names_the_problem(write_seed, tmp_path, old, new, message):
    assert old in RESOURCES
    with pytest.raises(SeedError, match=message):
        load_seed(write_seed(tmp_path, RESOURCES.replace(old, new), CASES))
    assert Resource.objects.count() == 0


def test_without_seed_files_it_does_nothing_and_says_so(write_seed, tmp_path):
    report = load_seed(tmp_path)
    assert (report.created, report.updated) == (0, 0)
    assert "No resources.toml" in str(report) and "No case_studies.toml" in str(report)


def test_the_management_command_loads_and_reports(write_seed, tmp_path, capsys):
    call_command("load_hub", "--dir", str(write_seed(tmp_path, RESOURCES, CASES)))
    assert "3 created" in capsys.readouterr().out
    assert Resource.objects.published().count() == 3


PLACEMENTS = """
[[placements]]
element = "conducting-workplace-assessments"
slug = "example-plan"
reason = "Read it before choosing a survey."
"""


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('slug = "example-plan"', 'slug = "no-such-resource"', "no-such-resource"),
        ("conducting-workplace-assessments", "conducting-workforce-assessments", "element"),
        ('reason = "Read it before choosing a survey."', 'reason = ""', "reason"),
    ],
)
def test_a_bad_placement_stops_the_load(write_seed, tmp_path, old, new, message):
    seed = write_seed(tmp_path, RESOURCES, CASES)
    (seed / "compendium.toml").write_text(PLACEMENTS.replace(old, new), encoding="utf-8")
    with pytest.raises(SeedError, match=message):
        load_seed(seed)
    assert Resource.objects.count() == 0


def test_placements_load_once_with_their_reason(write_seed, tmp_path):
    seed = write_seed(tmp_path, RESOURCES, CASES)
    (seed / "compendium.toml").write_text(PLACEMENTS, encoding="utf-8")
    assert load_seed(seed).placements == 1
    plan = Resource.objects.get(slug="example-plan")
    assert plan.compendium_entries.get().note == "Read it before choosing a survey."
    revisions = plan.revisions.count()
    assert load_seed(seed).placements == 0
    assert plan.revisions.count() == revisions


def test_a_case_study_cannot_replace_itself(write_seed, tmp_path):
    cases = CASES.replace(
        'source = "https://example.org/case"',
        'source = "https://example.org/case"\nreplaces = ["example-case"]',
    )
    with pytest.raises(SeedError, match="replace itself"):
        load_seed(write_seed(tmp_path, RESOURCES, cases))
