"""Disclosure plans, searched once per set of counts and kept.

A plan (``analysis.disclosure``) is a deterministic function of the unit tree, the
counts of the scored respondents by unit and category, and the minimum group size,
and searching for it is the costliest step of a report. So a plan is looked up by a
digest of those inputs:

1. in this process (``_PLANS``, least recently used first out): a report viewed again,
   or with another filter, reuses the plans it had;
2. in ``StoredPlan`` rows of the wave: a report opened in another server process, or
   after a restart, or warmed in the background when the wave closed
   (``surveys.tasks.warm_report``), reads the statuses and restores the plan, which
   checks them against the counts (exactly the groups below the minimum size must be
   hidden as small; a row that fails is searched again);
3. otherwise it is searched, kept in both places, and older stored plans of the wave
   beyond ``STORED_PER_WAVE`` are dropped.

Any new response, unit or setting changes the digest, so a kept plan is never used
for other counts. A failed write (a concurrent report stored the same plan first, or
a read-only database) costs only the next search.
"""

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence

import numpy as np
from django.db import DatabaseError, IntegrityError, transaction

from analysis.disclosure import (
    DisclosurePlan,
    plan_disclosure_from_counts,
    plan_statuses,
    restore_plan,
)
from analysis.groups import UnitTree
from wellbeing.surveys.models import StoredPlan

PLANS_KEPT = 48  # in each process
STORED_PER_WAVE = 24  # a report needs one per set of scored respondents: a few per wave

Counts = Mapping[str, tuple[Sequence[Hashable], np.ndarray]]

_PLANS: OrderedDict[tuple[int, bytes], DisclosurePlan] = OrderedDict()  # (wave, digest)
_PLANS_LOCK = threading.Lock()


def plan_for(
    wave_id: int, tree: UnitTree, direct: np.ndarray, by_field: Counts, k: int
) -> DisclosurePlan:
    """The plan of these counts: kept in this process, stored for the wave, or searched."""
    key = plan_key(tree, direct, by_field, k)
    with _PLANS_LOCK:
        plan = _PLANS.get((wave_id, key))
        if plan is not None:
            _PLANS.move_to_end((wave_id, key))
            return plan
    plan = _stored(wave_id, key, tree, direct, by_field, k)
    if plan is None:
        plan = plan_disclosure_from_counts(tree, direct, by_field, min_size=k)
        _store(wave_id, key, plan)
    with _PLANS_LOCK:
        _PLANS[wave_id, key] = plan
        while len(_PLANS) > PLANS_KEPT:
            _PLANS.popitem(last=False)
    return plan


def plan_key(tree: UnitTree, direct: np.ndarray, by_field: Counts, k: int) -> bytes:
    digest = hashlib.blake2b(digest_size=32)
    digest.update(repr((k, tree.size, [str(label) for label in tree.labels])).encode())
    digest.update(np.ascontiguousarray(tree.parents, dtype=np.int64).tobytes())
    digest.update(np.ascontiguousarray(direct, dtype=np.int64).tobytes())
    for name, (labels, counts) in by_field.items():
        digest.update(repr((name, [str(label) for label in labels], counts.shape)).encode())
        digest.update(np.ascontiguousarray(counts, dtype=np.int64).tobytes())
    return digest.digest()


def forget_plans() -> None:
    """Drop the plans kept in this process (benchmarks time a first view with this;
    the stored ones stay)."""
    with _PLANS_LOCK:
        _PLANS.clear()


def kept_in_process() -> int:
    with _PLANS_LOCK:
        return len(_PLANS)


def _stored(
    wave_id: int, key: bytes, tree: UnitTree, direct: np.ndarray, by_field: Counts, k: int
) -> DisclosurePlan | None:
    row = (
        StoredPlan.objects.filter(wave_id=wave_id, digest=key)
        .values_list("statuses", flat=True)
        .first()
    )
    if row is None:
        return None
    statuses = np.frombuffer(bytes(row), dtype=np.int8)
    try:
        return restore_plan(tree, direct, by_field, statuses, min_size=k)
    except ValueError:
        # Not the plan of these counts (damaged): search again and replace it.
        StoredPlan.objects.filter(wave_id=wave_id, digest=key).delete()
        return None


def _store(wave_id: int, key: bytes, plan: DisclosurePlan) -> None:
    try:
        with transaction.atomic():
            StoredPlan.objects.create(
                wave_id=wave_id, digest=key, statuses=plan_statuses(plan).tobytes()
            )
            stale = StoredPlan.objects.filter(wave_id=wave_id).order_by("-created_at", "-pk")[
                STORED_PER_WAVE:
            ]
            StoredPlan.objects.filter(pk__in=list(stale.values_list("pk", flat=True))).delete()
    except (IntegrityError, DatabaseError):
        pass  # stored meanwhile by another report, or the database takes no writes now
