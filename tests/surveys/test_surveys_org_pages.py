"""Organization pages: design, waves, links, and counts that never expose a small group."""

import csv
import io
import re

import pytest

from wellbeing.surveys import actions
from wellbeing.surveys.models import InvitationToken, Survey, SurveyVersion, Wave


def _fill(wave, unit, n, answers, start=0):
    rows = [
        actions.ImportedResponse(
            key=f"t-{wave.pk}-{unit.pk if unit else 'x'}-{start + i}",
            unit=unit,
            answers=answers(),
            demographics={},
        )
        for i in range(n)
    ]
    actions.record_synthetic_responses(wave=wave, rows=rows)


def test_use_it_in_a_survey_adds_the_instrument_to_the_recommended_set(client, org, org_admin):
    client.force_login(org_admin)
    page = client.get(f"/measure/{org.slug}/surveys/new/?instrument=who5")
    assert set(page.context["form"].initial["instruments"]) == {
        "single-item-burnout",
        "mini-z-2",
        "pfi",
        "who5",
    }
    assert re.search(r'<input[^>]*value="who5"[^>]*checked>', page.content.decode())


def test_an_instrument_the_catalogue_cannot_field_is_said_not_dropped(client, org, org_admin):
    client.force_login(org_admin)
    page = client.get(f"/measure/{org.slug}/surveys/new/?instrument=no-such-thing")
    assert page.status_code == 200
    assert "cannot be fielded from the catalogue" in page.content.decode()
    assert set(page.context["form"].initial["instruments"]) == {
        "single-item-burnout",
        "mini-z-2",
        "pfi",
    }


def test_an_admin_designs_a_survey_with_the_recommended_set_preselected(client, org, org_admin):
    client.force_login(org_admin)
    page = client.get(f"/measure/{org.slug}/surveys/new/")
    assert page.status_code == 200
    assert set(page.context["form"].initial["instruments"]) == {
        "single-item-burnout",
        "mini-z-2",
        "pfi",
    }
    response = client.post(
        f"/measure/{org.slug}/surveys/new/",
        {
            "name": "Annual",
            "instruments": ["single-item-burnout", "who5"],
            "demographics": ["role"],
            "open_question_1": "Anything else?",
        },
    )
    survey = Survey.objects.get(name="Annual")
    assert response.status_code == 302 and response.headers["Location"] == survey.get_absolute_url()
    assert survey.current_version.instruments == ["single-item-burnout", "who5"]
    detail = client.get(survey.get_absolute_url()).content.decode()
    assert "about 2 minutes to complete" in " ".join(
        detail.split()
    )  # 7 closed x 8 s + 1 open x 45 s
    assert "Licence:" in detail


def test_the_design_form_explains_each_error(client, org, org_admin):
    client.force_login(org_admin)
    response = client.post(
        f"/measure/{org.slug}/surveys/new/", {"name": "", "instruments": ["not-an-instrument"]}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give the survey a name." in html
    assert "Select a valid choice." in html
    assert Survey.objects.count() == 0


def test_members_and_outsiders_cannot_reach_survey_pages(
    client, org, survey, wave, clinician, outsider
):
    for user in (clinician, outsider):
        client.force_login(user)
        for url in (
            f"/measure/{org.slug}/",
            survey.get_absolute_url(),
            wave.get_absolute_url(),
            f"/measure/{org.slug}/surveys/new/",
        ):
            assert client.get(url).status_code == 404, (user, url)
        assert (
            client.post(f"/measure/{org.slug}/waves/{wave.pk}/tokens/", {"count": 5}).status_code
            == 404
        )
    assert InvitationToken.objects.count() == 0


def test_an_outsider_cannot_reach_a_wave_through_their_own_organization(
    client, other_org, wave, outsider
):
    client.force_login(outsider)
    assert client.get(f"/measure/{other_org.slug}/waves/{wave.pk}/").status_code == 404
    assert (
        client.post(
            f"/measure/{other_org.slug}/waves/{wave.pk}/status/", {"status": "closed"}
        ).status_code
        == 404
    )
    wave.refresh_from_db()
    assert wave.status == "open"


def test_questions_freeze_once_a_wave_has_responses(survey, wave, units, answers, org_admin):
    v1 = survey.current_version
    actions.revise_survey(
        survey=survey, instruments=["who5"], demographics=[], open_questions=[], actor=org_admin
    )
    assert SurveyVersion.objects.count() == 1  # unanswered: edited in place
    _fill(wave, units["icu"], 1, lambda: {"who5": [1, 2, 3, 4, 5]})
    v2 = actions.revise_survey(
        survey=survey,
        instruments=["who5", "phq2"],
        demographics=[],
        open_questions=[],
        actor=org_admin,
    )
    assert v2.number == 2 and v2.pk != v1.pk
    v1.refresh_from_db()
    assert v1.instruments == ["who5"]
    assert Wave.objects.get(pk=wave.pk).version == v1


def test_while_the_wave_is_open_counts_are_rounded_down_and_show_no_exact_figure(
    client, org, wave, units, org_admin, answers
):
    _fill(wave, units["icu"], 12, answers)
    _fill(wave, units["ed"], 7, answers)
    _fill(wave, units["night"], 2, answers)
    client.force_login(org_admin)
    counts = client.get(wave.get_absolute_url()).context["counts"]
    assert counts.live
    by_name = {row.unit.name: row for row in counts.rows}
    # Each unit with the units under it: ICU 12 + 2, Nursing the same, ED 7.
    assert {name: row.at_least for name, row in by_name.items()} == {
        "Emergency Department": 5,
        "Nursing": 10,
        "Intensive Care Unit": 10,
        "ICU Night Team": None,
    }
    assert all(row.value is None for row in [*counts.rows, counts.total])
    assert counts.total.at_least == 20
    assert "fewer than 5" in by_name["ICU Night Team"].reason
    assert by_name["Intensive Care Unit"].rate == 25  # at least 10 of 40
    # One more response changes nothing a reader can see until a multiple of 5 is crossed.
    _fill(wave, units["ed"], 1, answers, start=90)  # ED 8, total 22
    again = client.get(f"/measure/{org.slug}/waves/{wave.pk}/counts/").context["counts"]
    assert [(r.unit.name, r.at_least) for r in again.rows] == [
        (r.unit.name, r.at_least) for r in counts.rows
    ]


def test_once_closed_counts_are_the_results_and_hide_small_units_and_their_complement(
    client, org, wave, units, org_admin, answers, close
):
    _fill(wave, units["icu"], 12, answers)
    _fill(wave, units["ed"], 7, answers)
    _fill(wave, units["night"], 2, answers)  # too small
    close(wave)
    client.force_login(org_admin)
    counts = client.get(wave.get_absolute_url()).context["counts"]
    assert not counts.live and counts.release.number == 1
    by_name = {row.unit.name: row for row in counts.rows}
    assert by_name["ICU Night Team"].value is None
    assert "fewer than 5" in by_name["ICU Night Team"].reason
    k = org.effective_min_group_size
    # Whatever is shown, no subtraction gives the night team's 2.
    icu, nursing = by_name["Intensive Care Unit"].value, by_name["Nursing"].value
    for whole in (icu, nursing, counts.total.value):
        for part in (None, by_name["ICU Night Team"].value):
            if whole is not None and part is not None:
                assert whole - part == 0 or whole - part >= k
    top = [by_name[n].value for n in ("Emergency Department", "Nursing")]
    if counts.total.value is not None and None not in top:
        assert counts.total.value - sum(top) in (0, *range(k, 100))
    if icu is not None:
        assert by_name["Intensive Care Unit"].rate == round(100 * icu / 40)


def test_a_unit_lead_sees_only_their_subtree_and_no_total(
    client, org, wave, units, unit_lead, answers
):
    _fill(wave, units["icu"], 6, answers)
    _fill(wave, units["ed"], 9, answers)
    client.force_login(unit_lead)
    counts = client.get(wave.get_absolute_url()).context["counts"]
    names = {row.unit.name for row in counts.rows}
    assert names == {"Nursing", "Intensive Care Unit", "ICU Night Team"}
    assert counts.total is None
    html = client.get(f"/measure/{org.slug}/waves/{wave.pk}/counts/").content.decode()
    assert "Emergency Department" not in html


def test_personal_links_download_as_csv_and_each_works_once(
    client, org, wave, units, org_admin, walk
):
    client.force_login(org_admin)
    response = client.post(
        f"/measure/{org.slug}/waves/{wave.pk}/tokens/", {"count": 3, "unit": units["icu"].pk}
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 3 and {r["unit"] for r in rows} == {"Intensive Care Unit"}
    assert InvitationToken.objects.filter(wave=wave, used=False).count() == 3
    path = rows[0]["survey_link"].split("testserver", 1)[1]
    respondent = client.__class__()
    walk(respondent, path)
    assert InvitationToken.objects.filter(used=True).count() == 1
    assert respondent.get(path).status_code == 410


@pytest.mark.parametrize("count", ["0", "-3", "abc", "20001", ""])
def test_a_bad_token_count_is_refused_with_a_message(client, org, wave, org_admin, count):
    client.force_login(org_admin)
    response = client.post(
        f"/measure/{org.slug}/waves/{wave.pk}/tokens/", {"count": count}, follow=True
    )
    assert response.status_code == 200
    assert InvitationToken.objects.count() == 0
    assert list(response.context["messages"])


def test_a_wave_with_missing_licensed_wording_cannot_open(client, org, units, org_admin):
    survey = actions.create_survey(
        organization=org, name="Mini-Z", instruments=["mini-z-2"], actor=org_admin
    )
    from django.utils import timezone

    wave = actions.create_wave(
        survey=survey,
        name="W",
        opens_at=timezone.now(),
        closes_at=timezone.now() + timezone.timedelta(days=1),
    )
    client.force_login(org_admin)
    response = client.post(
        f"/measure/{org.slug}/waves/{wave.pk}/status/", {"status": "open"}, follow=True
    )
    assert "cannot open until the licensed wording" in response.content.decode()
    wave.refresh_from_db()
    assert wave.status == "draft"


def test_the_wave_form_rejects_a_close_before_the_open(client, org, survey, org_admin):
    client.force_login(org_admin)
    response = client.post(
        f"/measure/{org.slug}/surveys/{survey.pk}/waves/new/",
        {"name": "Bad", "opens_at": "2027-03-10T09:00", "closes_at": "2027-03-01T09:00"},
    )
    assert response.status_code == 400
    assert "The closing time must be after the opening time." in response.content.decode()
    assert Wave.objects.count() == 0


def test_a_new_wave_gets_a_link_per_unit_and_headcounts(client, org, survey, units, org_admin):
    client.force_login(org_admin)
    response = client.post(
        f"/measure/{org.slug}/surveys/{survey.pk}/waves/new/",
        {
            "name": "Spring",
            "opens_at": "2027-03-01T09:00",
            "closes_at": "2027-03-21T17:00",
            f"headcount_{units['ed'].pk}": "25",
        },
    )
    wave = Wave.objects.get(name="Spring")
    assert response.status_code == 302
    assert wave.links.count() == len(units) + 1
    assert wave.targets.get().headcount == 25
    assert wave.opens_at.tzinfo is not None


def test_an_import_with_a_code_out_of_range_is_refused_clearly(wave):
    from wellbeing.surveys.models import Response

    bad = actions.ImportedResponse(
        key="x-1", unit=None, answers={"who5": [1, 2, 3, 4, 99_999]}, demographics={}
    )
    with pytest.raises(ValueError, match="who5_5"):
        actions.record_synthetic_responses(wave=wave, rows=[bad])
    assert Response.objects.count() == 0
