"""The project package as an installed app, for what wires the feature apps together.

Core and accounts import no feature app (the layer contracts in docs/architecture.md),
so a command that loads every app's demo data, ``python -m wellbeing demo``, lives here,
above them all. The package has no models, templates or static files of its own.
"""

from django.apps import AppConfig


class WellbeingConfig(AppConfig):
    name = "wellbeing"
    label = "wellbeing"
    verbose_name = "Workforce well-being (the project)"
