"""The ledger: a wave's results are published as releases, never recomputed live.

A release freezes the respondents it covers (packed, rows in random order), the unit tree
of the day and one disclosure plan per set of respondents its figures count:

- ``responses``: everyone (response counts and rates, the record export);
- each scale (``who5.percentage``): the respondents scored on it (its means and shares);
- ``drivers``: the respondents with every key-driver measure (the drivers' "n").

Every door (pages, exports, the API, campaign metrics, questionnaire results) reads the
latest release, so two doors never disagree and a figure viewed again is the same figure.

Over time. Responses are only ever added, so a wave's releases hold nested sets
D_1 ⊆ D_2 ⊆ ... A new release with respondents D is planned on D and on each difference
D - D_a with an earlier release (``analysis.disclosure.plan_release``): it publishes only
figures every one of those plans shows. A group of the respondents who arrived between two
releases is therefore never worked out by subtracting one release from another, however
few they are. On top of that:

- an interim release (while the wave is open) needs at least the minimum group size of new
  responses since the last release, else it is refused (it would show little), and it stops
  at the top-level units (its tree is the organization and those units): the final release
  then only has to keep those few figures apart from the interim ones (``_Planner``), not
  every unit's;
- comments join a release only once at least ``COMMENT_THRESHOLD`` responses arrived
  since the last release that added comments (a comment never points at a small group of
  late respondents);
- key drivers of a part of the organization are shown only where its complete answers
  changed by zero or by at least the drivers' minimum since every earlier release that
  showed them.

A release is published when the wave closes (``tasks.publish_release``), after an import,
on an admin's request while the wave is open, and whenever a reader finds a closed wave
whose responses outnumber its last release (a response that committed after the close).
"""

import time
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
from django.db import IntegrityError, transaction
from django.utils import timezone
from numpy.typing import NDArray

from analysis.disclosure import CHANGED, COMPLEMENT, SHOWN, SMALL, plan_release, plan_statuses
from wellbeing.accounts.models import User
from wellbeing.core.models import audit
from wellbeing.reports import cells, columns, tree
from wellbeing.reports.data import ScaleColumn, WaveData, scored, stored_rows
from wellbeing.reports.kept import Kept
from wellbeing.reports.models import Release
from wellbeing.surveys.actions import settle_responses
from wellbeing.surveys.models import Comment, Wave
from wellbeing.surveys.queries import collected
from wellbeing.surveys.questions import DEMOGRAPHICS
from wellbeing.surveys.scoring import get_instrument

COMMENT_THRESHOLD = 10
PLAN_RESPONSES = "responses"
PLAN_DRIVERS = "drivers"
OPENED_KEPT = 8  # releases kept unpacked in each process (they never change)


class ReleaseRefused(Exception):
    """A release that may not be published now; the message says why, for the admin."""


@dataclass(frozen=True)
class Frozen:
    """A release unpacked: its tree, its scored respondents and its plans' statuses."""

    release: Release
    tree: tree.Tree
    data: WaveData
    codes: NDArray[np.int64]  # each respondent's index in ``tree``
    cats: dict[str, cells.Coded]
    fields: list[str]
    statuses: dict[str, NDArray[np.int8]]
    comment_ids: NDArray[np.int64] | None  # None: no comments in this release
    drivers: dict[int, int]  # tree index -> complete answers, where key drivers may be shown
    # The respondents each plan counts, as published: a later change of a scoring rule or of
    # the key-driver measures changes no release.
    masks: dict[str, NDArray[np.bool_]]
    driver_scales: tuple[str, ...]  # the outcome, then the measures, the drivers were planned on

    @property
    def coarse(self) -> bool:
        """An interim release: the organization and its top-level units only."""
        return self.release.kind == Release.Kind.INTERIM


_OPENED: Kept[Frozen] = Kept(OPENED_KEPT)


def fields_of(wave: Wave) -> list[str]:
    return [f for f in wave.version.demographics if f in DEMOGRAPHICS]


def latest(wave: Wave) -> Release | None:
    """The wave's latest release, without its data: read only when it is first unpacked in
    this process (megabytes a view kept in memory never needs again)."""
    return Release.objects.filter(wave=wave).defer("data").order_by("-number").first()


def plan_masks(data: WaveData) -> dict[str, NDArray[np.bool_]]:
    """The sets of respondents the release's figures count, by plan key."""
    masks = {PLAN_RESPONSES: np.ones(data.n, dtype=bool)}
    for key, column in data.scales.items():
        masks[key] = ~np.isnan(column.values)
    complete = drivers_complete(data)
    if complete is not None:
        masks[PLAN_DRIVERS] = complete
    return masks


def drivers_complete(data: WaveData) -> NDArray[np.bool_] | None:
    """Respondents with the drivers' outcome and every mapped measure; None without drivers."""
    from wellbeing.reports.drivers import driver_inputs

    found = driver_inputs(data)
    if found is None:
        return None
    y, x, _mapped = found
    return np.asarray(~np.isnan(y) & ~np.isnan(x).any(axis=1))


def _driver_scales(data: WaveData) -> tuple[str, ...]:
    from wellbeing.reports.drivers import driver_inputs, outcome_key

    found = driver_inputs(data)
    return () if found is None else (outcome_key(data), *(m.scale for m in found[2]))


def _scored_arrays(data: WaveData, masks: dict[str, NDArray[np.bool_]]) -> dict[str, np.ndarray]:
    """The scores and plan masks as published, so reading the release never rescores."""
    arrays: dict[str, np.ndarray] = {"meta.scales": np.asarray(list(data.scales), dtype=str)}
    for key, column in data.scales.items():
        arrays[f"score.{key}"] = column.values
        for cutoff, above in column.above.items():
            arrays[f"above.{key}.{cutoff}"] = above
    for key, mask in masks.items():
        arrays[f"mask.{key}"] = np.packbits(mask)
    arrays["meta.drivers"] = np.asarray(_driver_scales(data), dtype=str)
    return arrays


def _stored_scales(arrays: dict[str, np.ndarray]) -> dict[str, ScaleColumn]:
    """The scale columns as published (names and directions from today's definitions)."""
    out = {}
    for key in arrays["meta.scales"].tolist():
        instrument_id, scale_id = key.split(".", 1)
        instrument = get_instrument(instrument_id)
        scale = instrument.scale(scale_id)
        above, labels = {}, {}
        for cutoff in instrument.cutoffs:
            name = f"above.{key}.{cutoff.id}"
            if name in arrays:
                above[cutoff.id] = arrays[name]
                labels[cutoff.id] = cutoff.bands[1].label
        out[key] = ScaleColumn(
            key, instrument_id, scale_id, scale.name, scale.higher_is, arrays[f"score.{key}"],
            above, labels,
        )  # fmt: skip
    return out


def open_release(release: Release) -> Frozen:
    """The release unpacked (kept in this process: a release never changes)."""
    return _OPENED.get(release.key, lambda: _unpack(release))


def forget_opened() -> None:
    """Drop the releases unpacked in this process (benchmarks time a first view with it)."""
    _OPENED.clear()


def _unpack(release: Release) -> Frozen:
    arrays = columns.load(bytes(release.data))
    rows = {k.removeprefix("rows."): v for k, v in arrays.items() if k.startswith("rows.")}
    packed = columns.from_arrays(rows)
    keys = sorted(packed.demographics)
    data = WaveData(
        packed.unit_ids,
        {key: packed.demographic(key) for key in keys},
        _stored_scales(arrays),
        {key: packed.demographics[key] for key in keys},
        dict(packed.items),
    )
    masks = {
        k.removeprefix("mask."): np.unpackbits(v, count=data.n).astype(bool)
        for k, v in arrays.items()
        if k.startswith("mask.")
    }
    frozen_tree = tree.from_arrays(arrays)
    fields = arrays["meta.fields"].tolist()
    statuses = {k.removeprefix("plan."): v for k, v in arrays.items() if k.startswith("plan.")}
    comment_ids = arrays.get("comments")
    position = {int(u): i for i, u in enumerate(frozen_tree.unit_ids.tolist())}
    drivers = {
        position[int(u)]: int(n)
        for u, n in zip(arrays["drivers.units"].tolist(), arrays["drivers.n"].tolist(), strict=True)
        if int(u) in position
    }
    return Frozen(
        release=release,
        tree=frozen_tree,
        data=data,
        codes=frozen_tree.codes(data.unit_ids),
        cats=cells.categories(data, fields),
        fields=fields,
        statuses=statuses,
        comment_ids=comment_ids,
        drivers=drivers,
        masks=masks,
        driver_scales=tuple(arrays["meta.drivers"].tolist()),
    )


# -- publishing -----------------------------------------------------------------------------


def publish_interim(wave: Wave, *, actor: User) -> Release:
    """Publish the results so far of an open wave (an admin's request)."""
    if not (wave.collects and wave.accepting_responses()):
        raise ReleaseRefused("Interim results can be published only while the wave is open.")
    return publish(wave, kind=Release.Kind.INTERIM, actor=actor)


def publish_final(wave: Wave) -> Release | None:
    """Publish the wave's results if anything is unpublished; None when there is nothing."""
    kind = Release.Kind.IMPORT if wave.imported else Release.Kind.CLOSE
    last = latest(wave)
    count = collected(wave)
    if count == 0 or (last is not None and last.final and last.responses == count):
        return None
    try:
        return publish(wave, kind=kind)
    except ReleaseRefused:
        return None


SETTLED_SECONDS = 30  # how long a wave found fully published is not counted again


_SETTLED: dict[tuple[int, str], float] = {}  # (wave, its final release's key) -> when checked


def needs_final(wave: Wave) -> bool:
    """A wave that no longer collects (closed, or imported) with unpublished responses.

    Counting a wave's responses costs a scan of its index on every read, so a wave found
    fully published is taken as settled for ``SETTLED_SECONDS`` in this process (a response
    committing after its close, the one way a closed wave grows, waits at most that long)."""
    if wave.status == Wave.Status.OPEN and wave.collects:
        return False
    last = latest(wave)
    now = time.monotonic()
    if last is not None and last.final:
        checked = _SETTLED.get((wave.pk, last.key))
        if checked is not None and now - checked < SETTLED_SECONDS:
            return False
    count = collected(wave)
    due = count > 0 and (last is None or not last.final or last.responses != count)
    if not due and last is not None:
        if len(_SETTLED) > 1024:
            _SETTLED.clear()
        _SETTLED[(wave.pk, last.key)] = now
    return due


def publish(wave: Wave, *, kind: str, actor: User | None = None, again: bool = False) -> Release:
    """Publish a release of the wave's stored responses, planned against every earlier one.

    ``again``: the same results planned anew (the minimum group size was raised), so an
    interim release needs no new responses."""
    try:
        with transaction.atomic():
            # One publisher at a time per wave (a row lock on PostgreSQL; SQLite writes one at
            # a time anyway, and the unique number below settles a race).
            locked = Wave.objects.select_for_update().select_related("survey__organization")
            wave = locked.select_related("version").get(pk=wave.pk)
            release = _publish(wave, kind, actor, again)
    except IntegrityError:
        raise ReleaseRefused(
            "Another release of this wave was published at the same moment."
        ) from None
    return release


def _publish(wave: Wave, kind: str, actor: User | None, again: bool = False) -> Release:
    org = wave.survey.organization
    k = org.effective_min_group_size
    earlier = list(Release.objects.filter(wave=wave).defer("data").order_by("number"))
    settle_responses(wave)  # submissions waiting sealed become rows, in random order
    packed = stored_rows(wave)
    if kind == Release.Kind.INTERIM and not again:
        arrived = packed.n - (earlier[-1].responses if earlier else 0)
        if arrived < k:
            raise ReleaseRefused(
                f"Fewer than {k} responses have arrived since the last release: publishing now"
                " could show the answers of a few people, so wait for more."
            )
    full = tree.current(org)
    coarse = kind == Release.Kind.INTERIM
    if coarse:
        # Interim results stop at the top-level units: a respondent is kept as their
        # top-level unit's, so nothing below it is stored or published until the close.
        packed = replace(packed, unit_ids=tree.top_level_ids(full, packed.unit_ids))
    rows = packed.take(_content_order(packed))
    now_tree = tree.collapsed(full) if coarse else full
    instruments = list(wave.version.instruments)
    data = scored(rows, instruments)
    fields = fields_of(wave)
    codes, cats = now_tree.codes(data.unit_ids), cells.categories(data, fields)
    opened = [open_release(e) for e in earlier]
    masks = plan_masks(data)
    arrays: dict[str, np.ndarray] = {**tree.arrays_of(now_tree)}
    arrays.update({f"rows.{k2}": v for k2, v in columns.arrays_of(rows).items()})
    arrays["meta.instruments"] = np.asarray(instruments, dtype=str)
    arrays["meta.fields"] = np.asarray(fields, dtype=str)
    arrays.update(_scored_arrays(data, masks))
    planner = _Planner(full, now_tree, data, cats, opened, k)
    searched: dict[bytes, NDArray[np.int8]] = {}
    for key, mask in masks.items():
        signature = key.encode() if key == PLAN_DRIVERS else np.packbits(mask).tobytes()
        if signature not in searched:
            searched[signature] = planner.statuses(key, mask)
        arrays[f"plan.{key}"] = searched[signature]
    comment_ids = _comments(wave, data.n, opened)
    if comment_ids is not None:
        arrays["comments"] = comment_ids
    units, counts = _drivers(now_tree, codes, masks.get(PLAN_DRIVERS), data, opened, k)
    arrays["drivers.units"], arrays["drivers.n"] = units, counts
    release = Release.objects.create(
        wave=wave,
        number=(earlier[-1].number + 1) if earlier else 1,
        kind=kind,
        published_on=timezone.localdate(),
        published_by=actor,
        responses=data.n,
        min_size=k,
        data=columns.save(arrays),
    )
    # While the wave collects, the moment of a release (which counts its responses so far)
    # would bracket when respondents answered: the row keeps the day only.
    audit(
        f"report.release_{kind}",
        actor=actor,
        target=wave,
        organization=org,
        day_only=kind == Release.Kind.INTERIM,
    )
    return release


def _content_order(packed: columns.Packed) -> NDArray[np.int64]:
    """The rows sorted by what they hold (unit, answers), never by when they arrived: a
    release of the same responses is the same release, and its order tells nothing."""
    keys: list[np.ndarray] = [packed.unit_ids]
    keys += [
        codes for _labels, codes in (packed.demographics[k] for k in sorted(packed.demographics))
    ]
    for name in sorted(packed.items):
        keys += list(packed.items[name].T)
    return np.lexsort(keys[::-1]) if packed.n else np.zeros(0, dtype=np.int64)


class _Planner:
    """The statuses of each plan of a new release: its respondents now, against each earlier
    release's (``analysis.disclosure.plan_release``).

    An earlier release is compared on the new release's tree, except an interim release
    before a full one: interim results published only the organization and its top-level
    units, so only groups made of those figures can be worked out from the two together
    (a figure below the top level includes no unit's own respondents up there); the
    difference is planned on that coarse tree and its verdicts laid over the full plan's
    top-level figures.
    """

    def __init__(
        self,
        full: tree.Tree,
        now_tree: tree.Tree,
        data: WaveData,
        cats: dict[str, cells.Coded],
        opened: list[Frozen],
        k: int,
    ) -> None:
        self.full, self.now_tree, self.data, self.cats, self.k = full, now_tree, data, cats, k
        self.opened = opened
        self.coarse = now_tree.size != full.size or not tree.same_shape(now_tree, full)
        self.top = tree.collapsed(full)

    def _codes(self, on: tree.Tree, unit_ids: NDArray[np.int64]) -> NDArray[np.int64]:
        """Respondents placed on ``on`` by unit id; on a coarse tree, by top-level unit."""
        if on.size != self.full.size or not tree.same_shape(on, self.full):
            unit_ids = tree.top_level_ids(self.full, unit_ids)
        return on.codes(unit_ids)

    def statuses(self, key: str, mask: NDArray[np.bool_]) -> NDArray[np.int8]:
        labels = cells.labels_present(self.cats, mask)
        on_tree: list[tuple[Frozen, NDArray[np.bool_]]] = []
        on_top: list[tuple[Frozen, NDArray[np.bool_]]] = []
        for old in self.opened:
            old_mask = old.masks.get(key)
            if old_mask is None:
                continue
            (on_top if old.coarse and not self.coarse else on_tree).append((old, old_mask))
        plan = self._plan(self.now_tree, mask, labels, on_tree)
        statuses = plan_statuses(plan).copy()
        if on_top:
            top = plan_statuses(self._plan(self.top, mask, labels, on_top))
            _overlay(statuses, self.now_tree, top, self.top, labels)
        return statuses

    def _plan(self, on: tree.Tree, mask, labels, earlier):
        codes = self._codes(on, self.data.unit_ids)
        direct, by_field = cells.counts(on, codes, self.cats, mask, labels)
        before = [
            cells.counts(on, self._codes(on, old.data.unit_ids), old.cats, old_mask, labels)
            for old, old_mask in earlier
        ]
        return plan_release(on.units, direct, by_field, earlier=before, min_size=self.k)


def _overlay(
    statuses: NDArray[np.int8],
    full: tree.Tree,
    top: NDArray[np.int8],
    coarse: tree.Tree,
    labels: Mapping[str, list[str]],
) -> None:
    """Hide in ``statuses`` (of ``full``) every top-level figure the coarse plan hides."""
    where = full.position()
    index = [0, *(where[int(u)] for u in coarse.unit_ids[1:].tolist())]
    at_full, at_top = 0, 0
    for width in [1, *(len(names) for names in labels.values())]:
        for c_index, f_index in enumerate(index):
            for c in range(width):
                mine = at_full + f_index * width + c
                theirs = top[at_top + c_index * width + c]
                if theirs != SHOWN and statuses[mine] == SHOWN:
                    statuses[mine] = CHANGED if theirs in (SMALL, CHANGED) else COMPLEMENT
        at_full += full.size * width
        at_top += coarse.size * width


def _comments(wave: Wave, n: int, opened: list[Frozen]) -> NDArray[np.int64] | None:
    """Ids of the comments this release shows (see the module docstring); None for none."""
    if n < COMMENT_THRESHOLD:
        return None
    current = np.sort(
        np.fromiter(Comment.objects.filter(wave=wave).values_list("pk", flat=True), dtype=np.int64)
    )
    shown = [old for old in opened if old.comment_ids is not None]
    last = shown[-1].comment_ids if shown else None
    if last is None or n - shown[-1].release.responses >= COMMENT_THRESHOLD:
        return current
    # Too few responses since comments were last added: show those again, no new ones.
    return np.intersect1d(last, current).astype(np.int64)


def _drivers(
    now_tree: tree.Tree,
    codes: NDArray[np.int64],
    complete: NDArray[np.bool_] | None,
    data: WaveData,
    opened: list[Frozen],
    k: int,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(unit ids, complete answers) of every part of the organization whose key drivers this
    release may show: enough answers, no small margin to a larger part around it, and no
    small change since an earlier release that showed them."""
    from wellbeing.reports.drivers import minimum_for

    empty = np.zeros(0, dtype=np.int64)
    if complete is None:
        return empty, empty
    need = minimum_for(data, k)
    counts = now_tree.units.rollup(np.bincount(codes[complete], minlength=now_tree.size))
    before = [_shown_by_unit(old) for old in opened]
    units, ns = [], []
    for node in range(now_tree.size):
        n = int(counts[node])
        above = now_tree.units.ancestors[node]
        above = above[(above >= 0) & (above != node)]
        margins = counts[above] - n
        uid = int(now_tree.unit_ids[node])
        changed = [abs(n - shown[uid]) for shown in before if uid in shown]
        if (
            n >= need
            and not ((margins > 0) & (margins < need)).any()
            and not any(0 < d < need for d in changed)
        ):
            units.append(uid)
            ns.append(n)
    return np.asarray(units, dtype=np.int64), np.asarray(ns, dtype=np.int64)


def _shown_by_unit(old: Frozen) -> Mapping[int, int]:
    return {int(old.tree.unit_ids[i]): n for i, n in old.drivers.items()}
