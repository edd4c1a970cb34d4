"""Synthetic survey data for the demo: one survey, two waves, a few hundred invented responses.

The answers are generated from a random model (seeded, so every load is the
same); they describe no real people. Units differ in a latent "strain" so the
reports have something to show, and wave 2 is a little better in some units so
re-measurement has something to find.

Respondents read every instrument's real wording, so the survey fields only
instruments whose items and answer labels ship with the platform (verified and
licensed for display: docs/instruments.md): the single-item burnout measure, the
WHO-5 and the PHQ-2. None needs wording from a licence holder, so no placeholder
ever reaches a respondent. In the synthetic model a person's well-being and
depression screen go with their strain, so the report's key drivers have
associations to find among the scales driver_map.toml lists.
"""

from datetime import timedelta

import numpy as np
from django.db import transaction
from django.utils import timezone

from wellbeing.accounts.models import Organization, Unit, User
from wellbeing.reports import door
from wellbeing.surveys import actions
from wellbeing.surveys.models import Survey, Wave

SURVEY_NAME = "Clinician well-being survey (synthetic demo)"
INSTRUMENTS = ["single-item-burnout", "who5", "phq2"]
DEMOGRAPHICS = ["role", "tenure", "career_stage"]
OPEN_QUESTIONS = ["What one change would most improve your well-being at work?"]
# Synthetic answers to the open question, written for the demo (no real respondent).
DEMO_COMMENTS = [
    "Protected time for breaks on long shifts.",
    "Fewer clicks to sign orders in the record system.",
    "Predictable schedules published further ahead.",
    "A quiet room to decompress after a hard case.",
    "More nurses on nights so we can take our breaks.",
    "Less time on inbox messages after hours.",
    "Regular check-ins with my manager that are not about metrics.",
    "Scribes or dictation support in clinic.",
    "Help with childcare on late shifts.",
    "Recognition when the team goes above and beyond.",
    "Clearer escalation when the unit is short-staffed.",
    "Peer support after adverse events.",
]

# (unit name, responses in wave 1, wave 2, strain in wave 1, change in strain by wave 2)
PLAN = {
    "Adult Emergency": (34, 31, 0.9, -0.5),
    "Pediatric Emergency": (12, 14, 0.6, -0.1),
    "Hospital Medicine": (22, 20, 0.5, -0.3),
    "General Internal Medicine Clinic": (18, 17, 0.2, 0.0),
    "Intensive Care Unit": (28, 26, 0.8, -0.6),
    "Medical-Surgical Unit": (30, 24, 0.6, 0.05),
    "Perioperative Services": (15, 13, 0.3, 0.0),
    "Pharmacy": (9, 11, 0.1, -0.05),
    "Internal Medicine Residency": (16, 15, 0.7, -0.2),
    "Emergency Department": (3, 2, 0.5, 0.0),  # a unit with too few direct responses: suppressed
}
ROLE_BY_UNIT = {
    "Pharmacy": ["pharmacist"],
    "Internal Medicine Residency": ["resident_fellow"],
    "Intensive Care Unit": ["nurse", "nurse", "nurse", "physician", "advanced_practice"],
    "Medical-Surgical Unit": ["nurse", "nurse", "nurse", "allied_health"],
    "Perioperative Services": ["nurse", "physician", "allied_health"],
}


def _answers(
    rng: np.random.Generator, strain: float, change: float = 0.0
) -> dict[str, list[int | None]]:
    """One person's codes: a latent strain drives burnout, lower well-being and low mood."""
    z = rng.normal(strain + change, 0.5)
    burnout = int(np.clip(np.rint(1.6 + 1.1 * z + rng.normal(0, 0.6)), 1, 5))
    who5: list[int | None] = [
        int(np.clip(np.rint(3.2 - 1.1 * z + rng.normal(0, 0.9)), 0, 5)) for _ in range(5)
    ]
    phq2: list[int | None] = [
        int(np.clip(np.rint(0.5 + 0.8 * z + rng.normal(0, 0.6)), 0, 3)) for _ in range(2)
    ]
    return {"single-item-burnout": [burnout], "who5": who5, "phq2": phq2}


def _demographics(rng: np.random.Generator, unit_name: str) -> dict[str, str]:
    roles = ROLE_BY_UNIT.get(
        unit_name, ["physician", "physician", "nurse", "advanced_practice", "other"]
    )
    demo = {
        "role": str(rng.choice(roles)),
        "tenure": str(rng.choice(["lt1", "1_5", "1_5", "6_10", "11_20", "gt20"])),
        "career_stage": str(rng.choice(["early", "mid", "mid", "late", "training"])),
    }
    if rng.random() < 0.08:  # some people prefer not to say
        demo["role"] = "prefer_not"
    return demo


def is_current(survey: Survey) -> bool:
    """Whether the demo survey asks this version's questionnaires (an older demo database
    asked others, some with placeholder wording)."""
    return list(survey.current_version.instruments) == INSTRUMENTS


@transaction.atomic
def load_survey_demo(org: Organization, admin: User) -> Survey:
    survey = Survey.objects.filter(organization=org, name=SURVEY_NAME).first()
    if survey is None:
        survey = actions.create_survey(
            organization=org,
            name=SURVEY_NAME,
            instruments=INSTRUMENTS,
            demographics=DEMOGRAPHICS,
            open_questions=OPEN_QUESTIONS,
            actor=admin,
        )
    if not is_current(survey):
        # Loaded by an older version: its questions are frozen and its answers would not
        # fit them, so it is left as it is (the demo command says how to reload it).
        return survey
    units = {u.name: u for u in Unit.objects.filter(organization=org)}
    now = timezone.now()
    specs = [
        (
            "Spring 2026",
            now - timedelta(days=220),
            now - timedelta(days=190),
            Wave.Status.CLOSED,
            1,
            0.0,
        ),
        (
            "Autumn 2026",
            now - timedelta(days=10),
            now + timedelta(days=20),
            Wave.Status.OPEN,
            2,
            1.0,
        ),
    ]
    for name, opens, closes, status, number, progress in specs:
        wave = survey.waves.filter(name=name).first()
        if wave is None:
            headcounts = {
                units[u]: int(n1 * 1.6) + 2 for u, (n1, *_rest) in PLAN.items() if u in units
            }
            wave = actions.create_wave(
                survey=survey,
                name=name,
                opens_at=opens,
                closes_at=closes,
                headcounts=headcounts,
                actor=admin,
            )
            actions.open_links(wave=wave, units=[None, *units.values()], actor=admin)
        if not wave.collects:
            # Fielded through its links like a real wave: the synthetic answers stand in
            # for people who followed them.
            actions.set_wave_status(wave=wave, status=Wave.Status.OPEN, actor=admin)
        rng = np.random.default_rng(2026 + number)
        rows = []
        for unit_name, (n1, n2, strain, delta) in PLAN.items():
            unit = units.get(unit_name)
            for i in range(n1 if number == 1 else n2):
                rows.append(
                    actions.ImportedResponse(
                        key=f"demo-{org.slug}-w{number}-{unit_name}-{i}"[:64],
                        unit=unit,
                        answers=_answers(rng, strain, progress * delta),
                        demographics=_demographics(rng, unit_name),
                    )
                )
        actions.record_synthetic_responses(
            wave=wave,
            rows=rows,
            comments=DEMO_COMMENTS[number - 1 :: 2],
            submitted_on=opens.date(),
        )
        if wave.status != status:
            actions.set_wave_status(wave=wave, status=status, actor=admin)
        if status == Wave.Status.OPEN and not wave.releases.exists():
            # The autumn wave is still open: its results so far are published as interim
            # results, as an admin would to share them before the close.
            door.publish_interim(admin, org, wave)
    return survey
