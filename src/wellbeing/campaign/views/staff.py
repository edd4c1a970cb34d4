"""Staff-only pages (404 to everyone else): the review queue, the dashboard, CSV exports,
the participants list and one participant's page, and the staff member's notifications.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from wellbeing.accounts.models import Membership, User
from wellbeing.campaign import actions, queries
from wellbeing.campaign.access import (
    require_staff,
)
from wellbeing.campaign.actions import notify
from wellbeing.campaign.forms import (
    DeclineForm,
    StaffNotificationForm,
)
from wellbeing.campaign.models import (
    Commitment,
    Metric,
    MetricValue,
    Participant,
    ProgressReport,
    SupportRequest,
)
from wellbeing.campaign.periods import due_date, quarters_between
from wellbeing.core.models import AuditEvent
from wellbeing.core.spreadsheets import csv_writer
from wellbeing.plan.models import PriorityArea

HISTORY_CAP = 50  # commitments, support threads and status moves shown: the latest 50
QUARTERS_SHOWN = 8  # a commitment's latest quarters in the progress table


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


# --- participants: the list and one participant's page --------------------------------------


def participants(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    status = request.GET.get("status", "")
    search = request.GET.get("q", "").strip()[:200]
    found = Participant.objects.select_related("organization").order_by("display_name", "pk")
    if status in Participant.Status.values:
        found = found.filter(status=status)
    if search:
        found = found.filter(display_name__icontains=search)
    return render(
        request,
        "campaign/staff/participants.html",
        {
            "page": queries.paginate(request, found),
            "status": status,
            "search": search,
            "statuses": Participant.Status.choices,
            "query": urlencode({"q": search, "status": status}) + "&",
        },
    )


@dataclass(frozen=True)
class Event:
    at: dt.datetime
    what: str
    by: str = ""


@dataclass(frozen=True)
class Quarter:
    period_end: dt.date
    due: dt.date
    state: str  # "submitted", "late" or "due"
    submitted_at: dt.datetime | None = None


@dataclass(frozen=True)
class CommitmentRow:
    commitment: Commitment
    metrics: list[Metric]
    quarters: list[Quarter]
    history: list[Event]


def participant(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything staff know of one participant, in a fixed number of queries.

    Campaign records only: no report figure (a survey-linked metric's values come from
    the organization's confidential report, so only values from progress reports show).
    """
    require_staff(request.user)
    obj = (
        Participant.objects.select_related("organization", "user", "reviewed_by")
        .prefetch_related(
            Prefetch("priority_areas", queryset=PriorityArea.objects.order_by("number"))
        )
        .filter(pk=pk)
        .first()
    )
    if obj is None:
        raise Http404("No such participant.")
    commitments, more_commitments = _latest(_commitments_of(obj), obj.commitments.all())
    threads, more_threads = _latest(_threads_of(obj), obj.support_requests.all())
    members = None
    if obj.organization_id is not None:
        members = Membership.objects.filter(organization_id=obj.organization_id).count()
    return render(
        request,
        "campaign/staff/participant.html",
        {
            "participant": obj,
            "history": _review_history(obj),
            "commitments": _commitment_rows(obj, commitments, timezone.localdate()),
            "more_commitments": more_commitments,
            "threads": threads,
            "more_threads": more_threads,
            "members": members,
            "cap": HISTORY_CAP,
        },
    )


def _latest(items: QuerySet, everything: QuerySet) -> tuple[list, int]:
    """The first ``HISTORY_CAP`` rows, and how many there are in all when that is more."""
    rows = list(items[: HISTORY_CAP + 1])
    if len(rows) <= HISTORY_CAP:
        return rows, 0
    return rows[:HISTORY_CAP], everything.count()


def _review_history(obj: Participant) -> list[Event]:
    events = [Event(obj.created_at, "Signed on", obj.signer_name)]
    for change in obj.role_changes.select_related("actor")[:HISTORY_CAP]:
        if change.from_role:
            what = f"Role: {change.get_from_role_display()} → {change.get_to_role_display()}"
            events.append(Event(change.at, what, _who(change.actor)))
        else:
            events.append(Event(change.at, f"Role at sign-on: {change.get_to_role_display()}"))
    if obj.email_confirmed_at:
        events.append(Event(obj.email_confirmed_at, "Email address confirmed"))
    if obj.reviewed_at:
        what = obj.get_status_display()
        if obj.status == Participant.Status.DECLINED:
            what = f"Declined: {obj.decline_reason}"
        events.append(Event(obj.reviewed_at, what, _who(obj.reviewed_by)))
    return sorted(events, key=lambda e: e.at)


def _who(user: User | None) -> str:
    return str(user) if user is not None else "—"


def _commitments_of(obj: Participant) -> QuerySet[Commitment]:
    from_reports = MetricValue.objects.filter(
        metric=OuterRef("pk"), source=MetricValue.Source.REPORT
    ).order_by("-as_of", "-pk")
    metrics = Metric.objects.annotate(
        reported_value=Subquery(from_reports.values("value")[:1]),
        reported_as_of=Subquery(from_reports.values("as_of")[:1]),
        has_survey_values=Exists(
            MetricValue.objects.filter(metric=OuterRef("pk"), source=MetricValue.Source.SURVEY)
        ),
    ).order_by("pk")
    reports = ProgressReport.objects.only("commitment_id", "period_end", "submitted_at")
    return (
        obj.commitments.select_related("priority_area")
        .prefetch_related(
            Prefetch("metrics", queryset=metrics),
            Prefetch("progress_reports", queryset=reports.order_by("-period_end")),
        )
        .order_by("-created_at", "-pk")
    )


def _commitment_rows(
    obj: Participant, commitments: list[Commitment], today: dt.date
) -> list[CommitmentRow]:
    moves = _status_moves(obj, commitments)
    return [
        CommitmentRow(
            commitment=c,
            metrics=list(c.metrics.all()),
            quarters=_quarters(c, today),
            history=[Event(c.created_at, "Recorded as Planned"), *moves.get(c.pk, [])],
        )
        for c in commitments
    ]


def _quarters(commitment: Commitment, today: dt.date) -> list[Quarter]:
    """The latest quarters: each report submitted, and for an active commitment each missing
    report of an ended quarter, late once past its due date (as the dashboard counts)."""
    reported = {r.period_end: r.submitted_at for r in commitment.progress_reports.all()}
    start = min(timezone.localdate(commitment.created_at), today)
    ended = {q for q in quarters_between(start, today) if q < today}
    active = commitment.status in (Commitment.Status.PLANNED, Commitment.Status.IN_PROGRESS)
    rows = []
    for period in sorted(ended | set(reported), reverse=True)[:QUARTERS_SHOWN]:
        if period in reported:
            rows.append(Quarter(period, due_date(period), "submitted", reported[period]))
        elif active:
            state = "late" if due_date(period) < today else "due"
            rows.append(Quarter(period, due_date(period), state))
    return rows


def _status_moves(obj: Participant, commitments: list[Commitment]) -> dict[int, list[Event]]:
    """Each commitment's status moves, read from the audit log in one query.

    An audit row names its commitment's id (``commitment``); rows written before it did name
    the title only (and the participant's organization), and go to the participant's newest
    commitment of that title recorded before them.
    """
    if not commitments:
        return {}
    by_pk = {c.pk: c for c in commitments}
    rows = AuditEvent.objects.filter(
        Q(detail__commitment__in=list(by_pk)) | Q(target__in={c.title[:200] for c in commitments}),
        verb="campaign.commitment.status",
        at__gte=min(c.created_at for c in commitments),
    )
    if obj.organization_id is not None:
        rows = rows.filter(organization_id=obj.organization_id)
    else:  # an individual's rows carry no organization: theirs, or staff acting for them
        rows = rows.filter(organization__isnull=True).filter(
            Q(actor_id=obj.user_id) | Q(actor__is_staff=True)
        )
    labels = dict(Commitment.Status.choices)
    moves: dict[int, list[Event]] = defaultdict(list)
    for row in rows.select_related("actor").order_by("at", "pk")[: HISTORY_CAP * 3]:
        named = row.detail.get("commitment")
        if named is not None:
            owner = by_pk.get(named)
        else:
            owners = [
                c for c in commitments if c.title[:200] == row.target and c.created_at <= row.at
            ]
            owner = max(owners, key=lambda c: c.created_at) if owners else None
        if owner is not None:
            to = labels.get(str(row.detail.get("to_status", "")), "?")
            moves[owner.pk].append(Event(row.at, f"Status: {to}", _who(row.actor)))
    return moves


def _threads_of(obj: Participant) -> QuerySet[SupportRequest]:
    return (
        obj.support_requests.select_related("assigned_to", "priority_area")
        .annotate(last_activity=Max("messages__at"), message_count=Count("messages"))
        .order_by("-last_activity", "-pk")
    )


# --- the staff member's notifications -------------------------------------------------------


def notifications(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    staff = cast(User, request.user)
    current = notify.preference_of(staff)
    initial = {"sign_ons": current.sign_ons, "support": current.support}
    form = StaffNotificationForm(
        request.POST if request.method == "POST" else None, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        notify.set_staff_notifications(staff, **form.cleaned_data)
        messages.success(request, "Your notification choices are saved.")
        return redirect("campaign:staff_notifications")
    return render(
        request,
        "campaign/staff/notifications.html",
        {"form": form, "shared": settings.STAFF_NOTIFICATION_EMAILS},
        status=400 if request.method == "POST" else 200,
    )
