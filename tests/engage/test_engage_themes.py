"""Theme grouping of open-ended answers (analysis.themes, no Django)."""

import random

import pytest
from sklearn.metrics import adjusted_rand_score

from analysis.themes import deidentify, group_themes

TOPICS = {
    "staffing": "staffing shortage nurses understaffed shifts overtime coverage hiring float pool ratios",
    "childcare": "childcare school children kids daycare family closures babysitter parenting home",
    "ehr": "documentation charting inbox clicks record computer messages notes login portal",
    "mental": "counseling therapy anxiety grief peer support confidential hotline trauma sleep",
    "safety": "masks gowns protective equipment shortage exposure infection testing quarantine ventilation",
}
FILLER = [
    "really",
    "work",
    "every",
    "week",
    "team",
    "feel",
    "think",
    "time",
    "still",
    "much",
    "lot",
    "also",
    "always",
    "hospital",
    "job",
    "pandemic",
    "people",
    "day",
    "year",
    "things",
    "since",
    "need",
    "help",
    "better",
    "way",
]


def _answers(n: int, seed: int = 20210401) -> tuple[list[str], list[int]]:
    """Seeded synthetic answers: about half topic words, half words every topic shares."""
    rng = random.Random(seed)
    names = list(TOPICS)
    texts, truth = [], []
    for i in range(n):
        topic = i % len(names)
        vocab = TOPICS[names[topic]].split()
        words = rng.choices(vocab, k=rng.randint(4, 7)) + rng.choices(FILLER, k=rng.randint(4, 7))
        rng.shuffle(words)
        texts.append(" ".join(words).capitalize() + ".")
        truth.append(topic)
    return texts, truth


@pytest.fixture(scope="module")
def five_hundred():
    texts, truth = _answers(500)
    return texts, truth, group_themes(texts)


def test_it_recovers_five_known_topics_from_500_answers(five_hundred):
    _texts, truth, result = five_hundred
    ari = adjusted_rand_score(truth, result.assignments)
    print(f"\nthemes: k={len(result.themes)} silhouette={result.silhouette:.3f} ARI={ari:.3f}")
    assert ari > 0.6
    assert len(result.themes) == 5
    assert sum(theme.count for theme in result.themes) == 500


def test_it_labels_each_theme_with_words_of_its_topic(five_hundred):
    result = five_hundred[2]
    for theme in result.themes:
        topic_words = [set(words.split()) for words in TOPICS.values()]
        first = theme.terms[0].split()[0]
        assert any(first in words for words in topic_words), theme.terms


def test_it_gives_the_same_themes_for_the_same_answers():
    texts, _truth = _answers(200)
    assert group_themes(texts) == group_themes(texts)


def test_it_picks_quotes_from_the_theme_s_own_answers():
    texts, _truth = _answers(100)
    for theme in group_themes(texts, k=5, n_quotes=2).themes:
        assert len(theme.quotes) == 2
        assert set(theme.quotes) <= set(theme.members)


def test_it_returns_one_theme_for_a_handful_of_answers():
    result = group_themes(["Short breaks.", "More staff.", "Less charting."])
    assert len(result.themes) == 1
    assert result.assignments == (0, 0, 0)


def test_it_returns_nothing_for_no_answers():
    assert group_themes([]).themes == ()


def test_it_refuses_a_string_in_place_of_a_list():
    with pytest.raises(TypeError, match="texts"):
        group_themes("one answer")


def test_it_refuses_a_k_below_one():
    with pytest.raises(ValueError, match="k: expected a positive integer"):
        group_themes(["a b"] * 10, k=0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Write to jo.smith@example.org please", "Write to [email removed] please"),
        ("Call me at (555) 123-4567 today", "Call me at [phone removed] today"),
        ("Call 555.123.4567", "Call [phone removed]"),
        ("Dr. Jane Doe was kind", "[name removed] was kind"),
        ("Hi, my name is Pat and I work nights", "Hi, my name is [name removed] and I work nights"),
        ("The Emergency Department needs staff", "The Emergency Department needs staff"),
    ],
)
def test_it_removes_what_patterns_can_find_from_quotes(text, expected):
    assert deidentify(text) == expected


def test_a_repeated_answer_is_quoted_once():
    texts = ["More staff on nights please."] * 8 + ["Better childcare options for staff kids."] * 8
    for theme in group_themes(texts, k=2).themes:
        quoted = [texts[i] for i in theme.quotes]
        assert len(quoted) == len(set(quoted)) == 1


def test_theme_labels_do_not_repeat_a_word():
    texts, _truth = _answers(100)
    for theme in group_themes(texts, k=5).themes:
        words = [w for term in theme.terms for w in term.split()]
        assert len(words) == len(set(words))
