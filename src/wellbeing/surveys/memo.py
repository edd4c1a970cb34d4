"""Per-process memos of what every respondent's page reads and staff rarely change.

A respondent's pages read the same things again and again: a survey version's pages, the
units of the organization (its organization-wide link asks for one), each page as it looks
before anything is answered on it (``pages``), and on the feedback page the knowledge hub's
resources matched to the Plan's areas the results point to. A ``Memo`` keeps such values in
this process for ``ttl`` seconds and forgets all of them at once when a row of a model they
come from is saved or deleted here; other processes see a change within ``ttl`` seconds, as
``links`` does for open links. A change made with ``QuerySet.update`` sends no signal and
is seen within ``ttl`` everywhere.

Keys are ids (of organizations, waves, units, versions), page numbers, languages and the
Plan's slugs, never anything about a respondent: a memo holds nothing a person answered.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterable
from typing import Generic, TypeVar

from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
MAX_ENTRIES = 1_000  # per memo, unless it says otherwise
_MEMOS: list[Memo] = []


class Memo(Generic[K, V]):
    """Values computed once per key and kept ``ttl`` seconds, forgotten when ``senders`` change."""

    def __init__(
        self,
        name: str,
        ttl: float,
        senders: Iterable[type[Model]] = (),
        max_entries: int = MAX_ENTRIES,
    ) -> None:
        self.name = name
        self.ttl = ttl
        self.max_entries = max_entries
        self._values: dict[K, tuple[float, V]] = {}
        for model in senders:
            self.forget_on(model)
        _MEMOS.append(self)

    def forget_on(self, model: type[Model], *, m2m: bool = False) -> None:
        """Forget everything when a row of ``model`` is saved or deleted (or, with ``m2m``,
        when ``model`` is a many-to-many field's table and one of its relations changes)."""
        uid = f"surveys.memo.{self.name}.{model._meta.label}"
        if m2m:
            m2m_changed.connect(self.forget, sender=model, dispatch_uid=f"{uid}.m2m")
            return
        post_save.connect(self.forget, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(self.forget, sender=model, dispatch_uid=f"{uid}.delete")

    def get(self, key: K, compute: Callable[[], V]) -> V:
        """The value of ``key``: kept from an earlier call younger than ``ttl``, else computed."""
        now = time.monotonic()
        hit = self._values.get(key)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        value = compute()
        if len(self._values) >= self.max_entries:
            self._make_room(now)
        self._values[key] = (now, value)
        return value

    def _make_room(self, now: float) -> None:
        """Drop the values past their time; all of them if that is not enough (memory stays
        within ``max_entries`` values, the keys seen lately)."""
        fresh = {k: v for k, v in self._values.items() if now - v[0] < self.ttl}
        self._values = fresh if len(fresh) < self.max_entries else {}

    def forget(self, **_kwargs: object) -> None:
        """Drop every value (a signal receiver, hence the keyword arguments)."""
        self._values.clear()


def forget_all() -> None:
    """Empty every memo of this process: a test's database is not the one they were read from
    (a rolled-back transaction sends no signal)."""
    for memo in _MEMOS:
        memo.forget()
