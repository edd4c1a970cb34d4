"""Synthetic engage content for the demo: events, gallery works, a network questionnaire and a
draft open for comment.

Everything here is invented and labelled so (``is_demo``, "synthetic" in titles),
except the Health Workforce Well-Being Day toolkit entries, which are the verified,
sourced ones from ``awareness.seed_toolkit``. Loading twice adds nothing.
"""

import io
import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone
from PIL import Image, ImageDraw

from wellbeing.accounts.demo import DemoWorld
from wellbeing.engage import awareness
from wellbeing.engage.actions import consultations as consultation_actions
from wellbeing.engage.actions import gallery as gallery_actions
from wellbeing.engage.actions import questionnaires as q_actions
from wellbeing.engage.models import (
    Artwork,
    CommentTheme,
    Consultation,
    ConsultationComment,
    Event,
    Questionnaire,
)
from wellbeing.engage.uploads import CleanImage
from wellbeing.surveys.actions import ImportedResponse, record_synthetic_responses
from wellbeing.surveys.models import Comment

QUESTIONNAIRE_SLUG = "demo-network-pulse"
CONSULTATION_SLUG = "demo-draft-guide"


@dataclass(frozen=True)
class EngageDemo:
    events: int
    works: int
    questionnaire: Questionnaire
    consultation: Consultation


def load_engage_demo(world: DemoWorld) -> EngageDemo:
    awareness.seed_toolkit()
    _events()
    _works()
    return EngageDemo(
        Event.objects.filter(is_demo=True).count(),
        Artwork.objects.filter(is_demo=True).count(),
        _questionnaire(world),
        _consultation(world),
    )


def _at(day: datetime | None, days: int, hour: int, zone: str = "America/New_York") -> datetime:
    import zoneinfo

    base = (day or timezone.now()).astimezone(zoneinfo.ZoneInfo(zone)).date() + timedelta(days=days)
    return datetime.combine(base, time(hour, 0), tzinfo=zoneinfo.ZoneInfo(zone))


def _events() -> None:
    if Event.objects.filter(is_demo=True).exists():
        return
    start = _at(None, 21, 12)
    Event.objects.create(
        title="Peer support in practice (synthetic demo event)",
        slug="demo-peer-support",
        summary="An invented webinar for the demonstration: three synthetic hospitals describe "
        "how they started peer support programs.",
        format=Event.Format.HYBRID,
        host="Riverbend Health (synthetic)",
        starts_at=start,
        ends_at=start + timedelta(hours=1, minutes=30),
        venue="Riverbend Health auditorium (synthetic)",
        online_url="https://example.org/demo-webinar",
        capacity=40,
        published=True,
        is_demo=True,
    )
    import zoneinfo

    day = awareness.next_day(timezone.localdate())
    start = datetime.combine(day, time(13, 0), tzinfo=zoneinfo.ZoneInfo("America/New_York"))
    Event.objects.create(
        title="Well-being day open house (synthetic demo event)",
        slug="demo-hwwb-day-open-house",
        summary="An invented Health Workforce Well-Being Day event for the demonstration.",
        format=Event.Format.IN_PERSON,
        host="Riverbend Health (synthetic)",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        venue="Riverbend Health, main lobby (synthetic)",
        capacity=3,
        awareness_day=True,
        published=True,
        is_demo=True,
    )
    past = _at(None, -60, 12)
    Event.objects.create(
        title="Measuring burnout in a health system (synthetic past event)",
        slug="demo-measuring-burnout",
        summary="An invented past webinar; real past events link their recordings here.",
        format=Event.Format.VIRTUAL,
        host="Clinician well-being network (synthetic)",
        starts_at=past,
        ends_at=past + timedelta(hours=1),
        published=True,
        is_demo=True,
    )


def _picture(seed: int, colours: tuple[str, str, str]) -> CleanImage:
    rng = random.Random(seed)  # noqa: S311 -- decoration, not secrets
    image = Image.new("RGB", (640, 420), colours[0])
    draw = ImageDraw.Draw(image)
    for _ in range(14):
        x, y, r = rng.randint(0, 640), rng.randint(0, 420), rng.randint(20, 90)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=rng.choice(colours[1:]))
    out = io.BytesIO()
    image.save(out, format="PNG")
    from django.core.files.base import ContentFile

    return CleanImage(ContentFile(out.getvalue(), name=f"demo-{seed}.png"), 640, 420)


WORKS = (
    (
        "Shift change at dawn (synthetic demo)",
        "image",
        "clinician",
        "Abstract picture: overlapping orange and gold circles on a deep blue background, like lights coming on at dawn.",
        ("#1a3e6e", "#f2a541", "#f5d68a"),
        "",
    ),
    (
        "Breathing room (synthetic demo)",
        "image",
        "organization",
        "Abstract picture: soft green and white circles scattered over a pale grey field.",
        ("#d9dde2", "#5fa777", "#ffffff"),
        "",
    ),
    (
        "Notes from the night desk (synthetic demo)",
        "writing",
        "loved_one",
        "",
        None,
        "The kettle, the quiet,\nthe call light that waits—\nwe keep each other company\nuntil the morning comes.",
    ),
)


def _works() -> None:
    if Artwork.objects.filter(is_demo=True).exists():
        return
    for i, (title, medium, perspective, alt, colours, writing) in enumerate(WORKS):
        work = gallery_actions.submit_artwork(
            gallery_actions.ArtworkSubmission(
                title=title,
                artist_name="Demo artist (synthetic)",
                location="",
                perspective=perspective,
                medium=medium,
                alt_text=alt,
                media_url="",
                writing=writing,
                statement="Generated for the demonstration; no real person made this work.",
                licence=Artwork.Licence.CC_BY,
                consent_to_publish=True,
                contact_email="demo-artist@example.org",
            ),
            _picture(i, colours) if colours else None,
            is_demo=True,
        )
        Artwork.objects.filter(pk=work.pk).update(
            status=Artwork.Status.APPROVED, moderated_at=timezone.now()
        )


# Invented fragments for the demo's answers, by topic; no real respondent wrote them. An
# answer joins two fragments of one topic, sometimes with a sentence every topic shares.
TOPICS = (
    (
        "Childcare fell apart when schools closed.",
        "Without childcare I juggled shifts and my kids at home.",
        "With schools closed there was no childcare for my kids.",
        "Childcare for my kids disappeared when my partner worked nights.",
        "Finding childcare for the kids was the hardest part.",
    ),
    (
        "We were short staffed and overtime never ended.",
        "Staffing was so short that overtime became normal.",
        "Short staffing meant double shifts and overtime for the nurses.",
        "Nobody could cover a sick call, so short staffing meant overtime.",
        "Short staffed shifts wore the whole unit down.",
    ),
    (
        "Peer support huddles and counseling after hard shifts helped us talk about grief.",
        "A confidential peer support line and counseling made it easier to ask for help.",
        "Free counseling and peer support were offered on every shift.",
        "Chaplains offered peer support and counseling to the team.",
        "Peer support groups and counseling helped with moral distress.",
    ),
    (
        "Free meals and parking for the unit helped a lot.",
        "Free parking and meals took daily stress away.",
        "Free meals and parking on shift showed the organization noticed us.",
        "Free parking, meals and hotel rooms near the hospital let us rest.",
        "Grocery delivery, free meals and free parking made long weeks possible.",
    ),
)
SHARED = ("It has been a hard year.", "Thank you for asking.", "")


def _answer_text(rng: random.Random, topic: tuple[str, ...]) -> str:
    first, second = rng.sample(topic, 2)
    return " ".join(part for part in (first, second, rng.choice(SHARED)) if part)


ROLES = ("nurse", "physician", "resident_fellow", "advanced_practice", "allied_health")


def _questionnaire(world: DemoWorld) -> Questionnaire:
    existing = Questionnaire.objects.filter(slug=QUESTIONNAIRE_SLUG).first()
    if existing:
        return existing
    q = q_actions.create_questionnaire(
        title="Clinicians during a crisis (synthetic demo questionnaire)",
        slug=QUESTIONNAIRE_SLUG,
        intro="A demonstration of a network questionnaire: how a crisis affected clinicians' lives "
        "and work, and the creative solutions their organizations put in place. Every answer "
        "below is generated.",
        instruments=["single-item-burnout"],
        demographics=["role"],
        open_questions=[
            "How has the crisis affected your personal and professional life?",
            "What creative solutions did your organization put in place to support you?",
        ],
        opens_at=timezone.now() - timedelta(days=14),
        closes_at=timezone.now() + timedelta(days=30),
        actor=world.staff,
        is_demo=True,
    )
    rng = random.Random(2021)  # noqa: S311 -- synthetic demo data
    rows = [
        ImportedResponse(
            key=f"demo-network-{i}",
            unit=None,
            answers={"single-item-burnout": [rng.choice((1, 2, 2, 3, 3, 3, 4, 5))]},
            demographics={"role": rng.choice(ROLES)},
        )
        for i in range(80)
    ]
    record_synthetic_responses(wave=q.wave, rows=rows)
    comments = []
    for _i in range(80):
        for question, topics in ((1, TOPICS[:2]), (2, TOPICS[2:])):
            comments.append(
                Comment(wave=q.wave, question=question, text=_answer_text(rng, rng.choice(topics)))
            )
    Comment.objects.bulk_create(comments)
    q_actions.group_answers(questionnaire=q, actor=world.staff)
    q_actions.publish_results(questionnaire=q, public=True, actor=world.staff)
    return q


# Invented wording: this is not the National Plan's text or any real draft.
DEMO_DRAFT = """## About this demonstration draft

This is a synthetic demonstration draft, written for this software's demo. It is not the wording of the National Plan for Health Workforce Well-Being or of any real document.

A real draft would explain here what the document is for, who wrote it and what kind of input is most useful.

## Making time for recovery

Organizations could protect time between demanding shifts so that people can rest before they work again.

Teams could agree on how handovers work, so that nobody stays late to finish work that another shift can pick up.

## Measuring and reporting back

Organizations could survey their workforce once a year and share the confidential results with every team.

Leaders could report back within three months on what they changed because of the survey.
"""


def _consultation(world: DemoWorld) -> Consultation:
    existing = Consultation.objects.filter(slug=CONSULTATION_SLUG).first()
    if existing:
        return existing
    now = timezone.now()
    draft = consultation_actions.create_consultation(
        title="Demonstration draft guide on recovery time (synthetic)",
        slug=CONSULTATION_SLUG,
        summary="An invented draft for the demonstration: comment on a paragraph or on the whole "
        "draft to see how a public comment period works. The text is not from any real document.",
        opens_at=now - timedelta(days=7),
        closes_at=now + timedelta(days=23),
        zone="America/New_York",
        sections=consultation_actions.parse_draft(DEMO_DRAFT),
        webinar=Event.objects.filter(slug="demo-peer-support").first(),
        actor=world.staff,
        is_demo=True,
    )
    _demo_comments(draft, world)
    return draft


def _demo_comments(draft: Consultation, world: DemoWorld) -> None:
    """A few invented comments in each state, written directly so no mail is sent."""
    State = ConsultationComment.State
    by_anchor = {p.anchor: p for p in draft.paragraphs.all()}
    rows = [
        ("s2-p1", State.PUBLISHED, "Jordan (synthetic)", "Night staff need this most; say so."),
        ("s2-p2", State.PUBLISHED, "", "A handover checklist would make this concrete."),
        ("s3-p2", State.PENDING, "Sam (synthetic)", "Three months is too short for big changes."),
        ("s3-p1", State.UNVERIFIED, "", "Once a year may be too often for small clinics."),
        (None, State.REJECTED, "Spam bot (synthetic)", "Buy cheap watches here."),
    ]
    theme = CommentTheme.objects.create(consultation=draft, label="Shift work (synthetic theme)")
    for anchor, state, name, body in rows:
        comment = ConsultationComment.objects.create(
            consultation=draft,
            paragraph=by_anchor.get(anchor) if anchor else None,
            body=body,
            name=name,
            email="commenter@example.org",
            state=state,
            rejection_reason="Advertising." if state == State.REJECTED else "",
            verified_at=None if state == State.UNVERIFIED else timezone.now(),
            moderated_by=world.staff if state in (State.PUBLISHED, State.REJECTED) else None,
        )
        if anchor in ("s2-p1", "s2-p2"):
            comment.themes.add(theme)
