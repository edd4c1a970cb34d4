from argparse import ArgumentParser

from django.core.management.base import BaseCommand

from wellbeing.surveys.models import Wave
from wellbeing.surveys.tasks import warm_report


class Command(BaseCommand):
    help = (
        "Enqueue warm_report for every open wave (or the waves given): pack the responses and"
        " store the disclosure plans, so reports open quickly. Run it every few minutes while"
        " waves are in the field."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "waves", nargs="*", type=int, help="wave ids (default: every open wave)"
        )

    def handle(self, *args: object, **options: object) -> None:
        given: list[int] = options["waves"]  # type: ignore[assignment]
        if given:
            ids = list(Wave.objects.filter(pk__in=given).values_list("pk", flat=True))
            missing = sorted(set(given) - set(ids))
            if missing:
                self.stderr.write(f"No wave with id {', '.join(map(str, missing))}.")
        else:
            ids = list(Wave.objects.filter(status=Wave.Status.OPEN).values_list("pk", flat=True))
        for wave_id in ids:
            result = warm_report.enqueue(wave_id)
            self.stdout.write(f"wave {wave_id}: {result.status}")
        if not ids:
            self.stdout.write("No wave to warm.")
