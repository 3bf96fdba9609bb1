"""Catalog, exchange rates, subscriptions and their dated change history (docs/revenue.md).

A subscription holds its current terms; every change to it is a ``SubscriptionChange`` row dated by when it takes
effect, carrying the resulting state and MRR. MRR on any past date is the MRR of each subscription's last change on
or before that date — or, summed over many subscriptions, the sum of the ``mrr_delta`` of every change up to that
date (the deltas telescope), which is what the totals and movements query in SQL."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import Account
from tandem.contracts.choices import ChangeKind, Movement, PricingModel, ProductKind, SubscriptionStatus
from tandem.core.models import PublicModel

CURRENCY_VALIDATOR = RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO currency code."))


class Product(PublicModel):
    """A plan (edition) or an add-on that can be sold."""

    name = models.CharField(_("name"), max_length=150)
    code = models.SlugField(_("code"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=ProductKind.choices, default=ProductKind.PLAN)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name", "id"])]

    def __str__(self) -> str:
        return self.name


class PriceBook(PublicModel):
    """A list of prices, in dated versions. The default book prices new subscriptions without a unit price."""

    name = models.CharField(_("name"), max_length=150)
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True),
                                               name="pricebook_one_default")]

    def __str__(self) -> str:
        return self.name


class PriceBookVersion(PublicModel):
    """The prices of a book from ``effective_from`` on (until the next version). A new version never changes the
    unit prices existing subscriptions carry."""

    price_book = models.ForeignKey(PriceBook, on_delete=models.CASCADE, related_name="versions")
    effective_from = models.DateField(_("effective from"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["price_book", "-effective_from", "-id"]
        constraints = [models.UniqueConstraint(fields=["price_book", "effective_from"],
                                               name="pricebookversion_one_per_day")]

    def __str__(self) -> str:
        return f"{self.price_book} {self.effective_from:%Y-%m-%d}"


class Price(models.Model):
    """The monthly price of one item in one currency in one version: per seat or flat."""

    version = models.ForeignKey(PriceBookVersion, on_delete=models.CASCADE, related_name="prices")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="prices")
    currency = models.CharField(_("currency"), max_length=3, validators=[CURRENCY_VALIDATOR])
    pricing_model = models.CharField(_("pricing model"), max_length=10, choices=PricingModel.choices,
                                     default=PricingModel.PER_SEAT)
    amount = models.DecimalField(_("monthly amount"), max_digits=14, decimal_places=2,
                                 validators=[MinValueValidator(Decimal(0))])

    class Meta:
        ordering = ["product__name", "currency", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "product", "currency"],
                                               name="price_one_per_item_currency")]

    def __str__(self) -> str:
        return f"{self.product} {self.amount} {self.currency}"


class ExchangeRate(models.Model):
    """One unit of ``currency`` is worth ``rate`` units of the workspace currency from ``valid_from`` on."""

    currency = models.CharField(_("currency"), max_length=3, validators=[CURRENCY_VALIDATOR])
    valid_from = models.DateField(_("valid from"))
    rate = models.DecimalField(_("rate"), max_digits=18, decimal_places=8)

    class Meta:
        ordering = ["currency", "-valid_from", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "valid_from"], name="exchangerate_one_per_day"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchangerate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.valid_from:%Y-%m-%d}: {self.rate}"


class Subscription(PublicModel):
    """A customer's contract for one plan: its current terms (the history is in ``changes``)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="subscriptions",
                                verbose_name=_("account"))
    plan = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="subscriptions", verbose_name=_("plan"))
    currency = models.CharField(_("currency"), max_length=3, validators=[CURRENCY_VALIDATOR])
    seats = models.PositiveIntegerField(_("seats"), default=1)
    pricing_model = models.CharField(_("pricing model"), max_length=10, choices=PricingModel.choices,
                                     default=PricingModel.PER_SEAT)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    discount_percent = models.DecimalField(_("discount (%)"), max_digits=5, decimal_places=2, default=Decimal(0))
    term_months = models.PositiveIntegerField(_("term (months)"), default=12)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    auto_renew = models.BooleanField(_("auto-renew"), default=True)
    status = models.CharField(_("status"), max_length=10, choices=SubscriptionStatus.choices,
                              default=SubscriptionStatus.ACTIVE)
    mrr = models.DecimalField(_("MRR"), max_digits=14, decimal_places=2, default=Decimal(0))
    price_book_version = models.ForeignKey(PriceBookVersion, null=True, blank=True, on_delete=models.SET_NULL,
                                           related_name="+")
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    version = models.PositiveIntegerField(default=1)  # optimistic locking: every change increments it
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [
            models.Index(fields=["account", "plan"]),
            models.Index(fields=["status", "end_date"]),
            models.Index(fields=["start_date", "id"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")),
                                   name="subscription_end_after_start"),
            models.UniqueConstraint(fields=["external_id"], condition=~Q(external_id=""),
                                    name="subscription_external_id_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.account}"

    @property
    def arr(self) -> Decimal:
        return self.mrr * 12


class SubscriptionAddOn(models.Model):
    """An add-on line of a subscription's current terms."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="add_ons")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    pricing_model = models.CharField(_("pricing model"), max_length=10, choices=PricingModel.choices,
                                     default=PricingModel.FLAT)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["product__name", "id"]
        constraints = [models.UniqueConstraint(fields=["subscription", "product"], name="addon_once_per_subscription")]

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity}"


class SubscriptionChange(PublicModel):
    """A dated change of a subscription: the resulting terms (``state``) and MRR, the MRR it moved (``mrr_delta``,
    in the subscription's currency) and how that movement counts for the account (``movement``)."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="changes")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")  # denormalised for totals
    kind = models.CharField(_("kind"), max_length=16, choices=ChangeKind.choices)
    effective_date = models.DateField(_("effective date"))
    currency = models.CharField(_("currency"), max_length=3)
    mrr = models.DecimalField(_("MRR after"), max_digits=14, decimal_places=2)
    mrr_delta = models.DecimalField(_("MRR change"), max_digits=14, decimal_places=2)
    movement = models.CharField(_("movement"), max_length=14, choices=Movement.choices, blank=True)
    state = models.JSONField(default=dict)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    opportunity_ref = models.CharField(_("opportunity"), max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-effective_date", "-id"]
        indexes = [
            models.Index(fields=["subscription", "effective_date", "id"]),
            models.Index(fields=["account", "effective_date", "id"]),
            # movements: sum mrr_delta by (date, currency, movement) over a date range, read from the index only
            models.Index(fields=["effective_date", "currency", "movement", "mrr_delta"], name="subchange_movements"),
        ]

    def __str__(self) -> str:
        return f"{self.subscription} {self.kind} {self.effective_date:%Y-%m-%d}"
