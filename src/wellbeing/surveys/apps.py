from django.apps import AppConfig


class SurveysConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "wellbeing.surveys"
    label = "surveys"

    def ready(self) -> None:
        # Connects the receivers that drop a wave's packed columns when its responses change.
        from wellbeing.surveys.reports import columns

        columns.connect()
