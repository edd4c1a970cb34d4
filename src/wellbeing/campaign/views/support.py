"""An Accelerator's technical-support requests and the thread both sides see."""

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from wellbeing.accounts.models import User
from wellbeing.campaign import actions, queries
from wellbeing.campaign.access import (
    get_participant_to_manage,
    require_staff,
)
from wellbeing.campaign.forms import (
    ReplyForm,
    SupportRequestForm,
)
from wellbeing.campaign.models import Participant, Role, SupportRequest


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
        messages.success(request, gettext("Your request is sent to campaign staff."))
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
            error = gettext("This request is closed and takes no more replies.")
        else:
            messages.success(request, gettext("The reply is added."))
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
