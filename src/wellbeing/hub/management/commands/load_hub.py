from django.core.management.base import BaseCommand, CommandError

from wellbeing.hub.seed import SEED_DIR, SeedError, load_seed


class Command(BaseCommand):
    help = "Load the knowledge hub's seed content (idempotent: upserts by slug)."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(SEED_DIR), help="folder with the seed TOML files")

    def handle(self, *args: object, **options: object) -> None:
        try:
            report = load_seed(str(options["dir"]))
        except SeedError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(report))
