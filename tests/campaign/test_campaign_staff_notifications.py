"""Mail to campaign staff: sign-ons awaiting review, support requests and replies."""

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from wellbeing.accounts.models import User
from wellbeing.campaign import actions
from wellbeing.campaign.actions import notify
from wellbeing.campaign.models import StaffNotificationPreference
from wellbeing.core.models import AuditEvent

SHARED = ["campaign-inbox@example.org"]


@pytest.fixture
def staff_team(staff_curator):
    """Three staff: ``staff_curator`` (no choice made: both on), Opal (opted out of
    sign-ons) and Ines (opted out of support); and one inactive staff account."""
    opal = User.objects.create_user("opal@campaign.test", "a-long-test-password", is_staff=True)
    ines = User.objects.create_user("ines@campaign.test", "a-long-test-password", is_staff=True)
    User.objects.create_user(
        "gone@campaign.test", "a-long-test-password", is_staff=True, is_active=False
    )
    notify.set_staff_notifications(opal, sign_ons=False, support=True)
    notify.set_staff_notifications(ines, sign_ons=True, support=False)
    return {"sam": staff_curator, "opal": opal, "ines": ines}


@pytest.fixture
def shared_inbox(settings):
    settings.STAFF_NOTIFICATION_EMAILS = SHARED
    settings.SITE_URL = "https://wellbeing.example.org"


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


@pytest.mark.django_db
def test_a_confirmed_sign_on_mails_each_opted_in_staff_member_once_and_the_shared_inbox(
    pending, staff_team, shared_inbox, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.confirm_email(actions.confirmation_token(pending))
    # One message per recipient: nobody sees another's address; Opal chose not to receive it.
    assert all(
        len(message.to) == 1 and not message.cc and not message.bcc for message in mail.outbox
    )
    assert recipients() == sorted(["sam@campaign.test", "ines@campaign.test", *SHARED])
    message = mail.outbox[0]
    assert "Riverbend Health" in message.subject
    link = "https://wellbeing.example.org" + reverse(
        "campaign:staff_participant", args=[pending.pk]
    )
    assert link in message.body
    assert "alice@riverbend.test" not in message.body  # the signer's address is on the page only


@pytest.mark.django_db
def test_confirming_twice_mails_staff_once(pending, staff_team, django_capture_on_commit_callbacks):
    token = actions.confirmation_token(pending)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.confirm_email(token)
        actions.confirm_email(token)
    assert recipients() == ["ines@campaign.test", "sam@campaign.test"]


@pytest.mark.django_db
def test_a_support_request_mails_staff_the_topic_and_a_link_but_not_the_message(
    approved, org_admin, staff_team, shared_inbox, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        item = actions.request_support(
            approved,
            actor=org_admin,
            topic="Survey timing",
            description="Our night nurse Dana is struggling; when should we re-measure?",
        )
    assert recipients() == sorted(["sam@campaign.test", "opal@campaign.test", *SHARED])
    for message in mail.outbox:
        assert "Survey timing" in message.subject and "Riverbend Health" in message.subject
        assert "Dana" not in message.body and "re-measure" not in message.body
        thread = reverse("campaign:staff_support_thread", args=[item.pk])
        assert f"https://wellbeing.example.org{thread}" in message.body


@pytest.mark.django_db
def test_a_participants_reply_mails_staff_and_a_staff_reply_mails_only_the_participant(
    approved, org_admin, staff_team, django_capture_on_commit_callbacks
):
    item = actions.request_support(approved, actor=org_admin, topic="Metrics", description="?")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.reply_support(item, actor=org_admin, body="Any news?", from_staff=False)
    assert recipients() == ["opal@campaign.test", "sam@campaign.test"]
    assert mail.outbox[0].subject.startswith("Support reply from Riverbend Health")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.reply_support(item, actor=staff_team["opal"], body="Yes.", from_staff=True)
    assert recipients() == ["alice@riverbend.test"]


@pytest.mark.django_db
def test_nothing_is_mailed_to_staff_when_the_transaction_rolls_back(
    pending, outsider_participant, outsider, staff_team, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            actions.confirm_email(actions.confirmation_token(pending))
            actions.request_support(
                outsider_participant, actor=outsider, topic="Rolled back", description="y"
            )
            raise RuntimeError("the request fails after the actions")
        # What commits still mails: the capture runs the callbacks that survived.
        actions.request_support(outsider_participant, actor=outsider, topic="Kept", description="z")
    assert len(callbacks) == 2  # Sam and Opal, for the request that was kept
    assert {message.subject for message in mail.outbox} == {
        "Support request from Lakeside Clinic: Kept"
    }
    pending.refresh_from_db()
    assert pending.email_confirmed_at is None


@pytest.mark.django_db
def test_nobody_is_mailed_about_their_own_action(
    approved, staff_curator, staff_team, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.request_support(
            approved, actor=staff_curator, topic="On their behalf", description="x"
        )
    assert "sam@campaign.test" not in recipients()


@pytest.mark.django_db
def test_synthetic_demo_participants_mail_no_staff(
    org, org_admin, staff_team, django_capture_on_commit_callbacks
):
    from tests.campaign.conftest import area

    p = actions.sign_on(
        user=org_admin,
        organization=org,
        signer_name="Demo",
        authority_statement="Synthetic.",
        role="accelerator",
        priority_areas=[area()],
        is_public=True,
        is_synthetic=True,
        notify=False,
    )
    with django_capture_on_commit_callbacks(execute=True):
        actions.confirm_email(actions.confirmation_token(p))
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_shared_addresses_and_staff_are_deduplicated_ignoring_case(staff_curator, settings):
    settings.STAFF_NOTIFICATION_EMAILS = ["Sam@Campaign.test", " inbox@example.org ", ""]
    assert notify.staff_recipients("support") == ["inbox@example.org", "sam@campaign.test"]


@pytest.mark.django_db
def test_a_staff_member_chooses_their_notifications_on_the_page(client, staff_curator):
    client.force_login(staff_curator)
    url = reverse("campaign:staff_notifications")
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial == {"sign_ons": True, "support": True}
    response = client.post(url, {"support": "on"})
    assert response.status_code == 302
    choice = StaffNotificationPreference.objects.get(user=staff_curator)
    assert (choice.sign_ons, choice.support) == (False, True)
    assert notify.staff_recipients("sign_ons") == []
    assert client.get(url).context["form"].initial == {"sign_ons": False, "support": True}
    assert AuditEvent.objects.filter(verb="campaign.staff_notifications").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "org_admin", "clinician", "outsider"])
def test_the_notifications_page_answers_not_found_to_everyone_but_staff(client, who, request):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    url = reverse("campaign:staff_notifications")
    assert client.get(url).status_code == 404
    assert client.post(url, {"sign_ons": "on"}).status_code == 404
    assert not StaffNotificationPreference.objects.exists()


@pytest.mark.django_db
def test_only_staff_can_have_notification_choices(org_admin):
    with pytest.raises(PermissionError):
        notify.set_staff_notifications(org_admin, sign_ons=True, support=True)


class _Broken:
    def enqueue(self, **_):
        raise ConnectionError("the task queue is down")


@pytest.mark.django_db
def test_a_failure_to_queue_staff_mail_does_not_fail_the_signers_confirmation(
    pending, staff_team, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(notify, "send_campaign_email", _Broken())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        actions.confirm_email(actions.confirmation_token(pending))
    mails = [c for c in callbacks if getattr(c, "__module__", "") == notify.__name__]
    assert len(mails) == 2  # tried for Sam and Ines, and logged (other callbacks are not mail)
    pending.refresh_from_db()
    assert pending.email_confirmed_at is not None
