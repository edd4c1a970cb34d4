"""The National Plan as loaded by ``migrate`` (data migrations 0002 and 0004) and by the loader.

Expected facts come from the shared research notes (national_plan_content.md, the
newer reference, and national_plan_and_collaborative.md, sections 1 and 4): only
[V] and [S] facts are data; [U] recollections, MISSING items and WARN sources must
never appear.
"""

import importlib

import pytest
from django.apps import apps as live_apps
from django.forms.models import model_to_dict

from wellbeing.plan import data
from wellbeing.plan.loader import (
    Correction,
    apply_corrections,
    load_national_plan,
    shipped,
    shipped_rows,
)
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
    assert action.verified and action.is_public
    goals = Goal.objects.filter(priority_area__number=3)
    assert [(g.number, g.text, g.is_public) for g in goals] == [(1, "", False), (2, "", False)]


def test_pa1_has_four_verified_goals_and_a_cut_off_fifth_kept_for_staff():
    goals = list(Goal.objects.filter(priority_area__number=1))
    assert [g.number for g in goals] == [1, 2, 3, 4, 5]
    assert all(g.verified for g in goals[:4])
    assert goals[1].text == "Settings are diverse, equitable, accessible, and inclusive."
    assert not goals[4].is_public
    assert goals[4].note


def test_secondary_source_facts_are_marked_secondary_with_their_source():
    action = RecommendedAction.objects.get(priority_area__number=2)
    assert (action.verified, action.secondary, action.is_public) == (False, True, True)
    assert action.source_url.startswith("https://wpchange.org/")
    assert list(action.actor_groups.values_list("slug", flat=True)) == [
        "federal-state-and-local-governments"
    ]
    goal = Goal.objects.get(priority_area__number=6, number=1)
    assert (goal.verified, goal.secondary) == (False, True)
    assert goal.source_url


def test_no_note_says_that_something_is_still_to_be_added_on_a_public_row():
    # What is missing is listed on the staff completeness page, never next to a public item.
    for model in MODELS:
        for row in model.objects.exclude(note=""):
            if row.is_public:
                assert "to be" not in row.note.lower(), (model.__name__, row.note)


@pytest.mark.parametrize(
    ("number", "opening"),
    [
        (1, "Invest in and prioritize a true well-being program"),
        (2, "So far, most of the response of my organization"),
        (3, "We need investment in mental health in the long term"),
        (6, "I felt forgotten about by upper-level hospital management"),
    ],
)
def test_the_chapters_verified_frontline_quotes_are_loaded_with_the_chapter_as_source(
    number, opening
):
    area = PriorityArea.objects.get(number=number)
    assert area.frontline_quote.startswith(opening)
    assert area.source_url == f"https://nap.nationalacademies.org/read/26744/chapter/{number + 2}"


def test_the_areas_whose_quote_is_missing_have_none():
    assert set(
        PriorityArea.objects.filter(frontline_quote="").values_list("number", flat=True)
    ) == {
        4,
        5,
        7,
    }


def test_the_newly_verified_facts_are_loaded_with_a_source_url_each():
    slugs = ["editions", "actors-interconnected", "actors-action-tables", "actors-called-on"]
    facts = PublicationFact.objects.filter(slug__in=slugs)
    assert facts.count() == len(slugs)
    for fact in facts:
        assert fact.verified and fact.source_url.startswith("https://"), fact.slug
    subjects = set(facts.exclude(slug="editions").values_list("subject", flat=True))
    assert subjects == {PublicationFact.Subject.ACTOR_GROUPS}


def test_every_public_row_names_its_source_with_a_url():
    for model in MODELS:
        for row in model.objects.all():
            if row.is_public:
                assert row.source and row.source_url.startswith("http"), (model.__name__, row)


@pytest.mark.parametrize(
    "warned",
    # national_plan_content.md section 3.2: secondary sources that contradict the Plan.
    ["six interconnected pillars", "four key areas", "October 4, 2022", "improvementflow"],
)
def test_no_warned_source_is_loaded(warned):
    for model in MODELS:
        for row in model.objects.all():
            assert warned.lower() not in str(model_to_dict(row)).lower(), (model.__name__, row)


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
    # Both groups and the five domains with a Knowledge Hub landing page; Health Care
    # Responsibilities and Skills & Abilities have none (national_plan_content.md 5.3).
    assert set(described.values_list("slug", flat=True)) == {
        "external-factors",
        "individual-factors",
        "society-and-culture",
        "rules-and-regulations",
        "organizational-factors",
        "learning-practice-environment",
        "personal-factors",
    }
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


def _snapshot() -> dict[str, list[dict]]:
    """Every plan row as plain values (ids left out), with its actor groups by slug."""
    out = {}
    for model in MODELS:
        rows = []
        for row in model.objects.order_by("slug"):
            values = model_to_dict(row, exclude=["id", "priority_area", "goal", "parent"])
            if "actor_groups" in values:
                values["actor_groups"] = sorted(g.slug for g in values["actor_groups"])
            rows.append(values)
        out[model.__name__] = rows
    return out


def test_the_migrations_leave_exactly_what_the_loader_loads_into_empty_tables():
    # A fresh database gets data.py from 0002 (less the fields 0003 added) and the rest
    # from 0004's corrections; the browser tests refill flushed tables with the loader.
    migrated = _snapshot()
    for model in MODELS:
        model.objects.all().delete()
    load_national_plan()
    assert _snapshot() == migrated


def test_every_key_in_data_py_names_a_field_of_its_model():
    # The loader leaves out keys a migration's historical model lacks, so a typo
    # would otherwise pass silently.
    for model_name, row in shipped_rows():
        fields = {f.name for f in live_apps.get_model("plan", model_name)._meta.get_fields()}
        extra = set(row) - fields - {"goals", "actions", "goal", "parent"}
        assert not extra, (model_name, row["slug"], extra)


def test_a_correction_changes_only_a_field_that_still_holds_the_shipped_value():
    fixes = [
        Correction("PriorityArea", {"slug": "effective-technology-tools"}, "summary", "x", "new"),
        Correction("PriorityArea", {"number": 7}, "summary", "", "Entered by the migration."),
    ]
    PriorityArea.objects.filter(number=5).update(summary="Edited by staff.")
    assert apply_corrections(None, fixes) == 1
    assert PriorityArea.objects.get(number=5).summary == "Edited by staff."
    assert PriorityArea.objects.get(number=7).summary == "Entered by the migration."


def test_migration_0004_brings_a_database_loaded_before_it_up_to_date_and_keeps_staff_work():
    migration = importlib.import_module("wellbeing.plan.migrations.0004_load_verified_content")
    # The state 0002 left before this release: old notes, no quotes, no descriptions.
    for model, slug, field, old in migration.CLEARED + migration.SHIPPED_BEFORE:
        live_apps.get_model("plan", model).objects.filter(slug=slug).update(**{field: old})
    PublicationFact.objects.filter(slug="editions").delete()
    # Staff had already written the description of one domain themselves.
    ModelElement.objects.filter(slug="personal-factors").update(description="Staff's words.")

    migration.load(live_apps, None)

    action = RecommendedAction.objects.get(slug="action-3-2-a")
    assert action.note == ""
    assert RecommendedAction.objects.get(priority_area__number=2).secondary
    assert PriorityArea.objects.get(number=6).frontline_quote.startswith("I felt forgotten")
    assert ModelElement.objects.get(slug="organizational-factors").description == shipped(
        "ModelElement", "organizational-factors", "description"
    )
    assert ModelElement.objects.get(slug="personal-factors").description == "Staff's words."
    assert PublicationFact.objects.filter(slug="editions").exists()


def test_shipped_names_a_row_that_data_py_does_not_have():
    with pytest.raises(KeyError, match="ModelElement 'nowhere'"):
        shipped("ModelElement", "nowhere", "description")
