import csv
import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from wellbeing.accounts.models import Membership, User
from wellbeing.accounts.permissions import get_org_for_user
from wellbeing.campaign import actions, queries
from wellbeing.campaign.access import (
    get_commitment,
    get_participant_to_manage,
    get_participant_to_view,
    require_staff,
)
from wellbeing.campaign.commitment_templates import TEMPLATES
from wellbeing.campaign.forms import (
    AUTHORITY_TEXT,
    CommitmentForm,
    DeclineForm,
    MetricForm,
    ProgressForm,
    ReplyForm,
    RoleForm,
    SignOnForm,
    StatusForm,
    SupportRequestForm,
    SurveyLinkForm,
)
from wellbeing.campaign.models import ROLE_PLEDGES, Commitment, Participant, Role, SupportRequest
from wellbeing.campaign.periods import quarters_between
from wellbeing.surveys.models import Survey

# --- public pages -----------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "campaign/index.html",
        {"stats": queries.movement_stats(), "pledges": ROLE_PLEDGES, "roles": list(Role)},
    )


def directory(request: HttpRequest) -> HttpResponse:
    page = queries.paginate(request, queries.directory(request.GET.get("role", "")))
    return render(
        request,
        "campaign/directory.html",
        {"page": page, "roles": list(Role), "role": request.GET.get("role", "")},
    )


def explorer(request: HttpRequest) -> HttpResponse:
    area = queries.priority_area_or_none(request.GET.get("area", ""))
    if request.GET.get("area") and area is None:
        raise Http404("No such priority area.")
    page = queries.paginate(request, queries.public_commitments(area))
    return render(
        request,
        "campaign/explorer.html",
        {"page": page, "area": area, "areas": queries.priority_areas()},
    )


def participant(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_participant_to_view(request.user, pk)
    return render(
        request,
        "campaign/participant.html",
        {"participant": obj, "commitments": queries.commitments_of(obj)},
    )


def badge(request: HttpRequest, pk: int) -> HttpResponse:
    obj = queries.public_participant_or_404(pk)
    svg = queries.badge_svg(obj)
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=3600"
    return response


# --- signing on -------------------------------------------------------------------------


def join(request: HttpRequest) -> HttpResponse:
    return render(request, "campaign/join.html", {"pledges": ROLE_PLEDGES, "roles": list(Role)})


def sign_on(request: HttpRequest, kind: str) -> HttpResponse:
    institution = kind == "institution"
    user = cast(User, request.user) if request.user.is_authenticated else None
    form = SignOnForm(
        request.POST if request.method == "POST" else None, user=user, institution=institution
    )
    if request.method == "POST" and form.is_valid():
        participant = actions.sign_on(user=user, **_sign_on_arguments(form, request))
        if user is None:
            login(request, participant.user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("campaign:thanks", pk=participant.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "campaign/sign_on.html",
        {"form": form, "institution": institution},
        status=status,
    )


def _sign_on_arguments(form: SignOnForm, request: HttpRequest) -> dict[str, Any]:
    data = form.cleaned_data
    arguments: dict[str, Any] = {
        "signer_name": data["signer_name"],
        "role": data["role"],
        "priority_areas": data["priority_areas"],
        "is_public": data["is_public"],
        "email": data.get("email", ""),
        "password": data.get("password", ""),
        "confirm_url_base": request.build_absolute_uri("/").rstrip("/"),
    }
    if not form.institution:
        return {**arguments, "individual_state": data.get("state", "")}
    signer = f"{data['signer_name']}, {data['signer_title']}"
    arguments.update(
        signer_title=data["signer_title"], authority_statement=f"{signer}: {AUTHORITY_TEXT}"
    )
    if data.get("organization"):
        arguments["organization"] = data["organization"]
    else:
        arguments["new_organization"] = actions.NewOrganization(
            name=data["organization_name"],
            kind=data["kind"],
            state=data["state"],
            website=data.get("website", ""),
        )
    return arguments


@login_required
def thanks(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_participant_to_manage(request.user, pk)
    return render(request, "campaign/thanks.html", {"participant": obj})


def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        obj = actions.confirm_email(token)
    except (signing.BadSignature, Participant.DoesNotExist):
        return render(request, "campaign/confirm_failed.html", status=400)
    return render(request, "campaign/confirmed.html", {"participant": obj})


# --- a participant's own pages ------------------------------------------------------------


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    participants = (
        Participant.objects.managed_by(request.user)
        .select_related("organization")
        .order_by("display_name")
    )
    return render(request, "campaign/mine.html", {"participants": participants})


@login_required
def manage(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_participant_to_manage(request.user, pk)
    role_form = RoleForm(request.POST if request.method == "POST" else None, current=obj.role)
    if request.method == "POST" and role_form.is_valid():
        actions.change_role(
            obj, role=role_form.cleaned_data["role"], actor=cast(User, request.user)
        )
        messages.success(
            request, "The new role is recorded; the previous one stays in the history."
        )
        return redirect("campaign:manage", pk=obj.pk)
    return render(
        request,
        "campaign/manage.html",
        {
            "participant": obj,
            "role_form": role_form,
            "history": obj.role_changes.select_related("actor"),
            "commitments": queries.commitments_of(obj),
            "templates": TEMPLATES,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def commitment_new(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_participant_to_manage(request.user, pk)
    if not obj.can_commit or obj.status == Participant.Status.DECLINED:
        raise Http404("This participant does not record commitments.")
    initial = CommitmentForm.initial_from_template(request.GET.get("template", ""))
    form = CommitmentForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        commitment = actions.add_commitment(
            obj,
            actor=cast(User, request.user),
            title=data["title"],
            priority_area=data["priority_area"],
            action=data["action"],
            goal_statement=data["goal_statement"],
            template=data["template"],
            metric=_metric_input(data),
        )
        messages.success(request, "The commitment is recorded.")
        return redirect(commitment.get_absolute_url())
    return render(
        request,
        "campaign/commitment_form.html",
        {"participant": obj, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _metric_input(data: dict[str, object]) -> actions.MetricInput:
    fields = actions.MetricInput.__dataclass_fields__
    return actions.MetricInput(**{name: data[name] for name in fields})  # type: ignore[arg-type]


@login_required
def commitment(request: HttpRequest, pk: int, commitment_pk: int) -> HttpResponse:
    obj = get_participant_to_manage(request.user, pk)
    item = get_commitment(obj, commitment_pk)
    return render(request, "campaign/commitment.html", _commitment_context(obj, item))


def _commitment_context(obj: Participant, item: object, **forms: object) -> dict[str, object]:
    from wellbeing.campaign.models import COMMITMENT_TRANSITIONS

    commitment = cast(Commitment, item)
    return {
        "participant": obj,
        "commitment": commitment,
        "metrics": commitment.metrics.select_related("survey"),
        "reports": commitment.progress_reports.prefetch_related("values__metric"),
        "can_link": commitment.participant.organization_id is not None,
        "next_statuses": [
            (value, label)
            for value, label in commitment.Status.choices
            if value in COMMITMENT_TRANSITIONS[commitment.status]
        ],
        "metric_form": forms.get("metric_form") or MetricForm(),
        "status_error": forms.get("status_error", ""),
    }


@login_required
@require_POST
def commitment_status(request: HttpRequest, pk: int, commitment_pk: int) -> HttpResponse:
    obj = get_participant_to_manage(request.user, pk)
    item = get_commitment(obj, commitment_pk)
    form = StatusForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            actions.set_commitment_status(
                item, status=form.cleaned_data["status"], actor=cast(User, request.user)
            )
        except actions.TransitionError:
            error = (
                f"A {item.get_status_display().lower()} commitment cannot become "
                f"{dict(item.Status.choices)[form.cleaned_data['status']].lower()}."
            )
    else:
        error = " ".join(str(e) for e in form.errors.get("status", ["Choose a status."]))
    if not error:
        messages.success(request, "The status is updated.")
        return redirect(item.get_absolute_url())
    context = _commitment_context(obj, item, status_error=error)
    return render(request, "campaign/commitment.html", context, status=400)


@login_required
@require_POST
def metric_new(request: HttpRequest, pk: int, commitment_pk: int) -> HttpResponse:
    obj = get_participant_to_manage(request.user, pk)
    item = get_commitment(obj, commitment_pk)
    form = MetricForm(request.POST)
    if form.is_valid():
        actions.add_metric(
            item, actor=cast(User, request.user), metric=_metric_input(form.cleaned_data)
        )
        messages.success(request, "The metric is added.")
        return redirect(item.get_absolute_url())
    context = _commitment_context(obj, item, metric_form=form)
    return render(request, "campaign/commitment.html", context, status=400)


# --- staff ---------------------------------------------------------------------------------


def review_queue(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    pending = queries.paginate(request, queries.review_queue())
    return render(request, "campaign/staff/queue.html", {"page": pending})


@require_POST
def review(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    require_staff(request.user)
    obj = Participant.objects.select_related("organization", "user").filter(pk=pk).first()
    if obj is None or decision not in ("approve", "decline"):
        raise Http404("No such sign-on.")
    staff = cast(User, request.user)
    form = DeclineForm(request.POST) if decision == "decline" else None
    try:
        if form is None:
            actions.approve(obj, actor=staff)
            messages.success(request, f"{obj} is approved.")
        elif form.is_valid():
            actions.decline(obj, actor=staff, reason=form.cleaned_data["reason"])
            messages.success(request, f"{obj} is declined; the signer is told why.")
        else:
            return _queue_with_error(request, obj, "Give the reason for declining.")
    except actions.TransitionError as error:
        return _queue_with_error(request, obj, _transition_message(error))
    return redirect("campaign:review_queue")


def _transition_message(error: Exception) -> str:
    text = str(error)
    if text.startswith("email:"):
        return "The signer has not confirmed their email address yet."
    return "This sign-on has already been reviewed."


def _queue_with_error(request: HttpRequest, obj: Participant, message: str) -> HttpResponse:
    pending = queries.paginate(request, queries.review_queue())
    return render(
        request,
        "campaign/staff/queue.html",
        {"page": pending, "error": f"{obj}: {message}"},
        status=400,
    )


# --- progress --------------------------------------------------------------------------------


def _open_quarters(item: Commitment) -> list[dt.date]:
    reported = set(item.progress_reports.values_list("period_end", flat=True))
    start = timezone.localdate(item.created_at)
    quarters = quarters_between(start, max(start, timezone.localdate()))
    return [q for q in reversed(quarters) if q not in reported]


@login_required
def progress_new(request: HttpRequest, pk: int, commitment_pk: int) -> HttpResponse:
    obj = get_participant_to_manage(request.user, pk)
    item = get_commitment(obj, commitment_pk)
    form = ProgressForm(
        request.POST if request.method == "POST" else None,
        metrics=list(item.metrics.all()),
        quarters=_open_quarters(item),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actions.record_progress(
            item,
            actor=cast(User, request.user),
            period_end=data["period_end"],
            narrative=data["narrative"],
            obstacles=data["obstacles"],
            evidence_links=data["evidence_links"],
            values=form.values(),
        )
        messages.success(request, "The progress report is filed.")
        return redirect(item.get_absolute_url())
    return render(
        request,
        "campaign/progress_form.html",
        {"participant": obj, "commitment": item, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def metric_link(request: HttpRequest, pk: int, commitment_pk: int, metric_pk: int) -> HttpResponse:
    obj = get_participant_to_manage(request.user, pk)
    item = get_commitment(obj, commitment_pk)
    metric = item.metrics.filter(pk=metric_pk).first()
    if metric is None or obj.organization is None:
        raise Http404("No such metric.")
    # The organization's surveys, read through the door to organization data.
    org = get_org_for_user(request.user, obj.organization.slug, min_role=Membership.Role.ORG_ADMIN)
    form = SurveyLinkForm(
        request.POST if request.method == "POST" else None,
        surveys=Survey.objects.filter(organization=org),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actions.link_metric_to_survey(
            metric,
            actor=cast(User, request.user),
            survey=data["survey"],
            scale=data["scale"],
            statistic=data["statistic"],
        )
        messages.success(
            request, "The metric will be filled in from each closed wave of the survey."
        )
        return redirect(item.get_absolute_url())
    return render(
        request,
        "campaign/metric_link.html",
        {"participant": obj, "commitment": item, "metric": metric, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- technical support ---------------------------------------------------------------------


def _support_of(obj: Participant, request_pk: int) -> SupportRequest:
    item = obj.support_requests.select_related("priority_area", "assigned_to").filter(pk=request_pk)
    found = item.first()
    if found is None:
        raise Http404("No such support request.")
    return found


@login_required
def support(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_participant_to_manage(request.user, pk)
    allowed = obj.role == Role.ACCELERATOR and obj.status == Participant.Status.APPROVED
    form = SupportRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not allowed:
        raise Http404("Technical support is for approved Accelerators.")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        item = actions.request_support(
            obj,
            actor=cast(User, request.user),
            topic=data["topic"],
            description=data["description"],
            priority_area=data["priority_area"],
        )
        messages.success(request, "Your request is sent to campaign staff.")
        return redirect("campaign:support_thread", pk=obj.pk, request_pk=item.pk)
    return render(
        request,
        "campaign/support.html",
        {
            "participant": obj,
            "form": form,
            "allowed": allowed,
            "requests": obj.support_requests.select_related("priority_area"),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def support_thread(request: HttpRequest, pk: int, request_pk: int) -> HttpResponse:
    obj = get_participant_to_manage(request.user, pk)
    item = _support_of(obj, request_pk)
    return _thread(request, item, staff_view=False)


def _thread(request: HttpRequest, item: SupportRequest, *, staff_view: bool) -> HttpResponse:
    form = ReplyForm(request.POST if request.method == "POST" else None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            actions.reply_support(
                item,
                actor=cast(User, request.user),
                body=form.cleaned_data["body"],
                from_staff=staff_view,
            )
        except actions.TransitionError:
            error = "This request is closed and takes no more replies."
        else:
            messages.success(request, "The reply is added.")
            return redirect(request.path)
    return render(
        request,
        "campaign/support_thread.html",
        {
            "item": item,
            "participant": item.participant,
            "thread": item.messages.select_related("author"),
            "form": form,
            "error": error,
            "staff_view": staff_view,
        },
        status=400 if request.method == "POST" else 200,
    )


def staff_support(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    status = request.GET.get("status", "")
    items = SupportRequest.objects.select_related(
        "participant", "priority_area", "assigned_to"
    ).order_by("status", "-created_at", "-pk")
    if status in SupportRequest.Status.values:
        items = items.filter(status=status)
    return render(
        request,
        "campaign/staff/support.html",
        {
            "page": queries.paginate(request, items),
            "status": status,
            "statuses": SupportRequest.Status.choices,
        },
    )


def staff_support_thread(request: HttpRequest, request_pk: int) -> HttpResponse:
    require_staff(request.user)
    item = SupportRequest.objects.select_related("participant", "priority_area", "assigned_to")
    found = item.filter(pk=request_pk).first()
    if found is None:
        raise Http404("No such support request.")
    action = request.POST.get("do", "") if request.method == "POST" else ""
    staff = cast(User, request.user)
    if action in ("assign", "close"):
        try:
            if action == "assign":
                actions.assign_support(found, actor=staff, assignee=staff)
            else:
                actions.close_support(found, actor=staff)
        except actions.TransitionError:
            messages.error(request, "This request is already closed.")
        return redirect("campaign:staff_support_thread", request_pk=found.pk)
    return _thread(request, found, staff_view=True)


# --- staff dashboard and exports ------------------------------------------------------------


def dashboard(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    today = timezone.localdate()
    overdue = queries.overdue_commitments(today)
    return render(
        request,
        "campaign/staff/dashboard.html",
        {
            "stats": queries.movement_stats(),
            "pending": Participant.objects.filter(status=Participant.Status.PENDING).count(),
            "open_support": SupportRequest.objects.exclude(
                status=SupportRequest.Status.CLOSED
            ).count(),
            "overdue": queries.paginate(request, overdue.queryset),
            "overdue_period": overdue.period,
            "overdue_due": overdue.due,
        },
    )


def export_participants(request: HttpRequest) -> StreamingHttpResponse:
    require_staff(request.user)
    return _csv_response("change-makers-participants.csv", queries.participant_rows())


def export_commitments(request: HttpRequest) -> StreamingHttpResponse:
    require_staff(request.user)
    return _csv_response("change-makers-commitments.csv", queries.commitment_rows())


def _csv_response(filename: str, rows: Iterable[list[object]]) -> StreamingHttpResponse:
    buffer = _Echo()
    writer = csv.writer(buffer)
    response = StreamingHttpResponse(
        (writer.writerow([_safe_cell(v) for v in row]) for row in rows), content_type="text/csv"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value


def _safe_cell(value: object) -> object:
    """Neutralise spreadsheet formulas in free text (CSV injection): prefix a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
