"""The audit log's filter form: validates the query string; the selector applies it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.audit.models import AuditAction
from tandem.audit.selectors import AuditFilters, ObjectType


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Who (email)"), required=False, max_length=254)
    object_type = forms.ChoiceField(label=_("Record type"), required=False)
    action = forms.ChoiceField(label=_("What"), required=False,
                               choices=[("", _("Any")), *AuditAction.choices])
    q = forms.CharField(label=_("Record or summary contains"), required=False, max_length=200)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, object_types: list[ObjectType], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("Any")), *((item.name, item.label) for item in object_types)]
        field = self.fields["object_type"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("Choose a day on or after the start date."))
        return cleaned

    def filters(self) -> AuditFilters:
        """The validated filters (call after is_valid())."""
        data = self.cleaned_data
        return AuditFilters(actor_email=data.get("actor", "").strip(), object_type=data.get("object_type", ""),
                            action=data.get("action", ""), text=data.get("q", "").strip(),
                            since=data.get("since"), until=data.get("until"))
