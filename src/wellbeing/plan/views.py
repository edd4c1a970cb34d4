"""Public pages of the National Plan. The data is public, so no permission helpers."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from wellbeing.plan import queries
from wellbeing.plan.models import PriorityArea, PublicationFact

Subject = PublicationFact.Subject


def index(request: HttpRequest) -> HttpResponse:
    context = {
        "priority_areas": PriorityArea.objects.all(),
        "facts": PublicationFact.objects.filter(subject=Subject.NATIONAL_PLAN),
    }
    return render(request, "plan/index.html", context)


def priority_area(request: HttpRequest, slug: str) -> HttpResponse:
    area = get_object_or_404(PriorityArea.objects.with_details(), slug=slug)
    previous_area, next_area = queries.neighbours(area)
    context = {
        "area": area,
        "sections": queries.goal_sections(area),
        "previous_area": previous_area,
        "next_area": next_area,
    }
    return render(request, "plan/priority_area.html", context)


def conceptual_model(request: HttpRequest) -> HttpResponse:
    context = {
        "model": queries.conceptual_model(),
        "facts": PublicationFact.objects.filter(subject=Subject.CONCEPTUAL_MODEL),
    }
    return render(request, "plan/conceptual_model.html", context)
