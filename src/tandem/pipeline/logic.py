"""Pure pipeline maths: the weighted forecast and what a stage set must contain. No database."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0")


@dataclass(frozen=True)
class ForecastItem:
    """One opportunity as the forecast sees it: amounts missing count as zero."""

    close_date: datetime.date
    owner_id: int | None
    currency: str
    mrr_delta: Decimal | None
    one_off_amount: Decimal | None
    probability: int  # percent
    kind: str  # open, won or lost


@dataclass(frozen=True)
class ForecastRow:
    """The opportunities of one owner closing in one month, in one currency. ``weighted_*`` is each amount times
    its stage's win probability (won counts 100 %, lost 0 %); ``open_*`` the unweighted open amounts;
    ``won_*`` what is already won."""

    month: datetime.date  # the first day of the month
    owner_id: int | None
    currency: str
    count: int
    open_mrr: Decimal
    open_one_off: Decimal
    weighted_mrr: Decimal
    weighted_one_off: Decimal
    won_mrr: Decimal
    won_one_off: Decimal


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def weighted(amount: Decimal | None, probability: int) -> Decimal:
    return ((amount or ZERO) * Decimal(probability) / Decimal(100)).quantize(CENT)


def forecast_rows(items: Iterable[ForecastItem]) -> list[ForecastRow]:
    """Group by (month, owner, currency), sorted by month, then owner id (unowned last), then currency."""
    groups: dict[tuple[datetime.date, int | None, str], list[ForecastItem]] = {}
    for item in items:
        groups.setdefault((month_start(item.close_date), item.owner_id, item.currency), []).append(item)
    rows = []
    for (month, owner_id, currency), members in groups.items():
        open_items = [item for item in members if item.kind == "open"]
        won_items = [item for item in members if item.kind == "won"]
        counted = [item for item in members if item.kind != "lost"]
        rows.append(ForecastRow(
            month=month, owner_id=owner_id, currency=currency, count=len(counted),
            open_mrr=sum(((item.mrr_delta or ZERO) for item in open_items), ZERO).quantize(CENT),
            open_one_off=sum(((item.one_off_amount or ZERO) for item in open_items), ZERO).quantize(CENT),
            weighted_mrr=sum((weighted(item.mrr_delta, 100 if item.kind == "won" else item.probability)
                              for item in counted), ZERO).quantize(CENT),
            weighted_one_off=sum((weighted(item.one_off_amount, 100 if item.kind == "won" else item.probability)
                                  for item in counted), ZERO).quantize(CENT),
            won_mrr=sum(((item.mrr_delta or ZERO) for item in won_items), ZERO).quantize(CENT),
            won_one_off=sum(((item.one_off_amount or ZERO) for item in won_items), ZERO).quantize(CENT)))
    return sorted(rows, key=lambda row: (row.month, row.owner_id is None, row.owner_id or 0, row.currency))


@dataclass(frozen=True)
class StageSpec:
    code: str
    kind: str
    probability: int


def stage_set_problems(stages: Iterable[StageSpec]) -> list[str]:
    """What is wrong with a pipeline's stages as a whole (empty when fine): it needs an open, a won and a lost
    stage, unique codes, and probabilities between 0 and 100."""
    specs = list(stages)
    problems = []
    kinds = {spec.kind for spec in specs}
    for kind in ("open", "won", "lost"):
        if kind not in kinds:
            problems.append(f"missing_{kind}")
    codes = [spec.code for spec in specs]
    if len(codes) != len(set(codes)):
        problems.append("duplicate_code")
    if any(not 0 <= spec.probability <= 100 for spec in specs):
        problems.append("probability_range")
    return problems


def slug_code(name: str) -> str:
    """A stage code from its name: lower-case ASCII letters, digits and underscores."""
    code = "".join(ch if ch.isascii() and ch.isalnum() else "_" for ch in name.strip().lower())
    code = "_".join(part for part in code.split("_") if part)
    return code[:40] or "stage"


def clean_competitors(values: Iterable[str]) -> list[str]:
    """Trimmed, de-duplicated (case-insensitively, first spelling kept) competitor names."""
    seen: set[str] = set()
    result = []
    for value in values:
        name = str(value).strip()
        if name and name.lower() not in seen:
            seen.add(name.lower())
            result.append(name[:100])
    return result
