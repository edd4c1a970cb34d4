"""Argument checks shared by the analysis modules."""

from __future__ import annotations


def check_confidence(confidence: object) -> None:
    """Raise ValueError unless ``confidence`` is a number strictly between 0 and 1."""
    if (
        isinstance(confidence, bool)
        or not isinstance(confidence, (int, float))
        or not 0 < confidence < 1
    ):
        raise ValueError(
            f"confidence: expected a number strictly between 0 and 1, got {confidence!r}"
        )
