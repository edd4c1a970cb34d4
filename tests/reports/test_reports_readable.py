"""Reports people can read: intervals that stay on the scale, headlines that name the
instrument and its range, and changes said as better or worse, with the test in words."""

from datetime import timedelta

import pytest
from altair.vegalite.v6.schema.core import TopLevelSpec

from wellbeing.reports.build import Change
from wellbeing.reports.charts import NEWLINE, PRINT_WIDTH, short_scale_labels, wrap
from wellbeing.reports.wording import describe_change, p_value
from wellbeing.surveys import actions

LOWEST = {"burnout": 1, "who5": (0,) * 5, "phq9": (0,) * 9}
HIGHEST = {"burnout": 5, "who5": (5,) * 5, "phq9": (3,) * 9}


def _fill(wave, unit, answers, people, start=0):
    """``people``: one dict of answers each (keys of LOWEST), all in ``unit``."""
    rows = [
        actions.ImportedResponse(
            key=f"x-{wave.pk}-{unit.pk if unit else 'x'}-{start + i}",
            unit=unit,
            answers=answers(**person),
            demographics={"role": "nurse"},
        )
        for i, person in enumerate(people)
    ]
    actions.record_synthetic_responses(wave=wave, rows=rows)


def _url(wave, tail=""):
    return f"/measure/{wave.survey.organization.slug}/waves/{wave.pk}/report/{tail}"


@pytest.fixture
def extremes(wave, units, answers, close):
    """Five respondents at the bottom of every scale (ED), five at the top (ICU Night Team,
    so ICU and Nursing too), and five split between both ends (no unit)."""
    _fill(wave, units["ed"], answers, [LOWEST] * 5)
    _fill(wave, units["night"], answers, [HIGHEST] * 5)
    _fill(wave, None, answers, [LOWEST, LOWEST, HIGHEST, HIGHEST, HIGHEST])
    close(wave)
    return wave


@pytest.fixture
def two_waves(wave, survey, units, answers, close):
    """Wave 1 at the bottom of every scale, wave 2 at the top: a large change on each."""
    mixed = [LOWEST, {**LOWEST, "burnout": 2}] * 5
    _fill(wave, units["icu"], answers, mixed)
    close(wave)
    later = actions.create_wave(
        survey=survey,
        name="Wave 2",
        opens_at=wave.opens_at + timedelta(days=60),
        closes_at=wave.closes_at + timedelta(days=60),
    )
    actions.set_wave_status(wave=later, status="open")
    worse = [HIGHEST, {**HIGHEST, "burnout": 4}] * 5
    _fill(later, units["icu"], answers, worse, start=100)
    close(later)
    return wave, later


# -- intervals -------------------------------------------------------------------------------


def test_five_extreme_answers_give_intervals_inside_every_scale(client, extremes, org_admin):
    client.force_login(org_admin)
    response = client.get(_url(extremes))
    report = response.context["report"]
    checked = 0
    for scale in report.scales:
        for index, figure in scale.by_unit.items():
            if figure.suppressed or figure.ci is None:
                continue
            low, high = figure.ci
            assert scale.minimum <= low <= figure.mean <= high <= scale.maximum, (scale.key, index)
            assert high > low  # five identical answers are not certainty
            checked += 1
    assert checked >= 4 * len(report.scales)  # organization, ED, Nursing, ICU (and the team)
    html = response.content.decode()
    assert "95% confidence interval -" not in html and "(-" not in html


def test_the_method_note_says_how_intervals_stay_on_the_scale(client, extremes, org_admin):
    client.force_login(org_admin)
    html = client.get(_url(extremes)).content.decode()
    assert "How the intervals and changes are worked out" in html
    assert "always stays inside the scale's range" in html
    assert "xlogit" in html and "Wilson" in html and "Welch" in html


# -- headline cards ----------------------------------------------------------------------------


def test_each_headline_card_names_its_instrument_and_range(client, extremes, org_admin):
    client.force_login(org_admin)
    response = client.get(_url(extremes))
    html = response.content.decode()
    cards = {card["scale"].key: card for card in response.context["cards"]}
    who5 = cards["who5.raw"]
    assert who5["instrument"] == "WHO-5 Well-Being Index"
    assert who5["range"] == "from 0 to 25, higher is better"
    assert cards["single-item-burnout.score"]["range"] == "from 1 to 5, higher is worse"
    heading = html[html.index('id="h-2"') : html.index("</h3>", html.index('id="h-2"'))]
    assert "WHO-5 Well-Being Index" in heading and "Raw score (0-25)" in heading
    assert "Mean of 15 responses, on a scale from 0 to 25, higher is better." in html


def test_a_change_says_better_or_worse_and_whether_chance_explains_it(client, two_waves, org_admin):
    _, later = two_waves
    client.force_login(org_admin)
    response = client.get(_url(later))
    html = response.content.decode()
    cards = {card["scale"].key: card for card in response.context["cards"]}
    burnout = cards["single-item-burnout.score"]["change_words"]
    assert burnout.verdict == "Worse than Wave 1"
    assert burnout.amount == "mean 3 points higher"
    assert burnout.chance == "a change this large is unlikely to be chance (p < 0.001)"
    # WHO-5 went from everyone at 0 to everyone at 25: better, on a scale where higher is
    # better, and no test to run (no spread within either wave), which the words say.
    who5 = cards["who5.raw"]["change_words"]
    assert who5.verdict == "Better than Wave 1"
    assert who5.chance == "no test: everyone gave the same score within each wave"
    assert "<strong>Worse than Wave 1</strong>: mean 3 points higher" in html
    for jargon in ("Changed</span>", "Mean down", "Mean up", "CHANGED", "since last wave (95% CI"):
        assert jargon not in html


def test_the_unit_page_says_its_changes_in_words_too(client, two_waves, units, org_admin):
    _, later = two_waves
    client.force_login(org_admin)
    html = client.get(_url(later, f"units/{units['icu'].pk}/")).content.decode()
    assert "Worse than Wave 1" in html and "Better than Wave 1" in html
    assert "Scale from 0 to 27, higher is worse" in html  # PHQ-9's range beside its name
    assert "Changed</span>" not in html and "Mean down" not in html


@pytest.mark.parametrize(
    ("difference", "significant", "higher_is", "verdict", "amount"),
    [
        (-14.6, True, "better", "Worse than Wave 1", "mean 14.6 points lower"),
        (-14.6, True, "worse", "Better than Wave 1", "mean 14.6 points lower"),
        (0.76, False, "better", "No clear change from Wave 1", "mean 0.76 points higher (better)"),
        (-1.0, True, None, "Lower than in Wave 1", "mean 1 point lower"),
        (0.0, False, "worse", "No clear change from Wave 1", "mean unchanged"),
    ],
)
def test_describe_change_takes_the_scales_direction_into_account(
    difference, significant, higher_is, verdict, amount
):
    change = Change(difference, (difference - 1, difference + 1), significant, "", 0.002)
    words = describe_change(change, higher_is=higher_is, since="Wave 1")
    assert (words.verdict, words.amount) == (verdict, amount)
    expected = "unlikely to be chance" if significant else "within what chance alone could produce"
    assert words.chance.startswith(("a change this large is " + expected, expected))


def test_a_share_change_is_said_in_percentage_points():
    change = Change(-0.08, (-0.17, 0.02), False, "", 0.13)
    words = describe_change(change, higher_is="worse", since="Spring", share_label="burned out")
    assert words.amount == "share burned out 8 percentage points lower (better)"
    assert words.interval == "95% confidence interval of the change: -17 to 2 percentage points"


def test_no_words_where_no_change_was_worked_out():
    reason = "not compared: fewer than 5 responses in wave 1"
    assert describe_change(Change(None, None, False, reason), higher_is="worse", since="W") is None
    assert describe_change(None, higher_is="worse", since="W") is None


@pytest.mark.parametrize(
    ("p", "text"),
    [(0.0004, "p < 0.001"), (0.0031, "p = 0.003"), (0.214, "p = 0.21"), (1.0, "p = 1")],
)
def test_p_values_read_with_enough_digits(p, text):
    assert p_value(p) == text


# -- charts and tables that fit ----------------------------------------------------------------


def test_every_chart_has_a_valid_phone_layout_that_borrows_the_wide_ones_rows(
    client, two_waves, org_admin
):
    _, later = two_waves
    client.force_login(org_admin)
    response = client.get(_url(later))
    html = response.content.decode()
    charts = [response.context["rates_chart"], response.context["heatmap_chart"]]
    charts += [b["chart"] for b in response.context["breakdowns"] if b["chart"]]
    for chart in charts:
        assert chart.narrow is not None and "datasets" not in chart.narrow, chart.id
        TopLevelSpec.validate({**chart.narrow, "datasets": chart.spec["datasets"]})
        assert f'data-vega-narrow="{chart.narrow_id}"' in html
        assert f'id="{chart.narrow_id}" type="application/json"' in html
    # The wide layouts fill their container; the PDF's copy has a fixed width instead.
    assert response.context["heatmap_chart"].spec["width"] == "container"
    assert response.context["rates_chart"].print_spec()["width"] == PRINT_WIDTH
    assert response.context["heatmap_chart"].svg().startswith("<svg")


def test_long_labels_are_wrapped_into_lines_that_fit():
    label = "PES-NWI: Nurse Manager Ability, Leadership, and Support of Nurses (mean 1-4)"
    lines = wrap(label, 40).split(NEWLINE)
    assert lines[0] == "PES-NWI" and all(len(line) <= 40 for line in lines)
    assert " ".join(wrap(label, 40, colon=False).split(NEWLINE)) == label


def test_chart_labels_use_an_instruments_own_abbreviation(client, extremes, org_admin):
    client.force_login(org_admin)
    report = client.get(_url(extremes)).context["report"]
    labels = short_scale_labels(report.scales)
    assert labels["who5.raw"] == "WHO-5 Well-Being Index: Raw score (0-25)"  # no abbreviation
    assert labels["phq9.total"] == "PHQ-9 total (0-27)"  # the only PHQ-9 scale


def test_the_narrower_tables_stack_on_a_phone(client, two_waves, org_admin):
    _, later = two_waves
    client.force_login(org_admin)
    html = client.get(_url(later)).content.decode()
    rates = html[html.index('id="rates-caption"') - 200 :]
    assert "usa-table--stacked-header" in rates[:300]
    assert 'data-label="95% CI"' in html and 'data-label="Responses"' in html


def test_a_release_stores_respondents_not_intervals_so_earlier_releases_read_bounded(extremes):
    # A release freezes who answered what (and its disclosure plans), never a figure: every
    # interval is worked out when the release is read, so releases published before the
    # bounded intervals read with them too, with no recompute.
    from wellbeing.reports import build, door
    from wellbeing.reports.models import Release

    stored = {f.name for f in Release._meta.get_fields()}
    assert not {name for name in stored if "ci" in name.split("_") or "mean" in name}
    first = door.latest_report(extremes)
    build.forget_built()  # a fresh process reading the same release
    again = door.latest_report(extremes)
    assert again.release.pk == first.release.pk
    who5 = next(s for s in again.scales if s.key == "who5.raw")
    assert who5.overall.ci == next(s for s in first.scales if s.key == "who5.raw").overall.ci
    assert 0 <= who5.overall.ci[0] < who5.overall.ci[1] <= 25
