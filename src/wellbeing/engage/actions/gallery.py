"""The gallery's write path: submissions, moderation, hosting requests and their workflow."""

from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from wellbeing.accounts.models import User
from wellbeing.core.models import audit
from wellbeing.engage.models import Artwork, HostRequest
from wellbeing.engage.tasks import send_engage_email
from wellbeing.engage.uploads import CleanImage, clean_image


class TransitionError(Exception):
    """A status move the workflow does not allow."""


@dataclass(frozen=True)
class ArtworkSubmission:
    title: str
    artist_name: str
    location: str
    perspective: str
    medium: str
    alt_text: str
    media_url: str
    writing: str
    statement: str
    licence: str
    consent_to_publish: bool
    contact_email: str


def submit_artwork(
    sub: ArtworkSubmission, image: UploadedFile | CleanImage | None = None, *, is_demo: bool = False
) -> Artwork:
    """Store a submission for moderation; an image is decoded and re-encoded first.

    The review's outcome is mailed later in the language of the page it was submitted on."""
    clean = image if isinstance(image, CleanImage) or image is None else clean_image(image)
    if sub.medium == Artwork.Medium.IMAGE and (clean is None or not sub.alt_text.strip()):
        raise ValueError("image/alt_text: an image work needs the image and its alt text")
    with transaction.atomic():
        language = translation.get_language() or "en"
        work = Artwork(**sub.__dict__, is_demo=is_demo, language=language)
        if clean is not None:
            work.image.save(clean.content.name or "image", clean.content, save=False)
            work.image_width, work.image_height = clean.width, clean.height
        work.save()
        audit("artwork.submit", target=f"artwork #{work.pk}", medium=work.medium)
    return work


@transaction.atomic
def moderate_artwork(*, work: Artwork, approve: bool, note: str, actor: User) -> Artwork:
    if not actor.is_staff:
        raise PermissionError("actor: expected campaign staff")
    work.status = Artwork.Status.APPROVED if approve else Artwork.Status.DECLINED
    work.moderation_note, work.moderated_by, work.moderated_at = note, actor, timezone.now()
    work.save(update_fields=["status", "moderation_note", "moderated_by", "moderated_at"])
    audit(f"artwork.{work.status}", actor=actor, target=f"artwork #{work.pk}")
    if not work.is_demo:
        with translation.override(work.language):
            subject, body = _outcome_email(work, approve, note)
        to = [work.contact_email]
        transaction.on_commit(lambda: send_engage_email.enqueue(subject, body, to))
    return work


def _outcome_email(work: Artwork, approve: bool, note: str) -> tuple[str, str]:
    subject = gettext("Your submission to Expressions of well-being: %(outcome)s") % {
        "outcome": str(work.get_status_display()).lower()
    }
    lines = [
        gettext("Thank you for submitting “%(title)s”.") % {"title": work.title},
        "",
        gettext("It is now in the public gallery.")
        if approve
        else gettext("It will not be shown in the gallery."),
    ]
    if note and not approve:
        lines += ["", gettext("The reviewers' note: %(note)s") % {"note": note}]
    return subject, "\n".join(lines) + "\n"


@transaction.atomic
def request_hosting(**fields: object) -> HostRequest:
    request = HostRequest.objects.create(**fields)
    audit("hosting.request", target=f"host request #{request.pk}")
    subject = gettext("We received your request to host the traveling gallery")
    day = gettext("F j, Y")
    body = (
        gettext(
            "Thank you for asking to host the traveling gallery at %(venue)s, %(starts)s to "
            "%(ends)s."
        )
        % {
            "venue": request.venue,
            "starts": formats.date_format(request.starts_on, day),
            "ends": formats.date_format(request.ends_on, day),
        }
        + "\n"
        + gettext("Campaign staff will reply to this address.")
        + "\n"
    )
    to = [request.contact_email]
    transaction.on_commit(lambda: send_engage_email.enqueue(subject, body, to))
    return request


@transaction.atomic
def move_host_request(*, request: HostRequest, status: str, note: str, actor: User) -> HostRequest:
    if not actor.is_staff:
        raise PermissionError("actor: expected campaign staff")
    if status not in HostRequest.MOVES.get(request.status, ()):
        raise TransitionError(f"status: cannot move from {request.status!r} to {status!r}")
    request.status = status
    if note:
        request.staff_note = (request.staff_note + "\n" if request.staff_note else "") + note
    request.save(update_fields=["status", "staff_note", "updated_at"])
    audit(f"hosting.{status}", actor=actor, target=f"host request #{request.pk}")
    return request
