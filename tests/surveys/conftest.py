from datetime import timedelta

import pytest
from django.utils import timezone

from wellbeing.surveys import actions
from wellbeing.surveys.models import Wave


@pytest.fixture
def survey(org, units, org_admin):
    return actions.create_survey(
        organization=org,
        name="Pulse",
        instruments=["single-item-burnout", "who5", "phq9"],
        demographics=["role", "unit"],
        open_questions=["What would help most?"],
        actor=org_admin,
    )


@pytest.fixture
def wave(survey, units, org_admin) -> Wave:
    now = timezone.now()
    wave = actions.create_wave(
        survey=survey,
        name="Wave 1",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=7),
        headcounts={units["icu"]: 40, units["ed"]: 30},
        actor=org_admin,
    )
    actions.open_links(wave=wave, units=[None, *units.values()], actor=org_admin)
    return actions.set_wave_status(wave=wave, status="open", actor=org_admin)


@pytest.fixture
def walk():
    return post_all_pages


@pytest.fixture
def answers():
    return complete_answers


def complete_answers(burnout=2, who5=(3, 3, 3, 3, 3), phq9=(0,) * 9):
    return {"single-item-burnout": [burnout], "who5": list(who5), "phq9": list(phq9)}


def post_all_pages(client, url, answers=None, demo=None, comment="", key=None):
    """Walk a respondent through every page like a browser without JavaScript; return the last response."""
    answers = answers or complete_answers()
    first = client.get(url)
    assert first.status_code == 200
    key = key or first.context["idempotency_key"]
    steps = first.context["flow"].steps
    response = None
    for index, step in enumerate(steps):
        data = {"idempotency_key": key, "step": str(index), "go": "next"}
        if step in answers:
            instrument = first.context["flow"].instruments[
                [i.id for i in first.context["flow"].instruments].index(step)
            ]
            for item, code in zip(instrument.items, answers[step], strict=True):
                data[f"{step}__{item.id}"] = str(code)
        elif step == "about":
            data.update({f"demo__{k}": v for k, v in (demo or {}).items()})
        elif step == "comments":
            data["open__1"] = comment
        response = client.post(url, data)
        if index < len(steps) - 1:
            assert response.status_code == 303, (
                step,
                response.status_code,
                getattr(response, "context", None) and response.context.get("errors"),
            )
    return response
