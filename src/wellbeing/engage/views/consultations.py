"""Consultations on drafts: the list, a draft with its published comments, commenting."""

from collections import defaultdict

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from wellbeing.core.spam import over_limit
from wellbeing.engage.actions import consultations as actions
from wellbeing.engage.consultation_forms import CommentForm
from wellbeing.engage.models import Consultation, ConsultationComment, Paragraph

COMMENTS_PER_HOUR = 10


def consultation_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    everything = Consultation.objects.all()
    context = {
        "open": everything.open(now),
        "upcoming": everything.upcoming(now),
        "closed": everything.closed(now),
    }
    return render(request, "engage/consultations/list.html", context)


def _consultation(slug: str) -> Consultation:
    consultation = Consultation.objects.select_related("webinar").filter(slug=slug).first()
    if consultation is None:
        raise Http404("No such consultation.")
    return consultation


def _paragraph(consultation: Consultation, anchor: str | None) -> Paragraph | None:
    if anchor is None:
        return None
    paragraph = consultation.paragraphs.select_related("section").filter(anchor=anchor).first()
    if paragraph is None:
        raise Http404("No such paragraph.")
    return paragraph


def consultation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(slug)
    return render(
        request,
        "engage/consultations/detail.html",
        _detail_context(consultation, CommentForm()),
    )


def _detail_context(consultation: Consultation, form: CommentForm) -> dict[str, object]:
    published = consultation.comments.filter(state=ConsultationComment.State.PUBLISHED)
    by_paragraph: dict[int | None, list[ConsultationComment]] = defaultdict(list)
    for comment in published.select_related("actor_group"):
        by_paragraph[comment.paragraph_id].append(comment)
    sections = [
        {
            "section": section,
            "paragraphs": [(p, by_paragraph.get(p.pk, [])) for p in section.paragraphs.all()],
        }
        for section in consultation.sections.prefetch_related("paragraphs")
    ]
    return {
        "consultation": consultation,
        "sections": sections,
        "general_comments": by_paragraph.get(None, []),
        "closed_message": actions.closed_message(consultation),
        "form": form,
    }


def consultation_comment(
    request: HttpRequest, slug: str, anchor: str | None = None
) -> HttpResponse:
    """The comment form for one paragraph, or (without ``anchor``) for the whole draft."""
    consultation = _consultation(slug)
    paragraph = _paragraph(consultation, anchor)
    form = CommentForm(request.POST if request.method == "POST" else None)
    context: dict[str, object] = {
        "consultation": consultation,
        "paragraph": paragraph,
        "form": form,
    }
    message = actions.closed_message(consultation)
    if message:
        context["closed_message"] = message
        status = 409 if request.method == "POST" else 200
        return render(request, "engage/consultations/comment.html", context, status=status)
    if request.method == "POST":
        if retry_after := over_limit(request, "engage.comment", COMMENTS_PER_HOUR):
            context["limited"] = True
            response = render(request, "engage/consultations/comment.html", context, status=429)
            response["Retry-After"] = str(retry_after)
            return response
        if form.is_valid():
            # A filled honeypot gets the same thank-you page, so bots learn nothing.
            if not form.is_spam():
                try:
                    _submit(consultation, paragraph, form)
                except actions.ConsultationClosed as closed:  # the period ended meanwhile
                    context["closed_message"] = str(closed)
                    return render(request, "engage/consultations/comment.html", context, status=409)
            return redirect("engage:consultation_thanks", slug=consultation.slug)
    status = 400 if form.errors else 200
    return render(request, "engage/consultations/comment.html", context, status=status)


def _submit(consultation: Consultation, paragraph: Paragraph | None, form: CommentForm) -> None:
    data = form.cleaned_data
    actions.submit_comment(
        consultation=consultation,
        paragraph=paragraph,
        body=data["body"],
        email=data["email"],
        name=data["name"],
        affiliation=data["affiliation"],
        actor_group=data["actor_group"],
        site=str(settings.SITE_URL).rstrip("/"),
    )


def consultation_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(slug)
    return render(request, "engage/consultations/thanks.html", {"consultation": consultation})


@require_http_methods(["GET", "HEAD", "POST"])
def consultation_verify(request: HttpRequest, token: str) -> HttpResponse:
    """The verification link: a page with the button (GET), the verification itself (POST).

    Mail scanners open the links in a message; only the button, with its CSRF
    token, verifies.
    """
    try:
        if request.method == "POST":
            comment = actions.verify_comment(token)
        else:
            comment = actions.comment_to_verify(token)
    except actions.BadLink as error:
        return render(
            request, "engage/consultations/verify_failed.html", {"message": str(error)}, status=400
        )
    if comment.state == ConsultationComment.State.UNVERIFIED:
        context = {"comment": comment, "token": token}
        return render(request, "engage/consultations/verify.html", context)
    return render(request, "engage/consultations/verified.html", {"comment": comment})
