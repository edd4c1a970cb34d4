"""What staff still have to enter from the published Plan, and where to enter it.

Public pages leave out whatever is missing or unchecked (``Sourced.is_public``), so
this is the one place that lists it: per priority area, goal, action, actor group,
model element and fact, each gap with a link to the admin page where it is filled.
Nothing here is stored: every gap is worked out from the rows, so it disappears as
soon as staff enter and verify the text.
"""

from dataclasses import dataclass, field

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from wellbeing.plan.models import (
    ActorGroup,
    Goal,
    ModelElement,
    PriorityArea,
    PublicationFact,
    RecommendedAction,
    Sourced,
)


@dataclass(frozen=True)
class Gap:
    item: str  # what the row is: "Goal 3.1"
    missing: str  # what to enter or check
    url: str  # the admin page where it is done


@dataclass(frozen=True)
class Section:
    title: str
    anchor: str
    gaps: list[Gap] = field(default_factory=list)


def _change(obj: object) -> str:
    opts = obj._meta  # type: ignore[attr-defined]
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])  # type: ignore[attr-defined]


def _evidence(item: str, row: Sourced) -> list[Gap]:
    """A gap when the row is not public, or public on a secondary source only."""
    if row.verified:
        return []
    if row.is_public:
        return [
            Gap(
                item, _("Seen only in a secondary source: check it against the Plan."), _change(row)
            )
        ]
    note = f" ({row.note})" if row.note else ""
    return [Gap(item, _("Not verified, so not shown publicly") + note, _change(row))]


def sections() -> list[Section]:
    """Every gap, grouped: one section per priority area, then actor groups, model, facts."""
    areas = PriorityArea.objects.with_details()
    found = [_area_section(area) for area in areas]
    found += [_actor_section(), _model_section(), _fact_section()]
    return [section for section in found if section.gaps]


def _area_section(area: PriorityArea) -> Section:
    label = _("Priority area %(number)s") % {"number": area.number}
    change = _change(area)
    gaps = [
        Gap(label, missing, change)
        for value, missing in [
            (area.goal_statement, _("Goal statement: the chapter's opening sentence.")),
            (area.summary, _("Summary in our own words.")),
            (
                area.frontline_quote,
                _("The chapter's opening quote from a frontline health worker."),
            ),
            (list(area.actor_groups.all()), _("Actor groups named in the area's action tables.")),
        ]
        if not value
    ]
    gaps += _evidence(label, area)
    goals = list(area.goals.all())
    if not goals:
        gaps.append(Gap(label, _("No goals entered: add them on the area's page."), change))
    for goal in goals:
        gaps += _goal_gaps(goal, area)
    actions = list(area.actions.all())
    if not actions:
        add = reverse("admin:plan_recommendedaction_add") + f"?priority_area={area.pk}"
        gaps.append(Gap(label, _("No recommended actions entered."), add))
    for action in actions:
        gaps += _action_gaps(action)
    if not area.content_complete:
        gaps.append(
            Gap(
                label,
                _(
                    "Not marked complete: tick “content complete” once every goal, action and actor group of the chapter is entered."
                ),
                change,
            )
        )
    return Section(f"{area.number}. {area.title}", f"area-{area.number}", gaps)


def _goal_gaps(goal: Goal, area: PriorityArea) -> list[Gap]:
    label = _("Goal %(code)s") % {"code": f"{area.number}.{goal.number}"}
    if not goal.text:
        return [Gap(label, _("Wording, word for word from the Plan."), _change(goal))]
    return _evidence(label, goal)


def _action_gaps(action: RecommendedAction) -> list[Gap]:
    label = _("Action %(code)s") % {"code": action.code} if action.code else action.text[:60] + "…"
    change = _change(action)
    gaps = [
        Gap(label, missing, change)
        for value, missing in [
            (action.code, _("The Plan's number (area.goal.letter).")),
            (action.goal_id, _("The goal it sits under.")),
            (list(action.actor_groups.all()), _("Actor groups the Plan's table marks for it.")),
        ]
        if not value
    ]
    return gaps + _evidence(label, action)


def _actor_section() -> Section:
    gaps = []
    assign = reverse("admin:plan_recommendedaction_changelist")
    for group in ActorGroup.objects.annotate(n_actions=Count("actions")):
        if not group.n_actions:  # type: ignore[attr-defined]
            gaps.append(
                Gap(group.name, _("No actions assigned: tick it on each action's page."), assign)
            )
        gaps += _evidence(group.name, group)
    return Section(_("Actor groups"), "actor-groups", gaps)


def _model_section() -> Section:
    gaps = []
    kind = ModelElement.Kind
    elements = ModelElement.objects.annotate(n_children=Count("children"))
    for element in elements.order_by("kind", "order"):
        change = _change(element)
        if element.kind == kind.DOMAIN and not element.children_complete:
            missing = _(
                "Sub-factors from the published figure (%(count)s entered); tick “children complete” when all are."
            ) % {"count": element.n_children}  # type: ignore[attr-defined]
            gaps.append(Gap(element.name, missing, change))
        if element.kind in (kind.GROUP, kind.DOMAIN) and not element.description:
            gaps.append(
                Gap(element.name, _("Description in our own words, with its source."), change)
            )
        gaps += _evidence(element.name, element)
    return Section(_("Conceptual model"), "conceptual-model", gaps)


def _fact_section() -> Section:
    gaps = []
    for fact in PublicationFact.objects.all():
        gaps += _evidence(fact.label, fact)
    return Section(_("Facts about the Plan and the model"), "facts", gaps)
