"""Public read endpoints: the Plan, the campaign's public participants, the hub, instruments,
events.

They show exactly what the public pages show (``campaign.queries``, ``hub.search``,
``instruments.catalogue``, the events list): approved, listed participants, published
resources and published events only; never an event's joining link or its registrations.
"""

from typing import Literal

from django.http import Http404, HttpRequest
from ninja import Query, Router

import instruments
from wellbeing.api.schemas import (
    ERRORS,
    CommitmentOut,
    EventOut,
    EventPage,
    InstrumentOut,
    MetricOut,
    ParticipantOut,
    ParticipantPage,
    PriorityAreaOut,
    ResourceOut,
    SearchOut,
)
from wellbeing.campaign import queries as campaign_queries
from wellbeing.campaign.models import Commitment, Participant
from wellbeing.engage.models import Event
from wellbeing.hub.models import Resource
from wellbeing.hub.search import search
from wellbeing.plan.models import PriorityArea
from wellbeing.plan.queries import goal_shown

router = Router(tags=["public"])
MAX_LIMIT = 100
# Past any list the platform holds; a larger one overflows the database's 64-bit OFFSET (a 500).
MAX_OFFSET = 1_000_000_000


@router.get("/plan/priority-areas", response={200: list[PriorityAreaOut], **ERRORS})
def priority_areas(request: HttpRequest) -> list[PriorityAreaOut]:
    """The National Plan's priority areas with their goals, as published on the Plan pages."""
    areas = PriorityArea.objects.prefetch_related("goals").order_by("number")
    return [
        PriorityAreaOut(
            number=a.number,
            slug=a.slug,
            title=a.title,
            goal_statement=a.goal_statement,
            summary=a.summary,
            verified=a.verified,
            source=a.source,
            source_url=a.source_url,
            goals=[{"number": g.number, "text": g.text} for g in a.goals.all() if goal_shown(g)],  # type: ignore[misc]
        )
        for a in areas
    ]


def _participant(p: Participant) -> ParticipantOut:
    state = p.organization.state if p.organization else p.individual_state
    return ParticipantOut(
        id=p.pk,
        display_name=p.display_name,
        role=p.role,
        state=state or "",
        priority_areas=[a.slug for a in p.priority_areas.all()],
        is_synthetic=p.is_synthetic,
    )


@router.get("/campaign/participants", response={200: ParticipantPage, **ERRORS})
def participants(
    request: HttpRequest,
    role: str = "",
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
) -> ParticipantPage:
    """The public directory of Change Maker participants (approved and listed), paginated."""
    found = campaign_queries.directory(role)
    return ParticipantPage(
        count=found.count(),
        offset=offset,
        limit=limit,
        items=[_participant(p) for p in found[offset : offset + limit]],
    )


def _metric(m) -> MetricOut:
    def num(value):
        return None if value is None else float(value)

    return MetricOut(
        id=m.pk,
        name=m.name,
        unit=m.unit,
        direction=m.direction,
        baseline_value=float(m.baseline_value),
        baseline_date=m.baseline_date,
        target_value=float(m.target_value),
        target_date=m.target_date,
        current_value=num(m.current_value),
        current_as_of=m.current_as_of,
    )


def commitment_out(c: Commitment) -> CommitmentOut:
    return CommitmentOut(
        id=c.pk,
        title=c.title,
        goal_statement=c.goal_statement,
        status=c.status,
        priority_area=c.priority_area.slug if c.priority_area else "",
        created_at=c.created_at,
        metrics=[_metric(m) for m in c.metrics.all()],
    )


@router.get(
    "/campaign/participants/{participant_id}/commitments",
    response={200: list[CommitmentOut], **ERRORS},
)
def participant_commitments(request: HttpRequest, participant_id: int) -> list[CommitmentOut]:
    """A public participant's commitments (withdrawn ones left out) with their metrics."""
    participant = campaign_queries.public_participant_or_404(participant_id)
    found = campaign_queries.commitments_of(participant).exclude(status=Commitment.Status.WITHDRAWN)
    return [commitment_out(c) for c in found]


def _resource(r: Resource) -> ResourceOut:
    return ResourceOut(
        slug=r.slug,
        title=r.title,
        kind=r.kind,
        summary=r.summary,
        publisher=r.publisher,
        published=r.published,
        url=r.url,
        page=r.get_absolute_url(),
    )


@router.get("/hub/resources", response={200: SearchOut, **ERRORS})
def hub_search(
    request: HttpRequest, q: str = Query("", max_length=500), page: int = Query(1, ge=1, le=10_000)
) -> SearchOut:
    """Published hub resources matching ``q`` (the hub's own full-text search), 20 a page."""
    results = search(q, {}, sort="relevance", page=page)
    return SearchOut(
        query=q,
        total=results.total,
        page=results.page,
        pages=results.pages,
        notices=list(results.notices),
        items=[_resource(hit.resource) for hit in results.hits],
    )


@router.get("/hub/resources/{slug}", response={200: ResourceOut, **ERRORS})
def hub_resource(request: HttpRequest, slug: str) -> ResourceOut:
    resource = Resource.objects.filter(slug=slug, status=Resource.Status.PUBLISHED).first()
    if resource is None:
        raise Http404("No such resource.")
    return _resource(resource)


def _instrument(i) -> InstrumentOut:
    return InstrumentOut(
        id=i.id,
        name=i.name,
        n_items=i.n_items,
        measures=list(i.measures),
        populations=list(i.populations),
        scales=list(i.scale_ids),
        commercial_use_allowed=i.licence.commercial_use_allowed,
        structure_only=i.structure_only,
        verification=instruments.verification_status(i),
    )


@router.get("/instruments", response={200: list[InstrumentOut], **ERRORS})
def instrument_catalogue(request: HttpRequest) -> list[InstrumentOut]:
    """The validated instruments the platform knows, shortest first."""
    return [_instrument(i) for i in instruments.catalogue()]


@router.get("/instruments/{instrument_id}", response={200: InstrumentOut, **ERRORS})
def instrument_detail(request: HttpRequest, instrument_id: str) -> InstrumentOut:
    found = {i.id: i for i in instruments.catalogue()}.get(instrument_id)
    if found is None:
        raise Http404("No such instrument.")
    return _instrument(found)


def _event(e: Event, request: HttpRequest) -> EventOut:
    return EventOut(
        slug=e.slug,
        title=e.title,
        summary=e.summary,
        format=e.format,
        host=e.host,
        starts_at=e.starts_at,
        ends_at=e.ends_at,
        timezone=e.timezone,
        venue=e.venue,
        registration_open=e.registration_open and not e.is_past,
        places_left=e.places_left(),
        awareness_day=e.awareness_day,
        recording_url=e.recording_url if e.is_past else "",
        page=request.build_absolute_uri(e.get_absolute_url()),
        is_demo=e.is_demo,
    )


@router.get("/events", response={200: EventPage, **ERRORS})
def events(
    request: HttpRequest,
    when: Literal["upcoming", "past"] = "upcoming",
    awareness_day: bool | None = None,
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
) -> EventPage:
    """Published events: upcoming ones soonest first, or past ones (with recordings) latest
    first; ``awareness_day=true`` lists Health Workforce Well-Being Day events only."""
    found = Event.objects.upcoming() if when == "upcoming" else Event.objects.past()
    if awareness_day is not None:
        found = found.filter(awareness_day=awareness_day)
    return EventPage(
        count=found.count(),
        offset=offset,
        limit=limit,
        items=[_event(e, request) for e in found[offset : offset + limit]],
    )


@router.get("/events/{slug}", response={200: EventOut, **ERRORS})
def event_detail(request: HttpRequest, slug: str) -> EventOut:
    event = Event.objects.published().filter(slug=slug).first()
    if event is None:
        raise Http404("No such event.")
    return _event(event, request)
