"""Mark bounced addresses from a file: one address per line, or a CSV with an ``email`` column."""

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wellbeing.engage.actions.updates import mark_bounced


def read_addresses(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"Cannot read {path}: {error}") from error
    lines = text.splitlines()
    header = lines[0].lower() if lines else ""
    if "," in header or header.strip() == "email":
        reader = csv.DictReader(lines)
        columns = {name.strip().lower(): name for name in reader.fieldnames or []}
        if "email" not in columns:
            raise CommandError(f"{path} looks like a CSV file but has no 'email' column.")
        return [row[columns["email"]] or "" for row in reader]
    return lines


class Command(BaseCommand):
    help = "Mark subscribers bounced (never mailed again) from a list of addresses or a CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="One address per line, or CSV with 'email'.")

    def handle(self, *args: object, **options: object) -> None:
        path = Path(str(options["file"]))
        addresses = [a.strip() for a in read_addresses(path) if a.strip()]
        marked, unknown = mark_bounced(addresses)
        self.stdout.write(f"{marked} subscriber(s) marked bounced.")
        if unknown:
            self.stdout.write(
                f"{len(unknown)} address(es) are not subscribers: {', '.join(unknown)}"
            )
