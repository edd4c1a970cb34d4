"""Background work of the reports door, through Django's tasks API (settings ``TASKS``).

``publish_release`` publishes a wave's results when it stops collecting (at its close, after
an import): the costly part of a report (decoding, scoring, searching every disclosure plan
against every earlier release) happens once, before the first reader comes. A reader who
comes first publishes it themselves (``door.reading``), so nothing depends on a worker.
"""

import logging

from django_tasks import task

log = logging.getLogger(__name__)


def on_wave_closed(sender: object, wave: object, **kwargs: object) -> None:
    publish_release.enqueue(wave.pk)  # type: ignore[attr-defined]


@task()
def publish_release(wave_id: int) -> int:
    """Publish the wave's final results if any are unpublished; the release number, or 0."""
    from wellbeing.reports.releases import publish_final
    from wellbeing.surveys.models import Wave

    wave = Wave.objects.select_related("survey__organization", "version").filter(pk=wave_id).first()
    if wave is None:
        return 0
    try:
        release = publish_final(wave)
    except Exception:  # a release that fails here fails for its first reader too, with the error
        log.exception("publishing the results of wave %s failed", wave_id)
        return 0
    return release.number if release is not None else 0
