"""Confidentiality attacked: every door, across pages, over time and against inserted data.

The attacker (``_attacker``) reads every page, export and API route an organization admin
or a unit lead can read: the report under every filter, every unit's page, the CSV, XLSX
and long-format files, the wave page's counts, the API's report, counts and survey export,
the key drivers' text and the record export. Each published count (and sum) is an
equation; no group below the minimum size may follow from all of them together, within one
release or across releases of the same wave (the respondents who arrived between two views).
Padding a small unit with imported rows is refused outright
(tests/surveys/test_surveys_import.py plays that attack on every import path).
"""

import io
from datetime import timedelta

import pytest
from _attacker import Model, Reader, Truth, csv_rows, worked_out
from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wellbeing.reports import door
from wellbeing.surveys import actions
from wellbeing.surveys.models import Response
from wellbeing.surveys.questions import DEMOGRAPHICS

K = 5


# --- fetching everything --------------------------------------------------------------------


def fetch_everything(client, reader: Reader, wave, user, *, token=None) -> dict:
    """Read every door ``user`` has to ``wave``; add what they publish to ``reader``'s model.
    Returns the raw bodies, so a second fetch can be compared with the first."""
    org = wave.survey.organization
    base = f"/measure/{org.slug}/waves/{wave.pk}"
    client.force_login(user)
    bodies = {}
    first = client.get(f"{base}/report/")
    assert first.status_code == 200
    if first.context.get("report") is None:
        return bodies
    rows = first.context["rows"]
    fields = list(first.context["report"].categories)
    for unit, by in [("", ""), *(("", f) for f in fields), *((r.unit.pk, "") for r in rows)]:
        page = client.get(f"{base}/report/", {"unit": unit, "by": by})
        assert page.status_code == 200, (unit, by)
        html = page.content.decode()
        bodies[f"page unit={unit} by={by}"] = html
        reader.page(html, f"page unit={unit or 'all'} by={by or 'none'}")
    for row in rows:
        page = client.get(f"{base}/report/units/{row.unit.pk}/")
        assert page.status_code == 200
        bodies[f"unit {row.unit.pk}"] = page.content.decode()
        reader.page(page.content.decode(), f"unit-page {row.unit.name}", unit=row.unit.name)
    for suffix, parse in (("report.csv", reader.aggregates), ("report-long.csv", reader.long_rows)):
        body = client.get(f"{base}/{suffix}").content
        bodies[suffix] = body
        parse(csv_rows(body), suffix)
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(client.get(f"{base}/report.xlsx").content)).active
    values = list(sheet.iter_rows(values_only=True))
    reader.aggregates([dict(zip(values[0], r, strict=True)) for r in values[1:]], "xlsx")
    counts = client.get(f"{base}/").context["counts"]
    if not counts.live:
        reader.counts(
            [(r.unit.name, r.value) for r in counts.rows],
            "wave-page",
            counts.total.value if counts.total else None,
        )
    if token is not None:
        _fetch_api(client, reader, wave, token, bodies)
    export = client.post(f"{base}/export/", {"format": "csv", "confirm": "on"})
    if export.status_code == 200:
        bodies["records"] = "sorted"  # its rows come in a new random order every time
        reader.records(csv_rows(export.content), "records")
    return bodies


def _fetch_api(client, reader: Reader, wave, token: str, bodies: dict) -> None:
    org = wave.survey.organization
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    api = f"/api/v1/orgs/{org.slug}"
    report = client.get(f"{api}/waves/{wave.pk}/report", **headers).json()
    bodies["api report"] = report
    rows = [{k: ("" if v is None else v) for k, v in r.items()} for r in report["rows"]]
    reader.long_rows(rows, "api-report")
    counts = client.get(f"{api}/waves/{wave.pk}/counts", **headers).json()
    bodies["api counts"] = counts
    if not counts["live"]:
        reader.counts([(u["unit"], u["n"]) for u in counts["units"]], "api-counts", counts["total"])
    export = client.get(f"{api}/surveys/{wave.survey_id}/export.csv", **headers).content
    mine = [r for r in csv_rows(export) if r["wave_id"] == str(wave.pk)]  # other waves: others
    reader.long_rows(mine, "api-export")


# --- worlds ----------------------------------------------------------------------------------


def _world(org_slug, tree, people, *, with_lead_of=None):
    """An organization built with the project's actions, a survey of two demographic
    questions, an open wave and ``people`` [(unit name or None, role, tenure)] as collected
    responses. Returns (wave, admin, lead, units, model)."""
    from wellbeing.accounts import actions as accounts
    from wellbeing.accounts.models import User
    from wellbeing.api import actions as api_actions

    org = accounts.create_organization(
        name=f"Synthetic {org_slug}", kind="health_system", slug=org_slug
    )
    units = {}
    for name, parent in tree.items():
        units[name] = accounts.add_unit(organization=org, name=name, parent=units.get(parent))
    admin = User.objects.create_user(f"admin@{org_slug}.test", "a-long-test-password")
    accounts.add_member(organization=org, user=admin, role="org_admin")
    lead = None
    if with_lead_of:
        lead = User.objects.create_user(f"lead@{org_slug}.test", "a-long-test-password")
        accounts.add_member(organization=org, user=lead, role="unit_lead", unit=units[with_lead_of])
    survey = actions.create_survey(
        organization=org,
        name="Synthetic pulse",
        instruments=["single-item-burnout", "who5"],
        demographics=["role", "tenure"],
        actor=admin,
    )
    now = timezone.now()
    wave = actions.create_wave(
        survey=survey,
        name="Wave 1",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=9),
    )
    actions.open_links(wave=wave, units=[None, *units.values()], actor=admin)
    actions.set_wave_status(wave=wave, status="open", actor=admin)
    _collect(wave, units, people, "w")
    token = api_actions.create_token(
        organization=org,
        name="Attacker's dashboard",
        scopes=["surveys:read", "reports:read"],
        expires_at=now + timedelta(days=1),
        actor=admin,
    ).secret
    model = Model(org.name, dict(tree), {"role": _keys("role"), "tenure": _keys("tenure")})
    return wave, admin, lead, units, model, token


def _keys(name):
    return [key for key, _ in DEMOGRAPHICS[name].choices] + ["not_answered"]


def _collect(wave, units, people, prefix, start=0):
    rows = [
        actions.ImportedResponse(
            key=f"{prefix}-{wave.pk}-{start + i}",
            unit=units[unit] if unit else None,
            answers={"single-item-burnout": [1 + (start + i) % 5], "who5": [(start + i) % 6] * 5},
            demographics={"role": role, "tenure": tenure},
        )
        for i, (unit, role, tenure) in enumerate(people)
    ]
    actions.record_synthetic_responses(wave=wave, rows=rows)


def _people(wave, model, pks=None):
    """The truth: each stored response of the wave as (unit name or None, answers)."""
    found = Response.objects.filter(wave=wave).select_related("unit")
    if pks is not None:
        found = found.filter(pk__in=pks)
    out = []
    for response in found:
        name = response.unit.name if response.unit else None
        answers = {f: (response.demographics or {}).get(f) or "not_answered" for f in model.fields}
        out.append((name if name in model.parents else None, answers))
    return out


def _assert_nothing_worked_out(model, truth, *, least_sources=("page", "unit-page", "report.csv")):
    wrong = truth.wrong_equations()
    assert wrong == [], wrong[:5]  # the attacker reads every figure right
    assert all(model.sources()[s] > 0 for s in least_sources), model.sources()
    by_count, by_sum = worked_out(model, truth, K)
    assert by_count == [], by_count[:10]
    assert by_sum == [], by_sum[:10]


# --- across pages ------------------------------------------------------------------------------

TREE = {"Medicine": None, "Cardiology": "Medicine", "Oncology": "Medicine", "Surgery": None}
TREE |= {"Theatres": "Surgery", "Recovery": "Theatres"}
ROLES, TENURES = ["nurse", "physician", "pharmacist"], ["lt1", "1_5", "6_10", "11_20"]
FIXED = [
    *(
        ("Cardiology", r, t)
        for r, t in zip(["physician", "nurse", "physician"], ["1_5", "6_10", "1_5"], strict=True)
    ),
    *(
        ("Oncology", ["nurse", "physician", "nurse"][i % 3], ["1_5", "6_10", "lt1"][i % 3])
        for i in range(8)
    ),
    *(("Surgery", ["physician", "nurse"][i % 2], ["6_10", "1_5"][i % 2]) for i in range(7)),
    *(("Theatres", ["nurse", "physician"][i % 2], ["1_5", "6_10"][i % 2]) for i in range(6)),
    ("Recovery", "nurse", "1_5"),
    ("Recovery", "nurse", "1_5"),
    *(
        (None, ["nurse", "physician", "pharmacist"][i % 3], ["1_5", "11_20"][i % 2])
        for i in range(6)
    ),
]


def test_no_small_group_follows_from_every_door_an_admin_and_a_lead_read(client, db):
    wave, admin, lead, _units, model, token = _world("attack", TREE, FIXED, with_lead_of="Surgery")
    actions.set_wave_status(wave=wave, status="closed", actor=admin)
    reader = Reader(model, 1, wave.name)
    fetch_everything(client, reader, wave, admin, token=token)
    fetch_everything(client, reader, wave, lead)
    truth = Truth(model, [_people(wave, model)])
    sources = model.sources()
    assert sources["records"] > 0 and sources["api-report"] > 0 and sources["wave-page"] > 0
    _assert_nothing_worked_out(model, truth)
    # The test is not blind: one more figure (the 2 in Recovery) would be found.
    recovery = model.vec(model.subtree("Recovery"))
    model.add("extra", 1, recovery, 2, True)
    assert any(label[3] == "Recovery" for label in worked_out(model, truth, K)[0])


@st.composite
def organizations(draw):
    """A random unit tree (2 to 6 units, up to 3 levels) with random respondents."""
    size = draw(st.integers(2, 6))
    tree: dict[str, str | None] = {}
    for i in range(size):
        parent = draw(st.sampled_from([None, *tree])) if tree else None
        if parent is not None and list(tree).count(parent) and _depth(tree, parent) >= 2:
            parent = None
        tree[f"Unit {i + 1}"] = parent
    people = []
    for name in [*tree, None]:
        n = draw(st.sampled_from([0, 1, 2, 3, 4, 5, 6, 8, 11]))
        for _ in range(n):
            people.append((name, draw(st.sampled_from(ROLES)), draw(st.sampled_from(TENURES[:3]))))
    return tree, people


def _depth(tree, unit):
    depth = 0
    while tree.get(unit) is not None:
        unit, depth = tree[unit], depth + 1
    return depth


class _Rollback(Exception):
    pass


@settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=organizations())
def test_random_organizations_built_through_the_actions_show_no_small_group(db, world):
    tree, people = world
    client = Client()
    try:
        with transaction.atomic():  # each example in its own rolled-back transaction
            top = next(name for name, parent in tree.items() if parent is None)
            wave, admin, lead, _units, model, token = _world(
                "random", tree, people, with_lead_of=top
            )
            actions.set_wave_status(wave=wave, status="closed", actor=admin)
            reader = Reader(model, 1, wave.name)
            fetch_everything(client, reader, wave, admin, token=token)
            fetch_everything(client, reader, wave, lead)
            truth = Truth(model, [_people(wave, model)])
            if Response.objects.filter(wave=wave).count() >= K:
                _assert_nothing_worked_out(model, truth, least_sources=("page",))
            else:
                assert worked_out(model, truth, K) == ([], [])
            raise _Rollback
    except _Rollback:
        pass


# --- over time -----------------------------------------------------------------------------------


def test_views_before_and_after_new_responses_and_across_the_close_show_no_late_group(
    client, db, walk
):
    wave, admin, _lead, units, model, token = _world("later", TREE, FIXED)
    released: list[set[int]] = []

    def snapshot():
        released.append(set(Response.objects.filter(wave=wave).values_list("pk", flat=True)))

    door.publish_interim(admin, wave.survey.organization, wave)
    snapshot()
    reader = Reader(model, 1, wave.name)
    before = fetch_everything(client, reader, wave, admin, token=token)
    # One more person answers through the organization-wide link (unit: prefer not to say).
    walk(
        Client(),
        wave.links.get(unit=None).get_absolute_url(),
        demo={"unit": "prefer_not", "role": "pharmacist", "tenure": "lt1"},
    )
    again = fetch_everything(
        client,
        Reader(Model(model.org_name, model.parents, model.fields), 1, wave.name),
        wave,
        admin,
        token=token,
    )
    assert again.keys() == before.keys()
    changed = [k for k in before if _stable(before[k]) != _stable(again[k]) and k != "records"]
    if changed:
        import difflib

        first = changed[0]
        diff = difflib.unified_diff(
            _stable(before[first]).splitlines(),
            _stable(again[first]).splitlines(),
            lineterm="",
            n=0,
        )
        raise AssertionError("\n".join([first, *list(diff)[:20]]))
    with pytest.raises(door.ReleaseRefused, match="Fewer than 5 responses"):
        door.publish_interim(admin, wave.survey.organization, wave)
    # A few more, most of them in the small Recovery team: an interim release now, then the close.
    _collect(
        wave, units, [("Recovery", "physician", "1_5")] * 3 + [("Oncology", "nurse", "lt1")], "late"
    )
    door.publish_interim(admin, wave.survey.organization, wave)
    snapshot()
    fetch_everything(client, Reader(model, 2, wave.name), wave, admin, token=token)
    _collect(wave, units, [("Cardiology", "nurse", "6_10")] * 2, "last")
    actions.set_wave_status(wave=wave, status="closed", actor=admin)
    fetch_everything(client, Reader(model, 3, wave.name), wave, admin, token=token)
    snapshot()
    assert wave.releases.count() == 3
    model.intervals = 3
    seen: set[int] = set()
    intervals = []
    for pks in released:
        intervals.append(_people(wave, model, pks - seen))
        seen |= pks
    truth = Truth(model, intervals)
    _assert_nothing_worked_out(model, truth)


def _stable(body):
    """A body without what changes at every request (the form's CSRF token)."""
    import re

    text = body.decode() if isinstance(body, bytes) else str(body)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


# --- the demo -------------------------------------------------------------------------------------


@pytest.fixture
def demo(db):
    from wellbeing.accounts.demo import load_demo
    from wellbeing.surveys.demo import load_survey_demo

    world = load_demo()
    survey = load_survey_demo(world.organization, world.admin)
    return world, survey


def _demo_model(world, wave):
    from wellbeing.accounts.models import Unit

    units = Unit.objects.filter(organization=world.organization).select_related("parent")
    tree = {u.name: (u.parent.name if u.parent else None) for u in units.order_by("path")}
    fields = {f: _keys(f) for f in wave.version.demographics if f in DEMOGRAPHICS}
    return Model(world.organization.name, tree, fields)


def test_the_demos_two_recovered_groups_stay_hidden(client, demo, walk):
    """The two examples found on the earlier code: the Emergency Department's own two people
    (its total minus its two teams) and the one person who answers through the
    organization-wide link without a unit."""
    world, survey = demo
    autumn = survey.waves.order_by("opens_at").last()
    answers = {"single-item-burnout": [2], "who5": [3] * 5, "phq2": [0, 0], "pes-nwi": [3] * 31}
    link = autumn.links.get(unit=None).get_absolute_url()
    walk(Client(), link, answers=answers, demo={"unit": "prefer_not"})
    actions.set_wave_status(wave=autumn, status="closed", actor=world.admin)
    model = _demo_model(world, autumn)
    reader = Reader(model, 1, autumn.name)
    fetch_everything(client, reader, autumn, world.admin)
    fetch_everything(client, reader, autumn, world.lead)
    truth = Truth(model, [_people(autumn, model)])
    ed_own = model.vec({"Emergency Department"})
    unassigned = model.vec({None})
    assert truth.count(ed_own, 1, 1) == 2 and truth.count(unassigned, 1, 1) == 1
    _assert_nothing_worked_out(model, truth)


def test_the_demos_autumn_report_shows_its_headline_figures(client, demo):
    world, survey = demo
    autumn = survey.waves.order_by("opens_at").last()
    client.force_login(world.admin)
    page = client.get(f"/measure/{world.organization.slug}/waves/{autumn.pk}/report/")
    assert page.context["report"].responses.n == 173
    headline = page.context["headline"]
    # Every scale the demo survey measures, none hidden (whatever instruments it fields).
    assert len(headline) == len(page.context["report"].scales) >= 3
    assert not [h for h in headline if h["figure"].suppressed]


def test_every_door_of_the_demo_shows_no_small_group(client, demo):
    world, survey = demo
    for wave in survey.waves.order_by("opens_at"):
        model = _demo_model(world, wave)
        reader = Reader(model, 1, wave.name)
        fetch_everything(client, reader, wave, world.admin)
        fetch_everything(client, reader, wave, world.lead)
        truth = Truth(model, [_people(wave, model)])
        _assert_nothing_worked_out(model, truth, least_sources=("page", "report.csv"))
        if wave.status == "open":  # the autumn wave's interim results reach the top level only
            assert {
                row.unit.parent_id
                for row in client.get(
                    f"/measure/{world.organization.slug}/waves/{wave.pk}/report/"
                ).context["rows"]
            } == {None}


# --- the readers' reach ------------------------------------------------------------------------


def test_a_unit_lead_sees_only_their_subtree_under_every_filter(client, db):
    wave, admin, lead, units, _model, _token = _world("reach", TREE, FIXED, with_lead_of="Surgery")
    actions.set_wave_status(wave=wave, status="closed", actor=admin)
    base = f"/measure/{wave.survey.organization.slug}/waves/{wave.pk}"
    client.force_login(lead)
    for by in ("", "role", "tenure"):
        html = client.get(f"{base}/report/", {"by": by}).content.decode()
        for name in ("Medicine", "Cardiology", "Oncology"):
            assert name not in html, (by, name)
    assert client.get(f"{base}/report/", {"unit": units["Medicine"].pk}).status_code == 404
    assert client.get(f"{base}/report/units/{units['Medicine'].pk}/").status_code == 404


def test_bad_filters_get_a_clear_error(client, db):
    wave, admin, _lead, _units, _model, _token = _world("filters", TREE, FIXED)
    actions.set_wave_status(wave=wave, status="closed", actor=admin)
    base = f"/measure/{wave.survey.organization.slug}/waves/{wave.pk}"
    client.force_login(admin)
    response = client.get(f"{base}/report/", {"by": "salary"})
    assert response.status_code == 400
    assert "Break down by: expected one of role, tenure" in response.content.decode()
    response = client.get(f"{base}/report/", {"unit": "ten"})
    assert response.status_code == 400
    assert "Unit: expected a unit of this organization" in response.content.decode()


def test_an_outsider_gets_nothing_from_any_door(client, db, outsider):
    wave, admin, _lead, _units, _model, _token = _world("outside", TREE, FIXED)
    actions.set_wave_status(wave=wave, status="closed", actor=admin)
    base = f"/measure/{wave.survey.organization.slug}/waves/{wave.pk}"
    client.force_login(outsider)
    for suffix in (
        "report/",
        "report.csv",
        "report.xlsx",
        "report-long.csv",
        "report.pdf",
        "export/",
        "",
    ):
        assert client.get(f"{base}/{suffix}").status_code == 404, suffix
    assert client.post(f"{base}/export/", {"format": "csv", "confirm": "on"}).status_code == 404
    assert client.post(f"{base}/report/publish/").status_code == 404
    own = outsider.memberships.first().organization.slug
    assert client.get(f"/measure/{own}/waves/{wave.pk}/report/").status_code == 404


def test_combinations_of_filters_only_select_figures_of_the_release(client, db):
    """A unit filter with a breakdown shows cells the breakdown without it already shows."""
    wave, admin, _lead, units, _model, _token = _world("combos", TREE, FIXED)
    actions.set_wave_status(wave=wave, status="closed", actor=admin)
    base = f"/measure/{wave.survey.organization.slug}/waves/{wave.pk}"
    client.force_login(admin)
    whole = client.get(f"{base}/report/", {"by": "role"}).context["breakdown"]
    cells = {(row["name"], row["label"]): row["figures"] for row in whole}
    compared = 0
    for unit in units.values():
        part = client.get(f"{base}/report/", {"unit": unit.pk, "by": "role"}).context["breakdown"]
        for row in part:
            assert cells[(row["name"], row["label"])] == row["figures"]
            compared += 1
    assert compared > len(units)  # every unit's rows were compared, not none
