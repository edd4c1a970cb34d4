"""The public campaign pages: the movement, the directory, the explorer, the badge."""

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from wellbeing.campaign import queries
from wellbeing.campaign.access import (
    get_participant_to_view,
)
from wellbeing.campaign.models import ROLE_PLEDGES, Role
from wellbeing.core.pagecache import cached_page


@cached_page("campaign")
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "campaign/index.html",
        {"stats": queries.movement_stats(), "pledges": list(ROLE_PLEDGES.items())},
    )


@cached_page("campaign", "plan", params=("role", "state", "page"))
def directory(request: HttpRequest) -> HttpResponse:
    role, state = request.GET.get("role", ""), request.GET.get("state", "")
    page = queries.paginate(request, queries.directory(role, state))
    return render(
        request,
        "campaign/directory.html",
        {
            "page": page,
            "roles": list(Role),
            "role": role,
            "states": queries.states_by_name(),
            "state": state,
            "query": urlencode({"role": role, "state": state}) + "&",
        },
    )


@cached_page("campaign", "plan", params=("area", "page"))
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


@cached_page("campaign", "plan")
def participant(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_participant_to_view(request.user, pk)
    return render(
        request,
        "campaign/participant.html",
        {
            "participant": obj,
            "commitments": queries.commitments_of(obj),
            "badge_label": queries.badge_label(obj),
        },
    )


def badge(request: HttpRequest, pk: int) -> HttpResponse:
    obj = queries.public_participant_or_404(pk)
    svg = queries.badge_svg(obj)
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=3600"
    return response
