"""Pure quota maths: period bounds and attainment. No database."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

MONTHS = {"month": 1, "quarter": 3, "year": 12}


def period_start(period: str, day: datetime.date) -> datetime.date:
    """The first day of the month, quarter or year ``day`` falls in."""
    if period == "year":
        return datetime.date(day.year, 1, 1)
    if period == "quarter":
        return datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    if period == "month":
        return day.replace(day=1)
    raise ValueError(f"Unknown period {period!r}")


def period_end(period: str, start: datetime.date) -> datetime.date:
    """The last day of the period that starts on ``start``."""
    index = start.year * 12 + start.month - 1 + MONTHS[period]
    return datetime.date(index // 12, index % 12 + 1, 1) - datetime.timedelta(days=1)


def attainment_percent(actual: Decimal, target: Decimal) -> Decimal:
    """``actual`` ÷ ``target`` in percent, one decimal (7,500 of 10,000 → 75.0); 0 for a non-positive target."""
    if target <= 0:
        return Decimal(0)
    return (actual * 100 / target).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
