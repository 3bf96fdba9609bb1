"""``tandem import subscriptions FILE`` (or Import in the UI): subscriptions and, optionally, their history.

One row per subscription, or one row per dated change with a ``subscription_key`` tying the rows of one
subscription together (it becomes the subscription's external id). A row without ``change`` (or with
``created``) creates the subscription; later rows — in date order — apply ``seat_change``, ``plan_upgrade`` /
``plan_downgrade`` / ``price_change`` / ``add_on_*`` (the columns they fill), ``renewal``, ``churn`` or
``reactivation``. Every row goes through the services: validated, permission-checked (prices need write on the
``pricing`` field group), audited and on the timeline; a bad row is reported with its line and column."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.access.choices import Action
from tandem.access.decide import can, restrict
from tandem.accounts.models import Account
from tandem.contracts import logic, selectors, services
from tandem.contracts.choices import ChangeKind, ProductKind
from tandem.contracts.models import Product, Subscription
from tandem.core.exceptions import DomainError, ValidationFailed
from tandem.transfer.importers import FileContext, Importer, ImportField, MappedRow, Prepared
from tandem.transfer.importers import register as register_importer

FIELDS = (
    ImportField("subscription_key", gettext_lazy("Subscription key"),
                aliases=("subscription", "subscription id", "contract", "contract id", "external id")),
    ImportField("account_external_id", gettext_lazy("Account external id"), aliases=("account id",)),
    ImportField("account_public_id", gettext_lazy("Account public id")),
    ImportField("plan", gettext_lazy("Plan"), aliases=("plan code", "edition")),
    ImportField("currency", gettext_lazy("Currency")),
    ImportField("seats", gettext_lazy("Seats"), aliases=("users", "licenses", "quantity")),
    ImportField("unit_price", gettext_lazy("Unit price (monthly)"), aliases=("unit price", "price")),
    ImportField("discount_percent", gettext_lazy("Discount (%)"), aliases=("discount",)),
    ImportField("start_date", gettext_lazy("Start date"), aliases=("start",)),
    ImportField("end_date", gettext_lazy("End date"), aliases=("end",)),
    ImportField("term_months", gettext_lazy("Term (months)"), aliases=("term",)),
    ImportField("auto_renew", gettext_lazy("Renews automatically"), aliases=("auto renew", "auto-renew")),
    ImportField("change", gettext_lazy("Change"), aliases=("change kind", "event")),
    ImportField("effective_date", gettext_lazy("Takes effect on"), aliases=("effective date", "date")),
    ImportField("reason", gettext_lazy("Reason")),
)
CREATE_KINDS = {"", ChangeKind.CREATED}
AMEND_KINDS = {ChangeKind.SEAT_CHANGE, ChangeKind.PLAN_UPGRADE, ChangeKind.PLAN_DOWNGRADE, ChangeKind.PRICE_CHANGE,
               ChangeKind.ADD_ON_ADDED, ChangeKind.ADD_ON_REMOVED, ChangeKind.ADD_ON_CHANGE}
PENDING = "_contracts_pending_subscriptions"


def _pending(context: FileContext) -> dict[str, int]:
    """Subscription keys created by earlier rows of this file (so a dry run accepts their history rows)."""
    pending = getattr(context, PENDING, None)
    if pending is None:
        pending = {}
        setattr(context, PENDING, pending)
    return pending


def _date(row: MappedRow, name: str, errors: list[tuple[str, str]]) -> datetime.date | None:
    value = row.get(name).strip()
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        errors.append((row.column(name), _("Use a date such as 2025-03-31.")))
        return None


def _decimal(row: MappedRow, name: str, errors: list[tuple[str, str]]) -> Decimal | None:
    value = row.get(name).strip().replace(",", "")
    if not value:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        errors.append((row.column(name), _("Not a number: %(value)s") % {"value": value}))
        return None


def _int(row: MappedRow, name: str, errors: list[tuple[str, str]]) -> int | None:
    value = row.get(name).strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        errors.append((row.column(name), _("Use a whole number.")))
        return None


def _kind(row: MappedRow, errors: list[tuple[str, str]]) -> str | None:
    text = row.get("change").strip().lower().replace("-", "_").replace(" ", "_")
    aliases = {"new": "created", "create": "created", "cancel": "churn", "cancelled": "churn", "churned": "churn",
               "renew": "renewal", "reactivate": "reactivation", "upgrade": "plan_upgrade",
               "downgrade": "plan_downgrade", "seats": "seat_change"}
    text = aliases.get(text, text)
    if text and text not in ChangeKind.values:
        errors.append((row.column("change"), _("Unknown change %(value)r; use created, seat_change, plan_upgrade, "
                                               "plan_downgrade, price_change, renewal, churn or reactivation.")
                       % {"value": row.get("change")}))
        return None
    return text


def _account(actor: Any, row: MappedRow, errors: list[tuple[str, str]]) -> Account | None:
    accounts = restrict(Account.objects.all(), actor)
    if row.get("account_public_id").strip():
        account = accounts.filter(public_id=row.get("account_public_id").strip()).first()
        column = row.column("account_public_id")
    elif row.get("account_external_id").strip():
        account = accounts.filter(external_id=row.get("account_external_id").strip()).first()
        column = row.column("account_external_id")
    else:
        errors.append(("account_external_id", _("Give the account's external id or public id.")))
        return None
    if account is None:
        errors.append((column, _("No visible account with this id.")))
    return account


def _plan(row: MappedRow, errors: list[tuple[str, str]], *, required: bool) -> Product | None:
    code = row.get("plan").strip()
    if not code:
        if required:
            errors.append((row.column("plan"), _("Give the plan's code.")))
        return None
    plan = Product.objects.filter(code=code.lower(), kind=ProductKind.PLAN).first()
    if plan is None:
        errors.append((row.column("plan"), _("The plan %(code)s is not in the catalog.") % {"code": code}))
    return plan


def _errors(error: DomainError, row: MappedRow) -> list[tuple[str, str]]:
    return [(row.column(name), messages[0]) for name, messages in error.errors.items() if messages] or \
        [("", error.message)]


def _prepare(actor: Any, row: MappedRow, context: FileContext) -> Prepared:
    errors: list[tuple[str, str]] = []
    kind = _kind(row, errors)
    key = row.get("subscription_key").strip()
    if kind is None:
        return Prepared(errors=errors)
    if kind in CREATE_KINDS:
        return _prepare_create(actor, row, context, key, errors)
    return _prepare_change(actor, row, context, key, kind, errors)


def _prepare_create(actor: Any, row: MappedRow, context: FileContext, key: str,
                    errors: list[tuple[str, str]]) -> Prepared:
    if not can(actor, Action.CREATE, resource="subscription"):
        return Prepared(errors=[("", _("You may not create subscriptions."))])
    account = _account(actor, row, errors)
    plan = _plan(row, errors, required=True)
    start = _date(row, "start_date", errors) or _date(row, "effective_date", errors)
    end = _date(row, "end_date", errors)
    term = _int(row, "term_months", errors)
    seats = _int(row, "seats", errors)
    unit_price = _decimal(row, "unit_price", errors)
    discount = _decimal(row, "discount_percent", errors) or Decimal(0)
    currency = row.get("currency").strip().upper() or selectors.workspace_currency()
    auto_renew = row.get("auto_renew").strip().lower() not in {"0", "false", "no", "n", "nein"}
    if start is None and not any(column == row.column("start_date") for column, _message in errors):
        errors.append((row.column("start_date"), _("Give the start date.")))
    if start and end and end < start:
        errors.append((row.column("end_date"), _("The end date (%(end)s) is before the start date (%(start)s).")
                       % {"end": end.isoformat(), "start": start.isoformat()}))
    if term is None and start and end and end >= start:
        term = max(1, round(((end - start).days + 1) / 30.4375))
    if seats is not None and seats < 0:
        errors.append((row.column("seats"), _("Seats cannot be negative (got %(seats)s).") % {"seats": seats}))
    if key:
        if key in _pending(context):
            errors.append((row.column("subscription_key"), _("Line %(line)s already creates this subscription.")
                           % {"line": _pending(context)[key]}))
        elif Subscription.objects.filter(external_id=key).exists():
            errors.append((row.column("subscription_key"), _("A subscription with this key already exists.")))
    if start and currency and selectors.rate_table().rate(currency, start) is None:
        errors.append((row.column("currency"), str(selectors.missing_rate_error(
            logic.MissingRate(currency, start)).message)))
    if errors:
        return Prepared(errors=errors)
    if key:
        _pending(context)[key] = row.line

    def write() -> str:
        assert account is not None and plan is not None and start is not None
        services.subscription_create(actor=actor, account=account, plan=plan, currency=currency,
                                     seats=seats if seats is not None else 1, start_date=start,
                                     term_months=term or 12, unit_price=unit_price, discount_percent=discount,
                                     auto_renew=auto_renew, external_id=key, end_date=end)
        return "created"

    return Prepared(write=write)


def _prepare_change(actor: Any, row: MappedRow, context: FileContext, key: str, kind: str,
                    errors: list[tuple[str, str]]) -> Prepared:
    if not key:
        return Prepared(errors=[("subscription_key", _("A change row needs the subscription key."))])
    effective = _date(row, "effective_date", errors)
    if effective is None and not errors:
        errors.append((row.column("effective_date"), _("Give the date the change takes effect.")))
    seats = _int(row, "seats", errors)
    unit_price = _decimal(row, "unit_price", errors)
    discount = _decimal(row, "discount_percent", errors)
    term = _int(row, "term_months", errors)
    plan = _plan(row, errors, required=False)
    existing = selectors.subscription_by_external_id(actor=actor, external_id=key)
    if existing is None and key not in _pending(context):
        errors.append((row.column("subscription_key"), _("No subscription with this key (create it on an earlier "
                                                         "line).")))
    if kind == ChangeKind.CHURN and not row.get("reason").strip():
        errors.append((row.column("reason"), _("Say why the customer cancelled.")))
    if errors:
        return Prepared(errors=errors)
    reason = row.get("reason").strip()

    def write() -> str:
        assert effective is not None
        subscription = selectors.subscription_by_external_id(actor=actor, external_id=key)
        if subscription is None:
            raise ValidationFailed(_("No subscription with this key."),
                                            errors={"subscription_key": [_("No subscription with this key.")]})
        if kind == ChangeKind.RENEWAL:
            services.subscription_renew(actor=actor, subscription=subscription, effective_date=effective,
                                        term_months=term or subscription.term_months, unit_price=unit_price,
                                        discount_percent=discount, seats=seats, reason=reason)
        elif kind in (ChangeKind.CHURN, ChangeKind.EXPIRY):
            services.subscription_churn(actor=actor, subscription=subscription, effective_date=effective,
                                        reason=reason or _("Expired"))
        elif kind == ChangeKind.REACTIVATION:
            services.subscription_reactivate(actor=actor, subscription=subscription, effective_date=effective,
                                             term_months=term, seats=seats, unit_price=unit_price, reason=reason)
        else:
            services.subscription_amend(actor=actor, subscription=subscription, effective_date=effective,
                                        seats=seats, plan=plan, unit_price=unit_price, discount_percent=discount,
                                        reason=reason)
        return "updated"

    return Prepared(write=write)


def register() -> None:
    register_importer(Importer("subscriptions", gettext_lazy("Subscriptions (with history)"), "subscription",
                               FIELDS, _prepare))
