"""Email updates: double opt-in, unsubscribe, preferences, newsletters, bounces."""

import re

import pytest
from django.core import mail, signing
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from wellbeing.engage.actions import updates as actions
from wellbeing.engage.models import Delivery, Newsletter, Subscriber
from wellbeing.engage.tasks import deliver_newsletter

pytestmark = pytest.mark.django_db
URL = "/engage/updates/"


def _sign_up(client, email="pat@example.org", topics=("events",), callbacks=None):
    with callbacks(execute=True):
        response = client.post(URL, {"email": email, "consent": "on", "topics": list(topics)})
    assert response.status_code == 302
    return Subscriber.objects.get(email=email)


def _link(message, kind: str) -> str:
    url = re.search(rf"http\S+/engage/updates/{kind}/\S+/", message.body).group(0)
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def _active(email="fan@example.org", topics=("events",)):
    subscriber = actions.subscribe(email, topics)
    return actions.confirm(actions.confirm_token(subscriber))


@pytest.fixture
def callbacks(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def test_signing_up_mails_a_confirmation_link_and_confirms_nothing_yet(client, callbacks):
    subscriber = _sign_up(client, callbacks=callbacks)
    assert subscriber.confirmed_at is None and subscriber.consented_at is not None
    assert subscriber.topics == ["events"]
    assert mail.outbox[-1].to == ["pat@example.org"]
    assert "/engage/updates/confirm/" in mail.outbox[-1].body


def test_the_signed_link_completes_the_double_opt_in(client, callbacks):
    _sign_up(client, callbacks=callbacks)
    link = _link(mail.outbox[-1], "confirm")
    page = client.get(link)
    assert page.status_code == 200 and "Yes, send me email updates" in page.content.decode()
    response = client.post(link)
    assert response.status_code == 200
    assert "Your email updates are confirmed" in response.content.decode()
    assert Subscriber.objects.get().confirmed_at is not None


@pytest.mark.parametrize(
    "forge",
    [
        lambda s: actions.confirm_token(s)[:-3] + "abc",
        lambda s: signing.dumps({"s": s.pk, "c": ""}, salt=actions.CONFIRM_SALT),
        lambda s: signing.dumps({"s": s.pk, "e": s.email}, salt=actions.UNSUBSCRIBE_SALT),
        lambda s: "not-a-token",
    ],
    ids=["tampered", "wrong-consent", "other-salt", "garbage"],
)
def test_a_forged_or_tampered_token_does_not_confirm(client, callbacks, forge):
    subscriber = _sign_up(client, callbacks=callbacks)
    response = client.get(reverse("engage:updates_confirm", args=[forge(subscriber)]))
    assert response.status_code == 400
    assert "This confirmation link is not valid" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is None


def test_an_expired_confirmation_link_does_not_confirm(client, callbacks, monkeypatch):
    from datetime import timedelta

    subscriber = _sign_up(client, callbacks=callbacks)
    monkeypatch.setattr(actions, "CONFIRM_MAX_AGE", timedelta(seconds=-1))
    response = client.get(
        reverse("engage:updates_confirm", args=[actions.confirm_token(subscriber)])
    )
    assert response.status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is None


def _newsletter(staff, topics=("events",), subject="News"):
    return actions.create_newsletter(
        subject=subject, body="Hello.", topics=list(topics), actor=staff
    )


def _send(newsletter, staff, callbacks):
    mail.outbox.clear()
    with callbacks(execute=True):
        actions.send_newsletter(newsletter=newsletter, actor=staff)
    newsletter.refresh_from_db()
    return sorted(to for m in mail.outbox for to in m.to)


def test_unconfirmed_bounced_and_unsubscribed_addresses_receive_no_newsletter(
    staff_curator, callbacks
):
    actions.subscribe("unconfirmed@example.org", ["events"])
    _active("reader@example.org")
    actions.mark_bounced(_active("bounced@example.org").email.split())
    actions.unsubscribe(_active("gone@example.org"))
    _active("other-topic@example.org", ["hub"])
    sent = _send(_newsletter(staff_curator), staff_curator, callbacks)
    assert sent == ["reader@example.org"]


def test_a_newsletter_task_run_twice_sends_each_recipient_once(staff_curator, callbacks):
    for i in range(5):
        _active(f"r{i}@example.org", ["events", "hub"])
    newsletter = _newsletter(staff_curator, ["events", "hub"])
    first = _send(newsletter, staff_curator, callbacks)
    assert len(first) == 5
    deliver_newsletter.enqueue(newsletter.pk)
    actions.deliver(newsletter.pk, batch_size=2)
    assert len(mail.outbox) == 5
    assert Delivery.objects.filter(newsletter=newsletter).count() == 5
    assert newsletter.total == newsletter.sent_count == 5
    assert newsletter.status == Newsletter.Status.SENT


def test_a_task_resumed_after_a_crash_sends_only_to_those_left(staff_curator, callbacks):
    people = [_active(f"r{i}@example.org") for i in range(4)]
    newsletter = _newsletter(staff_curator)
    Newsletter.objects.filter(pk=newsletter.pk).update(status=Newsletter.Status.SENDING)
    Delivery.objects.create(newsletter=newsletter, subscriber=people[0])
    assert actions.deliver(newsletter.pk, batch_size=1) == 3
    assert sorted(to for m in mail.outbox for to in m.to) == [p.email for p in people[1:]]


def test_newsletters_carry_one_click_unsubscribe_headers(client, staff_curator, callbacks):
    _active("reader@example.org")
    _send(_newsletter(staff_curator), staff_curator, callbacks)
    message = mail.outbox[-1]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<http") and "/engage/updates/unsubscribe/" in header
    assert _link(message, "unsubscribe") in header


def test_unsubscribe_works_without_login_and_is_idempotent(client):
    subscriber = _active("reader@example.org")
    path = actions.unsubscribe_path(subscriber)
    first = client.post(path)
    subscriber.refresh_from_db()
    when = subscriber.unsubscribed_at
    assert first.status_code == 200 and when is not None
    second = client.post(path)
    assert second.status_code == 200
    assert "You are unsubscribed" in first.content.decode()
    assert "You are unsubscribed" in second.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at == when


def test_the_one_click_post_unsubscribes_without_a_csrf_token():
    subscriber = _active("reader@example.org")
    client = Client(enforce_csrf_checks=True)
    response = client.post(actions.unsubscribe_path(subscriber), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is not None


def test_a_forged_unsubscribe_link_changes_nothing(client):
    subscriber = _active("reader@example.org")
    token = signing.dumps({"s": subscriber.pk, "e": subscriber.email}, salt="guess")
    response = client.get(reverse("engage:updates_unsubscribe", args=[token]))
    assert response.status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is None


def test_subscribing_again_after_unsubscribing_needs_a_new_confirmation(client, callbacks):
    _sign_up(client, callbacks=callbacks)
    old_link = _link(mail.outbox[-1], "confirm")
    client.post(old_link)
    subscriber = Subscriber.objects.get()
    actions.unsubscribe(subscriber)
    _sign_up(client, callbacks=callbacks)
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is None and subscriber.unsubscribed_at is None
    assert client.post(old_link).status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is None
    assert client.post(_link(mail.outbox[-1], "confirm")).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is not None


def test_signing_up_an_active_address_again_changes_nothing_and_mails_its_owner(client, callbacks):
    subscriber = _active("reader@example.org", ["events"])
    _sign_up(client, "reader@example.org", ["hub"], callbacks=callbacks)
    subscriber.refresh_from_db()
    assert subscriber.topics == ["events"] and subscriber.confirmed_at is not None
    assert "already receives them" in mail.outbox[-1].body


def test_the_preferences_link_changes_topics(client):
    subscriber = _active("reader@example.org", ["events"])
    path = actions.preferences_path(subscriber)
    assert client.get(path).status_code == 200
    response = client.post(path, {"topics": ["hub", "consultations"]})
    assert response.status_code == 200 and "Your topics are saved." in response.content.decode()
    assert subscriber.topics == ["consultations", "hub"]
    empty = client.post(path, {})
    assert empty.status_code == 400
    assert "Choose at least one topic" in empty.content.decode()
    assert subscriber.topics == ["consultations", "hub"]


def test_a_forged_preferences_link_is_refused(client):
    subscriber = _active("reader@example.org")
    token = signing.dumps({"s": subscriber.pk, "e": subscriber.email}, salt=actions.CONFIRM_SALT)
    response = client.post(reverse("engage:updates_preferences", args=[token]), {"topics": ["hub"]})
    assert response.status_code == 400
    assert subscriber.topics == ["events"]


def test_an_unknown_topic_is_refused_with_a_message(client):
    response = client.post(URL, {"email": "a@example.org", "consent": "on", "topics": ["x"]})
    assert response.status_code == 400
    assert "Choose topics from the list." in response.content.decode()


def test_a_filled_honeypot_is_thanked_but_not_stored(client, callbacks):
    with callbacks(execute=True):
        response = client.post(
            URL, {"email": "bot@example.org", "consent": "on", "website": "http://x"}
        )
    assert response.status_code == 302
    assert not Subscriber.objects.exists() and mail.outbox == []


def test_too_many_sign_ups_from_one_address_get_a_429_page(client):
    codes = [
        client.post(URL, {"email": f"p{i}@example.org", "consent": "on"}).status_code
        for i in range(12)
    ]
    assert codes == [302] * 10 + [429] * 2
    assert "Too many sign-ups" in client.post(URL, {}).content.decode()


def test_the_bounces_command_marks_addresses_from_a_list_and_a_csv(tmp_path, capsys):
    for n in "abc":
        _active(f"{n}@example.org")
    plain = tmp_path / "bounces.txt"
    plain.write_text("A@example.org\n\nnobody@example.org\n")
    call_command("engage_bounces", str(plain))
    table = tmp_path / "bounces.csv"
    table.write_text("date,Email\n2026-01-01,b@example.org\n")
    call_command("engage_bounces", str(table))
    out = capsys.readouterr().out
    assert "1 subscriber(s) marked bounced." in out and "nobody@example.org" in out
    assert sorted(
        Subscriber.objects.filter(bounced_at__isnull=False).values_list("email", flat=True)
    ) == [
        "a@example.org",
        "b@example.org",
    ]


def test_the_bounces_command_refuses_a_csv_without_an_email_column(tmp_path):
    from django.core.management.base import CommandError

    table = tmp_path / "bounces.csv"
    table.write_text("date,address\n2026-01-01,b@example.org\n")
    with pytest.raises(CommandError, match="no 'email' column"):
        call_command("engage_bounces", str(table))


@pytest.mark.parametrize("who", ["anonymous", "clinician"])
def test_newsletter_pages_are_a_404_to_others(client, request, staff_curator, who):
    newsletter = _newsletter(staff_curator)
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("engage:newsletter_staff_list")).status_code == 404
    assert client.get(reverse("engage:newsletter_staff", args=[newsletter.pk])).status_code == 404
    send = reverse("engage:newsletter_staff_send", args=[newsletter.pk])
    assert client.post(send).status_code == 404
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.DRAFT


def test_staff_compose_preview_and_send_with_a_progress_page(client, staff_curator, callbacks):
    _active("reader@example.org")
    client.force_login(staff_curator)
    response = client.post(
        reverse("engage:newsletter_staff_list"),
        {"subject": "Spring news", "body": "Hello **all**.", "topics": ["events"]},
    )
    newsletter = Newsletter.objects.get()
    page = client.get(response.url).content.decode()
    assert "Hello **all**." in page and "Send to 1 subscriber" in page
    with callbacks(execute=True):
        client.post(reverse("engage:newsletter_staff_send", args=[newsletter.pk]))
    assert [m.to for m in mail.outbox] == [["reader@example.org"]]
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.SENT and newsletter.sent_count == 1
    again = client.post(reverse("engage:newsletter_staff_send", args=[newsletter.pk]), follow=True)
    assert "already been sent" in again.content.decode()
    assert len(mail.outbox) == 1


def test_the_progress_region_polls_with_htmx_while_sending_and_works_without_it(
    client, staff_curator
):
    newsletter = _newsletter(staff_curator)
    Newsletter.objects.filter(pk=newsletter.pk).update(
        status=Newsletter.Status.SENDING, total=4, sent_count=1
    )
    client.force_login(staff_curator)
    url = reverse("engage:newsletter_staff", args=[newsletter.pk])
    full = client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in full and ">Refresh</a>" in full
    assert "1 of 4 sent" in full
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="newsletter-progress"')
    assert "<html" not in partial
