"""Confidential group statistics and change between waves (no Django).

Input: plain numbers and labels. Output: immutable results saying what may be
shown. Never imports Django and never reads settings: the caller passes the
minimum group size.

- ``suppression``: counts of disjoint parts with a published total.
- ``groups``: per-group n, mean, SD, an interval of the mean that stays inside the
  scale's range, and shares with Wilson intervals; the unit tree.
- ``disclosure``: what of a unit-tree x demographic report may be published
  (primary and complementary suppression, proven against linear recovery), also
  across successive releases of a growing data set.
- ``change``: wave-over-wave change (Welch's t, Newcombe) and trends.
- ``drivers``: key-driver analysis (standardised betas, relative weights).
- ``private``: differentially private releases of counts (OpenDP, discrete Laplace).
"""

from analysis.change import ChangeTable, TrendResult, WaveSummary, mean_change, rate_change, trend
from analysis.disclosure import (
    CHANGED,
    DisclosurePlan,
    FieldCells,
    plan_disclosure,
    plan_disclosure_from_counts,
    plan_release,
    plan_statuses,
    restore_plan,
)
from analysis.drivers import Driver, KeyDrivers, key_drivers
from analysis.groups import (
    GroupRow,
    GroupTable,
    ShareRow,
    ShareStats,
    Threshold,
    UnitTree,
    bounded_mean_interval,
    group_stats,
    label_codes,
    wilson_interval,
)
from analysis.private import NoisyCounts, noisy_share, release_counts
from analysis.suppression import CountCell, CountTable, suppress_counts

__all__ = [
    "CHANGED",
    "ChangeTable",
    "CountCell",
    "CountTable",
    "DisclosurePlan",
    "Driver",
    "FieldCells",
    "GroupRow",
    "GroupTable",
    "KeyDrivers",
    "NoisyCounts",
    "ShareRow",
    "ShareStats",
    "Threshold",
    "TrendResult",
    "UnitTree",
    "WaveSummary",
    "bounded_mean_interval",
    "group_stats",
    "key_drivers",
    "label_codes",
    "mean_change",
    "noisy_share",
    "plan_disclosure",
    "plan_disclosure_from_counts",
    "plan_release",
    "plan_statuses",
    "rate_change",
    "release_counts",
    "restore_plan",
    "suppress_counts",
    "trend",
    "wilson_interval",
]
