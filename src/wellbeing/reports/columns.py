"""A wave's responses as packed columns, kept in ``WaveColumns`` between releases.

Decoding 50,000 JSON rows costs most of a release's time, yet a response never
changes once stored. So the decoded columns (unit, demographic answers, each
instrument's item codes) are packed into one ``WaveColumns`` row after a load
that decoded many rows, and the next load reads that row and decodes only the
responses it does not hold. Scores are not packed: they are recomputed from the
item codes on every load, so a report always follows the instrument definitions.

Rows are kept in the order of their (random) primary keys, never in the order they
arrived. The snapshot is used only while it still describes the database:

- ``layout`` names the wave's instruments and their item counts;
- every response it holds must still be a response of the wave: this catches a
  deleted response (responses are never edited);
- deleting a response or a unit (which empties ``unit`` on responses in place)
  deletes the snapshots it touches (``forget_*`` receivers below).

Otherwise the wave is decoded again from its rows, which is always correct.
"""

import io
from dataclasses import dataclass

import numpy as np
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models.signals import post_delete
from numpy.typing import NDArray

from wellbeing.accounts.models import Unit
from wellbeing.reports.models import WaveColumns
from wellbeing.surveys.models import Response, Wave

# Pack again once this many responses had to be decoded from JSON (about 10 ms of work).
REPACK_AFTER = 1_000


@dataclass(frozen=True)
class Packed:
    """Decoded responses of a wave, in primary-key order (keys are random)."""

    ids: NDArray[np.int64]  # the responses' primary keys (empty in a release: not stored)
    unit_ids: NDArray[np.int64]
    # key -> (sorted distinct answers, each response's index into them; "" = not answered)
    demographics: dict[str, tuple[NDArray[np.str_], NDArray[np.int32]]]
    items: dict[str, NDArray[np.int16]]  # instrument -> n x items codes, MISSING where unanswered

    @property
    def n(self) -> int:
        return int(self.unit_ids.shape[0])

    def demographic(self, key: str) -> NDArray[np.str_]:
        labels, codes = self.demographics[key]
        return labels[codes] if len(codes) else np.array([], dtype=str)

    def take(self, rows: NDArray[np.int64]) -> "Packed":
        """These rows only, in this order (a release's rows are shuffled with this)."""
        demographics = {key: encode(self.demographic(key)[rows]) for key in self.demographics}
        items = {name: matrix[rows] for name, matrix in self.items.items()}
        ids = self.ids[rows] if len(self.ids) == self.n else self.ids[:0]
        return Packed(ids, self.unit_ids[rows], demographics, items)

    def __add__(self, newer: "Packed") -> "Packed":
        if newer.n == 0:
            return self
        keys = sorted(set(self.demographics) | set(newer.demographics))
        demographics = {}
        for key in keys:
            values = np.concatenate([_answers(self, key), _answers(newer, key)])
            demographics[key] = encode(values)
        items = {name: np.concatenate([self.items[name], newer.items[name]]) for name in self.items}
        both = Packed(
            np.concatenate([self.ids, newer.ids]),
            np.concatenate([self.unit_ids, newer.unit_ids]),
            demographics,
            items,
        )
        return both.take(np.argsort(both.ids, kind="stable"))


def _answers(packed: Packed, key: str) -> NDArray[np.str_]:
    if key in packed.demographics:
        return packed.demographic(key)
    return np.full(packed.n, "", dtype=str)


def encode(values: NDArray[np.str_]) -> tuple[NDArray[np.str_], NDArray[np.int32]]:
    labels, codes = np.unique(values, return_inverse=True)
    return labels, codes.reshape(-1).astype(np.int32)


def layout_of(instruments: list[tuple[str, int]]) -> str:
    return ";".join(f"{name}:{width}" for name, width in instruments)


def wave_ids(wave: Wave) -> NDArray[np.int64]:
    """The primary keys of the wave's stored responses, sorted."""
    ids = Response.objects.filter(wave=wave).values_list("pk", flat=True)
    return np.sort(np.fromiter(ids, dtype=np.int64))


def read(wave: Wave, layout: str, current: NDArray[np.int64]) -> Packed | None:
    """The wave's snapshot if it still describes its responses (``current``: their sorted
    keys), else None."""
    row = WaveColumns.objects.filter(wave=wave).values_list("rows", "layout").first()
    if row is None:
        return None
    rows, stored_layout = row
    if stored_layout != layout:
        return None
    data = WaveColumns.objects.filter(wave=wave).values_list("data", flat=True).first()
    if data is None:
        return None
    packed = unpack(bytes(data))
    if packed.n != rows or len(packed.ids) != rows:
        return None
    if not np.isin(packed.ids, current, assume_unique=True).all():
        return None  # a response it holds is gone
    return packed


def write(wave: Wave, layout: str, packed: Packed) -> None:
    """Store ``packed`` as the wave's snapshot; losing a race with another writer is fine."""
    try:
        with transaction.atomic():
            WaveColumns.objects.update_or_create(
                wave=wave,
                defaults={"rows": packed.n, "layout": layout, "data": pack(packed)},
            )
    except (IntegrityError, DatabaseError):
        # Another report packed the same wave at the same moment, or the database is read-only:
        # the snapshot is only a shortcut, and the report at hand already has its columns.
        pass


def arrays_of(packed: Packed) -> dict[str, np.ndarray]:
    """The packed columns as named arrays (a release stores them beside its own)."""
    arrays: dict[str, np.ndarray] = {"unit_ids": packed.unit_ids}
    for key, (labels, codes) in packed.demographics.items():
        arrays[f"demographic.labels.{key}"] = labels
        arrays[f"demographic.codes.{key}"] = codes
    for name, matrix in packed.items.items():
        arrays[f"items.{name}"] = matrix
    return arrays


def from_arrays(arrays: dict[str, np.ndarray]) -> Packed:
    unit_ids = arrays["unit_ids"].astype(np.int64)
    ids = arrays["ids"].astype(np.int64) if "ids" in arrays else np.zeros(0, dtype=np.int64)
    demographics: dict[str, tuple[NDArray[np.str_], NDArray[np.int32]]] = {}
    items = {}
    for name in arrays:
        if name.startswith("demographic.labels."):
            key = name.removeprefix("demographic.labels.")
            demographics[key] = (arrays[name], arrays[f"demographic.codes.{key}"])
        elif name.startswith("items."):
            items[name.removeprefix("items.")] = arrays[name]
    return Packed(ids, unit_ids, demographics, items)


def save(arrays: dict[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, allow_pickle=False, **arrays)
    return buffer.getvalue()


def load(data: bytes) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
        return {name: arrays[name] for name in arrays.files}


def pack(packed: Packed) -> bytes:
    """The snapshot's bytes: the columns and the responses' keys (a release stores no keys)."""
    return save({**arrays_of(packed), "ids": packed.ids})


def unpack(data: bytes) -> Packed:
    return from_arrays(load(data))


def forget_wave(sender: type, instance: Response, **kwargs: object) -> None:
    WaveColumns.objects.filter(wave_id=instance.wave_id).delete()


def forget_organization(sender: type, instance: Unit, **kwargs: object) -> None:
    # Deleting a unit empties ``unit`` on its responses with an UPDATE, which no check sees.
    WaveColumns.objects.filter(wave__survey__organization_id=instance.organization_id).delete()


def connect() -> None:
    post_delete.connect(forget_wave, sender=Response, dispatch_uid="reports.columns.response")
    post_delete.connect(forget_organization, sender=Unit, dispatch_uid="reports.columns.unit")
