from django.apps import AppConfig


class EngageConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "wellbeing.engage"
    label = "engage"
