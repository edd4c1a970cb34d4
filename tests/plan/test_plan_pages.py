"""The public pages of the National Plan: overview, priority areas, actor groups, the model."""

import itertools
import re

import pytest
from django.urls import reverse

from wellbeing.plan.models import ActorGroup, Goal, ModelElement, PriorityArea, RecommendedAction

pytestmark = pytest.mark.django_db

DOI = "https://doi.org/10.17226/26744"
OPENBOOK = "https://nap.nationalacademies.org/read/26744/chapter/1"
# Anything that reads as a slot left open, in any case.
PLACEHOLDER = re.compile(r"to be completed|to be added|still to be|not yet verified|missing", re.I)


def _text(response) -> str:
    """The page's visible text, whitespace collapsed, so assertions survive line wrapping."""
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def public_paths() -> list[str]:
    """Every public page of the plan app: overview, each area, model, each actor group."""
    return [
        "/plan/",
        "/plan/conceptual-model/",
        "/plan/actor-groups/",
        *(a.get_absolute_url() for a in PriorityArea.objects.all()),
        *(g.get_absolute_url() for g in ActorGroup.objects.all()),
    ]


def test_the_plan_lives_at_slash_plan():
    assert reverse("plan:index") == "/plan/"
    assert reverse("plan:conceptual_model") == "/plan/conceptual-model/"
    assert reverse("plan:actor_groups") == "/plan/actor-groups/"
    assert reverse("plan:completeness") == "/plan/completeness/"


def test_no_public_page_shows_a_placeholder_even_hidden(client):
    paths = public_paths()
    assert len(paths) == 3 + 7 + 6
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        # The whole main element, markup included: hidden text counts too.
        found = PLACEHOLDER.search(_main(response))
        assert found is None, (path, found and found.group())


def test_the_overview_actor_list_and_area_pages_say_once_where_the_full_plan_is(client):
    for path in [
        "/plan/",
        "/plan/actor-groups/",
        *(a.get_absolute_url() for a in PriorityArea.objects.all()),
    ]:
        main = _main(client.get(path))
        assert main.count("wb-full-plan") == 1, path
        notice = main[main.index("wb-full-plan") :]
        notice = notice[: notice.index("</div>")]
        assert f'href="{DOI}"' in notice and f'href="{OPENBOOK}"' in notice, path


def test_an_area_page_links_its_own_chapter_in_the_notice(client):
    main = _main(client.get("/plan/effective-technology-tools/"))
    assert 'href="https://nap.nationalacademies.org/read/26744/chapter/7"' in main


def test_it_lists_the_seven_priority_areas(client):
    response = client.get("/plan/")
    page = _text(response)
    for area in PriorityArea.objects.all():
        assert area.title in page
        assert f'href="{area.get_absolute_url()}"' in response.content.decode()


def test_the_overview_shows_the_publication_facts_with_sources(client):
    page = _text(client.get("/plan/"))
    assert "October 3, 2022" in page
    assert "10.17226/26744" in page
    assert "nearly 2,000" in page
    assert "2024 HTML reprint" in page  # the edition note of the newer reference
    assert "Source:" in page


def test_the_overview_links_to_the_conceptual_model_and_every_actor_group(client):
    html = client.get("/plan/").content.decode()
    assert 'href="/plan/conceptual-model/"' in html
    assert 'href="/plan/actor-groups/"' in html
    for group in ActorGroup.objects.all():
        assert f'href="{group.get_absolute_url()}"' in html


def test_a_priority_area_page_shows_its_goal_actions_and_actors(client):
    response = client.get("/plan/mental-health-and-stigma/")
    assert response.status_code == 200
    page = _text(response)
    assert "Support Mental Health and Reduce Stigma" in page
    assert "eliminating barriers and reducing stigma" in page
    assert "3.1.C" in page and "lack of pay parity" in page
    assert "3.2.A" in page and "layered protections against medical errors" in page
    html = response.content.decode()
    for group in ActorGroup.objects.all():
        assert f'href="{group.get_absolute_url()}"' in html
    assert "nap.nationalacademies.org/read/26744/chapter/5" in html


def test_a_goal_without_verified_wording_shows_only_its_actions_under_its_number(client):
    html = client.get("/plan/mental-health-and-stigma/").content.decode()
    assert re.search(r'<h3 id="goal-3-1">\s*Actions under goal 3.1\s*</h3>', html)
    assert re.search(r'<ol class="usa-list[^"]*wb-actions"', html)
    assert 'id="action-3-2-a"' in html


def test_wording_staff_enter_and_verify_appears_and_unverified_wording_does_not(client):
    goal = Goal.objects.get(priority_area__number=3, number=1)
    goal.text = "Wording entered by staff."
    goal.save(update_fields=["text"])
    assert "Wording entered by staff." not in _text(client.get("/plan/mental-health-and-stigma/"))
    goal.verified = True
    goal.save(update_fields=["verified"])
    page = _text(client.get("/plan/mental-health-and-stigma/"))
    assert "Goal 3.1 Wording entered by staff." in page


def test_the_frontline_quote_opens_the_area_with_its_source(client):
    page = _text(client.get("/plan/positive-work-and-learning-environments/"))
    assert "Invest in and prioritize a true well-being program" in page
    assert "A frontline health worker, quoted at the start of the chapter" in page


def test_a_priority_area_page_links_to_its_neighbours(client):
    html = client.get("/plan/mental-health-and-stigma/").content.decode()
    assert 'href="/plan/measurement-assessment-strategies-and-research/"' in html
    assert 'href="/plan/compliance-regulatory-and-policy-barriers/"' in html


def test_the_last_area_leads_on_to_the_conceptual_model(client):
    html = client.get("/plan/diverse-and-inclusive-health-workforce/").content.decode()
    assert 'href="/plan/conceptual-model/"' in html
    assert 'href="/plan/well-being-as-a-long-term-value/"' in html


def test_an_area_without_verified_content_shows_its_title_and_chapter_only(client):
    response = client.get("/plan/diverse-and-inclusive-health-workforce/")
    page = _text(response)
    assert "Recruit and Retain a Diverse and Inclusive Health Workforce" in page
    assert "Read the chapter on the National Academies Press website" in page
    main = _main(response)
    for heading in ["goal-heading", "summary-heading", "actions-heading", "actors-heading"]:
        assert f'id="{heading}"' not in main


def test_secondary_source_content_is_labelled_with_its_source(client):
    page = _text(client.get("/plan/measurement-assessment-strategies-and-research/"))
    assert "national epidemiologic tracking program" in page
    assert "Secondary source" in page
    assert "HRSA Workplace Change Collaborative" in page


def test_a_cut_off_goal_is_left_out_of_the_public_page(client):
    page = _text(client.get("/plan/positive-work-and-learning-environments/"))
    assert "Leadership recognizes negative impacts" in page  # goal 1.4, verified
    assert "Accountability standards" not in page  # goal 1.5, cut off in every copy
    assert "Goal 1.5" not in page


def test_an_unknown_priority_area_is_not_found(client):
    assert client.get("/plan/no-such-area/").status_code == 404


@pytest.mark.parametrize("path", ["/plan/conceptual-model/", "/plan/actor-groups/"])
def test_the_fixed_urls_are_not_taken_for_a_priority_area(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.templates[0].name != "plan/priority_area.html"


# --- actor groups ----------------------------------------------------------------------


def test_the_actor_group_list_shows_the_six_groups_with_their_action_counts(client):
    response = client.get("/plan/actor-groups/")
    page = _text(response)
    for group in ActorGroup.objects.all():
        assert f'href="{group.get_absolute_url()}"' in response.content.decode()
    assert "Federal, State, and Local Governments 1 recommended action listed here" in page
    assert "Health Systems Its actions are listed in the published Plan." in page
    assert "interconnected and aim to support health worker well-being" in page


def test_an_actor_group_page_lists_its_assigned_actions_with_their_source(client):
    response = client.get("/plan/actor-groups/federal-state-and-local-governments/")
    page = _text(response)
    assert "national epidemiologic tracking program" in page
    assert "Secondary source" in page and "HRSA Workplace Change Collaborative" in page
    assert "the Plan's action tables hold the full list" in page
    html = response.content.decode()
    action = RecommendedAction.objects.get(priority_area__number=2)
    assert f'href="{action.get_absolute_url()}"' in html
    assert 'href="/plan/measurement-assessment-strategies-and-research/"' in html


def test_a_group_without_known_assignments_says_they_are_in_the_published_plan(client):
    response = client.get("/plan/actor-groups/health-systems/")
    page = _text(response)
    assert "Which actions they mark for it is in the published Plan" in page
    assert f'href="{OPENBOOK}"' in response.content.decode()
    assert 'href="/plan/mental-health-and-stigma/"' in response.content.decode()  # its table


def test_an_assignment_staff_enter_and_verify_appears_on_the_group_page(client):
    action = RecommendedAction.objects.get(code="3.2.A")
    action.actor_groups.add(ActorGroup.objects.get(slug="health-systems"))
    page = _text(client.get("/plan/actor-groups/health-systems/"))
    assert "3.2.A" in page and "layered protections" in page


def test_an_unknown_or_unverified_actor_group_is_not_found(client):
    assert client.get("/plan/actor-groups/no-such-group/").status_code == 404
    ActorGroup.objects.create(slug="guessed", name="Guessed group", verified=False)
    assert client.get("/plan/actor-groups/guessed/").status_code == 404
    assert "Guessed group" not in _text(client.get("/plan/actor-groups/"))


# --- the conceptual model --------------------------------------------------------------


def test_the_conceptual_model_page_shows_the_public_domains_and_the_centre(client):
    page = _text(client.get("/plan/conceptual-model/"))
    for element in ModelElement.objects.all():
        assert element.name.replace("&", "&amp;") in page
    assert "External factors" in page and "Individual factors" in page


def test_the_diagram_is_a_map_of_links_to_each_factor_on_the_page(client):
    html = client.get("/plan/conceptual-model/").content.decode()
    diagram = html[html.index('<nav class="wb-model"') :]
    diagram = diagram[: diagram.index("</nav>")]
    for element in ModelElement.objects.exclude(kind=ModelElement.Kind.SUB_FACTOR):
        assert f'href="#{element.slug}"' in diagram, element.slug
        assert f'id="{element.slug}"' in html, element.slug


def test_sub_factors_are_only_the_verified_ones(client):
    page = _text(client.get("/plan/conceptual-model/"))
    assert "Professional development opportunities" in page and "Scope of practice" in page


@pytest.mark.parametrize(
    "recalled", ["Media portrayal", "Litigation risk", "Power dynamics", "Coping skills"]
)
def test_no_unverified_sub_factor_appears_on_the_page(client, recalled):
    assert recalled.lower() not in _text(client.get("/plan/conceptual-model/")).lower()


def test_an_unverified_sub_factor_entered_by_staff_stays_off_the_page_until_verified(client):
    domain = ModelElement.objects.get(slug="skills-and-abilities")
    factor = ModelElement.objects.create(
        kind="sub_factor", parent=domain, slug="entered", name="Entered by staff"
    )
    assert "Entered by staff" not in _text(client.get("/plan/conceptual-model/"))
    factor.verified, factor.source = True, "Checked against the figure"
    factor.save()
    assert "Entered by staff" in _text(client.get("/plan/conceptual-model/"))


def test_each_factor_lists_the_report_measures_the_driver_map_ties_to_it(client):
    from wellbeing.reports.door import measures_for_factor

    html = client.get("/plan/conceptual-model/").content.decode()
    section = html[html.index('id="organizational-factors"') :]
    section = section[: section.index('class="tablet:grid-col-6 wb-domain"')]
    measures = measures_for_factor("organizational-factors")
    assert measures
    for measure, rationale in measures:
        assert measure in section and rationale.replace("'", "&#x27;") in section
    assert "Staffing and Resource Adequacy" in section
    society = html[html.index('id="society-and-culture"') :]
    society = society[: society.index('class="tablet:grid-col-6 wb-domain"')]
    assert "Report measures linked" not in society  # the map ties no measure to it


def test_the_driver_map_lookup_names_instrument_and_scale_and_knows_no_other_factor():
    from wellbeing.reports.door import measures_for_factor

    measures = dict(measures_for_factor("learning-practice-environment"))
    assert set(measures) == {
        "Practice Environment Scale of the Nursing Work Index (PES-NWI): Nursing Foundations for Quality of Care (mean 1-4)",
        "Practice Environment Scale of the Nursing Work Index (PES-NWI): Collegial Nurse-Physician Relations (mean 1-4)",
    }
    assert measures_for_factor("skills-and-abilities") == []
    assert measures_for_factor("no-such-factor") == []


def _resource(slug: str, *, factors=(), priority_areas=(), status: str = "published"):
    """A hub resource filed under the given model factors and priority areas."""
    from wellbeing.hub import actions

    resource, _ = actions.upsert_resource(
        {
            "slug": slug,
            "title": f"Resource {slug}",
            "kind": "toolkit",
            "summary": "For the plan's tests.",
            "url": f"https://example.org/{slug}",
            "status": status,
        },
        factors=factors,
        priority_areas=priority_areas,
    )
    return resource


def test_a_factor_links_to_the_hub_filtered_by_it_and_that_page_finds_its_resources(client):
    from wellbeing.hub.search import search

    _resource("on-personal-factors", factors=["personal-factors"])
    _resource("draft-on-personal-factors", factors=["personal-factors"], status="draft")
    html = client.get("/plan/conceptual-model/").content.decode()
    found = re.search(r'href="(/hub/\?factor=personal-factors)">\s*(\d+) resources? in', html)
    assert found, "no hub link for Personal Factors"
    total = search("", {"factor": ["personal-factors"]}).total
    assert int(found.group(2)) == total >= 1  # the draft is not counted
    hub = client.get(found.group(1))
    assert hub.status_code == 200
    assert "Resource on-personal-factors" in _text(hub)
    assert "Resource draft-on-personal-factors" not in _text(hub)


def test_a_factor_without_hub_resources_has_no_hub_link(client):
    from wellbeing.hub.models import Resource

    Resource.objects.filter(factors__slug="skills-and-abilities").delete()
    html = client.get("/plan/conceptual-model/").content.decode()
    assert 'href="/hub/?factor=skills-and-abilities"' not in html


def test_a_priority_area_links_to_its_hub_resources_when_it_has_some(client):
    from wellbeing.hub.models import Resource

    Resource.objects.filter(priority_areas__number=5).delete()
    html = client.get("/plan/effective-technology-tools/").content.decode()
    assert 'href="/hub/?priority_area=effective-technology-tools"' not in html
    _resource("on-area-5", priority_areas=["effective-technology-tools"])
    html = client.get("/plan/effective-technology-tools/").content.decode()
    assert 'href="/hub/?priority_area=effective-technology-tools"' in html


# --- every page ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/plan/",
        "/plan/mental-health-and-stigma/",
        "/plan/conceptual-model/",
        "/plan/actor-groups/",
        "/plan/actor-groups/federal-state-and-local-governments/",
    ],
)
def test_each_page_has_one_h1_no_inline_styles_and_no_skipped_heading_levels(client, path):
    html = client.get(path).content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    assert main.count("<h1") == 1
    assert "style=" not in main and "<style" not in main and "<script" not in main
    assert 'href="/static/plan/plan.css"' in html
    levels = [int(level) for level in re.findall(r"<h([1-6])", main)]
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))


@pytest.mark.parametrize(
    ("path", "limit"),
    [
        ("/plan/", 7),
        ("/plan/mental-health-and-stigma/", 11),
        ("/plan/conceptual-model/", 6),
        ("/plan/actor-groups/", 6),
        ("/plan/actor-groups/federal-state-and-local-governments/", 7),
    ],
)
def test_pages_use_a_bounded_number_of_queries(client, django_assert_max_num_queries, path, limit):
    with django_assert_max_num_queries(limit):
        assert client.get(path).status_code == 200


def test_the_area_page_query_count_does_not_grow_with_actions(client, django_assert_num_queries):
    # Count once, add actions, count again: the same number of queries.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get("/plan/mental-health-and-stigma/")
    area = PriorityArea.objects.get(number=3)
    for letter in "BCD":
        action = RecommendedAction.objects.create(
            priority_area=area, slug=f"extra-{letter}", code=f"3.9.{letter}", text="Extra."
        )
        action.actor_groups.set(ActorGroup.objects.all())
    with django_assert_num_queries(len(before.captured_queries)):
        client.get("/plan/mental-health-and-stigma/")


def test_the_spanish_pages_translate_the_chrome_and_keep_the_plans_words_in_english(client):
    client.cookies["django_language"] = "es"
    response = client.get("/plan/mental-health-and-stigma/", HTTP_ACCEPT_LANGUAGE="es")
    html = response.content.decode()
    assert '<html lang="es"' in html
    page = _text(response)
    assert "Área prioritaria 3 de 7" in page
    assert "Objetivo de esta área prioritaria" in page
    # The NAM's words are data: English, and marked so for screen readers.
    assert '<blockquote class="wb-goal" lang="en"><p>Provide support to health workers' in html


def test_the_api_lists_only_the_goals_the_pages_show(client):
    areas = {a["number"]: a for a in client.get("/api/v1/plan/priority-areas").json()}
    assert [g["number"] for g in areas[1]["goals"]] == [1, 2, 3, 4]  # 1.5 is cut off
    assert areas[3]["goals"] == []  # 3.1 and 3.2 have no verified wording
    assert areas[6]["goals"][0]["text"].startswith("Health worker and learner well-being")
