"""Term-by-term matching answers exactly what the database's own full-text query answers.

Both backends match a query term by term and intersect in memory; the whole
query's matches must equal FTS5's ``MATCH`` or PostgreSQL's ``@@``. On
PostgreSQL each term is read from the lexeme rows (``SearchPosting``) and is
also compared with the GIN index's answer, over a corpus built to trip the key
arithmetic: stems ("nurse", "nurses", "nursing"), stop words inside phrases,
repeated words, phrases across the end of the title, words at position 1. The
rows must also stay exactly what a rebuild would write, after edits,
unpublishing and deletion, and when two edits run at once.
"""

import random
import threading

import numpy as np
import pytest
from django.db import connection, connections, transaction

from wellbeing.hub import actions
from wellbeing.hub.models import Resource, SearchPosting
from wellbeing.hub.search import indexing, postings, search
from wellbeing.hub.search.backends import PostgresBackend, backend
from wellbeing.hub.search.query import parse_query

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the lexeme rows exist on PostgreSQL only"
)

WORDS = [
    *("nurse", "nurses", "nursing", "care", "caring", "the", "of", "and", "to", "burnout"),
    *("burn", "burned", "team", "teams", "sleep", "night", "shift", "peer", "support"),
    *("leader", "leadership", "well", "being", "quality", "life"),
    # One query word, two lexemes ("ab" <-> "cd"): a phrase as a word, the GIN index as a prefix.
    *("ab½cd", "ab", "cdx"),
]


def _text(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))


@pytest.fixture
def corpus(make_resource):
    rng = random.Random(7)
    made = [
        make_resource(
            f"r{i}",
            _text(rng, 1, 5).capitalize(),
            _text(rng, 3, 12),
            body=_text(rng, 0, 30),
            status="draft" if i % 9 == 0 else "published",
        )
        for i in range(60)
    ]
    return made


def _stored() -> dict[str, list[int]]:
    return {
        row.lexeme: postings.decode(row.keys).tolist()
        for row in SearchPosting.objects.order_by("lexeme")
    }


def _rebuilt() -> dict[str, list[int]]:
    """What ``postings.build`` writes from the documents (then rolled back)."""
    with transaction.atomic():
        postings.build()
        rows = _stored()
        transaction.set_rollback(True)
    return rows


def _specs(rng: random.Random) -> list[tuple[str, str]]:
    specs = [(kind, word) for word in WORDS for kind in ("word", "prefix")]
    specs += [("prefix", word[:3]) for word in WORDS] + [("word", "absent")]
    for _ in range(150):
        words = rng.sample(WORDS, rng.randint(2, 4))
        specs.append(("phrase", " ".join(words)))
    specs += [("phrase", "quality of life"), ("phrase", "the the"), ("phrase", "nurse nurse")]
    return specs


@postgresql_only
@pytest.mark.django_db
def test_every_term_matches_what_the_gin_index_matches(corpus):
    engine = PostgresBackend()
    for spec in _specs(random.Random(11)):
        fast, slow = engine._term(spec), engine._gin_term(spec)
        if slow is None:
            assert fast is None, spec
            continue
        assert fast is not None, spec
        assert fast.ids.tolist() == slow.ids.tolist(), spec
        assert fast.title_ids.tolist() == slow.title_ids.tolist(), spec


@pytest.mark.django_db
def test_whole_queries_match_what_the_full_text_query_matches(corpus):
    engine = backend()
    rng = random.Random(13)
    queries = ['"quality of life" nurse', "the burnout", "teams caring", '"night shift"']
    queries += [_text(rng, 1, 3) for _ in range(40)]
    queries += [f'"{_text(rng, 2, 3)}" {_text(rng, 1, 2)}' for _ in range(40)]
    for text in queries:
        query = parse_query(text)
        sql, params = engine.match_sql(query, scored=False)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT m.id FROM ({sql}) m ORDER BY m.id", params)  # noqa: S608
            expected = [pk for (pk,) in cursor.fetchall()]
        if all(engine._term(spec) is None for spec in engine.specs(query)):
            expected = []  # stop words only: the query matches nothing (see the stop-word test)
        assert engine.matching_ids(query, indexing.version()).tolist() == expected, text


@postgresql_only
@pytest.mark.django_db
def test_the_rows_stay_what_a_rebuild_writes_after_edits(corpus):
    assert _stored() == _rebuilt() != {}
    first, second, third = corpus[1], corpus[2], corpus[3]
    first.title = "Zanzibar nurses of the night"
    first.save()
    actions.record_change(first)
    actions.set_status(second, "draft")
    actions.delete_resource(third)
    assert _stored() == _rebuilt()
    actions.set_status(second, "published")
    assert _stored() == _rebuilt()
    assert [hit.resource.slug for hit in search("zanzibar").hits] == [first.slug]
    actions.delete_resource(first)
    assert "zanzibar" not in _stored()  # a lexeme nobody holds any more leaves no row
    assert search("zanzibar").total == 0


@postgresql_only
@pytest.mark.django_db
def test_a_key_packs_id_position_and_title(corpus):
    resource = corpus[1]
    resource.title = "Quokka"
    resource.summary = "A quokka and a quokka."
    resource.save()
    actions.record_change(resource)
    keys = postings.fetch(["quokka"])["quokka"]
    assert (keys >> postings.ID_SHIFT).tolist() == [resource.pk] * 3
    positions = ((keys >> 1) & postings.POSITION_MASK).tolist()
    titles = (keys & 1).tolist()
    # The title's "quokka" at 1, then the summary's two ("a" and "and" keep their positions).
    assert positions == [1, 3, 6]
    assert titles == [1, 0, 0]
    assert np.all(np.diff(keys) > 0)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_edits_at_once_lose_no_occurrence(make_resource):
    """Both edits add the same new lexeme, and no row exists to lock for it: without the
    advisory lock the second edit's upsert would overwrite the first's. (The two old
    documents share no lexeme, or row locks on a shared one would order them anyway.)"""
    made = [make_resource("c0", "Alpha", "Kilo."), make_resource("c1", "Bravo", "Lima.")]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def edit(pk: int) -> None:
        try:
            resource = Resource.objects.get(pk=pk)
            resource.title = "Wombat"
            resource.save()
            barrier.wait(timeout=10)
            actions.record_change(resource)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=edit, args=(r.pk,)) for r in made]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    keys = postings.fetch(["wombat"])["wombat"]
    assert sorted(set((keys >> postings.ID_SHIFT).tolist())) == sorted(r.pk for r in made)
    assert _stored() == _rebuilt()
