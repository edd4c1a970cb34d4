"""The report's key drivers: shown for large groups only, mapped to the Plan, attacked by role."""

import re
from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

import instruments
from analysis.drivers import key_drivers
from wellbeing.plan import data as plan_data
from wellbeing.reports.drivers import (
    MIN_RESPONDENTS,
    N_BOOT,
    SEED,
    canonical_order,
    driver_map,
    matched_resources,
)
from wellbeing.surveys import actions
from wellbeing.surveys.scoring import missing_licensed_text

PES = instruments.get("pes-nwi")
SUBSCALES = ["participation", "foundations", "manager", "staffing", "relations"]
# Each PES-NWI item's subscale, from the verified definition.
ITEM_SCALE = [
    next(s.id for s in PES.scales if s.method == "mean" and item.id in s.items)
    for item in PES.items
]


@pytest.fixture
def env_survey(org, units, org_admin):
    return actions.create_survey(
        organization=org,
        name="Environment pulse",
        instruments=["single-item-burnout", "pes-nwi"],
        actor=org_admin,
    )


@pytest.fixture
def env_wave(env_survey, org_admin):
    now = timezone.now()
    return actions.create_wave(
        survey=env_survey,
        name="Wave 1",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=7),
        actor=org_admin,
    )


def _people(rng, n):
    """Synthetic answers: burnout goes with a poor view of staffing and of the manager."""
    rows = []
    for _ in range(n):
        view = {s: 2.7 + rng.normal(0, 0.5) for s in SUBSCALES}
        codes = [int(np.clip(np.rint(view[s] + rng.normal(0, 0.5)), 1, 4)) for s in ITEM_SCALE]
        strain = -0.9 * (view["staffing"] - 2.7) - 0.5 * (view["manager"] - 2.7)
        burnout = int(np.clip(np.rint(2.3 + 1.2 * strain + rng.normal(0, 0.7)), 1, 5))
        rows.append({"single-item-burnout": [burnout], "pes-nwi": codes})
    return rows


def _store(wave, rows):
    if wave.status != "open":
        actions.set_wave_status(wave=wave, status="open")  # collected through its links
    actions.record_synthetic_responses(wave=wave, rows=rows)


def _fill(wave, unit, n, seed, start=0):
    rows = [
        actions.ImportedResponse(
            key=f"d-{wave.pk}-{seed}-{start + i}", unit=unit, answers=answers, demographics={}
        )
        for i, answers in enumerate(_people(np.random.default_rng(seed), n))
    ]
    _store(wave, rows)
    return [r.answers for r in rows]


def _report(client, wave, user, suffix="report/"):
    if wave.status == "open":
        actions.set_wave_status(wave=wave, status="closed")  # its results are published
    client.force_login(user)
    return client.get(f"/measure/{wave.survey.organization.slug}/waves/{wave.pk}/{suffix}")


def _expected(answer_sets):
    """The drivers computed straight from the answers with the scoring engine and analysis."""
    pes = np.array([a["pes-nwi"] for a in answer_sets])
    burnout = np.array([a["single-item-burnout"] for a in answer_sets])
    scored = instruments.score(PES, pes).scales
    outcome = instruments.score(instruments.get("single-item-burnout"), burnout).scales["score"]
    # The report's order of the measures the survey has (it fields only the PES-NWI).
    names = [row.scale for row in driver_map().scales if row.scale.startswith("pes-nwi.")]
    x = np.column_stack([scored[name.split(".")[1]] for name in names])
    # The report bootstraps the rows in an order set by the answers alone.
    order = canonical_order(outcome, x)
    return key_drivers(outcome[order], x[order], names, n_boot=N_BOOT, seed=SEED, min_n=50)


# --- the mapping ------------------------------------------------------------------------


def test_every_mapped_factor_and_priority_area_exists_in_the_plan_data():
    factors = {e["slug"] for e in plan_data.MODEL_ELEMENTS}
    areas = {a["slug"] for a in plan_data.PRIORITY_AREAS}
    mapping = driver_map()
    assert mapping.scales, "the map lists no drivers"
    for row in mapping.scales:
        assert row.factor in factors, row
        assert row.priority_area in areas, row
        assert row.rationale.strip() and "\n" not in row.rationale, row


def test_only_scales_with_a_verified_structure_are_mapped():
    mapping = driver_map()
    for key in [*mapping.outcomes, *(row.scale for row in mapping.scales)]:
        instrument_id, scale_id = key.split(".")
        scale = instruments.get(instrument_id).scale(scale_id)
        assert scale.evidence == "V", key
    assert not any(row.scale.startswith("mini-z") for row in mapping.scales)
    # Composite scores are functions of the subscales: listing them would make drivers collinear.
    assert not {"pes-nwi.composite", "pes-nwi.subscales_above_2_5"} & {
        row.scale for row in mapping.scales
    }


def test_the_rows_link_to_plan_pages_that_exist(client, db):
    from wellbeing.plan.models import ModelElement, PriorityArea

    for row in driver_map().scales:
        area = PriorityArea.objects.get(slug=row.priority_area)
        factor = ModelElement.objects.get(slug=row.factor)
        assert client.get(area.get_absolute_url()).status_code == 200
        page = client.get(factor.get_absolute_url().split("#")[0])
        assert page.status_code == 200
        assert f'id="{row.factor}"' in page.content.decode()


# --- the section on the report ----------------------------------------------------------


def test_the_report_shows_drivers_that_match_the_analysis_of_the_same_answers(
    client, env_wave, units, org_admin
):
    answers = _fill(env_wave, units["icu"], 40, seed=1) + _fill(env_wave, units["ed"], 40, seed=2)
    response = _report(client, env_wave, org_admin)
    assert response.status_code == 200
    drivers = response.context["drivers"]
    expected = _expected(answers)
    assert drivers.shown and drivers.n == 80
    assert [row.key for row in drivers.rows] == [d.name for d in expected.drivers]
    for row, reference in zip(drivers.rows, expected.drivers, strict=True):
        assert row.weight == pytest.approx(reference.weight)
        assert row.beta_ci == pytest.approx(reference.beta_ci)
        assert row.weight_ci == pytest.approx(reference.weight_ci)
    assert drivers.r_squared == pytest.approx(expected.r_squared)
    # The simulated burnout goes with staffing most, and with lower burnout where it is better.
    assert drivers.rows[0].key == "pes-nwi.staffing"
    assert drivers.rows[0].direction == "lower"
    html = response.content.decode()
    assert "Key drivers: what is associated with burnout here" in html
    assert "associated with" in html and "at least 50 complete answers" in html
    assert "the platform&#x27;s own mapping" in html or "the platform's own mapping" in html
    assert 'href="/plan/positive-work-and-learning-environments/"' in html
    assert 'href="/plan/conceptual-model/#organizational-factors"' in html
    assert 'href="/plan/conceptual-model/"' in html


def test_drivers_are_hidden_below_the_minimum_of_complete_answers(
    client, env_wave, units, org_admin
):
    _fill(env_wave, units["icu"], 49, seed=3)
    response = _report(client, env_wave, org_admin)
    drivers = response.context["drivers"]
    assert not drivers.shown and drivers.n is None and drivers.minimum == 50
    html = response.content.decode()
    assert "shown only when at least 50 people in Riverbend Health answered" in html
    assert "Relative weight" not in html


def test_incomplete_answers_do_not_count_towards_the_minimum(client, env_wave, units, org_admin):
    _fill(env_wave, units["icu"], 45, seed=4)
    rows = [
        actions.ImportedResponse(
            key=f"partial-{i}",
            unit=units["icu"],
            answers={"single-item-burnout": [3], "pes-nwi": [2] * 30 + [None]},
            demographics={},
        )
        for i in range(10)
    ]
    _store(env_wave, rows)
    drivers = _report(client, env_wave, org_admin).context["drivers"]
    assert not drivers.shown


def test_the_minimum_is_never_below_the_organizations_group_size(
    client, env_wave, units, org_admin, settings
):
    _fill(env_wave, units["icu"], 70, seed=14)
    assert _report(client, env_wave, org_admin).context["drivers"].shown
    settings.MIN_GROUP_SIZE = 80
    drivers = _report(client, env_wave, org_admin).context["drivers"]
    assert not drivers.shown and drivers.minimum == 80 > MIN_RESPONDENTS


def test_a_unit_lead_gets_drivers_for_the_led_subtree_only(client, env_wave, units, unit_lead):
    _fill(env_wave, units["icu"], 35, seed=5)
    _fill(env_wave, units["night"], 20, seed=6)
    _fill(env_wave, units["ed"], 60, seed=7)
    response = _report(client, env_wave, unit_lead)
    drivers = response.context["drivers"]
    assert drivers.shown and drivers.scope == "Nursing" and drivers.n == 55
    html = response.content.decode()
    assert "among the 55 people in Nursing" in html
    # The organization's 115 is shown nowhere in the text (ids in URLs and attributes aside).
    assert not re.search(r"\b115\b", re.sub(r"<[^>]*>", " ", html))


def test_a_subtree_is_hidden_when_the_rest_of_the_organization_is_small(
    client, env_wave, units, unit_lead, org_admin
):
    # Nursing's 60 and the organization's 72 would describe the other 12 between them.
    _fill(env_wave, units["icu"], 60, seed=8)
    _fill(env_wave, units["ed"], 12, seed=9)
    drivers = _report(client, env_wave, unit_lead).context["drivers"]
    assert not drivers.shown
    assert "has no other complete answers or at least 50 more" in drivers.reason
    assert _report(client, env_wave, org_admin).context["drivers"].shown


def test_a_subtree_is_hidden_when_a_unit_above_it_adds_only_a_few(
    client, env_wave, org, units, unit_lead
):
    from wellbeing.accounts import actions as accounts
    from wellbeing.accounts.models import User

    icu_lead = User.objects.create_user("ivy@riverbend.test", "a-long-test-password")
    accounts.add_member(organization=org, user=icu_lead, role="unit_lead", unit=units["icu"])
    _fill(env_wave, units["icu"], 55, seed=15)
    _fill(env_wave, units["nursing"], 10, seed=16)  # Nursing = ICU + 10
    _fill(env_wave, units["ed"], 60, seed=17)
    # The organization minus ICU is 70, but Nursing's lead would see Nursing's drivers:
    # Nursing minus ICU is 10 people, so ICU's are hidden.
    hidden = _report(client, env_wave, icu_lead).context["drivers"]
    assert not hidden.shown and "no small group" in hidden.reason
    shown = _report(client, env_wave, unit_lead).context["drivers"]
    assert shown.shown and shown.n == 65


def test_the_whole_organization_in_one_subtree_is_not_a_small_rest(
    client, env_wave, units, unit_lead
):
    _fill(env_wave, units["icu"], 60, seed=10)
    assert _report(client, env_wave, unit_lead).context["drivers"].n == 60


def test_members_and_outsiders_get_no_drivers(client, env_wave, units, clinician, outsider):
    _fill(env_wave, units["icu"], 60, seed=11)
    for user in (clinician, outsider):
        assert _report(client, env_wave, user).status_code == 404


def test_a_survey_without_a_mapped_measure_says_what_it_needs(client, org, units, org_admin):
    # The PHQ-9 is not in the driver map: burnout has nothing to be related to.
    survey = actions.create_survey(
        organization=org,
        name="Burnout and mood",
        instruments=["single-item-burnout", "phq9"],
        demographics=["unit"],
        actor=org_admin,
    )
    now = timezone.now()
    wave = actions.create_wave(
        survey=survey,
        name="Wave 1",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=7),
        actor=org_admin,
    )
    wave = actions.set_wave_status(wave=wave, status="open", actor=org_admin)
    rows = [
        actions.ImportedResponse(
            key=f"w-{i}",
            unit=units["icu"],
            answers={"single-item-burnout": [1 + i % 5], "phq9": [i % 4] * 9},
            demographics={},
        )
        for i in range(60)
    ]
    actions.record_synthetic_responses(wave=wave, rows=rows)
    response = _report(client, wave, org_admin)
    assert response.status_code == 200
    assert "Key drivers need a burnout measure and at least one measure" in (
        response.content.decode()
    )


def test_answers_nobody_varies_on_get_a_message_not_an_error(client, env_wave, units, org_admin):
    rows = [
        actions.ImportedResponse(
            key=f"same-{i}",
            unit=units["icu"],
            answers={"single-item-burnout": [1 + i % 5], "pes-nwi": [3] * 31},
            demographics={},
        )
        for i in range(60)
    ]
    _store(env_wave, rows)
    response = _report(client, env_wave, org_admin)
    assert response.status_code == 200
    assert "do not vary enough" in response.content.decode()


def test_the_pdf_carries_the_drivers_section(client, env_wave, units, org_admin):
    _fill(env_wave, units["icu"], 60, seed=12)
    response = _report(client, env_wave, org_admin, "report.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    from django.template.loader import render_to_string

    # The PDF template renders the same partial (checked as HTML, before WeasyPrint).
    page = _report(client, env_wave, org_admin).context
    names = ["org", "wave", "survey", "report", "is_admin", "rows", "headline", "headline_name"]
    html = render_to_string(
        "reports/report_pdf.html", {**{n: page[n] for n in names}, "drivers": page["drivers"]}
    )
    assert "Key drivers: what is associated with burnout here" in html
    assert "among the 60 people in Riverbend Health" in html


# --- hub resources ----------------------------------------------------------------------


def test_resources_from_the_hub_are_listed_with_each_driver(client, env_wave, units, org_admin):
    from wellbeing.hub import actions as hub_actions

    def publish(slug, title, factors, areas, status="published"):
        values = {
            "slug": slug,
            "title": title,
            "summary": "A resource.",
            "kind": "toolkit",
            "url": f"https://example.org/{slug}",
            "source": f"https://example.org/{slug}",
            "status": status,
        }
        hub_actions.upsert_resource(values, factors=factors, priority_areas=areas)

    # Matches the factor and the area of the participation driver; a draft and an unrelated
    # resource never appear.
    publish(
        "governance-guide",
        "Shared governance guide",
        ["organizational-factors"],
        ["positive-work-and-learning-environments"],
    )
    publish("draft-guide", "Draft guide", ["organizational-factors"], [], status="draft")
    publish("stigma-video", "Stigma video", ["personal-factors"], ["mental-health-and-stigma"])
    _fill(env_wave, units["icu"], 60, seed=13)
    response = _report(client, env_wave, org_admin)
    rows = {row.key: row for row in response.context["drivers"].rows}
    titles = [link.title for link in rows["pes-nwi.participation"].resources]
    assert titles[0] == "Shared governance guide"
    html = response.content.decode()
    assert "Draft guide" not in html and "Stigma video" not in html
    assert matched_resources(["personal-factors"], [])[0].title == "Stigma video"


# --- the demo ---------------------------------------------------------------------------


def test_the_demo_shows_drivers_and_change_in_some_units_but_not_others(client, db):
    from wellbeing.accounts.demo import load_demo
    from wellbeing.reports.door import latest_report
    from wellbeing.surveys.demo import load_survey_demo

    world = load_demo()
    survey = load_survey_demo(world.organization, world.admin)
    version = survey.current_version
    # The demo fields only instruments whose wording ships: nothing licensed to fill in.
    assert version.instruments == ["single-item-burnout", "who5", "phq2"]
    assert not version.licensed_text
    assert missing_licensed_text(version.instruments, version.licensed_text) == []
    latest = survey.waves.order_by("opens_at").last()
    response = _report(client, latest, world.admin)
    assert response.context["drivers"].shown
    report = latest_report(latest)
    changes = {
        scale.key: [c.significant for c in scale.unit_changes or [] if c.difference is not None]
        for scale in report.scales
    }
    for key in ("single-item-burnout.score", "who5.raw"):
        assert any(changes[key]) and not all(changes[key]), key
    # Loading again adds nothing.
    before = latest.responses.count()
    load_survey_demo(world.organization, world.admin)
    assert latest.responses.count() == before
