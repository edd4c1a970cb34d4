"""Waves record where their responses come from; report data moves to the reports app.

``WaveColumns`` and ``StoredPlan`` were derived data (packed columns, searched plans): they
are dropped here and the reports app keeps its own. ``PrivateRelease`` keeps its table and
rows; only the model's home changes (``reports.0001`` takes it over).
"""

from django.db import migrations, models


def set_origins(apps, schema_editor):
    Wave = apps.get_model("surveys", "Wave")
    ImportJob = apps.get_model("surveys", "ImportJob")
    imported = set(ImportJob.objects.filter(status="done").values_list("wave_id", flat=True))
    Wave.objects.filter(pk__in=imported).update(origin="import")
    # A wave that has been opened collected through its links (and keeps doing so).
    Wave.objects.exclude(pk__in=imported).exclude(status="draft").update(origin="links")


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0005_stored_plans"),
    ]

    operations = [
        migrations.AddField(
            model_name="wave",
            name="origin",
            field=models.CharField(
                blank=True,
                choices=[("links", "Collected through its links"), ("import", "Imported from files")],
                default="",
                max_length=10,
            ),
        ),
        migrations.RunPython(set_origins, migrations.RunPython.noop),
        migrations.DeleteModel(name="WaveColumns"),
        migrations.DeleteModel(name="StoredPlan"),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="PrivateRelease")],
        ),
    ]
