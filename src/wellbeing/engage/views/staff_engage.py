"""Staff-only pages of the engage app (404 to everyone else): moderation, hosting, questionnaires."""

from datetime import datetime, time
from typing import cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from wellbeing.accounts.models import User
from wellbeing.accounts.permissions import is_staff
from wellbeing.engage.actions import gallery as gallery_actions
from wellbeing.engage.actions import questionnaires as q_actions
from wellbeing.engage.gallery_forms import NoteForm, QuestionnaireForm, RenameThemeForm
from wellbeing.engage.models import Artwork, HostRequest, Questionnaire, Theme


def require_staff(request: HttpRequest) -> User:
    """The signed-in staff user; everyone else gets a 404, as for any unknown page."""
    if not is_staff(request.user):
        raise Http404("No such page.")
    return cast(User, request.user)


def staff_gallery(request: HttpRequest) -> HttpResponse:
    require_staff(request)
    waiting = Artwork.objects.filter(status=Artwork.Status.SUBMITTED).order_by("created_at")
    return render(request, "engage/gallery/staff_queue.html", {"works": waiting})


@require_POST
def staff_gallery_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    actor = require_staff(request)
    work = Artwork.objects.filter(pk=pk).first()
    if work is None or decision not in ("approve", "decline"):
        raise Http404("No such work.")
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    gallery_actions.moderate_artwork(
        work=work, approve=decision == "approve", note=note, actor=actor
    )
    messages.success(request, f"“{work.title}” is {work.get_status_display().lower()}.")
    return redirect("engage:gallery_staff")


def staff_hosting(request: HttpRequest) -> HttpResponse:
    require_staff(request)
    requests_ = HostRequest.objects.all()
    return render(request, "engage/gallery/staff_hosting.html", {"host_requests": requests_})


@require_POST
def staff_hosting_move(request: HttpRequest, pk: int) -> HttpResponse:
    actor = require_staff(request)
    host_request = HostRequest.objects.filter(pk=pk).first()
    if host_request is None:
        raise Http404("No such request.")
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        gallery_actions.move_host_request(
            request=host_request, status=request.POST.get("status", ""), note=note, actor=actor
        )
    except gallery_actions.TransitionError:
        messages.error(
            request, f"The request from {host_request.institution} cannot move to that status."
        )
    else:
        messages.success(
            request,
            f"The request from {host_request.institution} is {host_request.get_status_display().lower()}.",
        )
    return redirect("engage:gallery_staff_hosting")


def staff_questionnaires(request: HttpRequest) -> HttpResponse:
    actor = require_staff(request)
    form = QuestionnaireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        closes = timezone.make_aware(datetime.combine(data["closes_on"], time(23, 59)))
        try:
            q = q_actions.create_questionnaire(
                title=data["title"],
                slug=data["slug"],
                intro=data["intro"],
                instruments=data["instruments"],
                demographics=data["demographics"],
                open_questions=data["open_questions"],
                opens_at=timezone.now(),
                closes_at=closes,
                actor=actor,
            )
        except ValueError as error:  # the survey engine refused the design
            form.add_error(None, str(error))
        else:
            messages.success(request, f"“{q.title}” is open; share its link with the network.")
            return redirect("engage:questionnaire_staff", slug=q.slug)
    status = 400 if request.method == "POST" else 200
    items = Questionnaire.objects.select_related("wave").all()
    return render(
        request,
        "engage/questionnaires/staff_list.html",
        {"form": form, "questionnaires": items},
        status=status,
    )


def _questionnaire(slug: str) -> Questionnaire:
    q = Questionnaire.objects.select_related("wave__version").filter(slug=slug).first()
    if q is None:
        raise Http404("No such questionnaire.")
    return q


def staff_questionnaire(request: HttpRequest, slug: str) -> HttpResponse:
    require_staff(request)
    q = _questionnaire(slug)
    questions = []
    for number, text in enumerate(q.wave.version.open_questions, start=1):
        themes = [t for t in q.themes.all() if t.question == number]
        counts = {t.pk: t.assignments.count() for t in themes}
        questions.append(
            {"number": number, "text": text, "themes": [(t, counts[t.pk]) for t in themes]}
        )
    link = q.wave.links.filter(unit__isnull=True).first()
    context = {"q": q, "questions": questions, "link": link, "responses": q.wave.responses.count()}
    return render(request, "engage/questionnaires/staff_detail.html", context)


@require_POST
def staff_questionnaire_action(request: HttpRequest, slug: str, what: str) -> HttpResponse:
    actor = require_staff(request)
    q = _questionnaire(slug)
    if what == "group":
        made = q_actions.group_answers(questionnaire=q, actor=actor)
        messages.success(request, f"The answers are grouped into {made} themes.")
    elif what in ("publish", "unpublish"):
        q_actions.publish_results(questionnaire=q, public=what == "publish", actor=actor)
        messages.success(
            request, "The results are public." if what == "publish" else "The results are hidden."
        )
    elif what == "merge":
        chosen = list(Theme.objects.filter(questionnaire=q, pk__in=request.POST.getlist("theme")))
        if len(chosen) < 2 or len({t.question for t in chosen}) > 1:
            messages.error(request, "Choose two or more themes of the same question to merge.")
        else:
            q_actions.merge_themes(into=chosen[0], others=chosen[1:], actor=actor)
            messages.success(request, f"The themes are merged into “{chosen[0].label}”.")
    else:
        raise Http404("No such action.")
    return redirect("engage:questionnaire_staff", slug=q.slug)


@require_POST
def staff_theme_rename(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    actor = require_staff(request)
    q = _questionnaire(slug)
    theme = Theme.objects.filter(questionnaire=q, pk=pk).first()
    if theme is None:
        raise Http404("No such theme.")
    form = RenameThemeForm(request.POST)
    if form.is_valid():
        q_actions.rename_theme(theme=theme, label=form.cleaned_data["label"], actor=actor)
        messages.success(request, f"The theme is now called “{theme.label}”.")
    else:
        messages.error(request, "Give the theme a name.")
    return redirect("engage:questionnaire_staff", slug=q.slug)
