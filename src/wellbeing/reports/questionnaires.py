"""What a network questionnaire's results page may show: topline takeaways.

Closed questions (demographic questions and instrument categories) become bar
charts of counts, suppressed below the minimum group size (``analysis``).
Open-ended answers are shown as themes with counts; quotes appear only in
themes with at least the minimum group size of answers, de-identified.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count

import instruments
from analysis.suppression import suppress_counts
from analysis.themes import deidentify
from wellbeing.engage.models import Questionnaire, Theme
from wellbeing.surveys.models import Comment, Score
from wellbeing.surveys.questions import DEMOGRAPHICS

BAR_WIDTH = 300  # SVG user units of the longest bar


@dataclass
class Bar:
    label: str
    count: int | None  # None: suppressed
    width: int = 0
    y: int = 0


@dataclass
class Chart:
    key: str
    title: str
    bars: list[Bar]
    total: int | None
    height: int = 0


@dataclass
class ThemeRow:
    theme: Theme
    count: int | None
    quotes: list[str] = field(default_factory=list)


@dataclass
class OpenQuestion:
    number: int
    text: str
    answers: int  # 0 when hidden
    themes: list[ThemeRow]


@dataclass
class Results:
    questionnaire: Questionnaire
    min_size: int
    responses: int
    shown: bool
    charts: list[Chart]
    open_questions: list[OpenQuestion]


def build_results(questionnaire: Questionnaire) -> Results:
    min_size = int(settings.MIN_GROUP_SIZE)
    wave = questionnaire.wave
    responses = wave.responses.count()
    if responses < min_size:
        return Results(questionnaire, min_size, responses, False, [], [])
    charts = _demographic_charts(questionnaire, min_size) + _instrument_charts(
        questionnaire, min_size
    )
    return Results(questionnaire, min_size, responses, True, charts, _open(questionnaire, min_size))


def _chart(
    key: str, title: str, labelled: list[tuple[str, str]], counts: Counter[str], min_size: int
) -> Chart:
    table = suppress_counts({k: counts.get(k, 0) for k, _label in labelled}, min_size)
    peak = max([c.value or 0 for c in table.values()] + [1])
    bars = []
    for i, (k, label) in enumerate(labelled):
        value = table[k].value
        bars.append(Bar(str(label), value, round(BAR_WIDTH * (value or 0) / peak), 28 * i))
    return Chart(key, title, bars, table.total.value, 28 * len(bars))


def _demographic_charts(q: Questionnaire, min_size: int) -> list[Chart]:
    keys = [k for k in q.wave.version.demographics if k in DEMOGRAPHICS]
    counts: dict[str, Counter[str]] = {k: Counter() for k in keys}
    for answers in q.wave.responses.values_list("demographics", flat=True):
        for k in keys:
            if (answers or {}).get(k):
                counts[k][answers[k]] += 1
    return [
        _chart(
            k,
            str(DEMOGRAPHICS[k].label),
            [(o, str(lab)) for o, lab in DEMOGRAPHICS[k].choices],
            counts[k],
            min_size,
        )
        for k in keys
    ]


def _instrument_charts(q: Questionnaire, min_size: int) -> list[Chart]:
    rows = (
        Score.objects.filter(wave=q.wave)
        .exclude(category="")
        .values_list("instrument", "scale", "category")
        .annotate(n=Count("pk"))
    )
    grouped: dict[tuple[str, str], Counter[str]] = {}
    for instrument, scale, category, n in rows:
        grouped.setdefault((instrument, scale), Counter())[category] += n
    charts = []
    for (instrument, scale), counts in sorted(grouped.items()):
        order = list(counts)
        try:
            definition = instruments.get(instrument)
            title = f"{definition.name}: {scale}"
        except Exception:  # an instrument removed since the wave ran still shows its counts
            title = f"{instrument}: {scale}"
        charts.append(
            _chart(
                f"{instrument}-{scale}", title, [(c, c) for c in sorted(order)], counts, min_size
            )
        )
    return charts


def _open(q: Questionnaire, min_size: int) -> list[OpenQuestion]:
    themes = list(q.themes.annotate(n=Count("assignments")).order_by("question", "-n", "position"))
    quote_ids = {pk for t in themes for pk in t.quote_ids}
    texts = dict(Comment.objects.filter(pk__in=quote_ids, wave=q.wave).values_list("pk", "text"))
    out = []
    for number, text in enumerate(q.wave.version.open_questions, start=1):
        own = [t for t in themes if t.question == number]
        # Theme counts and their total are protected together, so no hidden count
        # can be recovered by subtraction.
        table = suppress_counts({t.pk: t.n for t in own}, min_size)  # type: ignore[attr-defined]
        rows = []
        for t in own:
            n = table[t.pk].value
            quotes = [deidentify(texts[pk]) for pk in t.quote_ids[:3] if pk in texts] if n else []
            rows.append(ThemeRow(t, n, quotes))
        out.append(OpenQuestion(number, text, table.total.value or 0, rows))
    return out
