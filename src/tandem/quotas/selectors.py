"""Reads for quotas, scoped by the access module, and attainment computed from the data: won opportunities
(``pipeline.selectors.bookings``), calls (``sdr_calls``: lead calls and call activities) and opportunities
created (``opportunities_created``)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.access.choices import Action
from tandem.access.decide import restrict
from tandem.contracts import logic as contract_logic
from tandem.contracts import selectors as contract_selectors
from tandem.core.exceptions import NotFound, ValidationFailed
from tandem.identity.models import Role, User
from tandem.pipeline import selectors as pipeline_selectors
from tandem.quotas import logic
from tandem.quotas.choices import MONEY_METRICS, Metric, Period
from tandem.quotas.models import Quota


def today() -> datetime.date:
    return timezone.localdate()


@dataclass(frozen=True)
class QuotaFilters:
    user: User | None = None
    period: str = ""
    period_start: datetime.date | None = None
    metric: str = ""
    role: str = ""


def quota_list(*, actor: Any, action: str = Action.VIEW, filters: QuotaFilters | None = None) -> QuerySet[Quota]:
    filters = filters or QuotaFilters()
    quotas = restrict(Quota.objects.select_related("user"), actor, action)
    if filters.user is not None:
        quotas = quotas.filter(user=filters.user)
    if filters.period:
        quotas = quotas.filter(period=filters.period)
    if filters.period_start is not None:
        quotas = quotas.filter(period_start=filters.period_start)
    if filters.metric:
        quotas = quotas.filter(metric=filters.metric)
    if filters.role:
        quotas = quotas.filter(role=filters.role)
    return quotas


def quota_get(*, actor: Any, public_id: str, action: str = Action.VIEW) -> Quota:
    quota = quota_list(actor=actor, action=action).filter(public_id=public_id).first()
    if quota is None:
        raise NotFound(_("No such quota."))
    return quota


def check_period(period: str) -> str:
    if period not in Period.values:
        message = _("Choose month, quarter or year.")
        raise ValidationFailed(message, errors={"period": [message]})
    return period


# --- attainment ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attainment:
    """How far ``quota`` is: ``actual`` of ``target`` (money in ``unit``, a currency; counts with unit "")."""

    quota: Quota
    actual: Decimal
    percent: Decimal
    start: datetime.date
    end: datetime.date

    @property
    def unit(self) -> str:
        return self.quota.currency if self.quota.metric in MONEY_METRICS else ""

    @property
    def is_money(self) -> bool:
        return self.quota.metric in MONEY_METRICS


def _booked(user: User, start: datetime.date, end: datetime.date, *, one_off: bool,
            rates: contract_logic.RateTable) -> Decimal:
    """Won in the period, in the workspace currency (each currency at the rate of the period's end, or today)."""
    on = min(end, today())
    total = Decimal(0)
    for booking in pipeline_selectors.bookings(owner=user, start=start, end=end):
        amount = booking.one_off_amount if one_off else booking.mrr_delta
        try:
            total += contract_logic.convert(amount, currency=booking.currency, on=on, rates=rates)
        except contract_logic.MissingRate:
            continue
    return contract_logic.money(total)


def actual_of(quota: Quota, *, rates: contract_logic.RateTable | None = None) -> Decimal:
    start, end = quota.period_start, logic.period_end(quota.period, quota.period_start)
    if quota.metric in MONEY_METRICS:
        return _booked(quota.user, start, end, one_off=quota.metric == Metric.ONE_OFF,
                       rates=rates or contract_selectors.rate_table())
    if quota.metric == Metric.CALLS:
        return Decimal(pipeline_selectors.sdr_calls(user=quota.user, start=start, end=end))
    return Decimal(pipeline_selectors.opportunities_created(user=quota.user, start=start, end=end).count())


def attainment(quota: Quota, *, rates: contract_logic.RateTable | None = None) -> Attainment:
    actual = actual_of(quota, rates=rates)
    return Attainment(quota=quota, actual=actual, percent=logic.attainment_percent(actual, quota.target),
                      start=quota.period_start, end=logic.period_end(quota.period, quota.period_start))


def attainments(quotas: list[Quota]) -> list[Attainment]:
    rates = contract_selectors.rate_table() if any(quota.metric in MONEY_METRICS for quota in quotas) else None
    return [attainment(quota, rates=rates) for quota in quotas]


def my_attainments(*, actor: Any, on: datetime.date | None = None) -> list[Attainment]:
    """The actor's quotas whose period contains ``on`` (today): the home card."""
    day = on or today()
    mine = [quota for quota in quota_list(actor=actor, filters=QuotaFilters(user=actor)).filter(
        period_start__lte=day) if logic.period_end(quota.period, quota.period_start) >= day]
    return attainments(mine)


@dataclass(frozen=True)
class BoardRow:
    user: User
    cells: dict[str, Attainment]


@dataclass(frozen=True)
class TeamBoard:
    """The visible quotas of one period: people × metrics."""

    period: str
    start: datetime.date
    end: datetime.date
    metrics: list[tuple[str, str]]
    rows: list[BoardRow]


def team_board(*, actor: Any, period: str, on: datetime.date | None = None) -> TeamBoard:
    check_period(period)
    start = logic.period_start(period, on or today())
    quotas = list(quota_list(actor=actor, filters=QuotaFilters(period=period, period_start=start))
                  .order_by("user__full_name", "user_id", "metric"))
    cells: dict[int, dict[str, Attainment]] = defaultdict(dict)
    users: dict[int, User] = {}
    for item in attainments(quotas):
        cells[item.quota.user_id][item.quota.metric] = item
        users[item.quota.user_id] = item.quota.user
    used = {quota.metric for quota in quotas}
    return TeamBoard(period=period, start=start, end=logic.period_end(period, start),
                     metrics=[(value, str(label)) for value, label in Metric.choices if value in used],
                     rows=[BoardRow(user=users[user_id], cells=cells[user_id]) for user_id in users])


def people_with_role(*, role: str) -> QuerySet[User]:
    return User.objects.filter(roles__code=role, is_active=True).distinct().order_by("full_name", "id")


def person_by_reference(*, reference: str) -> User | None:
    """An active user by email or public id."""
    value = reference.strip()
    people = User.objects.filter(is_active=True)
    return people.filter(email=value.lower()).first() if "@" in value else people.filter(public_id=value).first()


def quota_roles() -> QuerySet[Role]:
    """The roles quotas are usually set for (the choices of the bulk form)."""
    return Role.objects.filter(code__in=("sdr", "ae", "am", "renewal", "csm")).order_by("position", "code")
