import django.db.models.deletion

import wellbeing.reports.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("surveys", "0006_reports_app"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Release",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveIntegerField()),
                (
                    "key",
                    models.CharField(
                        default=wellbeing.reports.models._new_key,
                        editable=False,
                        max_length=32,
                        unique=True,
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("interim", "Interim results while the wave was open"),
                            ("close", "Results at the close of the wave"),
                            ("import", "Results after an import"),
                        ],
                        max_length=10,
                    ),
                ),
                ("published_on", models.DateField()),
                ("responses", models.PositiveIntegerField()),
                ("min_size", models.PositiveSmallIntegerField()),
                ("data", models.BinaryField()),
                (
                    "published_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "wave",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="releases",
                        to="surveys.wave",
                    ),
                ),
            ],
            options={
                "ordering": ["wave", "number"],
                "constraints": [
                    models.UniqueConstraint(fields=("wave", "number"), name="one_release_number_per_wave")
                ],
            },
        ),
        migrations.CreateModel(
            name="WaveColumns",
            fields=[
                (
                    "wave",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="surveys.wave",
                    ),
                ),
                ("through_id", models.BigIntegerField()),
                ("rows", models.PositiveIntegerField()),
                ("layout", models.CharField(max_length=400)),
                ("data", models.BinaryField()),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PrivateRelease",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("key", models.CharField(max_length=200, unique=True)),
                        ("what", models.CharField(max_length=200)),
                        ("epsilon", models.FloatField()),
                        ("mechanism", models.CharField(max_length=200)),
                        ("values", models.JSONField(default=dict)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={"db_table": "surveys_privaterelease", "ordering": ["-created_at", "-pk"]},
                ),
            ],
        ),
    ]
