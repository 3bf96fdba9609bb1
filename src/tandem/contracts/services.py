"""Writes for the catalog, exchange rates and subscriptions: authorise → validate → write → audit → timeline.

Every change of a subscription is a dated ``SubscriptionChange`` row with the resulting terms and MRR; the
subscription row holds the latest terms and a ``version`` that each change increments (optimistic locking:
a caller holding an older version gets Conflict). After each write the movements of the account's changes are
replayed (``logic.classify_history``) so new / expansion / contraction / churn / reactivation stay right even
when a change is dated before a sibling subscription's later changes."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.access.choices import Action
from tandem.access.decide import can, field_access
from tandem.accounts.models import Account
from tandem.audit.models import AuditAction
from tandem.audit.services import audit_created, audit_record, diff
from tandem.contracts import logic, selectors
from tandem.contracts.choices import ChangeKind, PricingModel, ProductKind, SubscriptionStatus
from tandem.contracts.models import (
    ExchangeRate,
    Price,
    PriceBook,
    PriceBookVersion,
    Product,
    Subscription,
    SubscriptionAddOn,
    SubscriptionChange,
)
from tandem.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from tandem.timeline.choices import ActivityType
from tandem.timeline.services import record_system_activity

MAX_TERM_MONTHS = 120
MAX_SEATS = 1_000_000
AUDIT_FIELDS = ("plan", "currency", "seats", "pricing_model", "unit_price", "discount_percent", "term_months",
                "start_date", "end_date", "auto_renew", "status", "mrr", "external_id")


def _user(actor: Any) -> Any:
    return None if getattr(actor, "is_system", False) or getattr(actor, "pk", None) is None else actor


def _fail(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors={field: [message]})


# --- catalog -------------------------------------------------------------------------------------


def _require_catalog_change(actor: Any) -> None:
    if not can(actor, Action.CHANGE, resource="catalog"):
        raise PermissionDenied(_("You may not change the product catalog."))


def product_create(*, actor: Any, name: str, code: str, kind: str = ProductKind.PLAN, description: str = "",
                   active: bool = True) -> Product:
    _require_catalog_change(actor)
    product = Product(name=name.strip(), code=code.strip().lower(), kind=kind, description=description,
                      active=active)
    _validate_product(product)
    with transaction.atomic():
        product.save()
        audit_created(actor=actor, obj=product, fields=("name", "code", "kind", "active"))
    return product


def _validate_product(product: Product) -> None:
    errors: dict[str, list[str]] = {}
    if not product.name:
        errors["name"] = [_("Give the product a name.")]
    if not product.code or not all(ch.isalnum() or ch in "-_" for ch in product.code):
        errors["code"] = [_("Use letters, digits, - and _ for the code (e.g. growth).")]
    elif Product.objects.filter(code=product.code).exclude(pk=product.pk).exists():
        errors["code"] = [_("Another product already has the code %(code)s.") % {"code": product.code}]
    if product.kind not in ProductKind.values:
        errors["kind"] = [_("Choose plan or add-on.")]
    if errors:
        raise ValidationFailed(_("The product is invalid."), errors=errors)


def product_update(*, actor: Any, product: Product, **changes: Any) -> Product:
    _require_catalog_change(actor)
    allowed = {"name", "description", "active"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationFailed(_("Unknown fields."), errors={name: [_("Unknown field.")] for name in unknown})
    before = {name: getattr(product, name) for name in allowed}
    for name, value in changes.items():
        setattr(product, name, value.strip() if isinstance(value, str) and name == "name" else value)
    _validate_product(product)
    with transaction.atomic():
        product.save()
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=product,
                     changes=diff(before, {name: getattr(product, name) for name in allowed}))
    return product


def price_book_create(*, actor: Any, name: str, is_default: bool = False) -> PriceBook:
    _require_catalog_change(actor)
    if not name.strip():
        raise _fail("name", _("Give the price book a name."))
    with transaction.atomic():
        if is_default:
            PriceBook.objects.filter(is_default=True).update(is_default=False)
        book = PriceBook.objects.create(name=name.strip(), is_default=is_default)
        audit_created(actor=actor, obj=book, fields=("name", "is_default"))
    return book


def _currency(value: str, field: str = "currency") -> str:
    code = (value or "").strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise _fail(field, _("Use a three-letter ISO currency code (e.g. EUR)."))
    return code


def _decimal(value: Any, field: str, *, minimum: Decimal | None = Decimal(0),
             maximum: Decimal | None = None) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise _fail(field, _("Not a number: %(value)s") % {"value": value}) from None
    if not number.is_finite():
        raise _fail(field, _("Not a number: %(value)s") % {"value": value})
    if minimum is not None and number < minimum:
        raise _fail(field, _("Must be at least %(minimum)s.") % {"minimum": minimum})
    if maximum is not None and number > maximum:
        raise _fail(field, _("Must be at most %(maximum)s.") % {"maximum": maximum})
    return number


def price_book_version_create(*, actor: Any, price_book: PriceBook, effective_from: datetime.date, note: str = "",
                              prices: Iterable[Mapping[str, Any]] = ()) -> PriceBookVersion:
    """A new dated version of ``price_book`` with its prices: ``{"product": Product, "currency", "amount",
    "pricing_model"}``. Existing subscriptions keep the unit prices they carry."""
    _require_catalog_change(actor)
    if PriceBookVersion.objects.filter(price_book=price_book, effective_from=effective_from).exists():
        raise _fail("effective_from", _("This price book already has a version starting on %(date)s.")
                    % {"date": effective_from.isoformat()})
    with transaction.atomic():
        version = PriceBookVersion.objects.create(price_book=price_book, effective_from=effective_from,
                                                  note=note.strip()[:200])
        audit_created(actor=actor, obj=version, fields=("price_book", "effective_from", "note"))
        for row in prices:
            price_set(actor=actor, version=version, **row)
    return version


def price_set(*, actor: Any, version: PriceBookVersion, product: Product, currency: str, amount: Any,
              pricing_model: str = PricingModel.PER_SEAT) -> Price:
    """Set (add or change) the price of ``product`` in ``currency`` in ``version``."""
    _require_catalog_change(actor)
    currency = _currency(currency)
    amount = _decimal(amount, "amount")
    if pricing_model not in PricingModel.values:
        raise _fail("pricing_model", _("Choose per seat or flat."))
    with transaction.atomic():
        price, created = Price.objects.get_or_create(
            version=version, product=product, currency=currency,
            defaults={"amount": amount, "pricing_model": pricing_model})
        if created:
            audit_created(actor=actor, obj=price, fields=("product", "currency", "amount", "pricing_model"))
        else:
            before = {"amount": price.amount, "pricing_model": price.pricing_model}
            price.amount, price.pricing_model = amount, pricing_model
            price.save(update_fields=["amount", "pricing_model"])
            audit_record(actor=actor, action=AuditAction.CHANGE, obj=price,
                         changes=diff(before, {"amount": amount, "pricing_model": pricing_model}))
    return price


def exchange_rate_set(*, actor: Any, currency: str, valid_from: datetime.date, rate: Any) -> ExchangeRate:
    """Set the rate of one unit of ``currency`` in the workspace currency from ``valid_from`` on."""
    _require_catalog_change(actor)
    currency = _currency(currency)
    if currency == selectors.workspace_currency():
        raise _fail("currency", _("%(currency)s is the workspace currency; it needs no rate.")
                    % {"currency": currency})
    value = _decimal(rate, "rate")
    if value <= 0:
        raise _fail("rate", _("A rate must be greater than zero."))
    with transaction.atomic():
        row, created = ExchangeRate.objects.get_or_create(currency=currency, valid_from=valid_from,
                                                          defaults={"rate": value})
        if created:
            audit_created(actor=actor, obj=row, fields=("currency", "valid_from", "rate"))
        elif row.rate != value:
            before = row.rate
            row.rate = value
            row.save(update_fields=["rate"])
            audit_record(actor=actor, action=AuditAction.CHANGE, obj=row, changes={"rate": [str(before),
                                                                                            str(value)]})
    return row


def exchange_rate_delete(*, actor: Any, rate: ExchangeRate) -> None:
    _require_catalog_change(actor)
    with transaction.atomic():
        audit_record(actor=actor, action=AuditAction.DELETE, obj=rate,
                     changes={"rate": [str(rate.rate), None]}, summary=str(rate))
        rate.delete()


# --- subscriptions: validation helpers -----------------------------------------------------------


def _require_pricing(actor: Any, fields: list[str]) -> None:
    """A CSM (or anyone without write on the ``pricing`` field group) sending a price, discount or term."""
    if fields and not field_access(actor, "subscription", "pricing").can_write:
        raise PermissionDenied(
            _("Prices, discounts and contract terms are in the “pricing” field group, which you may read but not "
              "change; ask the account manager. (Refused: %(fields)s)")
            % {"fields": ", ".join(sorted(str(_pricing_label(name)) for name in fields))},
            errors={name: [_("You may not change the pricing field group.")] for name in fields})


def _pricing_label(name: str) -> Any:
    """The label a person reads for a refused field (``unit_price`` → "unit price")."""
    extra = {"add_ons": _("add-on prices"), "cancel": _("cancelling the contract")}
    if name in extra:
        return extra[name]
    try:
        return getattr(Subscription._meta.get_field(name), "verbose_name", name)
    except FieldDoesNotExist:
        return name.replace("_", " ")


def _check_plan(plan: Any) -> Product:
    if not isinstance(plan, Product) or plan.pk is None or plan.kind != ProductKind.PLAN:
        raise _fail("plan", _("This plan is not in the catalog."))
    if not plan.active:
        raise _fail("plan", _("The plan %(plan)s is no longer sold (inactive in the catalog).") % {"plan": plan})
    return plan


def _check_seats(seats: Any) -> int:
    if isinstance(seats, bool) or not isinstance(seats, int):
        raise _fail("seats", _("Seats must be a whole number."))
    if seats < 0:
        raise _fail("seats", _("Seats cannot be negative (got %(seats)s).") % {"seats": seats})
    if seats == 0:
        raise _fail("seats", _("A subscription needs at least one seat; cancel it to end it."))
    if seats > MAX_SEATS:
        raise _fail("seats", _("At most %(limit)s seats.") % {"limit": MAX_SEATS})
    return seats


def _check_term(term_months: Any) -> int:
    if isinstance(term_months, bool) or not isinstance(term_months, int) or not 1 <= term_months <= MAX_TERM_MONTHS:
        raise _fail("term_months", _("The term is a whole number of months from 1 to %(limit)s.")
                    % {"limit": MAX_TERM_MONTHS})
    return term_months


def _check_discount(value: Any) -> Decimal:
    return _decimal(value, "discount_percent", minimum=Decimal(0), maximum=Decimal(100))


def _check_rate(currency: str, on: datetime.date) -> None:
    if selectors.rate_table().rate(currency, on) is None:
        raise selectors.missing_rate_error(logic.MissingRate(currency, on))


def _check_overlap(*, account: Account, plan: Product, start: datetime.date, end: datetime.date,
                   exclude: Subscription | None = None) -> None:
    others = Subscription.objects.filter(account=account, plan=plan, start_date__lte=end, end_date__gte=start)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    for other in others:
        other_end = other.ended_on - datetime.timedelta(days=1) if other.ended_on else other.end_date
        if other_end >= start and other.start_date <= end:
            message = (_("%(account)s already has a %(plan)s subscription from %(start)s to %(end)s, which overlaps "
                         "these dates; amend or renew that one instead.")
                       % {"account": account, "plan": plan, "start": other.start_date.isoformat(),
                          "end": other_end.isoformat()})
            raise ValidationFailed(message, errors={"start_date": [message]})


def _resolve_product(value: Any, field: str) -> Product:
    if isinstance(value, Product):
        product = value
    else:
        product = Product.objects.filter(code=str(value or "").strip()).first()  # type: ignore[assignment]
        if product is None:
            raise _fail(field, _("%(item)s is not in the catalog.") % {"item": value})
    if product.kind != ProductKind.ADD_ON:
        raise _fail(field, _("%(item)s is not an add-on.") % {"item": product})
    return product


def _add_on_lines(*, actor: Any, add_ons: Iterable[Any], currency: str, on: datetime.date,
                  current: Mapping[int, SubscriptionAddOn]) -> tuple[list[SubscriptionAddOn], list[str]]:
    """Add-on lines from ``{"product", "quantity", "unit_price"?}`` (or (product, quantity[, unit_price])): a
    line without a unit price keeps the subscription's price for that add-on, or takes the catalog's. Returns the
    lines and the pricing fields that were sent (for the field-group check)."""
    lines: list[SubscriptionAddOn] = []
    priced: list[str] = []
    seen: set[int] = set()
    for index, raw in enumerate(add_ons):
        field = f"add_ons.{index}"
        if isinstance(raw, Mapping):
            product_value, quantity, unit_price = raw.get("product"), raw.get("quantity", 1), raw.get("unit_price")
        else:
            product_value, quantity, unit_price = (list(raw) + [None])[:3]
        product = _resolve_product(product_value, f"{field}.product")
        if product.pk in seen:
            raise _fail(f"{field}.product", _("%(item)s is listed twice.") % {"item": product})
        seen.add(product.pk)
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise _fail(f"{field}.quantity", _("The quantity of an add-on is a whole number of at least 1."))
        existing = current.get(product.pk)
        if unit_price is not None:
            price = _decimal(unit_price, f"{field}.unit_price")
            model = existing.pricing_model if existing else PricingModel.FLAT
            catalog = selectors.catalog_price(product=product, currency=currency, on=on)
            if catalog is not None and existing is None:
                model = catalog.pricing_model
            if existing is None or existing.unit_price != price:
                priced.append("add_ons")
        elif existing is not None:
            price, model = existing.unit_price, existing.pricing_model
        else:
            catalog = selectors.catalog_price(product=product, currency=currency, on=on)
            if catalog is None:
                raise _fail(f"{field}.unit_price",
                            _("The price book has no %(currency)s price for %(item)s on %(date)s; give a unit price.")
                            % {"currency": currency, "item": product, "date": on.isoformat()})
            price, model = catalog.amount, catalog.pricing_model
        lines.append(SubscriptionAddOn(product=product, quantity=quantity, unit_price=price, pricing_model=model))
    return lines, priced


def _terms(subscription: Subscription, add_ons: Iterable[SubscriptionAddOn], status: str | None = None) -> logic.Terms:
    return logic.Terms(
        plan=subscription.plan.code, seats=subscription.seats, unit_price=subscription.unit_price,
        pricing_model=subscription.pricing_model, discount_percent=subscription.discount_percent,
        add_ons=tuple(logic.AddOnLine(line.product.code, line.quantity, line.unit_price, line.pricing_model)
                      for line in add_ons),
        status=status or subscription.status)


def _state(subscription: Subscription, add_ons: Iterable[SubscriptionAddOn]) -> dict[str, Any]:
    return {
        "plan": subscription.plan.code, "plan_name": subscription.plan.name, "seats": subscription.seats,
        "pricing_model": subscription.pricing_model, "unit_price": str(subscription.unit_price),
        "discount_percent": str(subscription.discount_percent), "term_months": subscription.term_months,
        "start_date": subscription.start_date.isoformat(), "end_date": subscription.end_date.isoformat(),
        "auto_renew": subscription.auto_renew, "status": subscription.status,
        "add_ons": [{"product": line.product.code, "name": line.product.name, "quantity": line.quantity,
                     "unit_price": str(line.unit_price), "pricing_model": line.pricing_model} for line in add_ons],
    }


def _snapshot(subscription: Subscription, add_ons: Iterable[SubscriptionAddOn]) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(subscription, name) for name in AUDIT_FIELDS}
    values["plan"] = subscription.plan.code
    values["add_ons"] = ", ".join(f"{line.product.code} × {line.quantity} @ {line.unit_price}" for line in add_ons)
    return values


def reclassify_account(account_id: int) -> None:
    """Replay the account's changes in date order and store each one's MRR delta and movement."""
    rows = list(SubscriptionChange.objects.filter(account_id=account_id)
                .values_list("pk", "subscription_id", "effective_date", "mrr", "mrr_delta", "movement"))
    stored = {pk: (delta, movement) for pk, _sub, _date, _mrr, delta, movement in rows}
    points = [logic.ChangePoint(pk, subscription, effective_date, mrr)
              for pk, subscription, effective_date, mrr, _delta, _movement in rows]
    changed = []
    for item in logic.classify_history(points):
        if stored[item.key] != (item.mrr_delta, item.movement):
            changed.append(SubscriptionChange(pk=item.key, mrr_delta=item.mrr_delta, movement=item.movement))
    if changed:
        SubscriptionChange.objects.bulk_update(changed, ["mrr_delta", "movement"], batch_size=500)


def _locked(subscription: Subscription, version: int | None) -> Subscription:
    """The subscription's row, locked; Conflict when it changed since the caller read ``version``."""
    expected = subscription.version if version is None else version
    current = Subscription.objects.select_for_update().select_related("plan", "account").get(pk=subscription.pk)
    if current.version != expected:
        raise Conflict(_("Someone else changed this subscription meanwhile (version %(current)s, you had "
                         "%(expected)s); reload it and make your change again.")
                       % {"current": current.version, "expected": expected},
                       errors={"version": [_("Stale version; reload.")]})
    return current


def _check_change_date(subscription: Subscription, effective_date: datetime.date) -> None:
    if effective_date < subscription.start_date:
        raise _fail("effective_date", _("The change takes effect before the subscription starts (%(start)s).")
                    % {"start": subscription.start_date.isoformat()})
    last = subscription.changes.order_by("-effective_date", "-id").first()
    if last is not None and effective_date < last.effective_date:
        raise _fail("effective_date", _("A change must take effect on or after the last one (%(date)s).")
                    % {"date": last.effective_date.isoformat()})


SENTENCES = {
    "subscription_created": gettext_lazy("Subscription %(plan)s started"),
    "subscription_amended": gettext_lazy("Subscription %(plan)s changed: %(kind)s"),
    "subscription_renewed": gettext_lazy("Subscription %(plan)s renewed until %(end)s"),
    "subscription_churned": gettext_lazy("Subscription %(plan)s cancelled"),
    "subscription_reactivated": gettext_lazy("Subscription %(plan)s reactivated"),
    "subscription_expired": gettext_lazy("Subscription %(plan)s expired"),
}
EVENTS = {ChangeKind.CREATED: "subscription_created", ChangeKind.RENEWAL: "subscription_renewed",
          ChangeKind.CHURN: "subscription_churned", ChangeKind.REACTIVATION: "subscription_reactivated",
          ChangeKind.EXPIRY: "subscription_expired"}


def _record(*, actor: Any, subscription: Subscription, add_ons: list[SubscriptionAddOn], kind: str,
            effective_date: datetime.date, before: dict[str, Any] | None, reason: str = "",
            opportunity_ref: str = "") -> SubscriptionChange:
    """Write the change row, refresh the account's movements, audit it and put it on the timeline (inside the
    caller's transaction)."""
    subscription.mrr = logic.mrr_of(_terms(subscription, add_ons))
    subscription.version = (subscription.version or 0) + (0 if before is None else 1)
    subscription.save()
    if before is not None:
        subscription.add_ons.all().delete()
    for line in add_ons:
        line.pk = None
        line.subscription = subscription
    SubscriptionAddOn.objects.bulk_create(add_ons)
    change = SubscriptionChange.objects.create(
        subscription=subscription, account_id=subscription.account_id, kind=kind, effective_date=effective_date,
        currency=subscription.currency, mrr=subscription.mrr, mrr_delta=Decimal(0), state=_state(subscription,
                                                                                                  add_ons),
        reason=reason.strip()[:500], opportunity_ref=opportunity_ref.strip()[:100], created_by=_user(actor))
    reclassify_account(subscription.account_id)
    change.refresh_from_db(fields=["mrr_delta", "movement"])
    after = _snapshot(subscription, add_ons)
    summary = f"{ChangeKind(kind).label} · {effective_date.isoformat()}"
    if before is None:
        audit_record(actor=actor, action=AuditAction.CREATE, obj=subscription,
                     changes=diff({}, {name: value for name, value in after.items() if value not in (None, "")}),
                     summary=summary)
    else:
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=subscription, changes=diff(before, after),
                     summary=summary)
    event = EVENTS.get(kind, "subscription_amended")  # type: ignore[call-overload]
    subject = str(SENTENCES[event]) % {"plan": subscription.plan.name, "kind": ChangeKind(kind).label,
                                     "end": subscription.end_date.isoformat()}
    # A change dated in the past (an import, a late entry) sits on the timeline at its date, not today.
    occurred_at = None
    if effective_date < timezone.localdate():
        occurred_at = datetime.datetime.combine(effective_date, datetime.time(9), tzinfo=datetime.UTC)
    record_system_activity(actor=actor, account=subscription.account, type=ActivityType.SYSTEM_EVENT,
                           subject=subject, source=change, occurred_at=occurred_at,
                           payload={"event": event, "subscription": subscription.public_id,
                                    "plan": subscription.plan.name, "kind": kind, "seats": subscription.seats,
                                    "seats_before": before.get("seats") if before else None,
                                    "effective_date": effective_date.isoformat(),
                                    "end_date": subscription.end_date.isoformat()})
    return change


# --- subscriptions: services ----------------------------------------------------------------------


def subscription_create(*, actor: Any, account: Account, plan: Product, currency: str, seats: int,
                        start_date: datetime.date, term_months: int, unit_price: Any = None,
                        discount_percent: Any = Decimal(0), add_ons: Iterable[Any] = (), auto_renew: bool = True,
                        external_id: str = "", opportunity_ref: str = "",
                        end_date: datetime.date | None = None) -> Subscription:
    """A new subscription of ``account`` to ``plan`` from ``start_date`` for ``term_months``. Without a unit
    price the default price book's price on the start date is used; giving one (or a discount) needs write on the
    ``pricing`` field group. ``end_date`` overrides the end the term gives (imports of contracts with odd
    ends); it may not be before the start."""
    if not can(actor, Action.VIEW, account):
        raise NotFound(_("No such account."))
    if not can(actor, Action.CREATE, resource="subscription"):
        raise PermissionDenied(_("You may not create subscriptions."))
    pricing_fields = [name for name, value in (("unit_price", unit_price),) if value is not None]
    discount = _check_discount(discount_percent)
    if discount:
        pricing_fields.append("discount_percent")
    _require_pricing(actor, pricing_fields)
    plan = _check_plan(plan)
    currency = _currency(currency)
    seats = _check_seats(seats)
    term_months = _check_term(term_months)
    if end_date is not None and end_date < start_date:
        raise _fail("end_date", _("The end date (%(end)s) is before the start date (%(start)s).")
                    % {"end": end_date.isoformat(), "start": start_date.isoformat()})
    end_date = end_date or logic.term_end(start_date, term_months)
    _check_rate(currency, start_date)
    version = selectors.default_version(on=start_date)
    if unit_price is None:
        price = selectors.catalog_price(product=plan, currency=currency, on=start_date)
        if price is None:
            raise _fail("unit_price", _("The price book has no %(currency)s price for %(plan)s on %(date)s; give a "
                                        "unit price.") % {"currency": currency, "plan": plan,
                                                         "date": start_date.isoformat()})
        price_value, model = price.amount, price.pricing_model
    else:
        price_value = _decimal(unit_price, "unit_price")
        catalog = selectors.catalog_price(product=plan, currency=currency, on=start_date)
        model = catalog.pricing_model if catalog else PricingModel.PER_SEAT
    lines, priced = _add_on_lines(actor=actor, add_ons=add_ons, currency=currency, on=start_date, current={})
    _require_pricing(actor, priced)
    subscription = Subscription(account=account, plan=plan, currency=currency, seats=seats, pricing_model=model,
                                unit_price=price_value, discount_percent=discount, term_months=term_months,
                                start_date=start_date, end_date=end_date, auto_renew=auto_renew,
                                price_book_version=version, external_id=external_id.strip()[:100],
                                created_by=_user(actor), version=1)
    with transaction.atomic():
        Account.objects.select_for_update().filter(pk=account.pk).first()  # serialise overlap checks per account
        _check_overlap(account=account, plan=plan, start=start_date, end=end_date)
        if subscription.external_id and Subscription.objects.filter(external_id=subscription.external_id).exists():
            raise Conflict(_("A subscription with this external id already exists."),
                           errors={"external_id": [_("Already in use.")]})
        try:
            with transaction.atomic():
                _record(actor=actor, subscription=subscription, add_ons=lines, kind=ChangeKind.CREATED,
                        effective_date=start_date, before=None, opportunity_ref=opportunity_ref)
        except IntegrityError:
            raise Conflict(_("A subscription with this external id already exists."),
                           errors={"external_id": [_("Already in use.")]}) from None
    return subscription


def _require_change(actor: Any, subscription: Subscription) -> None:
    if not can(actor, Action.VIEW, subscription):
        raise NotFound(_("No such subscription."))
    if not can(actor, Action.CHANGE, subscription):
        raise PermissionDenied(_("You may not change this subscription."))


def subscription_amend(*, actor: Any, subscription: Subscription, effective_date: datetime.date,
                       seats: int | None = None, plan: Product | None = None, add_ons: Iterable[Any] | None = None,
                       unit_price: Any = None, discount_percent: Any = None, reason: str = "",
                       opportunity_ref: str = "", version: int | None = None) -> SubscriptionChange:
    """A dated change of seats, plan, add-ons, unit price or discount. ``add_ons`` (when given) is the full new
    list of lines. Changing plan without a unit price takes the price book's price of the new plan. ``version`` is
    the version the caller read (default: the instance's); a newer one in the database is a Conflict."""
    _require_change(actor, subscription)
    pricing_fields = [name for name, value in (("unit_price", unit_price), ("discount_percent", discount_percent))
                      if value is not None]
    if plan is not None and plan.pk != subscription.plan_id:
        pricing_fields.append("plan")  # another edition is another price: the account manager's talk
    _require_pricing(actor, pricing_fields)
    with transaction.atomic():
        current = _locked(subscription, version)
        if current.status != SubscriptionStatus.ACTIVE:
            raise _fail("status", _("This subscription is %(status)s; reactivate it before amending.")
                        % {"status": current.get_status_display().lower()})
        _check_change_date(current, effective_date)
        old_lines = list(current.add_ons.select_related("product"))
        before = _snapshot(current, old_lines)
        old_plan, old_seats, old_mrr = current.plan, current.seats, current.mrr
        old_price, old_discount = current.unit_price, current.discount_percent
        if plan is not None and plan.pk != current.plan_id:
            current.plan = _check_plan(plan)
            _check_overlap(account=current.account, plan=current.plan, start=effective_date, end=current.end_date,
                           exclude=current)
            if unit_price is None:
                price = selectors.catalog_price(product=current.plan, currency=current.currency, on=effective_date)
                if price is None:
                    raise _fail("unit_price", _("The price book has no %(currency)s price for %(plan)s on %(date)s; "
                                                "give a unit price.") % {"currency": current.currency,
                                                                        "plan": current.plan,
                                                                        "date": effective_date.isoformat()})
                current.unit_price, current.pricing_model = price.amount, price.pricing_model
        if seats is not None:
            current.seats = _check_seats(seats)
        if unit_price is not None:
            current.unit_price = _decimal(unit_price, "unit_price")
        if discount_percent is not None:
            current.discount_percent = _check_discount(discount_percent)
        lines = old_lines
        if add_ons is not None:
            lines, priced = _add_on_lines(actor=actor, add_ons=add_ons, currency=current.currency,
                                          on=effective_date, current={line.product_id: line for line in old_lines})
            _require_pricing(actor, priced)
        new_mrr = logic.mrr_of(_terms(current, lines))
        kind = _amend_kind(old_plan=old_plan, new_plan=current.plan, old_mrr=old_mrr, new_mrr=new_mrr,
                           old_seats=old_seats, new_seats=current.seats, old_lines=old_lines, new_lines=lines,
                           price_changed=(old_price, old_discount) != (current.unit_price,
                                                                        current.discount_percent))
        if kind is None:
            raise ValidationFailed(_("Nothing to change: the new terms are the current ones."),
                                   errors={"__all__": [_("Nothing to change.")]})
        change = _record(actor=actor, subscription=current, add_ons=lines, kind=kind, effective_date=effective_date,
                         before=before, reason=reason, opportunity_ref=opportunity_ref)
    _refresh(subscription, current)
    return change


def _amend_kind(*, old_plan: Product, new_plan: Product, old_mrr: Decimal, new_mrr: Decimal, old_seats: int,
                new_seats: int, old_lines: list[SubscriptionAddOn], new_lines: list[SubscriptionAddOn],
                price_changed: bool) -> str | None:
    if old_plan.pk != new_plan.pk:
        return ChangeKind.PLAN_UPGRADE if new_mrr >= old_mrr else ChangeKind.PLAN_DOWNGRADE
    if old_seats != new_seats:
        return ChangeKind.SEAT_CHANGE
    old = {line.product_id: (line.quantity, line.unit_price) for line in old_lines}
    new = {line.product_id: (line.quantity, line.unit_price) for line in new_lines}
    if old != new:
        if set(new) > set(old) and all(new[key] == old[key] for key in old):
            return ChangeKind.ADD_ON_ADDED
        if set(new) < set(old) and all(new[key] == old[key] for key in new):
            return ChangeKind.ADD_ON_REMOVED
        return ChangeKind.ADD_ON_CHANGE
    if price_changed:
        return ChangeKind.PRICE_CHANGE
    return None


def _refresh(stale: Subscription, current: Subscription) -> None:
    """Bring the caller's instance up to date with what was written."""
    for field in Subscription._meta.concrete_fields:
        setattr(stale, field.attname, getattr(current, field.attname))
    for cached in ("plan", "account"):
        if cached in current._state.fields_cache:
            stale._state.fields_cache[cached] = current._state.fields_cache[cached]


def subscription_renew(*, actor: Any, subscription: Subscription, effective_date: datetime.date, term_months: int,
                       unit_price: Any = None, discount_percent: Any = None, seats: int | None = None,
                       opportunity_ref: str = "", reason: str = "", version: int | None = None) -> SubscriptionChange:
    """Extend the subscription by ``term_months`` from its current end date, optionally at a new unit price,
    discount or seat count (a contract term: needs write on ``pricing``). An expired subscription renewed comes
    back active (a reactivation when its MRR had dropped to zero)."""
    _require_change(actor, subscription)
    pricing_fields = ["term_months"] + [name for name, value in (("unit_price", unit_price),
                                                                 ("discount_percent", discount_percent))
                                        if value is not None]
    _require_pricing(actor, pricing_fields)
    term_months = _check_term(term_months)
    with transaction.atomic():
        current = _locked(subscription, version)
        if current.status == SubscriptionStatus.CHURNED:
            raise _fail("status", _("This subscription was cancelled; reactivate it instead of renewing."))
        _check_change_date(current, effective_date)
        lines = list(current.add_ons.select_related("product"))
        before = _snapshot(current, lines)
        was_expired = current.status == SubscriptionStatus.EXPIRED
        base = max(current.end_date, effective_date - datetime.timedelta(days=1)) if was_expired else current.end_date
        current.end_date = logic.term_end(base + datetime.timedelta(days=1), term_months)
        current.term_months = term_months
        current.status = SubscriptionStatus.ACTIVE
        current.ended_on = None
        if seats is not None:
            current.seats = _check_seats(seats)
        if unit_price is not None:
            current.unit_price = _decimal(unit_price, "unit_price")
        if discount_percent is not None:
            current.discount_percent = _check_discount(discount_percent)
        _check_overlap(account=current.account, plan=current.plan, start=effective_date, end=current.end_date,
                       exclude=current)
        kind = ChangeKind.REACTIVATION if was_expired else ChangeKind.RENEWAL
        change = _record(actor=actor, subscription=current, add_ons=lines, kind=kind, effective_date=effective_date,
                         before=before, reason=reason, opportunity_ref=opportunity_ref)
    _refresh(subscription, current)
    return change


def subscription_churn(*, actor: Any, subscription: Subscription, effective_date: datetime.date, reason: str,
                       version: int | None = None) -> SubscriptionChange:
    """Cancel the subscription from ``effective_date`` (its MRR drops to zero that day). A reason is required.
    Ending a contract is a contract term: it takes write on the ``pricing`` field group."""
    _require_change(actor, subscription)
    _require_pricing(actor, ["cancel"])
    if not (reason or "").strip():
        raise _fail("reason", _("Say why the customer cancelled."))
    with transaction.atomic():
        current = _locked(subscription, version)
        if current.status != SubscriptionStatus.ACTIVE:
            raise _fail("status", _("This subscription is already %(status)s.")
                        % {"status": current.get_status_display().lower()})
        _check_change_date(current, effective_date)
        lines = list(current.add_ons.select_related("product"))
        before = _snapshot(current, lines)
        current.status = SubscriptionStatus.CHURNED
        current.ended_on = effective_date
        change = _record(actor=actor, subscription=current, add_ons=lines, kind=ChangeKind.CHURN,
                         effective_date=effective_date, before=before, reason=reason)
    _refresh(subscription, current)
    return change


def subscription_reactivate(*, actor: Any, subscription: Subscription, effective_date: datetime.date,
                            term_months: int | None = None, seats: int | None = None, unit_price: Any = None,
                            reason: str = "", opportunity_ref: str = "",
                            version: int | None = None) -> SubscriptionChange:
    """Bring a cancelled or expired subscription back from ``effective_date`` for a new term (the previous term's
    length by default)."""
    _require_change(actor, subscription)
    _require_pricing(actor, [name for name, value in (("term_months", term_months), ("unit_price", unit_price))
                             if value is not None])
    with transaction.atomic():
        current = _locked(subscription, version)
        if current.status == SubscriptionStatus.ACTIVE:
            raise _fail("status", _("This subscription is active; nothing to reactivate."))
        _check_change_date(current, effective_date)
        lines = list(current.add_ons.select_related("product"))
        before = _snapshot(current, lines)
        term = _check_term(term_months) if term_months is not None else current.term_months
        current.term_months = term
        current.end_date = logic.term_end(effective_date, term)
        current.status = SubscriptionStatus.ACTIVE
        current.ended_on = None
        if seats is not None:
            current.seats = _check_seats(seats)
        if unit_price is not None:
            current.unit_price = _decimal(unit_price, "unit_price")
        _check_rate(current.currency, effective_date)
        _check_overlap(account=current.account, plan=current.plan, start=effective_date, end=current.end_date,
                       exclude=current)
        change = _record(actor=actor, subscription=current, add_ons=lines, kind=ChangeKind.REACTIVATION,
                         effective_date=effective_date, before=before, reason=reason,
                         opportunity_ref=opportunity_ref)
    _refresh(subscription, current)
    return change


def subscription_update(*, actor: Any, subscription: Subscription, version: int | None = None,
                        auto_renew: bool | None = None, external_id: str | None = None) -> Subscription:
    """Change what is not a dated term: auto-renew and the external id (audited, no change row)."""
    _require_change(actor, subscription)
    with transaction.atomic():
        current = _locked(subscription, version)
        lines = list(current.add_ons.select_related("product"))
        before = _snapshot(current, lines)
        if auto_renew is not None:
            current.auto_renew = auto_renew
        if external_id is not None:
            current.external_id = external_id.strip()[:100]
            if current.external_id and Subscription.objects.filter(external_id=current.external_id).exclude(
                    pk=current.pk).exists():
                raise Conflict(_("A subscription with this external id already exists."),
                               errors={"external_id": [_("Already in use.")]})
        changes = diff(before, _snapshot(current, lines))
        if changes:
            current.version += 1
            current.save()
            audit_record(actor=actor, action=AuditAction.CHANGE, obj=current, changes=changes)
    _refresh(subscription, current)
    return subscription


def subscription_delete(*, actor: Any, subscription: Subscription) -> None:
    """Remove a subscription entered by mistake and its history (cancel a real one instead)."""
    if not can(actor, Action.VIEW, subscription):
        raise NotFound(_("No such subscription."))
    if not can(actor, Action.DELETE, subscription):
        raise PermissionDenied(_("You may not delete this subscription."))
    with transaction.atomic():
        lines = list(subscription.add_ons.select_related("product"))
        before = _snapshot(subscription, lines)
        audit_record(actor=actor, action=AuditAction.DELETE, obj=subscription,
                     changes=diff(before, {}), summary=str(subscription))
        account_id = subscription.account_id
        subscription.delete()
        reclassify_account(account_id)


def subscriptions_roll_over(*, actor: Any, on: datetime.date) -> tuple[int, int]:
    """Active subscriptions whose end date passed before ``on``: those with auto-renew renew for the same term
    (effective the day after the end), the others expire (MRR 0 from the day after the end). Idempotent; for the
    daily job. Returns (renewed, expired)."""
    renewed = expired = 0
    due = Subscription.objects.filter(status=SubscriptionStatus.ACTIVE, end_date__lt=on).order_by("end_date", "id")
    for subscription_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            current = Subscription.objects.select_for_update().select_related("plan", "account").get(
                pk=subscription_id)
            while current.status == SubscriptionStatus.ACTIVE and current.end_date < on:
                lines = list(current.add_ons.select_related("product"))
                before = _snapshot(current, lines)
                day_after = current.end_date + datetime.timedelta(days=1)
                if current.auto_renew:
                    current.end_date = logic.term_end(day_after, current.term_months)
                    _record(actor=actor, subscription=current, add_ons=lines, kind=ChangeKind.RENEWAL,
                            effective_date=day_after, before=before, reason=_("Renewed automatically."))
                    renewed += 1
                else:
                    current.status = SubscriptionStatus.EXPIRED
                    current.ended_on = day_after
                    _record(actor=actor, subscription=current, add_ons=lines, kind=ChangeKind.EXPIRY,
                            effective_date=day_after, before=before, reason=_("The term ended without renewal."))
                    expired += 1
    return renewed, expired


def subscriptions_expire(*, actor: Any, on: datetime.date) -> int:
    """Expire (and auto-renew) what ended before ``on``; returns how many expired."""
    return subscriptions_roll_over(actor=actor, on=on)[1]


def move_subscriptions(*, actor: Any, kept: Account, removed: Account) -> int:
    """Account merge step: the duplicate's subscriptions and their history move to the kept account."""
    moved = Subscription.objects.filter(account=removed).update(account=kept)
    SubscriptionChange.objects.filter(account=removed).update(account=kept)
    if moved:
        reclassify_account(kept.pk)
    return moved
