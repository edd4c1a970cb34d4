"""Validated instruments: definitions and a vectorised scoring engine (no Django).

>>> import instruments
>>> who5 = instruments.get("who5")
>>> result = instruments.score(who5, [[3, 3, 2, 2, 2]])
>>> float(result.scales["percentage"][0]), result.categories["poor_wellbeing"][0]
(48.0, 'poor well-being: test for depression (percentage <= 50)')

Missing answers: -1 in an integer matrix (``instruments.MISSING``), NaN in a
float matrix. See docs/instruments.md for the definition-file schema.
"""

from instruments._catalogue import UnverifiedPart, catalogue, unverified_parts, verification_status
from instruments._engine import as_codes, classify, item_values
from instruments._engine import score as _score
from instruments._model import (
    MEASURES,
    Band,
    Citation,
    Cutoff,
    Flag,
    Instrument,
    Item,
    Licence,
    Option,
    OptionSet,
    Scale,
    Translation,
    Verification,
)
from instruments._plan import MISSING
from instruments._psychometrics import (
    Alpha,
    Omega,
    ScaleReliability,
    cronbach_alpha,
    item_total_correlations,
    mcdonald_omega,
    reliability,
)
from instruments._registry import Registry, clear_cache, get, registry
from instruments._result import ResponseError, ScoreResult
from instruments._schema import SOURCE_LANGUAGE, InstrumentDefinitionError, load

__all__ = [
    "MEASURES",
    "MISSING",
    "SOURCE_LANGUAGE",
    "Alpha",
    "Band",
    "Citation",
    "Cutoff",
    "Flag",
    "Instrument",
    "InstrumentDefinitionError",
    "Item",
    "Licence",
    "Omega",
    "Option",
    "OptionSet",
    "Registry",
    "ResponseError",
    "Scale",
    "ScaleReliability",
    "ScoreResult",
    "Translation",
    "UnverifiedPart",
    "Verification",
    "as_codes",
    "catalogue",
    "classify",
    "clear_cache",
    "cronbach_alpha",
    "get",
    "item_total_correlations",
    "item_values",
    "load",
    "mcdonald_omega",
    "registry",
    "reliability",
    "score",
    "unverified_parts",
    "verification_status",
]


def score(instrument: "Instrument | str", responses: object) -> ScoreResult:
    """Score a matrix of responses; ``instrument`` may be an id such as ``"phq9"``.

    See :func:`instruments._engine.score` for the accepted inputs.
    """
    if isinstance(instrument, str):
        instrument = get(instrument)
    return _score(instrument, responses)
