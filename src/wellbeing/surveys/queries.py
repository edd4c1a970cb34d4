"""Look-ups of an organization's surveys and waves for views and the API.

The organization comes from ``accounts.permissions`` (the user may read it); these only
find one of its surveys or waves. Another organization's id is "not found", like an id
that does not exist.
"""

from django.http import Http404

from wellbeing.accounts.models import Organization
from wellbeing.surveys.models import Survey, Wave


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
