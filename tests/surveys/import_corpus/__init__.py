"""Sample exports built in code from each survey tool's documented layout, with what must come of them.

Every module of this folder whose name does not start with ``_`` defines ``CASES``, a list of
``Case``: a file built in memory (its name starts with the module's area: ``codes_``,
``units_``, ``tools_``, ``files_``, ``complete_``), how the person importing it maps its
columns, what they know about their own survey (which value means which answer), and the
outcome: the exact rows stored, or a refusal whose message says what to do.
``tests/surveys/test_surveys_import_corpus.py`` runs every case through the importer as that
person would. To add a case, add it to a module's ``CASES`` (or add a module).

``python tests/surveys/import_corpus DIR`` writes every file to DIR, to open in the tool
that made it (Excel, SPSS, a text editor).
"""

import importlib
import json
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

MISSING = "missing"  # the answer "no answer": an empty item, no unit, no demographic


@dataclass(frozen=True)
class Stored:
    """One response as the wave must hold it: answers by instrument, unit name, demographics."""

    answers: dict[str, list[int | None]]
    unit: str | None = None
    demographics: dict[str, str] = field(default_factory=dict)

    def canonical(self) -> str:
        return json.dumps([self.answers, self.unit, self.demographics], sort_keys=True)


@dataclass(frozen=True)
class Case:
    """A sample export and what must come of it.

    ``columns``: the person's column choices over the suggested mapping (``items``,
    ``unit_column``, ``demographics``, ``key_columns``), as ``Mapping`` fields.
    ``answers``: what the person knows of their survey, for each answer scale
    (``"who5/frequency"``), the unit (``"unit"``) and each demographic question (``"role"``):
    the value in the file -> the answer (an instrument code, a unit's name, a demographic
    key, or ``MISSING``). A value the person does not know is left out of it.
    ``asked``: values the importer must ask about rather than match by itself (a wording
    variant, say), by the same keys. ``numbering``: for an answer scale whose values are
    numbers without labels, the numbering the importer must offer that gives them the
    person's answers (``codes.numberings``: "codes", "1-up", "1-down", "0-up", "0-down").
    ``stored``: the exact rows stored; ``None`` when the file must be refused, with a
    message containing ``refused``.
    """

    name: str
    build: Callable[[], bytes]
    stored: list[Stored] | None
    columns: dict = field(default_factory=dict)
    answers: dict[str, dict[str, str]] = field(default_factory=dict)
    asked: dict[str, set[str]] = field(default_factory=dict)
    numbering: dict[str, str] = field(default_factory=dict)
    refused: str = ""
    preset: str = "auto"
    recode: str = ""
    # Units the organization has besides the shared test world's: (name, parent's name or "").
    extra_units: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if (self.stored is None) == (not self.refused):
            raise ValueError(f"{self.name}: expected either stored rows or a refusal phrase")


def cases() -> list[Case]:
    """Every case of every module in this folder."""
    found: list[Case] = []
    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if not module.name.startswith("_"):
            found += importlib.import_module(f"{__name__}.{module.name}").CASES
    names = [c.name for c in found]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise ValueError(f"case names: expected each once, got {duplicated} twice")
    return found
