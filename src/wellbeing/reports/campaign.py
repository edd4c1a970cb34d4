"""Campaign-wide figures: differentially private counts across every organization (staff).

The campaign's staff see how many people answered the burnout item across the movement and
how many of them reported burnout, released with epsilon-differential privacy
(``analysis.private``): each release spends ``CAMPAIGN_EPSILON`` of a total budget.
Differential privacy is what protects these counts over time: two releases a few responses
apart differ by noise of the same scale as any one person's contribution. The true counts
are never stored.

The budget is spent only on purpose: a release is made when a staff member asks for one and
confirms what it spends (``release_campaign_aggregates``); reading the page (``ledger``)
shows the releases made so far and spends nothing, however often it is opened and however
much data arrived since. The same data give the same release again instead of spending more.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum
from django.utils.crypto import salted_hmac

from analysis import private
from wellbeing.accounts.models import User
from wellbeing.core.models import audit
from wellbeing.reports.models import PrivateRelease
from wellbeing.surveys import scoring
from wellbeing.surveys.models import Response, Score

CAMPAIGN_EPSILON = 1.0  # spent by one release of the campaign-wide burnout counts
CAMPAIGN_BUDGET = 10.0  # over all releases; past it the last release is shown again
BURNOUT = ("single-item-burnout", "score", "burned_out")
CAMPAIGN_LABELS = ["responses", "answered the burnout item", "burned out"]
HISTORY_SHOWN = 50  # releases listed on the staff page, newest first


class BudgetSpent(Exception):
    """A new release would take the privacy budget past ``CAMPAIGN_BUDGET``."""


@dataclass(frozen=True)
class Ledger:
    """What has been released so far and what is left to spend; reading it spends nothing."""

    latest: PrivateRelease | None
    history: list[PrivateRelease]
    spent: float
    budget: float
    epsilon: float  # what the next release would spend

    @property
    def remaining(self) -> float:
        return max(0.0, self.budget - self.spent)

    @property
    def can_release(self) -> bool:
        return self.spent + self.epsilon <= self.budget


def ledger(*, epsilon: float = CAMPAIGN_EPSILON, budget: float = CAMPAIGN_BUDGET) -> Ledger:
    """The releases made so far, newest first, and the budget: no count is computed here."""
    history = list(PrivateRelease.objects.select_related("created_by")[:HISTORY_SHOWN])
    latest = history[0] if history else None
    return Ledger(latest, history, privacy_spent(), budget, epsilon)


def _campaign_counts() -> tuple[list[int], str]:
    instrument, scale, cutoff_id = BURNOUT
    cutoff = next(c for c in scoring.get_instrument(instrument).cutoffs if c.id == cutoff_id)
    scored = Score.objects.filter(instrument=instrument, scale=scale, value__isnull=False)
    counts = [
        Response.objects.count(),
        scored.count(),
        scored.filter(category=cutoff.bands[1].label).count(),
    ]
    last = Response.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    # The data's state under the server's secret: the same data give the same key (so the
    # same release), and nobody with only the database can test guessed counts against it.
    state = salted_hmac("reports.campaign", f"{counts}:{last}").hexdigest()[:32]
    return counts, state


@transaction.atomic
def release_campaign_aggregates(
    *, actor: User | None, epsilon: float = CAMPAIGN_EPSILON, budget: float = CAMPAIGN_BUDGET
) -> PrivateRelease:
    """The campaign-wide burnout counts with epsilon-DP; one release per state of the data.

    Called on a staff member's confirmed request only: this is what spends the budget."""
    # Concurrent requests queue behind the latest release, so two cannot both pass the
    # budget check (PostgreSQL; SQLite writes one transaction at a time anyway).
    list(PrivateRelease.objects.select_for_update().order_by("-pk")[:1])
    counts, state = _campaign_counts()
    key = f"campaign.burnout:{state}"
    existing = PrivateRelease.objects.filter(key=key).first()
    if existing is not None:
        return existing
    spent = privacy_spent()
    if spent + epsilon > budget:
        raise BudgetSpent(
            f"The privacy budget is spent: {spent:g} of {budget:g} is used and a new release"
            f" would need {epsilon:g} more. No new release can be made; the latest one stays"
            " the campaign's figures."
        )
    release = private.release_counts(counts, epsilon=epsilon)
    row = PrivateRelease.objects.create(
        key=key,
        what="Campaign-wide responses and burnout (single-item burnout measure)",
        epsilon=release.epsilon,
        mechanism=release.mechanism,
        values={
            "labels": CAMPAIGN_LABELS,
            "values": list(release.values),
            "scale": release.scale,
            "sensitivity": release.sensitivity,
        },
        created_by=actor,
    )
    audit("campaign.private_release", actor=actor, target=row, epsilon=release.epsilon)
    return row


def privacy_spent() -> float:
    return float(PrivateRelease.objects.aggregate(total=Sum("epsilon"))["total"] or 0.0)
