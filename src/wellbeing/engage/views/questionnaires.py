"""A network questionnaire's results: topline takeaways, public once staff publish them."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from wellbeing.accounts.permissions import is_staff
from wellbeing.engage.models import Questionnaire
from wellbeing.reports import door


def get_questionnaire_for_user(request: HttpRequest, slug: str) -> Questionnaire:
    """Published results for everyone; unpublished ones for staff only (404 to others)."""
    q = Questionnaire.objects.select_related("wave__version").filter(slug=slug).first()
    if q is None or not (q.results_public or is_staff(request.user)):
        raise Http404("No such questionnaire.")
    return q


def questionnaire_list(request: HttpRequest) -> HttpResponse:
    items = Questionnaire.objects.select_related("wave").filter(results_public=True)
    return render(request, "engage/questionnaires/list.html", {"questionnaires": items})


def questionnaire_results(request: HttpRequest, slug: str) -> HttpResponse:
    q = get_questionnaire_for_user(request, slug)
    link = q.wave.links.filter(unit__isnull=True).first()
    context = {
        "results": door.questionnaire_results(q),
        "q": q,
        "link": link if q.wave.accepting_responses() else None,
    }
    return render(request, "engage/questionnaires/results.html", context)
