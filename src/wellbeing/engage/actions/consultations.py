"""Consultations on drafts: creating a draft, comments with email verification, moderation.

The comment period is enforced here, not only in the views: a comment posted
before ``opens_at`` or from ``closes_at`` on raises ``ConsultationClosed``.
Verification is deliberately not re-checked against the period: a comment
submitted while the period was open and verified after it closed is kept,
because its author did everything in time and the link is valid for
``VERIFY_MAX_AGE``. The verification link names the comment without its
author's address (``engage.links``), and opening it changes nothing: the page
it shows has the button that verifies.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wellbeing.core.models import audit
from wellbeing.engage import links
from wellbeing.engage.models import (
    CommentTheme,
    Consultation,
    ConsultationComment,
    Event,
    Paragraph,
    Section,
)
from wellbeing.engage.tasks import send_engage_email
from wellbeing.plan.models import ActorGroup

VERIFY_SALT = "engage.consultation.comment.verify"
VERIFY_MAX_AGE = timedelta(days=7)
CLOSED_MESSAGE = _("The public input opportunity is now closed.")
_HEADING = re.compile(r"^##\s+(.+)$")


class ConsultationClosed(Exception):
    """The comment period has not started or is over; ``str()`` is the message to show."""


def closed_message(consultation: Consultation, now: datetime | None = None) -> str:
    """What the page says outside the period; empty while the period is open."""
    period = consultation.period(now)
    if period == Consultation.Period.CLOSED:
        return str(CLOSED_MESSAGE)
    if period == Consultation.Period.UPCOMING:
        opens = formats.date_format(consultation.local_opens, gettext("l, F j, Y, g:i A"))
        return gettext(
            "The public input opportunity is not open yet. It opens on %(opens)s (%(zone)s)."
        ) % {"opens": opens, "zone": consultation.timezone}
    return ""


@dataclass(frozen=True)
class DraftSection:
    title: str
    paragraphs: list[str]


def parse_draft(text: str) -> list[DraftSection]:
    """Sections from plain text: a line ``## Title`` starts a section, blank lines split paragraphs.

    Raises ``ValueError`` with a message for the form when the text has no
    section, text before the first heading, or a section without paragraphs.
    """
    sections: list[DraftSection] = []
    block: list[str] = []

    def flush() -> None:
        if block:
            if not sections:
                raise ValueError(
                    "Start the draft with a section heading: a line like “## Purpose”."
                )
            sections[-1].paragraphs.append(" ".join(block))
            block.clear()

    for line in text.splitlines():
        heading = _HEADING.match(line.strip())
        if heading:
            flush()
            sections.append(DraftSection(heading.group(1).strip(), []))
        elif line.strip():
            block.append(line.strip())
        else:
            flush()
    flush()
    if not sections:
        raise ValueError("Add at least one section: a line like “## Purpose”, then its paragraphs.")
    empty = [s.title for s in sections if not s.paragraphs]
    if empty:
        raise ValueError(f"The section “{empty[0]}” has no paragraphs.")
    return sections


def create_consultation(
    *,
    title: str,
    slug: str,
    summary: str,
    opens_at: datetime,
    closes_at: datetime,
    zone: str,
    sections: list[DraftSection],
    webinar: Event | None = None,
    actor=None,
    is_demo: bool = False,
) -> Consultation:
    if closes_at <= opens_at:
        raise ValueError("The comment period must close after it opens.")
    with transaction.atomic():
        consultation = Consultation.objects.create(
            title=title,
            slug=slug,
            summary=summary,
            opens_at=opens_at,
            closes_at=closes_at,
            timezone=zone,
            webinar=webinar,
            created_by=actor,
            is_demo=is_demo,
        )
        for s_pos, draft in enumerate(sections, start=1):
            section = Section.objects.create(
                consultation=consultation, title=draft.title, position=s_pos
            )
            Paragraph.objects.bulk_create(
                Paragraph(
                    consultation=consultation,
                    section=section,
                    anchor=f"s{s_pos}-p{p_pos}",
                    text=text,
                    position=p_pos,
                )
                for p_pos, text in enumerate(draft.paragraphs, start=1)
            )
        audit("consultation.create", actor=actor, target=f"consultation #{consultation.pk}")
    return consultation


def verify_token(comment: ConsultationComment) -> str:
    return links.make_token(salt=VERIFY_SALT, key="c", pk=comment.pk, email=comment.email)


class BadLink(Exception):
    """A verification link that was tampered with, expired or names no comment."""


def submit_comment(
    *,
    consultation: Consultation,
    paragraph: Paragraph | None,
    body: str,
    email: str,
    name: str = "",
    affiliation: str = "",
    actor_group: ActorGroup | None = None,
    site: str,
    now: datetime | None = None,
) -> ConsultationComment:
    """Store an unverified comment and mail its author the verification link."""
    message = closed_message(consultation, now)
    if message:
        raise ConsultationClosed(message)
    if paragraph is not None and paragraph.consultation_id != consultation.pk:
        raise ValueError(f"paragraph must belong to consultation #{consultation.pk}")
    with transaction.atomic():
        comment = ConsultationComment.objects.create(
            consultation=consultation,
            paragraph=paragraph,
            body=body,
            email=email.strip().lower(),
            name=name,
            affiliation=affiliation,
            actor_group=actor_group,
        )
        audit("consultation.comment", target=f"comment #{comment.pk}")
        subject, text = _verification_email(comment, site)
        to = [comment.email]
        transaction.on_commit(lambda: send_engage_email.enqueue(subject, text, to))
    return comment


def _verification_email(comment: ConsultationComment, site: str) -> tuple[str, str]:
    link = site + reverse("engage:consultation_verify", args=[verify_token(comment)])
    days = VERIFY_MAX_AGE.days
    title = comment.consultation.title
    lines = [
        gettext("Thank you for commenting on “%(title)s”.") % {"title": title},
        "",
        gettext(
            "To confirm that this address is yours, open this link, then select the button on "
            "the page:"
        ),
        link,
        "",
        gettext("The link works for %(days)s days. Until you open it your comment is not reviewed.")
        % {"days": days},
        gettext("Your email address is never shown with your comment."),
        gettext("If you did not comment, ignore this message and the comment will not be used."),
    ]
    subject = gettext("Confirm your comment on %(title)s") % {"title": title}
    return subject, "\n".join(lines) + "\n"


def _verify_link(token: str) -> links.Link:
    """The link a verification token names; raises ``BadLink`` with the message to show."""
    try:
        link = links.read_token(token, salt=VERIFY_SALT, key="c", max_age=VERIFY_MAX_AGE)
    except signing.SignatureExpired as error:
        raise BadLink(
            gettext(
                "This confirmation link has expired. Links work for %(days)s days; please "
                "comment again while the period is open."
            )
            % {"days": VERIFY_MAX_AGE.days}
        ) from error
    except signing.BadSignature as error:
        raise BadLink(
            gettext("This confirmation link is not valid. Check that you copied the whole link.")
        ) from error
    if link.legacy:
        # Mailed when links carried the address; it would have expired within days anyway.
        raise BadLink(
            gettext(
                "This confirmation link has expired. Please comment again while the period is "
                "open; we will email you a new link."
            )
        )
    return link


def _named_comment(link: links.Link, *, lock: bool) -> ConsultationComment:
    rows = (
        ConsultationComment.objects.select_for_update()
        if lock
        else ConsultationComment.objects.select_related("consultation")
    )
    comment = rows.filter(pk=link.pk).first()
    if comment is None or not link.matches(comment.email):
        raise BadLink(gettext("This confirmation link does not match any comment."))
    return comment


def comment_to_verify(token: str) -> ConsultationComment:
    """The comment a link would verify, changing nothing (the page's GET); raises ``BadLink``."""
    return _named_comment(_verify_link(token), lock=False)


def verify_comment(token: str) -> ConsultationComment:
    """Move the comment a link names from unverified to pending; a second click changes nothing.

    Raises ``BadLink`` with the message to show for a tampered, expired or stale link.
    """
    link = _verify_link(token)
    with transaction.atomic():
        comment = _named_comment(link, lock=True)
        if comment.state == ConsultationComment.State.UNVERIFIED:
            comment.state = ConsultationComment.State.PENDING
            comment.verified_at = timezone.now()
            comment.save(update_fields=["state", "verified_at"])
            audit("consultation.comment.verify", target=f"comment #{comment.pk}")
    return comment


def moderate_comment(
    *, comment: ConsultationComment, publish: bool, reason: str = "", actor
) -> ConsultationComment:
    """Publish or reject a verified comment; a rejection needs a reason staff can read later."""
    if not publish and not reason.strip():
        raise ValueError("Give a reason for rejecting the comment.")
    State = ConsultationComment.State
    with transaction.atomic():
        current = ConsultationComment.objects.select_for_update().get(pk=comment.pk)
        if current.state == State.UNVERIFIED:
            raise ValueError(
                "An unverified comment cannot be moderated until its author confirms it."
            )
        comment.state = State.PUBLISHED if publish else State.REJECTED
        comment.rejection_reason = "" if publish else reason.strip()
        comment.moderated_at, comment.moderated_by = timezone.now(), actor
        comment.save(update_fields=["state", "rejection_reason", "moderated_at", "moderated_by"])
        audit(
            "consultation.comment.moderate",
            actor=actor,
            target=f"comment #{comment.pk}",
            state=comment.state,
        )
    return comment


def tag_comment(
    *, comment: ConsultationComment, themes: list[CommentTheme], new_label: str = "", actor
) -> list[CommentTheme]:
    """Set the comment's themes; ``new_label`` creates a theme (or reuses one of that name)."""
    chosen = [t for t in themes if t.consultation_id == comment.consultation_id]
    with transaction.atomic():
        if new_label.strip():
            theme, _ = CommentTheme.objects.get_or_create(
                consultation_id=comment.consultation_id, label=new_label.strip()
            )
            if theme not in chosen:
                chosen.append(theme)
        comment.themes.set(chosen)
        audit(
            "consultation.comment.tag",
            actor=actor,
            target=f"comment #{comment.pk}",
            themes=[t.pk for t in chosen],
        )
    return chosen
