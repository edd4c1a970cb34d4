import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from tests.campaign.conftest import area, metric

from wellbeing.campaign import actions
from wellbeing.campaign.models import Commitment, MetricValue, ProgressReport, ReminderSent
from wellbeing.campaign.periods import due_date, last_late_quarter, quarter_end, quarters_between


def progress_url(c):
    return reverse("campaign:progress_new", args=[c.participant_id, c.pk])


def this_quarter():
    return quarter_end(timezone.localdate()).isoformat()


def test_quarters_end_on_the_last_day_of_march_june_september_and_december():
    assert quarter_end(dt.date(2026, 2, 10)) == dt.date(2026, 3, 31)
    assert quarter_end(dt.date(2026, 12, 31)) == dt.date(2026, 12, 31)
    assert quarters_between(dt.date(2026, 11, 5), dt.date(2027, 4, 1)) == [
        dt.date(2026, 12, 31),
        dt.date(2027, 3, 31),
        dt.date(2027, 6, 30),
    ]
    assert due_date(dt.date(2026, 3, 31)) == dt.date(2026, 4, 30)
    # Late means past the due date: on April 30 the first quarter is not late yet.
    assert last_late_quarter(dt.date(2026, 4, 30)) == dt.date(2025, 12, 31)
    assert last_late_quarter(dt.date(2026, 5, 1)) == dt.date(2026, 3, 31)
    assert last_late_quarter(dt.date(2026, 1, 15)) == dt.date(2025, 9, 30)
    with pytest.raises(ValueError, match="end: expected a date on or after"):
        quarters_between(dt.date(2026, 5, 1), dt.date(2026, 4, 1))


@pytest.mark.django_db
def test_a_progress_report_updates_the_metrics_latest_value(client, commitment, org_admin):
    client.force_login(org_admin)
    only = commitment.metrics.get()
    response = client.post(
        progress_url(commitment),
        {
            "period_end": this_quarter(),
            f"metric_{only.pk}": "37.5",
            "narrative": "Scheduling changes in two units.",
            "obstacles": "Staffing shortages.",
            "evidence_links": "https://example.org/report\n\nhttps://example.org/minutes",
        },
    )
    assert response.status_code == 302
    report = ProgressReport.objects.get()
    assert report.evidence_links == ["https://example.org/report", "https://example.org/minutes"]
    only.refresh_from_db()
    assert only.current_value == Decimal("37.5")
    assert str(only.current_as_of) == this_quarter()
    page = client.get(commitment.get_absolute_url()).content.decode()
    assert "Scheduling changes in two units." in page and "37.5" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("metric", "thirty", "Enter a number, for example 42 or 12.5."),
        ("evidence_links", "javascript:alert(1)", "is not a web address"),
        ("evidence_links", "see the intranet", "is not a web address"),
        ("narrative", "", "Describe the quarter&#x27;s progress."),
        ("period_end", "2026-02-30", "Choose a quarter that has not been reported yet."),
        ("period_end", "1999-12-31", "Choose a quarter that has not been reported yet."),
    ],
)
def test_bad_progress_input_gets_a_clear_form_error(
    client, commitment, org_admin, field, value, message
):
    client.force_login(org_admin)
    only = commitment.metrics.get()
    data = {"period_end": this_quarter(), "narrative": "Progress.", f"metric_{only.pk}": "30"}
    data[f"metric_{only.pk}" if field == "metric" else field] = value
    response = client.post(progress_url(commitment), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ProgressReport.objects.exists()


@pytest.mark.django_db
def test_a_quarter_is_reported_once(client, commitment, org_admin):
    client.force_login(org_admin)
    data = {"period_end": this_quarter(), "narrative": "First."}
    assert client.post(progress_url(commitment), data).status_code == 302
    again = client.post(progress_url(commitment), {**data, "narrative": "Second."})
    assert again.status_code == 400
    assert ProgressReport.objects.get().narrative == "First."


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["outsider", "clinician"])
def test_only_the_participants_admins_file_reports(client, commitment, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.post(
        progress_url(commitment), {"period_end": this_quarter(), "narrative": "x"}
    )
    assert response.status_code == 404
    assert not ProgressReport.objects.exists()


@pytest.mark.django_db
def test_a_value_from_an_older_quarter_does_not_replace_a_newer_one(commitment, org_admin):
    only = commitment.metrics.get()
    actions.record_progress(
        commitment,
        actor=org_admin,
        period_end=dt.date(2026, 9, 30),
        narrative="Q3",
        values={only.pk: Decimal("35")},
    )
    actions.record_progress(
        commitment,
        actor=org_admin,
        period_end=dt.date(2026, 6, 30),
        narrative="Q2 late",
        values={only.pk: Decimal("39")},
    )
    only.refresh_from_db()
    assert (only.current_value, only.current_as_of) == (Decimal("35"), dt.date(2026, 9, 30))
    with pytest.raises(ValueError, match="period_end: expected the last day of a quarter"):
        actions.record_progress(
            commitment, actor=org_admin, period_end=dt.date(2026, 9, 29), narrative="x", values={}
        )


# --- reminders --------------------------------------------------------------------------


def _made_on(commitment, day):
    Commitment.objects.filter(pk=commitment.pk).update(
        created_at=dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    )


@pytest.mark.django_db
def test_a_reminder_goes_out_once_before_the_report_is_due(
    commitment, django_capture_on_commit_callbacks
):
    _made_on(commitment, dt.date(2026, 2, 1))
    # Q1 2026 ends March 31, its report is due April 30; reminders start April 16.
    assert actions.send_due_reminders(dt.date(2026, 4, 10)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.send_due_reminders(dt.date(2026, 4, 20)) == 1
    assert actions.send_due_reminders(dt.date(2026, 4, 21)) == 0
    assert [m.to for m in mail.outbox] == [["alice@riverbend.test"]]
    assert "April 30, 2026" in mail.outbox[0].subject
    assert ReminderSent.objects.get().period_end == dt.date(2026, 3, 31)


@pytest.mark.django_db
def test_no_reminder_once_the_quarter_is_reported(commitment, org_admin):
    _made_on(commitment, dt.date(2026, 2, 1))
    actions.record_progress(
        commitment, actor=org_admin, period_end=dt.date(2026, 3, 31), narrative="Done", values={}
    )
    assert actions.send_due_reminders(dt.date(2026, 4, 20)) == 0


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["achieved", "not_achieved", "withdrawn"])
def test_no_reminder_for_a_finished_commitment(commitment, status):
    _made_on(commitment, dt.date(2026, 2, 1))
    Commitment.objects.filter(pk=commitment.pk).update(status=status)
    assert actions.send_due_reminders(dt.date(2026, 4, 20)) == 0


@pytest.mark.django_db
def test_no_reminder_for_a_pending_participant(pending, org_admin):
    c = actions.add_commitment(
        pending,
        actor=org_admin,
        title="t",
        priority_area=area(),
        goal_statement="g",
        metric=metric(),
    )
    _made_on(c, dt.date(2026, 2, 1))
    assert actions.send_due_reminders(dt.date(2026, 4, 20)) == 0


# --- survey-linked metrics --------------------------------------------------------------


@pytest.fixture
def linked(org, units, org_admin, commitment):
    """A burnout survey of Riverbend and the commitment's metric linked to its burned-out share."""
    from wellbeing.surveys import actions as survey_actions

    survey = survey_actions.create_survey(
        organization=org,
        name="Pulse",
        instruments=["single-item-burnout"],
        demographics=[],
        open_questions=[],
        actor=org_admin,
    )
    only = commitment.metrics.get()
    actions.link_metric_to_survey(
        only, actor=org_admin, survey=survey, scale="single-item-burnout.score", statistic="share"
    )
    return survey, only


def _wave(survey, name, start, burned_out, not_burned_out, units, actor):
    """A closed wave with the given numbers of burned-out (3-5) and other (1-2) answers."""
    from wellbeing.surveys import actions as survey_actions

    opens = dt.datetime.combine(start, dt.time(9), tzinfo=dt.UTC)
    wave = survey_actions.create_wave(
        survey=survey,
        name=name,
        opens_at=opens,
        closes_at=opens + dt.timedelta(days=14),
        headcounts={units["icu"]: 40},
        actor=actor,
    )
    codes = [3 + i % 3 for i in range(burned_out)] + [1 + i % 2 for i in range(not_burned_out)]
    survey_actions.import_responses(
        wave=wave,
        rows=[
            survey_actions.ImportedResponse(
                key=f"{name}-{i}",
                unit=units["icu"],
                answers={"single-item-burnout": [code]},
                demographics={},
            )
            for i, code in enumerate(codes)
        ],
    )
    return survey_actions.set_wave_status(wave=wave, status="closed", actor=actor)


@pytest.mark.django_db
def test_a_second_waves_measured_change_becomes_the_metrics_new_value(
    linked, units, org_admin, client
):
    from wellbeing.reports.door import latest_report

    survey, only = linked
    first = _wave(survey, "Spring", dt.date(2026, 3, 1), 10, 10, units, org_admin)
    second = _wave(survey, "Autumn", dt.date(2026, 9, 1), 5, 15, units, org_admin)
    assert len(actions.fill_metrics_from_wave(first)) == 1
    only.refresh_from_db()
    assert only.current_value == Decimal("50.0")
    actions.fill_metrics_from_wave(second)
    only.refresh_from_db()
    report = latest_report(second)
    (scale,) = [s for s in report.scales if s.key == "single-item-burnout.score"]
    assert (
        only.current_value == Decimal(str(round(scale.overall.share * 100, 1))) == Decimal("25.0")
    )
    assert only.current_as_of == timezone.localdate(second.closes_at)
    # The change shown on the commitment equals the report's change in the share.
    values = list(MetricValue.objects.filter(metric=only).values_list("value", flat=True))
    assert values == [Decimal("50.0"), Decimal("25.0")]
    assert round(scale.rate_change.difference * 100, 1) == -25.0
    # Running again records nothing twice.
    assert actions.fill_metrics_from_wave(second) == []
    client.force_login(org_admin)
    assert "25" in client.get(only.commitment.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_a_wave_too_small_to_report_fills_in_nothing(linked, units, org_admin):
    survey, only = linked
    small = _wave(survey, "Tiny", dt.date(2026, 3, 1), 2, 1, units, org_admin)
    assert actions.fill_metrics_from_wave(small) == []
    only.refresh_from_db()
    assert only.current_value is None
    assert not MetricValue.objects.exists()


@pytest.mark.django_db
def test_the_daily_task_fills_metrics_from_closed_waves(linked, units, org_admin):
    from wellbeing.campaign.tasks import fill_metrics_from_closed_waves

    survey, only = linked
    _wave(survey, "Spring", dt.date(2026, 3, 1), 4, 16, units, org_admin)
    result = fill_metrics_from_closed_waves.enqueue()
    assert result.return_value == 1
    only.refresh_from_db()
    assert only.current_value == Decimal("20.0")


@pytest.mark.django_db
def test_a_metric_cannot_be_linked_to_another_organizations_survey(
    client, commitment, other_org, outsider, org_admin
):
    from wellbeing.surveys import actions as survey_actions

    theirs = survey_actions.create_survey(
        organization=other_org,
        name="Lakeside pulse",
        instruments=["single-item-burnout"],
        demographics=[],
        open_questions=[],
        actor=outsider,
    )
    only = commitment.metrics.get()
    with pytest.raises(PermissionError):
        actions.link_metric_to_survey(
            only,
            actor=org_admin,
            survey=theirs,
            scale="single-item-burnout.score",
            statistic="share",
        )
    client.force_login(org_admin)
    url = reverse("campaign:metric_link", args=[commitment.participant_id, commitment.pk, only.pk])
    assert "Lakeside pulse" not in client.get(url).content.decode()
    response = client.post(
        url, {"survey": theirs.pk, "scale": "single-item-burnout.score", "statistic": "share"}
    )
    assert response.status_code == 400
    assert "Choose one of your organization&#x27;s surveys." in response.content.decode()
    only.refresh_from_db()
    assert only.survey is None
    client.force_login(outsider)
    assert client.get(url).status_code == 404
