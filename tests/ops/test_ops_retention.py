"""Data retention: free-text answers are deleted a set time after their wave closed."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from wellbeing.core.models import AuditEvent
from wellbeing.surveys import actions
from wellbeing.surveys.models import Comment, Response


@pytest.fixture
def old_and_new(org, org_admin):
    survey = actions.create_survey(
        organization=org,
        name="Pulse",
        instruments=["single-item-burnout"],
        open_questions=["What would help most?"],
        actor=org_admin,
    )
    now = timezone.now()
    waves = {}
    for name, closed_days_ago in (("Old", 800), ("Recent", 30)):
        wave = actions.create_wave(
            survey=survey,
            name=name,
            opens_at=now - dt.timedelta(days=closed_days_ago + 20),
            closes_at=now - dt.timedelta(days=closed_days_ago),
            actor=org_admin,
        )
        actions.import_responses(
            wave=wave,
            rows=[
                actions.ImportedResponse(
                    key=f"{name}-{i}",
                    unit=None,
                    answers={"single-item-burnout": [2]},
                    demographics={},
                )
                for i in range(3)
            ],
        )
        actions.import_comments(wave=wave, texts=["More staff.", "Fewer clicks."], actor=org_admin)
        waves[name] = wave
    return waves


def test_the_command_deletes_only_comments_of_waves_closed_long_enough_ago(old_and_new):
    out = io.StringIO()
    call_command("retention", "--months", "24", stdout=out)
    assert not Comment.objects.filter(wave=old_and_new["Old"]).exists()
    assert Comment.objects.filter(wave=old_and_new["Recent"]).count() == 2
    assert Response.objects.count() == 6  # closed answers and scores stay
    assert "2 free-text answers deleted from 1 waves" in out.getvalue()
    row = AuditEvent.objects.get(verb="wave.comments_expired")
    assert row.detail == {"months": 24, "deleted": 2}
    assert row.organization == old_and_new["Old"].survey.organization


def test_the_setting_drives_the_command_and_zero_keeps_everything(old_and_new, settings):
    settings.RETENTION_FREE_TEXT_MONTHS = 0
    out = io.StringIO()
    call_command("retention", stdout=out)
    assert Comment.objects.count() == 4
    assert "Retention is off" in out.getvalue()
    settings.RETENTION_FREE_TEXT_MONTHS = 1
    call_command("retention", stdout=io.StringIO())
    assert Comment.objects.count() == 0


def test_the_task_applies_the_setting(old_and_new, settings):
    from wellbeing.surveys.tasks import expire_free_text

    settings.RETENTION_FREE_TEXT_MONTHS = 24
    result = expire_free_text.enqueue()
    assert result.return_value == 2
    assert Comment.objects.count() == 2


def test_a_negative_month_count_is_refused_clearly(db):
    with pytest.raises(CommandError, match="expected 0 or more"):
        call_command("retention", "--months", "-1")
