from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wellbeing.core import backups


class Command(BaseCommand):
    help = (
        "Back up the database: pg_dump (custom format) for PostgreSQL, the online backup API "
        "for SQLite. Default directory: VAR_DIR/backups."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, help="a file, or a directory for a dated file")
        parser.add_argument("--keep", type=int, help="then keep only the newest N backups there")

    def handle(self, *args: object, **options: object) -> None:
        try:
            path = backups.backup(options["output"], keep=options["keep"])  # type: ignore[arg-type]
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backed up to {path} ({path.stat().st_size} bytes).")
