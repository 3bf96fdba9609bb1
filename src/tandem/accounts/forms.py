from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from tandem.accounts.choices import EmployeeBand, LifecycleStage, StatusFlag, Tier
from tandem.identity.models import Team, User


class AccountForm(forms.Form):
    """Validates the account form; the view resolves ``parent`` through the access-scoped selector."""

    name = forms.CharField(label=_("Name"), max_length=200)
    domain = forms.CharField(label=_("Domain"), max_length=253, required=False,
                             help_text=_("The customer's web domain, e.g. example.com"))
    other_domains = forms.CharField(label=_("Other domains"), required=False,
                                    help_text=_("Separate several domains with commas."))
    industry = forms.CharField(label=_("Industry"), max_length=100, required=False)
    country = forms.CharField(label=_("Country"), max_length=2, required=False,
                              help_text=_("Two-letter ISO code, e.g. DE, CN, KR, US."))
    employee_band = forms.ChoiceField(label=_("Employees"), required=False,
                                      choices=[("", "—"), *EmployeeBand.choices])
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="USD",
                               help_text=_("Three-letter ISO code, e.g. EUR, CNY, KRW, USD."))
    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices, initial=Tier.TECH_TOUCH)
    lifecycle_stage = forms.ChoiceField(label=_("Lifecycle stage"), choices=LifecycleStage.choices,
                                        initial=LifecycleStage.ONBOARDING)
    parent = forms.CharField(label=_("Parent account"), required=False,
                             help_text=_("Start typing a name and pick the parent account."))
    external_id = forms.CharField(label=_("External id"), max_length=100, required=False,
                                  help_text=_("The account's id in billing or another system."))
    status_flags = forms.MultipleChoiceField(label=_("Status flags"), choices=StatusFlag.choices, required=False,
                                             widget=forms.CheckboxSelectMultiple)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.filter(is_active=True), required=False)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.all(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].widget.attrs.update({
            "list": "parent-options", "autocomplete": "off",
            "hx-get": reverse_lazy("accounts:account-lookup"), "hx-trigger": "input changed delay:250ms",
            "hx-target": "#parent-options", "hx-swap": "innerHTML", "name": "parent",
        })

    def clean_other_domains(self) -> list[str]:
        raw = self.cleaned_data.get("other_domains") or ""
        return [part.strip() for part in raw.replace(";", ",").split(",") if part.strip()]
