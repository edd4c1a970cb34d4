from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wellbeing.core import backups


class Command(BaseCommand):
    help = (
        "Restore a backup made by `backup` into the configured database, or into the one "
        "--database-url names (e.g. an empty database, to check a backup)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--database-url", help="restore here instead of DATABASE_URL")

    def handle(self, *args: object, **options: object) -> None:
        try:
            backups.restore(options["path"], database_url=options["database_url"])  # type: ignore[arg-type]
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {options['path']}.")
