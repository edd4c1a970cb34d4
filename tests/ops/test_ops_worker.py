"""Background work without cron: the task backend, the schedule, the scheduler and the worker.

The suite runs tasks in-process (tests/conftest.py); the last tests start the scheduler and
the database worker as the processes `make run` and the systemd units start.
"""

import datetime as dt
import logging
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from wellbeing import schedule

ROOT = Path(__file__).resolve().parents[2]
EASTERN = ZoneInfo("America/New_York")
NOTHING = "wellbeing.schedule.prune_task_results"  # a task with nothing to do in the suite

# Every periodic job of the platform, by the task that does it.
PERIODIC_JOBS = {
    "wellbeing.surveys.tasks.close_due_waves",
    "wellbeing.campaign.tasks.fill_metrics_from_closed_waves",
    "wellbeing.campaign.tasks.send_progress_reminders",
    "wellbeing.engage.tasks.send_event_reminders",
    "wellbeing.engage.tasks.resume_stalled_newsletters",
    "wellbeing.surveys.tasks.expire_free_text",
    "wellbeing.surveys.tasks.clear_import_uploads",
    "wellbeing.surveys.tasks.purge_closed_wave_invitations",
    "wellbeing.schedule.prune_task_results",
}


def entry(name="job", task=NOTHING, **when):
    return schedule.parse_entry(name, {"task": task, **(when or {"every": 60})})


# --- the backend ----------------------------------------------------------------------------


def test_the_platform_queues_tasks_in_the_database_unless_told_otherwise():
    source = (ROOT / "src/wellbeing/settings.py").read_text()
    assert 'env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")' in source
    assert "django_tasks_db" in django_settings.INSTALLED_APPS


def test_the_suite_runs_an_enqueued_task_at_once():
    from django_tasks import TaskResultStatus
    from django_tasks.backends.immediate import ImmediateBackend

    prune = schedule.prune_task_results
    assert isinstance(prune.get_backend(), ImmediateBackend)
    result = prune.enqueue()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 0


@pytest.mark.django_db
def test_pruning_deletes_finished_task_results_older_than_a_week(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    old, recent, queued = (schedule.prune_task_results.enqueue() for _ in range(3))
    for result, days in ((old, 8), (recent, 6)):
        row = DBTaskResult.objects.get(pk=result.id)
        row.set_successful(0)
        DBTaskResult.objects.filter(pk=row.pk).update(
            finished_at=timezone.now() - dt.timedelta(days=days)
        )
    assert schedule.prune_task_results.call() == 1
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {
        DBTaskResult.objects.get(pk=recent.id).pk,
        DBTaskResult.objects.get(pk=queued.id).pk,
    }


# --- the schedule ---------------------------------------------------------------------------


def test_the_schedule_covers_every_periodic_job():
    scheduled = {e.task_path for e in schedule.load_schedule()}
    assert scheduled == PERIODIC_JOBS


@pytest.mark.parametrize("name", sorted(django_settings.PERIODIC_TASKS))
def test_every_scheduled_path_names_a_task(name):
    schedule.resolve(schedule.parse_entry(name, django_settings.PERIODIC_TASKS[name]))


@pytest.mark.parametrize(
    ("spec", "complaint"),
    [
        ({"task": "wellbeing.schedule.prune_task_results"}, "one of 'every' or 'daily'"),
        ({"task": NOTHING, "every": 60, "daily": "04:00"}, "one of 'every' or 'daily'"),
        ({"task": NOTHING, "every": 0}, "seconds >= 1"),
        ({"task": NOTHING, "daily": "9am"}, "'HH:MM'"),
        ({"task": NOTHING, "daily": "25:00"}, "'HH:MM'"),
        ({"task": "prune", "every": 60}, "dotted path"),
    ],
)
def test_a_malformed_entry_stops_the_scheduler_with_a_clear_error(settings, spec, complaint):
    settings.PERIODIC_TASKS = {"broken": spec}
    with pytest.raises(CommandError, match=complaint):
        call_command("scheduler", "--once")


def test_a_task_every_minute_is_due_at_each_whole_minute():
    now = dt.datetime(2026, 7, 1, 13, 0, 59, tzinfo=dt.UTC)
    assert entry(every=60).due_at(now) == dt.datetime(2026, 7, 1, 13, 0, tzinfo=dt.UTC)
    assert entry(every=3600).due_at(now) == dt.datetime(2026, 7, 1, 13, 0, tzinfo=dt.UTC)


def utc(*parts):
    return dt.datetime(*parts, tzinfo=dt.UTC)


def eastern(*parts):
    return dt.datetime(*parts, tzinfo=EASTERN)


@pytest.mark.parametrize(
    ("now", "due"),
    [
        # 08:59 in New York (EDT) is before today's 09:00: yesterday's is the latest due.
        (utc(2026, 7, 1, 12, 59), eastern(2026, 6, 30, 9, 0)),
        (utc(2026, 7, 1, 13, 0), eastern(2026, 7, 1, 9, 0)),
        # In winter (EST) the same 09:00 is an hour later in UTC.
        (utc(2026, 1, 15, 13, 30), eastern(2026, 1, 14, 9, 0)),
        (utc(2026, 1, 15, 14, 0), eastern(2026, 1, 15, 9, 0)),
    ],
)
def test_a_daily_task_is_due_at_its_local_time(settings, now, due):
    settings.TIME_ZONE = "America/New_York"
    assert entry(daily="09:00").due_at(now) == due


# --- the scheduler --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_due_time_is_enqueued_once_however_often_the_scheduler_runs():
    from wellbeing.core.models import ScheduledRun

    jobs = [entry("minutely", every=60)]
    now = dt.datetime(2026, 7, 1, 13, 0, 30, tzinfo=dt.UTC)
    assert schedule.run_due(now, jobs) == ["minutely"]
    assert schedule.run_due(now, jobs) == []  # a second scheduler, or this one restarted
    assert schedule.run_due(now + dt.timedelta(seconds=29), jobs) == []
    assert schedule.run_due(now + dt.timedelta(seconds=30), jobs) == ["minutely"]
    assert ScheduledRun.objects.get(name="minutely").last_due_at == dt.datetime(
        2026, 7, 1, 13, 1, tzinfo=dt.UTC
    )


@pytest.mark.django_db
def test_of_two_schedulers_that_read_the_same_last_due_time_only_one_claims_the_next():
    from wellbeing.core.models import ScheduledRun

    seen = dt.datetime(2026, 7, 1, 13, 0, tzinfo=dt.UTC)
    ScheduledRun.objects.create(name="minutely", last_due_at=seen)
    due = seen + dt.timedelta(minutes=1)
    claims = [schedule.advance("minutely", seen, due) for _ in ("first", "second")]
    assert claims == [True, False]
    assert schedule.claim("minutely", due) is False


@pytest.mark.django_db
def test_a_time_missed_while_no_scheduler_ran_runs_once_late():
    jobs = [entry("nightly", daily="04:00")]
    monday = dt.datetime(2026, 7, 6, 10, 0, tzinfo=EASTERN)
    assert schedule.run_due(monday, jobs) == ["nightly"]
    # Down from Monday 10:00 to Thursday 10:00: Thursday's 04:00 runs, the others do not.
    thursday = monday + dt.timedelta(days=3)
    assert schedule.run_due(thursday, jobs) == ["nightly"]
    assert schedule.run_due(thursday + dt.timedelta(hours=1), jobs) == []


@pytest.mark.django_db
def test_an_unknown_task_path_is_logged_and_the_other_entries_still_run(caplog):
    jobs = [entry("ghost", task="wellbeing.surveys.tasks.no_such_task"), entry("real")]
    with caplog.at_level(logging.ERROR, logger="wellbeing.schedule"):
        assert schedule.run_due(timezone.now(), jobs) == ["real"]
    assert "wellbeing.surveys.tasks.no_such_task" in caplog.text


@pytest.mark.django_db
def test_the_scheduler_stops_cleanly_on_sigterm(settings):
    settings.PERIODIC_TASKS = {"real": {"task": NOTHING, "every": 60}}
    handlers = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGTERM))
    try:
        timer.start()
        call_command("scheduler")  # returns once the signal is handled
    finally:
        timer.cancel()
        for number, handler in handlers.items():
            signal.signal(number, handler)


# --- the periodic tasks ---------------------------------------------------------------------


@pytest.mark.django_db
def test_closing_due_waves_closes_only_open_waves_past_their_close(wave, survey, org_admin):
    from wellbeing.core.models import AuditEvent
    from wellbeing.surveys import actions
    from wellbeing.surveys.models import Wave
    from wellbeing.surveys.tasks import close_due_waves

    now = timezone.now()
    past = actions.create_wave(
        survey=survey,
        name="Past",
        opens_at=now - dt.timedelta(days=9),
        closes_at=now - dt.timedelta(minutes=1),
        actor=org_admin,
    )
    actions.open_links(wave=past, units=[None], actor=org_admin)
    actions.set_wave_status(wave=past, status="open", actor=org_admin)
    assert close_due_waves.enqueue().return_value == 1
    assert close_due_waves.enqueue().return_value == 0
    assert Wave.objects.get(pk=past.pk).status == Wave.Status.CLOSED
    assert Wave.objects.get(pk=wave.pk).status == Wave.Status.OPEN
    closed = AuditEvent.objects.get(verb="wave.closed")
    assert closed.actor is None and closed.target == str(past)


@pytest.mark.django_db
def test_a_newsletter_stalled_for_an_hour_is_sent_again(staff_curator):
    from wellbeing.engage.actions import updates
    from wellbeing.engage.models import Newsletter
    from wellbeing.engage.tasks import resume_stalled_newsletters

    newsletter = updates.create_newsletter(
        subject="News", body="Synthetic news.", topics=["events"], actor=staff_curator
    )
    sending = Newsletter.objects.filter(pk=newsletter.pk)
    sending.update(status=Newsletter.Status.SENDING, started_at=timezone.now())
    assert resume_stalled_newsletters.enqueue().return_value == 0  # still within its hour
    sending.update(started_at=timezone.now() - dt.timedelta(hours=2))
    assert resume_stalled_newsletters.enqueue().return_value == 1
    assert sending.get().status == Newsletter.Status.SENT


# --- the processes --------------------------------------------------------------------------


def _process_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a scheduler or worker process on a copy of the test database
    (SQLite), or on the test database itself (PostgreSQL: the test committed its rows)."""
    from wellbeing.core import backups

    if connection.vendor == "sqlite":
        url = f"sqlite:///{backups.backup(tmp_path / 'worker.sqlite3')}"
    else:
        conf = connection.settings_dict
        password = f":{conf['PASSWORD']}" if conf["PASSWORD"] else ""
        host = f"{conf['HOST'] or '127.0.0.1'}:{conf['PORT'] or 5432}"
        url = f"postgresql://{conf['USER']}{password}@{host}/{conf['NAME']}"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DATABASE_URL=url,
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        VAR_DIR=str(tmp_path / "var"),
        DJANGO_SETTINGS_MODULE="wellbeing.settings",
    )
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "wellbeing", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_scheduler_and_the_worker_processes_close_a_due_wave_and_run_every_job(
    survey, org_admin, tmp_path
):
    from wellbeing.surveys import actions

    now = timezone.now()
    due = actions.create_wave(
        survey=survey,
        name="Due",
        opens_at=now - dt.timedelta(days=9),
        closes_at=now - dt.timedelta(minutes=1),
        actor=org_admin,
    )
    actions.open_links(wave=due, units=[None], actor=org_admin)
    actions.set_wave_status(wave=due, status="open", actor=org_admin)
    env = _process_env(tmp_path)

    enqueued = _manage(env, "scheduler", "--once")
    assert f"{len(PERIODIC_JOBS)} periodic tasks enqueued" in enqueued
    _manage(env, "db_worker", "--batch", "--no-startup-delay", "--no-reload", "--verbosity=0")
    report = _manage(
        env,
        "shell",
        "-c",
        "from django_tasks_db.models import DBTaskResult as R; "
        "from wellbeing.surveys.models import Wave; "
        f"print(Wave.objects.get(pk={due.pk}).status); "
        "print(sorted({r.task_path.rsplit('.', 1)[1] + ':' + r.status for r in R.objects.all()}))",
    )
    status, results = report.strip().splitlines()[-2:]
    assert status == "closed"
    # Every periodic job ran and succeeded, and the close queued the publication of the
    # wave's results and the fill of its survey's metrics, which ran too.
    ran = {path.rsplit(".", 1)[1] + ":SUCCESSFUL" for path in PERIODIC_JOBS}
    ran |= {"publish_release:SUCCESSFUL", "fill_metrics_for_wave:SUCCESSFUL"}
    assert results == str(sorted(ran))
