"""Table-level reads for the campaign pages, each in a fixed number of queries."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf, TruncMonth
from django.http import Http404, HttpRequest
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from wellbeing.accounts.states import STATE_NAMES
from wellbeing.campaign.labels import INDIVIDUALS, sector_label
from wellbeing.campaign.models import Commitment, Metric, Participant, Role
from wellbeing.campaign.periods import due_date, last_late_quarter
from wellbeing.plan.models import PriorityArea

PAGE_SIZE = 25


def paginate(request: HttpRequest, queryset: QuerySet) -> Page:
    """One page of ``queryset``; a page number out of range shows the last page, not an error."""
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def priority_areas() -> list[PriorityArea]:
    return list(PriorityArea.objects.order_by("number"))


def priority_area_or_none(slug: str) -> PriorityArea | None:
    return PriorityArea.objects.filter(slug=slug).first() if slug else None


@dataclass(frozen=True)
class Tally:
    label: str
    count: int


@dataclass(frozen=True)
class GrowthPoint:
    month: date
    joined: int
    total: int


@dataclass(frozen=True)
class MovementStats:
    total: int
    by_role: list[Tally]
    by_sector: list[Tally]
    by_state: list[Tally]
    growth: list[GrowthPoint]
    commitments: int


def movement_stats() -> MovementStats:
    """Counts of approved participants (public or not): five grouped queries."""
    approved = Participant.objects.approved()
    roles = dict(approved.values_list("role").annotate(n=Count("pk")).order_by())
    by_role = [Tally(str(role.label), roles.get(role.value, 0)) for role in Role]
    sectors = (
        approved.annotate(sector_kind=Coalesce("organization__kind", Value("")))
        .values_list("sector_kind")
        .annotate(n=Count("pk"))
        .order_by("-n", "sector_kind")
    )
    states = (
        approved.annotate(
            code=Coalesce(NullIf("organization__state", Value("")), F("individual_state"))
        )
        .values_list("code")
        .annotate(n=Count("pk"))
        .order_by()
    )
    months = (
        approved.annotate(month=TruncMonth("reviewed_at"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    growth = _growth(list(months))
    commitments = Commitment.objects.filter(participant__status=Participant.Status.APPROVED)
    return MovementStats(
        total=sum(roles.values()),
        by_role=by_role,
        by_sector=[Tally(str(sector_label(s) if s else INDIVIDUALS), n) for s, n in sectors],
        by_state=_by_state_name(states),
        growth=growth,
        commitments=commitments.exclude(status=Commitment.Status.WITHDRAWN).count(),
    )


def _growth(months: list[tuple[datetime | None, int]]) -> list[GrowthPoint]:
    """Cumulative approvals at the end of every month from the first to the last, quiet
    months included: a chart of only the months with approvals would draw a quiet half-year
    as one step. Approvals without a date count from the start."""
    joined = {month.date(): n for month, n in months if month is not None}
    running = sum(n for month, n in months if month is None)
    if not joined:
        return []
    points, month, last = [], min(joined), max(joined)
    while month <= last:
        running += joined.get(month, 0)
        points.append(GrowthPoint(month, joined.get(month, 0), running))
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return points


def _by_state_name(counts: Iterable[tuple[str | None, int]]) -> list[Tally]:
    """Counts by state under the state's full name, in alphabetical order of that name (a
    list by postal code reads as random: "Alaska, Alabama, Arkansas, American Samoa");
    participants who gave no state come last."""
    counts = list(counts)
    named = sorted((STATE_NAMES[code], n) for code, n in counts if code in STATE_NAMES)
    unnamed = sum(n for code, n in counts if code not in STATE_NAMES)
    tallies = [Tally(name, n) for name, n in named]
    if unnamed:
        tallies.append(Tally(gettext("State not given"), unnamed))
    return tallies


def states_by_name() -> list[tuple[str, str]]:
    """(code, name) of every state, in alphabetical order of the name: the directory's filter."""
    return sorted(STATE_NAMES.items(), key=lambda item: item[1])


def directory(role: str = "", state: str = "") -> QuerySet[Participant]:
    """Listed participants, each once, by name; ``role`` and ``state`` narrow the list (an
    institution's state is its organization's, an individual's their own)."""
    participants = Participant.objects.public().select_related("organization")
    if role in Role.values:
        participants = participants.filter(role=role)
    if state in STATE_NAMES:
        participants = participants.filter(
            Q(organization__state=state) | Q(organization__isnull=True, individual_state=state)
        )
    return participants.prefetch_related(
        Prefetch("priority_areas", queryset=PriorityArea.objects.order_by("number"))
    ).order_by("display_name", "pk")


def public_commitments(area: PriorityArea | None) -> QuerySet[Commitment]:
    commitments = Commitment.objects.filter(
        participant__status=Participant.Status.APPROVED, participant__is_public=True
    ).exclude(status=Commitment.Status.WITHDRAWN)
    if area is not None:
        commitments = commitments.filter(priority_area=area)
    return (
        commitments.select_related(
            "participant", "participant__organization", "priority_area", "action__priority_area"
        )
        .prefetch_related(Prefetch("metrics", queryset=Metric.objects.order_by("pk")))
        .order_by("-created_at", "-pk")
    )


def commitments_of(participant: Participant) -> QuerySet[Commitment]:
    return (
        participant.commitments.select_related("priority_area", "action__priority_area")
        .prefetch_related(Prefetch("metrics", queryset=Metric.objects.order_by("pk")))
        .order_by("-created_at", "-pk")
    )


def public_participant_or_404(pk: int) -> Participant:
    participant = Participant.objects.public().filter(pk=pk).first()
    if participant is None:
        raise Http404("No such participant.")
    return participant


def review_queue() -> QuerySet[Participant]:
    return (
        Participant.objects.filter(status=Participant.Status.PENDING)
        .select_related("organization", "user")
        .prefetch_related(
            Prefetch("priority_areas", queryset=PriorityArea.objects.order_by("number"))
        )
        .order_by("created_at", "pk")
    )


def _badge_role(participant: Participant) -> str:
    # Always in English: other sites embed the one image, whatever their visitor's language.
    with translation.override("en"):
        return str(participant.get_role_display())


def badge_label(participant: Participant) -> str:
    """The badge's text, "Change Maker <Role> <year of approval>": its alt text when embedded."""
    year = participant.reviewed_at.year if participant.reviewed_at else ""
    return f"Change Maker {_badge_role(participant)} {year}".strip()


def badge_svg(participant: Participant) -> str:
    """The participant's annual badge: "Change Maker <Role>" and the year of approval."""
    role = _badge_role(participant)
    year = participant.reviewed_at.year if participant.reviewed_at else ""
    label = escape(badge_label(participant))
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="64" viewBox="0 0 240 64" '
        f'role="img" aria-label="{label}">'
        f"<title>{label}</title>"
        '<rect width="240" height="64" rx="8" fill="#162e51"/>'
        '<text x="120" y="26" fill="#ffffff" font-family="Source Sans Pro, Helvetica, Arial, '
        'sans-serif" font-size="14" text-anchor="middle">Change Maker</text>'
        '<text x="120" y="48" fill="#ffbe2e" font-family="Source Sans Pro, Helvetica, Arial, '
        f'sans-serif" font-size="18" font-weight="bold" text-anchor="middle">{escape(role)} '
        f"{year}</text></svg>"
    )


@dataclass(frozen=True)
class Overdue:
    period: date  # the latest quarter whose report is past due
    due: date
    queryset: QuerySet[Commitment]


def overdue_commitments(today: date) -> Overdue:
    """Active commitments of approved participants with no report for the last due quarter."""
    period = last_late_quarter(today)
    items = (
        Commitment.objects.filter(
            participant__status=Participant.Status.APPROVED,
            status__in=[Commitment.Status.PLANNED, Commitment.Status.IN_PROGRESS],
            created_at__date__lte=period,
        )
        .exclude(progress_reports__period_end=period)
        .select_related("participant", "priority_area")
        .order_by("participant__display_name", "pk")
    )
    return Overdue(period, due_date(period), items)


PARTICIPANT_COLUMNS: list[object] = [
    "id", "name", "kind", "role", "status", "sector", "state", "public", "email_confirmed",
    "signed_on", "reviewed", "signer", "signer_title", "signer_email", "priority_areas",
    "synthetic",
]  # fmt: skip


def participant_rows() -> Iterator[list[object]]:
    yield PARTICIPANT_COLUMNS
    participants = (
        Participant.objects.select_related("organization", "user")
        .prefetch_related(
            Prefetch("priority_areas", queryset=PriorityArea.objects.order_by("number"))
        )
        .order_by("pk")
    )
    for p in participants.iterator(chunk_size=2000):
        yield [
            p.pk, p.display_name, "individual" if p.is_individual else "institution", p.role,
            p.status, p.sector, p.state, p.is_public, p.email_confirmed_at is not None,
            p.created_at.date().isoformat(), p.reviewed_at.date().isoformat() if p.reviewed_at else "",
            p.signer_name, p.signer_title, p.user.email,
            " ".join(str(a.number) for a in p.priority_areas.all()), p.is_synthetic,
        ]  # fmt: skip


COMMITMENT_COLUMNS: list[object] = [
    "id", "participant_id", "participant", "priority_area", "action", "title", "status",
    "metric", "unit", "direction", "baseline_value", "baseline_date", "target_value",
    "target_date", "latest_value", "latest_as_of",
]  # fmt: skip


def commitment_rows() -> Iterator[list[object]]:
    """One row per metric (a commitment without metrics still gets one row)."""
    yield COMMITMENT_COLUMNS
    commitments = (
        Commitment.objects.select_related("participant", "priority_area", "action")
        .prefetch_related(Prefetch("metrics", queryset=Metric.objects.order_by("pk")))
        .order_by("pk")
    )
    for c in commitments.iterator(chunk_size=2000):
        head: list[object] = [
            c.pk, c.participant_id, c.participant.display_name, c.priority_area.number,
            c.action.code if c.action else "", c.title, c.status,
        ]  # fmt: skip
        metrics: list[Metric | None] = [*c.metrics.all()] or [None]
        for m in metrics:
            yield [*head, *_metric_cells(m)]


def _metric_cells(m: Metric | None) -> list[object]:
    if m is None:
        return [""] * 9
    return [
        m.name, m.unit, m.direction, m.baseline_value, m.baseline_date, m.target_value,
        m.target_date, m.current_value, m.current_as_of or "",
    ]  # fmt: skip
