"""Case studies as a visitor meets them: every listed one opens, and each real one is listed once."""

import re

import pytest
from django.urls import reverse

from wellbeing.hub import actions
from wellbeing.hub.models import Resource, SavedItem
from wellbeing.hub.seed import load_seed

pytestmark = pytest.mark.django_db

LINK = re.compile(r'href="(/hub/(?:case-studies|r)/[a-z0-9-]+/)"')


def _listed_case_study_links(client) -> set[str]:
    """Every resource link on every page of the case-study list (followed like a visitor)."""
    links: set[str] = set()
    url = reverse("hub:case_studies")
    response = client.get(url, follow=True)
    while True:
        html = response.content.decode()
        links |= set(LINK.findall(html))
        following = re.search(r'href="\?([^"]*page=\d+)"[^>]*>Next page<', html)
        if not following:
            return links
        response = client.get(f"{reverse('hub:index')}?{following.group(1).replace('&amp;', '&')}")


def test_every_case_study_listed_after_the_seed_opens(client):
    load_seed()
    links = _listed_case_study_links(client)
    case_studies = Resource.objects.published().filter(kind="case-study")
    assert len(links) == case_studies.count() >= 9
    for link in sorted(links):
        response = client.get(link, follow=True)
        assert response.status_code == 200, link
        assert "This case study has no record yet" not in response.content.decode()


def test_every_seeded_case_study_has_its_record_and_sources(client):
    load_seed()
    for resource in Resource.objects.filter(kind="case-study").select_related("case_study"):
        record = getattr(resource, "case_study", None)
        assert record is not None, resource.slug
        assert record.organization and record.intervention, resource.slug
        assert resource.source.startswith("http"), resource.slug


def test_no_publication_is_in_the_hub_twice(client):
    load_seed()
    published = Resource.objects.published()
    titles = [t.casefold() for t in published.values_list("title", flat=True)]
    urls = list(published.values_list("url", flat=True))
    assert len(titles) == len(set(titles))
    assert len(urls) == len(set(urls))
    for slug in ("nam-case-study-ohio-state-university", "linzer-2015-healthy-work-place-trial"):
        assert not Resource.objects.filter(slug=slug).exists()


def test_loading_the_seed_merges_an_earlier_copy_and_keeps_what_people_saved(
    client, make_resource, clinician
):
    duplicate = make_resource(
        "nam-case-study-ohio-state-university",
        "Clinician Well-Being at The Ohio State University: A Case Study",
        kind="case-study",
    )
    saved = actions.save_to_list(clinician, duplicate, "Reading")
    report = load_seed()
    assert report.merged == 1
    assert not Resource.objects.filter(slug=duplicate.slug).exists()
    item = SavedItem.objects.get(saved_list=saved)
    assert item.resource.slug == "ohio-state-university-wellness-ecosystem"
    assert load_seed().merged == 0


def test_a_case_study_without_a_record_is_shown_as_a_resource_not_a_404(client, make_resource):
    make_resource("bare-case", "A case study staff have not described yet", kind="case-study")
    response = client.get(reverse("hub:case_study", args=["bare-case"]))
    assert response.status_code == 200
    assert "A case study staff have not described yet" in response.content.decode()
    assert client.get(reverse("hub:resource", args=["bare-case"]), follow=True).status_code == 200


def test_the_seeded_nam_case_studies_carry_the_references_verified_facts(client):
    load_seed()
    osu = Resource.objects.get(slug="ohio-state-university-wellness-ecosystem")
    assert "five-year strategic plan" in osu.case_study.intervention
    assert "college-of-nursing" in osu.source
    kirkland = Resource.objects.get(slug="virginia-mason-kirkland-workflow-and-culture")
    assert "allied-health" in kirkland.professions
    assert kirkland.authors.startswith("Zindel M")
    html = client.get(reverse("hub:case_study", args=[kirkland.slug])).content.decode()
    assert "93%" in html and "Virginia Mason Kirkland" in html
