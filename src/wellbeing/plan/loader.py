"""Load ``data.py`` into the database: from a data migration, from tests, or by hand.

``load_national_plan()`` is idempotent: rows are matched by slug (goals by
area and number), so running it again creates nothing twice.

Trap: staff complete the Plan in the admin (goal wording, actions, actor
groups, sub-factors) while ``data.py`` keeps those fields empty. Re-running
the loader must not wipe that work, so by default it only creates missing rows
and leaves existing ones alone. ``overwrite=True`` (update_or_create) forces
``data.py`` back onto existing rows: never from a migration that runs on a
database staff have worked in. To change a shipped value there, list it in the
migration's corrections (``apply_corrections``): a field is changed only while
it still holds the value that shipped before, so staff edits survive.

Second trap: a migration passes the models as they were at that migration, and
``data.py`` is always today's. A key naming a field added by a later migration
is left out (that migration fills it with its corrections); a test checks that
every key names a field of today's models, so a typo cannot hide here.
"""

from collections.abc import Iterable
from typing import Any, NamedTuple

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.db import models, transaction

from wellbeing.core import pagecache
from wellbeing.plan import data

_M2M_KEYS = ("actor_groups",)


def load_national_plan(apps: Apps | None = None, *, overwrite: bool = False) -> None:
    """Create the Plan's priority areas, goals, actions, actor groups, facts and model.

    ``apps`` is the historical app registry inside a migration (RunPython), or
    None for the live models.
    """
    registry = apps or global_apps
    with transaction.atomic():
        actors = _load_actor_groups(registry, overwrite)
        for area in data.PRIORITY_AREAS:
            _load_priority_area(registry, area, actors, overwrite)
        _load_facts(registry, overwrite)
        _load_model_elements(registry, overwrite)
        # A migration's historical models send signals no receiver of the live ones hears.
        pagecache.changed("plan")


class Correction(NamedTuple):
    """Set ``field`` of the ``model`` row matched by ``lookup`` to ``new`` if it still holds ``old``."""

    model: str
    lookup: dict[str, Any]
    field: str
    old: Any
    new: Any


def apply_corrections(apps: Apps | None, corrections: Iterable[Correction]) -> int:
    """Apply each correction whose row still holds the shipped value; the number changed.

    A row that staff edited (or that was loaded with the new value already, on a
    fresh database) is left alone: the UPDATE is conditional on the old value.
    """
    registry = apps or global_apps
    changed = 0
    with transaction.atomic():
        for fix in corrections:
            model = registry.get_model("plan", fix.model)
            rows = model._default_manager.filter(**fix.lookup, **{fix.field: fix.old})
            changed += rows.update(**{fix.field: fix.new})
        pagecache.changed("plan")  # update() sends no signal
    return changed


def shipped(model: str, slug: str, field: str) -> Any:
    """The value ``data.py`` ships for ``field`` of the ``model`` row ``slug`` (a correction's new value).

    Raises ``KeyError`` naming the row when ``data.py`` has no such row or field.
    """
    rows = {(name, row["slug"]): row for name, row in shipped_rows()}
    try:
        return rows[(model, slug)][field]
    except KeyError:
        raise KeyError(f"data.py: expected {model} {slug!r} with a {field!r}, found none") from None


def shipped_rows() -> Iterable[tuple[str, dict[str, Any]]]:
    """Every row of ``data.py`` as (model name, row), goals with the slug the loader gives them."""
    yield from (("ActorGroup", row) for row in data.ACTOR_GROUPS)
    for area in data.PRIORITY_AREAS:
        yield "PriorityArea", area
        for goal in area["goals"]:
            yield "Goal", {**goal, "slug": f"goal-{area['number']}-{goal['number']}"}
        yield from (("RecommendedAction", row) for row in area["actions"])
    facts = [*data.PLAN_FACTS, *data.ACTOR_FACTS, *data.MODEL_FACTS]
    yield from (("PublicationFact", row) for row in facts)
    yield from (("ModelElement", row) for row in data.MODEL_ELEMENTS)


def _known_fields(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
    """``values`` without keys the model (as of this migration) does not have yet."""
    names = {f.name for f in model._meta.get_fields()}
    return {k: v for k, v in values.items() if k in names}


def _upsert(
    model: type[models.Model], lookup: dict[str, Any], values: dict[str, Any], overwrite: bool
) -> tuple[Any, bool]:
    known = _known_fields(model, values)
    fields = {k: v for k, v in known.items() if k not in lookup and k not in _M2M_KEYS}
    if overwrite:
        return model._default_manager.update_or_create(defaults=fields, **lookup)
    return model._default_manager.get_or_create(defaults=fields, **lookup)


def _set_actors(obj: Any, row: dict[str, Any], actors: dict[str, Any], fresh: bool) -> None:
    # Only on a fresh row (or when overwriting): staff may have ticked more groups since.
    if fresh and row.get("actor_groups"):
        obj.actor_groups.set([actors[slug] for slug in row["actor_groups"]])


def _load_actor_groups(registry: Apps, overwrite: bool) -> dict[str, Any]:
    model = registry.get_model("plan", "ActorGroup")
    for row in data.ACTOR_GROUPS:
        _upsert(model, {"slug": row["slug"]}, row, overwrite)
    return {group.slug: group for group in model._default_manager.all()}


def _load_priority_area(
    registry: Apps, row: dict[str, Any], actors: dict[str, Any], overwrite: bool
) -> None:
    model = registry.get_model("plan", "PriorityArea")
    values = {k: v for k, v in row.items() if k not in ("goals", "actions")}
    area, created = _upsert(model, {"slug": row["slug"]}, values, overwrite)
    _set_actors(area, row, actors, created or overwrite)
    goals = {goal["number"]: _load_goal(registry, area, goal, overwrite) for goal in row["goals"]}
    for action in row["actions"]:
        _load_action(registry, area, goals, action, actors, overwrite)


def _load_goal(registry: Apps, area: Any, row: dict[str, Any], overwrite: bool) -> Any:
    model = registry.get_model("plan", "Goal")
    values = {**row, "slug": f"goal-{area.number}-{row['number']}"}
    goal, _ = _upsert(model, {"priority_area": area, "number": row["number"]}, values, overwrite)
    return goal


def _load_action(
    registry: Apps,
    area: Any,
    goals: dict[int, Any],
    row: dict[str, Any],
    actors: dict[str, Any],
    overwrite: bool,
) -> None:
    model = registry.get_model("plan", "RecommendedAction")
    number = row.get("goal")
    if number is not None and number not in goals:
        raise ValueError(
            f"PRIORITY_AREAS: action {row['slug']!r} names goal {number!r}, "
            f"expected one of the area's goals {sorted(goals)}"
        )
    values = {**row, "priority_area": area, "goal": goals[number] if number is not None else None}
    action, created = _upsert(model, {"slug": row["slug"]}, values, overwrite)
    _set_actors(action, row, actors, created or overwrite)


def _load_facts(registry: Apps, overwrite: bool) -> None:
    model = registry.get_model("plan", "PublicationFact")
    for row in [*data.PLAN_FACTS, *data.ACTOR_FACTS, *data.MODEL_FACTS]:
        _upsert(model, {"slug": row["slug"]}, row, overwrite)


def _load_model_elements(registry: Apps, overwrite: bool) -> None:
    model = registry.get_model("plan", "ModelElement")
    by_slug: dict[str, Any] = {}
    for row in data.MODEL_ELEMENTS:
        parent = row.get("parent")
        if parent is not None and parent not in by_slug:
            raise ValueError(
                f"MODEL_ELEMENTS: {row['slug']!r} names parent {parent!r}, "
                "expected a slug listed before it"
            )
        values = {**row, "parent": by_slug.get(parent) if parent else None}
        by_slug[row["slug"]], _ = _upsert(model, {"slug": row["slug"]}, values, overwrite)
