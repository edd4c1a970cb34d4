"""Kept campaign pages (core/pagecache.py): the public counts and lists are fresh on the next
view after a sign-on is approved, a commitment is added, a listing or an organization changes."""

import pytest
from django.test import Client
from django.urls import reverse
from tests.campaign.conftest import area, metric

from wellbeing.campaign import actions

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("campaign:directory")
EXPLORER = reverse("campaign:explorer")
INDEX = reverse("campaign:index")


def kept_html(url: str) -> str:
    Client().get(url)
    response = Client().get(url)
    assert response.status_code == 200 and not response.templates, f"{url} is not kept"
    return response.content.decode()


def html(url: str) -> str:
    return Client().get(url).content.decode()


def test_a_sign_on_approved_in_the_review_view_shows_at_once_on_the_public_pages(
    client, pending, staff_curator, django_capture_on_commit_callbacks
):
    assert "0 approved participants" in kept_html(INDEX)
    assert "Riverbend" not in kept_html(DIRECTORY)
    actions.confirm_email(actions.confirmation_token(pending))
    assert "0 approved participants" in html(INDEX)  # confirmed is not approved
    client.force_login(staff_curator)
    with django_capture_on_commit_callbacks(execute=True):
        approve = client.post(reverse("campaign:review", args=[pending.pk, "approve"]))
    assert approve.status_code == 302
    assert "1 approved participant " in html(INDEX)
    assert "Riverbend" in html(DIRECTORY)
    assert Client().get(pending.get_absolute_url()).status_code == 200


def test_a_new_commitment_shows_in_the_kept_explorer_and_counts(approved, org_admin):
    assert "Lower burnout in nursing" not in kept_html(EXPLORER)
    assert "and 0 active or completed commitments" in kept_html(INDEX)
    actions.add_commitment(
        approved,
        actor=org_admin,
        title="Lower burnout in nursing",
        priority_area=area(),
        goal_statement="Halve the share of nurses who report burnout.",
        metric=metric(),
    )
    assert "Lower burnout in nursing" in html(EXPLORER)
    assert "and 1 active or completed commitment." in html(INDEX)


def test_leaving_the_directory_takes_the_participant_off_the_kept_directory(approved, org_admin):
    assert "Riverbend" in kept_html(DIRECTORY)
    actions.update_listing(approved, actor=org_admin, is_public=False, priority_areas=[area()])
    assert "Riverbend" not in html(DIRECTORY)
    assert Client().get(approved.get_absolute_url()).status_code == 404


def test_an_organizations_state_changed_in_the_admin_shows_in_the_counts_by_state(
    admin_client, approved, org
):
    assert "Ohio" not in kept_html(INDEX)
    url = reverse("admin:accounts_organization_change", args=[org.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    assert admin_client.post(url, data | {"state": "OH"}).status_code == 302
    assert "Ohio" in html(INDEX)
