"""Every published figure of an organization, attacked as one linear system.

A synthetic organization with small units and two demographic fields is built with
the project's actions. Every output an admin or a unit lead can fetch (the report
page under every filter combination, the CSV, the XLSX and the record export) is
parsed; each published count (and each sum, n x mean, where a mean is shown) is an
equation over the atomic cells: unit (own respondents) x role x tenure. A group is
determined by the published figures exactly when its indicator vector lies in the
row space of those equations (rank test with numpy). No group of ``0 < n < k`` may be.
"""

import csv
import io
import itertools
import re
from collections import Counter
from datetime import timedelta
from html.parser import HTMLParser

import numpy as np
import pytest
from django.utils import timezone

from wellbeing.surveys import actions
from wellbeing.surveys.questions import DEMOGRAPHICS

FIELDS = ("role", "tenure")
SUPPRESSED = "(suppressed: fewer than 5)"
# unit (None: no unit), respondents, roles and tenures cycled over them
DATA = [
    ("Cardiology", 3, ["physician", "nurse"], ["1_5", "6_10"]),
    ("Oncology", 8, ["nurse", "physician", "nurse"], ["1_5", "6_10", "lt1"]),
    ("Surgery", 7, ["physician", "nurse"], ["6_10", "1_5"]),
    ("Theatres", 6, ["nurse", "physician"], ["1_5", "6_10"]),
    ("Recovery", 2, ["nurse"], ["1_5"]),
    (None, 6, ["nurse", "physician", "pharmacist"], ["1_5", "11_20"]),
]
TREE = {"Medicine": None, "Cardiology": "Medicine", "Oncology": "Medicine", "Surgery": None}
TREE |= {"Theatres": "Surgery", "Recovery": "Theatres"}


@pytest.fixture
def world(db, answers):
    from wellbeing.accounts import actions as accounts
    from wellbeing.accounts.models import User

    org = accounts.create_organization(
        name="Synthetic Attack Health", kind="health_system", slug="synthetic-attack"
    )
    units = {}
    for name, parent in TREE.items():
        units[name] = accounts.add_unit(organization=org, name=name, parent=units.get(parent))
    admin = User.objects.create_user("admin@attack.test", "a-long-test-password")
    lead = User.objects.create_user("lead@attack.test", "a-long-test-password")
    accounts.add_member(organization=org, user=admin, role="org_admin")
    accounts.add_member(organization=org, user=lead, role="unit_lead", unit=units["Surgery"])
    survey = actions.create_survey(
        organization=org,
        name="Synthetic pulse",
        instruments=["single-item-burnout", "who5"],
        demographics=list(FIELDS),
        actor=admin,
    )
    now = timezone.now()
    wave = actions.create_wave(
        survey=survey, name="Wave 1", opens_at=now - timedelta(days=1), closes_at=now, actor=admin
    )
    rows, people = [], []
    for name, n, roles, tenures in DATA:
        for i in range(n):
            person = (name, roles[i % len(roles)], tenures[i % len(tenures)])
            people.append(person)
            rows.append(
                actions.ImportedResponse(
                    key=f"attack-{len(rows)}",
                    unit=units[name] if name else None,
                    answers=answers(burnout=1 + len(rows) % 5, who5=(len(rows) % 6,) * 5),
                    demographics={"role": person[1], "tenure": person[2]},
                )
            )
    actions.import_responses(wave=wave, rows=rows)
    return {"org": org, "wave": wave, "admin": admin, "lead": lead, "people": people}


# --- The attacker's model of the organization: atomic cells and groups ------------------------

UNITS = [None, *TREE]  # None: respondents attached to the organization itself
ROLES = sorted({r for _, _, roles, _ in DATA for r in roles})
TENURES = sorted({t for _, _, _, tenures in DATA for t in tenures})
CELLS = list(itertools.product(UNITS, ROLES, TENURES))


def subtree(unit):
    if unit is None:
        return set(UNITS)
    out, frontier = {unit}, [unit]
    while frontier:
        here = frontier.pop()
        kids = [u for u, p in TREE.items() if p == here]
        out.update(kids)
        frontier.extend(kids)
    return out


def vector(units, roles=None, tenures=None):
    roles, tenures = set(roles or ROLES), set(tenures or TENURES)
    return np.array(
        [float(u in units and r in roles and t in tenures) for u, r, t in CELLS], dtype=float
    )


def truth(people):
    count = Counter(people)
    return np.array([count[cell] for cell in CELLS], dtype=float)


def key_of(field, label):
    if label == "Not answered":
        return "not_answered"
    for key, text in DEMOGRAPHICS[field].choices:
        if str(text) == label:
            return key
    raise AssertionError(f"unknown {field} label {label!r}")


def group_for(unit, field=None, category=None):
    """Atomic cells of a published figure: a unit's subtree, optionally x one category."""
    units = subtree(unit)
    if field == "role":
        return vector(units, roles=[category])
    if field == "tenure":
        return vector(units, tenures=[category])
    return vector(units)


# --- Parsing what is published -----------------------------------------------------------------


class Tables(HTMLParser):
    """Every table's caption and rows as [(tag, text), ...]; plus the page's headline counts."""

    def __init__(self):
        super().__init__()
        self.tables, self.text, self._cell, self._row, self._in_caption = [], [], None, None, False

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
        elif tag in ("th", "td") and self._cell is not None:
            self._row.append((self._cell[0], " ".join(self._cell[1].split())))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1]["rows"].append(self._row)
            self._row = None

    def handle_data(self, data):
        self.text.append(data)
        if self._in_caption:
            self.tables[-1]["caption"] += data
        elif self._cell is not None:
            self._cell[1] += data


def n_of(text):
    """The count of a cell reading "61.3 (14)"; None for hidden or absent cells."""
    found = re.search(r"\((\d+)\)$", text)
    return int(found.group(1)) if found else None


class System:
    """Published counts and sums as equations over the atomic cells."""

    def __init__(self, org_name):
        self.org_name = org_name
        self.counts, self.sums, self.labels = [], [], []
        self.sources = Counter()

    def unit(self, name):
        return None if name == self.org_name else name

    def add(self, source, vec, n, with_mean=True):
        self.counts.append((vec, n))
        self.labels.append(source)
        if with_mean:  # a mean shown with its count publishes the sum n x mean
            self.sums.append(vec)
        self.sources[source] += 1

    def page(self, html, source):
        parser = Tables()
        parser.feed(html)
        for table in parser.tables:
            caption, rows = table["caption"], table["rows"]
            body = [r for r in rows if r and r[0][0] == "th" and any(t == "td" for t, _ in r)]
            if caption.startswith("Mean by unit ("):
                for row in body:
                    for _, text in row[1:]:
                        if n_of(text) is not None:
                            self.add(source, group_for(row[0][1]), n_of(text))
            elif caption.startswith("Results by "):
                field = caption.removeprefix("Results by ").strip()
                for row in body:
                    for _, text in row[1:]:
                        if n_of(text) is not None:
                            cat = key_of(field, row[0][1])
                            self.add(source, group_for(None, field, cat), n_of(text))
            elif caption.startswith("Mean by unit and "):
                field = caption.removeprefix("Mean by unit and ").split(" ")[0]
                for row in body:
                    unit, cat = self.unit(row[0][1]), key_of(field, row[1][1])
                    for _, text in row[2:]:
                        if n_of(text) is not None:
                            self.add(source, group_for(unit, field, cat), n_of(text))
        text = " ".join(" ".join(parser.text).split())
        after = text.split("Headline results: ", 1)[1]
        name = next(n for n in (self.org_name, *TREE) if after.startswith(n + " "))
        for n in re.findall(r"Mean of (\d+),", text):
            self.add(source, group_for(self.unit(name)), int(n))
        total = re.search(r"could be worked out\. (\d+) responses\.", text)
        if total:
            self.add(source, vector(set(UNITS)), int(total.group(1)), with_mean=False)

    def aggregates(self, rows, source):
        for row in rows:
            if row["n"] in ("", None):
                continue
            kind, group = row["group_type"], row["group"]
            if kind == "organization":
                vec = vector(set(UNITS))
            elif kind == "unit":
                vec = group_for(group)
            else:
                vec = group_for(None, kind, group)
            self.add(source, vec, int(row["n"]), with_mean=row["mean"] not in ("", None))

    def records(self, rows, source):
        """The record export: each class of rows is an equation; so is every empty remainder."""
        anchors = {r["unit"] for r in rows}
        region_of = {}
        for label in anchors:
            top = None if label.startswith(self.org_name) else label.split(" / ")[-1]
            region_of[label] = subtree(top)
        for label, units in region_of.items():
            inner = [region_of[o] for o in anchors if o != label and region_of[o] < units]
            region_of[label] = units - set().union(*inner)
        for label, units in region_of.items():
            mine = [r for r in rows if r["unit"] == label]
            self._nest(source, mine, units, ROLES, TENURES, list(FIELDS))

    def _nest(self, source, rows, units, roles, tenures, fields):
        if not fields:
            self.add(source, vector(units, roles, tenures), len(rows))
            return
        field, rest = fields[0], fields[1:]
        universe = roles if field == "role" else tenures
        kept = {key_of(field, r[field]) for r in rows if r[field] != SUPPRESSED}
        for value in sorted(kept):
            part = [r for r in rows if r[field] != SUPPRESSED and key_of(field, r[field]) == value]
            self._narrow(source, part, units, roles, tenures, field, [value], rest)
        bucket = [r for r in rows if r[field] == SUPPRESSED]
        others = [v for v in universe if v not in kept]
        self._narrow(source, bucket, units, roles, tenures, field, others, rest)

    def _narrow(self, source, rows, units, roles, tenures, field, values, rest):
        if not values:
            return
        if field == "role":
            self._nest(source, rows, units, values, tenures, rest)
        else:
            self._nest(source, rows, units, roles, values, rest)

    def matrices(self):
        a = np.array([v for v, _ in self.counts])
        b = np.array([n for _, n in self.counts], dtype=float)
        return a, b, np.array(self.sums)


def determined(matrix, target):
    """True when ``target`` lies in the row space of ``matrix`` (numpy rank test)."""
    rank = np.linalg.matrix_rank(matrix)
    return np.linalg.matrix_rank(np.vstack([matrix, target])) == rank


def protected_groups(people, k):
    """Every group a report could be asked about: (subtree or own part) x (role?) x (tenure?)."""
    x = truth(people)
    groups = {}
    for unit in UNITS:
        for units in ({unit}, subtree(unit)):
            for role in (None, *ROLES):
                for tenure in (None, *TENURES):
                    vec = vector(units, [role] if role else None, [tenure] if tenure else None)
                    n = int(vec @ x)
                    if 0 < n < k:
                        groups[(unit, len(units), role, tenure)] = vec
    return groups


# --- Fetching everything ------------------------------------------------------------------------


def fetch_everything(client, world, user, system):
    org, wave = world["org"], world["wave"]
    base = f"/measure/{org.slug}/waves/{wave.pk}"
    client.force_login(user)
    first = client.get(f"{base}/report/")
    assert first.status_code == 200
    unit_ids = [""] + [str(row.unit.pk) for row in first.context["rows"]]
    for unit, by in itertools.product(unit_ids, ("", *FIELDS)):
        page = client.get(f"{base}/report/", {"unit": unit, "by": by})
        assert page.status_code == 200, (unit, by)
        system.page(page.content.decode(), f"page unit={unit or 'all'} by={by or 'none'}")
    rows = list(csv.DictReader(io.StringIO(client.get(f"{base}/report.csv").content.decode())))
    system.aggregates(rows, "csv")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(client.get(f"{base}/report.xlsx").content)).active
    values = list(sheet.iter_rows(values_only=True))
    system.aggregates([dict(zip(values[0], r, strict=True)) for r in values[1:]], "xlsx")
    export = client.post(f"{base}/export/", {"format": "csv", "confirm": "on"})
    if user == world["admin"]:
        assert export.status_code == 200
        rows = list(csv.DictReader(io.StringIO(export.content.decode())))
        system.records(rows, "record export")
    else:
        assert export.status_code == 404


@pytest.fixture
def published(client, world):
    system = System(world["org"].name)
    for user in (world["admin"], world["lead"]):
        fetch_everything(client, world, user, system)
    return system


def test_no_group_below_the_minimum_size_is_determined_by_every_output_together(world, published):
    # One fetch of everything (it takes a while), three checks.
    a, b, sums = published.matrices()
    # 1. The parse is right: every published count equals the count of its atomic cells.
    wrong = [published.labels[i] for i in np.flatnonzero(a @ truth(world["people"]) != b)]
    assert wrong == []
    assert published.sources["record export"] > 0 and published.sources["csv"] > 0
    assert any(s.startswith("page unit=") and "by=role" in s for s in published.sources)
    # 2. No small group's count, nor its sum of scores, follows from the published figures.
    k = world["org"].effective_min_group_size
    groups = protected_groups(world["people"], k)
    assert len(groups) > 20  # the organization really has many small groups to protect
    assert [g for g, vec in groups.items() if determined(a, vec)] == []
    assert [g for g, vec in groups.items() if determined(sums, vec)] == []
    # 3. The test is not blind: one more small figure (the 2 in Recovery) would be found,
    # directly or by subtraction (Theatres without Recovery, beside Theatres' total).
    recovery, theatres = vector(subtree("Recovery")), vector(subtree("Theatres"))
    assert determined(np.vstack([a, recovery]), recovery)
    assert determined(a, theatres)
    assert determined(np.vstack([a, theatres - recovery]), recovery)


def test_a_unit_lead_sees_only_their_subtree_under_every_filter(client, world):
    org, wave = world["org"], world["wave"]
    base = f"/measure/{org.slug}/waves/{wave.pk}"
    client.force_login(world["lead"])
    for by in ("", *FIELDS):
        html = client.get(f"{base}/report/", {"by": by}).content.decode()
        for name in ("Medicine", "Cardiology", "Oncology"):
            assert name not in html, (by, name)
    medicine = next(u for u in org.units.all() if u.name == "Medicine")
    assert client.get(f"{base}/report/", {"unit": medicine.pk}).status_code == 404


def test_bad_filters_get_a_clear_error(client, world):
    org, wave = world["org"], world["wave"]
    base = f"/measure/{org.slug}/waves/{wave.pk}"
    client.force_login(world["admin"])
    response = client.get(f"{base}/report/", {"by": "salary"})
    assert response.status_code == 400
    assert "Break down by: expected one of role, tenure" in response.content.decode()
    response = client.get(f"{base}/report/", {"unit": "ten"})
    assert response.status_code == 400
    assert "Unit: expected a unit of this organization" in response.content.decode()


def test_an_outsider_gets_nothing_from_any_output(client, world, outsider):
    org, wave = world["org"], world["wave"]
    base = f"/measure/{org.slug}/waves/{wave.pk}"
    client.force_login(outsider)
    for url in (f"{base}/report/", f"{base}/report.csv", f"{base}/report.xlsx", f"{base}/export/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"{base}/export/", {"format": "csv", "confirm": "on"}).status_code == 404
    # Nor through their own organization's address with this wave's number.
    assert (
        client.get(
            f"/measure/{outsider.memberships.first().organization.slug}/waves/{wave.pk}/report/"
        ).status_code
        == 404
    )
