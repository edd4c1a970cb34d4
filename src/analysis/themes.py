"""Group open-ended answers into themes, offline (no Django, no network).

TF-IDF over words and word pairs, reduced with latent semantic analysis,
clustered with k-means; ``k`` is chosen by the silhouette score unless the
caller fixes it. Everything is seeded, so the same answers always give the
same themes. Each theme is labelled by the terms that weigh most in it (staff
rename them) and carries the answers nearest its centre as representative
quotes.

``deidentify`` removes what patterns can find (email addresses, phone numbers,
names after a title or "my name is"); it cannot find every name, so quotes are
still read by staff before they are published.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize

__all__ = ["Theme", "ThemeResult", "deidentify", "group_themes"]

# Below this many answers clustering finds noise, not themes: one group is returned.
MIN_ANSWERS = 6
MAX_K = 10


@dataclass(frozen=True)
class Theme:
    """One group of answers: ``members`` and ``quotes`` index into the input texts."""

    label: str
    terms: tuple[str, ...]
    members: tuple[int, ...]
    quotes: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.members)


@dataclass(frozen=True)
class ThemeResult:
    themes: tuple[Theme, ...]
    assignments: tuple[int, ...]  # theme index per input text
    silhouette: float | None  # of the chosen k; None when k was not searched


def group_themes(
    texts: Sequence[str],
    *,
    k: int | None = None,
    max_k: int = MAX_K,
    n_terms: int = 3,
    n_quotes: int = 3,
    random_state: int = 0,
) -> ThemeResult:
    """Group ``texts`` into themes, largest first."""
    _check_args(texts, k, max_k, n_terms, n_quotes)
    if len(texts) < MIN_ANSWERS or k == 1:
        return _one_theme(texts, n_quotes)
    tfidf, terms = _tfidf(texts)
    if tfidf.shape[1] < 2:
        return _one_theme(texts, n_quotes)
    points = _lsa(tfidf, random_state)
    # Identical answers are one point: asking k-means for more clusters than distinct
    # points returns empty clusters (and a warning).
    distinct = len(np.unique(points.round(9), axis=0))
    if distinct < 2:
        return _one_theme(texts, n_quotes)
    limit = min(max_k, len(texts) - 1, distinct)
    if k is not None:
        labels, score = _kmeans(points, min(k, limit), random_state), None
    else:
        labels, score = _best_k(points, limit, random_state)
    return _result(texts, tfidf, terms, points, labels, score, n_terms, n_quotes)


def _check_args(
    texts: Sequence[str], k: int | None, max_k: int, n_terms: int, n_quotes: int
) -> None:
    if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
        raise TypeError("texts: expected a sequence of strings")
    if k is not None and (isinstance(k, bool) or not isinstance(k, int) or k < 1):
        raise ValueError(f"k: expected a positive integer or None, got {k!r}")
    if max_k < 2:
        raise ValueError(f"max_k: expected at least 2, got {max_k!r}")
    if n_terms < 1 or n_quotes < 0:
        raise ValueError(f"n_terms/n_quotes: expected >= 1 and >= 0, got {n_terms}, {n_quotes}")


def _one_theme(texts: Sequence[str], n_quotes: int) -> ThemeResult:
    members = tuple(range(len(texts)))
    theme = Theme(label="All answers", terms=(), members=members, quotes=members[:n_quotes])
    return ThemeResult(
        themes=(theme,) if texts else (), assignments=(0,) * len(texts), silhouette=None
    )


def _tfidf(texts: Sequence[str]) -> tuple[NDArray[np.float64], NDArray[np.str_]]:
    # min_df=2 drops words used once (often names or typos); english stop words
    # keep "the", "and" out of labels.
    vectorizer = TfidfVectorizer(
        stop_words="english", ngram_range=(1, 2), min_df=2, sublinear_tf=True
    )
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # every word is a stop word or appears once
        return np.zeros((len(texts), 0)), np.array([], dtype=str)
    return matrix.toarray(), np.asarray(vectorizer.get_feature_names_out(), dtype=str)


def _lsa(tfidf: NDArray[np.float64], random_state: int) -> NDArray[np.float64]:
    components = min(50, tfidf.shape[1] - 1, tfidf.shape[0] - 1)
    reduced = TruncatedSVD(n_components=components, random_state=random_state).fit_transform(tfidf)
    result: NDArray[np.float64] = normalize(reduced)
    return result


def _kmeans(points: NDArray[np.float64], k: int, random_state: int) -> NDArray[np.int_]:
    model = KMeans(n_clusters=k, n_init=10, random_state=random_state)
    labels: NDArray[np.int_] = model.fit_predict(points)
    return labels


def _best_k(
    points: NDArray[np.float64], limit: int, random_state: int
) -> tuple[NDArray[np.int_], float]:
    best: tuple[NDArray[np.int_], float] | None = None
    for k in range(2, limit + 1):
        labels = _kmeans(points, k, random_state)
        if not 2 <= len(set(labels.tolist())) < len(points):
            continue
        score = float(silhouette_score(points, labels, metric="cosine"))
        if best is None or score > best[1] + 1e-9:
            best = (labels, score)
    if best is None:
        return np.zeros(len(points), dtype=int), 0.0
    return best


def _result(
    texts: Sequence[str],
    tfidf: NDArray[np.float64],
    terms: NDArray[np.str_],
    points: NDArray[np.float64],
    labels: NDArray[np.int_],
    score: float | None,
    n_terms: int,
    n_quotes: int,
) -> ThemeResult:
    clusters = sorted(set(labels.tolist()), key=lambda c: (-int((labels == c).sum()), c))
    themes = []
    for cluster in clusters:
        members = np.flatnonzero(labels == cluster)
        weights = tfidf[members].mean(axis=0)
        ranked = [int(i) for i in np.argsort(-weights, kind="stable") if weights[i] > 0]
        top = _distinct_terms([str(terms[i]) for i in ranked[: n_terms * 4]], n_terms)
        centre = points[members].mean(axis=0)
        ordered = members[np.argsort(-(points[members] @ centre), kind="stable")]
        nearest = _distinct_texts(texts, [int(m) for m in ordered], n_quotes)
        themes.append(
            Theme(
                label=", ".join(top) or "Other answers",
                terms=top,
                members=tuple(int(m) for m in members),
                quotes=nearest,
            )
        )
    index = {cluster: i for i, cluster in enumerate(clusters)}
    return ThemeResult(
        themes=tuple(themes),
        assignments=tuple(index[int(c)] for c in labels.tolist()),
        silhouette=score,
    )


def _distinct_terms(candidates: list[str], n: int) -> tuple[str, ...]:
    """The first ``n`` terms that share no word with a term already chosen ("staff", "short staff")."""
    chosen: list[str] = []
    used: set[str] = set()
    for term in candidates:
        words = set(term.split())
        if words & used:
            continue
        chosen.append(term)
        used |= words
        if len(chosen) == n:
            break
    return tuple(chosen)


def _distinct_texts(texts: Sequence[str], ordered: list[int], n: int) -> tuple[int, ...]:
    """The first ``n`` answers in ``ordered`` with different wording (repeated answers quote once)."""
    seen: set[str] = set()
    picked: list[int] = []
    for i in ordered:
        key = " ".join(texts[i].lower().split())
        if key in seen:
            continue
        seen.add(key)
        picked.append(i)
        if len(picked) == n:
            break
    return tuple(picked)


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\w)(\+?1[\s.-]?)?(\(\d{3}\)|\d{3})[\s.-]?\d{3}[\s.-]?\d{4}(?!\w)")
_TITLED = re.compile(
    r"\b(Dr|Mr|Mrs|Ms|Mx|Nurse|Doctor|Prof|Professor)\.?\s+[A-Z][\w'-]+(\s+[A-Z][\w'-]+)?"
)
_NAMED = re.compile(r"\b([Mm]y name is|I am called|[Ss]igned)\s+[A-Z][\w'-]+(\s+[A-Z][\w'-]+)?")


def deidentify(text: str) -> str:
    """Replace email addresses, phone numbers and titled or introduced names with placeholders."""
    if not isinstance(text, str):
        raise TypeError(f"text: expected a string, got {type(text).__name__}")
    text = _EMAIL.sub("[email removed]", text)
    text = _PHONE.sub("[phone removed]", text)
    text = _TITLED.sub("[name removed]", text)
    return _NAMED.sub(lambda m: f"{m.group(1)} [name removed]", text)
