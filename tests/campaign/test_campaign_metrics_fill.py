"""Closing a wave fills the commitment metrics linked to its survey, with no daily job.

The suite runs tasks with the immediate backend (tests/conftest.py), so what a worker would
run within a minute of the close has run when the close's transaction commits.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from tests.conftest import store_synthetic


def burnout(burnout):
    return {"single-item-burnout": [burnout]}


@pytest.fixture
def linked(org, units, org_admin, commitment):
    """A burnout survey of Riverbend, the commitment's metric linked to its burned-out share,
    and an open wave with 20 synthetic responses (12 burned out: answers 3, 4 and 5)."""
    from wellbeing.campaign import actions
    from wellbeing.surveys import actions as survey_actions

    survey = survey_actions.create_survey(
        organization=org,
        name="Pulse",
        instruments=["single-item-burnout"],
        demographics=[],
        open_questions=[],
        actor=org_admin,
    )
    metric = commitment.metrics.get()
    actions.link_metric_to_survey(
        metric, actor=org_admin, survey=survey, scale="single-item-burnout.score", statistic="share"
    )
    now = timezone.now()
    wave = survey_actions.create_wave(
        survey=survey,
        name="Spring",
        opens_at=now - dt.timedelta(days=14),
        closes_at=now + dt.timedelta(days=1),
        headcounts={units["icu"]: 40},
        actor=org_admin,
    )
    survey_actions.open_links(wave=wave, units=[units["icu"]], actor=org_admin)
    wave = survey_actions.set_wave_status(wave=wave, status="open", actor=org_admin)
    store_synthetic(wave, units["icu"], 20, answers=burnout, demographics={})
    return wave, metric


@pytest.mark.django_db
def test_closing_a_wave_fills_its_linked_metric_when_the_close_commits(
    linked, org_admin, django_capture_on_commit_callbacks
):
    from wellbeing.surveys import actions as survey_actions

    wave, metric = linked
    with django_capture_on_commit_callbacks(execute=True):
        survey_actions.set_wave_status(wave=wave, status="closed", actor=org_admin)
    metric.refresh_from_db()
    assert metric.current_value == Decimal("60.0")
    assert metric.values.get().wave == wave


@pytest.mark.django_db
def test_a_wave_closing_again_records_the_metric_once(
    linked, org_admin, django_capture_on_commit_callbacks
):
    from wellbeing.campaign.tasks import fill_metrics_for_wave
    from wellbeing.surveys import actions as survey_actions

    wave, metric = linked
    with django_capture_on_commit_callbacks(execute=True):
        survey_actions.set_wave_status(wave=wave, status="closed", actor=org_admin)
    assert fill_metrics_for_wave.enqueue(wave.pk).return_value == 0
    assert metric.values.count() == 1


@pytest.mark.django_db
def test_an_open_wave_fills_nothing_even_when_asked(linked):
    from wellbeing.campaign.tasks import fill_metrics_for_wave

    wave, metric = linked
    assert fill_metrics_for_wave.enqueue(wave.pk).return_value == 0
    metric.refresh_from_db()
    assert metric.current_value is None


@pytest.mark.django_db
def test_the_scheduler_closes_a_wave_past_its_close_and_fills_its_metric(
    linked, settings, django_capture_on_commit_callbacks
):
    from wellbeing.surveys.models import Wave

    wave, metric = linked
    Wave.objects.filter(pk=wave.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    settings.PERIODIC_TASKS = {
        "close-due-waves": {"task": "wellbeing.surveys.tasks.close_due_waves", "every": 60}
    }
    with django_capture_on_commit_callbacks(execute=True):
        call_command("scheduler", "--once", stdout=None)
    wave.refresh_from_db()
    metric.refresh_from_db()
    assert wave.status == Wave.Status.CLOSED
    assert metric.current_value == Decimal("60.0")
