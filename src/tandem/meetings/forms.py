from __future__ import annotations

import datetime
import functools
import zoneinfo
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.meetings.choices import Repeat
from tandem.meetings.logic import UTC, RuleError, simple_rule, zone

WEEKDAYS = [(1, _("Monday")), (2, _("Tuesday")), (3, _("Wednesday")), (4, _("Thursday")), (5, _("Friday")),
            (6, _("Saturday")), (7, _("Sunday"))]
LENGTHS = [(15, _("15 minutes")), (30, _("30 minutes")), (45, _("45 minutes")), (60, _("1 hour")),
           (90, _("1½ hours")), (120, _("2 hours"))]


@functools.cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones()) if "/" in name or name == "UTC"]


def _local_input(**attrs: str) -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local", **attrs}, format="%Y-%m-%dT%H:%M")


def _choices(field: forms.Field, choices: list[tuple[str, str]]) -> None:
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class MeetingForm(forms.Form):
    """Plan or change a meeting. Start and end are wall-clock times in the chosen time zone."""

    title = forms.CharField(label=_("Title"), max_length=200)
    start = forms.DateTimeField(label=_("Starts"), widget=_local_input())
    end = forms.DateTimeField(label=_("Ends"), widget=_local_input())
    time_zone = forms.ChoiceField(label=_("Time zone"))
    attendees = forms.MultipleChoiceField(label=_("Colleagues"), required=False,
                                          widget=forms.SelectMultiple(attrs={"size": 6}))
    account = forms.ChoiceField(label=_("Account"), required=False)
    contacts = forms.MultipleChoiceField(label=_("Customer contacts"), required=False,
                                         widget=forms.SelectMultiple(attrs={"size": 4}),
                                         help_text=_("Contacts of the chosen account."))
    location = forms.CharField(label=_("Location"), max_length=300, required=False)
    video_url = forms.CharField(label=_("Video link"), max_length=500, required=False,
                                widget=forms.URLInput(attrs={"placeholder": "https://"}))
    agenda = forms.CharField(label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("Markdown: **bold**, *italic*, lists, links."))
    repeat = forms.ChoiceField(label=_("Repeats"), choices=Repeat.choices, initial=Repeat.NONE)
    repeat_until = forms.DateField(label=_("Repeats until"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}),
                                   help_text=_("Leave empty to repeat without end."))
    custom_rrule = forms.CharField(label=_("Custom rule (RRULE)"), max_length=500, required=False,
                                   help_text=_("For example FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;COUNT=10"))
    reminder_minutes = forms.IntegerField(label=_("Reminder (minutes before)"), min_value=0, max_value=10080,
                                          initial=15)

    def __init__(self, *args: Any, users: list[Any] = (), accounts: list[Any] = (),  # type: ignore[assignment]
                 contacts: list[Any] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        _choices(self.fields["time_zone"], time_zone_choices())
        _choices(self.fields["attendees"], [(user.public_id, user.full_name or user.email) for user in users])
        _choices(self.fields["account"], [("", "—"), *((account.public_id, account.name) for account in accounts)])
        _choices(self.fields["contacts"], [(contact.public_id, str(contact)) for contact in contacts])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name = data.get("time_zone") or "UTC"
        for field in ("start", "end"):
            value = data.get(field)
            if isinstance(value, datetime.datetime):  # the wall-clock time entered, in the meeting's zone
                data[field] = value.replace(tzinfo=None).replace(tzinfo=zone(name)).astimezone(UTC)
        data["rrule"] = ""
        repeat = data.get("repeat")
        if repeat == Repeat.CUSTOM:
            if not data.get("custom_rrule"):
                self.add_error("custom_rrule", _("Enter the rule, e.g. FREQ=WEEKLY;BYDAY=MO."))
            data["rrule"] = data.get("custom_rrule", "")
        elif repeat and repeat != Repeat.NONE and isinstance(data.get("start"), datetime.datetime):
            try:
                data["rrule"] = simple_rule(repeat, data["start"], name, data.get("repeat_until"))
            except RuleError as error:
                self.add_error("time_zone", str(error))
        return data


class OutcomeForm(forms.Form):
    outcome_notes = forms.CharField(label=_("Outcome notes"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 5}),
                                    help_text=_("Saved notes appear as a meeting on the account's timeline."))


class WeeklySyncForm(forms.Form):
    """The weekly CSM–AM sync for the chosen key accounts, in one step."""

    accounts = forms.MultipleChoiceField(label=_("Key accounts"), widget=forms.SelectMultiple(attrs={"size": 10}))
    weekday = forms.TypedChoiceField(label=_("Weekday"), choices=WEEKDAYS, coerce=int, initial=2)
    time = forms.TimeField(label=_("Time"), initial=datetime.time(10, 0),
                           widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    duration_minutes = forms.TypedChoiceField(label=_("Length"), choices=LENGTHS, coerce=int, initial=30)
    first_date = forms.DateField(label=_("Starting"), widget=forms.DateInput(attrs={"type": "date"}))
    time_zone = forms.ChoiceField(label=_("Time zone"))

    def __init__(self, *args: Any, accounts: list[Any] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        _choices(self.fields["accounts"], [(account.public_id, account.name) for account in accounts])
        _choices(self.fields["time_zone"], time_zone_choices())


class FreeSlotForm(forms.Form):
    colleagues = forms.MultipleChoiceField(label=_("Colleagues"), widget=forms.SelectMultiple(attrs={"size": 8}))
    length = forms.TypedChoiceField(label=_("Length"), choices=LENGTHS, coerce=int, initial=30)
    days = forms.IntegerField(label=_("Within the next days"), min_value=1, max_value=60, initial=7)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)

    def __init__(self, *args: Any, users: list[Any] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        _choices(self.fields["colleagues"], [(user.public_id, user.full_name or user.email) for user in users])


class BookSlotForm(forms.Form):
    start = forms.DateTimeField()
    end = forms.DateTimeField()
    attendees = forms.CharField()
    title = forms.CharField(max_length=200, required=False)


class CalendarAccountForm(forms.Form):
    url = forms.CharField(label=_("CalDAV address"), max_length=500,
                          widget=forms.URLInput(attrs={"placeholder": "https://caldav.example.com/dav/"}))
    username = forms.CharField(label=_("User name"), max_length=200)
    password = forms.CharField(label=_("Password"), max_length=500, required=False,
                               widget=forms.PasswordInput(render_value=False),
                               help_text=_("Stored encrypted and never shown again. Leave empty to keep it."))
    enabled = forms.BooleanField(label=_("Sync automatically"), required=False, initial=True)


class WorkingHoursForm(forms.Form):
    days = forms.TypedMultipleChoiceField(label=_("Working days"), choices=WEEKDAYS, coerce=int,
                                          widget=forms.CheckboxSelectMultiple)
    day_start = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    day_end = forms.TimeField(label=_("Until"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
