"""Contracts API: /api/v1/products, /price-books, /exchange-rates, /subscriptions, /mrr and
/accounts/{id}/mrr (docs/revenue.md)."""

from __future__ import annotations

import datetime
from typing import Any

from ninja import Router
from ninja.responses import Status

from tandem.access.choices import Action
from tandem.access.decide import can, field_access
from tandem.accounts import selectors as account_selectors
from tandem.accounts.models import Account
from tandem.api.auth import api_actor
from tandem.api.pagination import paginate
from tandem.contracts import selectors, services
from tandem.contracts.choices import ProductKind, SubscriptionStatus
from tandem.contracts.models import PriceBook, PriceBookVersion, Product, Subscription, SubscriptionChange
from tandem.contracts.schemas import (
    AmendmentIn,
    ChangeOut,
    ChangePage,
    ChurnIn,
    ExchangeRateIn,
    ExchangeRateOut,
    ExchangeRatePage,
    MovementsOut,
    MrrOut,
    PriceBookIn,
    PriceBookOut,
    PriceBookPage,
    PriceBookVersionIn,
    PriceBookVersionOut,
    PriceBookVersionPage,
    PriceIn,
    PriceOut,
    ProductIn,
    ProductOut,
    ProductPage,
    ProductPatch,
    ReactivateIn,
    RenewIn,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionPage,
    SubscriptionPatch,
)
from tandem.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from tandem.identity.requests import AuthedRequest

products_router = Router(tags=["catalog"])
price_books_router = Router(tags=["catalog"])
exchange_rates_router = Router(tags=["catalog"])
subscriptions_router = Router(tags=["subscriptions"])
mrr_router = Router(tags=["subscriptions"])
account_mrr_router = Router(tags=["subscriptions"])


# --- catalog -------------------------------------------------------------------------------------


def _product_out(product: Product) -> dict[str, Any]:
    return {"id": product.public_id, **{name: getattr(product, name) for name in (
        "name", "code", "kind", "description", "active", "created_at", "updated_at")}}


def _product(actor: Any, value: str, field: str) -> Product:
    product = (selectors.product_by_code(actor=actor, code=value)
               or selectors.product_list(actor=actor).filter(public_id=value).first())
    if product is None:
        raise ValidationFailed(f"{value} is not in the catalog.", errors={field: [f"{value} is not in the catalog."]})
    return product


@products_router.get("", response=ProductPage, operation_id="contracts_product_list")
def product_list(request: AuthedRequest, limit: int | None = None, cursor: str | None = None,
                 kind: ProductKind | None = None, active: bool | None = None, q: str = "") -> dict[str, Any]:
    """Plans and add-ons, by name."""
    actor = api_actor(request, scope="catalog:read")
    products = selectors.product_list(actor=actor, kind=kind or "", active=active, search=q)
    page = paginate(products, ordering=("name", "id"), limit=limit, cursor=cursor)
    return {"items": [_product_out(product) for product in page.items], "next_cursor": page.next_cursor}


@products_router.post("", response={201: ProductOut}, operation_id="contracts_product_create")
def product_create(request: AuthedRequest, payload: ProductIn) -> Status:
    actor = api_actor(request, scope="catalog:write")
    return Status(201, _product_out(services.product_create(actor=actor, **payload.dict())))


@products_router.get("/{product_id}", response=ProductOut, operation_id="contracts_product_get")
def product_get(request: AuthedRequest, product_id: str) -> dict[str, Any]:
    actor = api_actor(request, scope="catalog:read")
    return _product_out(selectors.product_get(actor=actor, public_id=product_id))


@products_router.patch("/{product_id}", response=ProductOut, operation_id="contracts_product_update")
def product_update(request: AuthedRequest, product_id: str, payload: ProductPatch) -> dict[str, Any]:
    actor = api_actor(request, scope="catalog:write")
    product = selectors.product_get(actor=actor, public_id=product_id)
    changes = {key: value for key, value in payload.dict(exclude_unset=True).items() if value is not None}
    return _product_out(services.product_update(actor=actor, product=product, **changes))


def _book_out(book: PriceBook) -> dict[str, Any]:
    return {"id": book.public_id, "name": book.name, "is_default": book.is_default, "created_at": book.created_at}


def _price_out(price: Any) -> dict[str, Any]:
    return {"product": {"id": price.product.public_id, "code": price.product.code, "name": price.product.name},
            "currency": price.currency, "amount": price.amount, "pricing_model": price.pricing_model}


def _version_out(actor: Any, version: PriceBookVersion) -> dict[str, Any]:
    return {"id": version.public_id, "effective_from": version.effective_from, "note": version.note,
            "created_at": version.created_at,
            "prices": [_price_out(price) for price in selectors.version_prices(actor=actor, version=version)]}


@price_books_router.get("", response=PriceBookPage, operation_id="contracts_price_book_list")
def price_book_list(request: AuthedRequest, limit: int | None = None, cursor: str | None = None) -> dict[str, Any]:
    actor = api_actor(request, scope="catalog:read")
    page = paginate(selectors.price_book_list(actor=actor), ordering=("name", "id"), limit=limit, cursor=cursor)
    return {"items": [_book_out(book) for book in page.items], "next_cursor": page.next_cursor}


@price_books_router.post("", response={201: PriceBookOut}, operation_id="contracts_price_book_create")
def price_book_create(request: AuthedRequest, payload: PriceBookIn) -> Status:
    """A new price book; ``is_default`` makes it the book new subscriptions are priced from."""
    actor = api_actor(request, scope="catalog:write")
    return Status(201, _book_out(services.price_book_create(actor=actor, **payload.dict())))


@price_books_router.get("/{book_id}", response=PriceBookOut, operation_id="contracts_price_book_get")
def price_book_get(request: AuthedRequest, book_id: str) -> dict[str, Any]:
    actor = api_actor(request, scope="catalog:read")
    return _book_out(selectors.price_book_get(actor=actor, public_id=book_id))


@price_books_router.get("/{book_id}/versions", response=PriceBookVersionPage,
                        operation_id="contracts_price_book_version_list")
def price_book_version_list(request: AuthedRequest, book_id: str, limit: int | None = None,
                            cursor: str | None = None) -> dict[str, Any]:
    """The book's versions, newest first, each with its prices."""
    actor = api_actor(request, scope="catalog:read")
    book = selectors.price_book_get(actor=actor, public_id=book_id)
    page = paginate(selectors.price_book_versions(actor=actor, price_book=book),
                    ordering=("-effective_from", "-id"), limit=limit, cursor=cursor)
    return {"items": [_version_out(actor, version) for version in page.items], "next_cursor": page.next_cursor}


@price_books_router.post("/{book_id}/versions", response={201: PriceBookVersionOut},
                         operation_id="contracts_price_book_version_create")
def price_book_version_create(request: AuthedRequest, book_id: str, payload: PriceBookVersionIn) -> Status:
    """A new dated version with its prices. Existing subscriptions keep their unit prices."""
    actor = api_actor(request, scope="catalog:write")
    book = selectors.price_book_get(actor=actor, public_id=book_id)
    prices = [{"product": _product(actor, row.product, f"prices.{index}.product"), "currency": row.currency,
               "amount": row.amount, "pricing_model": row.pricing_model} for index, row in enumerate(payload.prices)]
    version = services.price_book_version_create(actor=actor, price_book=book, effective_from=payload.effective_from,
                                                 note=payload.note, prices=prices)
    return Status(201, _version_out(actor, version))


@price_books_router.put("/{book_id}/versions/{version_id}/prices", response=PriceOut,
                        operation_id="contracts_price_set")
def price_set(request: AuthedRequest, book_id: str, version_id: str, payload: PriceIn) -> dict[str, Any]:
    """Add or change one item's price in one currency in this version."""
    actor = api_actor(request, scope="catalog:write")
    book = selectors.price_book_get(actor=actor, public_id=book_id)
    version = selectors.price_book_version_get(actor=actor, price_book=book, public_id=version_id)
    price = services.price_set(actor=actor, version=version, product=_product(actor, payload.product, "product"),
                               currency=payload.currency, amount=payload.amount, pricing_model=payload.pricing_model)
    return _price_out(price)


def _rate_out(rate: Any) -> dict[str, Any]:
    return {"id": rate.pk, "currency": rate.currency, "valid_from": rate.valid_from, "rate": rate.rate}


@exchange_rates_router.get("", response=ExchangeRatePage, operation_id="contracts_exchange_rate_list")
def exchange_rate_list(request: AuthedRequest, currency: str = "", limit: int | None = None,
                       cursor: str | None = None) -> dict[str, Any]:
    """Dated rates to the workspace currency, by currency, newest first."""
    actor = api_actor(request, scope="catalog:read")
    page = paginate(selectors.exchange_rate_list(actor=actor, currency=currency),
                    ordering=("currency", "-valid_from", "-id"), limit=limit, cursor=cursor)
    return {"items": [_rate_out(rate) for rate in page.items], "next_cursor": page.next_cursor}


@exchange_rates_router.post("", response={201: ExchangeRateOut}, operation_id="contracts_exchange_rate_set")
def exchange_rate_set(request: AuthedRequest, payload: ExchangeRateIn) -> Status:
    """Set the rate of a currency from a date on (replaces that date's rate if there is one)."""
    actor = api_actor(request, scope="catalog:write")
    return Status(201, _rate_out(services.exchange_rate_set(actor=actor, **payload.dict())))


@exchange_rates_router.delete("/{rate_id}", response={204: None}, operation_id="contracts_exchange_rate_delete")
def exchange_rate_delete(request: AuthedRequest, rate_id: int) -> Status:
    actor = api_actor(request, scope="catalog:write")
    services.exchange_rate_delete(actor=actor, rate=selectors.exchange_rate_get(actor=actor, pk=rate_id))
    return Status(204, None)


# --- subscriptions -------------------------------------------------------------------------------


def _pricing_readable(actor: Any) -> bool:
    return field_access(actor, "subscription", "pricing").can_read


def subscription_out(subscription: Subscription, actor: Any) -> dict[str, Any]:
    readable = _pricing_readable(actor)
    plan = subscription.plan
    return {
        "id": subscription.public_id,
        "account": {"id": subscription.account.public_id, "name": subscription.account.name},
        "plan": {"id": plan.public_id, "code": plan.code, "name": plan.name},
        "unit_price": subscription.unit_price if readable else None,
        "discount_percent": subscription.discount_percent if readable else None,
        "term_months": subscription.term_months if readable else None,
        "mrr": subscription.mrr if readable else None,
        "arr": subscription.arr if readable else None,
        "add_ons": [{"product": {"id": line.product.public_id, "code": line.product.code, "name": line.product.name},
                     "quantity": line.quantity, "unit_price": line.unit_price if readable else None,
                     "pricing_model": line.pricing_model} for line in subscription.add_ons.all()],
        **{name: getattr(subscription, name) for name in (
            "currency", "seats", "pricing_model", "start_date", "end_date", "ended_on", "auto_renew", "status",
            "external_id", "version", "created_at", "updated_at")},
    }


PRICING_STATE_KEYS = ("unit_price", "discount_percent", "term_months")


def change_out(change: SubscriptionChange, actor: Any, subscription: Subscription) -> dict[str, Any]:
    readable = _pricing_readable(actor)
    state = dict(change.state)
    if not readable:
        for key in PRICING_STATE_KEYS:
            state.pop(key, None)
        state["add_ons"] = [{key: value for key, value in line.items() if key != "unit_price"}
                            for line in state.get("add_ons", [])]
    return {"id": change.public_id, "subscription": subscription.public_id, "kind": change.kind,
            "effective_date": change.effective_date, "currency": change.currency,
            "mrr": change.mrr if readable else None, "mrr_delta": change.mrr_delta if readable else None,
            "movement": change.movement, "state": state, "reason": change.reason,
            "opportunity_ref": change.opportunity_ref,
            "created_by": change.created_by.email if change.created_by else None, "created_at": change.created_at}


def _account(actor: Any, public_id: str) -> Account:
    try:
        return account_selectors.account_get(actor=actor, public_id=public_id)
    except NotFound:
        raise ValidationFailed("Unknown account.",
                               errors={"account": [f"No visible account with id {public_id}."]}) from None


def _plan(actor: Any, value: str) -> Product:
    product = _product(actor, value, "plan")
    if product.kind != ProductKind.PLAN:
        message = "This plan is not in the catalog."
        raise ValidationFailed(message, errors={"plan": [message]})
    return product


def _add_ons(actor: Any, rows: list[Any] | None) -> list[dict[str, Any]] | None:
    if rows is None:
        return None
    return [{"product": _product(actor, row.product, f"add_ons.{index}.product"), "quantity": row.quantity,
             "unit_price": row.unit_price} for index, row in enumerate(rows)]


@subscriptions_router.get("", response=SubscriptionPage, operation_id="contracts_subscription_list")
def subscription_list(request: AuthedRequest, limit: int | None = None, cursor: str | None = None,
                      account: str = "", status: SubscriptionStatus | None = None, plan: str = "",
                      currency: str = "", q: str = "") -> dict[str, Any]:
    """Visible subscriptions, latest start first; ``plan`` is a plan code."""
    actor = api_actor(request, scope="subscriptions:read")
    filters = selectors.SubscriptionFilters(account_public_id=account, status=status or "", plan_code=plan,
                                            currency=currency, search=q)
    subscriptions = selectors.subscription_list(actor=actor, filters=filters).prefetch_related("add_ons__product")
    page = paginate(subscriptions, ordering=("-start_date", "-id"), limit=limit, cursor=cursor)
    return {"items": [subscription_out(item, actor) for item in page.items], "next_cursor": page.next_cursor}


@subscriptions_router.post("", response={201: SubscriptionOut}, operation_id="contracts_subscription_create")
def subscription_create(request: AuthedRequest, payload: SubscriptionIn) -> Status:
    """A new subscription; without ``unit_price`` the default price book's price on the start date applies.
    Sending a unit price, discount or add-on price needs write on the ``pricing`` field group (else 403)."""
    actor = api_actor(request, scope="subscriptions:write")
    if not can(actor, Action.CREATE, resource="subscription"):
        raise PermissionDenied("You may not create subscriptions.")
    subscription = services.subscription_create(
        actor=actor, account=_account(actor, payload.account), plan=_plan(actor, payload.plan),
        currency=payload.currency or selectors.workspace_currency(), seats=payload.seats,
        start_date=payload.start_date or selectors.today(),
        term_months=payload.term_months, unit_price=payload.unit_price, discount_percent=payload.discount_percent,
        add_ons=_add_ons(actor, payload.add_ons) or (), auto_renew=payload.auto_renew,
        external_id=payload.external_id)
    return Status(201, subscription_out(subscription, actor))


def _subscription(actor: Any, subscription_id: str) -> Subscription:
    return selectors.subscription_get(actor=actor, public_id=subscription_id)


@subscriptions_router.get("/{subscription_id}", response=SubscriptionOut, operation_id="contracts_subscription_get")
def subscription_get(request: AuthedRequest, subscription_id: str) -> dict[str, Any]:
    actor = api_actor(request, scope="subscriptions:read")
    return subscription_out(_subscription(actor, subscription_id), actor)


@subscriptions_router.patch("/{subscription_id}", response=SubscriptionOut,
                            operation_id="contracts_subscription_update")
def subscription_update(request: AuthedRequest, subscription_id: str, payload: SubscriptionPatch) -> dict[str, Any]:
    """Auto-renew and the external id (terms change through amendments)."""
    actor = api_actor(request, scope="subscriptions:write")
    subscription = _subscription(actor, subscription_id)
    services.subscription_update(actor=actor, subscription=subscription, version=payload.version,
                                 auto_renew=payload.auto_renew, external_id=payload.external_id)
    return subscription_out(_subscription(actor, subscription_id), actor)


@subscriptions_router.delete("/{subscription_id}", response={204: None},
                             operation_id="contracts_subscription_delete")
def subscription_delete(request: AuthedRequest, subscription_id: str) -> Status:
    """Remove a subscription entered by mistake, with its history (administrators; audited). To end a contract,
    cancel it (``/churn``) instead, so its history stays."""
    actor = api_actor(request, scope="subscriptions:write")
    services.subscription_delete(actor=actor, subscription=_subscription(actor, subscription_id))
    return Status(204, None)


@subscriptions_router.get("/{subscription_id}/amendments", response=ChangePage,
                          operation_id="contracts_subscription_amendment_list")
def amendment_list(request: AuthedRequest, subscription_id: str, limit: int | None = None,
                   cursor: str | None = None) -> dict[str, Any]:
    """The dated change history (creation, amendments, renewals, cancellation…), newest first."""
    actor = api_actor(request, scope="subscriptions:read")
    subscription = _subscription(actor, subscription_id)
    page = paginate(selectors.subscription_changes(actor=actor, subscription=subscription),
                    ordering=("-effective_date", "-id"), limit=limit, cursor=cursor)
    return {"items": [change_out(change, actor, subscription) for change in page.items],
            "next_cursor": page.next_cursor}


@subscriptions_router.post("/{subscription_id}/amendments", response={201: ChangeOut},
                           operation_id="contracts_subscription_amend")
def subscription_amend(request: AuthedRequest, subscription_id: str, payload: AmendmentIn) -> Status:
    """A dated change of seats, plan, add-ons, unit price or discount (409 when ``version`` is stale)."""
    actor = api_actor(request, scope="subscriptions:write")
    subscription = _subscription(actor, subscription_id)
    change = services.subscription_amend(
        actor=actor, subscription=subscription, version=payload.version, effective_date=payload.effective_date,
        seats=payload.seats, plan=_plan(actor, payload.plan) if payload.plan else None,
        add_ons=_add_ons(actor, payload.add_ons), unit_price=payload.unit_price,
        discount_percent=payload.discount_percent, reason=payload.reason, opportunity_ref=payload.opportunity_ref)
    return Status(201, change_out(change, actor, subscription))


@subscriptions_router.post("/{subscription_id}/renew", response={201: ChangeOut},
                           operation_id="contracts_subscription_renew")
def subscription_renew(request: AuthedRequest, subscription_id: str, payload: RenewIn) -> Status:
    """Extend the end date by ``term_months`` (a contract term: pricing field group)."""
    actor = api_actor(request, scope="subscriptions:write")
    subscription = _subscription(actor, subscription_id)
    change = services.subscription_renew(actor=actor, subscription=subscription, **payload.dict())
    return Status(201, change_out(change, actor, subscription))


@subscriptions_router.post("/{subscription_id}/churn", response={201: ChangeOut},
                           operation_id="contracts_subscription_churn")
def subscription_churn(request: AuthedRequest, subscription_id: str, payload: ChurnIn) -> Status:
    """Cancel from ``effective_date`` with a reason."""
    actor = api_actor(request, scope="subscriptions:write")
    subscription = _subscription(actor, subscription_id)
    change = services.subscription_churn(actor=actor, subscription=subscription, **payload.dict())
    return Status(201, change_out(change, actor, subscription))


@subscriptions_router.post("/{subscription_id}/reactivate", response={201: ChangeOut},
                           operation_id="contracts_subscription_reactivate")
def subscription_reactivate(request: AuthedRequest, subscription_id: str, payload: ReactivateIn) -> Status:
    actor = api_actor(request, scope="subscriptions:write")
    subscription = _subscription(actor, subscription_id)
    change = services.subscription_reactivate(actor=actor, subscription=subscription, **payload.dict())
    return Status(201, change_out(change, actor, subscription))


# --- MRR -----------------------------------------------------------------------------------------


def _require_pricing_read(actor: Any) -> None:
    if not _pricing_readable(actor):
        raise PermissionDenied("MRR is in the pricing field group, which you may not read.")


def _mrr_out(figure: selectors.MrrFigure) -> dict[str, Any]:
    return {"on": figure.on, "currency": figure.currency, "mrr": figure.mrr, "arr": figure.arr,
            "by_currency": figure.by_currency}


@mrr_router.get("", response=MrrOut, operation_id="contracts_mrr_total")
def mrr_total(request: AuthedRequest, on: datetime.date | None = None) -> dict[str, Any]:
    """Total MRR/ARR of the visible subscriptions on a date (default today), in the workspace currency."""
    actor = api_actor(request, scope="subscriptions:read")
    _require_pricing_read(actor)
    return _mrr_out(selectors.mrr_total(actor=actor, on=on))


@mrr_router.get("/movements", response=MovementsOut, operation_id="contracts_mrr_movements")
def mrr_movements(request: AuthedRequest, start: datetime.date, end: datetime.date,
                  period: str = "month") -> dict[str, Any]:
    """New, expansion, contraction, churn and reactivation MRR per month, in the workspace currency."""
    actor = api_actor(request, scope="subscriptions:read")
    _require_pricing_read(actor)
    result = selectors.mrr_movements(actor=actor, start=start, end=end, period=period)
    return {"currency": result.currency, "start": result.start, "end": result.end, "totals": result.totals,
            "rows": [{"period": row.period, "opening": row.opening, "new": row.new, "expansion": row.expansion,
                      "contraction": row.contraction, "churn": row.churn, "reactivation": row.reactivation,
                      "net": row.net, "closing": row.closing} for row in result.rows]}


@account_mrr_router.get("/{account_id}/mrr", response=MrrOut, operation_id="contracts_account_mrr")
def account_mrr(request: AuthedRequest, account_id: str, on: datetime.date | None = None,
                include_children: bool = False) -> dict[str, Any]:
    """The account's MRR/ARR on a date (default today); ``include_children`` adds every visible account below."""
    actor = api_actor(request, scope="subscriptions:read")
    account = account_selectors.account_get(actor=actor, public_id=account_id)
    _require_pricing_read(actor)
    return _mrr_out(selectors.account_mrr(actor=actor, account=account, on=on, include_children=include_children))


