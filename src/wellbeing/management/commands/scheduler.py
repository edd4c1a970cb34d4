import signal
import threading
from types import FrameType

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wellbeing import schedule


class Command(BaseCommand):
    help = (
        "Enqueue the periodic tasks of settings.PERIODIC_TASKS when they fall due, checking "
        f"every {schedule.POLL_SECONDS:g} seconds until SIGTERM or Ctrl-C. Each due time is "
        "enqueued once, however many schedulers run. The worker (db_worker) runs the tasks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="enqueue what is due now, then exit (for cron)"
        )

    def handle(self, *args: object, **options: object) -> None:
        try:
            entries = schedule.load_schedule()
        except ValueError as error:
            raise CommandError(str(error)) from None
        if options["once"]:
            enqueued = schedule.run_due(entries=entries)
            self.stdout.write(f"{len(enqueued)} periodic tasks enqueued: {', '.join(enqueued)}")
            return
        stop = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        self.stdout.write(f"Scheduler started: {len(entries)} periodic tasks.")
        schedule.run_forever(stop, entries)
        self.stdout.write("Scheduler stopped.")
