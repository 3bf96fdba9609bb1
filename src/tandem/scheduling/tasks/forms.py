"""Task forms: they only validate; views pass cleaned data to the services."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from tandem.scheduling.tasks.choices import TaskPriority

REPEAT_CHOICES = [
    ("", _("Does not repeat")),
    ("FREQ=DAILY", _("Every day")),
    ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", _("Every weekday")),
    ("FREQ=WEEKLY", _("Every week")),
    ("FREQ=WEEKLY;INTERVAL=2", _("Every two weeks")),
    ("FREQ=MONTHLY", _("Every month")),
    ("FREQ=MONTHLY;INTERVAL=3", _("Every quarter")),
    ("FREQ=YEARLY", _("Every year")),
    ("custom", _("Custom rule (RRULE)")),
]
REMINDER_CHOICES = [
    ("", _("No reminder")),
    ("0", _("When due")),
    ("15", _("15 minutes before")),
    ("60", _("1 hour before")),
    ("1440", _("1 day before")),
    ("10080", _("1 week before")),
]


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    assignee = forms.ChoiceField(label=_("Assignee"))
    account = forms.CharField(label=_("Account"), required=False,
                              help_text=_("Start typing a name and pick the account."))
    due_date = forms.DateField(label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    due_time = forms.TimeField(label=_("Due time"), required=False, widget=forms.TimeInput(attrs={"type": "time"}),
                               help_text=_("Leave empty for a task due that day. Times are in your time zone."))
    priority = forms.ChoiceField(label=_("Priority"), choices=TaskPriority.choices, initial=TaskPriority.NORMAL)
    repeat = forms.ChoiceField(label=_("Repeats"), choices=REPEAT_CHOICES, required=False)
    recurrence = forms.CharField(label=_("Custom rule"), required=False, max_length=500,
                                 help_text=_("An RFC 5545 RRULE, e.g. FREQ=MONTHLY;BYMONTHDAY=1;COUNT=12."))
    reminder = forms.ChoiceField(label=_("Reminder"), choices=REMINDER_CHOICES, required=False)

    def __init__(self, *args, people: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["assignee"]).choices = people
        self.fields["account"].widget.attrs.update({
            "list": "account-options", "autocomplete": "off", "hx-get": reverse_lazy("accounts:account-lookup"),
            "hx-trigger": "input changed delay:250ms", "hx-target": "#account-options", "hx-swap": "innerHTML",
        })

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("due_time") and not data.get("due_date"):
            self.add_error("due_date", _("Give a date for the time."))
        repeat = data.get("repeat") or ""
        data["rule"] = (data.get("recurrence") or "").strip() if repeat == "custom" else repeat
        if repeat == "custom" and not data["rule"]:
            self.add_error("recurrence", _("Write the rule, or choose how the task repeats."))
        reminder = data.get("reminder")
        data["reminder_minutes"] = int(reminder) if reminder not in (None, "") else None
        return data
