"""Keep the search index in step with published resources.

The index holds published resources only: a facet row per (resource, facet,
value) in ``SearchFacet`` and the text in the backend's full-text table. Every
write in ``hub.actions`` calls ``reindex``; ``rebuild`` starts from scratch
(after ``migrate`` and a test database flush, through ``post_migrate``, so the
FTS5 table, which a flush does not empty, never points at deleted rows).
"""

import uuid
from collections.abc import Iterable, Iterator, Mapping

import numpy as np
from django.core.cache import cache
from django.db import connection, transaction

from wellbeing.core import pagecache
from wellbeing.hub.models import Resource, SearchFacet
from wellbeing.hub.search.backends import FTS_TABLE, backend

BATCH = 2_000
VERSION_KEY = "hub:index-version"


def version() -> str:
    """Changes whenever the index does; caches of indexed text (the vocabulary) key on it.

    Kept in the shared cache so every app process sees a change made by another.
    """
    return str(cache.get_or_set(VERSION_KEY, lambda: uuid.uuid4().hex, None))


def touch() -> None:
    """Mark the index changed, so caches built from it (facet matrix, vocabulary) go."""
    _changed()


def _changed() -> None:
    # Now (so this transaction's own reads see it) and again on commit (so no
    # other process keeps a vocabulary built from rows read before the commit).
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)
    transaction.on_commit(lambda: cache.set(VERSION_KEY, uuid.uuid4().hex, None))
    pagecache.changed("hub")  # search results and facet counts come from the index


def facet_rows(resource: Resource) -> Iterator[tuple[str, str]]:
    yield "kind", resource.kind
    if resource.evidence:
        yield "evidence", resource.evidence
    for facet, field in (
        ("element", "elements"),
        ("profession", "professions"),
        ("setting", "care_settings"),
        ("stage", "career_stages"),
    ):
        for value in dict.fromkeys(getattr(resource, field)):
            yield facet, value
    for area in resource.priority_areas.all():
        yield "priority_area", area.slug
    for factor in resource.factors.all():
        yield "factor", factor.slug


def _resources(ids: list[int] | None) -> Iterator[list[Resource]]:
    queryset = (
        Resource.objects.published()
        .select_related("case_study")
        .prefetch_related("priority_areas", "factors")
        .order_by("pk")
    )
    if ids is not None:
        for start in range(0, len(ids), BATCH):
            yield list(queryset.filter(pk__in=ids[start : start + BATCH]))
        return
    last = 0
    while batch := list(queryset.filter(pk__gt=last)[:BATCH]):
        yield batch
        last = batch[-1].pk


def _write(batches: Iterable[list[Resource]], *, postings_too: bool = True) -> int:
    engine = backend()
    written = 0
    for batch in batches:
        SearchFacet.objects.bulk_create(
            [
                SearchFacet(resource_id=r.pk, facet=facet, value=value)
                for r in batch
                for facet, value in facet_rows(r)
            ]
        )
        engine.index(
            [(r.pk, r.title, r.summary, r.search_body()) for r in batch], postings_too=postings_too
        )
        written += len(batch)
    return written


def reindex(ids: Iterable[int]) -> None:
    """Re-read these resources; drafts and deleted ones leave the index."""
    ids = sorted(set(ids))
    with transaction.atomic():
        _take_out(ids)
        _write(_resources(ids))
        _changed()


def unindex(ids: Iterable[int]) -> None:
    """Take these resources out of the index; call before deleting them."""
    with transaction.atomic():
        _take_out(sorted(set(ids)))
        _changed()


def _take_out(ids: list[int]) -> None:
    """Under the index's write lock, drop these resources' facet rows and documents."""
    engine = backend()
    engine.lock()
    SearchFacet.objects.filter(resource_id__in=ids).delete()
    engine.unindex(ids)


def rebuild() -> int:
    """Index every published resource from scratch; returns how many."""
    engine = backend()
    with transaction.atomic():
        engine.lock()
        SearchFacet.objects.all().delete()
        engine.clear()
        written = _write(_resources(None), postings_too=False)
        engine.finish_rebuild()
        _changed()
        return written


class FacetMatrix:
    """Which indexed resource has which facet value, as a boolean matrix in memory.

    Rows are (facet, value) pairs, columns resource ids; ``present`` marks the
    indexed (published) resources, ``date_key`` their publication date as
    YYYYMMDD (missing parts are 00) and ``title_words`` their titles' lengths. Filtering, counting and sorting a set of
    matches are then a few vectorised operations. Rebuilt when the index
    version changes; about 70 values x the highest id bytes (7 MB for
    100,000 resources).
    """

    def __init__(self, rows: list[tuple[int, str, str]], dates: list[tuple[int, str, int]]) -> None:
        self.keys = sorted({(facet, value) for _, facet, value in rows})
        self.code = {key: i for i, key in enumerate(self.keys)}
        self.size = max((pk for pk, _, _ in rows), default=0) + 1
        self.matrix = np.zeros((len(self.keys), self.size), dtype=bool)
        self.present = np.zeros(self.size, dtype=bool)
        self.date_key = np.zeros(self.size, dtype=np.int64)
        self.title_words = np.zeros(self.size, dtype=np.int64)
        if rows:
            pks = np.fromiter((pk for pk, _, _ in rows), dtype=np.int64, count=len(rows))
            codes = np.fromiter(
                (self.code[(f, v)] for _, f, v in rows), dtype=np.int64, count=len(rows)
            )
            self.matrix[codes, pks] = True
            self.present[pks] = True
        for pk, published, words in dates:
            if pk < self.size and self.present[pk]:
                self.date_key[pk] = int((published.replace("-", "") + "0000")[:8] or 0)
                self.title_words[pk] = words
        # The same matrix as bits, 64 resources a word: counting a value among many matches
        # is then an AND and a population count per word.
        self.words = -(-self.size // 64)
        padded = np.zeros((len(self.keys), self.words * 64), dtype=bool)
        padded[:, : self.size] = self.matrix
        self.bits = np.packbits(padded, axis=1, bitorder="little").view(np.uint64)

    def select(self, ids: np.ndarray, filters: Mapping[str, Iterable[str]]) -> np.ndarray:
        """Which of ``ids`` are indexed and have every filter value (a boolean mask)."""
        ids = np.where(ids < self.size, ids, 0)  # indexed after this matrix was built
        keep = self.present[ids].copy()
        for facet, values in filters.items():
            for value in values:
                row = self.code.get((facet, value))
                keep &= self.matrix[row, ids] if row is not None else False
        return keep

    def counts(self, ids: np.ndarray) -> dict[tuple[str, str], int]:
        """Value -> how many of ``ids`` have it (values nobody has are left out)."""
        if not len(ids):
            return {}
        if len(ids) * 8 < self.size:  # few matches: read their columns
            sums = self.matrix[:, ids[ids < self.size]].sum(axis=1)
        else:  # many: one pass over the bits
            mask = np.zeros(self.words * 64, dtype=bool)
            mask[ids[ids < self.size]] = True
            packed = np.packbits(mask, bitorder="little").view(np.uint64)
            sums = np.bitwise_count(self.bits & packed).sum(axis=1)
        return {self.keys[i]: int(sums[i]) for i in np.flatnonzero(sums)}


_MATRIX: dict[str, FacetMatrix] = {}


def facet_matrix() -> FacetMatrix:
    current = version()
    if current not in _MATRIX:
        with connection.cursor() as cursor:
            cursor.execute("SELECT resource_id, facet, value FROM hub_searchfacet")
            rows = cursor.fetchall()
            # Words in the title (spaces + 1), for the PostgreSQL title tier's length rule.
            cursor.execute(
                "SELECT id, published, LENGTH(title) - LENGTH(REPLACE(title, ' ', '')) + 1 "
                "FROM hub_resource WHERE status = 'published'"
            )
            dates = cursor.fetchall()
        _MATRIX.clear()
        _MATRIX[current] = FacetMatrix(rows, dates)
    return _MATRIX[current]


def is_stale() -> bool:
    """Cheap check: does the index hold as many documents as there are published resources?"""
    table = FTS_TABLE if connection.vendor == "sqlite" else "hub_searchdocument"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # a constant name
        (indexed,) = cursor.fetchone()
    return indexed != Resource.objects.published().count()


def index_exists() -> bool:
    tables = connection.introspection.table_names()
    needed = FTS_TABLE if connection.vendor == "sqlite" else "hub_searchdocument"
    return "hub_resource" in tables and needed in tables
