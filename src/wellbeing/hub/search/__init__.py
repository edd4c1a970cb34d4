"""Faceted full-text search of published resources: one interface, two backends.

>>> results = search("peer support", {"profession": ["nurse"]}, sort="relevance", page=1)
>>> results.total, [hit.resource.title for hit in results.hits], results.facets[0].values

Filters combine with AND, within a facet too (a resource for nurses *and*
physicians), so each facet count is exactly the number of results the page
would show with that value added. The database does the full-text part (the
matching ids, then the page's ranks); filters, counts and the date order run
in memory on ``indexing.FacetMatrix`` (see ``_run`` for why).
"""

import difflib
import html
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.core.cache import cache
from django.db import connection
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wellbeing.core import pagecache
from wellbeing.hub import taxonomy
from wellbeing.hub.models import Resource
from wellbeing.hub.search import indexing
from wellbeing.hub.search.backends import HIT_END, HIT_START, backend
from wellbeing.hub.search.query import ParsedQuery, parse_query
from wellbeing.plan.models import ModelElement, PriorityArea

__all__ = ["PER_PAGE", "SORTS", "FacetGroup", "FacetValue", "Hit", "SearchResults", "search"]

PER_PAGE = 20
SORTS = {"relevance": gettext_lazy("Relevance"), "date": gettext_lazy("Newest first")}
MAX_VALUES_PER_FACET = 10
LABELS_KEY = "hub:facet-labels"
LABELS_SECONDS = 300
CARD_COLUMNS = ("slug", "title", "kind", "summary", "published", "publisher", "authors", "status")


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class FacetGroup:
    name: str
    label: str
    values: tuple[FacetValue, ...]


@dataclass(frozen=True)
class Hit:
    resource: Resource
    snippet: SafeString
    rank: float


@dataclass(frozen=True)
class SearchResults:
    query: ParsedQuery
    filters: dict[str, tuple[str, ...]]
    sort: str
    page: int
    total: int
    hits: tuple[Hit, ...]
    facets: tuple[FacetGroup, ...]
    suggestion: str = ""
    notices: tuple[str, ...] = field(default=())

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PER_PAGE))


def search(
    query: str = "",
    facets: Mapping[str, Sequence[str]] | None = None,
    sort: str = "relevance",
    page: int = 1,
) -> SearchResults:
    """Published resources matching ``query`` and every facet value, one page of them.

    Bad input is reported, not raised: unknown facets or values, an unknown
    sort or a page out of range come back as ``notices`` with the input
    corrected, so a hand-edited URL still gets a page.
    """
    parsed = parse_query(query)
    notices = list(parsed.notices)
    labels = _labels()
    filters = _clean_filters(facets or {}, labels, notices)
    if sort not in SORTS:
        notices.append(
            _("Unknown sort order “%(sort)s”: sorted by relevance instead.") % {"sort": sort[:40]}
        )
        sort = "relevance"
    if not parsed:
        sort = "date"
    page = page if isinstance(page, int) and page >= 1 else 1
    total, counts, rows = _run(parsed, filters, sort, page)
    hits = _hits(parsed, rows)
    groups = _groups(counts, filters, labels)
    suggestion = _suggest(parsed) if parsed and total == 0 else ""
    return SearchResults(
        parsed, filters, sort, page, total, hits, groups, suggestion, tuple(notices)
    )


def _labels() -> dict[str, dict[str, str]]:
    """Value -> label for every facet; the Plan's rows are cached per version of the Plan, so a
    renamed priority area shows in the next search (as on the Plan's own pages)."""
    labels = {name: dict(choices.choices) for name, choices in taxonomy.ENUM_FACETS.items()}
    plan = pagecache.generation("plan")
    plan_labels: dict[str, dict[str, str]] | None = None
    if plan is not None:
        plan_labels = cache.get_or_set(f"{LABELS_KEY}:{plan}", _plan_labels, LABELS_SECONDS)
    return labels | (plan_labels or _plan_labels())


def _plan_labels() -> dict[str, dict[str, str]]:
    labels = {}
    labels["priority_area"] = {
        a.slug: f"{a.number}. {a.title}"
        for a in PriorityArea.objects.only("slug", "number", "title")
    }
    labels["factor"] = {
        e.slug: e.name
        for e in ModelElement.objects.exclude(kind=ModelElement.Kind.OUTCOME).only("slug", "name")
    }
    return labels


def _clean_filters(
    facets: Mapping[str, Sequence[str]], labels: dict[str, dict[str, str]], notices: list[str]
) -> dict[str, tuple[str, ...]]:
    clean: dict[str, tuple[str, ...]] = {}
    for name, values in facets.items():
        if name not in taxonomy.FACETS:
            notices.append(_("Unknown filter “%(name)s” was ignored.") % {"name": name[:40]})
            continue
        known = [v for v in dict.fromkeys(values) if v in labels[name]]
        if len(known) < len(set(values)):
            notices.append(
                _("An unknown value of the filter “%(facet)s” was ignored.")
                % {"facet": taxonomy.FACETS[name]}
            )
        if len(known) > MAX_VALUES_PER_FACET:
            notices.append(
                _("Only %(n)s values per filter are used.") % {"n": MAX_VALUES_PER_FACET}
            )
            known = known[:MAX_VALUES_PER_FACET]
        if known:
            clean[name] = tuple(known)
    return clean


def _run(
    parsed: ParsedQuery, filters: dict[str, tuple[str, ...]], sort: str, page: int
) -> tuple[int, dict[tuple[str, str], int], list[tuple[Resource, float]]]:
    """Total, facet counts and the page's (resource, rank).

    The database answers the full-text part: which ids match (no scoring;
    kept per term on PostgreSQL), then the ranks of the page only (see each
    backend's ``ranked_page``). Filters, counts and the date order run on ``FacetMatrix`` in memory:
    done in SQL, a GROUP BY over the facet rows of every match cost ten times
    the full-text query itself on 100,000 resources, and scoring every match
    before filtering costs as much as the whole raw query.
    """
    matrix = indexing.facet_matrix()
    engine, version = backend(), indexing.version()
    ids = engine.matching_ids(parsed, version) if parsed else np.flatnonzero(matrix.present)
    ids = ids[matrix.select(ids, filters)]
    start = (page - 1) * PER_PAGE
    if not len(ids):
        ranked: list[tuple[int, float]] = []
    elif parsed and sort == "relevance":
        ranked = engine.ranked_page(
            parsed,
            ids,
            start,
            PER_PAGE,
            matrix.date_key,
            matrix.title_words,
            version,
        )
    else:
        order = np.lexsort((-ids, -matrix.date_key[ids]))[start : start + PER_PAGE]
        ranked = [(int(pk), 0.0) for pk in ids[order]]
    cards = _cards([pk for pk, _ in ranked])
    rows = [(cards[pk], rank) for pk, rank in ranked if pk in cards]
    return len(ids), matrix.counts(ids), rows


def _cards(ids: list[int]) -> dict[int, Resource]:
    """The page's resources with only what a result card shows."""
    if not ids:
        return {}
    columns = ", ".join(CARD_COLUMNS)
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {columns} FROM hub_resource WHERE id IN ({marks})", ids)
        return {
            pk: Resource(id=pk, **dict(zip(CARD_COLUMNS, card, strict=True)))
            for pk, *card in cursor.fetchall()
        }


def _hits(parsed: ParsedQuery, rows: list[tuple[Resource, float]]) -> tuple[Hit, ...]:
    snippets = backend().snippets(parsed, [r.pk for r, _ in rows]) if parsed else {}
    return tuple(
        Hit(resource, highlight(snippets.get(resource.pk) or resource.summary), rank)
        for resource, rank in rows
    )


def highlight(text: str) -> SafeString:
    """Escape the text, then mark the hits the backend delimited."""
    escaped = html.escape(text.replace(HIT_START + HIT_END, ""))
    return mark_safe(escaped.replace(HIT_START, "<mark>").replace(HIT_END, "</mark>"))  # noqa: S308  # escaped above


def _groups(
    counts: dict[tuple[str, str], int],
    filters: dict[str, tuple[str, ...]],
    labels: dict[str, dict[str, str]],
) -> tuple[FacetGroup, ...]:
    by_facet: dict[str, dict[str, int]] = defaultdict(dict)
    for (facet, value), number in counts.items():
        by_facet[facet][value] = number
    groups = []
    for name, label in taxonomy.FACETS.items():
        selected = set(filters.get(name, ()))
        values = [
            FacetValue(value, text, by_facet[name].get(value, 0), value in selected)
            for value, text in labels[name].items()
            if by_facet[name].get(value) or value in selected
        ]
        groups.append(FacetGroup(name, label, tuple(values)))
    return tuple(groups)


_VOCABULARY: dict[str, tuple[set[str], dict[tuple[str, int], list[str]]]] = {}
_WORD = re.compile(r"[^\W\d_]{3,}")


def _vocabulary() -> tuple[set[str], dict[tuple[str, int], list[str]]]:
    """Words of published titles and summaries, rebuilt when the index changes.

    Also bucketed by first letter and length, so a suggestion compares a word
    with a few hundred candidates rather than the whole vocabulary.
    """
    version = indexing.version()
    if version not in _VOCABULARY:
        words: set[str] = set()
        rows = Resource.objects.published().values_list("title", "summary")
        for title, summary in rows.iterator(chunk_size=5_000):
            words.update(w.lower() for w in _WORD.findall(f"{title} {summary}"))
        buckets: dict[tuple[str, int], list[str]] = defaultdict(list)
        for word in words:
            buckets[(word[0], len(word))].append(word)
        _VOCABULARY.clear()
        _VOCABULARY[version] = (words, dict(buckets))
    return _VOCABULARY[version]


def _suggest(parsed: ParsedQuery) -> str:
    """'Did you mean': each unknown word replaced by its closest known word, if any."""
    words, buckets = _vocabulary()
    changed = False
    out = []
    for word in parsed.words:
        # Short words are left alone: "or" must not become "for".
        if len(word) < 4 or word in words:
            out.append(word)
            continue
        nearby = [w for n in (-1, 0, 1) for w in buckets.get((word[0], len(word) + n), ())]
        close = difflib.get_close_matches(word, nearby, n=1, cutoff=0.75)
        out.append(close[0] if close else word)
        changed = changed or bool(close)
    if not changed:
        return ""
    phrases = [f'"{" ".join(p)}"' for p in parsed.phrases]
    return " ".join([*phrases, *out])
