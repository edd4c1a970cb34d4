import re

import pytest
from django.urls import reverse

from wellbeing.campaign.models import Participant

DIRECTORY = reverse("campaign:directory")
EXPLORER = reverse("campaign:explorer")
INDEX = reverse("campaign:index")


def badge(p):
    return reverse("campaign:badge", args=[p.pk])


@pytest.mark.django_db
def test_a_pending_participant_is_nowhere_public(client, pending, org_admin):
    from tests.campaign.conftest import area, metric

    from wellbeing.campaign import actions

    # Even with a commitment recorded while pending, nothing shows publicly.
    actions.add_commitment(
        pending,
        actor=org_admin,
        title="Pending pledge",
        priority_area=area(),
        goal_statement="Goal.",
        metric=metric(),
    )
    assert "Riverbend" not in client.get(DIRECTORY).content.decode()
    assert "Pending pledge" not in client.get(EXPLORER).content.decode()
    assert client.get(pending.get_absolute_url()).status_code == 404
    assert client.get(badge(pending)).status_code == 404
    assert "0 approved participants" in client.get(INDEX).content.decode()


@pytest.mark.django_db
def test_a_declined_participant_is_nowhere_public(client, pending, staff_curator):
    from wellbeing.campaign import actions

    actions.decline(pending, actor=staff_curator, reason="Duplicate.")
    assert "Riverbend" not in client.get(DIRECTORY).content.decode()
    assert client.get(pending.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_the_owner_previews_their_pending_page(client, pending, org_admin):
    client.force_login(org_admin)
    response = client.get(pending.get_absolute_url())
    assert response.status_code == 200
    assert "Only you and campaign staff see this page" in response.content.decode()


@pytest.mark.django_db
def test_an_outsider_cannot_preview_someone_elses_pending_page(client, pending, outsider):
    client.force_login(outsider)
    assert client.get(pending.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_an_approved_public_participant_appears_with_commitments_and_badge(
    client, commitment, approved
):
    assert "Riverbend Health" in client.get(DIRECTORY).content.decode()
    explorer = client.get(EXPLORER, {"area": "measurement-assessment-strategies-and-research"})
    html = explorer.content.decode()
    assert "Lower burnout in nursing" in html and "Riverbend Health" in html
    other_area = client.get(EXPLORER, {"area": "mental-health-and-stigma"}).content.decode()
    assert "Lower burnout in nursing" not in other_area
    page = client.get(approved.get_absolute_url())
    assert page.status_code == 200 and "Lower burnout in nursing" in page.content.decode()
    svg = client.get(badge(approved))
    assert svg.status_code == 200
    assert svg.headers["Content-Type"] == "image/svg+xml"
    assert "Change Maker Accelerator" in svg.content.decode()


@pytest.mark.django_db
def test_an_approved_private_participant_is_counted_but_not_listed(client, pending, staff_curator):
    from wellbeing.campaign import actions

    Participant.objects.filter(pk=pending.pk).update(is_public=False)
    pending.refresh_from_db()
    actions.confirm_email(actions.confirmation_token(pending))
    actions.approve(pending, actor=staff_curator)
    assert "Riverbend" not in client.get(DIRECTORY).content.decode()
    assert client.get(pending.get_absolute_url()).status_code == 404
    assert client.get(badge(pending)).status_code == 404
    assert "1 approved participant " in client.get(INDEX).content.decode()


@pytest.mark.django_db
def test_an_unknown_priority_area_in_the_explorer_is_not_found(client):
    assert client.get(EXPLORER, {"area": "no-such-area"}).status_code == 404


@pytest.mark.django_db
def test_the_movement_counts_approved_participants_by_role_sector_and_state(
    client, approved, outsider_participant, org, other_org
):
    from wellbeing.accounts.models import Organization

    Organization.objects.filter(pk=org.pk).update(state="OH")
    Organization.objects.filter(pk=other_org.pk).update(state="MN")
    html = client.get(INDEX).content.decode()
    assert "2 approved participants" in html
    assert '<th scope="row">Accelerator</th><td class="text-right">2</td>' in html
    assert '<th scope="row">Health system</th><td class="text-right">1</td>' in html
    assert '<th scope="row">Ohio</th><td class="text-right">1</td>' in html
    assert '<th scope="row">Minnesota</th><td class="text-right">1</td>' in html


@pytest.mark.django_db
def test_public_pages_at_scale_run_a_fixed_number_of_queries(
    client, make_world, django_assert_num_queries
):
    """5,000 participants and 20,000 commitments: no query per row, every list paginated."""
    made = make_world(participants=5000, commitments=20000)
    # count, page, priority areas of the page's participants
    with django_assert_num_queries(3):
        directory = client.get(DIRECTORY, {"page": 7})
    assert directory.content.decode().count('data-label="Participant"') == 25
    # priority area, the filter list, count, page, metrics of the page
    with django_assert_num_queries(5):
        explorer = client.get(EXPLORER, {"area": "mental-health-and-stigma", "page": 3})
    assert explorer.content.decode().count("<article") == 25
    # role, sector, state, month groups and the commitment count
    with django_assert_num_queries(5):
        index = client.get(INDEX)
    assert "4000 approved participants" not in index.content.decode()
    assert "5000 approved participants" in index.content.decode()
    # A participant's page: the participant, its commitments, their metrics.
    listed = made[1]
    with django_assert_num_queries(3):
        page = client.get(listed.get_absolute_url())
    assert page.content.decode().count("<article") == 4
    with django_assert_num_queries(1):
        assert client.get(badge(listed)).status_code == 200


@pytest.mark.django_db
def test_the_growth_chart_rises_with_each_months_approvals(client, make_world):
    make_world(participants=30, commitments=0)
    html = client.get(INDEX).content.decode()
    assert 'aria-labelledby="growth-chart-title"' in html
    heights = [
        float(h)
        for h in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)"', html)
    ]
    assert len(heights) >= 2
    assert heights == sorted(heights)  # cumulative totals never fall
    assert " style=" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
