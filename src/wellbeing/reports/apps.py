from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "wellbeing.reports"
    label = "reports"
    verbose_name = "Confidential reports"

    def ready(self) -> None:
        from wellbeing.reports import columns, tasks
        from wellbeing.surveys import signals

        # Drop a wave's packed columns when its responses change under them.
        columns.connect()
        # Publish a wave's results when it stops collecting and after each import.
        signals.wave_closed.connect(tasks.on_wave_closed, dispatch_uid="reports.wave_closed")
        signals.responses_imported.connect(
            tasks.on_wave_closed, dispatch_uid="reports.responses_imported"
        )
