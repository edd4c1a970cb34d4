"""The surveys app's door to ``instruments``: catalogue look-ups, wording, scoring.

Everything about *what an instrument says and how it scores* comes from the
pure package; this module only adapts it to one response at a time, to the
organization's licensed wording and to the visitor's language (a published
translation shipped with the definition, else the English original). What a
respondent sees of their own scores is ``surveys.feedback``.
"""

import functools
import math
import secrets
from dataclasses import dataclass, field

import numpy as np

import instruments
from instruments import Instrument, ScoreResult

MISSING = -1  # instruments' code for an unanswered item
SOURCE_LANGUAGE = instruments.SOURCE_LANGUAGE  # the language of every original wording
_TEXT_PLACEHOLDER = "Wording supplied by the licence holder"


def get_instrument(instrument_id: str) -> Instrument:
    try:
        instrument = instruments.get(instrument_id)
    except KeyError:
        raise ValueError(f"instrument: expected a catalogue id, got {instrument_id!r}") from None
    if instrument.structure_only:
        raise ValueError(
            f"instrument: {instrument_id!r} is proprietary and ships without items; it cannot be fielded"
        )
    return instrument


def fieldable_instruments() -> list[Instrument]:
    reg = instruments.registry()
    return sorted(
        (reg[i] for i in reg if not reg[i].structure_only and reg[i].items), key=lambda i: i.name
    )


def new_idempotency_key() -> str:
    return secrets.token_urlsafe(24)


def estimated_minutes(
    instrument_ids: list[str], demographics: list[str], open_questions: list[str]
) -> int:
    # About 8 seconds a closed question and 45 seconds an open one (a planning figure, not a norm).
    n_items = sum(get_instrument(i).n_items for i in instrument_ids)
    seconds = 8 * (n_items + len(demographics)) + 45 * len(open_questions)
    return max(1, math.ceil(seconds / 60))


# -- wording ------------------------------------------------------------------------------------


def _needs_text(item) -> bool:
    return item.text_supplied_by_licensee or not item.text


def _needs_labels(item) -> bool:
    return item.option_set.labels_supplied_by_licensee or any(
        o.label is None for o in item.option_set.options
    )


def wording_language(instrument: Instrument, language: str) -> str:
    """The language the instrument is shown in: ``language`` when a published translation
    ships with its definition, else English (never a translation of our own)."""
    return language if instrument.translation(language) is not None else SOURCE_LANGUAGE


def stem_text(instrument: Instrument, language: str = SOURCE_LANGUAGE) -> str:
    translation = instrument.translation(language)
    return (translation.stem if translation else instrument.stem) or ""


def item_text(instrument: Instrument, item, licensed: dict, language: str = SOURCE_LANGUAGE) -> str:
    translation = instrument.translation(language)
    if translation is not None:
        return translation.items[instrument.item_ids.index(item.id)]
    if not _needs_text(item):
        return item.text
    return licensed.get(instrument.id, {}).get(item.id) or f"{_TEXT_PLACEHOLDER} ({item.id})"


def option_labels(
    instrument: Instrument, item, licensed: dict, language: str = SOURCE_LANGUAGE
) -> list[tuple[int, str]]:
    translation = instrument.translation(language)
    if translation is not None:
        labels = translation.labels(item.option_set.id)
        return [(o.code, labels[n]) for n, o in enumerate(item.option_set.options)]
    supplied = licensed.get(instrument.id, {}).get(f"options:{item.option_set.id}", [])
    out = []
    for n, option in enumerate(item.option_set.options):
        label = option.label
        if _needs_labels(item):
            label = (
                supplied[n]
                if n < len(supplied) and supplied[n]
                else (option.label or str(option.code))
            )
        out.append((option.code, label))
    return out


@dataclass(frozen=True)
class LicensedField:
    name: str
    label: str
    value: str
    error: str = ""


def _licensed_slots(instrument_ids: list[str]):
    for instrument_id in instrument_ids:
        instrument = get_instrument(instrument_id)
        seen_sets = set()
        several = len({i.option_set.id for i in instrument.items if _needs_labels(i)}) > 1
        for number, item in enumerate(instrument.items, start=1):
            if _needs_text(item):
                yield instrument, item.id, f"{instrument.name}, item {number}"
            if _needs_labels(item) and item.option_set.id not in seen_sets:
                seen_sets.add(item.option_set.id)
                options = item.option_set.options
                # Admins know items by their number on the licensed form, never by our ids.
                where = f", answer scale first used at item {number}" if several else ""
                for n, option in enumerate(options):
                    yield (
                        instrument,
                        f"options:{item.option_set.id}:{n}",
                        f"{instrument.name}{where}: answer {n + 1} of {len(options)}"
                        f" (scored {option.code})",
                    )


def _get_slot(licensed: dict, instrument_id: str, slot: str) -> str:
    block = licensed.get(instrument_id, {})
    if slot.startswith("options:"):
        _, set_id, n = slot.split(":")
        labels = block.get(f"options:{set_id}", [])
        return labels[int(n)] if int(n) < len(labels) else ""
    return block.get(slot, "")


def licensed_items(instrument_ids: list[str], licensed: dict, posted=None) -> list[LicensedField]:
    rows = []
    for instrument, slot, label in _licensed_slots(instrument_ids):
        name = f"lt__{instrument.id}__{slot.replace(':', '__')}"
        value = (
            posted.get(name, "") if posted is not None else _get_slot(licensed, instrument.id, slot)
        )
        error = (
            "Enter the wording, at most 500 characters."
            if posted is not None and (not value.strip() or len(value) > 500)
            else ""
        )
        rows.append(LicensedField(name, label, value, error))
    return rows


def parse_licensed_text(instrument_ids: list[str], posted) -> tuple[dict, dict[str, str]]:
    licensed: dict = {}
    errors: dict[str, str] = {}
    for row in licensed_items(instrument_ids, {}, posted):
        if row.error:
            errors[row.name] = row.error
    for instrument, slot, _label in _licensed_slots(instrument_ids):
        value = (
            posted.get(f"lt__{instrument.id}__{slot.replace(':', '__')}", "")
            .replace("\x00", "")
            .strip()
        )
        block = licensed.setdefault(instrument.id, {})
        if slot.startswith("options:"):
            _, set_id, n = slot.split(":")
            labels = block.setdefault(f"options:{set_id}", [])
            labels.extend([""] * (int(n) + 1 - len(labels)))
            labels[int(n)] = value
        else:
            block[slot] = value
    return licensed, errors


def missing_licensed_text(instrument_ids: list[str], licensed: dict) -> list[str]:
    return [
        label
        for instrument, slot, label in _licensed_slots(instrument_ids)
        if not _get_slot(licensed, instrument.id, slot)
    ]


# -- scoring ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreRow:
    instrument: str
    scale: str
    value: float | None
    category: str


@dataclass
class Scored:
    rows: list[ScoreRow] = field(default_factory=list)


def _matrix(instrument: Instrument, codes: list[int | None]) -> np.ndarray:
    if not isinstance(codes, list) or len(codes) != instrument.n_items:
        raise ValueError(
            f"answers[{instrument.id!r}]: expected {instrument.n_items} codes, got {codes!r}"
        )
    return np.array([[MISSING if c is None else c for c in codes]], dtype=np.int64)


def score_answers(answers: dict[str, list[int | None]]) -> Scored:
    """Score one response's answers (raises ValueError on bad codes)."""
    rows: list[ScoreRow] = []
    for instrument_id, codes in answers.items():
        instrument = get_instrument(instrument_id)
        rows += _rows(instrument, score_one(instrument, codes), [0])[0]
    return Scored(rows=rows)


@functools.lru_cache(maxsize=1024)
def _score_cached(instrument_id: str, codes: tuple[int, ...]) -> ScoreResult:
    instrument = get_instrument(instrument_id)
    return instruments.score(instrument, np.array([codes], dtype=np.int64))


def score_one(instrument: Instrument, codes: list[int | None]) -> ScoreResult:
    """One response's result, cached: a submission's scores and its feedback score it once."""
    matrix = _matrix(instrument, codes)  # shape check with a clear message
    return _score_cached(instrument.id, tuple(int(c) for c in matrix[0]))


def _rows(
    instrument: Instrument, result: ScoreResult, positions: list[int]
) -> list[list[ScoreRow]]:
    """Score rows of the responses at ``positions`` of ``result``."""
    out: list[list[ScoreRow]] = [[] for _ in positions]
    for scale in instrument.scales:
        cutoff = next((c for c in instrument.cutoffs if c.scale == scale.id), None)
        values = result.scales[scale.id]
        labels = result.categories[cutoff.id] if cutoff else None
        for n, position in enumerate(positions):
            value = float(values[position])
            category = str(labels[position] or "") if labels is not None else ""
            out[n].append(
                ScoreRow(instrument.id, scale.id, None if math.isnan(value) else value, category)
            )
    return out


def score_columns(
    instrument: Instrument, matrix: np.ndarray
) -> list[tuple[str, list[float | None], list[str]]]:
    """Many responses' scores as columns: (scale, values, categories) per scale.

    The same scales, values (None for NaN) and categories as ``_rows``, one vectorised
    call for the whole matrix, for imports of many rows.
    """
    result = instruments.score(instrument, matrix)
    out = []
    for scale in instrument.scales:
        cutoff = next((c for c in instrument.cutoffs if c.scale == scale.id), None)
        values = [
            None if math.isnan(v) else v
            for v in np.asarray(result.scales[scale.id], dtype=float).tolist()
        ]
        if cutoff is not None:
            categories = [str(label or "") for label in result.categories[cutoff.id]]
        else:
            categories = [""] * len(values)
        out.append((scale.id, values, categories))
    return out


def score_many(answer_sets: list[dict[str, list[int | None]]]) -> list[list[ScoreRow]]:
    """Score many responses with one vectorised call per instrument."""
    out: list[list[ScoreRow]] = [[] for _ in answer_sets]
    instrument_ids = sorted({i for answers in answer_sets for i in answers})
    for instrument_id in instrument_ids:
        instrument = get_instrument(instrument_id)
        rows = [n for n, answers in enumerate(answer_sets) if instrument_id in answers]
        matrix = np.array(
            [[MISSING if c is None else c for c in answer_sets[n][instrument_id]] for n in rows],
            dtype=np.int64,
        ).reshape(len(rows), instrument.n_items)
        result = instruments.score(instrument, matrix)
        for n, scored in zip(rows, _rows(instrument, result, list(range(len(rows)))), strict=True):
            out[n] += scored
    return out
