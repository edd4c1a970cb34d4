"""Look-ups of an organization's surveys and waves for views and the API.

The organization comes from ``accounts.permissions`` (the user may read it); these only
find one of its surveys or waves. Another organization's id is "not found", like an id
that does not exist.
"""

from collections import Counter

from django.db.models import Count
from django.http import Http404

from wellbeing.accounts.models import Organization
from wellbeing.surveys.models import Pending, Response, Survey, Wave


def survey_for_org(org: Organization, pk: int) -> Survey:
    survey = Survey.objects.filter(organization=org, pk=pk).first()
    if survey is None:
        raise Http404("No such survey.")
    return survey


def wave_for_org(org: Organization, pk: int) -> Wave:
    wave = (
        Wave.objects.select_related("survey__organization", "version")
        .filter(survey__organization=org, pk=pk)
        .first()
    )
    if wave is None:
        raise Http404("No such wave.")
    return wave


def collected(wave: Wave) -> int:
    """How many responses the wave holds: stored ones and submissions not yet settled."""
    return Response.objects.filter(wave=wave).count() + Pending.objects.filter(wave=wave).count()


def collected_by_unit(wave: Wave) -> Counter[int | None]:
    """``collected`` per unit id (None: no unit), for the wave page's rounded live counts."""
    counts: Counter[int | None] = Counter()
    for model in (Response, Pending):
        rows = model.objects.filter(wave=wave).values_list("unit").annotate(n=Count("pk"))
        for unit_id, n in rows.values_list("unit", "n"):
            counts[unit_id] += n
    return counts
