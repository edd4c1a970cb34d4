from django.core.management.base import BaseCommand

from wellbeing.hub.search import indexing


class Command(BaseCommand):
    help = "Rebuild the knowledge hub's search index from the published resources."

    def handle(self, *args: object, **options: object) -> None:
        count = indexing.rebuild()
        self.stdout.write(f"Indexed {count} published resources.")
