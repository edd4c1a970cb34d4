"""The campaign's test world: participants of the shared organizations, in every state."""

import datetime as dt
from decimal import Decimal

import pytest

PASSWORD = "a-long-test-password"


def metric(**overrides):
    from wellbeing.campaign.actions import MetricInput

    values = {
        "name": "Share reporting burnout",
        "unit": "%",
        "direction": "decrease",
        "baseline_value": Decimal("42"),
        "baseline_date": dt.date(2026, 1, 15),
        "target_value": Decimal("30"),
        "target_date": dt.date(2027, 12, 31),
    }
    return MetricInput(**{**values, **overrides})


def area(slug="measurement-assessment-strategies-and-research"):
    from wellbeing.plan.models import PriorityArea

    return PriorityArea.objects.get(slug=slug)


@pytest.fixture
def sign_on_org(org, org_admin):
    """Return a function that signs ``org`` on (pending, email not confirmed)."""
    from wellbeing.campaign import actions

    def _sign_on(role="accelerator", is_public=True):
        return actions.sign_on(
            user=org_admin,
            organization=org,
            signer_name="Alice Admin",
            signer_title="Chief Wellness Officer",
            authority_statement="Alice Admin: I may commit Riverbend.",
            role=role,
            priority_areas=[area()],
            is_public=is_public,
        )

    return _sign_on


@pytest.fixture
def pending(sign_on_org):
    return sign_on_org()


@pytest.fixture
def approved(pending, staff_curator):
    from wellbeing.campaign import actions

    actions.confirm_email(actions.confirmation_token(pending))
    return actions.approve(pending, actor=staff_curator)


@pytest.fixture
def commitment(approved, org_admin):
    from wellbeing.campaign import actions

    return actions.add_commitment(
        approved,
        actor=org_admin,
        title="Lower burnout in nursing",
        priority_area=area(),
        goal_statement="Halve the share of nurses who report burnout.",
        metric=metric(),
    )


@pytest.fixture
def outsider_participant(other_org, outsider, staff_curator):
    """Lakeside, approved and public, signed by the outsider."""
    from wellbeing.campaign import actions

    p = actions.sign_on(
        user=outsider,
        organization=other_org,
        signer_name="Olu",
        signer_title="CEO",
        authority_statement="Olu: I may commit Lakeside.",
        role="accelerator",
        priority_areas=[area()],
        is_public=True,
    )
    actions.confirm_email(actions.confirmation_token(p))
    return actions.approve(p, actor=staff_curator)


@pytest.fixture
def make_world(db):
    """Return a function that bulk-creates a large campaign: participants and commitments.

    Half the participants are organizations in rotating states and sectors, half
    individuals; every fifth one chose a private listing. Each commitment has one metric.
    """
    from django.utils import timezone

    from wellbeing.accounts.models import Organization, User
    from wellbeing.accounts.states import US_STATES
    from wellbeing.campaign.models import Commitment, Metric, Participant, Role
    from wellbeing.plan.models import PriorityArea

    def _make(participants=5000, commitments=20000, status="approved"):
        areas = list(PriorityArea.objects.order_by("number"))
        kinds = Organization.Kind.values
        roles = Role.values
        users = User.objects.bulk_create(
            User(email=f"p{i}@world.test", password="!") for i in range(participants)
        )
        orgs = Organization.objects.bulk_create(
            Organization(
                name=f"World Org {i}",
                slug=f"world-org-{i}",
                kind=kinds[i % len(kinds)],
                state=US_STATES[i % len(US_STATES)][0],
            )
            for i in range(0, participants, 2)
        )
        now = timezone.now()
        rows = []
        for i, user in enumerate(users):
            org = orgs[i // 2] if i % 2 == 0 else None
            rows.append(
                Participant(
                    organization=org,
                    user=user,
                    display_name=org.name if org else f"World Person {i}",
                    individual_state="" if org else US_STATES[i % len(US_STATES)][0],
                    role=roles[i % 3],
                    status=status,
                    signer_name=f"Signer {i}",
                    authority_statement="Synthetic test participant.",
                    is_public=i % 5 != 0,
                    reviewed_at=now - dt.timedelta(days=i % 400) if status == "approved" else None,
                    email_confirmed_at=now,
                )
            )
        made = Participant.objects.bulk_create(rows)
        through = Participant.priority_areas.through
        through.objects.bulk_create(
            through(participant_id=p.pk, priorityarea_id=areas[i % len(areas)].pk)
            for i, p in enumerate(made)
        )
        statuses = ["planned", "in_progress", "achieved", "not_achieved", "withdrawn"]
        items = Commitment.objects.bulk_create(
            Commitment(
                participant=made[i % len(made)],
                priority_area=areas[i % len(areas)],
                title=f"Commitment {i}",
                goal_statement="A synthetic goal.",
                status=statuses[i % len(statuses)],
            )
            for i in range(commitments)
        )
        Metric.objects.bulk_create(
            Metric(
                commitment=c,
                name="Share reporting burnout",
                unit="%",
                direction="decrease",
                baseline_value=Decimal("40"),
                baseline_date=dt.date(2026, 1, 1),
                target_value=Decimal("30"),
                target_date=dt.date(2027, 1, 1),
            )
            for c in items
        )
        return made

    return _make
