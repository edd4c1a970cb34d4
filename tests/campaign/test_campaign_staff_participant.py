"""Staff's page of one participant, and the participants list that leads to it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from tests.campaign.conftest import area, metric

from wellbeing.campaign import actions
from wellbeing.campaign.models import Commitment, MetricValue, SupportMessage, SupportRequest


def page_url(p):
    return reverse("campaign:staff_participant", args=[p.pk])


@pytest.fixture
def busy(approved, commitment, org_admin, staff_curator):
    """Riverbend with a commitment in progress, a quarter reported and a support thread."""
    actions.set_commitment_status(commitment, status="in_progress", actor=org_admin)
    made = timezone.localdate(commitment.created_at)
    period = [q for q in _quarters_before(made)][-1]
    Commitment.objects.filter(pk=commitment.pk).update(
        created_at=commitment.created_at - dt.timedelta(days=400)
    )
    m = commitment.metrics.get()
    actions.record_progress(
        commitment,
        actor=org_admin,
        period_end=period,
        narrative="Rounds started.",
        values={m.pk: Decimal("39.5")},
    )
    item = actions.request_support(
        approved, actor=org_admin, topic="Survey timing", description="When to re-measure?"
    )
    actions.reply_support(item, actor=staff_curator, body="After six months.", from_staff=True)
    return approved


def _quarters_before(day):
    from wellbeing.campaign.periods import quarter_end, quarters_between

    return [q for q in quarters_between(day - dt.timedelta(days=200), day) if q < quarter_end(day)]


@pytest.mark.django_db
def test_staff_see_profile_history_commitments_progress_and_support_in_one_page(
    client, busy, staff_curator, clinician
):
    client.force_login(staff_curator)
    response = client.get(page_url(busy))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Riverbend Health",
        "Alice Admin (Chief Wellness Officer), alice@riverbend.test",
        "Email address confirmed",
        "Approved",
        "Role at sign-on: Accelerator",
        "Lower burnout in nursing",
        "Status: In progress",
        "39.5",  # the latest value from the progress report
        "Survey timing",
        "In progress",  # the thread, taken in progress by the staff reply
    ):
        assert text in html, text
    assert response.context["members"] == 2  # Alice and the clinician: a count, no names
    assert "casey@riverbend.test" not in html
    [row] = response.context["commitments"]
    states = {q.state for q in row.quarters}
    assert "submitted" in states and "late" in states  # a year back, one quarter reported
    [thread] = response.context["threads"]
    assert thread.message_count == 2 and thread.last_activity is not None


@pytest.mark.django_db
def test_a_survey_filled_value_is_not_shown_to_staff(client, commitment, staff_curator):
    """A value from the organization's survey is a report figure: staff see only reports."""
    m = commitment.metrics.get()
    MetricValue.objects.create(
        metric=m, value=Decimal("27.3"), as_of=dt.date(2026, 6, 30), source="survey", n=40
    )
    type(m).objects.filter(pk=m.pk).update(
        current_value=Decimal("27.3"), current_as_of=dt.date(2026, 6, 30)
    )
    client.force_login(staff_curator)
    html = client.get(page_url(commitment.participant)).content.decode()
    assert "27.3" not in html
    assert "survey figures are not shown here" in html


@pytest.mark.django_db
def test_a_pending_sign_on_shows_its_unconfirmed_email_and_links_to_the_queue(
    client, pending, staff_curator
):
    client.force_login(staff_curator)
    response = client.get(page_url(pending))
    html = response.content.decode()
    assert "Not confirmed yet" in html
    assert reverse("campaign:review_queue") in html
    queue = client.get(reverse("campaign:review_queue")).content.decode()
    assert page_url(pending) in queue


@pytest.mark.django_db
def test_a_declined_sign_on_shows_the_decision_and_the_reason(client, pending, staff_curator):
    actions.confirm_email(actions.confirmation_token(pending))
    actions.decline(pending, actor=staff_curator, reason="Duplicate sign-on.", notify=False)
    client.force_login(staff_curator)
    html = client.get(page_url(pending)).content.decode()
    assert "Declined: Duplicate sign-on." in html


@pytest.mark.django_db
def test_an_unknown_participant_is_not_found(client, staff_curator):
    client.force_login(staff_curator)
    assert client.get(reverse("campaign:staff_participant", args=[987654])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "org_admin", "clinician", "outsider"])
def test_the_participant_page_and_list_answer_not_found_to_everyone_but_staff(
    client, busy, who, request
):
    """The participant's own admin included: this is staff's view, with the signer's address."""
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    assert client.get(page_url(busy)).status_code == 404
    assert client.get(reverse("campaign:staff_participants")).status_code == 404


@pytest.mark.django_db
def test_the_staff_lists_link_to_the_participant_page(client, busy, staff_curator):
    client.force_login(staff_curator)
    for name in ("campaign:staff_participants", "campaign:staff_support"):
        assert page_url(busy) in client.get(reverse(name)).content.decode(), name
    found = client.get(reverse("campaign:staff_participants"), {"q": "river", "status": "approved"})
    assert [p.pk for p in found.context["page"]] == [busy.pk]
    none = client.get(reverse("campaign:staff_participants"), {"q": "river", "status": "pending"})
    assert list(none.context["page"]) == []


def _pile_on(participant, user, n):
    """``n`` more commitments, each with a metric, a report and a status move; ``n`` threads."""
    from wellbeing.core.models import audit

    for i in range(n):
        c = actions.add_commitment(
            participant,
            actor=user,
            title=f"Commitment {i}",
            priority_area=area(),
            goal_statement="A goal.",
            metric=metric(),
        )
        actions.set_commitment_status(c, status="in_progress", actor=user)
        actions.record_progress(
            c, actor=user, period_end=dt.date(2026, 3, 31), narrative="x", values={}
        )
        request = SupportRequest.objects.create(participant=participant, topic=f"Topic {i}")
        SupportMessage.objects.create(request=request, author=user, body="?")
    audit("campaign.test.pile", actor=user)


@pytest.mark.django_db
def test_the_page_runs_a_fixed_number_of_queries_however_long_the_history(
    client, busy, org_admin, staff_curator, django_assert_max_num_queries
):
    client.force_login(staff_curator)
    _pile_on(busy, org_admin, 3)
    with django_assert_max_num_queries(16) as few:
        assert client.get(page_url(busy)).status_code == 200
    _pile_on(busy, org_admin, 60)
    with django_assert_max_num_queries(len(few.captured_queries) + 2):  # the two totals
        response = client.get(page_url(busy))
    assert len(response.context["commitments"]) == 50
    assert response.context["more_commitments"] == 64
    assert len(response.context["threads"]) == 50
    assert response.context["more_threads"] == 64
    assert "Showing the latest 50 of 64 commitments." in response.content.decode()


@pytest.mark.django_db
def test_two_commitments_of_one_title_each_keep_their_own_status_history(
    client, commitment, approved, org_admin, staff_curator
):
    twin = actions.add_commitment(
        approved,
        actor=org_admin,
        title=commitment.title,
        priority_area=area(),
        goal_statement="The same title, another commitment.",
        metric=metric(),
    )
    actions.set_commitment_status(commitment, status="in_progress", actor=org_admin)
    client.force_login(staff_curator)
    rows = {r.commitment.pk: r for r in client.get(page_url(approved)).context["commitments"]}
    moves = {pk: [e.what for e in row.history] for pk, row in rows.items()}
    assert moves[commitment.pk] == ["Recorded as Planned", "Status: In progress"]
    assert moves[twin.pk] == ["Recorded as Planned"]
