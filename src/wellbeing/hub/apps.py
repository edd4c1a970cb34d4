from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _rebuild_search_index(using: str = "default", **kwargs: object) -> None:
    # After a test database flush (which empties hub_resource but not SQLite's
    # FTS5 table) or a first migrate, the index is rebuilt from what is published.
    # A migrate on an index in step does not rebuild it: a full rebuild of
    # 100,000 resources takes minutes.
    from django.db import connections

    from wellbeing.hub.search import indexing

    if using != "default" or not indexing.index_exists():
        return
    with connections[using].cursor():
        if indexing.is_stale():
            indexing.rebuild()
        else:
            # A flushed PostgreSQL index is empty and in step, but facet matrices
            # cached from the rows it had must still go.
            indexing.touch()


# Rows no public page reads: visitors' suggestions, users' own lists, and the search
# index (derived from resources; ``indexing`` renews the hub's pages when it changes).
PRIVATE_MODELS = {
    "Suggestion",
    "SavedList",
    "SavedItem",
    "SearchFacet",
    "SearchDocument",
    "SearchPosting",
}


class HubConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "wellbeing.hub"
    label = "hub"
    verbose_name = "Knowledge hub"

    def ready(self) -> None:
        from wellbeing.core import pagecache

        post_migrate.connect(_rebuild_search_index, sender=self)
        pagecache.watch("hub", [m for m in self.get_models() if m.__name__ not in PRIVATE_MODELS])
