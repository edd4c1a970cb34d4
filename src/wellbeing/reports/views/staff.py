"""The campaign's staff page of campaign-wide aggregates in differential-privacy mode.

Opening the page spends no privacy budget: it shows the latest release of the campaign-wide
counts and of the movement norms (``reports.norms``), the releases made so far and the
budget left. A new release is made only by a POST whose confirmation box says what it
spends (``campaign_private`` for the counts, ``norms_release`` for the norms); it is
recorded (a ``PrivateRelease`` row and an audit row) and shown from then on.
"""

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from analysis.private import noisy_share
from wellbeing.accounts.models import User
from wellbeing.accounts.permissions import is_staff
from wellbeing.reports import door
from wellbeing.reports.campaign import BudgetSpent, Ledger
from wellbeing.reports.norms import KEY_PREFIX, MIN_ORGANIZATIONS, NORMS_EPSILON, NormsRefused


class ReleaseForm(forms.Form):
    """The confirmation a release needs: the box names what it spends of what is left."""

    confirm = forms.BooleanField(
        error_messages={
            "required": "Tick the box to confirm: a release spends privacy budget for good."
        }
    )

    def __init__(self, *args: object, ledger: Ledger, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["confirm"].label = (
            f"I understand this spends ε = {ledger.epsilon:g} of the remaining budget of"
            f" {ledger.remaining:g} (of {ledger.budget:g} in all), and cannot be undone."
        )


class NormsForm(forms.Form):
    """The confirmation a norms release needs, with what it spends."""

    confirm = forms.BooleanField(
        error_messages={
            "required": "Tick the box to confirm: releasing movement norms spends privacy"
            " budget for good."
        }
    )

    def __init__(self, *args: object, ledger: Ledger, **kwargs: object) -> None:
        super().__init__(*args, prefix="norms", **kwargs)  # type: ignore[arg-type,misc]
        self.fields["confirm"].label = (
            f"I understand this spends ε = {NORMS_EPSILON:g} of the remaining budget of"
            f" {ledger.remaining:g} (of {ledger.budget:g} in all), and cannot be undone."
        )


@login_required
def campaign_private(request: HttpRequest) -> HttpResponse:
    """GET shows what was released and spends nothing; a confirmed POST makes a release."""
    if not is_staff(request.user):
        raise Http404("No such page.")
    ledger = door.campaign_aggregates()
    form = ReleaseForm(request.POST if request.method == "POST" else None, ledger=ledger)
    if request.method != "POST":
        return _page(request, ledger, form)
    if not form.is_valid():
        return _page(request, ledger, form, status=400)
    try:
        release = door.release_campaign_aggregates(cast(User, request.user))
    except BudgetSpent as error:
        return _page(request, ledger, form, refused=str(error), status=409)
    latest = _latest_campaign(ledger)
    if latest is not None and release.pk == latest.pk:
        messages.info(request, "No data arrived since the latest release: nothing was spent.")
    else:
        messages.success(request, f"Released, spending ε = {release.epsilon:g}.")
    return redirect("reports:campaign_private")


@login_required
@require_POST
def norms_release(request: HttpRequest) -> HttpResponse:
    """A confirmed POST releases the movement norms of real organizations (staff only)."""
    if not is_staff(request.user):
        raise Http404("No such page.")
    ledger = door.campaign_aggregates()
    norms_form = NormsForm(request.POST, ledger=ledger)
    form = ReleaseForm(None, ledger=ledger)
    if not norms_form.is_valid():
        return _page(request, ledger, form, norms_form=norms_form, status=400)
    before = door.latest_norms()
    try:
        release = door.release_norms(cast(User, request.user))
    except (BudgetSpent, NormsRefused) as error:
        return _page(
            request, ledger, form, norms_form=norms_form, norms_refused=str(error), status=409
        )
    if before is not None and release.pk == before.release.pk:
        messages.info(request, "No new results since the latest norms release: nothing was spent.")
    else:
        messages.success(request, f"Movement norms released, spending ε = {release.epsilon:g}.")
    return redirect("reports:campaign_private")


def _latest_campaign(ledger: Ledger):
    """The latest release of the campaign-wide counts (the ledger also lists norms releases)."""
    return next((r for r in ledger.history if not r.key.startswith(KEY_PREFIX)), None)


def _page(
    request: HttpRequest,
    ledger: Ledger,
    form: ReleaseForm,
    *,
    refused: str = "",
    norms_form: NormsForm | None = None,
    norms_refused: str = "",
    status: int = 200,
) -> HttpResponse:
    current = _latest_campaign(ledger)
    norms = door.latest_norms()
    values = current.values["values"] if current is not None else []
    labels = current.values["labels"] if current is not None else []
    context = {
        "ledger": ledger,
        "current": current,
        "figures": list(zip(labels, values, strict=True)),
        "share": noisy_share(values[2], values[1]) if values else None,
        "form": form,
        "refused": refused,
        "spent": ledger.spent,
        "budget": ledger.budget,
        "releases": ledger.history,
        "norms": norms,
        "norms_synthetic": door.latest_norms(synthetic=True),
        "norms_shown": sum(n.mean is not None for n in norms.cells.values()) if norms else 0,
        "norms_form": norms_form or NormsForm(None, ledger=ledger),
        "norms_refused": norms_refused,
        "norms_epsilon": NORMS_EPSILON,
        "norms_can_release": ledger.spent + NORMS_EPSILON <= ledger.budget,
        "min_organizations": MIN_ORGANIZATIONS,
    }
    return render(request, "reports/campaign_private.html", context, status=status)
