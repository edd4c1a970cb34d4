"""The links mailed to people without an account, tested as the attacks they must withstand.

- A mail scanner opens every link in a message (GET, HEAD): that must change nothing;
  only the page's button (a POST with its CSRF token) confirms, verifies or unsubscribes.
- A forged cross-site POST without the CSRF token is refused; the one exception is the
  RFC 8058 one-click unsubscribe, which acts on its exact body only.
- A URL ends up in logs and histories: no link may carry the address it was mailed to.
- Links mailed before this change carried the address: opened, they say they expired.
"""

import datetime as dt
import re
import zlib
from urllib.parse import quote

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wellbeing.engage.actions import consultations, events, updates
from wellbeing.engage.models import ConsultationComment, Event, Registration, Subscriber

pytestmark = pytest.mark.django_db
SITE = "http://testserver"
EMAIL = "Robin.Reader@Example.org"
ONE_CLICK = "application/x-www-form-urlencoded"


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1] if "://" in url else url


def _links(message) -> list[str]:
    return [_path(u) for u in re.findall(r"https?://\S+/", message.body)]


def _button_form(html: str) -> tuple[str, str, str]:
    """The page's one form: its action, its CSRF token and its button's label."""
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', html, re.S)
    assert form, "the page has no POST form"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(2))
    button = re.search(r'<button class="usa-button[^"]*" type="submit">([^<]+)</button>', html)
    assert token and button, "the form needs its CSRF token and a labelled submit button"
    return form.group(1), token.group(1), button.group(1)


def _press_the_button(client: Client, path: str, label: str):
    """Open the link as a person does, then press the page's button (with its CSRF token)."""
    page = client.get(path)
    assert page.status_code == 200
    action, token, button = _button_form(page.content.decode())
    assert button == label
    assert "<h1>" in page.content.decode()
    return client.post(action, {"csrfmiddlewaretoken": token})


def _payload(path: str) -> str:
    """What anyone can read back from a signed token: ``signing`` signs, it does not hide."""
    token = path.rstrip("/").rsplit("/", 1)[-1]
    head = token.split(":", 1)[0]
    raw = signing.b64_decode(head.lstrip(".").encode())
    return (zlib.decompress(raw) if head.startswith(".") else raw).decode()


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def csrf_client() -> Client:
    return Client(enforce_csrf_checks=True)


def _subscribed(capture) -> Subscriber:
    with capture(execute=True):
        return updates.subscribe(EMAIL, ["events"], SITE)


def _active(capture) -> Subscriber:
    subscriber = _subscribed(capture)
    return updates.confirm(updates.confirm_token(subscriber))


@pytest.fixture
def draft(db):
    now = timezone.now()
    return consultations.create_consultation(
        title="Draft guide",
        slug="draft-guide",
        summary="A synthetic draft for tests.",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
        zone="America/New_York",
        sections=consultations.parse_draft("## Purpose\n\nFirst paragraph."),
    )


def _comment(draft, capture) -> ConsultationComment:
    with capture(execute=True):
        return consultations.submit_comment(
            consultation=draft, paragraph=None, body="Add night shifts.", email=EMAIL, site=SITE
        )


def _registration(capture) -> Registration:
    start = timezone.now() + dt.timedelta(days=10)
    event = Event.objects.create(
        title="Peer support",
        slug="peer-support",
        summary="How hospitals run peer support.",
        format=Event.Format.HYBRID,
        host="Riverbend Health",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        online_url="https://meet.example.org/peer",
        published=True,
    )
    with capture(execute=True):
        registration, _ = events.register(event=event, name="Robin", email=EMAIL, site=SITE)
    return registration


# --- no address in any URL -------------------------------------------------------------


def _mailed_links(kind: str, capture, draft) -> list[str]:
    """Every link of one kind, taken from the mail as sent."""
    if kind == "updates_confirm":
        _subscribed(capture)
    elif kind in ("updates_unsubscribe", "updates_preferences"):
        _active(capture)
        with capture(execute=True):  # an active address signing up again gets both links
            updates.subscribe(EMAIL, ["hub"], SITE)
    elif kind == "consultation_verify":
        _comment(draft, capture)
    else:
        _registration(capture)
    prefix = reverse(f"engage:{kind}", args=["x"]).rsplit("x/", 1)[0]
    found = [link for link in _links(mail.outbox[-1]) if link.startswith(prefix)]
    assert found, f"no {kind} link in the mail"
    return found


@pytest.mark.parametrize(
    "kind",
    [
        "updates_confirm",
        "updates_unsubscribe",
        "updates_preferences",
        "consultation_verify",
        "event_cancel",
    ],
)
def test_no_mailed_link_carries_the_address_even_decoded(kind, capture, draft):
    local = EMAIL.split("@")[0].lower()
    for link in _mailed_links(kind, capture, draft):
        readable = (link + _payload(link)).lower()
        assert local not in readable and quote(local) not in readable, link


def test_the_newsletter_s_one_click_header_carries_no_address(capture, staff_curator):
    subscriber = _active(capture)
    newsletter = updates.create_newsletter(
        subject="News", body="Text.", topics=["events"], actor=staff_curator
    )
    message = updates.newsletter_message(newsletter, subscriber)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<http") and header.endswith("/>")
    assert "/engage/updates/unsubscribe/" in header
    assert "robin" not in (header + _payload(header.strip("<>"))).lower()


def test_a_link_names_its_row_and_address_together(client, capture):
    """A valid token for one subscriber cannot be re-aimed at another's row."""
    mine = _active(capture)
    theirs = updates.confirm(
        updates.confirm_token(updates.subscribe("other@example.org", ["events"], SITE))
    )
    from wellbeing.engage import links

    aimed = links.make_token(salt=updates.UNSUBSCRIBE_SALT, key="s", pk=theirs.pk, email=mine.email)
    response = client.post(reverse("engage:updates_unsubscribe", args=[aimed]))
    assert response.status_code == 400
    theirs.refresh_from_db()
    assert theirs.unsubscribed_at is None


# --- opening a link changes nothing; the button acts ------------------------------------


def _open_like_a_scanner(client: Client, path: str) -> None:
    assert client.get(path).status_code == 200
    assert client.head(path).status_code == 200
    assert client.get(path, follow=True).status_code == 200


def test_opening_the_confirmation_link_confirms_nothing_and_the_button_does(csrf_client, capture):
    _subscribed(capture)
    path = _links(mail.outbox[-1])[0]
    _open_like_a_scanner(csrf_client, path)
    assert Subscriber.objects.get().confirmed_at is None
    response = _press_the_button(csrf_client, path, "Yes, send me email updates")
    assert response.status_code == 200
    assert "Your email updates are confirmed" in response.content.decode()
    assert Subscriber.objects.get().confirmed_at is not None


def test_opening_the_unsubscribe_link_unsubscribes_nobody_and_the_button_does(csrf_client, capture):
    subscriber = _active(capture)
    path = updates.unsubscribe_path(subscriber)
    _open_like_a_scanner(csrf_client, path)
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is None
    response = _press_the_button(csrf_client, path, "Unsubscribe from all email updates")
    assert response.status_code == 200 and "You are unsubscribed" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is not None


def test_opening_the_verification_link_verifies_nothing_and_the_button_does(
    csrf_client, capture, draft
):
    _comment(draft, capture)
    path = _links(mail.outbox[-1])[0]
    _open_like_a_scanner(csrf_client, path)
    assert ConsultationComment.objects.get().state == ConsultationComment.State.UNVERIFIED
    response = _press_the_button(csrf_client, path, "Confirm my comment")
    assert response.status_code == 200 and "Your comment is confirmed" in response.content.decode()
    assert ConsultationComment.objects.get().state == ConsultationComment.State.PENDING


def test_a_post_without_the_csrf_token_acts_on_no_link(csrf_client, capture, draft):
    subscriber = _subscribed(capture)
    comment = _comment(draft, capture)
    for path in (
        reverse("engage:updates_confirm", args=[updates.confirm_token(subscriber)]),
        reverse("engage:consultation_verify", args=[consultations.verify_token(comment)]),
    ):
        assert csrf_client.post(path).status_code == 403
    subscriber.refresh_from_db()
    comment.refresh_from_db()
    assert subscriber.confirmed_at is None
    assert comment.state == ConsultationComment.State.UNVERIFIED
    subscriber = updates.confirm(updates.confirm_token(subscriber))
    refused = csrf_client.post(updates.unsubscribe_path(subscriber), {"confirm": "yes"})
    assert refused.status_code == 403
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is None


# --- RFC 8058 one-click unsubscribe --------------------------------------------------


def test_the_exact_one_click_body_unsubscribes_without_csrf_token_or_session(csrf_client, capture):
    subscriber = _active(capture)
    response = csrf_client.post(
        updates.unsubscribe_path(subscriber), "List-Unsubscribe=One-Click", content_type=ONE_CLICK
    )
    assert response.status_code == 200
    assert not csrf_client.cookies.get("sessionid")
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is not None


@pytest.mark.parametrize(
    "body",
    [
        "",
        "List-Unsubscribe=one-click",
        "List-Unsubscribe=Yes",
        "List-Unsubscribe=One-Click&then=more",
        "List-Unsubscribe=One-Click&List-Unsubscribe=One-Click",
        "list-unsubscribe=One-Click",
    ],
)
def test_any_other_body_without_a_csrf_token_unsubscribes_nobody(csrf_client, capture, body):
    subscriber = _active(capture)
    response = csrf_client.post(updates.unsubscribe_path(subscriber), body, content_type=ONE_CLICK)
    assert response.status_code == 403
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is None


# --- links mailed before this change ---------------------------------------------------


def _legacy(salt: str, key: str, pk: int, email: str) -> str:
    return signing.dumps({key: pk, "e": email}, salt=salt)


def test_an_old_confirmation_link_still_shows_its_button(client, capture):
    """Confirmation links never carried the address: their format is unchanged."""
    subscriber = _subscribed(capture)
    consent = subscriber.consented_at.isoformat()
    old = signing.dumps({"s": subscriber.pk, "c": consent}, salt=updates.CONFIRM_SALT)
    page = client.get(reverse("engage:updates_confirm", args=[old]))
    assert page.status_code == 200 and "Yes, send me email updates" in page.content.decode()


def test_an_old_address_bearing_unsubscribe_link_has_expired_when_opened(csrf_client, capture):
    subscriber = _active(capture)
    old = _legacy(updates.UNSUBSCRIBE_SALT, "s", subscriber.pk, subscriber.email)
    path = reverse("engage:updates_unsubscribe", args=[old])
    for response in (csrf_client.get(path), csrf_client.post(path, {})):
        assert response.status_code == 400
        html = response.content.decode()
        assert "This link has expired" in html and "Request a new link" in html
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is None


def test_an_old_unsubscribe_link_still_takes_the_mail_provider_s_one_click(csrf_client, capture):
    """Newsletters already sent carry the old URL in List-Unsubscribe: leaving must still work."""
    subscriber = _active(capture)
    old = _legacy(updates.UNSUBSCRIBE_SALT, "s", subscriber.pk, subscriber.email)
    path = reverse("engage:updates_unsubscribe", args=[old])
    response = csrf_client.post(path, "List-Unsubscribe=One-Click", content_type=ONE_CLICK)
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is not None


def test_an_old_preferences_link_has_expired(client, capture):
    subscriber = _active(capture)
    old = _legacy(updates.PREFERENCES_SALT, "s", subscriber.pk, subscriber.email)
    path = reverse("engage:updates_preferences", args=[old])
    assert "This link has expired" in client.get(path).content.decode()
    assert client.post(path, {"topics": ["hub"]}).status_code == 400
    assert subscriber.topics == ["events"]


def test_an_old_verification_link_has_expired(client, capture, draft):
    comment = _comment(draft, capture)
    old = _legacy(consultations.VERIFY_SALT, "c", comment.pk, comment.email)
    path = reverse("engage:consultation_verify", args=[old])
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 400
        assert "This confirmation link has expired" in response.content.decode()
    comment.refresh_from_db()
    assert comment.state == ConsultationComment.State.UNVERIFIED


def test_an_old_cancel_link_has_expired(client, capture):
    registration = _registration(capture)
    old = _legacy(events.CANCEL_SALT, "r", registration.pk, registration.email)
    path = reverse("engage:event_cancel", args=[old])
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 404
        assert "This cancel link does not work" in response.content.decode()
    registration.refresh_from_db()
    assert registration.status != Registration.Status.CANCELLED


def test_links_already_mailed_survive_a_secret_key_rotation(client, capture, settings):
    subscriber = _active(capture)
    path = updates.unsubscribe_path(subscriber)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "rotated-" + "k" * 50
    page = client.get(path)
    assert page.status_code == 200
    assert "Unsubscribe from all email updates" in page.content.decode()
    settings.SECRET_KEY_FALLBACKS = []
    assert client.get(path).status_code == 400  # the old key retired: the link is dead
