"""A release's published figures in long format: one row per group x scale x wave x statistic.

Every value comes from the ``Report`` of a release (``reports.build``: the same plans as
every page); nothing is computed here. A suppressed figure keeps its rows, with an empty value,
``suppressed`` true and the reason, so a reader never mistakes a hidden cell for a missing
one. The columns are documented in ``docs/api.md``.
"""

import io
from collections.abc import Iterable
from dataclasses import astuple, dataclass

from wellbeing.core.spreadsheets import csv_writer
from wellbeing.reports.build import Change, Figure, Report, ScaleReport, UnitRow

HEADER = [
    "survey",
    "wave",
    "wave_id",
    "wave_opens_on",
    "group_type",
    "group_id",
    "group",
    "scale",
    "statistic",
    "value",
    "n",
    "suppressed",
    "reason",
]
MEAN_STATISTICS = ("mean", "mean_ci_low", "mean_ci_high")
SHARE_STATISTICS = ("share", "share_ci_low", "share_ci_high")
CHANGE_STATISTICS = ("mean_change", "mean_change_ci_low", "mean_change_ci_high")


@dataclass(frozen=True)
class LongRow:
    survey: str
    wave: str
    wave_id: int
    wave_opens_on: str
    group_type: str  # "organization", "unit" or a demographic field ("role", ...)
    group_id: str  # the unit's id, the category's key, or "" for the organization
    group: str
    scale: str
    statistic: str
    value: float | None
    n: int | None
    suppressed: bool
    reason: str


def _figure_values(figure: Figure, with_share: bool) -> list[tuple[str, float | None]]:
    ci = figure.ci or (None, None)
    out = list(zip(MEAN_STATISTICS, (figure.mean, *ci), strict=True))
    if with_share:
        share_ci = figure.share_ci or (None, None)
        out += list(zip(SHARE_STATISTICS, (figure.share, *share_ci), strict=True))
    return out


def _change_values(change: Change) -> list[tuple[str, float | None]]:
    ci = change.ci or (None, None)
    return list(zip(CHANGE_STATISTICS, (change.difference, *ci), strict=True))


def long_rows(
    report: Report, *, organization_name: str, units: list[UnitRow], admin: bool
) -> list[LongRow]:
    """The figures a reader may see: the organization and categories for admins, ``units`` always."""
    wave = report.wave
    base = (wave.survey.name, wave.name, wave.pk, wave.opens_at.date().isoformat())
    out: list[LongRow] = []

    def add(group: tuple[str, str, str], scale: ScaleReport, figure: Figure) -> None:
        with_share = bool(scale.share_label)
        for statistic, value in _figure_values(figure, with_share):
            out.append(
                LongRow(
                    *base,
                    *group,
                    scale.key,
                    statistic,
                    None if figure.suppressed else value,
                    figure.n,
                    figure.suppressed,
                    figure.reason,
                )
            )

    def add_change(group: tuple[str, str, str], scale: ScaleReport, change: Change | None) -> None:
        if change is None:
            return
        hidden = change.difference is None
        for statistic, value in _change_values(change):
            out.append(
                LongRow(*base, *group, scale.key, statistic, value, None, hidden, change.reason)
            )

    for scale in report.scales:
        if admin:
            group = ("organization", "", organization_name)
            add(group, scale, scale.overall)
            add_change(group, scale, scale.change)
        for row in units:
            group = ("unit", str(row.unit.pk), row.unit.name)
            add(group, scale, scale.by_unit[row.index])
            if scale.unit_changes:
                add_change(group, scale, scale.unit_changes[row.index])
        if admin:
            labels = {name: dict(pairs) for name, pairs in report.categories.items()}
            for field_name, figures in scale.by_category.items():
                for category, figure in figures.items():
                    label = labels.get(field_name, {}).get(category, category)
                    add((field_name, category, label), scale, figure)
    return out


def to_csv(rows: Iterable[LongRow]) -> str:
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for row in rows:
        values = list(astuple(row))
        values[HEADER.index("value")] = "" if row.value is None else repr(row.value)
        values[HEADER.index("n")] = "" if row.n is None else row.n
        values[HEADER.index("suppressed")] = "true" if row.suppressed else "false"
        writer.writerow(values)
    return out.getvalue()


def rows_for_reader(reading) -> list[LongRow]:
    """``long_rows`` of what one reader may read (a ``door.Reading``)."""
    if reading.report is None:
        return []
    return long_rows(
        reading.report,
        organization_name=reading.organization.name,
        units=reading.rows,
        admin=reading.admin,
    )
