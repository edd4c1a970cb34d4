"""Load the hub's seed content: ``seed/resources.toml``, ``seed/case_studies.toml`` and
``seed/compendium.toml`` (the platform's own placements of those resources under the
compendium's essential elements, each with the reason shown to readers).

The schema is shared with the people who author the content (see
docs/hub.md). ``load_seed`` is idempotent: rows are upserted by slug and a
revision is written only when something changed. A case study's ``replaces``
names earlier copies of the same publication, which are merged into it. A record
that breaks the schema stops the load with a ``SeedError`` naming the file, the
slug and the field, and nothing of that load is kept.
"""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from wellbeing.hub import actions, taxonomy
from wellbeing.hub.models import Resource, validate_published

SEED_DIR = Path(__file__).resolve().parent / "seed"
RESOURCE_KEYS = {
    "slug", "title", "kind", "summary", "url", "authors", "publisher", "published", "elements",
    "priority_areas", "factors", "professions", "care_settings", "career_stages", "evidence",
    "source",
}  # fmt: skip
CASE_KEYS = {
    "slug", "title", "organization", "setting", "population", "challenge", "intervention",
    "timeline", "resources_needed", "lessons", "url", "published", "elements", "priority_areas",
    "factors", "professions", "source", "outcomes", "summary", "authors", "publisher",
    "care_settings", "career_stages", "evidence", "replaces",
}  # fmt: skip
OUTCOME_KEYS = {"metric", "before", "after", "instrument"}
PLACEMENT_KEYS = {"element", "slug", "reason"}


class SeedError(ValueError):
    pass


@dataclass
class SeedReport:
    created: int = 0
    updated: int = 0
    case_studies: int = 0
    merged: int = 0
    placements: int = 0
    messages: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [*self.messages]
        lines.append(
            f"Hub seed: {self.created} created, {self.updated} updated "
            f"({self.case_studies} case studies, {self.merged} duplicates merged, "
            f"{self.placements} compendium placements made or changed)."
        )
        return "\n".join(lines)


def load_seed(directory: Path | str = SEED_DIR) -> SeedReport:
    directory = Path(directory)
    report = SeedReport()
    with transaction.atomic():
        for path, rows in _tables(directory, "resources", report):
            for row in rows:
                _count(report, _load_resource(row, path))
        for path, rows in _tables(directory, "case_studies", report):
            for row in rows:
                _count(report, _load_case_study(row, path))
                report.case_studies += 1
                report.merged += _merge_replaced(row, path)
        for path, rows in _tables(directory, "compendium", report, table="placements"):
            for row in rows:
                report.placements += _place(row, path)
    return report


def _tables(directory: Path, name: str, report: SeedReport, *, table: str = ""):
    """The rows of ``<name>.toml`` (as a one-item list), or none and a message if it is absent."""
    path = directory / f"{name}.toml"
    if not path.exists():
        report.messages.append(f"No {path.name} in {directory}: nothing to load from it.")
        return []
    return [(path, _read(path, table or name))]


def _count(report: SeedReport, created: bool) -> None:
    report.created += created
    report.updated += not created


def _read(path: Path, table: str) -> list[dict[str, Any]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise SeedError(f"{path.name}: not valid TOML: {error}") from error
    rows = data.get(table, [])
    if not isinstance(rows, list):
        raise SeedError(f"{path.name}: expected [[{table}]] tables, got {type(rows).__name__}")
    # A placement is keyed by its element and resource; everything else by its slug.
    slugs = [(row.get("element"), row.get("slug")) if table == "placements" else row.get("slug")
             for row in rows]  # fmt: skip
    duplicates = sorted({str(s) for s in slugs if slugs.count(s) > 1})
    if duplicates:
        raise SeedError(f"{path.name}: duplicate slug(s) {duplicates}")
    return rows


def _check(row: dict[str, Any], path: Path, allowed: set[str], required: set[str]) -> str:
    slug = row.get("slug") or "<no slug>"
    where = f"{path.name}: {slug}"
    unknown = sorted(set(row) - allowed)
    if unknown:
        raise SeedError(f"{where}: unknown field(s) {unknown}")
    missing = sorted(k for k in required if not row.get(k))
    if missing:
        raise SeedError(f"{where}: missing required field(s) {missing}")
    try:
        validate_published(str(row.get("published", "")))
    except Exception as error:
        raise SeedError(
            f"{where}: published: expected YYYY, YYYY-MM or YYYY-MM-DD, got {row.get('published')!r}"
        ) from error
    return where


def _choice(where: str, row: dict[str, Any], key: str, choices: Any, *, blank: bool) -> str:
    value = row.get(key, "")
    if (value or not blank) and value not in choices.values:
        raise SeedError(f"{where}: {key}: expected one of {choices.values}, got {value!r}")
    return str(value)


def _choices(where: str, row: dict[str, Any], key: str, choices: Any) -> list[str]:
    values = row.get(key, [])
    if not isinstance(values, list) or any(v not in choices.values for v in values):
        raise SeedError(f"{where}: {key}: expected a list of {choices.values}, got {values!r}")
    return list(values)


def _common(where: str, row: dict[str, Any]) -> dict[str, Any]:
    return {
        "slug": row["slug"],
        "title": row["title"],
        "url": row["url"],
        "published": row.get("published", ""),
        "source": row["source"],
        "elements": _choices(where, row, "elements", taxonomy.Element),
        "professions": _choices(where, row, "professions", taxonomy.Profession),
        "status": Resource.Status.PUBLISHED,
    }


def _upsert(where: str, row: dict[str, Any], values: dict[str, Any], **extra: Any) -> bool:
    try:
        _, created = actions.upsert_resource(
            values,
            priority_areas=row.get("priority_areas", []),
            factors=row.get("factors", []),
            note="loaded from the hub seed files",
            **extra,
        )
    except ValueError as error:
        raise SeedError(f"{where}: {error}") from error
    return created


def _load_resource(row: dict[str, Any], path: Path) -> bool:
    required = {"slug", "title", "kind", "summary", "url", "source"}
    where = _check(row, path, RESOURCE_KEYS, required)
    values = _common(where, row) | {
        "kind": _choice(where, row, "kind", taxonomy.Kind, blank=False),
        "summary": row["summary"],
        "authors": row.get("authors", ""),
        "publisher": row.get("publisher", ""),
        "care_settings": _choices(where, row, "care_settings", taxonomy.CareSetting),
        "career_stages": _choices(where, row, "career_stages", taxonomy.CareerStage),
        "evidence": _choice(where, row, "evidence", taxonomy.Evidence, blank=True),
    }
    return _upsert(where, row, values)


def _load_case_study(row: dict[str, Any], path: Path) -> bool:
    required = {"slug", "title", "organization", "url", "source"}
    where = _check(row, path, CASE_KEYS, required)
    setting = _choice(where, row, "setting", taxonomy.CareSetting, blank=True)
    record = {
        "organization": row["organization"],
        "setting": setting,
        **{k: row.get(k, "") for k in ("population", "challenge", "intervention", "timeline")},
        "resources_needed": row.get("resources_needed", ""),
        "lessons": row.get("lessons", ""),
    }
    outcomes = row.get("outcomes", [])
    for outcome in outcomes:
        if set(outcome) - OUTCOME_KEYS or not outcome.get("metric"):
            raise SeedError(
                f"{where}: outcomes: expected metric, before, after, instrument; got {sorted(outcome)}"
            )
    values = _common(where, row) | {
        "kind": taxonomy.Kind.CASE_STUDY,
        # Without a summary of its own, a case study's card shows what was done.
        "summary": row.get("summary")
        or record["intervention"]
        or record["challenge"]
        or row["title"],
        "authors": row.get("authors", ""),
        "publisher": row.get("publisher") or row["organization"],
        "care_settings": _choices(where, row, "care_settings", taxonomy.CareSetting)
        or ([setting] if setting else []),
        "career_stages": _choices(where, row, "career_stages", taxonomy.CareerStage),
        "evidence": _choice(where, row, "evidence", taxonomy.Evidence, blank=True),
    }
    outcome_rows = [{k: o.get(k, "") for k in OUTCOME_KEYS} for o in outcomes]
    return _upsert(where, row, values, case_study=record, outcomes=outcome_rows)


def _merge_replaced(row: dict[str, Any], path: Path) -> int:
    """Fold the earlier copies a case study ``replaces`` into it; how many there were."""
    replaced = row.get("replaces", [])
    where = f"{path.name}: {row['slug']}"
    if not isinstance(replaced, list) or not all(isinstance(s, str) for s in replaced):
        raise SeedError(f"{where}: replaces: expected a list of slugs, got {replaced!r}")
    if row["slug"] in replaced:
        raise SeedError(f"{where}: replaces: a case study cannot replace itself")
    keep = Resource.objects.get(slug=row["slug"])
    duplicates = list(Resource.objects.filter(slug__in=replaced))
    for duplicate in duplicates:
        actions.merge_resources(keep, duplicate)
    return len(duplicates)


def _place(row: dict[str, Any], path: Path) -> int:
    """Place one seed resource under an element with its reason; 1 if that changed anything."""
    where = f"{path.name}: {row.get('element')} / {row.get('slug')}"
    unknown = sorted(set(row) - PLACEMENT_KEYS)
    missing = sorted(k for k in PLACEMENT_KEYS if not row.get(k))
    if unknown or missing:
        raise SeedError(
            f"{where}: expected element, slug and reason; unknown {unknown}, missing {missing}"
        )
    resource = Resource.objects.filter(slug=row["slug"]).first()
    if resource is None:
        raise SeedError(f"{where}: slug: no resource {row['slug']!r} in the seed")
    before = resource.revisions.count()
    try:
        actions.place_in_compendium(resource, row["element"], reason=row["reason"])
    except ValueError as error:
        raise SeedError(f"{where}: {error}") from error
    return int(resource.revisions.count() > before)
