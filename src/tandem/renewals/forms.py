"""Forms of the renewal pages: closing a renewal and the settings (they validate only; views call services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.renewals import logic
from tandem.renewals.choices import RenewalOutcome

CLOSE_OUTCOMES = [(RenewalOutcome.RENEWED.value, RenewalOutcome.RENEWED.label),
                  (RenewalOutcome.DOWNGRADED.value, RenewalOutcome.DOWNGRADED.label),
                  (RenewalOutcome.CHURNED.value, RenewalOutcome.CHURNED.label)]


class RenewalCloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CLOSE_OUTCOMES)
    term_months = forms.TypedChoiceField(label=_("Renewal term"), coerce=int, required=False, empty_value=None,
                                         choices=[(12, _("1 year")), (24, _("2 years")), (36, _("3 years"))])
    seats = forms.IntegerField(label=_("Seats after a downgrade"), min_value=1, required=False)
    reason = forms.CharField(label=_("Reason (churn or downgrade)"), max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class RenewalSettingsForm(forms.Form):
    notice_days = forms.IntegerField(label=_("Notice: create the renewal this many days before the end"),
                                     min_value=1, max_value=logic.MAX_NOTICE_DAYS)
    negotiation_days = forms.IntegerField(label=_("Negotiation opens this many days before the end"), min_value=0,
                                          max_value=logic.MAX_NOTICE_DAYS)
    playbook = forms.CharField(label=_("Renewal playbook"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
                               help_text=_("One task per line: days relative to the end date, a colon, the title "
                                           "(e.g. “-45: Prepare renewal quote”)."))
    discount_rules = forms.CharField(label=_("Multi-year discounts"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}),
                                     help_text=_("One rule per line: minimum term in months, a colon, the discount "
                                                 "in percent (e.g. “24: 10”)."))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            data["playbook"] = logic.parse_playbook_text(data.get("playbook") or "",
                                                         notice_days=logic.MAX_NOTICE_DAYS)
        except logic.RuleError as error:
            self.add_error("playbook", str(error))
        try:
            data["discount_rules"] = logic.parse_rules_text(data.get("discount_rules") or "")
        except logic.RuleError as error:
            self.add_error("discount_rules", str(error))
        return data
