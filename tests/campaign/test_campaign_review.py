import pytest
from django.core import mail
from django.urls import reverse

from wellbeing.campaign import actions
from wellbeing.campaign.models import Participant
from wellbeing.core.models import AuditEvent

QUEUE = reverse("campaign:review_queue")


def review_url(participant, decision):
    return reverse("campaign:review", args=[participant.pk, decision])


def confirm(participant):
    actions.confirm_email(actions.confirmation_token(participant))


@pytest.mark.django_db
def test_staff_see_pending_sign_ons_in_the_review_queue(client, pending, staff_curator):
    client.force_login(staff_curator)
    response = client.get(QUEUE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Riverbend Health" in html
    assert "Alice Admin: I may commit Riverbend." in html
    assert "not confirmed" in html


@pytest.mark.django_db
def test_staff_approve_a_confirmed_sign_on_and_the_signer_is_told(
    client, pending, staff_curator, django_capture_on_commit_callbacks
):
    confirm(pending)
    client.force_login(staff_curator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(review_url(pending, "approve"))
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Participant.Status.APPROVED
    assert pending.reviewed_by == staff_curator and pending.reviewed_at is not None
    assert AuditEvent.objects.filter(verb="campaign.approve").count() == 1
    assert [m.subject for m in mail.outbox] == ["Your Change Maker sign-on is approved"]
    assert f'data-testid="pending-{pending.pk}"' not in client.get(QUEUE).content.decode()


@pytest.mark.django_db
def test_a_sign_on_whose_email_is_unconfirmed_cannot_be_approved(client, pending, staff_curator):
    client.force_login(staff_curator)
    response = client.post(review_url(pending, "approve"))
    assert response.status_code == 400
    assert "has not confirmed their email address" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Participant.Status.PENDING


@pytest.mark.django_db
def test_staff_decline_with_a_reason_that_reaches_the_signer(
    client, pending, staff_curator, django_capture_on_commit_callbacks
):
    client.force_login(staff_curator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            review_url(pending, "decline"), {"reason": "Not a health organization."}
        )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Participant.Status.DECLINED
    assert pending.decline_reason == "Not a health organization."
    assert "Not a health organization." in mail.outbox[0].body


@pytest.mark.django_db
def test_declining_without_a_reason_is_refused(client, pending, staff_curator):
    client.force_login(staff_curator)
    response = client.post(review_url(pending, "decline"), {"reason": "   "})
    assert response.status_code == 400
    assert "Give the reason for declining." in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Participant.Status.PENDING


@pytest.mark.django_db
@pytest.mark.parametrize("decision", ["approve", "decline"])
def test_a_reviewed_sign_on_cannot_be_reviewed_again(client, approved, staff_curator, decision):
    client.force_login(staff_curator)
    response = client.post(review_url(approved, decision), {"reason": "Changed my mind"})
    assert response.status_code == 400
    assert "already been reviewed" in response.content.decode()
    approved.refresh_from_db()
    assert approved.status == Participant.Status.APPROVED


@pytest.mark.django_db
def test_an_unknown_decision_is_not_found(client, pending, staff_curator):
    client.force_login(staff_curator)
    assert client.post(review_url(pending, "promote")).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "org_admin", "outsider", "clinician"])
def test_staff_pages_answer_not_found_to_everyone_else(client, pending, who, request):
    confirm(pending)
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    assert client.get(QUEUE).status_code == 404
    assert client.post(review_url(pending, "approve")).status_code == 404
    assert client.post(review_url(pending, "decline"), {"reason": "x"}).status_code == 404
    pending.refresh_from_db()
    assert pending.status == Participant.Status.PENDING


@pytest.mark.django_db
def test_the_review_queue_is_paginated_in_a_fixed_number_of_queries(
    client, staff_curator, django_assert_num_queries, make_world
):
    make_world(participants=120, commitments=0, status="pending")
    client.force_login(staff_curator)
    # session, user, count, page, priority areas of the page's participants
    with django_assert_num_queries(5):
        response = client.get(QUEUE)
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="pending-') == 25
