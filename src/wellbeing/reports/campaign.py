"""Campaign-wide figures: differentially private counts across every organization (staff).

The campaign's staff see how many people answered the burnout item across the movement and
how many of them reported burnout, released with epsilon-differential privacy
(``analysis.private``): each release spends ``CAMPAIGN_EPSILON`` of a total budget, and
the same data give the same release again instead of spending more. Differential privacy
is what protects these counts over time: two releases a few responses apart differ by noise
of the same scale as any one person's contribution. The true counts are never stored.
"""

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


class BudgetSpent(Exception):
    """A new release would take the privacy budget past ``CAMPAIGN_BUDGET``."""


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
    """The campaign-wide burnout counts with epsilon-DP; one release per state of the data."""
    counts, state = _campaign_counts()
    key = f"campaign.burnout:{state}"
    existing = PrivateRelease.objects.filter(key=key).first()
    if existing is not None:
        return existing
    if privacy_spent() + epsilon > budget:
        raise BudgetSpent(f"A new release would spend more than the budget of {budget:g}.")
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
