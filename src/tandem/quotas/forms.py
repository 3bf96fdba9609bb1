"""Forms of the quota page: set one person's quota, or the same quota for everyone holding a role."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.quotas.choices import Metric, Period


class QuotaForm(forms.Form):
    person = forms.ChoiceField(label=_("Person or role"))
    metric = forms.ChoiceField(label=_("Metric"), choices=Metric.choices)
    period = forms.ChoiceField(label=_("Period"), choices=Period.choices)
    period_start = forms.DateField(label=_("Any day of the period"), widget=forms.DateInput(attrs={"type": "date"}))
    target = forms.DecimalField(label=_("Target"), min_value=0, max_digits=14, decimal_places=2)

    def __init__(self, *args: Any, people: list[Any], roles: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = (  # type: ignore[attr-defined]
            [(f"user:{user.public_id}", str(user)) for user in people]
            + [(f"role:{role.code}", str(_("Everyone who is %(role)s") % {"role": role.name})) for role in roles])
