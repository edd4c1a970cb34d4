"""Mark bounced survey invitations from a file: one address per line, or a CSV with ``email``.

Matched by keyed digest against every wave that still holds invitations; bounced
invitations are never reminded, and the wave page counts them. Only counts are printed.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wellbeing.surveys.invitations import InputError, file_lines, mark_bounced


class Command(BaseCommand):
    help = "Mark survey invitations bounced (never reminded) from a list of addresses or a CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="One address per line, or CSV with 'email'.")

    def handle(self, *args: object, **options: object) -> None:
        path = Path(str(options["file"]))
        try:
            content = path.read_bytes()
            lines = file_lines(content, path.name if path.suffix else path.name + ".txt")
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from error
        except InputError as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        addresses = [line.address for line in lines if line.address.strip()]
        marked = mark_bounced(addresses)
        self.stdout.write(
            f"{len(addresses)} address(es) read; {marked} invitation(s) marked bounced."
        )
