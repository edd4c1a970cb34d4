"""Background work of the surveys app, through Django's tasks API (settings ``TASKS``).

``warm_report`` builds a wave's report once, so that the costly parts are done before
anyone opens it: the wave's responses are packed (``WaveColumns``) and its disclosure
plans searched and stored (``StoredPlan``). A report opened afterwards, in any server
process, reads both. It is enqueued when a wave closes; ``python -m wellbeing
warm_reports`` enqueues it for every open wave (run it every few minutes during
fielding) or for the waves named (after an import, say).

``expire_free_text`` applies the retention setting to free-text answers.
"""

import logging

from django.conf import settings
from django_tasks import task

log = logging.getLogger(__name__)


@task()
def warm_report(wave_id: int) -> bool:
    """Build the wave's report and throw it away; True when it was built."""
    from wellbeing.surveys.models import Wave
    from wellbeing.surveys.reports.build import build_report

    wave = Wave.objects.select_related("survey__organization", "version").filter(pk=wave_id).first()
    if wave is None:
        return False
    try:
        build_report(wave)
    except Exception:  # a report that fails here fails on its page too, with the error shown
        log.exception("warming the report of wave %s failed", wave_id)
        return False
    return True


@task()
def expire_free_text() -> int:
    """Run daily (``python -m wellbeing retention --enqueue``): apply RETENTION_FREE_TEXT_MONTHS."""
    from wellbeing.surveys.actions import delete_expired_comments

    months = settings.RETENTION_FREE_TEXT_MONTHS
    if not months:
        return 0
    return sum(delete_expired_comments(months=months).values())
