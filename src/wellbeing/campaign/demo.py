"""Synthetic Change Maker campaign: about sixty invented participants with a year of progress.

Every organization, person, commitment and figure here is invented and marked
``is_synthetic`` (names end in "(synthetic)"; addresses use ``example.org``).
The demo organization Riverbend signs on as an Accelerator whose burnout metric
is filled in from its own synthetic survey. Loading is idempotent.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from wellbeing.accounts import actions as accounts_actions
from wellbeing.accounts.demo import DEMO_PASSWORD, DemoWorld
from wellbeing.accounts.models import Membership, Organization, User, normalize_email
from wellbeing.accounts.states import US_STATES
from wellbeing.campaign import actions
from wellbeing.campaign.commitment_templates import TEMPLATES, CommitmentTemplate
from wellbeing.campaign.models import Commitment, Participant, Role
from wellbeing.campaign.periods import quarter_end, quarters_between
from wellbeing.core import pagecache
from wellbeing.plan.models import PriorityArea
from wellbeing.surveys.models import Survey

PARTICIPANTS = 60
INSTITUTIONS = 42  # the rest sign on as individuals
_PLACES = [
    "Cedar Valley", "Maple Ridge", "Harbor Point", "Summit County", "Prairie View", "Bayview",
    "Granite Falls", "Willow Creek", "Aspen Grove", "Juniper Hills", "Riverside", "Pine Bluff",
    "Stonebridge", "Clearwater", "Elm Park", "Fox Run", "Lakeshore", "Oak Hollow", "Redwood",
    "Silver Lake", "Westbrook",
]  # fmt: skip
_KIND_NAMES: dict[str, str] = {
    Organization.Kind.HEALTH_SYSTEM: "Health",
    Organization.Kind.HOSPITAL_CLINIC: "Community Hospital",
    Organization.Kind.ACADEMIC: "School of Nursing",
    Organization.Kind.PROFESSIONAL_ASSOCIATION: "Clinicians Association",
    Organization.Kind.PAYER: "Health Plan",
    Organization.Kind.HEALTH_IT: "Health Software",
    Organization.Kind.OTHER: "Care Partners",
}
_FIRST = ["Avery", "Jordan", "Morgan", "Riley", "Quinn", "Rowan", "Skyler", "Emerson", "Hayden"]
_LAST = ["Example", "Sample", "Placeholder", "Testwell", "Demo"]


def _institution_name(i: int, kind: str) -> str:
    """A name no other demo institution has: the kind repeats every 7th participant, and
    ``i // 2`` gives those seven apart a different place (``i % 21`` gave institution 1 and
    22 the same name, listed twice in the directory under two states)."""
    return f"{_PLACES[(i // 2) % len(_PLACES)]} {_KIND_NAMES[kind]} (synthetic)"


@transaction.atomic
def load_campaign_demo(world: DemoWorld) -> int:
    """Create the synthetic campaign once; return how many participants it has."""
    if Participant.objects.filter(is_synthetic=True).exists():
        return Participant.objects.filter(is_synthetic=True).count()
    rng = np.random.default_rng(2026)
    areas = list(PriorityArea.objects.order_by("number"))
    today = timezone.localdate()
    _riverbend(world, areas, today)
    for i in range(1, PARTICIPANTS):
        _participant(i, world.staff, areas, today, rng)
    pagecache.changed("campaign")  # the back-dated approvals are update()s: no signal
    return Participant.objects.filter(is_synthetic=True).count()


def _riverbend(world: DemoWorld, areas: list[PriorityArea], today: dt.date) -> None:
    org = world.organization
    if not org.state:
        Organization.objects.filter(pk=org.pk).update(state="OH")
    p = actions.sign_on(
        user=world.admin,
        organization=org,
        signer_name="Dana Admin (synthetic)",
        signer_title="Chief Wellness Officer",
        authority_statement="Dana Admin (synthetic), Chief Wellness Officer: I may commit Riverbend.",
        role=Role.ACCELERATOR,
        priority_areas=areas[:3],
        is_public=True,
        is_synthetic=True,
        notify=False,
    )
    p = _approve(p, world.staff, joined=today - dt.timedelta(days=420))
    burnout = next(t for t in TEMPLATES if t.slug == "reduce-burnout-rate")
    commitment = _commit(p, world.admin, burnout, Decimal("45"), Decimal("35"), today, 420)
    survey = Survey.objects.filter(organization=org).first()
    if survey is not None:
        metric = commitment.metrics.get()
        actions.link_metric_to_survey(
            metric,
            actor=world.admin,
            survey=survey,
            scale="single-item-burnout.score",
            statistic="share",
        )
        for wave in survey.waves.filter(closes_at__lte=timezone.now()).order_by("closes_at"):
            actions.fill_metrics_from_wave(wave)
    actions.request_support(
        p,
        actor=world.admin,
        topic="Choosing a re-measurement interval (synthetic)",
        description="How long after our interventions should we run the next wave?",
        priority_area=areas[1],
    )


def _participant(
    i: int, staff: User, areas: list[PriorityArea], today: dt.date, rng: np.random.Generator
) -> None:
    role = [Role.NODE, Role.CHAMPION, Role.ACCELERATOR][i % 3]
    state = US_STATES[(i * 5) % len(US_STATES)][0]
    chosen = [areas[i % len(areas)], areas[(i * 3 + 1) % len(areas)]]
    common: dict[str, Any] = {
        "role": role,
        "priority_areas": chosen,
        "is_public": i % 6 != 0,
        "is_synthetic": True,
        "notify": False,
    }
    if i < INSTITUTIONS:
        kind = list(_KIND_NAMES)[i % len(_KIND_NAMES)]
        org = accounts_actions.create_organization(
            name=_institution_name(i, kind), kind=kind, state=state, is_synthetic=True
        )
        signer = _user(f"signer{i:02d}@campaign.example.org", f"Signer {i:02d} (synthetic)")
        accounts_actions.add_member(organization=org, user=signer, role=Membership.Role.ORG_ADMIN)
        p = actions.sign_on(
            user=signer,
            organization=org,
            signer_name=str(signer),
            signer_title="Chief Executive Officer",
            authority_statement=f"{signer}: I may commit {org.name}.",
            **common,
        )
    else:
        name = f"{_FIRST[i % len(_FIRST)]} {_LAST[i % len(_LAST)]} (synthetic)"
        signer = _user(f"person{i:02d}@campaign.example.org", name)
        p = actions.sign_on(user=signer, signer_name=name, individual_state=state, **common)
    if i % 12 == 5:
        return  # waiting for review
    if i % 20 == 7:
        actions.confirm_email(actions.confirmation_token(p))
        actions.decline(p, actor=staff, reason="Duplicate sign-on (synthetic).", notify=False)
        return
    age = int(rng.integers(30, 540))
    p = _approve(p, staff, joined=today - dt.timedelta(days=age))
    if p.can_commit and p.organization is not None:
        for template in TEMPLATES[: 1 + i % 3]:
            baseline = Decimal(int(rng.integers(30, 55))) if template.metric_unit == "%" else None
            if template.slug == "appoint-chief-wellness-officer":
                start, target = Decimal(0), Decimal(1)
            elif baseline is not None:
                start, target = baseline, baseline - 10
            else:
                start, target = Decimal(int(rng.integers(2, 6))), Decimal(0)
            _commit(p, signer, template, start, target, today, age)


def _user(email: str, name: str) -> User:
    user = User.objects.filter(email=normalize_email(email)).first()
    return user or User.objects.create_user(email, DEMO_PASSWORD, display_name=name)


def _approve(p: Participant, staff: User, *, joined: dt.date) -> Participant:
    actions.confirm_email(actions.confirmation_token(p))
    p = actions.approve(p, actor=staff, notify=False)
    # Backdate the synthetic history so the growth chart and a year of reports have a past.
    moment = dt.datetime.combine(joined, dt.time(15), tzinfo=dt.UTC)
    Participant.objects.filter(pk=p.pk).update(created_at=moment, reviewed_at=moment)
    p.refresh_from_db()
    return p


def _commit(
    p: Participant,
    actor: User,
    template: CommitmentTemplate,
    start: Decimal,
    target: Decimal,
    today: dt.date,
    age_days: int,
) -> Commitment:
    made = today - dt.timedelta(days=age_days)
    # The template's texts are lazy translations: stored as plain text, in the demo's language.
    commitment = actions.add_commitment(
        p,
        actor=actor,
        title=str(template.title),
        priority_area=PriorityArea.objects.get(slug=template.priority_area),
        goal_statement=str(template.goal_statement),
        template=template.slug,
        metric=actions.MetricInput(
            name=str(template.metric_name),
            unit=str(template.metric_unit),
            direction=template.metric_direction,
            baseline_value=start,
            baseline_date=made,
            target_value=target,
            target_date=made + dt.timedelta(days=730),
        ),
    )
    Commitment.objects.filter(pk=commitment.pk).update(
        created_at=dt.datetime.combine(made, dt.time(16), tzinfo=dt.UTC)
    )
    actions.set_commitment_status(commitment, status=Commitment.Status.IN_PROGRESS, actor=actor)
    metric = commitment.metrics.get()
    # A year of quarterly reports at most, moving part of the way toward the target.
    done = [q for q in quarters_between(made, today) if q < quarter_end(today)][-4:]
    for step, period in enumerate(done, start=1):
        value = start + (target - start) * Decimal(step) / Decimal(6)
        actions.record_progress(
            commitment,
            actor=actor,
            period_end=period,
            narrative=f"Quarter {step} of the synthetic demo: work continues as planned.",
            values={metric.pk: value.quantize(Decimal("0.1"))},
        )
    return commitment
