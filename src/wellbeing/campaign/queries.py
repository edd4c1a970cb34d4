"""Table-level reads for the campaign pages, each in a fixed number of queries."""

from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Prefetch, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf, TruncMonth
from django.http import Http404, HttpRequest
from django.utils.html import escape

from wellbeing.accounts.models import Organization
from wellbeing.accounts.states import STATE_NAMES
from wellbeing.campaign.models import Commitment, Metric, Participant, Role
from wellbeing.plan.models import PriorityArea

PAGE_SIZE = 25
SECTOR_NAMES = {**dict(Organization.Kind.choices), "": "Individuals"}


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
    by_role = [Tally(role.label, roles.get(role.value, 0)) for role in Role]
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
        .order_by("code")
    )
    months = (
        approved.annotate(month=TruncMonth("reviewed_at"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    growth, running = [], 0
    for month, n in months:
        running += n
        growth.append(GrowthPoint(month.date() if month else date.min, n, running))
    commitments = Commitment.objects.filter(participant__status=Participant.Status.APPROVED)
    return MovementStats(
        total=sum(roles.values()),
        by_role=by_role,
        by_sector=[Tally(SECTOR_NAMES.get(s, s), n) for s, n in sectors],
        by_state=[Tally(STATE_NAMES.get(c or "", "State not given"), n) for c, n in states],
        growth=growth,
        commitments=commitments.exclude(status=Commitment.Status.WITHDRAWN).count(),
    )


def directory(role: str = "") -> QuerySet[Participant]:
    participants = Participant.objects.public().select_related("organization")
    if role in Role.values:
        participants = participants.filter(role=role)
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
            "participant", "participant__organization", "priority_area", "action"
        )
        .prefetch_related(Prefetch("metrics", queryset=Metric.objects.order_by("pk")))
        .order_by("-created_at", "-pk")
    )


def commitments_of(participant: Participant) -> QuerySet[Commitment]:
    return (
        participant.commitments.select_related("priority_area", "action")
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


def badge_svg(participant: Participant) -> str:
    """The participant's annual badge: "Change Maker <Role>" and the year of approval."""
    role = participant.get_role_display()
    year = participant.reviewed_at.year if participant.reviewed_at else ""
    label = escape(f"Change Maker {role} {year}".strip())
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
