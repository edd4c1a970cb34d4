"""Staff pages of consultations: 404 to others, moderation, themes, counts and exports."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from wellbeing.engage.actions import consultations as actions
from wellbeing.engage.models import CommentTheme, Consultation, ConsultationComment

State = ConsultationComment.State


@pytest.fixture
def draft(db):
    now = timezone.now()
    return actions.create_consultation(
        title="Draft guide",
        slug="draft-guide",
        summary="Synthetic.",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=10),
        zone="America/Chicago",
        sections=actions.parse_draft("## One\n\nFirst.\n\nSecond.\n\n## Two\n\nThird."),
    )


def _comment(draft, body="A view.", anchor="s1-p1", verified=True, **extra):
    paragraph = draft.paragraphs.get(anchor=anchor) if anchor else None
    comment = actions.submit_comment(
        consultation=draft,
        paragraph=paragraph,
        body=body,
        email=extra.pop("email", "c@example.org"),
        site="",
        **extra,
    )
    if verified:
        actions.verify_comment(actions.verify_token(comment))
        comment.refresh_from_db()
    return comment


@pytest.fixture
def pending(draft):
    return _comment(draft)


def _staff_gets(draft, comment):
    return [
        reverse("engage:consultation_staff_list"),
        reverse("engage:consultation_staff", args=[draft.slug]),
        reverse("engage:consultation_queue", args=[draft.slug]),
        reverse("engage:consultation_export", args=[draft.slug, "csv"]),
        reverse("engage:consultation_export", args=[draft.slug, "xlsx"]),
    ]


def _staff_posts(draft, comment):
    return [
        reverse("engage:consultation_comment_decide", args=[draft.slug, comment.pk, "publish"]),
        reverse("engage:consultation_comment_decide", args=[draft.slug, comment.pk, "reject"]),
        reverse("engage:consultation_comment_tag", args=[draft.slug, comment.pk]),
    ]


@pytest.mark.parametrize("who", ["anonymous", "clinician"])
def test_every_staff_page_and_action_is_a_404_to_others(client, request, draft, pending, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    for url in _staff_gets(draft, pending):
        assert client.get(url).status_code == 404, url
    for url in _staff_posts(draft, pending):
        assert client.post(url, {"reason": "x", "new_theme": "y"}).status_code == 404, url
    pending.refresh_from_db()
    assert pending.state == State.PENDING
    assert CommentTheme.objects.count() == 0


def test_staff_see_every_page(client, staff_curator, draft, pending):
    client.force_login(staff_curator)
    for url in _staff_gets(draft, pending):
        assert client.get(url).status_code == 200, url


def test_staff_publish_a_pending_comment(client, staff_curator, draft, pending):
    client.force_login(staff_curator)
    url = reverse("engage:consultation_comment_decide", args=[draft.slug, pending.pk, "publish"])
    assert client.post(url).status_code == 302
    pending.refresh_from_db()
    assert pending.state == State.PUBLISHED and pending.moderated_by == staff_curator


def test_a_rejection_needs_a_reason_which_staff_see_later(client, staff_curator, draft, pending):
    client.force_login(staff_curator)
    url = reverse("engage:consultation_comment_decide", args=[draft.slug, pending.pk, "reject"])
    client.post(url, {"reason": ""})
    pending.refresh_from_db()
    assert pending.state == State.PENDING
    client.post(url, {"reason": "Names a colleague."})
    pending.refresh_from_db()
    assert pending.state == State.REJECTED
    queue = client.get(reverse("engage:consultation_queue", args=[draft.slug]) + "?state=rejected")
    assert "Names a colleague." in queue.content.decode()
    public = client.get(draft.get_absolute_url()).content.decode()
    assert "Names a colleague." not in public and pending.body not in public


def test_an_unverified_comment_cannot_be_published(client, staff_curator, draft):
    unverified = _comment(draft, verified=False)
    client.force_login(staff_curator)
    url = reverse("engage:consultation_comment_decide", args=[draft.slug, unverified.pk, "publish"])
    client.post(url)
    unverified.refresh_from_db()
    assert unverified.state == State.UNVERIFIED


def test_the_queue_lists_pending_comments_only_by_default(client, staff_curator, draft):
    _comment(draft, body="Waiting for review.")
    _comment(draft, body="Not confirmed yet.", verified=False)
    client.force_login(staff_curator)
    html = client.get(reverse("engage:consultation_queue", args=[draft.slug])).content.decode()
    assert "Waiting for review." in html and "Not confirmed yet." not in html


def test_staff_tag_a_comment_with_existing_and_new_themes(client, staff_curator, draft, pending):
    staffing = CommentTheme.objects.create(consultation=draft, label="Staffing")
    client.force_login(staff_curator)
    url = reverse("engage:consultation_comment_tag", args=[draft.slug, pending.pk])
    client.post(url, {"theme": [str(staffing.pk)], "new_theme": "Night shifts"})
    assert sorted(t.label for t in pending.themes.all()) == ["Night shifts", "Staffing"]
    client.post(url, {"theme": [str(staffing.pk)], "new_theme": ""})
    assert [t.label for t in pending.themes.all()] == ["Staffing"]
    assert CommentTheme.objects.filter(consultation=draft).count() == 2


def test_themes_of_another_consultation_cannot_be_attached(client, staff_curator, draft, pending):
    other = actions.create_consultation(
        title="Other",
        slug="other",
        summary="s",
        opens_at=draft.opens_at,
        closes_at=draft.closes_at,
        zone="UTC",
        sections=actions.parse_draft("## A\n\nB."),
    )
    foreign = CommentTheme.objects.create(consultation=other, label="Foreign")
    client.force_login(staff_curator)
    url = reverse("engage:consultation_comment_tag", args=[draft.slug, pending.pk])
    client.post(url, {"theme": [str(foreign.pk)]})
    assert pending.themes.count() == 0


def test_the_overview_counts_comments_per_paragraph_by_state(client, staff_curator, draft):
    _comment(draft, anchor="s1-p1")
    _comment(draft, anchor="s1-p1", verified=False)
    _comment(draft, anchor="s2-p1")
    client.force_login(staff_curator)
    html = client.get(reverse("engage:consultation_staff", args=[draft.slug])).content.decode()
    row = html.split('data-testid="counts-s1-p1"')[1].split("</tr>")[0]
    cells = [c.split(">")[-1] for c in row.split("</td>")[:-1]]
    assert cells == ["2", "1", "1", "0", "0"]


def _csv_rows(client, draft):
    response = client.get(reverse("engage:consultation_export", args=[draft.slug, "csv"]))
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_csv_export_has_every_comment_and_neutralises_formulas(client, staff_curator, draft):
    formula = _comment(draft, body='=HYPERLINK("http://evil")', name="+Robin")
    theme = CommentTheme.objects.create(consultation=draft, label="Safety")
    formula.themes.add(theme)
    _comment(draft, body="Unverified one.", anchor=None, verified=False)
    _comment(draft, body="@SUM(A1)", anchor="s2-p1")
    client.force_login(staff_curator)
    header, *rows = _csv_rows(client, draft)
    assert header[:5] == ["comment id", "paragraph anchor", "state", "themes", "created"]
    assert len(rows) == ConsultationComment.objects.count() == 3
    by_id = {int(r[0]): r for r in rows}
    first = by_id[formula.pk]
    assert first[1] == "s1-p1" and first[2] == "pending" and first[3] == "Safety"
    assert first[9] == '\'=HYPERLINK("http://evil")' and first[5] == "'+Robin"
    assert {r[1] for r in rows} == {"s1-p1", "whole draft", "s2-p1"}
    assert any(r[9] == "'@SUM(A1)" for r in rows)
    assert all(r[4] for r in rows)


def test_the_xlsx_export_has_every_comment_and_no_formula(client, staff_curator, draft):
    from openpyxl import load_workbook

    _comment(draft, body="-1+1")
    _comment(draft, body="Plain.", verified=False)
    client.force_login(staff_curator)
    response = client.get(reverse("engage:consultation_export", args=[draft.slug, "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "paragraph anchor"
    assert len(rows) - 1 == 2
    # Kept verbatim as a text cell: a spreadsheet shows it and never runs it.
    assert {r[9] for r in rows[1:]} == {"-1+1", "Plain."}
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_an_unknown_export_format_is_a_404(client, staff_curator, draft):
    client.force_login(staff_curator)
    url = reverse("engage:consultation_export", args=[draft.slug, "pdf"])
    assert client.get(url).status_code == 404


def test_staff_create_a_draft_with_times_in_its_own_zone(client, staff_curator):
    client.force_login(staff_curator)
    response = client.post(
        reverse("engage:consultation_staff_list"),
        {
            "title": "New guide",
            "slug": "new-guide",
            "summary": "Synthetic.",
            "opens_at": "2030-03-01T09:00",
            "closes_at": "2030-03-31T17:00",
            "zone": "America/Los_Angeles",
            "draft": "## Why\n\nBecause.\n\nAlso.\n\n## How\n\nLike this.",
        },
    )
    assert response.status_code == 302
    made = Consultation.objects.get(slug="new-guide")
    assert made.local_opens.hour == 9 and made.opens_at.utcoffset() == timedelta(0)
    assert made.opens_at.astimezone(made.zone).tzname() == "PST"
    assert [p.anchor for p in made.paragraphs.all()] == ["s1-p1", "s1-p2", "s2-p1"]


def test_a_draft_closing_before_it_opens_is_refused_with_a_message(client, staff_curator):
    client.force_login(staff_curator)
    response = client.post(
        reverse("engage:consultation_staff_list"),
        {
            "title": "Bad",
            "slug": "bad",
            "summary": "s",
            "opens_at": "2030-03-02T09:00",
            "closes_at": "2030-03-01T09:00",
            "zone": "America/New_York",
            "draft": "## A\n\nB.",
        },
    )
    assert response.status_code == 400
    assert "The comment period must close after it opens." in response.content.decode()
    assert not Consultation.objects.exists()
