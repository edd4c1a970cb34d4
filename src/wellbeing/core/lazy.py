"""Libraries loaded on first use instead of at start-up.

Altair, scipy, pandas, OpenDP and WeasyPrint each take from a fraction of a second to several
seconds to import. A web worker that imported them with its views would pay that at every
start, before it answers anyone, although most requests never draw a chart or run a test.
A module that uses one throughout writes ``alt = LazyModule("altair")``, with the real import
under ``if TYPE_CHECKING:`` for the type checker, and the library loads on the first attribute
read. ``tests/core/test_core_startup.py`` checks that starting the site loads none of them.
"""

import importlib
from types import ModuleType
from typing import Any


class LazyModule:
    """Stands for a module until one of its attributes is read, then imports it.

    The import goes through the import system each time, so the module is loaded once (under
    the import lock: two threads asking first get the same module) and is the same object
    every other importer sees. Read attributes when the code runs, not at import time: a
    default argument such as ``alt.Undefined`` would load the module while its user loads.
    """

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.load(), attribute)

    def load(self) -> ModuleType:
        """The module itself, imported now if it is not yet."""
        return importlib.import_module(self._name)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"
