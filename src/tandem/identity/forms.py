from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.utils.translation import gettext_lazy as _

from tandem.identity.models import Role, Team, User


class LoginForm(forms.Form):
    username = forms.EmailField(label=_("Email"), max_length=254)
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Six-digit code"), max_length=8,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                         "autofocus": True}))


class TwoFactorDisableForm(forms.Form):
    password = forms.CharField(label=_("Password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    code = forms.CharField(label=_("Six-digit code"), max_length=8,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))


class PasswordResetRequestForm(PasswordResetForm):
    """Django's reset form, also reaching invited users who have not chosen a password yet."""

    def get_users(self, email: str) -> Iterator[Any]:
        from tandem.identity.selectors import users_for_password_reset

        yield from users_for_password_reset(email=email)


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Name"), max_length=150)
    time_zone = forms.ChoiceField(label=_("Time zone"))
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["time_zone"]).choices = [(zone, zone) for zone in sorted(zoneinfo.available_timezones())
                                            if "/" in zone or zone == "UTC"]
        cast(Any, self.fields["language"]).choices = [("", _("Browser default")), *settings.LANGUAGES]


class InviteForm(forms.Form):
    full_name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(label=_("Email"))
    roles = forms.ModelMultipleChoiceField(label=_("Roles"), queryset=Role.objects.all(),
                                           widget=forms.CheckboxSelectMultiple, required=False)
    teams = forms.ModelMultipleChoiceField(label=_("Teams"), queryset=Team.objects.all(),
                                           widget=forms.CheckboxSelectMultiple, required=False)


class UserRolesForm(forms.Form):
    roles = forms.ModelMultipleChoiceField(label=_("Roles"), queryset=Role.objects.all(),
                                           widget=forms.CheckboxSelectMultiple, required=False)
    teams = forms.ModelMultipleChoiceField(label=_("Teams"), queryset=Team.objects.all(),
                                           widget=forms.CheckboxSelectMultiple, required=False)


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    manager = forms.ModelChoiceField(label=_("Manager"), queryset=User.objects.filter(is_active=True), required=False)
    members = forms.ModelMultipleChoiceField(label=_("Members"), queryset=User.objects.filter(is_active=True),
                                             widget=forms.CheckboxSelectMultiple, required=False)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. 'billing sync'."))
    scopes = forms.MultipleChoiceField(label=_("Scopes"), widget=forms.CheckboxSelectMultiple)
    expires_at = forms.DateField(label=_("Expires on"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["scopes"]).choices = list(settings.API_TOKEN_SCOPES.items())
