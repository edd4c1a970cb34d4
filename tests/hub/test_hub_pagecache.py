"""Kept hub pages (core/pagecache.py) show an edit on the next view, whichever way staff made it:
the admin, the curation page, a seed load; and searches are kept per query and filters."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from wellbeing.hub.models import Resource
from wellbeing.hub.seed import load_seed

pytestmark = pytest.mark.django_db

ELEMENT = "conducting-workplace-assessments"
COUNT = re.compile(r'data-testid="result-count">(\d+) resource')


def rendered(url: str, **extra) -> bool:
    """Whether a visitor without a session got ``url`` rendered (False: the kept page)."""
    return bool(Client().get(url, **extra).templates)


def kept_html(url: str, **extra) -> str:
    Client().get(url, **extra)
    response = Client().get(url, **extra)
    assert response.status_code == 200 and not response.templates, f"{url} is not kept"
    return response.content.decode()


def html(url: str) -> str:
    return Client().get(url).content.decode()


def result_count(page: str) -> int:
    return int(COUNT.search(page).group(1))


def _admin_form(**changes):
    data = {
        "slug": "new-guide",
        "title": "A new staff guide",
        "kind": "toolkit",
        "summary": "Written by staff.",
        "body": "",
        "url": "https://example.org/new",
        "authors": "",
        "publisher": "",
        "published": "2024",
        "elements": [ELEMENT],
        "professions": ["nurse"],
        "evidence": "practice-guide",
        "source": "https://example.org/new",
        "case_study-TOTAL_FORMS": "0",
        "case_study-INITIAL_FORMS": "0",
        "revisions-TOTAL_FORMS": "0",
        "revisions-INITIAL_FORMS": "0",
    }
    return data | changes


def test_a_resource_published_in_the_admin_shows_in_a_kept_search(client, library, staff_curator):
    url = "/hub/?q=guide"
    before = result_count(kept_html(url))
    staff_curator.is_superuser = True
    staff_curator.save()
    client.force_login(staff_curator)
    assert client.post(reverse("admin:hub_resource_add"), _admin_form()).status_code == 302
    assert result_count(html(url)) == before  # a draft is not public
    pk = Resource.objects.get(slug="new-guide").pk
    client.post(
        reverse("admin:hub_resource_changelist"), {"action": "publish", "_selected_action": [pk]}
    )
    page = html(url)
    assert result_count(page) == before + 1
    assert "A new staff guide" in page


def test_a_title_changed_in_the_admin_shows_on_the_resource_page(client, library, staff_curator):
    url = reverse("hub:resource", args=["new-guide"])
    staff_curator.is_superuser = True
    staff_curator.save()
    client.force_login(staff_curator)
    client.post(reverse("admin:hub_resource_add"), _admin_form())
    resource = Resource.objects.get(slug="new-guide")
    client.post(
        reverse("admin:hub_resource_changelist"),
        {"action": "publish", "_selected_action": [resource.pk]},
    )
    assert "A new staff guide" in kept_html(url)
    change = reverse("admin:hub_resource_change", args=[resource.pk])
    response = client.post(change, _admin_form(title="A revised staff guide"))
    assert response.status_code == 302
    assert "A revised staff guide" in html(url)


def test_a_placement_made_on_the_curation_page_shows_on_the_element_page(
    client, library, staff_curator
):
    url = reverse("hub:compendium_element", args=[ELEMENT])
    assert "Using the Mini Z" not in kept_html(url)
    client.force_login(staff_curator)
    placed = client.post(
        reverse("hub:curate", args=["mini-z-guide"]),
        {"element": ELEMENT, "reason": "A short survey to start with."},
    )
    assert placed.status_code == 302
    assert "Using the Mini Z" in html(url)
    client.post(reverse("hub:curate_remove", args=["mini-z-guide"]), {"element": ELEMENT})
    assert "Using the Mini Z" not in html(url)


SEED = """
[[resources]]
slug = "seeded-guide"
title = "{title}"
kind = "toolkit"
summary = "A seeded guide."
url = "https://example.org/seeded"
publisher = "Example"
published = "2024"
source = "https://example.org/seeded"
"""


def test_a_seed_load_shows_on_the_next_view(tmp_path, write_seed):
    load_seed(write_seed(tmp_path, SEED.format(title="The first seeded title")))
    url = reverse("hub:resource", args=["seeded-guide"])
    assert "The first seeded title" in kept_html(url)
    load_seed(write_seed(tmp_path, SEED.format(title="The corrected seeded title")))
    assert "The corrected seeded title" in html(url)


def test_filing_a_resource_under_a_priority_area_updates_the_plan_pages_count(make_resource):
    url = reverse("plan:priority_area", args=["mental-health-and-stigma"])
    kept_html(url)
    count = re.compile(r"(\d+) resources? in the knowledge hub for this priority area")
    before = count.search(html(url))
    make_resource("new-stigma", "A new stigma guide", priority_areas=["mental-health-and-stigma"])
    after = count.search(html(url))
    assert after is not None
    assert int(after.group(1)) == (int(before.group(1)) if before else 0) + 1


def test_searches_are_kept_per_query_and_filter(library):
    plain = kept_html("/hub/?q=burnout")
    filtered = kept_html("/hub/?q=burnout&kind=story")
    assert result_count(filtered) < result_count(plain)
    assert result_count(kept_html("/hub/?q=burnout")) == result_count(plain)
    assert rendered("/hub/?q=burnout&utm_source=mail")  # a parameter the page does not read
    assert rendered("/hub/?q=burnout&utm_source=mail")


def test_the_htmx_results_region_and_the_whole_page_are_kept_apart(library):
    region = kept_html("/hub/?q=burnout", HTTP_HX_REQUEST="true")
    page = kept_html("/hub/?q=burnout")
    assert region.lstrip().startswith('<div id="hub-results"') and "<html" not in region
    assert "<html" in page and 'data-testid="crisis-banner"' in page
