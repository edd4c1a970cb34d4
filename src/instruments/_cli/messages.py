"""The command line's error type and the helpers that make its one-line messages."""

from __future__ import annotations

import difflib
from collections.abc import Sequence


class CliError(Exception):
    """A user-facing problem: printed as one line, exit status 2."""


def did_you_mean(name: str, choices: Sequence[str]) -> str:
    """`` (did you mean 'x'?)`` for up to three close names, ignoring case; else nothing.

    Equally close names keep their order (a file's column order, an instrument's item order).
    """
    matcher = difflib.SequenceMatcher(b=name.casefold())
    scored = []
    for position, choice in enumerate(choices):
        matcher.set_seq1(choice.casefold())
        if matcher.ratio() >= 0.6:
            scored.append((-matcher.ratio(), position, choice))
    if not scored:
        return ""
    return f" (did you mean {' or '.join(repr(c) for _r, _p, c in sorted(scored)[:3])}?)"


def some(names: Sequence[str], limit: int = 12) -> str:
    """A list of names short enough for one line of a terminal."""
    shown = ", ".join(repr(name) for name in names[:limit])
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return f"[{shown}{more}]"


def letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters
