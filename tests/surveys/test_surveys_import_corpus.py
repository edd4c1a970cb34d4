"""The import corpus: every sample export stores exactly what its respondents answered, or is
refused with a message that says what to do (tests/surveys/import_corpus)."""

import json
from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone
from import_corpus import MISSING, Case, cases

from wellbeing.surveys import actions
from wellbeing.surveys.imports import run
from wellbeing.surveys.imports.mapping import Mapping
from wellbeing.surveys.models import Response

CASES = cases()


@pytest.fixture
def corpus_wave(survey, org_admin):
    """A historical wave, never opened: the kind a file import fills."""
    now = timezone.now()
    return actions.create_wave(
        survey=survey,
        name="Earlier survey",
        opens_at=now - timedelta(days=400),
        closes_at=now - timedelta(days=380),
        actor=org_admin,
    )


def _organization_units(case: Case, org, units) -> dict[str, int]:
    from wellbeing.accounts import actions as accounts

    by_name = {u.name: u for u in units.values()}
    for name, parent in case.extra_units:
        by_name[name] = accounts.add_unit(organization=org, name=name, parent=by_name.get(parent))
    return {name: unit.pk for name, unit in by_name.items()}


def _mapping(job, case: Case) -> Mapping:
    """The suggested mapping with the person's own column choices and rules."""
    suggested = run.suggested_mapping(job, run.table_of(job)).to_json()
    chosen = {**suggested, **case.columns, "recode": case.recode}
    if "items" in case.columns:
        chosen["items"] = {**suggested["items"], **case.columns["items"]}
        for instrument_id, columns in list(chosen["items"].items()):
            if instrument_id not in case.columns["items"]:
                chosen["items"][instrument_id] = [""] * len(columns)
    return Mapping.from_json(chosen)


def _refusal(checked) -> str:
    """Everything the dry-run page says stands in the way, as one text."""
    parts = [f"{e.column}: {e.why}" for e in checked.errors]
    parts += checked.pending
    return " | ".join(parts)


def _answer_the_page(case: Case, mapping: Mapping, checked, unit_ids: dict[str, int]) -> Mapping:
    """What the person does on the dry-run page, knowing their own survey.

    For each answer scale, the unit and each demographic question: a value the importer
    proposed must be the person's own answer (it never guesses); a value it asks about gets
    the person's answer if they know it; a way of numbering that gives every value the
    person's answer is chosen at once; then the table is confirmed.
    """
    data = mapping.to_json()
    for block in checked.blocks:
        knows = dict(case.answers.get(block.key, _knows_by_name(block, unit_ids)))
        if block.key == "unit":
            knows = {v: n if n == MISSING else str(unit_ids[n]) for v, n in knows.items()}
        for found in block.values:
            if found.proposed:
                assert knows.get(found.value) == found.proposed, (block.key, found)
        if block.key in case.asked:
            asked = {f.value for f in block.values if not f.proposed}
            assert asked == case.asked[block.key], block.key
        reading = next(
            (
                r
                for r in block.readings
                if all(r.answers.get(f.value) == knows.get(f.value) for f in block.values)
            ),
            None,
        )
        if block.key in case.numbering:
            assert reading is not None and reading.key == case.numbering[block.key], block.key
        if reading is not None:
            data["readings"][block.key] = reading.key
        else:
            chosen = {f.value: f.proposed for f in block.values if f.proposed}
            chosen |= {f.value: knows[f.value] for f in block.values if f.value in knows}
            data["codes"][block.key] = chosen
        if block.needs_confirmation:
            data["confirmed"][block.key] = block.columns
    return Mapping.from_json(data)


def _knows_by_name(block, unit_ids: dict[str, int]) -> dict[str, str]:
    """Without more said, the person knows a unit by its name and an answer by its key."""
    if block.key == "unit":
        return {name: name for name in unit_ids}
    return {c.value: c.value for c in block.choices}


def _stored_rows(wave) -> list[str]:
    rows = Response.objects.filter(wave=wave).select_related("unit")
    return sorted(
        json.dumps([r.answers, r.unit.name if r.unit else None, r.demographics], sort_keys=True)
        for r in rows
    )


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_sample_export_stores_exactly_its_answers_or_is_refused_saying_what_to_do(
    case, corpus_wave, org, org_admin, units
):
    unit_ids = _organization_units(case, org, units)
    job = run.upload(
        wave=corpus_wave,
        filename=case.name,
        content=case.build(),
        preset=case.preset,
        actor=org_admin,
    )
    mapping = _mapping(job, case)
    try:
        checked = run.dry_run(job=job, mapping=mapping, actor=org_admin)
        # Nothing is ready before the person has confirmed what the answers' values mean.
        assert checked.pending and not checked.ok
        assert all("confirm what each value in the file means" in p for p in checked.pending)
        mapping = _answer_the_page(case, mapping, checked, unit_ids)
        checked = run.dry_run(job=job, mapping=mapping, actor=org_admin)
    except ValueError as error:
        refusal = str(error)
    else:
        refusal = "" if checked.ok else _refusal(checked)
    if case.stored is None:
        assert refusal and case.refused.casefold() in refusal.casefold(), refusal
        assert not Response.objects.filter(wave=corpus_wave).exists()
        return
    assert not refusal, f"refused: {refusal[:600]}"
    with TestCase.captureOnCommitCallbacks(execute=True):
        run.start(job=job, actor=org_admin)
    job.refresh_from_db()
    assert job.status == "done", job.message
    assert _stored_rows(corpus_wave) == sorted(row.canonical() for row in case.stored)
