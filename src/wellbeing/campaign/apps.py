from django.apps import AppConfig

# Rows no public page reads (support threads, staff mail choices, reminder bookkeeping):
# their changes leave the kept campaign pages alone.
PRIVATE_MODELS = {"SupportRequest", "SupportMessage", "StaffNotificationPreference", "ReminderSent"}


class CampaignConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "wellbeing.campaign"
    label = "campaign"

    def ready(self) -> None:
        from wellbeing.accounts.models import Organization
        from wellbeing.campaign import tasks
        from wellbeing.core import pagecache
        from wellbeing.surveys import signals

        # The public pages count participants by their organization's kind and state.
        public = [m for m in self.get_models() if m.__name__ not in PRIVATE_MODELS]
        pagecache.watch("campaign", [*public, Organization])

        # Fill the metrics linked to a survey when one of its waves closes.
        signals.wave_closed.connect(tasks.on_wave_closed, dispatch_uid="campaign.wave_closed")
