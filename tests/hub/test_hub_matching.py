"""Matching resources to a report's drivers: overlap first, then evidence, always the same."""

import pytest

from wellbeing.hub.matching import match_resources

pytestmark = pytest.mark.django_db


def test_more_overlap_ranks_first(library):
    found = match_resources(
        factors=["organizational-factors", "learning-practice-environment"], limit=5
    )
    slugs = [r.slug for r in found]
    # inbox-time addresses both factors; peer-support and trainee-duty one each.
    assert slugs[0] == "inbox-time"
    assert set(slugs[1:]) == {"peer-support", "trainee-duty"}


def test_ties_go_to_the_stronger_evidence(library):
    found = match_resources(factors=["learning-practice-environment"], limit=2)
    # Both address it once: the systematic review (trainee-duty) outranks the
    # randomized trial (inbox-time), as in the Evidence enumeration's order.
    assert [r.slug for r in found] == ["trainee-duty", "inbox-time"]


def test_priority_areas_and_factors_add_up(library):
    found = match_resources(
        factors=["rules-and-regulations"], priority_areas=["mental-health-and-stigma"], limit=3
    )
    assert [r.slug for r in found] == ["licensure", "video-stigma"]


def test_drafts_and_unrelated_resources_are_never_returned(library, make_resource):
    make_resource("draft-match", "Draft", status="draft", factors=["personal-factors"])
    assert match_resources(factors=["personal-factors"]) == []


def test_the_limit_is_respected_and_the_order_is_stable(library):
    first = match_resources(priority_areas=["effective-technology-tools"], limit=1)
    assert len(first) == 1
    assert first == match_resources(priority_areas=["effective-technology-tools"], limit=1)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"factors": ["no-such-factor"]}, ValueError),
        ({"priority_areas": ["no-such-area"]}, ValueError),
        ({"factors": ["personal-factors"], "limit": 0}, ValueError),
        ({"factors": "personal-factors"}, TypeError),
    ],
)
def test_bad_arguments_raise_a_clear_error(library, kwargs, error):
    with pytest.raises(error):
        match_resources(**kwargs)
