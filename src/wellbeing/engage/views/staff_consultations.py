"""Staff pages of consultations (404 to everyone else): drafts, moderation, themes, exports."""

from collections.abc import Iterator

from django.contrib import messages
from django.db import IntegrityError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from wellbeing.core.spreadsheets import append_row, csv_writer, xlsx_response
from wellbeing.engage.actions import consultations as actions
from wellbeing.engage.consultation_forms import ConsultationForm, NewThemeForm, RejectForm
from wellbeing.engage.models import CommentTheme, Consultation, ConsultationComment
from wellbeing.engage.views.staff_engage import require_staff

State = ConsultationComment.State
EXPORT_HEADER = [
    "comment id",
    "paragraph anchor",
    "state",
    "themes",
    "created",
    "name",
    "email",
    "affiliation",
    "actor group",
    "comment",
    "rejection reason",
]


def staff_consultations(request: HttpRequest) -> HttpResponse:
    actor = require_staff(request)
    form = ConsultationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            consultation = actions.create_consultation(
                title=data["title"],
                slug=data["slug"],
                summary=data["summary"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                zone=data["zone"],
                sections=data["draft"],
                webinar=data["webinar"],
                actor=actor,
            )
        except IntegrityError:
            form.add_error("slug", "Another consultation already uses this web address name.")
        else:
            messages.success(request, f"“{consultation.title}” is saved.")
            return redirect("engage:consultation_staff", slug=consultation.slug)
    items = Consultation.objects.annotate(
        waiting=Count("comments", filter=Q(comments__state=State.PENDING))
    )
    return render(
        request,
        "engage/consultations/staff_list.html",
        {"form": form, "consultations": items},
        status=400 if form.errors else 200,
    )


def _consultation(slug: str) -> Consultation:
    consultation = Consultation.objects.filter(slug=slug).first()
    if consultation is None:
        raise Http404("No such consultation.")
    return consultation


def _counts() -> dict[str, Count]:
    return {state: Count("comments", filter=Q(comments__state=state)) for state in State.values}


def staff_consultation(request: HttpRequest, slug: str) -> HttpResponse:
    """Comments per paragraph, by state."""
    require_staff(request)
    consultation = _consultation(slug)
    paragraphs = consultation.paragraphs.select_related("section").annotate(
        total=Count("comments"), **_counts()
    )
    whole = consultation.comments.filter(paragraph__isnull=True)
    context = {
        "consultation": consultation,
        "paragraphs": paragraphs,
        "whole": {state: whole.filter(state=state).count() for state in State.values},
        "states": State.choices,
        "themes": consultation.comment_themes.annotate(n=Count("comments")),
    }
    return render(request, "engage/consultations/staff_detail.html", context)


def staff_comment_queue(request: HttpRequest, slug: str) -> HttpResponse:
    require_staff(request)
    consultation = _consultation(slug)
    state = request.GET.get("state", State.PENDING)
    if state not in State.values:
        state = State.PENDING
    comments = (
        consultation.comments.filter(state=state)
        .select_related("paragraph__section", "actor_group")
        .prefetch_related("themes")
    )
    context = {
        "consultation": consultation,
        "comments": comments,
        "state": state,
        "states": State.choices,
        "themes": consultation.comment_themes.all(),
    }
    return render(request, "engage/consultations/staff_queue.html", context)


def _comment(consultation: Consultation, pk: int) -> ConsultationComment:
    comment = consultation.comments.filter(pk=pk).first()
    if comment is None:
        raise Http404("No such comment.")
    return comment


@require_POST
def staff_comment_decide(request: HttpRequest, slug: str, pk: int, decision: str) -> HttpResponse:
    actor = require_staff(request)
    consultation = _consultation(slug)
    comment = _comment(consultation, pk)
    if decision not in ("publish", "reject"):
        raise Http404("No such decision.")
    form = RejectForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        actions.moderate_comment(
            comment=comment, publish=decision == "publish", reason=reason, actor=actor
        )
    except ValueError as error:
        messages.error(request, f"Comment #{comment.pk}: {error}")
    else:
        messages.success(
            request, f"Comment #{comment.pk} is {comment.get_state_display().lower()}."
        )
    return redirect("engage:consultation_queue", slug=consultation.slug)


@require_POST
def staff_comment_tag(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    actor = require_staff(request)
    consultation = _consultation(slug)
    comment = _comment(consultation, pk)
    ids = [int(v) for v in request.POST.getlist("theme") if v.isdigit()]
    themes = list(CommentTheme.objects.filter(consultation=consultation, pk__in=ids))
    form = NewThemeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Theme names can be at most 100 characters long.")
    else:
        chosen = actions.tag_comment(
            comment=comment, themes=themes, new_label=form.cleaned_data["new_theme"], actor=actor
        )
        labels = ", ".join(t.label for t in chosen) or "no themes"
        messages.success(request, f"Comment #{comment.pk} now has: {labels}.")
    state = comment.state if comment.state in State.values else State.PENDING
    return redirect(f"{_queue_url(consultation)}?state={state}")


def _queue_url(consultation: Consultation) -> str:
    return reverse("engage:consultation_queue", args=[consultation.slug])


def _export_rows(consultation: Consultation) -> Iterator[list[object]]:
    comments = (
        consultation.comments.select_related("paragraph", "actor_group")
        .prefetch_related("themes")
        .order_by("created_at", "pk")
    )
    for c in comments:
        yield [
            c.pk,
            c.paragraph.anchor if c.paragraph else "whole draft",
            c.state,
            "; ".join(t.label for t in c.themes.all()),
            c.created_at.isoformat(),
            c.name,
            c.email,
            c.affiliation,
            c.actor_group.name if c.actor_group else "",
            c.body,
            c.rejection_reason,
        ]


def staff_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    require_staff(request)
    consultation = _consultation(slug)
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        writer = csv_writer(response)
        writer.writerow(EXPORT_HEADER)
        writer.writerows(_export_rows(consultation))
    elif fmt == "xlsx":
        response = _xlsx(consultation)
    else:
        raise Http404("No such format.")
    response["Content-Disposition"] = f'attachment; filename="{consultation.slug}-comments.{fmt}"'
    return response


def _xlsx(consultation: Consultation) -> HttpResponse:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "comments"
    append_row(sheet, EXPORT_HEADER)
    for row in _export_rows(consultation):
        append_row(sheet, row)
    return xlsx_response(book)
