"""Background work of the surveys app, through Django's tasks API (settings ``TASKS``).

``expire_free_text`` applies the retention setting to free-text answers. (Publishing a
wave's results when it closes is the reports app's: ``reports.tasks``.)
"""

from django.conf import settings
from django_tasks import task


@task()
def expire_free_text() -> int:
    """Run daily (``python -m wellbeing retention --enqueue``): apply RETENTION_FREE_TEXT_MONTHS."""
    from wellbeing.surveys.actions import delete_expired_comments

    months = settings.RETENTION_FREE_TEXT_MONTHS
    if not months:
        return 0
    return sum(delete_expired_comments(months=months).values())
