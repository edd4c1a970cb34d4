"""Anonymity at rest: what someone holding a copy of the database can learn.

The attacker of these tests reads every table, every column and the order the database
returns rows in (SQLite's rowid order, PostgreSQL's heap order, ``ctid`` and ``xmin``), and
knows the order in which personal links were used. They must not be able to rank the
responses, scores or comments by that order, nor join a comment to its response.
"""

from __future__ import annotations

import itertools
from datetime import datetime, time

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone
from scipy.stats import rankdata, spearmanr
from tests.conftest import complete_answers

from wellbeing.core.models import AuditEvent
from wellbeing.reports import releases
from wellbeing.surveys import actions, scoring
from wellbeing.surveys.actions import Submission, SubmissionRefused, submit_response
from wellbeing.surveys.models import Comment, Pending, Response, Score

N = 240  # |rho| < 0.3 by chance alone at this size is a 1-in-10^5 event per column
WHO5_LEVELS = 6
# The content the test plants so that it can tell submissions apart (an answer pattern and
# a comment numbered by the order of link use), and the scores derived from those answers:
# they rank submissions by construction. Every other column and every row order is checked.
PLANTED = {"answers", "text", "value", "category"}


def _answers_for(i: int) -> dict[str, list[int | None]]:
    """Answers that name submission ``i`` (its WHO-5 digits in base 6)."""
    digits = [(i // WHO5_LEVELS**p) % WHO5_LEVELS for p in range(5)]
    return complete_answers(burnout=1 + i % 5, who5=tuple(digits))


def _index_of(answers: dict) -> int:
    return sum(code * WHO5_LEVELS**p for p, code in enumerate(answers["who5"]))


def _submit_in_order(wave, units, numbers: range) -> None:
    """People use their personal links one after the other, each with a comment."""
    unit_list = list(units.values())
    tokens = {u.pk: iter(actions.issue_tokens(wave=wave, count=N, unit=u)) for u in unit_list}
    for i in numbers:
        unit = unit_list[i % len(unit_list)]
        _stored, created = submit_response(
            Submission(
                wave=wave,
                unit=unit,
                idempotency_key=scoring.new_idempotency_key(),
                answers=_answers_for(i),
                demographics={"role": "nurse"},
                comments={1: f"comment of person {i:04d}"},
                token=next(tokens[unit.pk]),
            )
        )
        assert created


def _table(model) -> tuple[list[str], list[tuple]]:
    """Every row of ``model``'s table as the database returns it with no ORDER BY, plus the
    physical position and creating transaction where the database has them."""
    q = connection.ops.quote_name
    extra = "ctid::text, xmin::text::bigint, " if connection.vendor == "postgresql" else "rowid, "
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {extra}* FROM {q(model._meta.db_table)}")  # noqa: S608
        names = [c[0] for c in cursor.description]
        rows = cursor.fetchall()
    if connection.vendor == "postgresql":
        names[0] = "ctid"
        rows = [(_ctid(r[0]), *r[1:]) for r in rows]
    return names, rows


def _ctid(text: str) -> int:
    """A heap position (page, item) as one sortable number."""
    page, item = text.strip("()").split(",")
    return int(page) * 65_536 + int(item)


def _rank_correlations(names: list[str], rows: list[tuple], order: list[int]) -> dict[str, float]:
    """Spearman's rho of every column (and of the row's position) against ``order``."""
    out = {"position": float(spearmanr(range(len(rows)), order)[0])}
    for c, name in enumerate(names):
        if name in PLANTED:
            continue
        values = [row[c] for row in rows]
        if len({str(v) for v in values}) < 2:
            continue  # the same for every row: ranks nothing
        if not all(isinstance(v, int | float) for v in values):
            values = [str(v) for v in values]  # text, dates, JSON: ranked as text
        out[name] = float(spearmanr(rankdata(values), order)[0])
    return out


@pytest.fixture
def answered(wave, units):
    _submit_in_order(wave, units, range(N))
    return wave


@pytest.mark.django_db(transaction=True)
def test_while_the_wave_collects_the_database_holds_no_answer_or_comment_in_clear(answered):
    assert Response.objects.filter(wave=answered).count() == 0
    assert Comment.objects.filter(wave=answered).count() == 0
    assert Pending.objects.filter(wave=answered).count() == N
    for model in apps.get_models():
        _names, rows = _table(model)
        text = repr(rows)
        assert "comment of person" not in text, model
        assert "who5" not in text or model is not Pending, model


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("interim", [False, True], ids=["closed", "interim-then-closed"])
def test_no_column_or_row_order_ranks_responses_scores_or_comments_by_link_use(
    wave, units, org_admin, interim
):
    """Also across an interim release, which settles the first half while the wave is open."""
    half = N // 2 if interim else N
    _submit_in_order(wave, units, range(half))
    if interim:
        releases.publish_interim(wave, actor=org_admin)
        _submit_in_order(wave, units, range(half, N))
    actions.set_wave_status(wave=wave, status="closed")
    releases.publish_final(wave)  # settles, if the close's task has not already
    assert Pending.objects.filter(wave=wave).count() == 0

    names, rows = _table(Response)
    answers_at = names.index("answers")
    order = [_index_of(_json(row[answers_at])) for row in rows]
    assert sorted(order) == list(range(N))
    by_response = {row[names.index("id")]: i for row, i in zip(rows, order, strict=True)}
    checked = {"response": _rank_correlations(names, rows, order)}

    names, rows = _table(Score)
    owner = names.index("response_id")
    checked["score"] = _rank_correlations(names, rows, [by_response[r[owner]] for r in rows])

    names, rows = _table(Comment)
    text_at = names.index("text")
    comment_order = [int(row[text_at].rsplit(" ", 1)[1]) for row in rows]
    assert sorted(comment_order) == list(range(N))
    checked["comment"] = _rank_correlations(names, rows, comment_order)

    ranked = {
        f"{table}.{column}": round(rho, 3)
        for table, columns in checked.items()
        for column, rho in columns.items()
        if abs(rho) >= 0.3
    }
    assert ranked == {}
    assert {"id", "position"} <= set(checked["comment"]) and "id" in checked["response"]


def _json(value):
    import json

    return value if isinstance(value, dict) else json.loads(value)


@pytest.mark.django_db
def test_comment_ids_do_not_follow_response_ids(wave, units):
    """The join a tester made: comment ids advancing with response ids."""
    unit = units["icu"]
    for i in range(40):
        submit_response(
            Submission(
                wave, unit, scoring.new_idempotency_key(), _answers_for(i), {}, {1: f"c {i}"}
            )
        )
    actions.settle_responses(wave)
    responses = sorted(Response.objects.filter(wave=wave), key=lambda r: r.pk)
    comments = sorted(Comment.objects.filter(wave=wave), key=lambda c: c.pk)
    by_id = [_index_of(r.answers) for r in responses]
    comment_by_id = [int(c.text.split()[1]) for c in comments]
    # Zipping the two tables by id order pairs almost every comment with another's answers.
    assert sum(a == b for a, b in zip(by_id, comment_by_id, strict=True)) < 10


def _submission(wave, unit, key: str, burnout: int, comment: str = "") -> Submission:
    return Submission(
        wave=wave,
        unit=unit,
        idempotency_key=key,
        answers=complete_answers(burnout=burnout),
        demographics={},
        comments={1: comment} if comment else {},
    )


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_refused_and_shows_nothing(wave, units):
    key = scoring.new_idempotency_key()
    first, created = submit_response(_submission(wave, units["icu"], key, 5, "mine"))
    assert created
    again, created = submit_response(_submission(wave, units["icu"], key, 5, "mine"))
    assert not created and again.answers == first.answers  # a retry gets its own answers
    for other in (
        _submission(wave, units["icu"], key, 1, "mine"),  # other answers
        _submission(wave, units["icu"], key, 5, "theirs"),  # another comment
        _submission(wave, units["ed"], key, 5, "mine"),  # another unit
    ):
        with pytest.raises(SubmissionRefused) as refused:
            submit_response(other)
        assert refused.value.reason == "key_reused"
    # Still so once the submission has been settled into a response.
    actions.settle_responses(wave)
    assert Response.objects.filter(wave=wave).count() == 1
    with pytest.raises(SubmissionRefused) as refused:
        submit_response(_submission(wave, units["icu"], key, 1))
    assert refused.value.reason == "key_reused"
    again, created = submit_response(_submission(wave, units["icu"], key, 5, "mine"))
    assert not created and again.answers["single-item-burnout"] == [5]
    assert Response.objects.filter(wave=wave).count() == 1


@pytest.mark.django_db
def test_settling_stores_each_submission_once_with_its_scores(wave, units):
    for i in range(12):
        submit_response(_submission(wave, units["icu"], f"key-{i:02d}-abcdefghijkl", 1 + i % 5))
    assert actions.settle_responses(wave) == 12
    assert actions.settle_responses(wave) == 0  # nothing twice
    assert Response.objects.filter(wave=wave).count() == 12
    per_response = Score.objects.filter(wave=wave).count() / 12
    expected = len(scoring.score_answers(complete_answers()).rows)
    assert per_response == expected


@pytest.mark.django_db
def test_an_interim_release_and_its_reads_record_the_day_not_the_moment(
    client, wave, units, org_admin
):
    for i, unit in zip(range(12), itertools.cycle(units.values()), strict=False):
        submit_response(_submission(wave, unit, f"key-{i:02d}-mnopqrstuvwx", 1 + i % 5))
    release = releases.publish_interim(wave, actor=org_admin)
    assert release.responses == 12
    client.force_login(org_admin)
    url = f"/measure/{wave.survey.organization.slug}/waves/{wave.pk}/report/"
    assert client.get(url).status_code == 200
    midnight = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    rows = AuditEvent.objects.filter(verb__in=["report.release_interim", "report.view"])
    assert sorted(r.verb for r in rows) == ["report.release_interim", "report.view"]
    assert {r.at for r in rows} == {midnight}
