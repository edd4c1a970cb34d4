from django.apps import AppConfig


class PlanConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "wellbeing.plan"
    label = "plan"

    def ready(self) -> None:
        from wellbeing.core import pagecache

        # Every row of the Plan is public content: any change drops its kept pages.
        pagecache.watch("plan", self.get_models())
