"""Staff curation through the admin: drafts, publishing, revision history, audit."""

import pytest
from django.urls import reverse

from wellbeing.core.models import AuditEvent
from wellbeing.hub.models import Resource
from wellbeing.hub.search import search

pytestmark = pytest.mark.django_db


def _form(**changes):
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
        "elements": ["enhancing-workplace-efficiency"],
        "professions": ["nurse"],
        "evidence": "practice-guide",
        "source": "https://example.org/new",
        "case_study-TOTAL_FORMS": "0",
        "case_study-INITIAL_FORMS": "0",
        "revisions-TOTAL_FORMS": "0",
        "revisions-INITIAL_FORMS": "0",
    }
    return data | changes


def test_staff_create_a_draft_then_publish_it(client, staff_curator):
    staff_curator.is_superuser = True
    staff_curator.save()
    client.force_login(staff_curator)
    response = client.post(reverse("admin:hub_resource_add"), _form())
    assert response.status_code == 302, response.content.decode()[:2000]
    resource = Resource.objects.get(slug="new-guide")
    assert resource.status == "draft"
    assert search("staff guide").total == 0
    assert resource.revisions.count() == 1

    client.post(
        reverse("admin:hub_resource_changelist"),
        {"action": "publish", "_selected_action": [resource.pk]},
    )
    resource.refresh_from_db()
    assert resource.status == "published" and resource.published_at is not None
    assert search("staff guide").total == 1

    change = reverse("admin:hub_resource_change", args=[resource.pk])
    client.post(change, _form(title="A revised staff guide"))
    assert [r.snapshot["title"] for r in resource.revisions.order_by("number")] == [
        "A new staff guide",
        "A new staff guide",
        "A revised staff guide",
    ]
    assert search("revised").total == 1
    assert AuditEvent.objects.filter(verb="hub.resource.change").count() == 3


def test_an_invalid_publication_date_is_refused(client, staff_curator):
    staff_curator.is_superuser = True
    staff_curator.save()
    client.force_login(staff_curator)
    response = client.post(reverse("admin:hub_resource_add"), _form(published="Oct 2022"))
    assert response.status_code == 200
    assert "YYYY, YYYY-MM or YYYY-MM-DD" in response.content.decode()
    assert not Resource.objects.exists()


def test_members_cannot_reach_curation(client, clinician):
    client.force_login(clinician)
    response = client.get(reverse("admin:hub_resource_changelist"))
    assert response.status_code == 302 and "login" in response.url
