"""What a respondent sees about their own answers, on the page after the final submit.

Their scores against the instruments' cut-offs; support first when an answer suggests
distress (the 988 Lifeline, never weakened); and resources: 988 and the National Academy's
pages always, plus the knowledge hub's resources for what their own results point to
(``hub.matching``, the ranking the report's key drivers use too), of the kinds a person can
use for themselves.

Nothing here is stored or logged. The results are worked out in the request from the
answers just submitted; the hub is asked with the slugs of the Plan's factors and priority
areas those results can point to, never with an answer or a score (the matches of every
combination of them at once, kept a minute in the process); and the view pads the page
to a fixed size, so its length says nothing about which resources were matched.
"""

import itertools
import math
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from instruments import Cutoff, Instrument, Scale, ScoreResult
from wellbeing.hub.matching import match_resources
from wellbeing.hub.models import Resource as HubResource
from wellbeing.hub.taxonomy import Kind
from wellbeing.plan.models import ModelElement, PriorityArea
from wellbeing.surveys import scoring
from wellbeing.surveys.memo import Memo

MATCHED_RESOURCES = 3
# What a person can use for themselves. Research papers, case studies of programmes and
# instrument guides serve an organization's readers of the report; offered to someone who
# just said they are struggling, a paper on clinician suicide is the wrong thing to hand over.
RESPONDENT_KINDS = frozenset(
    {Kind.TOOLKIT, Kind.STORY, Kind.VIDEO, Kind.WEBINAR, Kind.BLOG, Kind.PRESENTATION}
)
MATCH_POOL = 60  # ranked candidates read to find MATCHED_RESOURCES of those kinds
# Matches are kept this long in each process (forgotten at once when this process edits the
# hub or the Plan): a resource unpublished in another process stops being offered by then.
MATCHES_KEPT_SECONDS = 60.0
_DISTRESS_MEASURES = {"depression", "anxiety", "well-being"}


@dataclass(frozen=True)
class Topic:
    """Where in the Plan a measure's results point: conceptual-model factors, priority areas."""

    factors: tuple[str, ...]
    priority_areas: tuple[str, ...]


# The platform's editorial judgement, as reports/driver_map.toml is for the key drivers (not
# the instruments', the conceptual model's or the Plan's): burnout and how work feels point
# to the work and learning environment; low well-being, depression, anxiety and stress to
# mental health and the personal factors around it. Slugs are plan/data.py's.
_WORK = Topic(
    ("organizational-factors", "learning-practice-environment"),
    ("positive-work-and-learning-environments",),
)
_MIND = Topic(("personal-factors",), ("mental-health-and-stigma",))
TOPICS: dict[str, Topic] = {
    "burnout": _WORK,
    "work-environment": _WORK,
    "engagement": _WORK,
    "professional-fulfilment": _WORK,
    "well-being": _MIND,
    "depression": _MIND,
    "anxiety": _MIND,
    "stress": _MIND,
}


@dataclass(frozen=True)
class FeedbackLine:
    scale_name: str
    value_display: str
    band: str
    explanation: str
    unverified: bool


@dataclass(frozen=True)
class InstrumentFeedback:
    id: str
    name: str
    lines: list[FeedbackLine]


@dataclass(frozen=True)
class Resource:
    title: str  # a proper name, in the resource's own language (English)
    url: str
    summary: str | Promise = ""


@dataclass(frozen=True)
class Feedback:
    instruments: list[InstrumentFeedback]
    concern: bool
    resources: list[Resource]
    # Measures whose results a verified cut-off or a flag singles out, for matching.
    attention: tuple[str, ...] = ()
    matched: list[Resource] = field(default_factory=list)


# Real, public resources with their addresses (sources: NAM pages cited in
# ../shared/reference/national_plan_and_collaborative.md).
CRISIS = Resource(
    "988 Suicide & Crisis Lifeline",
    "https://988lifeline.org/",
    gettext_lazy("call or text 988, or chat online; free, confidential, 24/7."),
)
GENERAL_RESOURCES = [
    Resource(
        "Clinician Well-Being Knowledge Hub (National Academy of Medicine)",
        "https://nam.edu/clinicianwellbeing/",
        gettext_lazy(
            "research, toolkits and personal stories on clinician burnout and what helps."
        ),
    ),
    Resource(
        "National Plan for Health Workforce Well-Being",
        "https://nam.edu/initiatives/clinician-resilience-and-well-being/national-plan-for-health-workforce-well-being/",
        gettext_lazy("what health systems, leaders and others can do, in seven priority areas."),
    ),
    Resource(
        "Factors affecting clinician well-being and resilience",
        "https://nam.edu/clinicianwellbeing/resources/factors-affecting-clinician-well-being-and-resilience-conceptual-model/",
        gettext_lazy("a model of the individual and work factors that drive burnout."),
    ),
]


def feedback_page(answers: dict[str, list[int | None]]) -> Feedback:
    """The whole feedback of one submission: own results, support, general and matched resources."""
    feedback = feedback_for(answers)
    matched = matched_resources(feedback.attention)
    return Feedback(
        feedback.instruments, feedback.concern, feedback.resources, feedback.attention, matched
    )


def feedback_for(answers: dict[str, list[int | None]]) -> Feedback:
    """Scores and bands of each instrument, support first if needed (reads no database)."""
    blocks, concern, attention = [], False, set[str]()
    for instrument_id, codes in answers.items():
        instrument = scoring.get_instrument(instrument_id)
        result = scoring.score_one(instrument, codes)
        flagged = any(bool(flag[0]) for flag in result.flags.values())
        concern = concern or flagged or _distressed(instrument, result)
        if flagged or _outside_best_band(instrument, result):
            attention.update(instrument.measures)
        blocks.append(
            InstrumentFeedback(instrument.id, instrument.name, _lines(instrument, result))
        )
    return Feedback(blocks, concern, [CRISIS, *GENERAL_RESOURCES], tuple(sorted(attention)))


def matched_resources(measures: tuple[str, ...]) -> list[Resource]:
    """The hub's best published resources for where these measures point in the Plan.

    Empty when no result was singled out: general resources are offered to everyone, and a
    "match" for results that gave no cause would be filler."""
    topics = frozenset(TOPICS[m] for m in measures if m in TOPICS)
    if not topics:
        return []
    return _MATCHED.get("every combination of topics", _match_every_combination)[topics]


# The matches depend only on which topics the results point to, and there are few of them,
# so every combination is worked out at once and kept a while: how long a feedback page
# takes then says nothing about which topics earlier respondents' results pointed to.
_MATCHED: Memo[str, dict[frozenset[Topic], list[Resource]]] = Memo(
    "matched-resources", ttl=MATCHES_KEPT_SECONDS, senders=(HubResource, ModelElement, PriorityArea)
)
_MATCHED.forget_on(HubResource.factors.through, m2m=True)
_MATCHED.forget_on(HubResource.priority_areas.through, m2m=True)


def _match_every_combination() -> dict[frozenset[Topic], list[Resource]]:
    distinct = list(dict.fromkeys(TOPICS.values()))
    return {
        frozenset(chosen): _match(chosen)
        for size in range(1, len(distinct) + 1)
        for chosen in itertools.combinations(distinct, size)
    }


def _match(topics: tuple[Topic, ...]) -> list[Resource]:
    factors = [f for topic in topics for f in topic.factors]
    areas = [a for topic in topics for a in topic.priority_areas]
    try:
        ranked = match_resources(factors=factors, priority_areas=areas, limit=MATCH_POOL)
    except ValueError:
        # The Plan's rows come from a data migration; a database without them (a flushed
        # test database) has nothing to match, and the respondent's page must not fail.
        return []
    usable = [r for r in ranked if r.kind in RESPONDENT_KINDS][:MATCHED_RESOURCES]
    return [Resource(r.title, r.get_absolute_url()) for r in usable]


# -- one instrument -----------------------------------------------------------------------------


def _lines(instrument: Instrument, result: ScoreResult) -> list[FeedbackLine]:
    lines = []
    for scale in instrument.scales:
        value = float(result.scales[scale.id][0])
        if math.isnan(value):
            continue
        bands, unverified = [], False
        for cutoff in _cutoffs(instrument, scale):
            label = result.categories[cutoff.id][0]
            if label:
                bands.append(str(label))
                unverified = unverified or not cutoff.verified
        lines.append(
            FeedbackLine(scale.name, _fmt(value), "; ".join(bands), _explain(scale), unverified)
        )
    return lines


def _cutoffs(instrument: Instrument, scale: Scale) -> list[Cutoff]:
    return [c for c in instrument.cutoffs if c.scale == scale.id]


def _distressed(instrument: Instrument, result: ScoreResult) -> bool:
    """A verified two-band cut-off of a distress measure puts the score in its bad band."""
    if not _DISTRESS_MEASURES.intersection(instrument.measures):
        return False
    for scale in instrument.scales:
        for cutoff in _cutoffs(instrument, scale):
            if not cutoff.verified or len(cutoff.bands) != 2 or scale.higher_is is None:
                continue
            bad = cutoff.bands[1] if scale.higher_is == "worse" else cutoff.bands[0]
            if result.categories[cutoff.id][0] == bad.label:
                return True
    return False


def _outside_best_band(instrument: Instrument, result: ScoreResult) -> bool:
    """A verified cut-off puts a score anywhere but its best band (mild counts, for resources)."""
    for scale in instrument.scales:
        if scale.higher_is is None:
            continue
        for cutoff in _cutoffs(instrument, scale):
            band = int(result.bands[cutoff.id][0])
            best = len(cutoff.bands) - 1 if scale.higher_is == "better" else 0
            if cutoff.verified and band >= 0 and band != best:
                return True
    return False


def _fmt(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _explain(scale: Scale) -> str:
    if scale.minimum is None or scale.maximum is None:
        return ""
    bounds = {"low": _fmt(scale.minimum), "high": _fmt(scale.maximum)}
    if scale.higher_is == "better":
        return _("Possible range %(low)s to %(high)s. Higher scores are better.") % bounds
    if scale.higher_is == "worse":
        return _("Possible range %(low)s to %(high)s. Higher scores mean more difficulty.") % bounds
    return _("Possible range %(low)s to %(high)s.") % bounds
