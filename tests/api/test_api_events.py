"""The public events endpoints: published events only, never a joining link or a registration."""

import datetime as dt

import pytest
from django.utils import timezone

from wellbeing.engage.models import Event, Registration


@pytest.fixture
def make_event(db):
    def _make(slug, days, **overrides):
        start = timezone.now() + dt.timedelta(days=days)
        values = {
            "title": f"Event {slug}",
            "slug": slug,
            "summary": "Synthetic demonstration event.",
            "format": Event.Format.VIRTUAL,
            "host": "Riverbend Health (synthetic)",
            "starts_at": start,
            "ends_at": start + dt.timedelta(hours=1),
            "online_url": "https://meet.example.org/secret-room",
            "recording_url": "https://video.example.org/recording",
            "published": True,
        }
        return Event.objects.create(**{**values, **overrides})

    return _make


def test_upcoming_events_are_listed_soonest_first_without_joining_links(client, make_event):
    make_event("later", 20)
    soon = make_event("soon", 2, capacity=3)
    make_event("draft", 5, published=False)
    make_event("gone", -5)
    Registration.objects.create(event=soon, name="A", email="a@example.org", status="confirmed")
    body = client.get("/api/v1/events").json()
    assert [e["slug"] for e in body["items"]] == ["soon", "later"]
    assert body["count"] == 2
    first = body["items"][0]
    assert first["places_left"] == 2 and body["items"][1]["places_left"] is None
    assert first["recording_url"] == ""  # not held yet
    assert first["page"] == "http://testserver/engage/events/soon/"
    text = client.get("/api/v1/events").content.decode()
    assert "secret-room" not in text and "a@example.org" not in text


def test_past_events_come_latest_first_with_their_recordings(client, make_event):
    make_event("old", -30)
    make_event("recent", -3)
    make_event("next", 3)
    body = client.get("/api/v1/events", {"when": "past"}).json()
    assert [e["slug"] for e in body["items"]] == ["recent", "old"]
    assert body["items"][0]["recording_url"] == "https://video.example.org/recording"
    assert body["items"][0]["registration_open"] is False


def test_awareness_day_events_can_be_asked_for_alone(client, make_event):
    make_event("day", 4, awareness_day=True)
    make_event("other", 5)
    body = client.get("/api/v1/events", {"awareness_day": "true"}).json()
    assert [e["slug"] for e in body["items"]] == ["day"]


def test_an_unpublished_or_unknown_event_is_404_and_bad_parameters_are_400(client, make_event):
    make_event("draft", 5, published=False)
    make_event("open", 5)
    assert client.get("/api/v1/events/open").json()["slug"] == "open"
    assert client.get("/api/v1/events/draft").status_code == 404
    assert client.get("/api/v1/events/nothing-here").status_code == 404
    bad = client.get("/api/v1/events", {"when": "tomorrow"})
    assert bad.status_code == 400 and bad.json()["detail"]
    assert client.get("/api/v1/events", {"limit": "0"}).status_code == 400
