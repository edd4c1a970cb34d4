"""The National Plan as loaded by ``migrate`` (data migration 0002) and by the loader.

Expected facts come from the shared research notes
(national_plan_and_collaborative.md, sections 1 and 4): only [V] and [S] facts
are data; [U] recollections must never appear.
"""

import pytest

from wellbeing.plan import data
from wellbeing.plan.loader import load_national_plan
from wellbeing.plan.models import (
    ActorGroup,
    Goal,
    ModelElement,
    PriorityArea,
    PublicationFact,
    RecommendedAction,
)

pytestmark = pytest.mark.django_db

EXPECTED_AREAS = [
    (1, "positive-work-and-learning-environments"),
    (2, "measurement-assessment-strategies-and-research"),
    (3, "mental-health-and-stigma"),
    (4, "compliance-regulatory-and-policy-barriers"),
    (5, "effective-technology-tools"),
    (6, "well-being-as-a-long-term-value"),
    (7, "diverse-and-inclusive-health-workforce"),
]
MODELS = [ActorGroup, Goal, ModelElement, PriorityArea, PublicationFact, RecommendedAction]


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_the_migration_loads_exactly_the_seven_priority_areas_with_stable_slugs():
    assert list(PriorityArea.objects.values_list("number", "slug")) == EXPECTED_AREAS


def test_the_titles_are_the_plans_seven_priority_areas():
    titles = list(PriorityArea.objects.values_list("title", flat=True))
    assert titles == [
        "Create and Sustain Positive Work and Learning Environments and Culture",
        "Invest in Measurement, Assessment, Strategies, and Research",
        "Support Mental Health and Reduce Stigma",
        "Address Compliance, Regulatory, and Policy Barriers for Daily Work",
        "Engage Effective Technology Tools",
        "Institutionalize Well-Being as a Long-Term Value",
        "Recruit and Retain a Diverse and Inclusive Health Workforce",
    ]


def test_every_area_with_a_verified_goal_statement_has_one_and_the_others_are_left_blank():
    # PA4 and PA7: the chapter's goal sentence is MISSING in the reference.
    with_goal = set(
        PriorityArea.objects.exclude(goal_statement="").values_list("number", flat=True)
    )
    assert with_goal == {1, 2, 3, 5, 6}
    area = PriorityArea.objects.get(number=3)
    assert area.goal_statement.startswith("Provide support to health workers by eliminating")


def test_every_area_records_its_source_chapter():
    for area in PriorityArea.objects.all():
        assert area.source
        assert (
            area.source_url
            == f"https://nap.nationalacademies.org/read/26744/chapter/{area.number + 2}"
        )


def test_only_the_areas_with_verified_or_secondary_actions_have_actions():
    numbers = set(RecommendedAction.objects.values_list("priority_area__number", flat=True))
    assert numbers == {2, 3}
    assert sorted(RecommendedAction.objects.exclude(code="").values_list("code", flat=True)) == [
        "3.1.C",
        "3.2.A",
    ]


def test_pa3_actions_sit_under_goals_3_1_and_3_2_whose_wording_is_left_for_staff():
    action = RecommendedAction.objects.select_related("goal__priority_area").get(code="3.2.A")
    assert action.goal.code == "3.2"
    assert action.verified
    goals = Goal.objects.filter(priority_area__number=3)
    assert [(g.number, g.text, g.verified) for g in goals] == [(1, "", False), (2, "", False)]


def test_pa1_has_four_verified_goals_and_a_fifth_marked_incomplete():
    goals = list(Goal.objects.filter(priority_area__number=1))
    assert [g.number for g in goals] == [1, 2, 3, 4, 5]
    assert all(g.verified for g in goals[:4])
    assert goals[1].text == "Settings are diverse, equitable, accessible, and inclusive."
    assert not goals[4].verified
    assert goals[4].note


def test_secondary_source_facts_are_flagged_unverified_with_their_source():
    action = RecommendedAction.objects.get(priority_area__number=2)
    assert not action.verified
    assert action.source_url.startswith("https://wpchange.org/")
    assert list(action.actor_groups.values_list("slug", flat=True)) == [
        "federal-state-and-local-governments"
    ]
    goal = Goal.objects.get(priority_area__number=6, number=1)
    assert not goal.verified
    assert goal.source_url


def test_the_actor_groups_are_the_six_columns_of_the_pa3_action_table():
    assert list(ActorGroup.objects.values_list("slug", flat=True)) == [
        "federal-state-and-local-governments",
        "health-systems",
        "health-workers",
        "insurers-and-payers",
        "private-and-non-profit-organizations",
        "professional-and-specialty-societies",
    ]
    area = PriorityArea.objects.get(number=3)
    assert area.actor_groups.count() == 6


def test_action_3_2_a_has_no_actor_groups_because_its_ticks_could_not_be_read():
    assert not RecommendedAction.objects.get(code="3.2.A").actor_groups.exists()


def test_the_conceptual_model_has_two_groups_seven_domains_and_three_centre_elements():
    kinds = ModelElement.Kind
    groups = ModelElement.objects.filter(kind=kinds.GROUP)
    assert list(groups.values_list("slug", flat=True)) == ["external-factors", "individual-factors"]
    external = ModelElement.objects.filter(kind=kinds.DOMAIN, parent__slug="external-factors")
    assert list(external.values_list("slug", flat=True)) == [
        "society-and-culture",
        "rules-and-regulations",
        "organizational-factors",
        "learning-practice-environment",
    ]
    individual = ModelElement.objects.filter(kind=kinds.DOMAIN, parent__slug="individual-factors")
    assert list(individual.values_list("slug", flat=True)) == [
        "health-care-responsibilities",
        "personal-factors",
        "skills-and-abilities",
    ]
    outcomes = ModelElement.objects.filter(kind=kinds.OUTCOME)
    assert list(outcomes.values_list("slug", flat=True)) == [
        "clinician-well-being",
        "clinician-patient-relationship",
        "patient-well-being",
    ]


def test_only_the_two_verified_sub_factors_are_loaded():
    sub_factors = ModelElement.objects.filter(kind=ModelElement.Kind.SUB_FACTOR)
    assert {(s.slug, s.parent.slug, s.verified) for s in sub_factors} == {
        ("professional-development-opportunities", "organizational-factors", True),
        ("scope-of-practice", "organizational-factors", True),
    }
    assert not ModelElement.objects.filter(children_complete=True).exists()


def test_every_model_element_and_fact_records_a_source():
    assert not ModelElement.objects.filter(source="").exists()
    described = ModelElement.objects.exclude(description="")
    assert described.count() == 2
    assert all("nam.edu/clinicianwellbeing/causes/" in e.description_source for e in described)
    assert not PublicationFact.objects.filter(source="").exists()
    assert not ModelElement.objects.filter(verified=False).exists()


@pytest.mark.parametrize(
    "recalled",
    # A few of the [U] sub-factors of section 4.2, recalled but never checked:
    # they must not enter the database from data.py.
    ["Media portrayal", "Litigation risk", "Power dynamics", "Autonomy", "Coping skills"],
)
def test_no_unverified_recollection_is_loaded(recalled):
    assert not ModelElement.objects.filter(name__icontains=recalled).exists()
    assert not ModelElement.objects.filter(description__icontains=recalled).exists()


def test_the_loader_is_idempotent():
    before = _counts()
    load_national_plan()
    load_national_plan()
    assert _counts() == before
    assert before["PriorityArea"] == 7


def test_the_loader_refills_empty_tables_as_after_a_test_flush():
    for model in MODELS:
        model.objects.all().delete()
    load_national_plan()
    assert PriorityArea.objects.count() == 7
    assert RecommendedAction.objects.get(code="3.1.C").goal.number == 1
    assert PriorityArea.objects.get(number=3).actor_groups.count() == 6


def test_the_loader_keeps_what_staff_completed_in_the_admin():
    goal = Goal.objects.get(priority_area__number=3, number=1)
    goal.text = "Wording entered by staff from the Plan."
    goal.verified = True
    goal.save(update_fields=["text", "verified"])
    load_national_plan()
    goal.refresh_from_db()
    assert goal.text == "Wording entered by staff from the Plan."


def test_the_loader_can_force_the_shipped_data_back():
    PriorityArea.objects.filter(number=1).update(title="Edited")
    load_national_plan(overwrite=True)
    assert PriorityArea.objects.get(number=1).title == data.PRIORITY_AREAS[0]["title"]


def test_the_loader_is_fast_enough_for_every_transactional_test(django_assert_max_num_queries):
    with django_assert_max_num_queries(200):
        load_national_plan()


def test_the_loader_names_a_missing_parent(monkeypatch):
    broken = [{"slug": "orphan", "kind": "domain", "name": "Orphan", "parent": "nowhere"}]
    monkeypatch.setattr(data, "MODEL_ELEMENTS", broken)
    with pytest.raises(ValueError, match="'orphan' names parent 'nowhere'"):
        load_national_plan()


def test_links_point_at_the_public_pages():
    area = PriorityArea.objects.get(number=3)
    assert area.get_absolute_url() == "/plan/mental-health-and-stigma/"
    action = RecommendedAction.objects.get(code="3.2.A")
    assert action.get_absolute_url() == "/plan/mental-health-and-stigma/#action-3-2-a"
    goal = Goal.objects.get(priority_area=area, number=2)
    assert goal.get_absolute_url() == "/plan/mental-health-and-stigma/#goal-3-2"
    element = ModelElement.objects.get(slug="scope-of-practice")
    assert element.get_absolute_url() == "/plan/conceptual-model/#scope-of-practice"
    assert str(area) == "3. Support Mental Health and Reduce Stigma"
    assert str(action) == "3.2.A"


def test_the_loader_names_an_action_whose_goal_does_not_exist(monkeypatch):
    area = {**data.PRIORITY_AREAS[2], "actions": [{"slug": "stray", "goal": 9, "text": "Stray."}]}
    monkeypatch.setattr(data, "PRIORITY_AREAS", [area])
    with pytest.raises(ValueError, match="'stray' names goal 9"):
        load_national_plan()
