from __future__ import annotations

from typing import Any, cast

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from tandem.pipeline.choices import CallOutcome, LeadSource, OpportunityType, StageKind


def _split(raw: str) -> list[str]:
    return [part.strip() for part in (raw or "").replace(";", ",").replace("\n", ",").split(",") if part.strip()]


def _set_choices(field: forms.Field, choices: list[tuple[str, str]]) -> None:
    cast(forms.ChoiceField, field).choices = choices


def _account_lookup(field: forms.Field) -> None:
    field.widget.attrs.update({
        "list": "account-options", "autocomplete": "off", "hx-get": reverse_lazy("accounts:account-lookup"),
        "hx-trigger": "input changed delay:250ms", "hx-target": "#account-options", "hx-swap": "innerHTML"})


class LeadForm(forms.Form):
    company_name = forms.CharField(label=_("Company"), max_length=200)
    domain = forms.CharField(label=_("Domain"), max_length=253, required=False)
    country = forms.CharField(label=_("Country"), max_length=2, required=False,
                              help_text=_("A two-letter ISO code such as DE or KR."))
    contact_first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    contact_last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    contact_email = forms.CharField(label=_("Email"), max_length=254, required=False)
    contact_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    contact_title = forms.CharField(label=_("Job title"), max_length=150, required=False)
    source = forms.ChoiceField(label=_("Source"), choices=LeadSource.choices, initial=LeadSource.TRIAL)
    trial_started_on = forms.DateField(label=_("Trial start"), required=False,
                                       widget=forms.DateInput(attrs={"type": "date"}))
    trial_ends_on = forms.DateField(label=_("Trial end"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, people: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self.fields["owner"], [("", "—"), *((person.email, str(person)) for person in people)])


class LeadCallForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CallOutcome.choices)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class LeadQualifyForm(forms.Form):
    ae = forms.ChoiceField(label=_("Account executive"))
    account = forms.CharField(label=_("Existing account"), required=False,
                              help_text=_("Leave empty to create a new account from the lead."))
    opportunity_name = forms.CharField(label=_("Opportunity name"), max_length=200, required=False)
    close_date = forms.DateField(label=_("Expected close date"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    mrr_delta = forms.DecimalField(label=_("Estimated MRR"), required=False, max_digits=14, decimal_places=2)
    one_off_amount = forms.DecimalField(label=_("One-off amount"), required=False, max_digits=14, decimal_places=2,
                                        min_value=0)
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    note = forms.CharField(label=_("Note to the account executive"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, aes: Any = (), can_price: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self.fields["ae"], [(person.email, str(person)) for person in aes])
        _account_lookup(self.fields["account"])
        if not can_price:
            del self.fields["mrr_delta"], self.fields["one_off_amount"]


class LeadDisqualifyForm(forms.Form):
    reason = forms.CharField(label=_("Why is the lead disqualified?"), max_length=500)


class OpportunityForm(forms.Form):
    account = forms.CharField(label=_("Account"), help_text=_("Start typing a name and pick the account."))
    type = forms.ChoiceField(label=_("Type"), choices=OpportunityType.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    stage = forms.ChoiceField(label=_("Stage"), required=False,
                              help_text=_("A stage of the type's pipeline; empty for its first stage."))
    mrr_delta = forms.DecimalField(label=_("MRR change"), required=False, max_digits=14, decimal_places=2,
                                   help_text=_("The change in monthly recurring revenue (negative for a downgrade)."))
    one_off_amount = forms.DecimalField(label=_("One-off amount"), required=False, max_digits=14, decimal_places=2)
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False,
                               help_text=_("Empty for the account's currency."))
    close_date = forms.DateField(label=_("Close date"), widget=forms.DateInput(attrs={"type": "date"}))
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    competitors = forms.CharField(label=_("Competitors"), required=False,
                                  help_text=_("Separate several with commas."))
    loss_reason = forms.CharField(label=_("Loss reason"), max_length=500, required=False)
    subscription = forms.ChoiceField(label=_("Subscription it changes"), required=False)
    target_plan = forms.ChoiceField(label=_("Target plan"), required=False)
    seats_delta = forms.IntegerField(label=_("Seat change"), required=False,
                                     help_text=_("Seats added (new business: seats of the new subscription)."))
    add_ons = forms.CharField(label=_("Add-ons"), required=False, help_text=_("Add-on product codes, comma-separated."))
    renewal_term_months = forms.IntegerField(label=_("Renewal term (months)"), required=False, min_value=1,
                                             max_value=120)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, stages: Any = (), people: Any = (), subscriptions: Any = (), plans: Any = (),
                 can_price: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self.fields["stage"], [("", "—"), *((stage.public_id, f"{stage.pipeline.name} · {stage.name}")
                                                         for stage in stages)])
        _set_choices(self.fields["owner"], [("", "—"), *((person.email, str(person)) for person in people)])
        _set_choices(self.fields["subscription"], [("", "—"), *((item.public_id, f"{item.plan} · {item.seats}")
                                                                for item in subscriptions)])
        _set_choices(self.fields["target_plan"], [("", "—"), *((plan.code, str(plan)) for plan in plans)])
        _account_lookup(self.fields["account"])
        if not can_price:
            for name in ("mrr_delta", "one_off_amount"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Field group “pricing”: you may read it but not change it.")

    def clean_competitors(self) -> list[str]:
        return _split(self.cleaned_data.get("competitors") or "")

    def clean_add_ons(self) -> list[str]:
        return _split(self.cleaned_data.get("add_ons") or "")


class StageForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    probability = forms.IntegerField(label=_("Win probability (%)"), min_value=0, max_value=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=StageKind.choices)
