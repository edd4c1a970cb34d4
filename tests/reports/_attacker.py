"""An attacker who reads every door of the platform, and the algebra that tells what they learn.

The attacker fetches every page, export and API route a user can read (``fetch_everything``)
and turns each published count (and each sum, ``n x mean``, where a mean is shown) into a
linear equation over the respondents' unknown counts. A group is *worked out* when its
count lies in the row space of those equations (``Model.determined``, a rank test).

Unknowns. A respondent is an atom of (own unit, one category of each field); every figure a
door publishes counts a unit's subtree (or own part) x at most one category of one field.
Such figures span the additive functions of (unit, category of field f), so instead of the
full cross product of fields (thousands of atoms for the demo) the model works in that
space's basis: per unit its total and, per field, its categories but the first (dummy
coding). It is exact for every figure here: each is a sum of those functions.

Over time. Releases of one wave hold nested sets of respondents; the model has one block of
unknowns per interval between releases (the respondents who arrived in it), and a figure of
release r counts intervals 1..r. A group of the respondents of intervals (a, b] is worked
out exactly when its vector over those intervals lies in the row space.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

import numpy as np

from wellbeing.surveys.questions import DEMOGRAPHICS

NOT_ANSWERED = "not_answered"


# --- the model -----------------------------------------------------------------------------


@dataclass
class Model:
    """An organization as the attacker sees it: units (name -> parent name, None at the top),
    the fields and their categories, and how many intervals (releases) there are."""

    org_name: str
    parents: dict[str, str | None]
    fields: dict[str, list[str]]
    intervals: int = 1
    equations: list[tuple[str, int, np.ndarray, int, bool]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.nodes: list[str | None] = [None, *self.parents]  # None: the organization itself
        self.width = 1 + sum(len(c) - 1 for c in self.fields.values())
        self.dim = len(self.nodes) * self.width

    # -- groups as vectors ------------------------------------------------------------------

    def subtree(self, unit: str | None) -> set[str | None]:
        if unit is None:
            return set(self.nodes)
        out, frontier = {unit}, [unit]
        while frontier:
            here = frontier.pop()
            kids = [u for u, p in self.parents.items() if p == here]
            out.update(kids)
            frontier.extend(kids)
        return out

    def vec(self, nodes: set[str | None], field: str | None = None, cat: str | None = None):
        """A group's vector: respondents of ``nodes`` (own parts), with ``cat`` of ``field``."""
        out = np.zeros(self.dim)
        offsets, at = {}, 1
        for name, cats in self.fields.items():
            offsets[name] = at
            at += len(cats) - 1
        for node in nodes:
            base = self.nodes.index(node) * self.width
            if field is None:
                out[base] += 1
                continue
            cats = self.fields[field]
            j = cats.index(cat)
            if j == 0:  # the first category is the total minus the others
                out[base] += 1
                out[base + offsets[field] : base + offsets[field] + len(cats) - 1] -= 1
            else:
                out[base + offsets[field] + j - 1] += 1
        return out

    def unit_of(self, name: str) -> str | None:
        return None if name == self.org_name else name

    # -- equations -------------------------------------------------------------------------

    def add(self, source: str, release: int, vec: np.ndarray, n: int, with_sum: bool) -> None:
        self.equations.append((source, release, vec, n, with_sum))

    def matrix(self, sums: bool = False) -> np.ndarray:
        rows = []
        for _source, release, vec, _n, with_sum in self.equations:
            if sums and not with_sum:
                continue
            row = np.zeros(self.dim * self.intervals)
            for interval in range(release):  # a release counts every interval up to it
                row[interval * self.dim : (interval + 1) * self.dim] = vec
            rows.append(row)
        return np.array(rows) if rows else np.zeros((0, self.dim * self.intervals))

    def over(self, vec: np.ndarray, first: int, last: int) -> np.ndarray:
        """``vec`` over the respondents of intervals first..last (1-based, inclusive)."""
        out = np.zeros(self.dim * self.intervals)
        for interval in range(first - 1, last):
            out[interval * self.dim : (interval + 1) * self.dim] = vec
        return out

    def sources(self) -> Counter:
        return Counter(source.split(" ")[0] for source, *_ in self.equations)


def determined(matrix: np.ndarray, target: np.ndarray) -> bool:
    """True when ``target`` lies in the row space of ``matrix`` (numpy rank test)."""
    if not len(matrix):
        return False
    rank = np.linalg.matrix_rank(matrix)
    return bool(np.linalg.matrix_rank(np.vstack([matrix, target])) == rank)


@dataclass
class Truth:
    """The real respondents, interval by interval: (unit name or None, {field: category})."""

    model: Model
    people: list[list[tuple[str | None, dict[str, str]]]]  # per interval

    def moments(self, interval: int) -> np.ndarray:
        """The counts of the basis groups in one interval (what ``vec`` pairs with)."""
        out = np.zeros(self.model.dim)
        m = self.model
        for unit, answers in self.people[interval - 1]:
            base = m.nodes.index(unit) * m.width
            out[base] += 1
            at = 1
            for name, cats in m.fields.items():
                j = cats.index(answers.get(name, NOT_ANSWERED))
                if j:
                    out[base + at + j - 1] += 1
                at += len(cats) - 1
        return out

    def count(self, vec: np.ndarray, first: int, last: int) -> int:
        return round(float(sum(vec @ self.moments(i) for i in range(first, last + 1))))

    def wrong_equations(self) -> list[str]:
        """Equations whose published count is not the truth: the parse is broken."""
        out = []
        for source, release, vec, n, _ in self.model.equations:
            if self.count(vec, 1, release) != n:
                out.append(f"{source}: published {n}, truth {self.count(vec, 1, release)}")
        return out

    def small_groups(self, k: int):
        """Every group a door could be asked about, over every run of intervals, with
        0 < n < k: (label, vector over the intervals)."""
        m = self.model
        for first in range(1, m.intervals + 1):
            for last in range(first, m.intervals + 1):
                for unit in m.nodes:
                    shapes = {("own", frozenset({unit}))}
                    shapes.add(("subtree", frozenset(m.subtree(unit))))
                    for shape, nodes in shapes:
                        groups = [(None, None)] + [
                            (f, c) for f, cats in m.fields.items() for c in cats
                        ]
                        for field_name, cat in groups:
                            vec = m.vec(set(nodes), field_name, cat)
                            n = self.count(vec, first, last)
                            if 0 < n < k:
                                label = (first, last, shape, unit, field_name, cat, n)
                                yield label, m.over(vec, first, last)


class RowSpace:
    """An orthonormal basis of a matrix's row space (one SVD), to test many targets fast:
    a target lies in the row space when its projection leaves nothing behind."""

    def __init__(self, matrix: np.ndarray) -> None:
        if not len(matrix):
            self.basis = np.zeros((0, matrix.shape[1]))
            return
        _u, singular, vt = np.linalg.svd(matrix, full_matrices=False)
        tol = singular.max(initial=0.0) * max(matrix.shape) * np.finfo(float).eps
        self.basis = vt[singular > tol]

    def holds(self, target: np.ndarray) -> bool:
        rest = target - self.basis.T @ (self.basis @ target)
        return bool(np.abs(rest).max(initial=0.0) < 1e-6 * max(1.0, np.abs(target).max()))


def worked_out(model: Model, truth: Truth, k: int) -> tuple[list, list]:
    """(groups whose count, and groups whose sum of scores, the published figures give)."""
    counts, sums = RowSpace(model.matrix()), RowSpace(model.matrix(sums=True))
    by_count, by_sum = [], []
    for label, vec in truth.small_groups(k):
        if counts.holds(vec):
            by_count.append(label)
        if sums.holds(vec):
            by_sum.append(label)
    return by_count, by_sum


# --- parsing what is published ---------------------------------------------------------------


class Tables(HTMLParser):
    """Every table's caption and rows as [(tag, text), ...]; plus the page's text."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self.text: list[str] = []
        self._cell: list | None = None
        self._row: list | None = None
        self._in_caption = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr":
            self._row = []
        elif tag in ("th", "td") and self._row is not None:
            self._cell = [tag, ""]

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
        elif tag in ("th", "td") and self._cell is not None and self._row is not None:
            self._row.append((self._cell[0], " ".join(self._cell[1].split())))
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            self.tables[-1]["rows"].append(self._row)
            self._row = None

    def handle_data(self, data):
        self.text.append(data)
        if self._in_caption and self.tables:
            self.tables[-1]["caption"] += data
        elif self._cell is not None:
            self._cell[1] += data


def n_of(text: str) -> int | None:
    """The count of a cell reading "61.3 (14)" or "61.3 (14; 95% CI ...)"; None when hidden."""
    found = re.search(r"\((\d+)(?:\)|;)", text)
    return int(found.group(1)) if found else None


def key_of(field_name: str, label: str) -> str:
    if label == "Not answered":
        return NOT_ANSWERED
    for key, text in DEMOGRAPHICS[field_name].choices:
        if str(text) == label:
            return key
    raise AssertionError(f"unknown {field_name} label {label!r}")


def field_of(title: str) -> str:
    """A field's name from a caption's title ("career stage", "careerstage", "role")."""
    flat = title.replace(" ", "").replace("_", "").lower()
    for name in DEMOGRAPHICS:
        if name.replace("_", "") == flat:
            return name
    raise AssertionError(f"unknown field in {title!r}")


@dataclass
class Reader:
    """Turns what one user fetched into equations of ``model`` for release ``release``."""

    model: Model
    release: int
    wave_name: str

    def add(self, source: str, nodes, n: int, with_sum: bool = True, field_name=None, cat=None):
        vec = self.model.vec(set(nodes), field_name, cat)
        self.model.add(source, self.release, vec, n, with_sum)

    def subtree(self, name: str):
        return self.model.subtree(self.model.unit_of(name))

    def page(self, html: str, source: str, unit: str | None = None) -> None:
        """A report page (``unit`` None) or a unit's page."""
        parser = Tables()
        parser.feed(html)
        for table in parser.tables:
            caption, rows = " ".join(table["caption"].split()), table["rows"]
            body = [r for r in rows if r and r[0][0] == "th" and any(t == "td" for t, _ in r)]
            if caption.startswith("Mean by unit ("):
                for row in body:
                    for _, text in row[1:]:
                        if n_of(text) is not None:
                            self.add(source, self.subtree(row[0][1]), n_of(text))
            elif caption.startswith("Results by "):
                name = field_of(caption.removeprefix("Results by "))
                where = self.subtree(unit) if unit else self.model.subtree(None)
                for row in body:
                    for _, text in row[1:]:
                        if n_of(text) is not None:
                            cat = key_of(name, row[0][1])
                            self.add(source, where, n_of(text), True, name, cat)
            elif caption.startswith("Mean by unit and "):
                name = field_of(caption.removeprefix("Mean by unit and ").split(" (")[0])
                for row in body:
                    cat = key_of(name, row[1][1])
                    for _, text in row[2:]:
                        if n_of(text) is not None:
                            self.add(source, self.subtree(row[0][1]), n_of(text), True, name, cat)
            elif caption.startswith("Mean and share beyond the cut-off for "):
                for row in body:
                    cells = [t for _, t in row[1:]]
                    if cells and cells[0].isdigit():
                        self.add(source, self.subtree(unit), int(cells[0]))
            elif caption.startswith("Share beyond each scale's cut-off by wave"):
                for row in body:
                    cells = [t for _, t in row[1:]]  # another wave's row is other people
                    if len(cells) == 4 and cells[0] == self.wave_name and cells[3].isdigit():
                        self.add(source, self._headline_nodes(parser, unit), int(cells[3]))
        text = " ".join(" ".join(parser.text).split())
        for n in re.findall(r"Mean of (\d+),", text):
            self.add(source, self._headline_nodes(parser, unit), int(n))
        total = re.search(r"could be worked out\. (\d+) responses\.", text)
        if total:
            self.add(source, self.model.subtree(None), int(total.group(1)), with_sum=False)
        drivers = re.search(r"among the (\d+) people in (.+?) who answered every measure", text)
        if drivers:
            # Complete answers: everyone in these test worlds answers every measure.
            self.add(source, self.subtree(drivers.group(2)), int(drivers.group(1)), False)

    def _headline_nodes(self, parser: Tables, unit: str | None):
        if unit is not None:
            return self.subtree(unit)
        text = " ".join(" ".join(parser.text).split())
        after = text.split("Headline results: ", 1)[1]
        names = [self.model.org_name, *self.model.parents]
        name = max((n for n in names if after.startswith(n + " ")), key=len)
        return self.subtree(name)

    def aggregates(self, rows: list[dict], source: str) -> None:
        """The CSV and XLSX of allowed figures."""
        for row in rows:
            if row["n"] in ("", None):
                continue
            kind, group = row["group_type"], row["group"]
            with_sum = row["mean"] not in ("", None)
            if kind == "organization":
                self.add(source, self.model.subtree(None), int(row["n"]), with_sum)
            elif kind == "unit":
                self.add(source, self.subtree(group), int(row["n"]), with_sum)
            else:
                self.add(source, self.model.subtree(None), int(row["n"]), with_sum, kind, group)

    def long_rows(self, rows: list[dict], source: str) -> None:
        """The long format (CSV or the API's JSON rows): one equation per group and scale."""
        seen = set()
        for row in rows:
            if row["statistic"] != "mean" or row["n"] in ("", None):
                continue
            kind, group_id, group = row["group_type"], row["group_id"], row["group"]
            key = (kind, group_id, row["scale"])
            if key in seen:
                continue
            seen.add(key)
            with_sum = row["value"] not in ("", None)
            n = int(row["n"])
            if kind == "organization":
                self.add(source, self.model.subtree(None), n, with_sum)
            elif kind == "unit":
                self.add(source, self.subtree(group), n, with_sum)
            else:
                self.add(source, self.model.subtree(None), n, with_sum, kind, group_id)

    def counts(self, rows: list[tuple[str, int | None]], source: str, total: int | None) -> None:
        """Response counts of the wave page or the API: exact ones only (a release's)."""
        for name, n in rows:
            if n is not None:
                self.add(source, self.subtree(name), n, with_sum=False)
        if total is not None:
            self.add(source, self.model.subtree(None), total, with_sum=False)

    def records(self, rows: list[dict], source: str) -> None:
        """The record export: each class of rows, and each empty remainder, is an equation."""
        m = self.model
        labels = {r["unit"] for r in rows}
        region = {}
        for label in labels:
            top = None if label.startswith(m.org_name) else label.split(" / ")[-1]
            region[label] = m.subtree(top)
        for label, nodes in list(region.items()):
            inner = [region[o] for o in labels if o != label and region[o] < nodes]
            region[label] = nodes - set().union(*inner)
        questions = [f for f in m.fields if f in (rows[0] if rows else {})]
        for label, nodes in region.items():
            mine = [r for r in rows if r["unit"] == label]
            self.add(source, nodes, len(mine))
            for name in questions:
                kept = Counter(r[name] for r in mine if r[name] != "(not shown)")
                for text, n in kept.items():
                    self.add(source, nodes, n, True, name, key_of(name, text))


def csv_rows(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode())))
