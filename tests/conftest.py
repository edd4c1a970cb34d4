"""The shared test world: two organizations and named actors, a survey and its open wave.

- ``org``: Riverbend (synthetic) with a unit tree; ``other_org``: Lakeside.
- ``org_admin`` (admin of ``org``), ``unit_lead`` (leads Nursing in ``org``),
  ``clinician`` (a member of ``org``), ``staff_curator`` (campaign staff),
  ``outsider`` (admin of ``other_org``, no role in ``org``).
- ``survey`` and ``wave`` (open, collecting through a link per unit); ``answers`` makes a
  complete set of answers, ``walk`` takes a survey like a browser without JavaScript,
  ``synthetic`` stores responses as if they came through the wave's links and ``close``
  closes a wave (its results are published when it is next read).
"""

import os
from datetime import timedelta

import pytest

# Tasks run in-process during tests, whatever the environment says (settings default to the
# database backend and its worker). The variable reaches the servers tests start; this
# process read its settings before loading this file, so pytest_configure swaps the backend
# and resets django_tasks' cached backends (its setting_changed receiver does).
IMMEDIATE_TASKS = "django_tasks.backends.immediate.ImmediateBackend"
os.environ["TASKS_BACKEND"] = IMMEDIATE_TASKS


def pytest_configure(config):
    if config.pluginmanager.hasplugin("django"):
        from django.conf import settings
        from django.test.signals import setting_changed

        settings.TASKS = {"default": {"BACKEND": IMMEDIATE_TASKS}}
        setting_changed.send(sender=None, setting="TASKS", value=settings.TASKS, enter=True)
        # Every test client builds the middleware again, and WhiteNoise would list all
        # 2,600 static files each time (over half the suite's time). Looking a file up
        # when it is asked for serves the same files with the same headers.
        settings.WHITENOISE_AUTOREFRESH = True
        _load_the_plan_after_every_flush()


def _load_the_plan_after_every_flush():
    """Leave the database as migrated when a transactional test empties it at its end.

    The flush takes the Plan that the migrations loaded with every other row. `make test`
    runs tests on several workers in any order, so the next test on this worker may read
    the Plan: the flush sends post_migrate (content types and permissions come back that
    way), and so does this. After the first migrate it finds the Plan there and adds nothing.
    """
    from django.apps import apps
    from django.db.models.signals import post_migrate

    def load(**kwargs):
        from wellbeing.plan.loader import load_national_plan

        load_national_plan()

    post_migrate.connect(load, sender=apps.get_app_config("plan"), weak=False)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Start the tests marked ``slow`` first (after pytest-django's own ordering).

    Under ``-n`` a long test picked up last keeps one worker busy while the others wait; the
    order is otherwise kept. It does not matter for correctness: every test leaves the
    database as migrated (``_load_the_plan_after_every_flush``).
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


# Django is imported inside the fixtures, so the pure-package tests
# (tests/instruments, tests/analysis) also run with `-p no:django`.


@pytest.fixture(autouse=True)
def _fast_password_hashing(request):
    if request.config.pluginmanager.hasplugin("django"):
        settings = request.getfixturevalue("settings")
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    """Rate-limit counts and cached lookups start empty in every test."""
    if request.config.pluginmanager.hasplugin("django"):
        from django.core.cache import cache

        from wellbeing.surveys import memo

        cache.clear()
        memo.forget_all()  # the respondent pages' per-process memos


@pytest.fixture(autouse=True)
def _no_second_factor_or_lockout(request):
    """2FA and sign-in lockout are off, except in the tests of them (tests/ops/test_ops_security.py)."""
    if (
        request.config.pluginmanager.hasplugin("django")
        and "test_ops_security" not in request.node.nodeid
    ):
        settings = request.getfixturevalue("settings")
        settings.WELLBEING_REQUIRE_2FA = False
        settings.AXES_ENABLED = False


@pytest.fixture
def org(db):
    from wellbeing.accounts import actions

    return actions.create_organization(
        name="Riverbend Health", kind="health_system", slug="riverbend"
    )


@pytest.fixture
def other_org(db):
    from wellbeing.accounts import actions

    return actions.create_organization(
        name="Lakeside Clinic", kind="hospital_clinic", slug="lakeside"
    )


@pytest.fixture
def units(org):
    from wellbeing.accounts import actions

    ed = actions.add_unit(organization=org, name="Emergency Department")
    nursing = actions.add_unit(organization=org, name="Nursing")
    icu = actions.add_unit(organization=org, name="Intensive Care Unit", parent=nursing)
    night = actions.add_unit(organization=org, name="ICU Night Team", parent=icu)
    return {"ed": ed, "nursing": nursing, "icu": icu, "night": night}


def _person(email: str, **extra):
    from wellbeing.accounts.models import User

    return User.objects.create_user(email, "a-long-test-password", **extra)


def _member(org, user, role: str, unit=None):
    from wellbeing.accounts import actions

    actions.add_member(organization=org, user=user, role=role, unit=unit)
    return user


@pytest.fixture
def org_admin(org):
    return _member(org, _person("alice@riverbend.test"), "org_admin")


@pytest.fixture
def unit_lead(org, units):
    return _member(org, _person("lee@riverbend.test"), "unit_lead", units["nursing"])


@pytest.fixture
def clinician(org):
    return _member(org, _person("casey@riverbend.test"), "member")


@pytest.fixture
def staff_curator(db):
    return _person("sam@campaign.test", is_staff=True)


@pytest.fixture
def outsider(other_org):
    return _member(other_org, _person("olu@lakeside.test"), "org_admin")


@pytest.fixture
def survey(org, units, org_admin):
    from wellbeing.surveys import actions

    return actions.create_survey(
        organization=org,
        name="Pulse",
        instruments=["single-item-burnout", "who5", "phq9"],
        demographics=["role", "unit"],
        open_questions=["What would help most?"],
        actor=org_admin,
    )


@pytest.fixture
def wave(survey, units, org_admin):
    from django.utils import timezone

    from wellbeing.surveys import actions

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
    first = client.get(url, follow=True)  # the link redirects to the survey's token-free address
    assert first.status_code == 200
    url = first.request["PATH_INFO"]
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


def enter(client, entrance: str, **extra):
    """Open a survey link like a browser; return the survey's own address and its first page."""
    page = client.get(entrance, follow=True, **extra)
    assert page.status_code == 200
    return page.request["PATH_INFO"], page


def survey_pages(flow, signed: str, answers: dict, comment: str = "", demo: dict | None = None):
    """The form data of every page of ``flow``, the last one the final submit."""
    pages = []
    for index, step in enumerate(flow.steps):
        data = {"idempotency_key": signed, "step": str(index), "go": "next"}
        for instrument in flow.instruments:
            if instrument.id == step:
                codes = zip(instrument.items, answers[step], strict=True)
                data.update({f"{step}__{item.id}": str(code) for item, code in codes})
        if step == "about":
            data.update({f"demo__{k}": v for k, v in (demo or {}).items()})
        if step == "comments":
            data.update({"open__1": comment, "go": "submit"})
        pages.append(data)
    return pages


def store_synthetic(wave, unit, n, answers=None, *, role="nurse", start=0, demographics=None):
    """``n`` synthetic responses in ``unit`` of a collecting wave (burnout cycling 1..5)."""
    from wellbeing.surveys import actions

    make = answers or complete_answers
    rows = [
        actions.ImportedResponse(
            key=f"t-{wave.pk}-{unit.pk if unit else 'x'}-{start + i}",
            unit=unit,
            answers=make(burnout=1 + (i % 5)),
            demographics=dict(demographics) if demographics is not None else {"role": role},
        )
        for i in range(n)
    ]
    return actions.record_synthetic_responses(wave=wave, rows=rows)


@pytest.fixture
def synthetic():
    return store_synthetic


def settle_all():
    """Settle every wave's pending submissions into rows, as publishing its results does."""
    from wellbeing.surveys import actions
    from wellbeing.surveys.models import Pending, Wave

    waves = Wave.objects.filter(pk__in=Pending.objects.values("wave"))
    return sum(actions.settle_responses(wave) for wave in waves)


def close_wave(wave, actor=None):
    from wellbeing.surveys import actions

    return actions.set_wave_status(wave=wave, status="closed", actor=actor)


@pytest.fixture
def close():
    return close_wave
