"""Signing on and a participant's own pages: role, commitments, metrics, progress."""

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from wellbeing.accounts.models import Membership, User
from wellbeing.accounts.permissions import get_org_for_user
from wellbeing.campaign import actions, queries
from wellbeing.campaign.access import (
    get_commitment,
    get_participant_to_manage,
)
from wellbeing.campaign.commitment_templates import TEMPLATES
from wellbeing.campaign.forms import (
    AUTHORITY_TEXT,
    CommitmentForm,
    ListingForm,
    MetricForm,
    ProgressForm,
    RoleForm,
    SignOnForm,
    StatusForm,
    SurveyLinkForm,
)
from wellbeing.campaign.models import ROLE_PLEDGES, Commitment, Participant
from wellbeing.campaign.periods import quarters_between
from wellbeing.core.ratelimit import rate_limited
from wellbeing.surveys.models import Survey

# --- signing on -------------------------------------------------------------------------


def join(request: HttpRequest) -> HttpResponse:
    return render(request, "campaign/join.html", {"pledges": list(ROLE_PLEDGES.items())})


@rate_limited("campaign.sign_on", per_hour=10)
def sign_on(request: HttpRequest, kind: str) -> HttpResponse:
    institution = kind == "institution"
    user = cast(User, request.user) if request.user.is_authenticated else None
    form = SignOnForm(
        request.POST if request.method == "POST" else None, user=user, institution=institution
    )
    if request.method == "POST" and form.is_valid():
        arguments = _sign_on_arguments(form, request)
        if user is None:
            # The same answer whether or not the address has an account: the mail differs.
            actions.sign_on_visitor(**arguments)
            return redirect("campaign:sign_on_sent")
        participant = actions.sign_on(user=user, **arguments)
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


def sign_on_sent(request: HttpRequest) -> HttpResponse:
    """What a visitor sees after signing on: the same page for a new and a known address."""
    return render(request, "campaign/sign_on_sent.html")


@login_required
def thanks(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_participant_to_manage(request.user, pk)
    return render(request, "campaign/thanks.html", {"participant": obj})


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The mailed link: a page with the button (GET), the confirmation itself (POST).

    Mail scanners open the links in a message; only the button, with its CSRF
    token, confirms.
    """
    try:
        if request.method == "POST":
            obj = actions.confirm_email(token)
        else:
            obj = actions.participant_to_confirm(token)
    except (signing.BadSignature, Participant.DoesNotExist):
        return render(request, "campaign/confirm_failed.html", status=400)
    if obj.email_confirmed_at is None:
        return render(request, "campaign/confirm.html", {"participant": obj, "token": token})
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
            request, gettext("The new role is recorded; the previous one stays in the history.")
        )
        return redirect("campaign:manage", pk=obj.pk)
    listing_form = ListingForm(
        initial={
            "is_public": obj.is_public,
            "priority_areas": [a.slug for a in obj.priority_areas.all()],
        }
    )
    status = 400 if request.method == "POST" else 200
    return _manage_page(request, obj, role_form, listing_form, status=status)


def _manage_page(
    request: HttpRequest,
    obj: Participant,
    role_form: RoleForm,
    listing_form: ListingForm,
    *,
    status: int,
) -> HttpResponse:
    return render(
        request,
        "campaign/manage.html",
        {
            "participant": obj,
            "role_form": role_form,
            "listing_form": listing_form,
            "history": obj.role_changes.select_related("actor"),
            "commitments": queries.commitments_of(obj),
            "templates": TEMPLATES,
        },
        status=status,
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
        messages.success(request, gettext("The commitment is recorded."))
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
            error = gettext("A commitment that is %(now)s cannot become %(new)s.") % {
                "now": str(item.get_status_display()).lower(),
                "new": str(dict(item.Status.choices)[form.cleaned_data["status"]]).lower(),
            }
    else:
        error = " ".join(str(e) for e in form.errors.get("status", [gettext("Choose a status.")]))
    if not error:
        messages.success(request, gettext("The status is updated."))
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
        messages.success(request, gettext("The metric is added."))
        return redirect(item.get_absolute_url())
    context = _commitment_context(obj, item, metric_form=form)
    return render(request, "campaign/commitment.html", context, status=400)


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
        messages.success(request, gettext("The progress report is filed."))
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
            request, gettext("The metric will be filled in from each closed wave of the survey.")
        )
        return redirect(item.get_absolute_url())
    return render(
        request,
        "campaign/metric_link.html",
        {"participant": obj, "commitment": item, "metric": metric, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def listing(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_participant_to_manage(request.user, pk)
    form = ListingForm(request.POST)
    if form.is_valid():
        actions.update_listing(
            obj,
            actor=cast(User, request.user),
            is_public=form.cleaned_data["is_public"],
            priority_areas=form.cleaned_data["priority_areas"],
        )
        messages.success(request, gettext("The listing is updated."))
        return redirect("campaign:manage", pk=obj.pk)
    return _manage_page(request, obj, RoleForm(current=obj.role), form, status=400)
