"""Revenue pages: the revenue overview (MRR/ARR and movements with a bar chart), subscriptions (new, detail with
history, amend, renew, cancel, reactivate), the catalog and exchange rates."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.access.choices import Action
from tandem.access.decide import can, field_access
from tandem.accounts import selectors as account_selectors
from tandem.api.pagination import paginate
from tandem.contracts import logic, selectors, services
from tandem.contracts.choices import ProductKind
from tandem.contracts.forms import (
    AmendForm,
    ChurnForm,
    ExchangeRateForm,
    MovementsForm,
    PriceForm,
    ProductForm,
    ReactivateForm,
    RenewForm,
    SubscriptionForm,
    VersionForm,
)
from tandem.contracts.models import Subscription
from tandem.core.exceptions import Conflict, DomainError, NotFound, PermissionDenied
from tandem.core.forms import add_domain_errors
from tandem.identity.requests import AuthedRequest


def _form_error(form: Any, error: DomainError) -> None:
    """A stale version is about the whole form (its field is hidden): show it at the top. A refused field group
    shows its message (which names the group) at the top as well as beside the fields."""
    if isinstance(error, Conflict):
        form.add_error(None, error.message)
    else:
        if isinstance(error, PermissionDenied) and error.errors:
            form.add_error(None, error.message)
        add_domain_errors(form, error)


def _pricing_sent(request: AuthedRequest, current: dict[str, Any]) -> dict[str, Any]:
    """Prices posted by someone whose pricing inputs are disabled (the browser does not send those): the form
    would drop them silently, so they go to the service, which refuses them naming the “pricing” field group.
    ``current`` holds the values that count as unchanged."""
    sent: dict[str, Any] = {}
    for name, value in current.items():
        raw = request.POST.get(name, "").strip()
        if not raw:
            continue
        try:
            number: Any = Decimal(raw)
        except InvalidOperation:
            number = raw
        if number != value:
            sent[name] = number
    return sent


def _pricing(actor: Any) -> tuple[bool, bool]:
    access = field_access(actor, "subscription", "pricing")
    return access.can_read, access.can_write


def _subscription_or_404(request: AuthedRequest, public_id: str) -> Subscription:
    try:
        return selectors.subscription_get(actor=request.user, public_id=public_id)
    except NotFound:
        raise Http404 from None


@login_required
def revenue(request: AuthedRequest) -> HttpResponse:
    """Total MRR/ARR today and the movements by month (last 12 months by default)."""
    actor = request.user
    if not can(actor, Action.VIEW, resource="subscription"):
        raise Http404
    can_read, _can_write = _pricing(actor)
    today = selectors.today()
    default_start = logic.add_months(logic.month_start(today), -11)
    form = MovementsForm(request.GET or None, initial={"start": default_start, "end": today})
    start, end = default_start, today
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    context: dict[str, Any] = {"form": form, "can_read_pricing": can_read, "nav_active": "revenue",
                               "can_change_catalog": can(actor, Action.CHANGE, resource="catalog")}
    if can_read:
        try:
            context["total"] = selectors.mrr_total(actor=actor, on=today)
            movements = selectors.mrr_movements(actor=actor, start=start, end=end)
            context["movements"] = movements
            context["chart"] = logic.movement_chart(movements.rows)
        except DomainError as error:
            context["error"] = error.message
    subscriptions = selectors.subscription_list(actor=actor, filters=selectors.SubscriptionFilters(
        status=request.GET.get("status", ""), search=request.GET.get("q", "").strip()))
    try:
        page = paginate(subscriptions, ordering=("-start_date", "-id"), limit=50, cursor=request.GET.get("cursor"))
    except DomainError:
        raise Http404 from None
    context["page"] = page
    return render(request, "contracts/revenue.html", context)


@login_required
def subscription_create(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    try:
        account = account_selectors.account_get(actor=actor, public_id=request.GET.get("account", ""))
    except NotFound:
        raise Http404 from None
    if not can(actor, Action.CREATE, resource="subscription"):
        raise Http404
    _can_read, can_write = _pricing(actor)
    plans = list(selectors.active_plans(actor=actor))
    add_ons = list(selectors.product_list(actor=actor, kind=ProductKind.ADD_ON, active=True))
    form = SubscriptionForm(request.POST or None, plans=plans, add_ons=add_ons, can_write_pricing=can_write,
                            initial={"currency": account.currency or selectors.workspace_currency(),
                                     "start_date": selectors.today()})
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        prices: dict[str, Any] = {"unit_price": data.get("unit_price"),
                                  "discount_percent": data.get("discount_percent") or 0}
        if not can_write:  # the price book's price unless a price is sent anyway (refused)
            prices.update(_pricing_sent(request, {"unit_price": None, "discount_percent": Decimal(0)}))
        try:
            subscription = services.subscription_create(
                actor=actor, account=account, plan=_plan(plans, data["plan"]), currency=data["currency"].upper(),
                seats=data["seats"], start_date=data["start_date"], term_months=data["term_months"],
                add_ons=[{"product": code, "quantity": 1} for code in data["add_ons"]],
                auto_renew=data["auto_renew"], **prices)
        except DomainError as error:
            _form_error(form, error)
            status = 403 if isinstance(error, PermissionDenied) else 200
        else:
            messages.success(request, _("Subscription added."))
            return redirect("contracts:subscription-detail", subscription.public_id)
    return render(request, "contracts/subscription_form.html", {"form": form, "account": account,
                                                                "nav_active": "revenue"}, status=status)


def _plan(plans: list[Any], code: str) -> Any:
    return next((plan for plan in plans if plan.code == code), None)


@login_required
def subscription_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    subscription = _subscription_or_404(request, public_id)
    return _detail(request, subscription)


def _detail(request: AuthedRequest, subscription: Subscription, *, amend: AmendForm | None = None,
            renew: RenewForm | None = None, churn: ChurnForm | None = None, status: int = 200) -> HttpResponse:
    actor = request.user
    can_read, can_write = _pricing(actor)
    can_change = can(actor, Action.CHANGE, subscription)
    plans = list(selectors.active_plans(actor=actor))
    if subscription.plan not in plans:
        plans.append(subscription.plan)
    add_ons = list(selectors.product_list(actor=actor, kind=ProductKind.ADD_ON))
    lines = list(subscription.add_ons.select_related("product"))
    today = selectors.today()
    initial = {"version": subscription.version, "effective_date": today}
    amend = amend or AmendForm(plans=plans, add_ons=add_ons, can_write_pricing=can_write, initial={
        **initial, "plan": subscription.plan.code, "seats": subscription.seats,
        "unit_price": subscription.unit_price, "discount_percent": subscription.discount_percent,
        "add_ons": [line.product.code for line in lines]})
    if not can_read:
        for name in ("unit_price", "discount_percent"):
            amend.fields.pop(name, None)
    context = {
        "subscription": subscription, "lines": lines, "can_read_pricing": can_read, "can_write_pricing": can_write,
        "can_change": can_change, "nav_active": "revenue",
        "changes": list(selectors.subscription_changes(actor=actor, subscription=subscription)[:100]),
        "amend_form": amend,
        "renew_form": renew or RenewForm(initial={**initial, "effective_date": subscription.end_date,
                                                  "term_months": subscription.term_months}),
        "churn_form": churn or ChurnForm(initial=initial),
        "reactivate_form": ReactivateForm(initial=initial),
    }
    return render(request, "contracts/subscription_detail.html", context, status=status)


@login_required
@require_POST
def subscription_amend(request: AuthedRequest, public_id: str) -> HttpResponse:
    subscription = _subscription_or_404(request, public_id)
    actor = request.user
    _can_read, can_write = _pricing(actor)
    plans = list(selectors.active_plans(actor=actor))
    if subscription.plan not in plans:
        plans.append(subscription.plan)
    add_ons = list(selectors.product_list(actor=actor, kind=ProductKind.ADD_ON))
    lines = list(subscription.add_ons.select_related("product"))
    form = AmendForm(request.POST, plans=plans, add_ons=add_ons, can_write_pricing=can_write, initial={
        "unit_price": subscription.unit_price, "discount_percent": subscription.discount_percent})
    if form.is_valid():
        data = form.cleaned_data
        current_codes = sorted(line.product.code for line in lines)
        new_plan = _plan(plans, data["plan"])
        changes: dict[str, Any] = {
            "seats": data["seats"] if data["seats"] != subscription.seats else None,
            "plan": new_plan if new_plan is not None and new_plan.pk != subscription.plan_id else None,
            "add_ons": ([{"product": code, "quantity": next((line.quantity for line in lines
                                                             if line.product.code == code), 1)}
                         for code in data["add_ons"]] if sorted(data["add_ons"]) != current_codes else None),
        }
        if can_write:
            if data["unit_price"] != subscription.unit_price and not changes["plan"]:
                changes["unit_price"] = data["unit_price"]
            if data["discount_percent"] != subscription.discount_percent:
                changes["discount_percent"] = data["discount_percent"]
        else:
            changes.update(_pricing_sent(request, {"unit_price": subscription.unit_price,
                                                   "discount_percent": subscription.discount_percent}))
        try:
            services.subscription_amend(actor=actor, subscription=subscription, version=data["version"],
                                        effective_date=data["effective_date"], reason=data["reason"], **changes)
        except DomainError as error:
            _form_error(form, error)
            status = 403 if isinstance(error, PermissionDenied) else 422
        else:
            messages.success(request, _("Subscription changed."))
            return redirect("contracts:subscription-detail", subscription.public_id)
    else:
        status = 422
    return _detail(request, subscription, amend=form, status=status)


@login_required
@require_POST
def subscription_renew(request: AuthedRequest, public_id: str) -> HttpResponse:
    subscription = _subscription_or_404(request, public_id)
    form = RenewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.subscription_renew(actor=request.user, subscription=subscription, version=data["version"],
                                        effective_date=data["effective_date"], term_months=data["term_months"],
                                        unit_price=data["unit_price"], discount_percent=data["discount_percent"])
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Subscription renewed."))
            return redirect("contracts:subscription-detail", subscription.public_id)
    return _detail(request, subscription, renew=form, status=422)


@login_required
@require_POST
def subscription_churn(request: AuthedRequest, public_id: str) -> HttpResponse:
    subscription = _subscription_or_404(request, public_id)
    form = ChurnForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.subscription_churn(actor=request.user, subscription=subscription, version=data["version"],
                                        effective_date=data["effective_date"], reason=data["reason"])
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Subscription cancelled."))
            return redirect("contracts:subscription-detail", subscription.public_id)
    return _detail(request, subscription, churn=form, status=422)


@login_required
@require_POST
def subscription_reactivate(request: AuthedRequest, public_id: str) -> HttpResponse:
    subscription = _subscription_or_404(request, public_id)
    form = ReactivateForm(request.POST)
    if form.is_valid():
        try:
            services.subscription_reactivate(actor=request.user, subscription=subscription,
                                             version=form.cleaned_data["version"],
                                             effective_date=form.cleaned_data["effective_date"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Subscription reactivated."))
    return redirect("contracts:subscription-detail", subscription.public_id)


@login_required
def catalog(request: AuthedRequest) -> HttpResponse:
    """Products, the default price book's versions with their prices, and forms for those who may change them."""
    actor = request.user
    if not can(actor, Action.VIEW, resource="catalog"):
        raise Http404
    can_change = can(actor, Action.CHANGE, resource="catalog")
    products = list(selectors.product_list(actor=actor))
    books = list(selectors.price_book_list(actor=actor))
    product_form = ProductForm(prefix="product")
    version_form = VersionForm(prefix="version")
    price_form = PriceForm(prefix="price", products=products)
    book = next((item for item in books if item.is_default), books[0] if books else None)
    if request.method == "POST":
        if not can_change:
            raise Http404
        try:
            if "product-name" in request.POST:
                product_form = ProductForm(request.POST, prefix="product")
                if product_form.is_valid():
                    services.product_create(actor=actor, **product_form.cleaned_data)
                    return redirect("contracts:catalog")
            elif "version-effective_from" in request.POST:
                version_form = VersionForm(request.POST, prefix="version")
                if version_form.is_valid():
                    if book is None:
                        book = services.price_book_create(actor=actor, name=_("List prices"), is_default=True)
                    services.price_book_version_create(actor=actor, price_book=book, **version_form.cleaned_data)
                    return redirect("contracts:catalog")
            elif "price-product" in request.POST and book is not None:
                price_form = PriceForm(request.POST, prefix="price", products=products)
                version = selectors.price_book_versions(actor=actor, price_book=book).first()
                if price_form.is_valid() and version is not None:
                    data = price_form.cleaned_data
                    product = next(item for item in products if item.code == data["product"])
                    services.price_set(actor=actor, version=version, product=product, currency=data["currency"],
                                       amount=data["amount"], pricing_model=data["pricing_model"])
                    return redirect("contracts:catalog")
        except DomainError as error:
            messages.error(request, error.message)
    versions = []
    if book is not None:
        versions = [(version, list(selectors.version_prices(actor=actor, version=version)))
                    for version in selectors.price_book_versions(actor=actor, price_book=book)[:12]]
    return render(request, "contracts/catalog.html", {
        "products": products, "book": book, "versions": versions, "can_change": can_change,
        "product_form": product_form, "version_form": version_form, "price_form": price_form,
        "nav_active": "revenue"})


@login_required
def exchange_rates(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    if not can(actor, Action.VIEW, resource="catalog"):
        raise Http404
    can_change = can(actor, Action.CHANGE, resource="catalog")
    form = ExchangeRateForm(request.POST or None, initial={"valid_from": datetime.date.today()})
    if request.method == "POST":
        if not can_change:
            raise Http404
        if form.is_valid():
            try:
                services.exchange_rate_set(actor=actor, **form.cleaned_data)
            except DomainError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Exchange rate saved."))
                return redirect("contracts:exchange-rates")
    return render(request, "contracts/exchange_rates.html", {
        "rates": list(selectors.exchange_rate_list(actor=actor)[:500]), "form": form, "can_change": can_change,
        "workspace_currency": selectors.workspace_currency(), "nav_active": "revenue"})
