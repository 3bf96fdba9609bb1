from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.identity.models import Team, User


class AccountForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    domain = forms.CharField(label=_("Domain"), max_length=253, required=False,
                             help_text=_("The customer's web domain, e.g. example.com"))
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.filter(is_active=True),
                                   required=False)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.all(), required=False)
