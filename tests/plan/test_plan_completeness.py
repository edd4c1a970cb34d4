"""The staff completeness page: what the Plan's data still lacks, and where to enter it."""

import html
import re

import pytest
from django.urls import reverse

from wellbeing.plan.models import Goal, ModelElement, PriorityArea, RecommendedAction

pytestmark = pytest.mark.django_db

URL = "/plan/completeness/"


def _text(response) -> str:
    """The page's visible text, entities decoded and whitespace collapsed."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.fixture
def staff_client(client, staff_curator):
    client.force_login(staff_curator)
    return client


def test_it_is_not_found_for_anyone_but_staff(client, clinician, org_admin):
    assert client.get(URL).status_code == 404
    for user in (clinician, org_admin):
        client.force_login(user)
        assert client.get(URL).status_code == 404


def test_it_lists_the_known_gaps_with_a_link_to_where_each_is_entered(staff_client):
    response = staff_client.get(URL)
    assert response.status_code == 200
    page, markup = _text(response), response.content.decode()
    goal_3_1 = Goal.objects.get(priority_area__number=3, number=1)
    goal_1_5 = Goal.objects.get(priority_area__number=1, number=5)
    action = RecommendedAction.objects.get(code="3.2.A")
    domain = ModelElement.objects.get(slug="skills-and-abilities")
    area_7 = PriorityArea.objects.get(number=7)
    expected = [
        ("Goal 3.1 Wording, word for word from the Plan.", goal_3_1, "goal"),
        ("Goal 1.5 Not verified, so not shown publicly", goal_1_5, "goal"),
        ("Action 3.2.A Actor groups the Plan's table marks for it.", action, "recommendedaction"),
        ("Priority area 7 Goal statement: the chapter's opening sentence.", area_7, "priorityarea"),
        (
            "Skills & Abilities Sub-factors from the published figure (0 entered)",
            domain,
            "modelelement",
        ),
    ]
    for words, row, model in expected:
        assert words in page, words
        assert f'href="{reverse(f"admin:plan_{model}_change", args=[row.pk])}"' in markup, words
    assert "Goal 6.1 Seen only in a secondary source: check it against the Plan." in page
    add_action = reverse("admin:plan_recommendedaction_add") + f"?priority_area={area_7.pk}"
    assert f'href="{add_action}"' in markup


def test_every_admin_link_on_it_opens_for_an_administrator(admin_client):
    markup = admin_client.get(URL).content.decode()
    links = set(re.findall(r'href="(/admin/plan/[^"]+)"', markup))
    assert len(links) > 20
    for link in links:
        assert admin_client.get(link.replace("&amp;", "&")).status_code == 200, link


def test_a_gap_leaves_the_list_once_staff_enter_and_verify_it(staff_client):
    gap = "Priority area 7 Goal statement: the chapter's opening sentence."
    assert gap in _text(staff_client.get(URL))
    PriorityArea.objects.filter(number=7).update(goal_statement="Entered from the Plan.")
    assert gap not in _text(staff_client.get(URL))

    goal = Goal.objects.get(priority_area__number=3, number=1)
    goal.text = "Entered from the Plan."
    goal.save(update_fields=["text"])
    page = _text(staff_client.get(URL))
    assert "Goal 3.1 Wording" not in page
    assert "Goal 3.1 Not verified, so not shown publicly" in page
    goal.verified = True
    goal.save(update_fields=["verified"])
    assert "Goal 3.1" not in _text(staff_client.get(URL))


def test_the_overview_links_staff_to_it_and_nobody_else(client, staff_curator):
    assert 'href="/plan/completeness/"' not in client.get("/plan/").content.decode()
    client.force_login(staff_curator)
    assert 'href="/plan/completeness/"' in client.get("/plan/").content.decode()


def test_it_uses_a_bounded_number_of_queries(staff_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        assert staff_client.get(URL).status_code == 200
