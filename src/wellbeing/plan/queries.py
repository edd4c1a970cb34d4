"""Reads the plan pages need, each in a fixed number of queries.

Public pages show only public rows (``Sourced.is_public``: verified, or quoted by a
named secondary source) that have text. The filtering runs here, in Python over
prefetched rows, so a page's query count does not depend on what staff entered.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from wellbeing.plan.models import (
    ActorGroup,
    Goal,
    ModelElement,
    PriorityArea,
    PublicationFact,
    RecommendedAction,
)
from wellbeing.reports import door

# The hub's Resource.status of a published resource (the reverse relation "resources"
# of the Plan's rows): counted here by name so the plan app need not import the hub.
PUBLISHED = "published"


@dataclass(frozen=True)
class GoalSection:
    """A goal with its public actions.

    ``goal`` is None for actions not placed under a goal. ``show_text`` is False for a
    goal whose wording is not public: its actions are still listed, under its number.
    """

    goal: Goal | None
    show_text: bool = False
    actions: list[RecommendedAction] = field(default_factory=list)


def home_page_context() -> dict[str, object]:
    """The priority areas for the home page's cards (core's ``HOME_PAGE_CONTEXT`` setting)."""
    return {"priority_areas": PriorityArea.objects.order_by("number")}


def public_facts(subject: str) -> list[PublicationFact]:
    return [fact for fact in PublicationFact.objects.filter(subject=subject) if fact.is_public]


def goal_shown(goal: Goal) -> bool:
    """A goal's wording appears on public pages only when it is public and not empty."""
    return goal.is_public and bool(goal.text)


def goal_sections(area: PriorityArea) -> list[GoalSection]:
    """The area's public goals and actions in order; uses the area's prefetched rows.

    A goal appears when its wording is public or when it has a public action (then
    by number only); a goal with neither is left out, and so are non-public actions.
    """
    goals = {goal.pk: goal for goal in area.goals.all()}
    actions: dict[int | None, list[RecommendedAction]] = {}
    for action in area.actions.all():
        if action.is_public and action.text:
            key = action.goal_id if action.goal_id in goals else None
            actions.setdefault(key, []).append(action)
    sections = [
        GoalSection(goal, goal_shown(goal), actions.get(pk, []))
        for pk, goal in goals.items()
        if goal_shown(goal) or pk in actions
    ]
    if None in actions:
        sections.append(GoalSection(None, actions=actions[None]))
    return sections


def public_actor_groups(groups: QuerySet[ActorGroup] | list[ActorGroup]) -> list[ActorGroup]:
    return [group for group in groups if group.is_public]


def neighbours(area: PriorityArea) -> tuple[PriorityArea | None, PriorityArea | None]:
    """The previous and next priority areas by number (one query)."""
    around = {
        a.number: a
        for a in PriorityArea.objects.filter(number__in=[area.number - 1, area.number + 1])
    }
    return around.get(area.number - 1), around.get(area.number + 1)


def hub_resource_count(area: PriorityArea) -> int:
    """Published hub resources filed under the priority area (what its hub link finds)."""
    return area.resources.filter(status=PUBLISHED).count()


# --- actor groups ----------------------------------------------------------------------


@dataclass(frozen=True)
class ActorGroupPage:
    group: ActorGroup
    areas: list[PriorityArea]
    actions: list[RecommendedAction]


def actor_groups() -> list[ActorGroup]:
    """The public actor groups, each with ``n_actions``: its public actions (one query)."""
    public_action = RecommendedAction.public_filter("actions__") & ~Q(actions__text="")
    groups = ActorGroup.objects.annotate(
        n_actions=Count("actions", filter=public_action, distinct=True)
    )
    return public_actor_groups(groups)


def actor_group_page(group: ActorGroup) -> ActorGroupPage:
    """The priority areas that name the group (with the source of each), and its public actions."""
    actions = group.actions.select_related("priority_area", "goal__priority_area")
    return ActorGroupPage(
        group=group,
        areas=list(group.priority_areas.order_by("number")),
        actions=[a for a in actions.order_by("priority_area__number", "order") if a.is_public],
    )


# --- the conceptual model --------------------------------------------------------------


@dataclass(frozen=True)
class DomainNode:
    domain: ModelElement
    sub_factors: list[ModelElement] = field(default_factory=list)


@dataclass(frozen=True)
class GroupNode:
    group: ModelElement
    domains: list[DomainNode] = field(default_factory=list)


@dataclass(frozen=True)
class ConceptualModel:
    groups: list[GroupNode]
    outcomes: list[ModelElement]


def conceptual_model() -> ConceptualModel:
    """The model's public elements as a tree (group > domain > sub-factor) plus its centre.

    One query. Each element carries ``n_resources``, the published hub resources
    filed under it (what the hub's ``factor`` filter finds for its slug), and
    ``measures``, the report measures the driver map ties to it, as (measure, why).
    """
    elements = [
        e
        for e in ModelElement.objects.annotate(
            n_resources=Count("resources", filter=Q(resources__status=PUBLISHED), distinct=True)
        ).order_by("order", "name")
        if e.is_public
    ]
    for element in elements:
        element.measures = door.measures_for_factor(element.slug)  # type: ignore[attr-defined]
    kind = ModelElement.Kind
    groups = {e.pk: GroupNode(e) for e in elements if e.kind == kind.GROUP}
    domains = {e.pk: DomainNode(e) for e in elements if e.kind == kind.DOMAIN}
    for node in domains.values():
        if node.domain.parent_id in groups:
            groups[node.domain.parent_id].domains.append(node)
    for element in elements:
        if element.kind == kind.SUB_FACTOR and element.parent_id in domains:
            domains[element.parent_id].sub_factors.append(element)
    outcomes = [e for e in elements if e.kind == kind.OUTCOME]
    return ConceptualModel(groups=list(groups.values()), outcomes=outcomes)
