from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from wellbeing.accounts.permissions import organizations_for_user
from wellbeing.plan.models import PriorityArea


def home(request: HttpRequest) -> HttpResponse:
    areas = PriorityArea.objects.order_by("number")
    return render(request, "core/home.html", {"priority_areas": areas})


def about(request: HttpRequest) -> HttpResponse:
    return render(request, "core/about.html")


def section(request: HttpRequest, template: str) -> HttpResponse:
    """A section's landing page (Campaign, Measure, Hub) until its app grows one."""
    return render(request, template, {"my_organizations": organizations_for_user(request.user)})


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "core/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors run here on purpose: the database may be down.
    return render(request, "core/500.html", status=500)
