"""Reads for the catalog, exchange rates, subscriptions and MRR, scoped by the access module.

MRR totals and movements are computed in SQL from the change rows: the MRR of a set of subscriptions on a date is
the sum of the ``mrr_delta`` of their changes up to that date (per currency), and the movements of a period are
those deltas summed by (effective date, currency, movement) — a few thousand groups, converted with the rate of
each date in Python, whatever the number of subscriptions."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.access.choices import Action, Scope
from tandem.access.decide import can, effective_scope, restrict
from tandem.accounts.models import Account
from tandem.contracts import logic
from tandem.contracts.choices import ProductKind, SubscriptionStatus
from tandem.contracts.models import (
    ExchangeRate,
    Price,
    PriceBook,
    PriceBookVersion,
    Product,
    Subscription,
    SubscriptionChange,
)
from tandem.core.exceptions import NotFound, PermissionDenied, ValidationFailed


def workspace_currency() -> str:
    return str(getattr(settings, "WORKSPACE_CURRENCY", "USD"))


def today() -> datetime.date:
    return timezone.localdate()


# --- catalog -------------------------------------------------------------------------------------


def _require_catalog_view(actor: Any) -> None:
    if not can(actor, Action.VIEW, resource="catalog"):
        raise PermissionDenied(_("You may not see the product catalog."))


def product_list(*, actor: Any, kind: str = "", active: bool | None = None, search: str = "") -> QuerySet[Product]:
    _require_catalog_view(actor)
    products = Product.objects.all()
    if kind:
        products = products.filter(kind=kind)
    if active is not None:
        products = products.filter(active=active)
    if search:
        products = products.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return products


def product_get(*, actor: Any, public_id: str) -> Product:
    product = product_list(actor=actor).filter(public_id=public_id).first()
    if product is None:
        raise NotFound(_("No such product."))
    return product


def product_by_code(*, actor: Any, code: str) -> Product | None:
    return product_list(actor=actor).filter(code=code.strip()).first()


def price_book_list(*, actor: Any) -> QuerySet[PriceBook]:
    _require_catalog_view(actor)
    return PriceBook.objects.all()


def price_book_get(*, actor: Any, public_id: str) -> PriceBook:
    book = price_book_list(actor=actor).filter(public_id=public_id).first()
    if book is None:
        raise NotFound(_("No such price book."))
    return book


def price_book_versions(*, actor: Any, price_book: PriceBook) -> QuerySet[PriceBookVersion]:
    _require_catalog_view(actor)
    return PriceBookVersion.objects.filter(price_book=price_book)


def price_book_version_get(*, actor: Any, price_book: PriceBook, public_id: str) -> PriceBookVersion:
    version = price_book_versions(actor=actor, price_book=price_book).filter(public_id=public_id).first()
    if version is None:
        raise NotFound(_("No such price-book version."))
    return version


def version_prices(*, actor: Any, version: PriceBookVersion) -> QuerySet[Price]:
    _require_catalog_view(actor)
    return version.prices.select_related("product")


def default_version(*, on: datetime.date) -> PriceBookVersion | None:
    """The version of the default price book in effect on ``on`` (the latest one starting on or before it)."""
    return (PriceBookVersion.objects.filter(price_book__is_default=True, effective_from__lte=on)
            .order_by("-effective_from", "-id").first())


def catalog_price(*, product: Product, currency: str, on: datetime.date) -> Price | None:
    """The default price book's price of ``product`` in ``currency`` on ``on`` (None when it has none)."""
    version = default_version(on=on)
    if version is None:
        return None
    return version.prices.filter(product=product, currency=currency).first()


def exchange_rate_list(*, actor: Any, currency: str = "") -> QuerySet[ExchangeRate]:
    _require_catalog_view(actor)
    rates = ExchangeRate.objects.all()
    if currency:
        rates = rates.filter(currency=currency.upper())
    return rates


def exchange_rate_get(*, actor: Any, pk: int) -> ExchangeRate:
    rate = exchange_rate_list(actor=actor).filter(pk=pk).first()
    if rate is None:
        raise NotFound(_("No such exchange rate."))
    return rate


def rate_table() -> logic.RateTable:
    """Every dated rate (a few rows per currency and month at most)."""
    rates: dict[str, list[tuple[datetime.date, Decimal]]] = defaultdict(list)
    for currency, valid_from, rate in ExchangeRate.objects.order_by("currency", "valid_from").values_list(
            "currency", "valid_from", "rate"):
        rates[currency].append((valid_from, rate))
    return logic.RateTable(workspace_currency=workspace_currency(), rates=dict(rates))


def missing_rate_error(error: logic.MissingRate, *, field: str = "currency") -> ValidationFailed:
    message = _("There is no exchange rate from %(currency)s to %(workspace)s on or before %(date)s; add one "
                "under Revenue → Exchange rates.") % {"currency": error.currency, "workspace": workspace_currency(),
                                                      "date": error.on.isoformat()}
    return ValidationFailed(message, errors={field: [message]})


def to_workspace(amount: Decimal, *, currency: str, on: datetime.date, rates: logic.RateTable | None = None,
                 field: str = "currency") -> Decimal:
    try:
        return logic.money(logic.convert(amount, currency=currency, on=on, rates=rates or rate_table()))
    except logic.MissingRate as error:
        raise missing_rate_error(error, field=field) from None


# --- subscriptions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubscriptionFilters:
    account_public_id: str = ""
    status: str = ""
    plan_code: str = ""
    currency: str = ""
    search: str = ""


def subscription_list(*, actor: Any, action: str = Action.VIEW,
                      filters: SubscriptionFilters | None = None) -> QuerySet[Subscription]:
    """The subscriptions ``actor`` may ``action`` (view by default), filtered."""
    filters = filters or SubscriptionFilters()
    subscriptions = restrict(Subscription.objects.select_related("account", "plan"), actor, action)
    if filters.account_public_id:
        subscriptions = subscriptions.filter(account__public_id=filters.account_public_id)
    if filters.status:
        subscriptions = subscriptions.filter(status=filters.status)
    if filters.plan_code:
        subscriptions = subscriptions.filter(plan__code=filters.plan_code)
    if filters.currency:
        subscriptions = subscriptions.filter(currency=filters.currency.upper())
    if filters.search:
        subscriptions = subscriptions.filter(Q(account__name__icontains=filters.search)
                                             | Q(plan__name__icontains=filters.search)
                                             | Q(external_id=filters.search))
    return subscriptions


def subscription_get(*, actor: Any, public_id: str) -> Subscription:
    subscription = subscription_list(actor=actor).filter(public_id=public_id).first()
    if subscription is None:
        raise NotFound(_("No such subscription."))
    return subscription


def subscription_by_external_id(*, actor: Any, external_id: str) -> Subscription | None:
    return subscription_list(actor=actor).filter(external_id=external_id).first() if external_id else None


def subscriptions_of_account(*, actor: Any, account: Account) -> QuerySet[Subscription]:
    return subscription_list(actor=actor).filter(account=account).prefetch_related("add_ons__product")


def subscriptions_ending(*, actor: Any, start: datetime.date, end: datetime.date) -> QuerySet[Subscription]:
    """Active subscriptions whose end date falls in [start, end] (for the renewal engine), soonest first."""
    return (subscription_list(actor=actor).filter(status=SubscriptionStatus.ACTIVE, end_date__gte=start,
                                                   end_date__lte=end).order_by("end_date", "id"))


def subscription_changes(*, actor: Any, subscription: Subscription) -> QuerySet[SubscriptionChange]:
    """The history of a subscription the actor can see, newest first."""
    if not subscription_list(actor=actor).filter(pk=subscription.pk).exists():
        raise NotFound(_("No such subscription."))
    return subscription.changes.select_related("created_by").order_by("-effective_date", "-id")


def active_plans(*, actor: Any) -> QuerySet[Product]:
    return product_list(actor=actor, kind=ProductKind.PLAN, active=True)


# --- MRR -----------------------------------------------------------------------------------------


def _visible_changes(actor: Any) -> QuerySet[SubscriptionChange]:
    changes = SubscriptionChange.objects.all()
    if effective_scope(actor, "subscription", Action.VIEW) == Scope.ALL:
        return changes
    return changes.filter(subscription_id__in=restrict(Subscription.objects.all(), actor).values("pk"))


@dataclass(frozen=True)
class MrrFigure:
    """MRR on a date in the workspace currency, with the per-currency amounts it was converted from."""

    on: datetime.date
    currency: str
    mrr: Decimal
    by_currency: dict[str, Decimal]

    @property
    def arr(self) -> Decimal:
        return self.mrr * 12


def _mrr_of(changes: QuerySet[SubscriptionChange], on: datetime.date) -> MrrFigure:
    rows = (changes.filter(effective_date__lte=on).order_by().values("currency")
            .annotate(total=Sum("mrr_delta")))
    by_currency = {row["currency"]: logic.money(row["total"] or Decimal(0)) for row in rows}
    rates = rate_table()
    total = sum((to_workspace(amount, currency=currency, on=on, rates=rates)
                 for currency, amount in by_currency.items() if amount), Decimal(0))
    return MrrFigure(on=on, currency=workspace_currency(), mrr=logic.money(total),
                     by_currency={key: value for key, value in by_currency.items() if value})


def account_mrr(*, actor: Any, account: Account, on: datetime.date | None = None,
                include_children: bool = False) -> MrrFigure:
    """The account's MRR on ``on`` (today by default), reconstructed from the change history; with
    ``include_children`` over every visible account below it too."""
    if not can(actor, Action.VIEW, account):
        raise NotFound(_("No such account."))
    ids = [account.pk]
    if include_children:
        from tandem.accounts.rollups import descendant_ids

        ids += descendant_ids(actor=actor, account=account)
    return accounts_mrr(actor=actor, account_ids=ids, on=on)


def accounts_mrr(*, actor: Any, account_ids: list[int], on: datetime.date | None = None) -> MrrFigure:
    return _mrr_of(_visible_changes(actor).filter(account_id__in=account_ids), on or today())


def mrr_total(*, actor: Any, on: datetime.date | None = None) -> MrrFigure:
    """MRR of every subscription the actor can see on ``on`` (today by default)."""
    return _mrr_of(_visible_changes(actor), on or today())


def subscription_mrr_on(*, subscription: Subscription, on: datetime.date) -> Decimal:
    """The subscription's MRR (its currency) on ``on``: that of its last change on or before the date."""
    change = subscription.changes.filter(effective_date__lte=on).order_by("-effective_date", "-id").first()
    return change.mrr if change else Decimal("0.00")


@dataclass(frozen=True)
class Movements:
    currency: str
    start: datetime.date
    end: datetime.date
    rows: list[logic.MovementRow]

    @property
    def totals(self) -> dict[str, Decimal]:
        return {kind: sum((getattr(row, kind) for row in self.rows), Decimal(0)) for kind in logic.MOVEMENTS}


MAX_MONTHS = 120


def mrr_movements(*, actor: Any, start: datetime.date, end: datetime.date, period: str = "month",
                  account_ids: list[int] | None = None) -> Movements:
    """New, expansion, contraction, churn and reactivation MRR per month from ``start``'s month to ``end``
    (inclusive), in the workspace currency: each change converted at the rate of its effective date; the opening
    MRR at the rate of the day before the first month."""
    if period != "month":
        raise ValidationFailed(_("Only monthly periods are supported."), errors={"period": [_("Use month.")]})
    if end < start:
        raise ValidationFailed(_("The end is before the start."), errors={"end": [_("The end is before the start.")]})
    months = logic.months_between(start, end)
    if len(months) > MAX_MONTHS:
        raise ValidationFailed(_("At most %(count)s months at once.") % {"count": MAX_MONTHS},
                               errors={"end": [_("At most %(count)s months at once.") % {"count": MAX_MONTHS}]})
    changes = _visible_changes(actor)
    if account_ids is not None:
        changes = changes.filter(account_id__in=account_ids)
    first = months[0]
    opening = _mrr_of(changes, first - datetime.timedelta(days=1)).mrr
    rows = (changes.filter(effective_date__gte=first, effective_date__lte=end).exclude(movement="")
            .order_by().values_list("effective_date", "currency", "movement").annotate(total=Sum("mrr_delta")))
    rates = rate_table()
    sums: dict[tuple[datetime.date, str], Decimal] = defaultdict(Decimal)
    for effective_date, currency, movement, total in rows:
        amount = to_workspace(total, currency=currency, on=effective_date, rates=rates)
        sums[(logic.month_start(effective_date), movement)] += amount
    return Movements(currency=workspace_currency(), start=first, end=end,
                     rows=logic.movement_table(months=months, opening=opening, sums=sums))


def account_changes(*, actor: Any, account: Account) -> QuerySet[SubscriptionChange]:
    """The dated changes of the account's visible subscriptions, newest first."""
    return (SubscriptionChange.objects.filter(account=account,
                                              subscription_id__in=subscription_list(actor=actor).values("pk"))
            .select_related("subscription__plan", "created_by").order_by("-effective_date", "-id"))
