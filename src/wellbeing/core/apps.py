from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "wellbeing.core"
    label = "core"

    def ready(self) -> None:
        from wellbeing.core import pagecache

        # Data migrations and a new release's templates change every page: drop them all
        # (once per migrate, and after a test database flush).
        post_migrate.connect(pagecache.renew_site, sender=self, dispatch_uid="pagecache.site")
