from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _rebuild_search_index(using: str = "default", **kwargs: object) -> None:
    # After migrate, and after a test database flush (which empties hub_resource
    # but not SQLite's FTS5 table), the index is rebuilt from what is published.
    from django.db import connections

    from wellbeing.hub.search import indexing

    if using == "default" and indexing.index_exists():
        with connections[using].cursor():
            indexing.rebuild()


class HubConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "wellbeing.hub"
    label = "hub"
    verbose_name = "Knowledge hub"

    def ready(self) -> None:
        post_migrate.connect(_rebuild_search_index, sender=self)
