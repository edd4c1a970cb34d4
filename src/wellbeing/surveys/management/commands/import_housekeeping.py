from django.core.management.base import BaseCommand

from wellbeing.surveys.imports.housekeeping import KEEP_FOR, clear_uploads


class Command(BaseCommand):
    help = (
        "Delete the files kept by imports: of finished imports, of uploads older than "
        "24 hours that were never imported (these are marked failed), and the rows left out "
        "of partial imports finished 24 hours ago. Run hourly; audited per import."
    )

    def handle(self, *args: object, **options: object) -> None:
        cleared = clear_uploads()
        hours = int(KEEP_FOR.total_seconds() // 3600)
        self.stdout.write(
            f"{sum(len(ids) for ids in cleared.values())} import files deleted: "
            f"{len(cleared['finished'])} of finished imports, "
            f"{len(cleared['abandoned'])} uploads not imported within {hours} hours, "
            f"{len(cleared['running'])} of imports running for more than {hours} hours, "
            f"{len(cleared['rejected'])} of rows left out of partial imports {hours} hours ago."
        )
