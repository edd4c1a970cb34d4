"""The confidential report, attacked: small groups, subtraction, other organizations, roles."""

import csv
import io

import pytest

from wellbeing.core.models import AuditEvent
from wellbeing.surveys import actions


def _fill(wave, unit, n, answers, role="nurse", start=0):
    rows = [
        actions.ImportedResponse(
            key=f"r-{wave.pk}-{unit.pk if unit else 'x'}-{start + i}",
            unit=unit,
            answers=answers(burnout=1 + (i % 5)),
            demographics={"role": role},
        )
        for i in range(n)
    ]
    actions.record_synthetic_responses(wave=wave, rows=rows)


@pytest.fixture
def filled(wave, units, answers, close):
    _fill(wave, units["icu"], 12, answers)
    _fill(wave, units["night"], 2, answers, role="physician")  # a small group
    _fill(wave, units["ed"], 9, answers, role="physician")
    _fill(wave, None, 6, answers)
    close(wave)  # its results are published when first read
    return wave


def _csv(client, wave):
    response = client.get(f"/measure/{wave.survey.organization.slug}/waves/{wave.pk}/report.csv")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _n(rows, group_type, group, scale="who5.percentage"):
    (row,) = [
        r
        for r in rows
        if r["group_type"] == group_type and r["group"] == group and r["scale"] == scale
    ]
    return int(row["n"]) if row["n"] else None


def test_the_report_shows_allowed_figures_and_says_why_others_are_hidden(client, filled, org_admin):
    client.force_login(org_admin)
    response = client.get(f"/measure/{filled.survey.organization.slug}/waves/{filled.pk}/report/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Units at a glance" in html
    assert "Hidden: fewer than 5 responses" in html
    report = response.context["report"]
    assert report.responses.n == 29
    assert AuditEvent.objects.filter(verb="report.view").count() == 1


def test_no_published_figure_reveals_a_small_group_by_subtraction(client, filled, units, org_admin):
    client.force_login(org_admin)
    rows = _csv(client, filled)
    k = filled.survey.organization.effective_min_group_size
    night = _n(rows, "unit", "ICU Night Team")
    icu, nursing = _n(rows, "unit", "Intensive Care Unit"), _n(rows, "unit", "Nursing")
    assert night is None
    # ICU (12 own + 2 night) minus its only child, or Nursing minus ICU, must not give 2.
    for parent, child in ((icu, night), (nursing, icu)):
        if parent is not None and child is not None:
            assert parent - child == 0 or parent - child >= k
    # The organization's total minus every published unit total at the top level.
    total = _n(rows, "organization", filled.survey.organization.name)
    top = [_n(rows, "unit", name) for name in ("Emergency Department", "Nursing")]
    if total is not None and None not in top:
        rest = total - sum(top)
        assert rest == 0 or rest >= k
    # Demographic totals minus the other categories.
    roles = [r for r in rows if r["group_type"] == "role" and r["scale"] == "who5.percentage"]
    shown = [int(r["n"]) for r in roles if r["n"]]
    if total is not None:
        hidden = total - sum(shown)
        assert hidden == 0 or hidden >= k


def test_every_csv_figure_is_either_large_enough_or_zero(client, filled, org_admin):
    client.force_login(org_admin)
    k = filled.survey.organization.effective_min_group_size
    for row in _csv(client, filled):
        if row["n"]:
            assert int(row["n"]) == 0 or int(row["n"]) >= k, row
        else:
            assert row["suppressed_reason"].startswith("hidden"), row


def test_a_unit_lead_sees_only_their_subtree(client, filled, unit_lead):
    client.force_login(unit_lead)
    rows = _csv(client, filled)
    groups = {r["group"] for r in rows}
    assert "Emergency Department" not in groups
    assert {r["group_type"] for r in rows} == {"unit"}  # no organization or demographic totals
    response = client.get(f"/measure/{filled.survey.organization.slug}/waves/{filled.pk}/report/")
    html = response.content.decode()
    assert "Emergency Department" not in html
    # The headline is the led unit's, not the organization's (which includes other units).
    assert "Headline results: Nursing" in html
    report = response.context["report"]
    nursing = next(row.index for row in report.units if row.unit.name == "Nursing")
    assert response.context["headline"][0]["figure"] == report.scales[0].by_unit[nursing]
    assert response.context["headline"][0]["figure"] != report.scales[0].overall
    assert report.responses.n == 29 and "29 responses" not in html
    assert "In their own words" not in html


def test_members_and_outsiders_get_nothing(client, filled, clinician, outsider, other_org):
    for user in (clinician, outsider):
        client.force_login(user)
        for slug in (filled.survey.organization.slug, other_org.slug):
            assert client.get(f"/measure/{slug}/waves/{filled.pk}/report/").status_code == 404
            assert client.get(f"/measure/{slug}/waves/{filled.pk}/report.csv").status_code == 404


def test_change_is_reported_against_the_previous_wave(
    client, filled, survey, units, org_admin, answers
):
    from datetime import timedelta

    later = actions.create_wave(
        survey=survey,
        name="Wave 2",
        opens_at=filled.opens_at + timedelta(days=60),
        closes_at=filled.closes_at + timedelta(days=60),
    )
    actions.set_wave_status(wave=later, status="open")
    _fill(later, units["icu"], 12, answers, start=100)
    actions.set_wave_status(wave=later, status="closed")
    client.force_login(org_admin)
    report = client.get(f"/measure/{survey.organization.slug}/waves/{later.pk}/report/").context[
        "report"
    ]
    assert report.previous == filled
    burnout = next(s for s in report.scales if s.key == "single-item-burnout.score")
    assert burnout.change is not None
    # Only ICU answered in wave 2: the organization-wide comparison is between 29 and 12 responses.
    assert burnout.overall.n == 12


def test_comments_need_ten_responses(client, wave, units, org_admin, answers, walk, close):
    from wellbeing.reports import door

    client.force_login(org_admin)
    _fill(wave, units["icu"], 8, answers)
    walk(
        client.__class__(),
        wave.links.get(unit=None).get_absolute_url(),
        comment="Please fix the night rota.",
    )
    door.publish_interim(org_admin, wave.survey.organization, wave)  # 9 responses
    url = f"/measure/{wave.survey.organization.slug}/waves/{wave.pk}/report/"
    report = client.get(url).context["report"]
    assert report.comments is None and "at least 10" in report.comments_reason
    walk(client.__class__(), wave.links.get(unit=None).get_absolute_url(), comment="More breaks.")
    _fill(wave, units["ed"], 5, answers, start=50)
    close(wave)
    report = client.get(url).context["report"]
    assert report.release.number == 2 and report.release.final
    assert sorted(report.comments) == ["More breaks.", "Please fix the night rota."]


def test_the_xlsx_holds_the_same_allowed_figures_as_the_csv(client, filled, org_admin):
    from openpyxl import load_workbook

    client.force_login(org_admin)
    response = client.get(
        f"/measure/{filled.survey.organization.slug}/waves/{filled.pk}/report.xlsx"
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    csv_rows = _csv(client, filled)
    assert len(rows) - 1 == len(csv_rows)
    header = rows[0]
    night = [r for r in rows[1:] if r[header.index("group")] == "ICU Night Team"]
    assert night and all(r[header.index("n")] in (None, "") for r in night)
    assert AuditEvent.objects.filter(verb="report.export_xlsx").count() == 1


def test_the_pdf_downloads_as_a_valid_pdf_and_is_audited(client, filled, org_admin):
    client.force_login(org_admin)
    response = client.get(
        f"/measure/{filled.survey.organization.slug}/waves/{filled.pk}/report.pdf"
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-") and b"%%EOF" in response.content[-1024:]
    assert AuditEvent.objects.filter(verb="report.export_pdf").count() == 1


def test_outsiders_cannot_download_exports(client, filled, outsider):
    client.force_login(outsider)
    slug = filled.survey.organization.slug
    for suffix in ("report.pdf", "report.xlsx", "report.csv"):
        assert client.get(f"/measure/{slug}/waves/{filled.pk}/{suffix}").status_code == 404
    assert not AuditEvent.objects.filter(verb__startswith="report.").exists()


def test_a_lead_below_the_top_level_reads_no_interim_figures_not_even_the_organizations(
    client, wave, units, org, answers
):
    from wellbeing.accounts import actions as accounts
    from wellbeing.accounts.models import User
    from wellbeing.reports import door

    icu_lead = User.objects.create_user("ivy@riverbend.test", "a-long-test-password")
    accounts.add_member(organization=org, user=icu_lead, role="unit_lead", unit=units["icu"])
    admin = User.objects.create_user("ada@riverbend.test", "a-long-test-password")
    accounts.add_member(organization=org, user=admin, role="org_admin")
    _fill(wave, units["icu"], 12, answers)
    _fill(wave, units["ed"], 9, answers, role="physician")
    door.publish_interim(admin, org, wave)
    client.force_login(icu_lead)
    base = f"/measure/{org.slug}/waves/{wave.pk}"
    page = client.get(f"{base}/report/")
    assert page.status_code == 200 and page.context["report"] is None
    html = page.content.decode()
    assert "the units you lead are in the final results" in html
    assert "Mean of" not in html and "Headline results" not in html
    assert client.get(f"{base}/report.csv").status_code == 404
