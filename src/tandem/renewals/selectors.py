"""Reads for renewals: the settings, what ends in the next N days (with its renewal, value and health), the
renewals of one subscription. Visibility follows the subscription (``contracts.selectors.subscription_list``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import BigIntegerField, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.contracts import logic as contract_logic
from tandem.contracts import selectors as contract_selectors
from tandem.contracts.choices import SubscriptionStatus
from tandem.contracts.models import Subscription
from tandem.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from tandem.identity.models import User
from tandem.renewals import logic
from tandem.renewals.health import HealthBadge, health_of
from tandem.renewals.models import RenewalRecord, RenewalSettings

WITHIN_CHOICES = (30, 60, 90, 180)


@dataclass(frozen=True)
class RenewalConfig:
    """The settings, checked and parsed."""

    notice_days: int
    negotiation_days: int
    playbook: tuple[logic.PlaybookStep, ...]
    discount_rules: tuple[logic.DiscountRule, ...]


def renewal_settings() -> RenewalSettings:
    """The settings row, or the defaults (unsaved) before an administrator first saves them."""
    return RenewalSettings.objects.filter(pk=1).first() or RenewalSettings(pk=1)


def renewal_config() -> RenewalConfig:
    row = renewal_settings()
    return RenewalConfig(notice_days=row.notice_days, negotiation_days=row.negotiation_days,
                         playbook=logic.playbook(row.playbook or []),
                         discount_rules=logic.discount_rules(row.discount_rules or []))


def renewal_settings_for(*, actor: Any) -> RenewalSettings:
    if not can(actor, Action.VIEW, resource="renewal_settings"):
        raise PermissionDenied(_("You may not see the renewal settings."))
    return renewal_settings()


def today() -> datetime.date:
    return timezone.localdate()


# --- what ends soon --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenewalFilters:
    within: int = 90
    owner: User | None = None  # the renewal's owner: the renewal opportunity's owner, else the account owner


def check_within(value: Any) -> int:
    try:
        within = int(value)
    except (TypeError, ValueError):
        within = -1
    if within not in WITHIN_CHOICES:
        message = _("Choose 30, 60, 90 or 180 days.")
        raise ValidationFailed(message, errors={"within": [message]})
    return within


def renewals_due(*, actor: Any, filters: RenewalFilters | None = None,
                 on: datetime.date | None = None) -> QuerySet[Subscription]:
    """The visible active subscriptions ending from ``on`` (today) to ``within`` days ahead, with ``renewal_owner_id``
    (the owner of the renewal opportunity for that end date, else the account owner). Order by (end_date, id)."""
    filters = filters or RenewalFilters()
    start = on or today()
    end = start + datetime.timedelta(days=filters.within)
    record = RenewalRecord.objects.filter(subscription=OuterRef("pk"), end_date=OuterRef("end_date"))
    items = (contract_selectors.subscription_list(actor=actor)
             .filter(status=SubscriptionStatus.ACTIVE, end_date__gte=start, end_date__lte=end)
             .select_related("account", "account__owner", "plan")
             .annotate(renewal_owner_id=Coalesce(Subquery(record.values("opportunity__owner_id")[:1]),
                                                 F("account__owner_id"), output_field=BigIntegerField())))
    if filters.owner is not None:
        items = items.filter(renewal_owner_id=filters.owner.pk)
    return items


RENEWAL_ORDERING = ("end_date", "id")


@dataclass(frozen=True)
class RenewalRow:
    """One line of the renewals calendar."""

    subscription: Subscription
    record: RenewalRecord | None
    owner: User | None
    mrr: Decimal | None  # in the workspace currency (None: no exchange rate)
    arr: Decimal | None
    currency: str
    health: HealthBadge | None

    @property
    def days_left(self) -> int:
        return (self.subscription.end_date - today()).days


def renewal_rows(subscriptions: list[Subscription], *, on: datetime.date | None = None) -> list[RenewalRow]:
    """The page's subscriptions with their renewal record, owner, value in the workspace currency and health —
    a fixed number of queries for the page."""
    day = on or today()
    ids = [item.pk for item in subscriptions]
    records = {(record.subscription_id, record.end_date): record for record in RenewalRecord.objects.filter(
        subscription_id__in=ids).select_related("opportunity", "opportunity__stage", "opportunity__owner",
                                                "assignee")}
    owner_ids = {getattr(item, "renewal_owner_id", None) for item in subscriptions} - {None}
    owners = User.objects.in_bulk(list(owner_ids))
    rates = contract_selectors.rate_table()
    health = health_of({item.account_id for item in subscriptions})
    rows = []
    for item in subscriptions:
        try:
            mrr: Decimal | None = contract_logic.money(contract_logic.convert(item.mrr, currency=item.currency,
                                                                              on=day, rates=rates))
        except contract_logic.MissingRate:
            mrr = None
        rows.append(RenewalRow(subscription=item, record=records.get((item.pk, item.end_date)),
                               owner=owners.get(getattr(item, "renewal_owner_id", None) or 0),
                               mrr=mrr, arr=mrr * 12 if mrr is not None else None, currency=rates.workspace_currency,
                               health=health.get(item.account_id)))
    return rows


def renewal_get(*, actor: Any, public_id: str) -> RenewalRecord:
    """A renewal whose subscription the actor can see."""
    visible = contract_selectors.subscription_list(actor=actor).values("pk")
    record = (RenewalRecord.objects.select_related("subscription", "subscription__plan", "account", "opportunity",
                                                   "opportunity__stage", "opportunity__owner", "assignee")
              .filter(public_id=public_id, subscription_id__in=visible).first())
    if record is None:
        raise NotFound(_("No such renewal."))
    return record


def renewals_of_subscription(*, actor: Any, subscription: Subscription) -> QuerySet[RenewalRecord]:
    if not can(actor, Action.VIEW, subscription):
        raise NotFound(_("No such subscription."))
    return RenewalRecord.objects.filter(subscription=subscription).select_related(
        "opportunity", "opportunity__stage", "assignee").order_by("-end_date", "-id")


def renewal_for_opportunity(*, opportunity: Any) -> RenewalRecord | None:
    return RenewalRecord.objects.filter(opportunity=opportunity).first()


def suggested_prices(*, record: RenewalRecord,
                     config: RenewalConfig | None = None) -> tuple[logic.SuggestedPrice, ...]:
    """What renewing for 1, 2 and 3 years would cost per month with the multi-year discounts."""
    config = config or renewal_config()
    return logic.suggested_prices(record.subscription.mrr, config.discount_rules)


def my_renewals_due(*, actor: Any, days: int = 90, limit: int = 8) -> list[Subscription]:
    """The home card: what the actor owns that ends in the next ``days`` days, soonest first."""
    items = renewals_due(actor=actor, filters=RenewalFilters(within=days, owner=actor))
    return list(items.order_by(*RENEWAL_ORDERING)[:limit])


def open_records(*, end_until: datetime.date) -> QuerySet[RenewalRecord]:
    """Open renewals ending by ``end_until`` whose negotiation has not opened (for the job)."""
    return (RenewalRecord.objects.filter(outcome="open", negotiation_opened_at__isnull=True,
                                         end_date__lte=end_until, opportunity__isnull=False)
            .select_related("opportunity", "opportunity__stage", "opportunity__owner", "account"))


def closed_elsewhere() -> QuerySet[RenewalRecord]:
    """Open renewals whose opportunity was won or lost outside the renewal page (the board, the API)."""
    return (RenewalRecord.objects.filter(outcome="open", opportunity__isnull=False)
            .filter(~Q(opportunity__stage__kind="open"))
            .select_related("opportunity", "opportunity__stage", "subscription", "account"))
