"""Reads the plan pages need, each in a fixed number of queries."""

from dataclasses import dataclass, field

from wellbeing.plan.models import Goal, ModelElement, PriorityArea, RecommendedAction


@dataclass(frozen=True)
class GoalSection:
    """A goal with its actions; ``goal`` is None for actions not yet placed under one."""

    goal: Goal | None
    actions: list[RecommendedAction] = field(default_factory=list)


def home_page_context() -> dict[str, object]:
    """The priority areas for the home page's cards (core's ``HOME_PAGE_CONTEXT`` setting)."""
    return {"priority_areas": PriorityArea.objects.order_by("number")}


def goal_sections(area: PriorityArea) -> list[GoalSection]:
    """The area's goals in order, each with its actions; uses the area's prefetched rows."""
    sections = {goal.pk: GoalSection(goal) for goal in area.goals.all()}
    unplaced = GoalSection(None)
    for action in area.actions.all():
        placed = sections.get(action.goal_id) if action.goal_id is not None else None
        (placed or unplaced).actions.append(action)
    return [*sections.values(), *([unplaced] if unplaced.actions else [])]


def neighbours(area: PriorityArea) -> tuple[PriorityArea | None, PriorityArea | None]:
    """The previous and next priority areas by number (one query)."""
    around = {
        a.number: a
        for a in PriorityArea.objects.filter(number__in=[area.number - 1, area.number + 1])
    }
    return around.get(area.number - 1), around.get(area.number + 1)


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
    """The model as a tree (group > domain > sub-factor) plus its centre, in one query."""
    elements = list(ModelElement.objects.order_by("order", "name"))
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
