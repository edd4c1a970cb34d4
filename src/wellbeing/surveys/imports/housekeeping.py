"""Delete what imports keep of their files: at the end of an import, or after 24 hours.

An upload may hold columns the platform never stores (names, e-mail and IP addresses,
dates). The import keeps the uploaded bytes only until the columns are mapped and the
mapped columns only until it is done or failed (``run``); this sweep is the bound for
the rest: an upload nobody imports, a job whose worker died, a finished job that still
holds content, and the rows a partial import left out (kept for their uploader to
download), 24 hours after the import finished. Run it at least daily (hourly keeps the
bound near 24 hours), with ``python -m wellbeing import_housekeeping``.
"""

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from wellbeing.core.models import audit
from wellbeing.surveys.imports.models import ImportJob

KEEP_FOR = timedelta(hours=24)
ABANDONED_MESSAGE = (
    "This upload was removed after 24 hours without being imported; upload the file again."
)
FINISHED = (ImportJob.Status.DONE, ImportJob.Status.FAILED)
# Waiting for the person importing (or for a worker): failed when the 24 hours are up.
WAITING = (ImportJob.Status.UPLOADED, ImportJob.Status.CHECKED, ImportJob.Status.QUEUED)


def clear_uploads(now: datetime | None = None) -> dict[str, list[int]]:
    """Delete the content of finished jobs, and of every job uploaded 24 hours before ``now``.

    A waiting job past the 24 hours becomes failed with ``ABANDONED_MESSAGE``; a running
    one only loses its content (the task read its table when it started and finishes it).
    Each job cleared leaves an audit row with its row count, nothing of the file.
    Returns the ids of the jobs cleared, by reason ("finished", "rejected",
    "abandoned", "running"); a partial import's rejected rows go 24 hours after it finished.
    """
    now = now or timezone.now()
    cutoff = now - KEEP_FOR
    sweeps: tuple[tuple[str, dict[str, Any], dict[str, Any]], ...] = (
        ("finished", {"status__in": FINISHED, "content__isnull": False}, {}),
        (
            "rejected",
            {"rejected__isnull": False, "finished_at__lte": cutoff},
            {"rejected": None},
        ),
        (
            "abandoned",
            {"status__in": WAITING, "created_at__lte": cutoff},
            {"status": ImportJob.Status.FAILED, "message": ABANDONED_MESSAGE, "finished_at": now},
        ),
        (
            "running",
            {
                "status": ImportJob.Status.RUNNING,
                "created_at__lte": cutoff,
                "content__isnull": False,
            },
            {},
        ),
    )
    cleared: dict[str, list[int]] = {}
    for reason, where, changes in sweeps:
        jobs = _jobs(where)
        cleared[reason] = [job.pk for job in jobs if _clear(job, where, reason, changes)]
    return cleared


def _jobs(where: dict[str, Any]) -> QuerySet[ImportJob]:
    """The jobs to clear, without their content (up to 50 MB each)."""
    return (
        ImportJob.objects.filter(**where)
        .select_related("wave__survey__organization")
        .defer("content", "rejected")
        .order_by("pk")
    )


@transaction.atomic
def _clear(job: ImportJob, where: dict[str, Any], reason: str, changes: dict[str, Any]) -> bool:
    """Clear one job if it still matches ``where``: one UPDATE, so a task or a dry run that
    moved it on meanwhile wins, and no audit row is written for a job left alone."""
    updated = ImportJob.objects.filter(pk=job.pk, **where).update(content=None, **changes)
    if updated:
        audit(
            "wave.import_file_deleted",
            target=job.wave,
            organization=job.wave.survey.organization,
            job=job.pk,
            count=job.rejected_rows if reason == "rejected" else job.total_rows,
            reason=reason,
        )
    return bool(updated)
