from django.apps import AppConfig


class CampaignConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "wellbeing.campaign"
    label = "campaign"

    def ready(self) -> None:
        from wellbeing.campaign import tasks
        from wellbeing.surveys import signals

        # Fill the metrics linked to a survey when one of its waves closes.
        signals.wave_closed.connect(tasks.on_wave_closed, dispatch_uid="campaign.wave_closed")
