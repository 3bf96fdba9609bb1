from __future__ import annotations

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from tandem.contacts.choices import BuyingRole


def _split(raw: str) -> list[str]:
    return [part.strip() for part in raw.replace(";", ",").replace("\n", ",").split(",") if part.strip()]


class ContactForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    email = forms.CharField(label=_("Email"), max_length=254, required=False)
    other_emails = forms.CharField(label=_("Other emails"), required=False,
                                   help_text=_("Separate several addresses with commas."))
    phones = forms.CharField(label=_("Phones"), required=False,
                             help_text=_("Separate several numbers with commas; include the country code."))
    title = forms.CharField(label=_("Job title"), max_length=150, required=False)
    buying_role = forms.ChoiceField(label=_("Buying role"), choices=[("", "—"), *BuyingRole.choices], required=False)
    account = forms.CharField(label=_("Account"), required=False,
                              help_text=_("Start typing a name and pick the account."))
    language = forms.CharField(label=_("Preferred language"), max_length=10, required=False,
                               help_text=_("A language code such as de, ko or zh-Hans."))
    time_zone = forms.CharField(label=_("Time zone"), max_length=64, required=False,
                                help_text=_("For example Europe/Berlin or Asia/Seoul."))
    email_opt_out = forms.BooleanField(label=_("Opted out of email"), required=False)
    survey_opt_out = forms.BooleanField(label=_("Opted out of surveys"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].widget.attrs.update({
            "list": "account-options", "autocomplete": "off", "hx-get": reverse_lazy("accounts:account-lookup"),
            "hx-trigger": "input changed delay:250ms", "hx-target": "#account-options", "hx-swap": "innerHTML",
        })

    def clean_other_emails(self) -> list[str]:
        return _split(self.cleaned_data.get("other_emails") or "")

    def clean_phones(self) -> list[str]:
        return _split(self.cleaned_data.get("phones") or "")
