from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from wellbeing.surveys.actions import delete_expired_comments
from wellbeing.surveys.tasks import expire_free_text


class Command(BaseCommand):
    help = (
        "Delete free-text survey answers of waves closed more than RETENTION_FREE_TEXT_MONTHS "
        "ago (0 keeps them). Run daily; audited per wave."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--months", type=int, help="override RETENTION_FREE_TEXT_MONTHS for this run"
        )
        parser.add_argument(
            "--enqueue", action="store_true", help="hand the work to the task backend instead"
        )

    def handle(self, *args: object, **options: object) -> None:
        if options["enqueue"]:
            result = expire_free_text.enqueue()
            self.stdout.write(f"{expire_free_text.name}: {result.status}")
            return
        months = options["months"]
        months = settings.RETENTION_FREE_TEXT_MONTHS if months is None else months
        if not isinstance(months, int) or months < 0:
            raise CommandError(f"--months: expected 0 or more, got {months}")
        if months == 0:
            self.stdout.write("Retention is off (0 months): nothing deleted.")
            return
        deleted = delete_expired_comments(months=months)
        for wave, count in deleted.items():
            self.stdout.write(f"{wave.survey.organization.slug} / {wave}: {count} deleted")
        self.stdout.write(
            f"{sum(deleted.values())} free-text answers deleted from {len(deleted)} waves "
            f"closed more than {months} months ago."
        )
