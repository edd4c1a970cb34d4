"""Find and load every instrument definition: the shipped ones plus the user's.

Shipped definitions are package data (``definitions/*.toml``), read through
importlib.resources so they work from a wheel too. Extra directories come from
the caller or from ``INSTRUMENTS_PATH`` (``os.pathsep``-separated), read when a
registry is built, never at import time. Loaded registries are cached per set
of directories; call :func:`clear_cache` after editing a definition file.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Iterator, Mapping
from importlib import resources
from pathlib import Path

from instruments._model import Instrument
from instruments._schema import InstrumentDefinitionError, load, parse

ENV_VAR = "INSTRUMENTS_PATH"


class Registry(Mapping[str, Instrument]):
    """Read-only mapping of instrument id to :class:`Instrument`, in id order."""

    def __init__(self, instruments: Iterable[Instrument]) -> None:
        self._by_id = {i.id: i for i in sorted(instruments, key=lambda i: i.id)}

    def __getitem__(self, instrument_id: str) -> Instrument:
        try:
            return self._by_id[instrument_id]
        except KeyError:
            raise KeyError(
                f"instrument_id: expected one of {sorted(self._by_id)}, got {instrument_id!r}"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def __repr__(self) -> str:
        return f"Registry({sorted(self._by_id)})"


def registry(paths: Iterable[str | Path] = ()) -> Registry:
    """All shipped instruments plus those in ``paths`` and ``$INSTRUMENTS_PATH``.

    Two definitions with the same id are an error naming both files: a local
    variant must take a new id rather than silently replace a shipped one.
    """
    env = os.environ.get(ENV_VAR, "")
    extra = [*paths, *(p for p in env.split(os.pathsep) if p)]
    return _cached_registry(tuple(str(Path(p).resolve()) for p in extra))


def get(instrument_id: str, paths: Iterable[str | Path] = ()) -> Instrument:
    """One instrument by id (see :func:`registry` for where definitions come from)."""
    return registry(paths)[instrument_id]


def clear_cache() -> None:
    """Forget loaded registries so edited definition files are read again."""
    _cached_registry.cache_clear()


@functools.lru_cache(maxsize=16)
def _cached_registry(extra_dirs: tuple[str, ...]) -> Registry:
    seen: dict[str, str] = {}
    loaded: list[Instrument] = []
    for origin, instrument in [*_shipped(), *_from_dirs(extra_dirs)]:
        if instrument.id in seen:
            raise InstrumentDefinitionError(
                Path(origin).name,
                "id",
                f"duplicate id {instrument.id!r}, already defined in {seen[instrument.id]}",
            )
        seen[instrument.id] = origin
        loaded.append(instrument)
    return Registry(loaded)


def _shipped() -> list[tuple[str, Instrument]]:
    import tomllib

    folder = resources.files("instruments").joinpath("definitions")
    found: list[tuple[str, Instrument]] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            raw = tomllib.loads(entry.read_text(encoding="utf-8"))
            found.append((f"instruments/definitions/{entry.name}", parse(raw, file=entry.name)))
    return found


def _from_dirs(dirs: tuple[str, ...]) -> list[tuple[str, Instrument]]:
    found: list[tuple[str, Instrument]] = []
    for directory in dirs:
        folder = Path(directory)
        if not folder.is_dir():
            raise ValueError(
                f"paths / ${ENV_VAR}: expected a directory of *.toml definitions, got {directory!r}"
            )
        found.extend((str(p), load(p)) for p in sorted(folder.glob("*.toml")))
    return found
