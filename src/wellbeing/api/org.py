"""An organization's endpoints, reached with its API token.

The token's organization is the only one it reaches: any other slug, or an id of
another organization's survey, wave or commitment, is a 404 (the same answer as for
an id that does not exist). Every figure comes through the reports door
(``reports.door``), exactly as the pages show it.
"""

import math
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router
from ninja.errors import HttpError
from ninja.responses import Status

from wellbeing.accounts.models import Membership, Organization
from wellbeing.accounts.permissions import get_org_for_user
from wellbeing.api.auth import TokenAuth, require_scope
from wellbeing.api.public import commitment_out
from wellbeing.api.schemas import (
    AUTH_ERRORS,
    MAX_METRIC_VALUE,
    CommitmentOut,
    CountOut,
    CountsOut,
    ErrorOut,
    LongRowOut,
    ProgressIn,
    ProgressOut,
    ReportOut,
    SurveyOut,
    WaveOut,
)
from wellbeing.campaign import actions as campaign_actions
from wellbeing.campaign.models import Commitment, ProgressReport
from wellbeing.campaign.periods import quarter_end
from wellbeing.core.models import audit
from wellbeing.reports import door
from wellbeing.surveys.models import Survey, Wave
from wellbeing.surveys.queries import survey_for_org, wave_for_org

router = Router(tags=["organization"], auth=TokenAuth())
CSV_RESPONSE = {
    "responses": {
        200: {
            "description": "The allowed aggregates in long format (docs/api.md).",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    }
}


def _org(request: HttpRequest, slug: str, scope: str) -> Organization:
    token = require_scope(request, scope)
    if slug != token.organization.slug:
        raise Http404("No such organization.")
    return get_org_for_user(request.user, slug, min_role=Membership.Role.ORG_ADMIN)  # type: ignore[arg-type]


def _wave_out(w: Wave) -> WaveOut:
    return WaveOut(
        id=w.pk,
        survey=w.survey_id,
        name=w.name,
        status=w.status,
        opens_at=w.opens_at,
        closes_at=w.closes_at,
    )


@router.get("/orgs/{slug}/surveys", response={200: list[SurveyOut], **AUTH_ERRORS})
def surveys(request: HttpRequest, slug: str) -> list[SurveyOut]:
    """The organization's surveys with their current questions and waves (scope ``surveys:read``)."""
    org = _org(request, slug, "surveys:read")
    found = Survey.objects.filter(organization=org).prefetch_related("versions", "waves")
    out = []
    for s in found.order_by("pk"):
        version = max(s.versions.all(), key=lambda v: v.number)
        out.append(
            SurveyOut(
                id=s.pk,
                name=s.name,
                created_at=s.created_at,
                instruments=list(version.instruments),
                demographics=list(version.demographics),
                waves=sorted(w.pk for w in s.waves.all()),
            )
        )
    return out


@router.get("/orgs/{slug}/surveys/{survey_id}/waves", response={200: list[WaveOut], **AUTH_ERRORS})
def waves(request: HttpRequest, slug: str, survey_id: int) -> list[WaveOut]:
    org = _org(request, slug, "surveys:read")
    survey = survey_for_org(org, survey_id)
    return [_wave_out(w) for w in survey.waves.select_related("survey").order_by("opens_at", "pk")]


@router.get("/orgs/{slug}/waves/{wave_id}", response={200: WaveOut, **AUTH_ERRORS})
def wave(request: HttpRequest, slug: str, wave_id: int) -> WaveOut:
    org = _org(request, slug, "surveys:read")
    return _wave_out(wave_for_org(org, wave_id))


@router.get("/orgs/{slug}/waves/{wave_id}/counts", response={200: CountsOut, **AUTH_ERRORS})
def wave_counts(request: HttpRequest, slug: str, wave_id: int) -> CountsOut:
    """Responses per unit as the wave page shows them (scope ``surveys:read``).

    Once the wave no longer collects: the exact counts of its latest results, hidden where
    the results hide them. While it is open: live counts rounded down to a multiple of the
    minimum group size (``live: true``, ``n`` null and ``at_least`` set)."""
    org = _org(request, slug, "surveys:read")
    found = wave_for_org(org, wave_id)
    counts = door.counts(request.user, org, found)  # type: ignore[arg-type]
    total = counts.total
    return CountsOut(
        wave=found.pk,
        min_group_size=counts.min_size,
        live=counts.live,
        release=counts.release.number if counts.release else None,
        total=total.value if total else None,
        total_at_least=total.at_least if total else None,
        total_suppressed=total is None or total.suppressed,
        total_reason=(total.reason if total else "")
        or ("" if total is not None and not total.suppressed else "Not published."),
        units=[
            CountOut(
                unit_id=row.unit.pk,
                unit=row.unit.name,
                n=row.value,
                at_least=row.at_least,
                suppressed=row.suppressed,
                reason=row.reason,
                headcount=row.headcount,
                response_rate_percent=row.rate,
            )
            for row in counts.rows
        ],
    )


def _report(request: HttpRequest, org: Organization, wave_id: int, verb: str):
    found = wave_for_org(org, wave_id)
    read = door.reading(request.user, org, found)  # type: ignore[arg-type]
    release = read.release
    audit(
        verb,
        actor=request.user,
        target=found,
        organization=org,
        via="api",
        release=release.number if release else 0,
    )
    return read, door.long_rows(read)


@router.get("/orgs/{slug}/waves/{wave_id}/report", response={200: ReportOut, **AUTH_ERRORS})
def wave_report(request: HttpRequest, slug: str, wave_id: int) -> ReportOut:
    """The wave's confidential report in long format (scope ``reports:read``).

    The same published figures as the report page, from the wave's latest release: a
    suppressed cell comes with ``suppressed: true``, its reason and no value. Before any
    results are published, ``release`` is null and there are no rows.
    """
    org = _org(request, slug, "reports:read")
    read, rows = _report(request, org, wave_id, "report.view")
    report = read.report
    return ReportOut(
        wave=read.wave.pk,
        release=report.release.number if report else None,
        published_on=report.release.published_on if report else None,
        previous_wave=report.previous.pk if report and report.previous else None,
        min_group_size=read.organization.effective_min_group_size,
        responses=report.responses.n if report else None,
        responses_suppressed=report.responses.suppressed if report else True,
        responses_reason=report.responses.reason if report else "No results are published yet.",
        rows=[LongRowOut(**row.__dict__) for row in rows],
    )


@router.get(
    "/orgs/{slug}/surveys/{survey_id}/export.csv",
    openapi_extra=CSV_RESPONSE,
    response={**AUTH_ERRORS},
)
def survey_export(request: HttpRequest, slug: str, survey_id: int) -> HttpResponse:
    """Every wave's allowed aggregates in long format, one CSV (scope ``reports:read``)."""
    org = _org(request, slug, "reports:read")
    survey = survey_for_org(org, survey_id)
    rows: list = []
    for w in survey.waves.order_by("opens_at", "pk"):
        rows += _report(request, org, w.pk, "report.export_long")[1]
    response = HttpResponse(door.long_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-long.csv"'
    return response


def _commitments(org: Organization):
    return (
        Commitment.objects.filter(participant__organization=org)
        .select_related("priority_area", "participant")
        .prefetch_related("metrics")
        .order_by("-created_at", "-pk")
    )


@router.get("/orgs/{slug}/commitments", response={200: list[CommitmentOut], **AUTH_ERRORS})
def commitments(request: HttpRequest, slug: str) -> list[CommitmentOut]:
    """The organization's campaign commitments with their metrics (scope ``progress:read``)."""
    org = _org(request, slug, "progress:read")
    return [commitment_out(c) for c in _commitments(org)]


def _check_link(link: str) -> None:
    try:
        URLValidator(schemes=["http", "https"])(link)
    except DjangoValidationError as error:
        raise ValueError(f"evidence_links: expected http(s) web addresses, got {link!r}") from error


def _metric_value(value: float) -> Decimal:
    if not math.isfinite(value) or abs(value) > MAX_METRIC_VALUE:
        raise ValueError(
            f"values: expected numbers between -{MAX_METRIC_VALUE} and {MAX_METRIC_VALUE}, got {value}"
        )
    return Decimal(str(round(value, 4)))


@router.post(
    "/orgs/{slug}/commitments/{commitment_id}/progress",
    response={201: ProgressOut, 409: ErrorOut, **AUTH_ERRORS},
)
def file_progress(
    request: HttpRequest, slug: str, commitment_id: int, body: ProgressIn
) -> Status[ProgressOut]:
    """File a quarter's progress report with metric values (scope ``progress:write``)."""
    org = _org(request, slug, "progress:write")
    commitment = _commitments(org).filter(pk=commitment_id).first()
    if commitment is None:
        raise Http404("No such commitment.")
    if ProgressReport.objects.filter(commitment=commitment, period_end=body.period_end).exists():
        raise HttpError(409, f"The quarter ending {body.period_end} is already reported.")
    try:
        if body.period_end > quarter_end(timezone.localdate()):
            raise ValueError(
                f"period_end: expected a quarter that has begun, got {body.period_end}"
            )
        for link in body.evidence_links:
            _check_link(link)
        values = {int(k): _metric_value(v) for k, v in body.values.items()}
        report = campaign_actions.record_progress(
            commitment,
            actor=request.user,  # type: ignore[arg-type]
            period_end=body.period_end,
            narrative=body.narrative,
            values=values,
            obstacles=body.obstacles,
            evidence_links=body.evidence_links,
        )
    except (ValueError, InvalidOperation) as error:
        raise HttpError(400, str(error)) from error
    except IntegrityError as error:  # the same quarter filed at the same moment
        raise HttpError(
            409, f"The quarter ending {body.period_end} is already reported."
        ) from error
    return Status(
        201,
        ProgressOut(
            id=report.pk,
            commitment=commitment.pk,
            period_end=report.period_end,
            narrative=report.narrative,
            submitted_at=report.submitted_at,
        ),
    )
