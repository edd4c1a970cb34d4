"""Match resources to what a report or a respondent's feedback says needs work.

``match_resources(factors=[...], priority_areas=[...])`` ranks published
resources by how many of the given conceptual-model factors and priority areas
they address, then by level of evidence (strongest first), then newest, then
slug, so the same drivers always get the same resources.
"""

from collections.abc import Iterable

from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from wellbeing.hub.models import Resource
from wellbeing.hub.taxonomy import EVIDENCE_ORDER
from wellbeing.plan.models import ModelElement, PriorityArea


def match_resources(
    factors: Iterable[str] = (), priority_areas: Iterable[str] = (), limit: int = 3
) -> list[Resource]:
    """The ``limit`` best published resources for these factor and priority-area slugs.

    Raises ``ValueError`` for an unknown slug or a ``limit`` below 1; returns an
    empty list when nothing overlaps (never unrelated filler).
    """
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ValueError(f"limit: expected an integer >= 1, got {limit!r}")
    factors = _known(ModelElement, "factors", factors)
    areas = _known(PriorityArea, "priority_areas", priority_areas)
    if not factors and not areas:
        return []
    overlap = _count(Resource.factors.through, "modelelement__slug__in", factors) + _count(
        Resource.priority_areas.through, "priorityarea__slug__in", areas
    )
    evidence = Case(
        *[When(evidence=value, then=Value(rank)) for value, rank in EVIDENCE_ORDER.items()],
        default=Value(len(EVIDENCE_ORDER)),
        output_field=IntegerField(),
    )
    return list(
        Resource.objects.published()
        .annotate(overlap=overlap, evidence_rank=evidence)
        .filter(overlap__gt=0)
        .order_by("-overlap", "evidence_rank", "-published", "slug")[:limit]
    )


def _known(model, name: str, slugs: Iterable[str]) -> list[str]:
    if isinstance(slugs, str):
        raise TypeError(f"{name}: expected a list of slugs, got the string {slugs!r}")
    wanted = list(dict.fromkeys(slugs))
    found = set(model.objects.filter(slug__in=wanted).values_list("slug", flat=True))
    unknown = [s for s in wanted if s not in found]
    if unknown:
        raise ValueError(f"{name}: unknown slug(s) {unknown}")
    return wanted


def _count(through, lookup: str, slugs: list[str]):
    if not slugs:
        return Value(0)
    counted = (
        through.objects.filter(Q(**{lookup: slugs}), resource=OuterRef("pk"))
        .values("resource")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))
