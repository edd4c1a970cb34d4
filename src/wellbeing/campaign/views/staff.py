"""Staff-only pages (404 to everyone else): the review queue, the dashboard, CSV exports."""

from collections.abc import Iterable
from typing import cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from wellbeing.accounts.models import User
from wellbeing.campaign import actions, queries
from wellbeing.campaign.access import (
    require_staff,
)
from wellbeing.campaign.forms import (
    DeclineForm,
)
from wellbeing.campaign.models import Participant, SupportRequest
from wellbeing.core.spreadsheets import csv_writer


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
    writer = csv_writer(buffer)
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows), content_type="text/csv"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value
