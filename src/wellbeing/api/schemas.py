"""Typed response bodies of the API (the OpenAPI schema is generated from these)."""

from datetime import date, datetime
from typing import Any

from ninja import Schema
from pydantic import Field


class ErrorOut(Schema):
    detail: str
    errors: list[dict[str, Any]] = []


ERRORS = {400: ErrorOut, 404: ErrorOut}
AUTH_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut}


# --- public -----------------------------------------------------------------------------


class GoalOut(Schema):
    number: int
    text: str


class PriorityAreaOut(Schema):
    number: int
    slug: str
    title: str
    goal_statement: str
    summary: str
    verified: bool
    source: str
    source_url: str
    goals: list[GoalOut]


class ParticipantOut(Schema):
    id: int
    display_name: str
    role: str
    state: str
    priority_areas: list[str]
    is_synthetic: bool


class ParticipantPage(Schema):
    count: int
    offset: int
    limit: int
    items: list[ParticipantOut]


class MetricOut(Schema):
    id: int
    name: str
    unit: str
    direction: str
    baseline_value: float
    baseline_date: date
    target_value: float
    target_date: date
    current_value: float | None
    current_as_of: date | None


class CommitmentOut(Schema):
    id: int
    title: str
    goal_statement: str
    status: str
    priority_area: str
    created_at: datetime
    metrics: list[MetricOut]


class EventOut(Schema):
    slug: str
    title: str
    summary: str
    format: str
    host: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    venue: str
    registration_open: bool
    places_left: int | None  # None: no capacity limit
    awareness_day: bool
    recording_url: str
    page: str
    is_demo: bool


class EventPage(Schema):
    count: int
    offset: int
    limit: int
    items: list[EventOut]


class ResourceOut(Schema):
    slug: str
    title: str
    kind: str
    summary: str
    publisher: str
    published: str
    url: str
    page: str


class SearchOut(Schema):
    query: str
    total: int
    page: int
    pages: int
    notices: list[str]
    items: list[ResourceOut]


class InstrumentOut(Schema):
    id: str
    name: str
    n_items: int
    measures: list[str]
    populations: list[str]
    scales: list[str]
    commercial_use_allowed: bool
    structure_only: bool
    verification: str


# --- organization -----------------------------------------------------------------------


class SurveyOut(Schema):
    id: int
    name: str
    created_at: datetime
    instruments: list[str]
    demographics: list[str]
    waves: list[int]


class WaveOut(Schema):
    id: int
    survey: int
    name: str
    status: str
    opens_at: datetime
    closes_at: datetime


class CountOut(Schema):
    unit_id: int | None
    unit: str
    n: int | None
    at_least: int | None = None
    suppressed: bool
    reason: str
    headcount: int | None
    response_rate_percent: int | None


class CountsOut(Schema):
    wave: int
    min_group_size: int
    live: bool
    release: int | None
    total: int | None
    total_at_least: int | None = None
    total_suppressed: bool
    total_reason: str
    units: list[CountOut]


class LongRowOut(Schema):
    survey: str
    wave: str
    wave_id: int
    wave_opens_on: str
    group_type: str
    group_id: str
    group: str
    scale: str
    statistic: str
    value: float | None
    n: int | None
    suppressed: bool
    reason: str


class ReportOut(Schema):
    wave: int
    release: int | None
    published_on: date | None
    previous_wave: int | None
    min_group_size: int
    responses: int | None
    responses_suppressed: bool
    responses_reason: str
    rows: list[LongRowOut]


MAX_METRIC_VALUE = 9_999_999_999  # the metric columns hold 14 digits, 4 after the point


class ProgressIn(Schema):
    period_end: date
    narrative: str = Field(min_length=1, max_length=10_000)
    obstacles: str = Field("", max_length=10_000)
    evidence_links: list[str] = Field([], max_length=20)
    values: dict[int, float] = Field(
        {},
        description=f"metric id -> value, each between -{MAX_METRIC_VALUE} and {MAX_METRIC_VALUE}",
    )


class ProgressOut(Schema):
    id: int
    commitment: int
    period_end: date
    narrative: str
    submitted_at: datetime
