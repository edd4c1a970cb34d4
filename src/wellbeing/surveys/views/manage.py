"""Organization pages: design surveys, run waves, watch response counts."""

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from wellbeing.accounts.models import Membership, Unit, User
from wellbeing.accounts.permissions import can_administer, get_org_for_user
from wellbeing.core.spreadsheets import csv_writer
from wellbeing.reports import door
from wellbeing.surveys import actions, scoring
from wellbeing.surveys.forms import RECOMMENDED, SurveyForm, TokenForm, WaveForm
from wellbeing.surveys.models import Survey, Wave
from wellbeing.surveys.queries import survey_for_org, wave_for_org
from wellbeing.surveys.questions import question

LEAD = Membership.Role.UNIT_LEAD
ADMIN = Membership.Role.ORG_ADMIN


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
def survey_list(request: HttpRequest, slug: str) -> HttpResponse:
    org = get_org_for_user(_user(request), slug, min_role=LEAD)
    surveys = (
        Survey.objects.filter(organization=org)
        .prefetch_related("waves")
        .annotate(n_waves=Count("waves"))
        .order_by("name")
    )
    return render(
        request,
        "surveys/survey_list.html",
        {"org": org, "surveys": surveys, "is_admin": can_administer(_user(request), org)},
    )


@login_required
def survey_new(request: HttpRequest, slug: str) -> HttpResponse:
    org = get_org_for_user(_user(request), slug, min_role=ADMIN)
    initial = {}
    requested = request.GET.get("instrument", "")
    if requested and request.method != "POST":
        # "Use it in a survey" from an instrument's catalogue page: add it to the
        # recommended set; an id the catalogue cannot field is said, not dropped.
        fieldable = [i.id for i in scoring.fieldable_instruments()]
        if requested in fieldable:
            initial["instruments"] = [i for i in fieldable if i in {*RECOMMENDED, requested}]
        else:
            messages.warning(
                request,
                "That instrument cannot be fielded from the catalogue; "
                "the recommended set is selected instead.",
            )
    form = SurveyForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        survey = actions.create_survey(
            organization=org,
            name=form.cleaned_data["name"],
            instruments=form.cleaned_data["instruments"],
            demographics=form.cleaned_data["demographics"],
            open_questions=form.open_questions,
            actor=_user(request),
        )
        messages.success(request, f"Survey “{survey.name}” created.")
        return redirect(survey)
    return render(
        request,
        "surveys/survey_form.html",
        {"org": org, "form": form, "catalogue": scoring.fieldable_instruments()},
        status=400 if form.errors else 200,
    )


@login_required
def survey_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org = get_org_for_user(_user(request), slug, min_role=LEAD)
    survey = survey_for_org(org, pk)
    version = survey.current_version
    is_admin = can_administer(_user(request), org)
    text_form_errors: dict[str, str] = {}
    if request.method == "POST":
        if not is_admin:
            raise Http404("No such survey.")
        licensed, text_form_errors = scoring.parse_licensed_text(version.instruments, request.POST)
        if not text_form_errors:
            actions.revise_survey(
                survey=survey,
                instruments=version.instruments,
                demographics=version.demographics,
                open_questions=version.open_questions,
                licensed_text=licensed,
                actor=_user(request),
            )
            messages.success(request, "Wording saved.")
            return redirect(survey)
    context = {
        "org": org,
        "survey": survey,
        "version": version,
        "is_admin": is_admin,
        "instruments": [scoring.get_instrument(i) for i in version.instruments],
        "demographics": [question(key) for key in version.demographics],
        "minutes": scoring.estimated_minutes(
            version.instruments, version.demographics, version.open_questions
        ),
        "licensed_items": scoring.licensed_items(
            version.instruments,
            version.licensed_text,
            request.POST if request.method == "POST" else None,
        ),
        "text_errors": text_form_errors,
        "missing_text": scoring.missing_licensed_text(version.instruments, version.licensed_text),
        "waves": survey.waves.order_by("opens_at"),
        "frozen": version.is_frozen,
    }
    return render(
        request, "surveys/survey_detail.html", context, status=400 if text_form_errors else 200
    )


@login_required
def wave_new(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org = get_org_for_user(_user(request), slug, min_role=ADMIN)
    survey = survey_for_org(org, pk)
    units = list(Unit.objects.filter(organization=org, retired_at=None).order_by("path"))
    form = WaveForm(request.POST if request.method == "POST" else None, units=units)
    if request.method == "POST" and form.is_valid():
        wave = actions.create_wave(
            survey=survey,
            name=form.cleaned_data["name"],
            opens_at=form.cleaned_data["opens_at"],
            closes_at=form.cleaned_data["closes_at"],
            headcounts=form.headcounts(),
            actor=_user(request),
        )
        actions.open_links(wave=wave, units=[None, *units], actor=_user(request))
        messages.success(
            request, f"Wave “{wave.name}” created as a draft with a survey link per unit."
        )
        return redirect(wave)
    return render(
        request,
        "surveys/wave_form.html",
        {"org": org, "survey": survey, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def wave_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org = get_org_for_user(_user(request), slug, min_role=LEAD)
    wave = wave_for_org(org, pk)
    is_admin = can_administer(_user(request), org)
    units = list(Unit.objects.filter(organization=org, retired_at=None).order_by("path"))
    context = {
        "org": org,
        "wave": wave,
        "survey": wave.survey,
        "is_admin": is_admin,
        "counts": door.counts(_user(request), org, wave),
        "links": wave.links.select_related("unit").order_by("unit__path") if is_admin else [],
        "token_form": TokenForm(units=units) if is_admin else None,
        "missing_text": scoring.missing_licensed_text(
            wave.version.instruments, wave.version.licensed_text
        ),
    }
    return render(request, "surveys/wave_detail.html", context)


@login_required
def wave_counts(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org = get_org_for_user(_user(request), slug, min_role=LEAD)
    wave = wave_for_org(org, pk)
    return render(
        request,
        "reports/_wave_counts.html",
        {"wave": wave, "org": org, "counts": door.counts(_user(request), org, wave)},
    )


@login_required
@require_POST
def wave_status(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org = get_org_for_user(_user(request), slug, min_role=ADMIN)
    wave = wave_for_org(org, pk)
    status = request.POST.get("status", "")
    if status not in Wave.Status.values:
        messages.error(request, "Unknown status.")
    elif status == Wave.Status.OPEN and scoring.missing_licensed_text(
        wave.version.instruments, wave.version.licensed_text
    ):
        messages.error(
            request,
            "This wave cannot open until the licensed wording of every item is entered on the survey page.",
        )
    else:
        try:
            actions.set_wave_status(wave=wave, status=status, actor=_user(request))
        except actions.OriginRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, f"Wave is now {wave.get_status_display().lower()}.")
    return redirect(wave)


@login_required
@require_POST
def wave_tokens(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org = get_org_for_user(_user(request), slug, min_role=ADMIN)
    wave = wave_for_org(org, pk)
    units = list(Unit.objects.filter(organization=org, retired_at=None).order_by("path"))
    form = TokenForm(request.POST, units=units)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(wave)
    unit = next((u for u in units if u.pk == form.cleaned_data["unit"]), None)
    tokens = actions.issue_tokens(
        wave=wave, count=form.cleaned_data["count"], unit=unit, actor=_user(request)
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="wave-{wave.pk}-links.csv"'
    response["Cache-Control"] = "no-store"
    writer = csv_writer(response)
    writer.writerow(["unit", "survey_link"])
    for token in tokens:
        link = request.build_absolute_uri(reverse("surveys:respond_token", args=[token]))
        writer.writerow([unit.name if unit else "", link])
    return response
