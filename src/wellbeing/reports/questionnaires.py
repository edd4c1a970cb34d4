"""What a network questionnaire's results page may show: topline takeaways of its release.

A questionnaire is a wave of the network's own survey, so its results are a release like
any wave's (``releases``): published when it closes (or by staff while it is open), the
same figures at every view. Closed questions become bar charts: demographic questions are
the root's category cells of the release's plan of everyone (so every chart's total is the
same published total); instrument bands are counted among the release's respondents scored
on the scale, small bands hidden together with the total they would be subtracted from
(``analysis.suppression``). Open-ended answers are shown as themes with counts over the
comments the release shows; quotes appear only in themes with at least the minimum group
size of answers, de-identified.
"""

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Count, Q

import instruments
from analysis.disclosure import SHOWN
from analysis.suppression import suppress_counts
from wellbeing.engage.models import Questionnaire, Theme
from wellbeing.reports.build import plans_of
from wellbeing.reports.models import Release
from wellbeing.reports.releases import PLAN_RESPONSES, Frozen, open_release
from wellbeing.surveys.models import Comment
from wellbeing.surveys.questions import DEMOGRAPHICS
from wellbeing.surveys.scoring import get_instrument

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
    published_on: object = None  # the release's date, None when nothing is published


def build_results(questionnaire: Questionnaire, release: Release | None) -> Results:
    """The results of ``release`` (the wave's latest, from ``door``; None: none yet)."""
    min_size = questionnaire.wave.survey.organization.effective_min_group_size
    if release is None:
        return Results(questionnaire, min_size, 0, False, [], [])
    frozen = open_release(release)
    total = plans_of(frozen)[PLAN_RESPONSES].total(0)
    if total.value is None:
        return Results(questionnaire, min_size, 0, False, [], [], release.published_on)
    charts = _demographic_charts(frozen) + _instrument_charts(frozen, min_size)
    opened = _open(questionnaire, frozen, min_size)
    return Results(questionnaire, min_size, total.value, True, charts, opened, release.published_on)


def _bars(labelled: list[tuple[str, int | None]]) -> tuple[list[Bar], int]:
    peak = max([count or 0 for _, count in labelled] + [1])
    bars = [
        Bar(label, count, round(BAR_WIDTH * (count or 0) / peak), 28 * i)
        for i, (label, count) in enumerate(labelled)
    ]
    return bars, 28 * len(bars)


def _demographic_charts(frozen: Frozen) -> list[Chart]:
    """The root's category cells of the plan of everyone, as the report publishes them."""
    plan = plans_of(frozen)[PLAN_RESPONSES]
    charts = []
    for name in frozen.fields:
        cells = plan.fields[name]
        labelled = []
        for key, label in [*DEMOGRAPHICS[name].choices, ("not_answered", "Not answered")]:
            if key in cells.categories:
                c = cells.categories.index(key)
                shown = cells.status[0, c] == SHOWN
                labelled.append((str(label), int(cells.counts[0, c]) if shown else None))
            elif key != "not_answered":
                labelled.append((str(label), 0))  # nobody chose it: a zero identifies nobody
        bars, height = _bars(labelled)
        total = plan.total(0).value
        charts.append(Chart(name, str(DEMOGRAPHICS[name].label), bars, total, height))
    return charts


def _instrument_charts(frozen: Frozen, min_size: int) -> list[Chart]:
    charts = []
    for instrument_id, matrix in frozen.data.items.items():
        instrument = get_instrument(instrument_id)
        result = instruments.score(instrument, matrix)
        for cutoff in instrument.cutoffs:
            labels = np.asarray(result.categories[cutoff.id], dtype=object)
            answered = [str(v) for v in labels.tolist() if v]
            if not answered:
                continue
            counts = Counter(answered)
            order = [band.label for band in cutoff.bands if band.label in counts]
            table = suppress_counts({band: counts[band] for band in order}, min_size)
            bars, height = _bars([(band, table[band].value) for band in order])
            title = f"{instrument.name}: {instrument.scale(cutoff.scale).name}"
            key = f"{instrument_id}-{cutoff.id}"
            charts.append(Chart(key, title, bars, table.total.value, height))
    return charts


def _open(q: Questionnaire, frozen: Frozen, min_size: int) -> list[OpenQuestion]:
    # Here, not at the top: analysis.themes loads scikit-learn, seconds at every web worker's
    # start-up otherwise.
    from analysis.themes import deidentify

    ids = [] if frozen.comment_ids is None else frozen.comment_ids.tolist()
    counted = Count("assignments", filter=Q(assignments__comment_id__in=ids))
    themes = list(q.themes.annotate(n=counted).order_by("question", "-n", "position"))
    quote_ids = {pk for t in themes for pk in t.quote_ids if pk in set(ids)}
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
