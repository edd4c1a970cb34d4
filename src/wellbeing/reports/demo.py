"""Synthetic peers for the demo's movement norms: invented organizations, invented answers.

Six organizations named "Synthetic Peer Health System 1" to 6 (``is_synthetic``) each field
the demo survey's instruments in one closed wave of 118 to 148 synthetic responses, drawn
from a seeded random model (the same on every load; no real person or organization). Their
final results are published, and one norms release of synthetic organizations is made
(``norms.release_norms``, no actor), so the demo organization's report shows movement
figures. Real organizations' norms never include these (``norms`` pools each kind apart).
Idempotent: a second load finds everything and spends no more privacy budget.
"""

import contextlib
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from django.db import transaction
from django.utils import timezone

from wellbeing.accounts import actions as accounts
from wellbeing.accounts.models import Organization
from wellbeing.reports import norms, releases
from wellbeing.reports.campaign import BudgetSpent
from wellbeing.surveys import actions
from wellbeing.surveys.demo import DEMOGRAPHICS, INSTRUMENTS, SURVEY_NAME
from wellbeing.surveys.models import Survey, Wave

PEERS = 6
PEER_NAME = "Synthetic Peer Health System {}"
WAVE_NAME = "Spring 2026"
# Each peer's responses and its latent strain (invented for the demo).
PEER_PLAN = [(126, 0.35), (148, 0.6), (118, 0.5), (134, 0.75), (141, 0.45), (122, 0.65)]
ROLES = ["physician", "nurse", "physician", "nurse", "physician", "nurse", "advanced_practice"]


@dataclass(frozen=True)
class NormsDemo:
    scales: int  # scales with a movement figure for everyone
    organizations: int  # synthetic peer organizations


def _answers(rng: np.random.Generator, strain: float) -> dict[str, list[int | None]]:
    z = rng.normal(strain, 0.6)
    return {
        "single-item-burnout": [int(np.clip(np.rint(1.7 + 1.2 * z + rng.normal(0, 0.6)), 1, 5))],
        "who5": [int(np.clip(np.rint(3.2 - 1.1 * z + rng.normal(0, 0.9)), 0, 5)) for _ in range(5)],
        "phq2": [int(np.clip(np.rint(0.5 + 0.8 * z + rng.normal(0, 0.6)), 0, 3)) for _ in range(2)],
    }


def _demographics(rng: np.random.Generator) -> dict[str, str]:
    return {
        "role": "prefer_not" if rng.random() < 0.06 else str(rng.choice(ROLES)),
        "tenure": str(rng.choice(["lt1", "1_5", "1_5", "6_10", "11_20", "gt20"])),
        "career_stage": str(rng.choice(["early", "mid", "mid", "late", "training"])),
    }


def _peer(number: int) -> Organization:
    slug = f"synthetic-peer-{number}"
    org = Organization.objects.filter(slug=slug).first()
    return org or accounts.create_organization(
        name=PEER_NAME.format(number), kind="health_system", slug=slug, is_synthetic=True
    )


def _closed_wave(org: Organization, n: int, strain: float, seed: int) -> Wave:
    """The peer's one closed wave of ``n`` synthetic responses, with its final results."""
    survey = Survey.objects.filter(organization=org, name=SURVEY_NAME).first()
    if survey is None:
        survey = actions.create_survey(
            organization=org,
            name=SURVEY_NAME,
            instruments=INSTRUMENTS,
            demographics=DEMOGRAPHICS,
        )
    wave = survey.waves.filter(name=WAVE_NAME).first()
    if wave is None:
        now = timezone.now()
        wave = actions.create_wave(
            survey=survey,
            name=WAVE_NAME,
            opens_at=now - timedelta(days=215),
            closes_at=now - timedelta(days=185),
        )
        actions.open_links(wave=wave, units=[None])
    if wave.status != Wave.Status.CLOSED:
        if not wave.collects:
            actions.set_wave_status(wave=wave, status=Wave.Status.OPEN)
        rng = np.random.default_rng(seed)
        rows = [
            actions.ImportedResponse(
                key=f"demo-peer-{org.slug}-{i}"[:64],
                unit=None,
                answers=_answers(rng, strain),
                demographics=_demographics(rng),
            )
            for i in range(n)
        ]
        actions.record_synthetic_responses(wave=wave, rows=rows, submitted_on=wave.opens_at.date())
        actions.set_wave_status(wave=wave, status=Wave.Status.CLOSED)
    releases.publish_final(wave)  # nothing when its final results are out already
    return wave


@transaction.atomic
def load_norms_demo(world) -> NormsDemo:
    """The synthetic peers and one norms release of synthetic organizations (see above)."""
    for number, (n, strain) in enumerate(PEER_PLAN, start=1):
        _closed_wave(_peer(number), n, strain, seed=4100 + number)
    # The demo organization's closed waves count too, once their final results are out.
    for wave in Wave.objects.filter(
        survey__organization=world.organization, status=Wave.Status.CLOSED
    ):
        releases.publish_final(wave)
    # Past the budget the latest norms release stays the demo's.
    with contextlib.suppress(BudgetSpent, norms.NormsRefused):
        norms.release_norms(actor=None, synthetic=True)
    shown = norms.latest(synthetic=True)
    cells = shown.cells.items() if shown is not None else ()
    scales = {s for (s, group), cell in cells if group == norms.ALL and cell.mean is not None}
    return NormsDemo(len(scales), PEERS)
