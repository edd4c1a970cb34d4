"""Load what the newer reference (national_plan_content.md) marks verified, on every database.

A fresh database got today's ``data.py`` from 0002 already, less the fields 0003
added; a database loaded before this release holds the old values. So: create
the rows that are new (facts), then correct each field that still holds what
0002 shipped. A field staff have edited keeps the staff's value.
"""

from django.db import migrations

# Notes that said what was missing: that list is the staff completeness page now.
# (model, slug, field, the value 0002 shipped); the new value is empty.
CLEARED = [
    (
        "RecommendedAction",
        "action-2-national-epidemiologic-tracking-program",
        "note",
        "Quoted by a secondary source; its action number and goal are still to be added.",
    ),
    (
        "RecommendedAction",
        "action-3-2-a",
        "note",
        "Which actor groups the Plan assigns to this action is still to be added.",
    ),
    ("Goal", "goal-6-1", "note", "From a copy of the NAM web page; to be checked against the Plan."),
]

# (model, slug, field, the value 0002 shipped); the new value is today's data.py.
SHIPPED_BEFORE = [
    # [S] rows: shown with their source from now on.
    ("RecommendedAction", "action-2-national-epidemiologic-tracking-program", "secondary", False),
    ("Goal", "goal-6-1", "secondary", False),
    # The chapters' opening quotes [V].
    *[
        ("PriorityArea", slug, "frontline_quote", "")
        for slug in [
            "positive-work-and-learning-environments",
            "measurement-assessment-strategies-and-research",
            "mental-health-and-stigma",
            "well-being-as-a-long-term-value",
        ]
    ],
    # Descriptions from NAM's Knowledge Hub landing pages [V], in our own words.
    *[
        ("ModelElement", slug, field, "")
        for slug in [
            "external-factors",
            "individual-factors",
            "organizational-factors",
            "learning-practice-environment",
            "personal-factors",
        ]
        for field in ("description", "description_source")
    ],
]


def load(apps, schema_editor):
    # Imported here so the migration module stays importable if the loader moves.
    from wellbeing.plan.loader import Correction, apply_corrections, load_national_plan, shipped

    load_national_plan(apps)
    apply_corrections(
        apps,
        [
            *[Correction(model, {"slug": slug}, field, old, "") for model, slug, field, old in CLEARED],
            *[
                Correction(model, {"slug": slug}, field, old, shipped(model, slug, field))
                for model, slug, field, old in SHIPPED_BEFORE
            ],
        ],
    )


class Migration(migrations.Migration):
    dependencies = [("plan", "0003_evidence_and_frontline_quotes")]

    # Reverse is a no-op: the corrected values are facts, and 0003's reverse drops the
    # fields it added.
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
