"""Respondents as columns: unit, demographics, and every scale's scores.

Two sources give the same shape (``columns.Packed``): a wave's stored responses (read
when a release is published) and a release's frozen rows (read when it is shown). Scores
are recomputed from the item codes with the vectorised engine (one call per instrument for
everyone), which is faster than reading one ``Score`` row per response and scale and always
follows the instrument definitions.
"""

import json
from dataclasses import dataclass, field

import numpy as np
from django.db.models import TextField
from django.db.models.functions import Cast
from numpy.typing import NDArray

import instruments
from wellbeing.reports import columns
from wellbeing.surveys.models import Response, Wave
from wellbeing.surveys.scoring import MISSING, get_instrument

UNASSIGNED = -1


@dataclass(frozen=True)
class ScaleColumn:
    key: str  # "who5.percentage"
    instrument: str
    scale: str
    name: str
    higher_is: str | None
    values: NDArray[np.float64]
    # 2-band verified cut-offs: 1.0 where the response is in the upper band, NaN where unscored.
    above: dict[str, NDArray[np.float64]] = field(default_factory=dict)
    cutoff_labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class WaveData:
    """Scored respondents (of a release, or a wave's stored responses), row by row."""

    unit_ids: NDArray[np.int64]  # the unit's primary key, UNASSIGNED for none
    demographics: dict[str, NDArray[np.str_]]
    scales: dict[str, ScaleColumn]
    # The same answers coded: key -> (sorted distinct answers, each response's index; "" =
    # not answered), as packed, so a report need not sort 50,000 strings again.
    coded: dict[str, tuple[NDArray[np.str_], NDArray[np.int32]]] = field(
        default_factory=dict, repr=False, compare=False
    )
    items: dict[str, NDArray[np.int16]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def n(self) -> int:
        return int(self.unit_ids.shape[0])


def widths_of(instrument_ids: list[str]) -> list[tuple[str, int]]:
    return [(name, get_instrument(name).n_items) for name in instrument_ids]


def _decoded(texts: list[str]) -> list[dict]:
    """Decode many JSON objects with one parser call (a call per row costs more than parsing)."""
    return json.loads("[" + ",".join(texts) + "]") if texts else []


def stored_rows(wave: Wave) -> columns.Packed:
    """The wave's stored responses: its packed snapshot plus the responses it does not hold."""
    widths = widths_of(list(wave.version.instruments))
    layout = columns.layout_of(widths)
    current = columns.wave_ids(wave)
    packed = columns.read(wave, layout, current)
    if packed is None:
        newer = _decode(wave, None, widths)
    else:
        newer = _decode(wave, np.setdiff1d(current, packed.ids, assume_unique=True), widths)
    packed = newer if packed is None else packed + newer
    if newer.n >= columns.REPACK_AFTER:
        columns.write(wave, layout, packed)
    return packed


def scored(packed: columns.Packed, instrument_ids: list[str]) -> WaveData:
    """Score every instrument of ``packed`` at once."""
    scales: dict[str, ScaleColumn] = {}
    for name in instrument_ids:
        scales.update(_score_instrument(name, packed.items[name]))
    keys = sorted(packed.demographics)
    demographics = {key: packed.demographic(key) for key in keys}
    coded = {key: packed.demographics[key] for key in keys}
    return WaveData(packed.unit_ids, demographics, scales, coded, dict(packed.items))


DECODE_CHUNK = 2_000  # keys per query when only some responses are decoded


def _decode(
    wave: Wave, ids: NDArray[np.int64] | None, widths: list[tuple[str, int]]
) -> columns.Packed:
    """The wave's responses (those with keys ``ids``; all for None), decoded from their JSON
    rows, in key order."""
    rows = Response.objects.filter(wave=wave).annotate(
        demo_text=Cast("demographics", TextField()), answers_text=Cast("answers", TextField())
    )
    fields = ("pk", "unit_id", "demo_text", "answers_text")
    if ids is None:
        raw = list(rows.order_by("pk").values_list(*fields))
    else:
        keys = ids.tolist()
        raw = [
            row
            for start in range(0, len(keys), DECODE_CHUNK)
            for row in rows.filter(pk__in=keys[start : start + DECODE_CHUNK]).values_list(*fields)
        ]
        raw.sort(key=lambda row: row[0])
    pks, units, demo_texts, answer_texts = zip(*raw, strict=True) if raw else ((), (), (), ())
    demos = [d or {} for d in _decoded([d or "{}" for d in demo_texts])]
    answer_sets = _decoded([a or "{}" for a in answer_texts])
    unit_ids = np.array([UNASSIGNED if u is None else u for u in units], dtype=np.int64)
    keys = sorted(set().union(*demos))
    demographics = {
        k: columns.encode(np.array([demo.get(k, "") for demo in demos], dtype=str)) for k in keys
    }
    items = {
        name: _item_matrix([answers.get(name) for answers in answer_sets], width)
        for name, width in widths
    }
    return columns.Packed(np.asarray(pks, dtype=np.int64), unit_ids, demographics, items)


def _item_matrix(answer_lists: list[list[int | None] | None], width: int) -> NDArray[np.int16]:
    matrix = np.full((len(answer_lists), width), MISSING, dtype=np.int16)
    # Only complete lists are scored (anything else counts as not answered), filled in one
    # array conversion rather than row by row.
    rows = [i for i, codes in enumerate(answer_lists) if codes and len(codes) == width]
    if rows:
        flat = [MISSING if c is None else c for i in rows for c in answer_lists[i] or ()]
        matrix[rows] = np.array(flat, dtype=np.int16).reshape(len(rows), width)
    return matrix


def _score_instrument(instrument_id: str, matrix: NDArray[np.int16]) -> dict[str, ScaleColumn]:
    instrument = get_instrument(instrument_id)
    result = instruments.score(instrument, matrix)
    out = {}
    for scale in instrument.scales:
        values = np.asarray(result.scales[scale.id], dtype=np.float64)
        above, labels = {}, {}
        for cutoff in instrument.cutoffs:
            if cutoff.scale == scale.id and cutoff.verified and len(cutoff.bands) == 2:
                band = np.asarray(result.bands[cutoff.id])
                above[cutoff.id] = np.where(band < 0, np.nan, (band == 1).astype(np.float64))
                labels[cutoff.id] = cutoff.bands[1].label
        key = f"{instrument.id}.{scale.id}"
        out[key] = ScaleColumn(
            key, instrument.id, scale.id, scale.name, scale.higher_is, values, above, labels
        )
    return out
