"""Events: registration with capacity and waitlist, mail, calendar file, cancellation, awareness day."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from wellbeing.engage.actions import events as actions
from wellbeing.engage.models import Event, Registration

NY = zoneinfo.ZoneInfo("America/New_York")
SITE = "http://testserver"


@pytest.fixture
def make_event(db):
    def _make(**overrides):
        start = timezone.now() + dt.timedelta(days=10)
        values = {
            "title": "Peer support, in practice",
            "slug": "peer-support",
            "summary": "How three hospitals run peer support.",
            "format": Event.Format.HYBRID,
            "host": "Riverbend Health",
            "starts_at": start,
            "ends_at": start + dt.timedelta(hours=1),
            "venue": "Main auditorium",
            "online_url": "https://meet.example.org/peer",
            "capacity": 2,
            "published": True,
        }
        return Event.objects.create(**{**values, **overrides})

    return _make


@pytest.fixture
def event(make_event):
    return make_event()


def _register(client, event, name, email, capture):
    with capture(execute=True):
        return client.post(
            reverse("engage:event_detail", args=[event.slug]), {"name": name, "email": email}
        )


def test_it_confirms_registrations_up_to_capacity_then_waitlists(
    client, event, django_capture_on_commit_callbacks
):
    first = _register(client, event, "Ana", "ana@example.org", django_capture_on_commit_callbacks)
    _register(client, event, "Ben", "ben@example.org", django_capture_on_commit_callbacks)
    third = _register(client, event, "Cy", "cy@example.org", django_capture_on_commit_callbacks)
    assert first.status_code == 302 and first.url.endswith("/registered/confirmed/")
    assert third.url.endswith("/registered/waitlist/")
    statuses = dict(Registration.objects.values_list("email", "status"))
    assert statuses == {
        "ana@example.org": "confirmed",
        "ben@example.org": "confirmed",
        "cy@example.org": "waitlisted",
    }


def test_it_mails_a_confirmation_with_calendar_and_cancel_links(
    client, event, django_capture_on_commit_callbacks
):
    _register(client, event, "Ana", "ana@example.org", django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ana@example.org"]
    assert message.subject == "You are registered: Peer support, in practice"
    assert "/engage/events/peer-support/calendar.ics" in message.body
    assert "/engage/events/cancel/" in message.body
    assert "https://meet.example.org/peer" in message.body


def test_it_withholds_the_joining_link_from_the_waitlist(
    client, make_event, django_capture_on_commit_callbacks
):
    event = make_event(capacity=0)
    _register(client, event, "Ana", "ana@example.org", django_capture_on_commit_callbacks)
    assert mail.outbox[0].subject.startswith("You are on the waitlist")
    assert "meet.example.org" not in mail.outbox[0].body


def test_registering_twice_with_the_same_email_changes_nothing(
    client, event, django_capture_on_commit_callbacks
):
    _register(client, event, "Ana", "ana@example.org", django_capture_on_commit_callbacks)
    again = _register(
        client, event, "Ana B.", "ANA@example.org ", django_capture_on_commit_callbacks
    )
    assert again.status_code == 302
    assert Registration.objects.count() == 1
    assert Registration.objects.get().name == "Ana"
    assert len(mail.outbox) == 1


def test_cancelling_promotes_the_longest_waiting_person(
    client, event, django_capture_on_commit_callbacks
):
    for name in ("ana", "ben", "cy", "dee"):
        _register(client, event, name, f"{name}@example.org", django_capture_on_commit_callbacks)
    ana = Registration.objects.get(email="ana@example.org")
    token = actions.cancel_token(ana)
    page = client.get(reverse("engage:event_cancel", args=[token]))
    assert page.status_code == 200 and b"Cancel my registration" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("engage:event_cancel", args=[token]))
    assert response.status_code == 302
    statuses = dict(Registration.objects.values_list("email", "status"))
    assert statuses["ana@example.org"] == "cancelled"
    assert statuses["cy@example.org"] == "confirmed"
    assert statuses["dee@example.org"] == "waitlisted"
    assert mail.outbox[-1].to == ["cy@example.org"]
    assert mail.outbox[-1].subject.startswith("A place opened up")


def test_cancelling_twice_promotes_only_once(event, django_capture_on_commit_callbacks):
    regs = [
        actions.register(event=event, name=n, email=f"{n}@example.org", site=SITE)[0]
        for n in "abcd"
    ]
    actions.cancel(registration=regs[0], site=SITE)
    assert actions.cancel(registration=regs[0], site=SITE) is None
    assert Registration.objects.filter(status="confirmed").count() == 2
    assert Registration.objects.get(email="d@example.org").status == "waitlisted"


def test_a_newcomer_does_not_jump_the_waitlist_when_a_place_frees(event):
    a, _ = actions.register(event=event, name="a", email="a@example.org", site=SITE)
    actions.register(event=event, name="b", email="b@example.org", site=SITE)
    actions.register(event=event, name="c", email="c@example.org", site=SITE)
    actions.cancel(registration=a, site=SITE)
    d, _ = actions.register(event=event, name="d", email="d@example.org", site=SITE)
    assert Registration.objects.get(email="c@example.org").status == "confirmed"
    assert d.status == "waitlisted"


def test_a_forged_cancel_link_is_refused(client, event):
    response = client.get(reverse("engage:event_cancel", args=["not-a-real-token"]))
    assert response.status_code == 404
    assert b"This cancel link does not work" in response.content


def test_it_shows_errors_for_a_bad_registration(client, event):
    response = client.post(
        reverse("engage:event_detail", args=[event.slug]), {"name": "", "email": "nope"}
    )
    assert response.status_code == 400
    assert b"Enter your name." in response.content
    assert b"Enter an email address in the format" in response.content
    assert Registration.objects.count() == 0


def test_it_refuses_registration_for_a_past_event(client, make_event):
    past = make_event(
        starts_at=timezone.now() - dt.timedelta(days=2),
        ends_at=timezone.now() - dt.timedelta(days=2, hours=-1),
    )
    response = client.post(
        reverse("engage:event_detail", args=[past.slug]), {"name": "A", "email": "a@example.org"}
    )
    assert response.status_code == 400
    assert Registration.objects.count() == 0


def test_unpublished_events_are_not_found(client, make_event):
    draft = make_event(published=False)
    assert client.get(reverse("engage:event_detail", args=[draft.slug])).status_code == 404
    assert client.get(reverse("engage:event_ics", args=[draft.slug])).status_code == 404


def test_the_calendar_file_gives_utc_times_from_the_event_s_time_zone(client, make_event):
    # 9:00 in New York on March 18, 2027 is daylight time (UTC-4): 13:00 UTC.
    start = dt.datetime(2027, 3, 18, 9, 0, tzinfo=NY)
    event = make_event(
        title="Well-being day; panel, live",
        summary="Line one\nline two, with a comma",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        timezone="America/New_York",
    )
    response = client.get(reverse("engage:event_ics", args=[event.slug]))
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    assert "DTSTART:20270318T130000Z\r\n" in body
    assert "DTEND:20270318T150000Z\r\n" in body
    assert "SUMMARY:Well-being day\\; panel\\, live\r\n" in body
    assert "Line one\\nline two\\, with a comma" in body.replace("\r\n ", "")
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def test_long_calendar_lines_are_folded_without_splitting_characters():
    from wellbeing.engage.ics import fold

    folded = fold("DESCRIPTION:" + "é" * 100)
    assert all(len(line.encode()) <= 75 for line in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == "DESCRIPTION:" + "é" * 100


def test_it_reminds_confirmed_people_once_a_day_ahead(
    make_event, django_capture_on_commit_callbacks
):
    soon = make_event(
        starts_at=timezone.now() + dt.timedelta(hours=20),
        ends_at=timezone.now() + dt.timedelta(hours=21),
    )
    later = make_event(slug="later")
    actions.register(event=soon, name="a", email="a@example.org", site=SITE)
    actions.register(event=later, name="b", email="b@example.org", site=SITE)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.send_due_reminders() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.send_due_reminders() == 0
    assert [m.to for m in mail.outbox] == [["a@example.org"]]
    assert mail.outbox[0].subject == "Reminder: Peer support, in practice"


def test_the_event_list_separates_upcoming_and_past_with_recordings(client, make_event):
    make_event(title="Coming soon")
    make_event(
        slug="old",
        title="Last year's panel",
        starts_at=timezone.now() - dt.timedelta(days=30),
        ends_at=timezone.now() - dt.timedelta(days=30, hours=-1),
        recording_url="https://video.example.org/panel",
    )
    page = client.get(reverse("engage:event_list")).content.decode()
    assert (
        page.index("Coming soon") < page.index("Past events") < page.index("Last year&#x27;s panel")
    )
    assert "https://video.example.org/panel" in page


def test_the_awareness_day_page_shows_the_verified_facts_and_next_date(client, db):
    from wellbeing.engage.awareness import seed_toolkit

    assert seed_toolkit() == 6
    assert seed_toolkit() == 0
    page = client.get(reverse("engage:awareness_day")).content.decode()
    assert "Health Workforce Well-Being Day" in page
    assert "March 18" in page
    assert "Share the toolkit&#x27;s messages" in page
    assert "https://nam.edu/product/hwwb-day-toolkit" in page
    assert re.search(r"\$4\.6 billion", page)


def test_the_next_awareness_day_rolls_over_after_march_18():
    from wellbeing.engage.awareness import next_day

    assert next_day(dt.date(2027, 3, 18)) == dt.date(2027, 3, 18)
    assert next_day(dt.date(2027, 3, 19)) == dt.date(2028, 3, 18)
    assert next_day(dt.date(2027, 1, 2)) == dt.date(2027, 3, 18)


def test_awareness_day_events_are_listed_on_its_page(client, make_event):
    make_event(title="Day of awareness kick-off", awareness_day=True)
    make_event(slug="other", title="Unrelated webinar")
    page = client.get(reverse("engage:awareness_day")).content.decode()
    assert "Day of awareness kick-off" in page
    assert "Unrelated webinar" not in page
