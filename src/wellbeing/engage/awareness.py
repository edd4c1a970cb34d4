"""Health Workforce Well-Being Day: the verified facts, each with its source.

Only statements tagged as seen in the cited source are here (see the project's
reference notes); the toolkit's entries are ``ToolkitItem`` rows staff can edit,
seeded by ``seed_toolkit`` with the same verified statements.
"""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from wellbeing.core.models import audit
from wellbeing.engage.models import ToolkitItem

HWWB = "https://nam.edu/initiatives/clinician-resilience-and-well-being/health-workforce-well-being-day/"
HWWB_KIT = "https://nam.edu/product/hwwb-day-toolkit"
HWWB_ANN = "https://nam.edu/announcing-the-health-workforce-well-being-day/"
PARTNER_KIT = (
    "https://clinicalmicrosystem.org/news-events/recognizing-first-health-workforce-well-being-day"
)

NAME = _("Health Workforce Well-Being Day")
MONTH, DAY = 3, 18  # March 18, every year [HWWB]
FIRST = date(2024, 3, 18)  # [HWWB-ann]
TAGLINE = "A Healthy Workforce Means a Healthy You"  # [HWWB]
PURPOSE = (
    "HWWB Day aims to recognize the importance of protecting health workers' well-being to sustain "
    "our health system and ensure quality patient care. HWWB Day is also a day for action—learning "
    "from one another on the progress to advance the movement to support health worker well-being, "
    "and expand evidence-informed solutions to make system-wide changes to improve health worker "
    "well-being and transform cultures."
)  # verbatim [HWWB]
# The tagline and the purpose are quoted, so they stay in English; the two sentences below
# are ours, stating what the sources say, and are translated.
FOUNDERS = _(
    "Established by the National Academy of Medicine's Clinician Well-Being Collaborative and founding "
    "partners, including the Centers for Disease Control and Prevention's National Institute for "
    "Occupational Safety and Health (NIOSH) and the Dr. Lorna Breen Heroes' Foundation."
)  # [HWWB]
SENATE = _(
    "A bipartisan U.S. Senate resolution by Senators Tim Kaine and Roger Marshall designated "
    "March 18, 2024, as the nation's first Health Workforce Well-Being Day of Awareness."
)  # [HWWB-ann]


def next_day(today: date) -> date:
    this_year = date(today.year, MONTH, DAY)
    return this_year if today <= this_year else date(today.year + 1, MONTH, DAY)


# (key, kind, title, body, source): stated in the sources, written in our own words.
SEED: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "use-the-toolkit",
        "action",
        "Share the toolkit's messages",
        "The Day's toolkit is free to use on your website, in your newsletters and across your "
        "social media channels. It holds key messages and supporting messages on the urgency, "
        "available solutions and hope.",
        HWWB_KIT,
    ),
    (
        "hold-or-join-an-event",
        "action",
        "Hold or join an event in March",
        "Related events by partners take place throughout March; list yours in the calendar so "
        "others can join.",
        HWWB_ANN,
    ),
    (
        "learn-and-share-progress",
        "action",
        "Learn from one another and share progress",
        "The Day is a day for action: learn from one another on the progress made and expand "
        "evidence-informed solutions that make system-wide changes.",
        HWWB,
    ),
    (
        "release-resources",
        "action",
        "Release resources for the workforce",
        "Partners use the Day to release resources; in 2024 CDC/NIOSH released its Impact "
        "Wellbeing Guide.",
        HWWB,
    ),
    (
        "cost-of-burnout",
        "fact",
        "Burnout costs the health care system at least $4.6 billion annually",
        "",
        HWWB_KIT,
    ),
    (
        "burnout-2023",
        "fact",
        "In 2023, nearly half of health workers (46%) reported often feeling burned out, up from 32% in 2018",
        "Quoted in a partner's copy of the toolkit.",
        PARTNER_KIT,
    ),
)


@transaction.atomic
def seed_toolkit() -> int:
    """Add the verified toolkit entries that are missing; staff edits are kept. Returns added."""
    added = 0
    for position, (key, kind, title, body, source) in enumerate(SEED):
        _item, created = ToolkitItem.objects.get_or_create(
            key=key,
            defaults={
                "kind": kind,
                "title": title,
                "body": body,
                "source_url": source,
                "position": position,
            },
        )
        added += created
    if added:
        audit("toolkit.seed", target="Health Workforce Well-Being Day toolkit", added=added)
    return added
