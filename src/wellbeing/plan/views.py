"""Pages of the National Plan. The data is public, so no permission helpers, except for the
staff completeness page, which answers 404 to everyone else (an outsider learns nothing)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from wellbeing.accounts.permissions import is_staff
from wellbeing.core.pagecache import cached_page
from wellbeing.plan import completeness, queries
from wellbeing.plan.models import ActorGroup, PriorityArea, PublicationFact

Subject = PublicationFact.Subject


@cached_page("plan")
def index(request: HttpRequest) -> HttpResponse:
    context = {
        "priority_areas": PriorityArea.objects.all(),
        "actor_groups": queries.actor_groups(),
        "facts": queries.public_facts(Subject.NATIONAL_PLAN),
        "staff": is_staff(request.user),
    }
    return render(request, "plan/index.html", context)


@cached_page("plan", "hub")  # counts the hub's resources filed under the area
def priority_area(request: HttpRequest, slug: str) -> HttpResponse:
    area = get_object_or_404(PriorityArea.objects.with_details(), slug=slug)
    previous_area, next_area = queries.neighbours(area)
    context = {
        "area": area,
        "sections": queries.goal_sections(area),
        "actor_groups": queries.public_actor_groups(area.actor_groups.all()),
        "hub_resources": queries.hub_resource_count(area),
        "previous_area": previous_area,
        "next_area": next_area,
    }
    return render(request, "plan/priority_area.html", context)


@cached_page("plan")
def actor_group_index(request: HttpRequest) -> HttpResponse:
    context = {
        "actor_groups": queries.actor_groups(),
        "facts": queries.public_facts(Subject.ACTOR_GROUPS),
    }
    return render(request, "plan/actor_groups.html", context)


@cached_page("plan")
def actor_group(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_object_or_404(ActorGroup, slug=slug)
    if not group.is_public:
        raise Http404("No such actor group.")
    return render(request, "plan/actor_group.html", {"page": queries.actor_group_page(group)})


@cached_page("plan", "hub")  # counts the hub's resources filed under each factor
def conceptual_model(request: HttpRequest) -> HttpResponse:
    context = {
        "model": queries.conceptual_model(),
        "facts": queries.public_facts(Subject.CONCEPTUAL_MODEL),
    }
    return render(request, "plan/conceptual_model.html", context)


def completeness_view(request: HttpRequest) -> HttpResponse:
    """What staff still have to enter from the published Plan (staff only)."""
    if not is_staff(request.user):
        raise Http404("No such page.")
    return render(request, "plan/completeness.html", {"sections": completeness.sections()})
