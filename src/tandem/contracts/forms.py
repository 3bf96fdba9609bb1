"""Forms of the revenue pages. Fields of the ``pricing`` field group are disabled (shown, never taken from the
post) for people who may read but not write it — the service refuses them anyway."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.contracts.choices import PricingModel, ProductKind

DATE = forms.DateInput(attrs={"type": "date"})
PRICING = ("unit_price", "discount_percent", "term_months")


def _set_choices(field: forms.Field, choices: list[tuple[str, str]]) -> None:
    field.choices = choices  # type: ignore[attr-defined]


def _lock_pricing(form: forms.Form, can_write_pricing: bool, names: tuple[str, ...] = PRICING) -> None:
    if can_write_pricing:
        return
    for name in names:
        if name in form.fields:
            field = form.fields[name]
            field.disabled = True
            field.help_text = _("Pricing field group: read-only for you; ask the account manager.")


class SubscriptionForm(forms.Form):
    plan = forms.ChoiceField(label=_("Plan"))
    currency = forms.CharField(label=_("Currency"), max_length=3, min_length=3)
    seats = forms.IntegerField(label=_("Seats"), initial=1)
    start_date = forms.DateField(label=_("Start date"), widget=DATE)
    term_months = forms.IntegerField(label=_("Term (months)"), initial=12)
    unit_price = forms.DecimalField(label=_("Unit price (monthly)"), required=False, max_digits=14, decimal_places=2,
                                    help_text=_("Empty: the price book's price"))
    discount_percent = forms.DecimalField(label=_("Discount (%)"), required=False, max_digits=5, decimal_places=2,
                                          initial=Decimal(0))
    add_ons = forms.MultipleChoiceField(label=_("Add-ons"), required=False, widget=forms.CheckboxSelectMultiple)
    auto_renew = forms.BooleanField(label=_("Renews automatically"), required=False, initial=True)

    def __init__(self, *args: Any, plans: list[Any] = (), add_ons: list[Any] = (),  # type: ignore[assignment]
                 can_write_pricing: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self.fields["plan"], [(plan.code, plan.name) for plan in plans])
        _set_choices(self.fields["add_ons"], [(item.code, item.name) for item in add_ons])
        _lock_pricing(self, can_write_pricing, ("unit_price", "discount_percent"))


class AmendForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    effective_date = forms.DateField(label=_("Takes effect on"), widget=DATE)
    plan = forms.ChoiceField(label=_("Plan"))
    seats = forms.IntegerField(label=_("Seats"))
    unit_price = forms.DecimalField(label=_("Unit price (monthly)"), max_digits=14, decimal_places=2)
    discount_percent = forms.DecimalField(label=_("Discount (%)"), max_digits=5, decimal_places=2)
    add_ons = forms.MultipleChoiceField(label=_("Add-ons"), required=False, widget=forms.CheckboxSelectMultiple)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args: Any, plans: list[Any] = (), add_ons: list[Any] = (),  # type: ignore[assignment]
                 can_write_pricing: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self.fields["plan"], [(plan.code, plan.name) for plan in plans])
        _set_choices(self.fields["add_ons"], [(item.code, item.name) for item in add_ons])
        _lock_pricing(self, can_write_pricing)


class RenewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    effective_date = forms.DateField(label=_("Renewed on"), widget=DATE)
    term_months = forms.IntegerField(label=_("New term (months)"), initial=12)
    unit_price = forms.DecimalField(label=_("Unit price (monthly)"), required=False, max_digits=14,
                                    decimal_places=2, help_text=_("Empty: unchanged"))
    discount_percent = forms.DecimalField(label=_("Discount (%)"), required=False, max_digits=5, decimal_places=2,
                                          help_text=_("Empty: unchanged"))


class ChurnForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    effective_date = forms.DateField(label=_("Cancelled from"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class ReactivateForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    effective_date = forms.DateField(label=_("Reactivated on"), widget=DATE)


class MovementsForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DATE)
    end = forms.DateField(label=_("To"), widget=DATE)


class ProductForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    code = forms.SlugField(label=_("Code"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), choices=ProductKind.choices)


class PriceForm(forms.Form):
    product = forms.ChoiceField(label=_("Item"))
    currency = forms.CharField(label=_("Currency"), max_length=3, min_length=3)
    pricing_model = forms.ChoiceField(label=_("Pricing model"), choices=PricingModel.choices)
    amount = forms.DecimalField(label=_("Monthly amount"), max_digits=14, decimal_places=2, min_value=Decimal(0))

    def __init__(self, *args: Any, products: list[Any] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        _set_choices(self.fields["product"], [(item.code, item.name) for item in products])


class VersionForm(forms.Form):
    effective_from = forms.DateField(label=_("Effective from"), widget=DATE)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class ExchangeRateForm(forms.Form):
    currency = forms.CharField(label=_("Currency"), max_length=3, min_length=3)
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    rate = forms.DecimalField(label=_("Rate"), max_digits=18, decimal_places=8,
                              help_text=_("One unit of the currency in the workspace currency"))
