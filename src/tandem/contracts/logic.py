"""Pure revenue maths: the MRR of a subscription's terms, how a change moves MRR, dated exchange rates and the
monthly movements table. No database; frozen dataclasses in, numbers out (tested in tests/test_logic.py)."""

from __future__ import annotations

import bisect
import calendar
import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal(0)
PER_SEAT = "per_seat"
FLAT = "flat"
ACTIVE_STATUS = "active"

NEW = "new"
EXPANSION = "expansion"
CONTRACTION = "contraction"
CHURN = "churn"
REACTIVATION = "reactivation"
MOVEMENTS = (NEW, EXPANSION, CONTRACTION, CHURN, REACTIVATION)


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class AddOnLine:
    product: str  # the add-on's code
    quantity: int
    unit_price: Decimal
    pricing_model: str = FLAT

    def monthly(self, seats: int) -> Decimal:
        """Flat add-ons cost ``unit_price × quantity``; per-seat add-ons ``unit_price × quantity × seats``."""
        units = self.quantity * (seats if self.pricing_model == PER_SEAT else 1)
        return self.unit_price * units


@dataclass(frozen=True)
class Terms:
    """A subscription's terms at one moment."""

    plan: str
    seats: int
    unit_price: Decimal
    pricing_model: str = PER_SEAT
    discount_percent: Decimal = ZERO
    add_ons: tuple[AddOnLine, ...] = ()
    status: str = ACTIVE_STATUS


def mrr_of(terms: Terms) -> Decimal:
    """Monthly recurring revenue of ``terms`` in the subscription's currency, after the discount; 0 unless active."""
    if terms.status != ACTIVE_STATUS:
        return ZERO.quantize(CENT)
    base = terms.unit_price * (terms.seats if terms.pricing_model == PER_SEAT else 1)
    gross = base + sum((line.monthly(terms.seats) for line in terms.add_ons), ZERO)
    return money(gross * (Decimal(100) - terms.discount_percent) / Decimal(100))


def classify(*, account_mrr_before: Decimal, account_mrr_after: Decimal, delta: Decimal,
             account_had_revenue: bool) -> str:
    """How one change counts in the movements, judged on the account (the customer), amount ``delta``:

    * the account had no MRR before and has some after: ``new`` the first time, ``reactivation`` after a churn;
    * the account had MRR and has none after: ``churn``;
    * otherwise a positive delta is ``expansion``, a negative one ``contraction``, zero no movement ("")."""
    if delta == 0:
        return ""
    if account_mrr_before <= 0 < account_mrr_after:
        return REACTIVATION if account_had_revenue else NEW
    if account_mrr_before > 0 >= account_mrr_after:
        return CHURN
    return EXPANSION if delta > 0 else CONTRACTION


@dataclass(frozen=True)
class ChangePoint:
    """One change of a subscription in an account's history, for ``classify_history``."""

    key: int  # the change row's id
    subscription: int
    effective_date: datetime.date
    mrr: Decimal  # the subscription's MRR after this change


@dataclass(frozen=True)
class Classified:
    key: int
    mrr_delta: Decimal
    movement: str


def classify_history(points: Iterable[ChangePoint]) -> list[Classified]:
    """The delta and movement of every change of one account, replayed in (date, id) order. Amounts are per
    subscription currency; only whether the account's MRR is zero matters across currencies, so the movement
    does not depend on exchange rates."""
    current: dict[int, Decimal] = {}
    had_revenue = False
    result = []
    for point in sorted(points, key=lambda item: (item.effective_date, item.key)):
        before_total_positive = any(value > 0 for value in current.values())
        delta = point.mrr - current.get(point.subscription, ZERO)
        current[point.subscription] = point.mrr
        after_total_positive = any(value > 0 for value in current.values())
        movement = classify(account_mrr_before=Decimal(1) if before_total_positive else ZERO,
                            account_mrr_after=Decimal(1) if after_total_positive else ZERO, delta=delta,
                            account_had_revenue=had_revenue)
        had_revenue = had_revenue or before_total_positive or after_total_positive
        result.append(Classified(point.key, money(delta), movement))
    return result


@dataclass(frozen=True)
class RateTable:
    """Dated exchange rates to the workspace currency: ``rates[currency]`` is a list of (valid_from, rate) sorted
    by date. ``rate(currency, on)`` is the latest rate on or before ``on``."""

    workspace_currency: str
    rates: Mapping[str, Sequence[tuple[datetime.date, Decimal]]] = field(default_factory=dict)

    def rate(self, currency: str, on: datetime.date) -> Decimal | None:
        if currency == self.workspace_currency:
            return Decimal(1)
        dated = self.rates.get(currency) or ()
        index = bisect.bisect_right([valid_from for valid_from, _rate in dated], on)
        return dated[index - 1][1] if index else None


class MissingRate(Exception):
    def __init__(self, currency: str, on: datetime.date) -> None:
        super().__init__(f"No exchange rate for {currency} on {on.isoformat()}")
        self.currency = currency
        self.on = on


def convert(amount: Decimal, *, currency: str, on: datetime.date, rates: RateTable) -> Decimal:
    """``amount`` in the workspace currency at the rate valid on ``on``; MissingRate when there is none."""
    rate = rates.rate(currency, on)
    if rate is None:
        raise MissingRate(currency, on)
    return amount * rate


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by ``months`` calendar months, clamped to the month's last day (31 Jan + 1 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def term_end(start: datetime.date, term_months: int) -> datetime.date:
    """The last day of a term of ``term_months`` starting on ``start``."""
    return add_months(start, term_months) - datetime.timedelta(days=1)


def months_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The first days of every month from ``start``'s month to ``end``'s month, inclusive."""
    months = []
    current = month_start(start)
    while current <= end:
        months.append(current)
        current = add_months(current, 1)
    return months


@dataclass(frozen=True)
class MovementRow:
    """One month of the movements table, in the workspace currency."""

    period: datetime.date
    opening: Decimal
    new: Decimal
    expansion: Decimal
    contraction: Decimal  # negative or zero
    churn: Decimal  # negative or zero
    reactivation: Decimal
    closing: Decimal

    @property
    def net(self) -> Decimal:
        return self.new + self.expansion + self.contraction + self.churn + self.reactivation


def movement_table(*, months: Sequence[datetime.date], opening: Decimal,
                   sums: Mapping[tuple[datetime.date, str], Decimal]) -> list[MovementRow]:
    """Rows per month from ``sums[(month, movement)]`` (converted amounts); the closing MRR of a month is its
    opening plus every movement, and the next month's opening."""
    rows = []
    current = opening
    for month in months:
        values = {kind: money(sums.get((month, kind), ZERO)) for kind in MOVEMENTS}
        closing = current + sum(values.values(), ZERO)
        rows.append(MovementRow(period=month, opening=money(current), closing=money(closing), **values))
        current = closing
    return rows


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    kind: str
    label: str  # the month, for the tooltip
    amount: Decimal


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    zero_y: float
    bars: tuple[Bar, ...]
    labels: tuple[tuple[float, str], ...]  # (x, month label) under every bar group


def movement_chart(rows: Sequence[MovementRow], *, width: int = 720, height: int = 220) -> Chart:
    """A stacked bar per month: gains (new, expansion, reactivation) above the zero line, losses (contraction,
    churn) below, scaled to the largest side. Coordinates for a server-rendered SVG."""
    gains = (NEW, EXPANSION, REACTIVATION)
    losses = (CONTRACTION, CHURN)
    top = max([sum((getattr(row, kind) for kind in gains), ZERO) for row in rows] + [ZERO])
    bottom = max([-sum((getattr(row, kind) for kind in losses), ZERO) for row in rows] + [ZERO])
    span = (top + bottom) or Decimal(1)
    plot = height - 24
    zero_y = float(top / span) * plot
    slot = width / max(len(rows), 1)
    bar_width = max(slot * 0.6, 2.0)
    bars: list[Bar] = []
    labels: list[tuple[float, str]] = []
    for index, row in enumerate(rows):
        x = index * slot + (slot - bar_width) / 2
        label = row.period.strftime("%Y-%m")
        labels.append((x + bar_width / 2, row.period.strftime("%m/%y")))
        y = zero_y
        for kind in gains:
            amount = getattr(row, kind)
            size = float(amount / span) * plot
            if size > 0:
                y -= size
                bars.append(Bar(x, y, bar_width, size, kind, label, amount))
        y = zero_y
        for kind in losses:
            amount = getattr(row, kind)
            size = float(-amount / span) * plot
            if size > 0:
                bars.append(Bar(x, y, bar_width, size, kind, label, amount))
                y += size
    return Chart(width=width, height=height, zero_y=zero_y, bars=tuple(bars), labels=tuple(labels))
