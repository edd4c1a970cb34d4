from django.core.management.base import BaseCommand

from wellbeing.campaign.tasks import fill_metrics_from_closed_waves, send_progress_reminders


class Command(BaseCommand):
    help = "Enqueue the campaign's daily work: report reminders and survey-linked metrics."

    def handle(self, *args: object, **options: object) -> None:
        for job in (send_progress_reminders, fill_metrics_from_closed_waves):
            result = job.enqueue()
            self.stdout.write(f"{job.name}: {result.status}")
