from django.core.management.base import BaseCommand

from wellbeing.engage.tasks import send_event_reminders


class Command(BaseCommand):
    help = "Enqueue event reminders: mail confirmed people whose event starts within a day (run hourly)."

    def handle(self, *args: object, **options: object) -> None:
        result = send_event_reminders.enqueue()
        self.stdout.write(f"{send_event_reminders.name}: {result.status}")
