"""Forms of the health pages (they only validate; views pass cleaned data to the services)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.health import logic
from tandem.health.choices import ComponentKind, PlaybookRole, Segment


class OverrideForm(forms.Form):
    score = forms.IntegerField(label=_("Score"), min_value=0, max_value=100)
    reason = forms.CharField(label=_("Reason"), max_length=500)
    expires_on = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("expires_on", (timezone.now() + datetime.timedelta(days=30)).date())


class ResolveForm(forms.Form):
    reason = forms.CharField(label=_("How was the risk resolved?"), max_length=1000,
                             widget=forms.TextInput(attrs={"size": 24}))  # one line: the board stays a list


SETTINGS = ("name", "segment", "active", "red_below", "green_from", "window_days", "drop_points", "drop_days")


class ScorecardForm(forms.Form):
    """The scorecard's settings and, for every component, its weight (0: not used) and thresholds."""

    name = forms.CharField(label=_("Name"), max_length=120)
    segment = forms.ChoiceField(label=_("Segment (account tier)"), choices=Segment.choices, required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    red_below = forms.IntegerField(label=_("Red below"), min_value=0, max_value=100, initial=40)
    green_from = forms.IntegerField(label=_("Green from"), min_value=0, max_value=100, initial=70)
    window_days = forms.IntegerField(label=_("Window (days)"), min_value=7, max_value=365, initial=30)
    drop_points = forms.IntegerField(label=_("Code red on a drop of (points)"), min_value=0, max_value=100,
                                     initial=20)
    drop_days = forms.IntegerField(label=_("within (days)"), min_value=1, max_value=90, initial=14)
    preview_account = forms.CharField(label=_("Preview on account (id, optional)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in ComponentKind.choices:
            weight, bad, good = logic.DEFAULTS[kind]
            self.fields[f"weight_{kind}"] = forms.IntegerField(label=label, min_value=0, max_value=1000,
                                                               initial=weight)
            self.fields[f"bad_{kind}"] = forms.FloatField(label=_("No points at"), initial=bad)
            self.fields[f"good_{kind}"] = forms.FloatField(label=_("All points at"), initial=good)

    def settings_fields(self) -> list[Any]:
        return [self[name] for name in SETTINGS]

    def component_fields(self) -> list[tuple[Any, Any, Any, Any]]:
        return [(label, self[f"weight_{kind}"], self[f"bad_{kind}"], self[f"good_{kind}"])
                for kind, label in ComponentKind.choices]

    def components(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [{"kind": kind, "weight": data[f"weight_{kind}"], "bad": data[f"bad_{kind}"],
                 "good": data[f"good_{kind}"]} for kind in ComponentKind.values]

    def settings(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data[name] for name in SETTINGS}


class PlaybookStepForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200, required=False)
    role = forms.ChoiceField(label=_("Assigned to"), choices=PlaybookRole.choices)
    due_days = forms.IntegerField(label=_("Due after (days)"), min_value=0, max_value=365, initial=1)


PlaybookFormSet = forms.formset_factory(PlaybookStepForm, extra=2, max_num=20)
