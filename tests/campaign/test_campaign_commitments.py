import pytest
from django.urls import reverse
from tests.campaign.conftest import area, metric

from wellbeing.campaign import actions
from wellbeing.campaign.commitment_templates import TEMPLATES
from wellbeing.campaign.models import Commitment, Metric, RoleChange
from wellbeing.core.models import AuditEvent
from wellbeing.plan.models import PriorityArea, RecommendedAction


def new_url(p):
    return reverse("campaign:commitment_new", args=[p.pk])


def commitment_data(**overrides):
    data = {
        "title": "Lower burnout",
        "priority_area": "measurement-assessment-strategies-and-research",
        "action": "",
        "goal_statement": "Halve burnout by 2027.",
        "name": "Share reporting burnout",
        "unit": "%",
        "direction": "decrease",
        "baseline_value": "42.5",
        "baseline_date": "2026-01-15",
        "target_value": "30",
        "target_date": "2027-12-31",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_an_org_admin_adds_a_commitment_with_its_first_metric(client, approved, org_admin):
    client.force_login(org_admin)
    response = client.post(new_url(approved), commitment_data())
    commitment = Commitment.objects.get()
    assert response.status_code == 302
    assert response.headers["Location"] == commitment.get_absolute_url()
    assert (commitment.participant, commitment.status) == (approved, "planned")
    only = Metric.objects.get()
    assert (only.baseline_value, str(only.target_date)) == (42.5, "2027-12-31")
    assert AuditEvent.objects.filter(verb="campaign.commitment.create").count() == 1
    page = client.get(commitment.get_absolute_url()).content.decode()
    assert "42.5" in page and "Lower burnout" in page


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["outsider", "clinician", "unit_lead", "anonymous"])
def test_only_the_participants_admins_touch_its_commitments(client, commitment, who, request):
    participant = commitment.participant
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    urls = [
        reverse("campaign:manage", args=[participant.pk]),
        new_url(participant),
        commitment.get_absolute_url(),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (302, 404)
        if who != "anonymous":
            assert response.status_code == 404
    client.post(new_url(participant), commitment_data(title="Hijack"))
    client.post(
        reverse("campaign:commitment_status", args=[participant.pk, commitment.pk]),
        {"status": "withdrawn"},
    )
    client.post(
        reverse("campaign:metric_new", args=[participant.pk, commitment.pk]),
        commitment_data(name="Injected"),
    )
    commitment.refresh_from_db()
    assert commitment.status == "planned"
    assert not Commitment.objects.filter(title="Hijack").exists()
    assert not Metric.objects.filter(name="Injected").exists()


@pytest.mark.django_db
def test_an_admin_cannot_reach_another_participants_commitment_through_their_own(
    client, commitment, outsider_participant, outsider
):
    """Commitment ids are looked up within the participant: swapping the prefix is a 404."""
    client.force_login(outsider)
    url = reverse("campaign:commitment", args=[outsider_participant.pk, commitment.pk])
    assert client.get(url).status_code == 404
    status_url = reverse(
        "campaign:commitment_status", args=[outsider_participant.pk, commitment.pk]
    )
    assert client.post(status_url, {"status": "withdrawn"}).status_code == 404


@pytest.mark.django_db
def test_staff_may_manage_any_participants_commitments(client, commitment, staff_curator):
    client.force_login(staff_curator)
    assert client.get(commitment.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_a_node_records_no_commitments(client, sign_on_org, org_admin):
    node = sign_on_org(role="node")
    client.force_login(org_admin)
    assert client.get(new_url(node)).status_code == 404
    with pytest.raises(actions.TransitionError):
        actions.add_commitment(
            node,
            actor=org_admin,
            title="x",
            priority_area=area(),
            goal_statement="x",
            metric=metric(),
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"target_date": "2025-12-31"}, "The target date must be after the baseline date."),
        ({"target_date": "2026-01-15"}, "The target date must be after the baseline date."),
        ({"baseline_value": "about forty"}, "Enter a number, for example 42 or 12.5."),
        ({"target_value": "30%"}, "Enter a number, for example 42 or 12.5."),
        ({"baseline_value": "NaN"}, "Enter a number, for example 42 or 12.5."),
        ({"priority_area": "no-such-area"}, "That is not a priority area of the National Plan."),
        ({"priority_area": ""}, "Choose the priority area this commitment serves."),
        ({"action": "no-such-action"}, "That is not a recommended action of the Plan."),
        ({"action": "action-3-1-c"}, "Choose an action of the chosen priority area, or none."),
        ({"target_value": "50"}, "For a decrease the target must be below the baseline."),
        ({"direction": "sideways"}, "Select a valid choice."),
        ({"baseline_date": "15/01/2026"}, "Enter a date as YYYY-MM-DD."),
        ({"title": ""}, "Name the commitment."),
        ({"baseline_value": "1" * 40}, "Ensure that there are no more than 14 digits in total."),
    ],
)
def test_bad_commitment_input_gets_a_clear_form_error(
    client, approved, org_admin, overrides, field_message
):
    client.force_login(org_admin)
    response = client.post(new_url(approved), commitment_data(**overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert field_message in html
    assert "<title>Error: Add a commitment" in html
    assert not Commitment.objects.exists()


@pytest.mark.django_db
def test_a_commitment_may_name_an_action_of_its_priority_area(client, sign_on_org, org_admin):
    participant = sign_on_org(role="champion")
    client.force_login(org_admin)
    response = client.post(
        new_url(participant),
        commitment_data(priority_area="mental-health-and-stigma", action="action-3-2-a"),
    )
    assert response.status_code == 302
    assert Commitment.objects.get().action == RecommendedAction.objects.get(slug="action-3-2-a")


@pytest.mark.django_db
def test_every_template_points_at_a_priority_area_of_the_plan():
    slugs = set(PriorityArea.objects.values_list("slug", flat=True))
    assert {t.slug for t in TEMPLATES} == {
        "reduce-burnout-rate",
        "appoint-chief-wellness-officer",
        "remove-intrusive-mental-health-questions",
    }
    for template in TEMPLATES:
        assert template.priority_area in slugs, template.slug
    credentialing = next(
        t for t in TEMPLATES if t.slug == "remove-intrusive-mental-health-questions"
    )
    assert credentialing.priority_area == "compliance-regulatory-and-policy-barriers"


@pytest.mark.django_db
@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.slug)
def test_a_template_prefills_the_commitment_form(client, approved, org_admin, template):
    client.force_login(org_admin)
    html = client.get(new_url(approved), {"template": template.slug}).content.decode()
    assert f'value="{template.title}"' in html.replace("&#x27;", "'")
    assert f'<option value="{template.priority_area}" selected>' in html


@pytest.mark.django_db
def test_an_added_metric_with_a_target_before_its_baseline_is_refused(
    client, commitment, org_admin
):
    client.force_login(org_admin)
    url = reverse("campaign:metric_new", args=[commitment.participant_id, commitment.pk])
    response = client.post(url, commitment_data(name="Turnover", target_date="2025-06-01"))
    assert response.status_code == 400
    assert "The target date must be after the baseline date." in response.content.decode()
    ok = client.post(url, commitment_data(name="Turnover"))
    assert ok.status_code == 302
    assert list(commitment.metrics.values_list("name", flat=True)) == [
        "Share reporting burnout",
        "Turnover",
    ]


ALLOWED = [
    ("planned", "in_progress"),
    ("planned", "withdrawn"),
    ("in_progress", "achieved"),
    ("in_progress", "not_achieved"),
    ("in_progress", "withdrawn"),
]
STATUSES = ["planned", "in_progress", "achieved", "not_achieved", "withdrawn"]
REFUSED = [(a, b) for a in STATUSES for b in STATUSES if (a, b) not in ALLOWED]


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "end"), ALLOWED)
def test_allowed_status_moves_are_recorded(client, commitment, org_admin, start, end):
    Commitment.objects.filter(pk=commitment.pk).update(status=start)
    client.force_login(org_admin)
    url = reverse("campaign:commitment_status", args=[commitment.participant_id, commitment.pk])
    assert client.post(url, {"status": end}).status_code == 302
    commitment.refresh_from_db()
    assert commitment.status == end
    event = AuditEvent.objects.get(verb="campaign.commitment.status")
    assert event.detail == {"commitment": commitment.pk, "from_status": start, "to_status": end}


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "end"), REFUSED)
def test_other_status_moves_are_refused_with_a_message(client, commitment, org_admin, start, end):
    Commitment.objects.filter(pk=commitment.pk).update(status=start)
    client.force_login(org_admin)
    url = reverse("campaign:commitment_status", args=[commitment.participant_id, commitment.pk])
    response = client.post(url, {"status": end})
    assert response.status_code == 400
    assert "cannot become" in response.content.decode()
    commitment.refresh_from_db()
    assert commitment.status == start


@pytest.mark.django_db
def test_an_unknown_status_is_a_form_error(client, commitment, org_admin):
    client.force_login(org_admin)
    url = reverse("campaign:commitment_status", args=[commitment.participant_id, commitment.pk])
    response = client.post(url, {"status": "paused"})
    assert response.status_code == 400
    assert "That is not a commitment status." in response.content.decode()


@pytest.mark.django_db
def test_role_upgrades_keep_the_history(client, sign_on_org, org_admin):
    node = sign_on_org(role="node")
    client.force_login(org_admin)
    url = reverse("campaign:manage", args=[node.pk])
    assert client.post(url, {"role": "champion"}).status_code == 302
    assert client.post(url, {"role": "accelerator"}).status_code == 302
    node.refresh_from_db()
    assert node.role == "accelerator"
    assert list(RoleChange.objects.values_list("from_role", "to_role")) == [
        ("", "node"),
        ("node", "champion"),
        ("champion", "accelerator"),
    ]
    assert "Champion → Accelerator" in client.get(url).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["node", "champion", "accelerator", "emperor"])
def test_a_role_cannot_move_down_or_sideways(client, approved, org_admin, role):
    client.force_login(org_admin)
    response = client.post(reverse("campaign:manage", args=[approved.pk]), {"role": role})
    assert response.status_code == 400
    approved.refresh_from_db()
    assert approved.role == "accelerator"
    assert RoleChange.objects.filter(participant=approved).count() == 1


@pytest.mark.django_db
def test_an_outsider_cannot_change_another_participants_role(client, sign_on_org, outsider):
    node = sign_on_org(role="node")
    client.force_login(outsider)
    response = client.post(reverse("campaign:manage", args=[node.pk]), {"role": "champion"})
    assert response.status_code == 404
    node.refresh_from_db()
    assert node.role == "node"


@pytest.mark.django_db
def test_an_admin_changes_the_listing_and_areas_and_leaves_the_directory(
    client, approved, org_admin
):
    client.force_login(org_admin)
    assert "Riverbend Health" in client.get(reverse("campaign:directory")).content.decode()
    url = reverse("campaign:listing", args=[approved.pk])
    response = client.post(url, {"priority_areas": ["mental-health-and-stigma"]})
    assert response.status_code == 302
    approved.refresh_from_db()
    assert approved.is_public is False
    assert list(approved.priority_areas.values_list("number", flat=True)) == [3]
    client.logout()
    assert "Riverbend Health" not in client.get(reverse("campaign:directory")).content.decode()
    assert client.get(approved.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_a_listing_needs_a_known_priority_area(client, approved, org_admin):
    client.force_login(org_admin)
    url = reverse("campaign:listing", args=[approved.pk])
    response = client.post(url, {"priority_areas": ["no-such-area"], "is_public": "on"})
    assert response.status_code == 400
    assert "no-such-area is not a priority area of the National Plan." in response.content.decode()
    empty = client.post(url, {"is_public": "on"})
    assert "Choose at least one priority area." in empty.content.decode()
    approved.refresh_from_db()
    assert approved.priority_areas.count() == 1


@pytest.mark.django_db
def test_an_outsider_cannot_change_the_listing(client, approved, outsider):
    client.force_login(outsider)
    url = reverse("campaign:listing", args=[approved.pk])
    response = client.post(url, {"priority_areas": ["mental-health-and-stigma"]})
    assert response.status_code == 404
    approved.refresh_from_db()
    assert approved.is_public is True
