"""The public pages of the National Plan: overview, priority areas, conceptual model."""

import itertools
import re

import pytest
from django.urls import reverse

from wellbeing.plan.models import ModelElement, PriorityArea

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    """The page's visible text, whitespace collapsed, so assertions survive line wrapping."""
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_plan_lives_at_slash_plan():
    assert reverse("plan:index") == "/plan/"
    assert reverse("plan:conceptual_model") == "/plan/conceptual-model/"


def test_it_lists_the_seven_priority_areas(client):
    response = client.get("/plan/")
    assert response.status_code == 200
    page = _text(response)
    for area in PriorityArea.objects.all():
        assert area.title in page
        assert f'href="{area.get_absolute_url()}"' in response.content.decode()


def test_the_overview_shows_the_publication_facts_with_sources(client):
    page = _text(client.get("/plan/"))
    assert "October 3, 2022" in page
    assert "10.17226/26744" in page
    assert "nearly 2,000" in page
    assert "Source:" in page


def test_the_overview_links_to_the_conceptual_model(client):
    assert 'href="/plan/conceptual-model/"' in client.get("/plan/").content.decode()


def test_a_priority_area_page_shows_its_goal_actions_and_actors(client):
    response = client.get("/plan/mental-health-and-stigma/")
    assert response.status_code == 200
    page = _text(response)
    assert "Support Mental Health and Reduce Stigma" in page
    assert "eliminating barriers and reducing stigma" in page
    assert "3.1.C" in page and "lack of pay parity" in page
    assert "3.2.A" in page and "layered protections against medical errors" in page
    for actor in ["Federal, State, and Local Governments", "Professional and Specialty Societies"]:
        assert actor in page
    assert "nap.nationalacademies.org/read/26744/chapter/5" in response.content.decode()


def test_the_actions_are_an_ordered_list_with_anchors(client):
    html = client.get("/plan/mental-health-and-stigma/").content.decode()
    assert re.search(r'<ol class="usa-list[^"]*wb-actions"', html)
    assert 'id="action-3-2-a"' in html
    assert 'id="goal-3-1"' in html


def test_a_priority_area_page_links_to_its_neighbours(client):
    html = client.get("/plan/mental-health-and-stigma/").content.decode()
    assert 'href="/plan/measurement-assessment-strategies-and-research/"' in html
    assert 'href="/plan/compliance-regulatory-and-policy-barriers/"' in html


def test_the_last_area_leads_on_to_the_conceptual_model(client):
    html = client.get("/plan/diverse-and-inclusive-health-workforce/").content.decode()
    assert 'href="/plan/conceptual-model/"' in html
    assert 'href="/plan/well-being-as-a-long-term-value/"' in html


def test_an_area_without_verified_content_says_it_is_to_be_completed(client):
    page = _text(client.get("/plan/diverse-and-inclusive-health-workforce/"))
    assert "Recruit and Retain a Diverse and Inclusive Health Workforce" in page
    assert "To be completed" in page
    assert "Goal statement of this area: not yet verified in our sources" in page
    assert "This list is incomplete" not in page  # nothing listed, nothing to qualify
    assert "Read the chapter on the National Academies Press website" in page


def test_secondary_source_content_is_labelled_unverified(client):
    page = _text(client.get("/plan/measurement-assessment-strategies-and-research/"))
    assert "national epidemiologic tracking program" in page
    assert "Unverified" in page
    assert "HRSA Workplace Change Collaborative" in page


def test_a_cut_off_goal_is_labelled_rather_than_completed_from_memory(client):
    page = _text(client.get("/plan/positive-work-and-learning-environments/"))
    assert "Accountability standards and best practices for well-being are …" in page
    assert "cut off" in page


def test_an_unknown_priority_area_is_not_found(client):
    assert client.get("/plan/no-such-area/").status_code == 404


def test_the_conceptual_model_url_is_not_taken_for_a_priority_area(client):
    response = client.get("/plan/conceptual-model/")
    assert response.status_code == 200
    assert response.templates[0].name == "plan/conceptual_model.html"


def test_the_conceptual_model_page_shows_the_domains_and_the_centre(client):
    page = _text(client.get("/plan/conceptual-model/"))
    for name in ModelElement.objects.values_list("name", flat=True):
        assert name.replace("&", "&amp;") in page
    assert "External factors" in page and "Individual factors" in page


def test_the_diagram_is_one_labelled_image_with_a_text_alternative(client):
    html = client.get("/plan/conceptual-model/").content.decode()
    assert re.search(r'role="img" aria-labelledby="model-diagram-title"', html)
    assert 'id="model-diagram-title"' in html and 'id="model-diagram-desc"' in html
    assert 'id="society-and-culture"' in html  # the list carries the same content


def test_domains_without_verified_sub_factors_say_so(client):
    page = _text(client.get("/plan/conceptual-model/"))
    assert "Sub-factors: not yet verified in our sources" in page
    assert "Further sub-factors: not yet verified in our sources" in page
    assert "from the published figure" in page


@pytest.mark.parametrize(
    "recalled", ["Media portrayal", "Litigation risk", "Power dynamics", "Coping skills"]
)
def test_no_unverified_sub_factor_appears_on_the_page(client, recalled):
    assert recalled.lower() not in _text(client.get("/plan/conceptual-model/")).lower()


@pytest.mark.parametrize(
    "path", ["/plan/", "/plan/mental-health-and-stigma/", "/plan/conceptual-model/"]
)
def test_each_page_has_one_h1_and_no_inline_styles_or_scripts(client, path):
    html = client.get(path).content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    assert main.count("<h1") == 1
    assert "style=" not in main and "<style" not in main and "<script" not in main
    assert 'href="/static/plan/plan.css"' in html


@pytest.mark.parametrize(
    "path", ["/plan/", "/plan/mental-health-and-stigma/", "/plan/conceptual-model/"]
)
def test_headings_do_not_skip_levels(client, path):
    html = client.get(path).content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    levels = [int(level) for level in re.findall(r"<h([1-6])", main)]
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))


@pytest.mark.parametrize(
    ("path", "limit"),
    [
        ("/plan/", 6),
        ("/plan/mental-health-and-stigma/", 10),
        ("/plan/conceptual-model/", 6),
    ],
)
def test_pages_use_a_bounded_number_of_queries(client, django_assert_max_num_queries, path, limit):
    with django_assert_max_num_queries(limit):
        assert client.get(path).status_code == 200


def test_the_area_page_query_count_does_not_grow_with_actions(client, django_assert_num_queries):
    # Count once, add actions, count again: the same number of queries.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from wellbeing.plan.models import ActorGroup, RecommendedAction

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
