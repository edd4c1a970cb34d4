"""The campaign's staff page of campaign-wide aggregates in differential-privacy mode."""

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from analysis.private import noisy_share
from wellbeing.accounts.models import User
from wellbeing.accounts.permissions import is_staff
from wellbeing.reports import door
from wellbeing.reports.campaign import CAMPAIGN_BUDGET, BudgetSpent, privacy_spent
from wellbeing.reports.models import PrivateRelease


@login_required
def campaign_private(request: HttpRequest) -> HttpResponse:
    """The campaign's burnout counts as released with epsilon-DP; a release is reused while
    the data stay the same, so viewing again spends nothing."""
    if not is_staff(request.user):
        raise Http404("No such page.")
    refused = ""
    current: PrivateRelease | None
    try:
        current = door.campaign_aggregates(cast(User, request.user))
    except BudgetSpent as error:
        current, refused = PrivateRelease.objects.first(), str(error)
    figures = []
    if current is not None:
        figures = list(zip(current.values["labels"], current.values["values"], strict=True))
    values = current.values["values"] if current is not None else []
    context = {
        "current": current,
        "figures": figures,
        "share": noisy_share(values[2], values[1]) if values else None,
        "refused": refused,
        "spent": privacy_spent(),
        "budget": CAMPAIGN_BUDGET,
        "releases": PrivateRelease.objects.select_related("created_by")[:50],
    }
    return render(request, "reports/campaign_private.html", context)
