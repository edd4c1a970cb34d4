"""Report charts and unit drill-downs, attacked: no hidden figure in a chart, no unit outside one's reach."""

import base64
from datetime import timedelta

import pytest
from altair.vegalite.v6.schema.core import TopLevelSpec

from wellbeing.core.models import AuditEvent
from wellbeing.reports.charts import scale_labels
from wellbeing.surveys import actions

# The ICU Night Team's two respondents answer WHO-5 with 5,5,5,5,4: a raw 24, a percentage of 96.
# Every other respondent answers 3,3,3,3,3 (60), so 96 can only come from the small group.
SMALL_WHO5 = (5, 5, 5, 5, 4)
SMALL_MEAN = 96.0


def _fill(wave, unit, n, answers, role="nurse", who5=(3, 3, 3, 3, 3), start=0):
    rows = [
        actions.ImportedResponse(
            key=f"c-{wave.pk}-{unit.pk if unit else 'x'}-{start + i}",
            unit=unit,
            answers=answers(burnout=1 + (i % 5), who5=who5),
            demographics={"role": role},
        )
        for i in range(n)
    ]
    actions.record_synthetic_responses(wave=wave, rows=rows)


@pytest.fixture
def filled(wave, units, answers):
    _fill(wave, units["icu"], 12, answers)
    _fill(wave, units["night"], 2, answers, role="physician", who5=SMALL_WHO5)  # a small group
    _fill(wave, units["ed"], 9, answers, role="physician")
    _fill(wave, None, 6, answers)
    actions.set_wave_status(wave=wave, status="closed")
    return wave


@pytest.fixture
def two_waves(filled, survey, units, answers):
    later = actions.create_wave(
        survey=survey,
        name="Wave 2",
        opens_at=filled.opens_at + timedelta(days=60),
        closes_at=filled.closes_at + timedelta(days=60),
    )
    actions.set_wave_status(wave=later, status="open")
    _fill(later, units["icu"], 12, answers, start=100)
    _fill(later, units["night"], 2, answers, role="physician", who5=SMALL_WHO5, start=100)
    _fill(later, units["ed"], 9, answers, role="physician", start=100)
    actions.set_wave_status(wave=later, status="closed")
    return filled, later


def _url(wave, tail=""):
    return f"/measure/{wave.survey.organization.slug}/waves/{wave.pk}/report/{tail}"


def _charts(context) -> list:
    found = [context.get("rates_chart"), context.get("heatmap_chart")]
    found += [b["chart"] for b in context.get("breakdowns", [])]
    return [c for c in found if c is not None]


def _data_rows(spec) -> list[dict]:
    """Every inline data row anywhere in a Vega-Lite spec (layers, concatenations, datasets)."""
    rows: list[dict] = []
    if isinstance(spec, dict):
        if isinstance(spec.get("values"), list):
            rows += [r for r in spec["values"] if isinstance(r, dict)]
        for key, value in spec.items():
            if key == "datasets":
                for values in value.values():
                    rows += values
            elif key != "values":
                rows += _data_rows(value)
    elif isinstance(spec, list):
        for item in spec:
            rows += _data_rows(item)
    return rows


def _unit(row: dict) -> str:
    """The unit's name without the heat map's tree markers."""
    return row["unit"].lstrip("\u203a ")


def _numbers(rows: list[dict]) -> list[float]:
    return [v for r in rows for v in r.values() if isinstance(v, int | float)]


def test_no_chart_holds_a_hidden_groups_figure(client, filled, units, org_admin):
    client.force_login(org_admin)
    context = client.get(_url(filled)).context
    charts = _charts(context)
    assert {c.id for c in charts} >= {"chart-heatmap", "chart-group-1"}
    k = filled.survey.organization.effective_min_group_size
    for chart in charts:
        rows = _data_rows(chart.spec)
        assert rows, chart.id
        # The small unit's WHO-5 mean, in any rounding, is in no chart.
        assert all(round(x) != SMALL_MEAN for x in _numbers(rows)), chart.id
        for row in rows:
            if "n" in row:
                assert row["n"] == 0 or row["n"] >= k, (chart.id, row)
            assert "n=2" not in str(row.get("text", "")), (chart.id, row)
    # The night team is in the heat map only as "Hidden", with no number at all.
    heatmap = next(c for c in charts if c.id == "chart-heatmap")
    night = [r for r in _data_rows(heatmap.spec) if _unit(r) == "ICU Night Team"]
    assert night and all(r["text"] == "Hidden" and "mean" not in r and "n" not in r for r in night)


def test_the_heat_map_chart_and_its_table_show_the_same_figures(client, filled, org_admin):
    client.force_login(org_admin)
    response = client.get(_url(filled))
    report, html = response.context["report"], response.content.decode()
    heatmap = response.context["heatmap_chart"]
    cells = {(_unit(r), r["scale"]): r for r in _data_rows(heatmap.spec)}
    assert len(cells) == len(report.units) * len(report.scales)
    names = scale_labels(report.scales)
    for row in report.units:
        for scale in report.scales:
            figure, cell = scale.by_unit[row.index], cells[(row.unit.name, names[scale.key])]
            if figure.suppressed:
                assert cell["text"] == "Hidden"
                assert figure.reason.capitalize() in html
            else:
                assert (cell["n"], cell["mean"]) == (figure.n, round(figure.mean, 2))
    # The spec is embedded for charts.js (no inline script: a JSON data block) beside the table.
    assert 'id="chart-heatmap-spec" type="application/json"' in html
    assert 'data-vega-spec="chart-heatmap-spec"' in html
    # Without JavaScript the empty canvas stays hidden and the table alone carries the figures.
    canvas = html[html.index('id="chart-heatmap-canvas"') :]
    assert canvas[: canvas.index(">")].endswith(" hidden")
    assert html.index("chart-heatmap-canvas") < html.index('id="heatmap-caption"')


def test_every_chart_is_a_valid_vega_lite_spec(client, two_waves, org_admin):
    _, later = two_waves
    client.force_login(org_admin)
    charts = _charts(client.get(_url(later)).context)
    assert {c.id for c in charts} >= {"chart-rates", "chart-heatmap", "chart-group-1"}
    for chart in charts:
        TopLevelSpec.validate(chart.spec)
        assert chart.spec["description"] == chart.caption


def test_the_rates_chart_compares_this_wave_with_the_previous_one(client, two_waves, org_admin):
    first, later = two_waves
    client.force_login(org_admin)
    context = client.get(_url(later)).context
    rows = _data_rows(context["rates_chart"].spec)
    assert {r["wave"] for r in rows} == {first.name, later.name}
    burnout = next(s for s in context["report"].scales if s.share_label)
    label = scale_labels(context["report"].scales)[burnout.key]
    now = burnout.overall
    (current,) = [r for r in rows if r["wave"] == later.name and r["scale"].startswith(label)]
    assert current["share"] == round(100 * now.share, 1)
    assert (current["low"], current["high"]) == tuple(round(100 * x, 1) for x in now.share_ci)
    # The previous wave's share is that wave's own published figure.
    before = client.get(_url(first)).context["report"]
    old = next(s for s in before.scales if s.key == burnout.key).overall
    (previous,) = [r for r in rows if r["wave"] == first.name and r["scale"].startswith(label)]
    assert previous["share"] == round(100 * old.share, 1)


def test_the_heat_map_links_each_visible_unit_to_its_page(client, filled, units, org_admin):
    client.force_login(org_admin)
    response = client.get(_url(filled))
    html = response.content.decode()
    for unit in units.values():
        assert f'href="{_url(filled, f"units/{unit.pk}/")}"' in html
    urls = {r.get("url") for r in _data_rows(response.context["heatmap_chart"].spec)}
    assert _url(filled, f"units/{units['icu'].pk}/") in urls


def test_a_unit_page_shows_the_units_published_figures_and_children(
    client, filled, units, org_admin
):
    client.force_login(org_admin)
    whole = client.get(_url(filled)).context["report"]
    response = client.get(_url(filled, f"units/{units['nursing'].pk}/"))
    assert response.status_code == 200
    html = response.content.decode()
    index = next(r.index for r in whole.units if r.unit == units["nursing"])
    for item, scale in zip(response.context["figures"], whole.scales, strict=True):
        assert item["figure"] == scale.by_unit[index]
    assert [r.unit for r in response.context["rows"]] == [units["nursing"], units["icu"]]
    assert "Emergency Department" not in html  # not under Nursing
    assert AuditEvent.objects.filter(verb="report.view_unit").count() == 1
    assert AuditEvent.objects.get(verb="report.view_unit").detail == {
        "unit": units["nursing"].pk,
        "release": 1,
    }


def test_a_units_group_breakdown_hides_small_groups_and_their_complements(
    client, filled, units, org_admin
):
    client.force_login(org_admin)
    response = client.get(_url(filled, f"units/{units['icu'].pk}/"))
    k = filled.survey.organization.effective_min_group_size
    (role,) = [b for b in response.context["breakdowns"] if b["field"] == "role"]
    who5 = next(
        i for i, s in enumerate(response.context["report"].scales) if s.key.startswith("who5")
    )
    figures = role["columns"][who5]
    # ICU's subtree: 12 nurses and the night team's 2 physicians.
    assert figures["physician"].suppressed
    shown = [f.n for f in figures.values() if not f.suppressed]
    assert all(n == 0 or n >= k for n in shown)
    # The unit's total minus the shown groups must not give the 2 physicians away.
    total = next(
        i["figure"] for i in response.context["figures"] if i["scale"].key.startswith("who5")
    )
    if not total.suppressed:
        assert total.n - sum(shown) == 0 or total.n - sum(shown) >= k
    for chart in _charts(response.context):
        assert all(round(x) != SMALL_MEAN for x in _numbers(_data_rows(chart.spec)))


@pytest.mark.parametrize("who", ["unit_lead", "clinician", "outsider"])
def test_unit_pages_are_not_found_outside_ones_reach(client, filled, units, who, request):
    client.force_login(request.getfixturevalue(who))
    reachable = {"unit_lead": {"nursing", "icu", "night"}}.get(who, set())
    for name, unit in units.items():
        status = client.get(_url(filled, f"units/{unit.pk}/")).status_code
        assert status == (200 if name in reachable else 404), (who, name)


def test_a_unit_of_another_organization_is_not_found(client, filled, org_admin, other_org):
    from wellbeing.accounts import actions as accounts

    elsewhere = accounts.add_unit(organization=other_org, name="Primary Care")
    client.force_login(org_admin)
    assert client.get(_url(filled, f"units/{elsewhere.pk}/")).status_code == 404
    assert not AuditEvent.objects.filter(verb="report.view_unit").exists()


def test_a_unit_lead_sees_only_their_subtree_in_the_charts(client, filled, unit_lead):
    client.force_login(unit_lead)
    context = client.get(_url(filled)).context
    units = {_unit(r) for r in _data_rows(context["heatmap_chart"].spec)}
    assert units == {"Nursing", "Intensive Care Unit", "ICU Night Team"}
    assert context["breakdowns"] == []  # organization-wide groups are for admins


def test_the_pdf_embeds_the_charts_as_svg(client, two_waves, org_admin):
    _, later = two_waves
    client.force_login(org_admin)
    response = client.get(f"/measure/{later.survey.organization.slug}/waves/{later.pk}/report.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    # The HTML WeasyPrint rendered (Django's test client keeps the template context).
    context = response.context
    images = [
        context["rates_svg"],
        context["heatmap_svg"],
        *(b["svg"] for b in context["breakdowns"]),
    ]
    assert all(images) and len(images) >= 3
    for uri in images:
        prefix = "data:image/svg+xml;base64,"
        assert uri.startswith(prefix)
        svg = base64.b64decode(uri[len(prefix) :]).decode()
        assert svg.startswith("<svg") and "</svg>" in svg
        assert "n=2)" not in svg
    heatmap = base64.b64decode(context["heatmap_svg"].split(",", 1)[1]).decode()
    # A few units run across the heat map, their names wrapped onto lines of their own.
    assert "Intensive Care" in heatmap and "Hidden" in heatmap


def test_a_heat_map_too_tall_for_a_page_leaves_the_pdf_with_its_table(
    client, filled, org_admin, monkeypatch
):
    from wellbeing.reports import pdf

    monkeypatch.setattr(pdf, "HEATMAP_MAX_UNITS", 3)  # the fixture has 4 units
    client.force_login(org_admin)
    response = client.get(
        f"/measure/{filled.survey.organization.slug}/waves/{filled.pk}/report.pdf"
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert response.context["heatmap_svg"] is None
    assert response.context["heatmap_chart"] is not None  # the page still draws it
    assert len(response.context["rows"]) == 4  # and the PDF's table lists every unit
