from django.core.management.base import BaseCommand

from wellbeing.accounts.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the synthetic demonstration data (idempotent: safe to run again)."

    def handle(self, *args: object, **options: object) -> None:
        world = load_demo()
        self.stdout.write(
            self.style.SUCCESS("Demo data loaded (all organizations and people are synthetic).")
        )
        self.stdout.write(
            f"  Organization: {world.organization.name} ({world.organization.units.count()} units)"
        )
        for user in (world.admin, world.lead, world.clinician, world.staff):
            self.stdout.write(f"  Sign in as {user.email} / {DEMO_PASSWORD}")
