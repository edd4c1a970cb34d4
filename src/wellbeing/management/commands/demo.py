from django.core.management.base import BaseCommand

from wellbeing.accounts.demo import DEMO_PASSWORD, load_demo
from wellbeing.campaign.demo import load_campaign_demo
from wellbeing.engage.demo import load_engage_demo
from wellbeing.hub.seed import load_seed
from wellbeing.reports.demo import load_norms_demo
from wellbeing.surveys.demo import is_current, load_survey_demo


class Command(BaseCommand):
    help = "Load the synthetic demonstration data (idempotent: safe to run again)."

    def handle(self, *args: object, **options: object) -> None:
        world = load_demo()
        survey = load_survey_demo(world.organization, world.admin)
        movement = load_norms_demo(world)
        participants = load_campaign_demo(world)
        engage = load_engage_demo(world)
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data loaded (all organizations, people and responses are synthetic)."
            )
        )
        self.stdout.write(
            f"  Organization: {world.organization.name} ({world.organization.units.count()} units)"
        )
        for wave in survey.waves.order_by("opens_at"):
            self.stdout.write(
                f"  Wave {wave.name}: {wave.responses.count()} responses ({wave.get_status_display()})"
            )
        if not is_current(survey):
            self.stdout.write(
                "  This demo database was loaded by an older version and its survey asks other "
                "questionnaires: delete var/db.sqlite3 and run `make run` again to reload it."
            )
        latest = survey.waves.order_by("opens_at").last()
        link = latest.links.filter(unit__isnull=True).first() if latest else None
        if link:
            self.stdout.write(
                f"  Take the open survey at {link.get_absolute_url()} on the server (make run: port 8000)"
            )
        self.stdout.write(
            f"  Movement norms: {movement.scales} scales from {movement.organizations} synthetic"
            " peer organizations"
        )
        self.stdout.write(
            f"  Change Maker campaign: {participants} synthetic participants at /campaign/"
        )
        self.stdout.write(
            f"  Engage: {engage.events} synthetic events at /engage/events/, {engage.works} synthetic "
            f"gallery works, questionnaire results at {engage.questionnaire.get_absolute_url()}, "
            f"a synthetic draft open for comment at {engage.consultation.get_absolute_url()}"
        )
        # Real, sourced hub content (not synthetic); a checkout without seed files loads nothing.
        self.stdout.write("  " + str(load_seed()).replace("\n", "\n  "))
        for user in (world.admin, world.lead, world.clinician, world.staff):
            self.stdout.write(f"  Sign in as {user.email} / {DEMO_PASSWORD}")
