"""Reporting periods: calendar quarters, each report due a month after its quarter ends."""

import datetime as dt

REPORT_GRACE_DAYS = 30  # a quarter's report is due this many days after the quarter ends
REMINDER_DAYS = 14  # the reminder goes out this many days before the due date


def quarter_end(day: dt.date) -> dt.date:
    """The last day of the quarter containing ``day``."""
    month = ((day.month - 1) // 3 + 1) * 3
    next_month = dt.date(day.year + (month == 12), month % 12 + 1, 1)
    return next_month - dt.timedelta(days=1)


def due_date(period_end: dt.date) -> dt.date:
    return period_end + dt.timedelta(days=REPORT_GRACE_DAYS)


def quarters_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """Quarter ends from the quarter containing ``start`` up to the one containing ``end``."""
    if end < start:
        raise ValueError(f"end: expected a date on or after {start}, got {end}")
    ends, current = [], quarter_end(start)
    while current <= quarter_end(end):
        ends.append(current)
        current = quarter_end(current + dt.timedelta(days=1))
    return ends


def previous_quarter_end(period_end: dt.date) -> dt.date:
    return dt.date(period_end.year, period_end.month - 2, 1) - dt.timedelta(days=1)


def last_late_quarter(today: dt.date) -> dt.date:
    """The latest quarter whose report was due before ``today``."""
    period = quarter_end(today - dt.timedelta(days=REPORT_GRACE_DAYS))
    return period if due_date(period) < today else previous_quarter_end(period)
