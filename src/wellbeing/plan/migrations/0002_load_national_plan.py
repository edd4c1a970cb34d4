"""Load the National Plan and the conceptual model from ``wellbeing.plan.data``."""

from django.db import migrations


def load(apps, schema_editor):
    # Imported here so the migration module stays importable if the loader moves.
    from wellbeing.plan.loader import load_national_plan

    load_national_plan(apps)


class Migration(migrations.Migration):
    dependencies = [("plan", "0001_initial")]

    # Reverse is a no-op: unapplying 0001 drops the tables anyway.
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
