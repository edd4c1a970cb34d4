"""The schedule of periodic tasks (settings ``PERIODIC_TASKS``) and the loop that enqueues them.

Each entry names a task by its dotted path and says when it is due: ``"every": seconds``
(due at each multiple of that many seconds since the epoch) or ``"daily": "HH:MM"`` (in
``TIME_ZONE``). ``run_due`` enqueues every entry whose latest due time has not been claimed
yet; a due time missed while no scheduler ran is run once, late, and earlier missed ones
are not repeated. A due time is claimed with one conditional UPDATE of its ``ScheduledRun``
row from the value read, so two schedulers, or one restarted, never enqueue it twice.

Task paths are resolved when they are due, not at start-up: an unknown path is logged as an
error (once per process) and the other entries keep running.
"""

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend

from wellbeing.core.models import ScheduledRun

log = logging.getLogger(__name__)

POLL_SECONDS = 5.0


@dataclass(frozen=True)
class Entry:
    name: str
    task_path: str
    every: timedelta | None = None
    daily: time | None = None

    def due_at(self, now: datetime) -> datetime:
        """The latest time at or before ``now`` when this entry was due."""
        if self.every is not None:
            step = self.every.total_seconds()
            return datetime.fromtimestamp(now.timestamp() // step * step, tz=ZoneInfo("UTC"))
        if self.daily is None:
            raise ValueError(f"{self.name}: expected 'every' or 'daily', got neither")
        zone = ZoneInfo(settings.TIME_ZONE)
        local = now.astimezone(zone)
        due = datetime.combine(local.date(), self.daily, tzinfo=zone)
        if due > now:
            due = datetime.combine(local.date() - timedelta(days=1), self.daily, tzinfo=zone)
        return due


def parse_entry(name: str, spec: Mapping[str, object]) -> Entry:
    """One ``PERIODIC_TASKS`` entry; a ``ValueError`` names what is wrong with it."""
    task_path, every, daily = spec.get("task"), spec.get("every"), spec.get("daily")
    if not isinstance(task_path, str) or "." not in task_path:
        raise ValueError(
            f"PERIODIC_TASKS[{name!r}]['task']: expected a dotted path, got {task_path!r}"
        )
    if (every is None) == (daily is None):
        raise ValueError(
            f"PERIODIC_TASKS[{name!r}]: expected one of 'every' or 'daily', got {dict(spec)!r}"
        )
    if every is not None:
        if not isinstance(every, int) or isinstance(every, bool) or every < 1:
            raise ValueError(
                f"PERIODIC_TASKS[{name!r}]['every']: expected seconds >= 1, got {every!r}"
            )
        return Entry(name, task_path, every=timedelta(seconds=every))
    try:
        at = time.fromisoformat(daily) if isinstance(daily, str) and len(daily) == 5 else None
    except ValueError:
        at = None
    if at is None:
        raise ValueError(f"PERIODIC_TASKS[{name!r}]['daily']: expected 'HH:MM', got {daily!r}")
    return Entry(name, task_path, daily=at)


def load_schedule(table: Mapping[str, Mapping[str, object]] | None = None) -> list[Entry]:
    if table is None:
        table = cast(Mapping[str, Mapping[str, object]], settings.PERIODIC_TASKS)
    return [parse_entry(name, spec) for name, spec in table.items()]


def resolve(entry: Entry) -> Task:
    """The entry's task; ``ImportError`` or ``TypeError`` when its path names none."""
    found = import_string(entry.task_path)
    if not isinstance(found, Task):
        raise TypeError(f"{entry.task_path}: expected a task (@task()), got {type(found).__name__}")
    return found


def claim(name: str, due: datetime) -> bool:
    """Record ``due`` as the entry's last due time; True for the one caller that moved it."""
    run, _ = ScheduledRun.objects.get_or_create(name=name)
    if run.last_due_at is not None and run.last_due_at >= due:
        return False
    return advance(name, run.last_due_at, due)


def advance(name: str, seen: datetime | None, due: datetime) -> bool:
    """Move the last due time from ``seen`` (the value this scheduler read) to ``due``: one
    conditional UPDATE, so of schedulers that read the same value only one moves it."""
    rows = ScheduledRun.objects.filter(name=name)
    rows = rows.filter(last_due_at__isnull=True) if seen is None else rows.filter(last_due_at=seen)
    return rows.update(last_due_at=due) == 1


_reported: set[str] = set()


def run_due(now: datetime | None = None, entries: list[Entry] | None = None) -> list[str]:
    """Enqueue every entry due at ``now`` and not yet claimed; the names enqueued."""
    now = now or timezone.now()
    enqueued = []
    for entry in load_schedule() if entries is None else entries:
        try:
            job = resolve(entry)
        except (ImportError, TypeError) as error:
            if entry.name not in _reported:
                _reported.add(entry.name)
                log.error("periodic task %s: %s cannot run: %s", entry.name, entry.task_path, error)
            continue
        if _claim_and_enqueue(entry, job, entry.due_at(now)):
            enqueued.append(entry.name)
    return enqueued


def _claim_and_enqueue(entry: Entry, job: Task, due: datetime) -> bool:
    # With the database backend the claim and the queued task commit together; another
    # backend (the tests' immediate one) runs the task once the claim has committed.
    with transaction.atomic():
        if not claim(entry.name, due):
            return False
        if isinstance(job.get_backend(), DatabaseBackend):
            job.enqueue()
        else:
            transaction.on_commit(job.enqueue)
    log.info("periodic task %s (due %s) enqueued", entry.name, due.isoformat())
    return True


def run_forever(
    stop: threading.Event, entries: list[Entry] | None = None, poll_seconds: float = POLL_SECONDS
) -> None:
    """Enqueue what is due every ``poll_seconds`` until ``stop`` is set."""
    entries = load_schedule() if entries is None else entries  # a malformed table fails here
    while not stop.is_set():
        close_old_connections()  # a connection the database dropped is replaced
        try:
            run_due(entries=entries)
        except Exception:  # the database is away: log it and try again at the next poll
            log.exception("the scheduler could not enqueue periodic tasks")
        stop.wait(poll_seconds)


@task()
def prune_task_results() -> int:
    """Delete finished task results older than TASK_RESULTS_KEEP_DAYS (any queue), as
    ``python -m wellbeing prune_db_task_results --queue-name '*'`` does; the rows deleted."""
    backend = prune_task_results.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return 0
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - timedelta(days=settings.TASK_RESULTS_KEEP_DAYS)
    finished = DBTaskResult.objects.finished().filter(backend_name=backend.alias)
    deleted, _ = finished.filter(finished_at__lte=cutoff).delete()
    return deleted
