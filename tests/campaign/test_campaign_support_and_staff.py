import csv
import datetime as dt
import io

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from tests.campaign.conftest import area

from wellbeing.campaign import actions
from wellbeing.campaign.models import Commitment, SupportMessage, SupportRequest
from wellbeing.core.models import AuditEvent

STAFF_PAGES = [
    reverse("campaign:dashboard"),
    reverse("campaign:staff_support"),
    reverse("campaign:export_participants"),
    reverse("campaign:export_commitments"),
]


def support_url(p):
    return reverse("campaign:support", args=[p.pk])


@pytest.fixture
def ticket(approved, org_admin):
    return actions.request_support(
        approved,
        actor=org_admin,
        topic="Survey timing",
        description="When should we re-measure?",
        priority_area=area(),
    )


@pytest.mark.django_db
def test_an_accelerator_requests_support_and_sees_the_thread(client, approved, org_admin):
    client.force_login(org_admin)
    response = client.post(
        support_url(approved),
        {
            "topic": "Metric choice",
            "priority_area": "mental-health-and-stigma",
            "description": "Help?",
        },
    )
    item = SupportRequest.objects.get()
    assert response.status_code == 302
    assert (item.status, item.priority_area.number) == ("open", 3)
    thread = client.get(reverse("campaign:support_thread", args=[approved.pk, item.pk]))
    assert "Help?" in thread.content.decode()


@pytest.mark.django_db
def test_bad_support_input_gets_a_clear_form_error(client, approved, org_admin):
    client.force_login(org_admin)
    response = client.post(
        support_url(approved), {"topic": "", "priority_area": "no-such-area", "description": ""}
    )
    assert response.status_code == 400
    html = response.content.decode()
    for message in ("Name the topic.", "That is not a priority area", "Describe what you need."):
        assert message in html
    assert not SupportRequest.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["node", "champion"])
def test_support_is_for_accelerators(client, sign_on_org, org_admin, staff_curator, role):
    p = sign_on_org(role=role)
    actions.confirm_email(actions.confirmation_token(p))
    p = actions.approve(p, actor=staff_curator)
    client.force_login(org_admin)
    response = client.post(support_url(p), {"topic": "x", "description": "y"})
    assert response.status_code == 404
    with pytest.raises(actions.TransitionError):
        actions.request_support(p, actor=org_admin, topic="x", description="y")
    assert not SupportRequest.objects.exists()


@pytest.mark.django_db
def test_a_pending_accelerator_cannot_request_support(client, pending, org_admin):
    client.force_login(org_admin)
    assert client.post(support_url(pending), {"topic": "x", "description": "y"}).status_code == 404


@pytest.mark.django_db
def test_staff_triage_assign_reply_and_close(
    client, ticket, staff_curator, org_admin, django_capture_on_commit_callbacks
):
    client.force_login(staff_curator)
    url = reverse("campaign:staff_support_thread", args=[ticket.pk])
    assert "Survey timing" in client.get(reverse("campaign:staff_support")).content.decode()
    assert client.post(url, {"do": "assign"}).status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assigned_to) == ("in_progress", staff_curator)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"body": "After six months."}).status_code == 302
    assert mail.outbox[0].to == ["alice@riverbend.test"]
    assert client.post(url, {"do": "close"}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "closed" and ticket.closed_at is not None
    # Both sides see the whole thread; a closed request takes no more replies.
    client.force_login(org_admin)
    mine = reverse("campaign:support_thread", args=[ticket.participant_id, ticket.pk])
    html = client.get(mine).content.decode()
    assert "When should we re-measure?" in html and "After six months." in html
    late = client.post(mine, {"body": "One more thing"})
    assert late.status_code == 400
    assert "closed and takes no more replies" in late.content.decode()
    assert SupportMessage.objects.count() == 2
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"campaign.support.assign", "campaign.support.reply", "campaign.support.close"} <= verbs


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "org_admin", "outsider", "clinician"])
def test_staff_support_and_dashboard_pages_answer_not_found_to_others(client, ticket, who, request):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    for url in STAFF_PAGES:
        assert client.get(url).status_code == 404, url
    url = reverse("campaign:staff_support_thread", args=[ticket.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"do": "close"}).status_code == 404
    ticket.refresh_from_db()
    assert ticket.status == "open"


@pytest.mark.django_db
def test_an_outsider_cannot_read_another_participants_support_thread(
    client, ticket, outsider_participant, outsider
):
    client.force_login(outsider)
    own_prefix = reverse("campaign:support_thread", args=[outsider_participant.pk, ticket.pk])
    assert client.get(own_prefix).status_code == 404
    theirs = reverse("campaign:support_thread", args=[ticket.participant_id, ticket.pk])
    assert client.get(theirs).status_code == 404


@pytest.mark.django_db
def test_the_dashboard_lists_overdue_reports(
    client, commitment, staff_curator, other_org, outsider
):
    actions.sign_on(
        user=outsider,
        organization=other_org,
        signer_name="Olu",
        role="node",
        priority_areas=[area()],
        is_public=False,
    )
    Commitment.objects.filter(pk=commitment.pk).update(
        created_at=dt.datetime(2025, 1, 10, tzinfo=dt.UTC)
    )
    client.force_login(staff_curator)
    html = client.get(reverse("campaign:dashboard")).content.decode()
    assert 'data-testid="pending-count">1<' in html
    assert 'data-testid="overdue-count">1<' in html
    assert "Lower burnout in nursing" in html


@pytest.mark.django_db
def test_the_csv_exports_list_participants_and_commitments_with_formulas_neutralised(
    client, commitment, staff_curator, org_admin
):
    Commitment.objects.filter(pk=commitment.pk).update(title='=HYPERLINK("http://x")')
    client.force_login(staff_curator)
    response = client.get(reverse("campaign:export_participants"))
    assert response.headers["Content-Type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(r["name"], r["role"], r["status"]) for r in rows] == [
        ("Riverbend Health", "accelerator", "approved")
    ]
    response = client.get(reverse("campaign:export_commitments"))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 1
    assert rows[0]["title"].startswith("'=")
    assert rows[0]["baseline_value"] == "42.0000" and rows[0]["target_date"] == "2027-12-31"


@pytest.mark.django_db
def test_the_demo_campaign_is_synthetic_varied_and_loads_once(client):
    from wellbeing.accounts.demo import load_demo
    from wellbeing.campaign.demo import load_campaign_demo
    from wellbeing.campaign.models import Participant, ProgressReport

    world = load_demo()
    assert load_campaign_demo(world) == 60
    assert load_campaign_demo(world) == 60
    participants = Participant.objects.select_related("organization")
    assert all(p.is_synthetic and "(synthetic" in p.display_name for p in participants)
    # Each name once: two institutions of one name read as one listed twice in the directory.
    names = [p.display_name for p in participants]
    assert len(names) == len(set(names))
    assert {p.role for p in participants} == {"node", "champion", "accelerator"}
    assert {p.status for p in participants} == {"approved", "pending", "declined"}
    assert len({p.state for p in participants}) > 20
    assert len({p.sector for p in participants}) >= 6
    assert ProgressReport.objects.filter(period_end__lt=timezone.localdate()).count() > 50
    html = client.get(reverse("campaign:index")).content.decode()
    assert "approved participants" in html
