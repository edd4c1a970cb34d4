"""Consultations on drafts: the comment period, email verification, display and spam guards."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from wellbeing.engage.actions import consultations as actions
from wellbeing.engage.models import ConsultationComment
from wellbeing.plan.models import ActorGroup

State = ConsultationComment.State
CLOSED = "The public input opportunity is now closed"


def _draft(slug: str, opens_in: timedelta, lasts: timedelta = timedelta(days=30)):
    now = timezone.now()
    return actions.create_consultation(
        title=f"Draft guide {slug}",
        slug=slug,
        summary="A synthetic draft for tests.",
        opens_at=now + opens_in,
        closes_at=now + opens_in + lasts,
        zone="America/New_York",
        sections=actions.parse_draft(
            "## Purpose\n\nFirst paragraph.\n\nSecond paragraph.\n\n## Actions\n\nThird paragraph."
        ),
    )


@pytest.fixture
def open_draft(db):
    return _draft("open-draft", -timedelta(days=1))


@pytest.fixture
def closed_draft(db):
    return _draft("closed-draft", -timedelta(days=10), timedelta(days=5))


@pytest.fixture
def upcoming_draft(db):
    return _draft("upcoming-draft", timedelta(days=3))


def _comment_url(draft, anchor: str | None = "s1-p2") -> str:
    if anchor is None:
        return reverse("engage:consultation_comment", args=[draft.slug])
    return reverse("engage:consultation_comment_paragraph", args=[draft.slug, anchor])


GOOD = {"body": "Please add night shifts.", "email": "Robin@Example.org", "name": "Robin"}


def _verify_link(message) -> str:
    return re.search(r"http\S+/engage/consultations/verify/\S+/", message.body).group(0)


def test_a_comment_in_the_period_is_stored_unverified_and_mails_a_signed_link(
    client, open_draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_comment_url(open_draft), GOOD)
    assert response.status_code == 302
    assert response.url == reverse("engage:consultation_thanks", args=[open_draft.slug])
    comment = ConsultationComment.objects.get()
    assert comment.state == State.UNVERIFIED
    assert comment.paragraph.anchor == "s1-p2"
    assert comment.email == "robin@example.org"
    assert mail.outbox[-1].to == ["robin@example.org"]
    assert "/engage/consultations/verify/" in mail.outbox[-1].body


def test_the_signed_link_moves_the_comment_to_pending_and_a_second_click_changes_nothing(
    client, open_draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_comment_url(open_draft), GOOD)
    path = _verify_link(mail.outbox[-1]).split("://", 1)[1].split("/", 1)[1]
    first = client.post("/" + path)
    assert first.status_code == 200 and "Your comment is confirmed" in first.content.decode()
    assert ConsultationComment.objects.get().state == State.PENDING
    assert client.post("/" + path).status_code == 200
    assert ConsultationComment.objects.get().state == State.PENDING


def test_a_tampered_link_is_refused_with_a_clear_page(client, open_draft):
    comment = actions.submit_comment(
        consultation=open_draft, paragraph=None, body="x", email="a@example.org", site=""
    )
    token = actions.verify_token(comment)
    response = client.get(reverse("engage:consultation_verify", args=[token[:-2] + "zz"]))
    assert response.status_code == 400
    assert "This confirmation link is not valid" in response.content.decode()
    comment.refresh_from_db()
    assert comment.state == State.UNVERIFIED


def test_a_link_forged_for_another_comment_is_refused(client, open_draft):
    from django.core import signing

    comment = actions.submit_comment(
        consultation=open_draft, paragraph=None, body="x", email="a@example.org", site=""
    )
    token = signing.dumps({"c": comment.pk, "e": "a@example.org"}, salt="another.salt")
    response = client.get(reverse("engage:consultation_verify", args=[token]))
    assert response.status_code == 400
    comment.refresh_from_db()
    assert comment.state == State.UNVERIFIED


def test_an_expired_link_is_refused_with_a_clear_page(client, open_draft, monkeypatch):
    comment = actions.submit_comment(
        consultation=open_draft, paragraph=None, body="x", email="a@example.org", site=""
    )
    token = actions.verify_token(comment)
    monkeypatch.setattr(actions, "VERIFY_MAX_AGE", timedelta(seconds=-1))
    response = client.get(reverse("engage:consultation_verify", args=[token]))
    assert response.status_code == 400
    assert "This confirmation link has expired" in response.content.decode()
    comment.refresh_from_db()
    assert comment.state == State.UNVERIFIED


def test_a_comment_after_the_period_closes_is_refused_by_the_view(client, closed_draft):
    response = client.post(_comment_url(closed_draft), GOOD)
    assert response.status_code == 409
    assert CLOSED in response.content.decode()
    assert ConsultationComment.objects.count() == 0


def test_a_comment_after_the_period_closes_is_refused_by_the_action(closed_draft):
    with pytest.raises(actions.ConsultationClosed, match=CLOSED):
        actions.submit_comment(
            consultation=closed_draft, paragraph=None, body="x", email="a@example.org", site=""
        )
    assert ConsultationComment.objects.count() == 0


def test_the_action_refuses_at_the_closing_instant_itself(open_draft):
    with pytest.raises(actions.ConsultationClosed):
        actions.submit_comment(
            consultation=open_draft,
            paragraph=None,
            body="x",
            email="a@example.org",
            site="",
            now=open_draft.closes_at,
        )


def test_a_closed_draft_says_so_and_offers_no_comment_links(client, closed_draft):
    html = client.get(closed_draft.get_absolute_url()).content.decode()
    assert CLOSED in html
    assert "Comment on this paragraph" not in html
    assert 'name="body"' not in html


def test_before_opening_the_page_says_when_it_opens_and_a_post_is_refused(client, upcoming_draft):
    html = client.get(upcoming_draft.get_absolute_url()).content.decode()
    opens = upcoming_draft.local_opens
    assert "It opens on" in html and f"{opens:%B} {opens.day}, {opens.year}" in html
    assert "(America/New_York)" in html
    response = client.post(_comment_url(upcoming_draft, None), GOOD)
    assert response.status_code == 409
    assert "not open yet" in response.content.decode()
    with pytest.raises(actions.ConsultationClosed, match="not open yet"):
        actions.submit_comment(
            consultation=upcoming_draft, paragraph=None, body="x", email="a@ex.org", site=""
        )
    assert ConsultationComment.objects.count() == 0


def test_a_comment_submitted_in_time_and_verified_after_closing_is_kept(client, open_draft):
    comment = actions.submit_comment(
        consultation=open_draft, paragraph=None, body="x", email="a@example.org", site=""
    )
    type(open_draft).objects.filter(pk=open_draft.pk).update(
        opens_at=timezone.now() - timedelta(days=5), closes_at=timezone.now() - timedelta(days=1)
    )
    response = client.post(
        reverse("engage:consultation_verify", args=[actions.verify_token(comment)])
    )
    assert response.status_code == 200
    comment.refresh_from_db()
    assert comment.state == State.PENDING


def test_published_comments_show_under_their_paragraph_with_a_name_or_anonymous_never_the_email(
    client, open_draft, staff_curator
):
    paragraph = open_draft.paragraphs.get(anchor="s1-p2")
    named, anonymous, waiting = (
        actions.submit_comment(
            consultation=open_draft,
            paragraph=paragraph,
            body=body,
            name=name,
            email=f"{i}@secret.example.org",
            site="",
        )
        for i, (body, name) in enumerate(
            [("Named view.", "Robin"), ("Quiet view.", ""), ("Unreviewed view.", "Kim")]
        )
    )
    for comment in (named, anonymous, waiting):
        actions.verify_comment(actions.verify_token(comment))
    actions.moderate_comment(comment=named, publish=True, actor=staff_curator)
    actions.moderate_comment(comment=anonymous, publish=True, actor=staff_curator)
    html = client.get(open_draft.get_absolute_url()).content.decode()
    assert "Named view." in html and "Robin" in html
    assert "Quiet view." in html and "Anonymous" in html
    assert "Unreviewed view." not in html
    assert "secret.example.org" not in html
    assert html.index('id="s1-p2"') < html.index("Named view.") < html.index('id="s2-p1"')


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({**GOOD, "body": ""}, "Enter your comment."),
        ({**GOOD, "body": "x" * 5001}, "at most 5,000 characters"),
        ({**GOOD, "email": ""}, "Enter your email address, so we can confirm your comment."),
        ({**GOOD, "email": "nope"}, "Enter an email address in the format name@example.org."),
        ({**GOOD, "actor_group": "999999"}, "Choose a group from the list."),
        ({**GOOD, "name": "n" * 201}, "at most 200 characters"),
    ],
)
def test_bad_input_gets_a_clear_form_error_not_a_500(client, open_draft, data, message):
    response = client.post(_comment_url(open_draft), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert ConsultationComment.objects.count() == 0


def test_an_actor_group_from_the_plan_is_kept_with_the_comment(client, open_draft):
    group = ActorGroup.objects.first() or ActorGroup.objects.create(slug="g", name="Group")
    response = client.post(_comment_url(open_draft), {**GOOD, "actor_group": str(group.pk)})
    assert response.status_code == 302
    assert ConsultationComment.objects.get().actor_group == group


def test_an_unknown_paragraph_or_draft_is_a_404(client, open_draft):
    assert client.get(_comment_url(open_draft, "s9-p9")).status_code == 404
    assert client.get("/engage/consultations/no-such-draft/").status_code == 404


def test_a_filled_honeypot_is_thanked_but_not_stored(client, open_draft):
    response = client.post(_comment_url(open_draft), {**GOOD, "website": "http://spam.example"})
    assert response.status_code == 302
    assert response.url == reverse("engage:consultation_thanks", args=[open_draft.slug])
    assert ConsultationComment.objects.count() == 0


def test_too_many_comments_from_one_address_get_a_429_page_that_says_why(client, open_draft):
    codes = [client.post(_comment_url(open_draft), GOOD).status_code for _ in range(12)]
    assert codes == [302] * 10 + [429] * 2
    response = client.post(_comment_url(open_draft), GOOD)
    assert "Too many comments" in response.content.decode()
    assert ConsultationComment.objects.count() == 10


def test_the_list_sorts_drafts_into_open_upcoming_and_closed(
    client, open_draft, upcoming_draft, closed_draft
):
    html = client.get(reverse("engage:consultation_list")).content.decode()
    assert html.index("Open for comment") < html.index(open_draft.title)
    assert html.index(open_draft.title) < html.index("Upcoming") < html.index(upcoming_draft.title)
    assert html.index(upcoming_draft.title) < html.index("Closed") < html.index(closed_draft.title)


def test_the_draft_links_every_paragraph_to_its_comment_form(client, open_draft):
    html = client.get(open_draft.get_absolute_url()).content.decode()
    for anchor in ("s1-p1", "s1-p2", "s2-p1"):
        assert f'id="{anchor}"' in html
        assert _comment_url(open_draft, anchor) in html
    assert html.count(">Comment on this paragraph<span") == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Add at least one section"),
        ("Text before a heading.\n\n## Purpose\n\nOk.", "Start the draft with a section heading"),
        ("## Purpose\n\n## Actions\n\nOk.", "The section “Purpose” has no paragraphs."),
    ],
)
def test_a_draft_without_proper_sections_is_refused_with_a_message(text, message):
    with pytest.raises(ValueError, match=message):
        actions.parse_draft(text)


def test_the_draft_page_costs_the_same_queries_however_many_comments_are_published(
    client, open_draft, staff_curator
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def publish(n: int) -> None:
        for i in range(n):
            comment = actions.submit_comment(
                consultation=open_draft,
                paragraph=open_draft.paragraphs.order_by("?").first(),
                body=f"View {i}.",
                email="v@example.org",
                site="",
            )
            actions.verify_comment(actions.verify_token(comment))
            actions.moderate_comment(comment=comment, publish=True, actor=staff_curator)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(open_draft.get_absolute_url()).status_code == 200
        return len(captured)

    publish(1)
    few = queries()
    publish(9)
    assert queries() == few


def test_the_demo_draft_loads_once_marked_synthetic_with_comments_in_every_state(
    client, staff_curator, settings, tmp_path
):
    from types import SimpleNamespace

    from wellbeing.engage.demo import load_engage_demo

    settings.MEDIA_ROOT = tmp_path
    first = load_engage_demo(SimpleNamespace(staff=staff_curator)).consultation
    again = load_engage_demo(SimpleNamespace(staff=staff_curator)).consultation
    assert first.pk == again.pk and first.is_demo
    states = set(first.comments.values_list("state", flat=True))
    assert states == set(State.values)
    html = client.get(first.get_absolute_url()).content.decode()
    assert "Synthetic demo" in html and "not the wording of the National Plan" in html
    assert first.period() == first.Period.OPEN
