"""Differentially private releases of campaign-wide counts, with OpenDP.

The campaign dashboard's aggregates pool every organization's waves. Minimum
group sizes protect the groups of one report; a figure released again and again
as responses arrive could still be differenced over time. A differentially
private release bounds what any one response can change, whatever else is known.

Mechanism: OpenDP's ``make_laplace`` over integers (its documented input space
``vector_domain(atom_domain(T=int))`` with ``l1_distance(T=int)``), which samples
the discrete Laplace distribution exactly (Canonne, Kamath and Steinke 2020). One
response changes each released count by at most 1, so a vector of ``d`` counts
has L1 sensitivity ``d`` and the scale is ``d / epsilon``. The epsilon spent is
OpenDP's own privacy map at that sensitivity, not our arithmetic.

Unit of privacy: one response. A person who answers two waves is two responses
and loses up to twice the epsilon of a release that covers both.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

MECHANISM = "discrete Laplace (OpenDP make_laplace over integers)"


@dataclass(frozen=True)
class NoisyCounts:
    """Released counts (may be negative: noise is unbounded; clip only for display)."""

    values: tuple[int, ...]
    epsilon: float  # spent, from OpenDP's privacy map
    scale: float
    sensitivity: int
    mechanism: str = MECHANISM


def release_counts(
    counts: Sequence[int], *, epsilon: float, sensitivity: int | None = None
) -> NoisyCounts:
    """Release ``counts`` with epsilon-DP; ``sensitivity`` defaults to ``len(counts)``.

    Example: ``release_counts([1200, 420], epsilon=1.0)`` (scale 2).
    """
    values = _counts(counts)
    d_in = len(values) if sensitivity is None else _sensitivity(sensitivity)
    return _laplace(values, _epsilon(epsilon), d_in)


def release_integers(values: Sequence[int], *, epsilon: float, sensitivity: int) -> NoisyCounts:
    """Release signed integers with epsilon-DP at L1 ``sensitivity`` (one response changes
    the whole vector by at most that much), e.g. sums of scores centred on zero.

    Example: ``release_integers([-340, 1210], epsilon=0.5, sensitivity=200)`` (scale 400).
    """
    found = tuple(values)
    if not found or any(
        isinstance(v, bool) or not isinstance(v, int) or abs(v) >= 2**31 for v in found
    ):
        raise ValueError(f"values: expected one or more integers within ±2**31, got {values!r}")
    return _laplace(found, _epsilon(epsilon), _sensitivity(sensitivity))


def _laplace(values: tuple[int, ...], eps: float, d_in: int) -> NoisyCounts:
    import opendp.prelude as dp

    # The integer Laplace needs only "contrib" (see make_laplace's "Required features").
    dp.enable_features("contrib")
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
    scale = d_in / eps
    measurement = dp.m.make_laplace(*space, scale=scale)
    spent = float(measurement.map(d_in))  # type: ignore[no-untyped-call]
    if spent > eps * (1 + 1e-9):  # never release more than was asked for
        raise ValueError(f"epsilon: the mechanism would spend {spent}, more than {eps}")
    noisy = measurement(list(values))
    return NoisyCounts(tuple(int(v) for v in noisy), spent, scale, d_in)


def noisy_share(numerator: int, denominator: int) -> float | None:
    """A share from two released counts (post-processing: costs no privacy), clipped to [0, 1]."""
    if denominator <= 0:
        return None
    return min(1.0, max(0.0, numerator / denominator))


def discrete_laplace_variance(scale: float) -> float:
    """Variance of the discrete Laplace with scale t: 2 e^(-1/t) / (1 - e^(-1/t))^2 (CKS20)."""
    q = math.exp(-1 / scale)
    return 2 * q / (1 - q) ** 2


def _counts(counts: Sequence[int]) -> tuple[int, ...]:
    values = tuple(counts)
    if not values or any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in values):
        raise ValueError(f"counts: expected one or more non-negative integers, got {counts!r}")
    if max(values) >= 2**31:
        raise ValueError(f"counts: expected counts below 2**31, got {max(values)}")
    return values


def _epsilon(epsilon: float) -> float:
    if (
        isinstance(epsilon, bool)
        or not isinstance(epsilon, int | float)
        or not math.isfinite(epsilon)
        or epsilon <= 0
    ):
        raise ValueError(f"epsilon: expected a finite number above 0, got {epsilon!r}")
    return float(epsilon)


def _sensitivity(sensitivity: int) -> int:
    if isinstance(sensitivity, bool) or not isinstance(sensitivity, int) or sensitivity < 1:
        raise ValueError(f"sensitivity: expected an integer of at least 1, got {sensitivity!r}")
    return sensitivity
