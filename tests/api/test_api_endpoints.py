"""The API's endpoints: public data, an organization's surveys, counts and report aggregates."""

import csv
import io
import re

import pytest

from wellbeing.reports.door import latest_report


def test_the_openapi_schema_lists_every_endpoint(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["version"] == "1"
    assert {
        "/api/v1/plan/priority-areas",
        "/api/v1/campaign/participants",
        "/api/v1/hub/resources",
        "/api/v1/instruments",
        "/api/v1/events",
        "/api/v1/events/{slug}",
        "/api/v1/orgs/{slug}/waves/{wave_id}/report",
        "/api/v1/orgs/{slug}/commitments/{commitment_id}/progress",
    } <= set(schema["paths"])
    report = schema["paths"]["/api/v1/orgs/{slug}/waves/{wave_id}/report"]["get"]
    assert {"200", "400", "401", "403", "404", "429"} <= set(report["responses"])


def test_the_interactive_docs_load_only_our_own_scripts(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    # The page is the site's own (with the 988 banner's link); no script or style is from elsewhere.
    assert not re.search(r'<(?:script|link)\b[^>]*(?:src|href)="(?:https?:)?//', html)
    assert "default-src 'self'" in page["Content-Security-Policy"]
    # The settings are data, not a script the CSP would block.
    assert '<script type="application/json" id="swagger-settings">' in html


def test_the_plan_is_public(client, db):
    areas = client.get("/api/v1/plan/priority-areas").json()
    assert [a["number"] for a in areas] == list(range(1, len(areas) + 1))
    assert len(areas) == 7


def test_the_instrument_catalogue_is_public(client, db):
    catalogue = client.get("/api/v1/instruments").json()
    who5 = next(i for i in catalogue if i["id"] == "who5")
    assert who5["n_items"] == 5
    assert client.get("/api/v1/instruments/who5").json() == who5
    assert client.get("/api/v1/instruments/no-such").status_code == 404


def test_the_hub_search_shows_published_resources_only(client, db):
    from wellbeing.hub import actions
    from wellbeing.hub.models import Resource

    found = client.get("/api/v1/hub/resources", {"q": ""}).json()
    published = Resource.objects.filter(status="published").count()
    assert found["total"] == published
    if published:
        slug = found["items"][0]["slug"]
        assert client.get(f"/api/v1/hub/resources/{slug}").json()["slug"] == slug
    assert client.get("/api/v1/hub/resources/no-such-resource").status_code == 404
    del actions


def test_only_public_participants_are_listed(client, org, org_admin, staff_curator):
    from wellbeing.campaign import actions
    from wellbeing.plan.models import PriorityArea

    area = PriorityArea.objects.order_by("number").first()

    def sign(is_public):
        return actions.sign_on(
            user=org_admin,
            organization=org,
            signer_name="Alice Admin",
            signer_title="CWO",
            authority_statement="Alice Admin: I may commit Riverbend.",
            role="accelerator",
            priority_areas=[area],
            is_public=is_public,
        )

    pending = sign(True)
    assert client.get("/api/v1/campaign/participants").json()["count"] == 0
    url = f"/api/v1/campaign/participants/{pending.pk}/commitments"
    assert client.get(url).status_code == 404
    actions.confirm_email(actions.confirmation_token(pending))
    actions.approve(pending, actor=staff_curator)
    listed = client.get("/api/v1/campaign/participants").json()
    assert listed["count"] == 1 and listed["items"][0]["display_name"] == pending.display_name
    assert client.get(url).json() == []


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 1000}, {"offset": -1}, {"offset": "x"}])
def test_bad_paging_is_a_400_naming_the_field(client, db, params):
    response = client.get("/api/v1/campaign/participants", params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["loc"][-1] in params


# --- organization endpoints -------------------------------------------------------------


def test_a_token_lists_its_organizations_surveys_and_waves(client, org, token, bearer, wave):
    surveys = client.get(f"/api/v1/orgs/{org.slug}/surveys", **bearer(token.secret)).json()
    assert [s["name"] for s in surveys] == ["Pulse"]
    assert surveys[0]["waves"] == [wave.pk]
    waves = client.get(
        f"/api/v1/orgs/{org.slug}/surveys/{surveys[0]['id']}/waves", **bearer(token.secret)
    ).json()
    assert [w["name"] for w in waves] == ["Spring"]


def test_counts_are_the_wave_pages_counts_with_small_groups_suppressed(
    client, org, token, bearer, wave, units, org_admin
):
    counts = client.get(
        f"/api/v1/orgs/{org.slug}/waves/{wave.pk}/counts", **bearer(token.secret)
    ).json()
    assert counts["live"] is False and counts["release"] == 1
    by_unit = {row["unit"]: row for row in counts["units"]}
    night = by_unit["ICU Night Team"]
    assert night["n"] is None and night["suppressed"] and night["reason"]
    client.force_login(org_admin)
    page = client.get(f"/measure/{org.slug}/waves/{wave.pk}/counts/").context["counts"]
    assert [(r.unit.name, r.value, r.at_least) for r in page.rows] == [
        (row["unit"], row["n"], row["at_least"]) for row in counts["units"]
    ]
    assert (page.total.value, counts["total"]) in ((None, None), (counts["total"], counts["total"]))


def test_the_report_is_the_pages_published_figures(client, org, token, bearer, wave, units):
    body = client.get(
        f"/api/v1/orgs/{org.slug}/waves/{wave.pk}/report", **bearer(token.secret)
    ).json()
    report = latest_report(wave)
    assert body["release"] == report.release.number == 1
    scale = next(s for s in report.scales if s.key == "who5.percentage")
    org_row = next(
        row
        for row in body["rows"]
        if row["group_type"] == "organization"
        and row["scale"] == "who5.percentage"
        and row["statistic"] == "mean"
    )
    # The ED's 12 and the night team's 2 make 14: the organization's total stays shown and
    # the ED's is hidden instead (either would protect the 2).
    assert org_row["value"] == pytest.approx(scale.overall.mean)
    assert org_row["n"] == 14 and not org_row["suppressed"]
    for unit in units.values():
        index = next(r.index for r in report.units if r.unit.pk == unit.pk)
        row = next(
            r
            for r in body["rows"]
            if r["group_id"] == str(unit.pk)
            and r["scale"] == "who5.percentage"
            and r["statistic"] == "mean"
        )
        assert (
            row["n"] == scale.by_unit[index].n
            and row["suppressed"] == scale.by_unit[index].suppressed
        )


def test_a_suppressed_cell_comes_with_its_reason_and_never_a_number(
    client, org, token, bearer, wave, units
):
    body = client.get(
        f"/api/v1/orgs/{org.slug}/waves/{wave.pk}/report", **bearer(token.secret)
    ).json()
    night = [r for r in body["rows"] if r["group_id"] == str(units["night"].pk)]
    physicians = [
        r for r in body["rows"] if r["group_type"] == "role" and r["group_id"] == "physician"
    ]
    assert night and physicians
    for row in night + physicians:
        assert row["suppressed"] and row["reason"]
        assert row["value"] is None and row["n"] is None


def test_the_long_export_has_one_row_per_group_scale_wave_and_statistic(
    client, org, token, bearer, survey, wave, units, org_admin, make_wave, fill
):
    autumn = make_wave(survey, "Autumn", 20, org_admin)
    fill(autumn, units["ed"], 10, burnout=4, prefix="b")
    response = client.get(
        f"/api/v1/orgs/{org.slug}/surveys/{survey.pk}/export.csv", **bearer(token.secret)
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    keys = [(r["wave"], r["group_type"], r["group_id"], r["scale"], r["statistic"]) for r in rows]
    assert len(keys) == len(set(keys))
    assert {r["wave"] for r in rows} == {"Spring", "Autumn"}
    for row in rows:
        if row["suppressed"] == "true":
            assert row["value"] == "" and row["reason"]


def test_the_long_export_carries_the_change_between_waves(
    client, org, token, bearer, units, org_admin, make_wave, fill
):
    from wellbeing.surveys import actions

    survey = actions.create_survey(
        organization=org, name="Check-in", instruments=["single-item-burnout"], actor=org_admin
    )
    first, second = make_wave(survey, "One", 60, org_admin), make_wave(survey, "Two", 20, org_admin)
    for w, burnout in ((first, 2), (second, 4)):
        fill(w, units["ed"], 12, burnout=burnout, prefix="c")
        fill(w, units["icu"], 8, burnout=burnout, prefix="c")
    response = client.get(
        f"/api/v1/orgs/{org.slug}/surveys/{survey.pk}/export.csv", **bearer(token.secret)
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    change = next(
        r
        for r in rows
        if r["wave"] == "Two"
        and r["group_type"] == "organization"
        and r["statistic"] == "mean_change"
    )
    assert float(change["value"]) == pytest.approx(2.0), change["reason"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/orgs/lakeside/surveys",
        "/api/v1/orgs/no-such-org/surveys",
        "/api/v1/orgs/riverbend/waves/{other_wave}",
        "/api/v1/orgs/riverbend/waves/{other_wave}/counts",
        "/api/v1/orgs/riverbend/waves/{other_wave}/report",
        "/api/v1/orgs/riverbend/surveys/{other_survey}/waves",
        "/api/v1/orgs/riverbend/surveys/{other_survey}/export.csv",
        "/api/v1/orgs/lakeside/waves/{other_wave}/report",
    ],
)
def test_another_organizations_data_is_never_reachable_by_guessing_ids(
    client, token, bearer, other_org, outsider, path, make_wave
):
    from wellbeing.surveys import actions

    other = actions.create_survey(
        organization=other_org, name="Theirs", instruments=["who5"], actor=outsider
    )
    other_wave = make_wave(other, "Theirs", 30, outsider)
    url = path.format(other_wave=other_wave.pk, other_survey=other.pk)
    response = client.get(url, **bearer(token.secret))
    assert response.status_code == 404
    assert "Theirs" not in response.content.decode()


def test_the_outsiders_own_token_does_not_open_our_organization(
    client, org, other_org, outsider, make_token, bearer, wave
):
    theirs = make_token(organization=other_org, actor=outsider)
    for url in (
        f"/api/v1/orgs/{org.slug}/surveys",
        f"/api/v1/orgs/{org.slug}/waves/{wave.pk}/report",
    ):
        assert client.get(url, **bearer(theirs.secret)).status_code == 404


# --- progress ---------------------------------------------------------------------------


@pytest.fixture
def commitment(org, org_admin, staff_curator):
    import datetime as dt
    from decimal import Decimal

    from wellbeing.campaign import actions
    from wellbeing.plan.models import PriorityArea

    area = PriorityArea.objects.order_by("number").first()
    participant = actions.sign_on(
        user=org_admin,
        organization=org,
        signer_name="Alice Admin",
        signer_title="CWO",
        authority_statement="Alice Admin: I may commit Riverbend.",
        role="accelerator",
        priority_areas=[area],
        is_public=True,
    )
    actions.confirm_email(actions.confirmation_token(participant))
    actions.approve(participant, actor=staff_curator)
    return actions.add_commitment(
        participant,
        actor=org_admin,
        title="Lower burnout",
        priority_area=area,
        goal_statement="Halve burnout.",
        metric=actions.MetricInput(
            name="Burnout",
            unit="%",
            direction="decrease",
            baseline_value=Decimal("40"),
            baseline_date=dt.date(2026, 1, 15),
            target_value=Decimal("20"),
            target_date=dt.date(2027, 12, 31),
        ),
    )


def _quarter():
    from django.utils import timezone

    from wellbeing.campaign.periods import quarter_end

    return quarter_end(timezone.localdate()).isoformat()


def test_a_token_with_progress_write_files_a_report(client, org, token, bearer, commitment):
    metric = commitment.metrics.get()
    url = f"/api/v1/orgs/{org.slug}/commitments/{commitment.pk}/progress"
    body = {"period_end": _quarter(), "narrative": "Rota changes.", "values": {metric.pk: 33.5}}
    response = client.post(url, body, content_type="application/json", **bearer(token.secret))
    assert response.status_code == 201, response.content
    listed = client.get(f"/api/v1/orgs/{org.slug}/commitments", **bearer(token.secret)).json()
    assert listed[0]["metrics"][0]["current_value"] == 33.5
    again = client.post(url, body, content_type="application/json", **bearer(token.secret))
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"narrative": ""}, 400),
        ({"period_end": "2026-02-27"}, 400),
        ({"period_end": "2999-12-31"}, 400),
        ({"values": {"999999": 1}}, 400),
        ({"values": {"{metric}": 1e300}}, 400),
        ({"evidence_links": ["javascript:alert(1)"]}, 400),
    ],
)
def test_bad_progress_input_is_a_400_and_stores_nothing(
    client, org, token, bearer, commitment, change, status
):
    from wellbeing.campaign.models import ProgressReport

    metric = commitment.metrics.get()
    body = {"period_end": _quarter(), "narrative": "x", **change}
    if "values" in change:
        body["values"] = {
            k.replace("{metric}", str(metric.pk)): v for k, v in change["values"].items()
        }
    url = f"/api/v1/orgs/{org.slug}/commitments/{commitment.pk}/progress"
    response = client.post(url, body, content_type="application/json", **bearer(token.secret))
    assert response.status_code == status, response.content
    assert response.json()["detail"]
    assert not ProgressReport.objects.exists()


def test_reading_reports_does_not_allow_writing_progress(
    client, org, make_token, bearer, commitment
):
    reader = make_token(scopes=["reports:read", "progress:read"])
    url = f"/api/v1/orgs/{org.slug}/commitments/{commitment.pk}/progress"
    body = {"period_end": _quarter(), "narrative": "x"}
    response = client.post(url, body, content_type="application/json", **bearer(reader.secret))
    assert response.status_code == 403


@pytest.mark.parametrize("path", ["/api/v1/campaign/participants", "/api/v1/events"])
def test_an_offset_beyond_any_list_is_a_clear_400_not_a_500(client, db, path):
    # Found by the schema test: 6393983275575407542272 overflowed the database's OFFSET.
    response = client.get(path, {"offset": 6393983275575407542272})
    assert response.status_code == 400
    assert "offset" in response.content.decode()
    assert client.get(path, {"offset": 1_000_000_000}).status_code == 200
