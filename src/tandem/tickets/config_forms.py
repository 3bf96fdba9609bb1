"""Forms of the ticket configuration pages (routing rules, SLA policies, business hours, support groups). They
only parse and check the input's shape; the services in ``config`` validate and save."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.accounts.choices import Tier as AccountTier
from tandem.tickets.choices import Category, Channel, Priority, Tier

WEEKDAYS = (_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday"))
SPAN = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})\s*$")
TIERS = [("", _("(any)")), *[(str(value), label) for value, label in Tier.choices]]


def _choices(form: forms.Form, name: str, choices: list[tuple[str, Any]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,\n]", text or "") if part.strip()]


class RoutingRuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    position = forms.IntegerField(label=_("Order"), min_value=0, max_value=1_000_000, initial=0,
                                  help_text=_("Lower numbers are tried first; the first matching rule wins."))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    channels = forms.MultipleChoiceField(label=_("Channels"), choices=Channel.choices, required=False,
                                         widget=forms.CheckboxSelectMultiple, help_text=_("None checked: any."))
    categories = forms.MultipleChoiceField(label=_("Categories"), choices=Category.choices, required=False,
                                           widget=forms.CheckboxSelectMultiple, help_text=_("None checked: any."))
    account_tiers = forms.MultipleChoiceField(label=_("Account tiers"), choices=AccountTier.choices, required=False,
                                              widget=forms.CheckboxSelectMultiple,
                                              help_text=_("None checked: any."))
    keywords = forms.CharField(label=_("Keywords"), required=False, max_length=2000,
                               help_text=_("Separated by commas; one of them in the subject or description "
                                           "matches."))
    group = forms.ChoiceField(label=_("Route to group"), required=False)
    tier = forms.TypedChoiceField(label=_("Route to tier"), choices=TIERS, required=False, coerce=int,
                                  empty_value=None)
    assignee = forms.EmailField(label=_("Assign to"), required=False,
                                help_text=_("The email of an active colleague; empty: nobody."))

    def __init__(self, *args: Any, groups: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "group", [("", _("(none)")), *groups])

    def clean_keywords(self) -> list[str]:
        return _split(self.cleaned_data["keywords"])


class SlaPolicyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, required=False,
                           help_text=_("Empty: the priority and account tier."))
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    account_tier = forms.ChoiceField(label=_("Account tier"), required=False,
                                     choices=[("", _("(any)")), *AccountTier.choices],
                                     help_text=_("A policy for a tier wins over the one for any tier."))
    first_response_minutes = forms.IntegerField(label=_("First response (business minutes)"), min_value=1,
                                                max_value=525_600)
    resolution_minutes = forms.IntegerField(label=_("Resolution (business minutes)"), min_value=1,
                                            max_value=525_600)


class BusinessHoursForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    time_zone = forms.ChoiceField(label=_("Time zone"), initial="UTC")
    is_default = forms.BooleanField(label=_("Default for groups without their own hours"), required=False)
    holidays = forms.CharField(label=_("Holidays"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                               help_text=_("One a line: the date (YYYY-MM-DD), then its name."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "time_zone", [(zone, zone) for zone in sorted(zoneinfo.available_timezones())])
        for number, day in enumerate(WEEKDAYS):
            self.fields[f"day_{number}"] = forms.CharField(
                label=day, required=False, max_length=200,
                help_text=_("For example 09:00-12:00, 13:00-17:00; empty: closed.") if number == 0 else "")
        self.order_fields(["name", "time_zone", "is_default", *[f"day_{number}" for number in range(7)], "holidays"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        windows: list[list[object]] = []
        for number in range(7):
            for part in _split(data.get(f"day_{number}", "")):
                match = SPAN.match(part)
                if match is None:
                    self.add_error(f"day_{number}", _("Write times as 09:00-17:00."))
                    break
                windows.append([number, match[1].zfill(5), match[2].zfill(5)])
        data["windows"] = windows
        holidays: list[tuple[datetime.date, str]] = []
        for line in (data.get("holidays") or "").splitlines():
            if not line.strip():
                continue
            day_text, _space, name = line.strip().partition(" ")
            try:
                holidays.append((datetime.date.fromisoformat(day_text), name.strip()))
            except ValueError:
                self.add_error("holidays", _("%(line)s: start the line with a date like 2026-12-25.")
                               % {"line": line.strip()[:40]})
                break
        data["holiday_list"] = holidays
        return data

    @staticmethod
    def initial_for(hours: Any) -> dict[str, Any]:
        days: dict[int, list[str]] = {}
        for weekday, start, end in hours.windows:
            days.setdefault(int(weekday), []).append(f"{start}-{end}")
        initial: dict[str, Any] = {"name": hours.name, "time_zone": hours.time_zone, "is_default": hours.is_default,
                                   "holidays": "\n".join(f"{holiday.date.isoformat()} {holiday.name}".strip()
                                                         for holiday in hours.holidays.all())}
        for number in range(7):
            initial[f"day_{number}"] = ", ".join(days.get(number, []))
        return initial


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    tier = forms.TypedChoiceField(label=_("Tier"), choices=TIERS, required=False, coerce=int, empty_value=None)
    team = forms.ChoiceField(label=_("Team"), required=False,
                             help_text=_("Its members are told about escalations to the group."))
    business_hours = forms.ChoiceField(label=_("Business hours"), required=False,
                                       help_text=_("Empty: the default business hours."))

    def __init__(self, *args: Any, teams: list[tuple[str, str]], hours: list[tuple[str, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "team", [("", _("(none)")), *teams])
        _choices(self, "business_hours", [("", _("(default)")), *hours])
