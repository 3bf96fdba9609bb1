"""Adds a record type's custom fields to a Django form, and reads them back out."""

from __future__ import annotations

from typing import Any

from django import forms

from tandem.customfields.choices import FieldType
from tandem.customfields.logic import display
from tandem.customfields.models import CustomField
from tandem.customfields.selectors import readable_fields, writable_fields

PREFIX = "custom__"


def _form_field(field: CustomField, *, disabled: bool) -> forms.Field:
    common: dict[str, Any] = {"label": field.label, "required": False, "help_text": field.help_text,
                              "disabled": disabled}
    kind = field.field_type
    if kind == FieldType.LONG_TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    if kind == FieldType.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == FieldType.CHOICE:
        return forms.ChoiceField(choices=[("", "—"), *[(c, c) for c in field.choices]], **common)
    if kind == FieldType.MULTI_CHOICE:
        return forms.MultipleChoiceField(choices=[(c, c) for c in field.choices],
                                         widget=forms.CheckboxSelectMultiple, **common)
    if kind == FieldType.BOOLEAN:
        return forms.ChoiceField(choices=[("", "—"), ("yes", "✓"), ("no", "✗")], **common)
    if kind == FieldType.MONEY:
        common["help_text"] = field.help_text or "1200.50 EUR"
    return forms.CharField(**common)


def add_custom_fields(form: forms.Form, *, actor: Any, resource: str, values: dict[str, Any] | None) -> None:
    """Add one form field per readable custom field; fields the actor may not write are shown disabled."""
    writable = {f.key for f in writable_fields(actor=actor, resource=resource)}
    for field in readable_fields(actor=actor, resource=resource):
        name = PREFIX + field.key
        form.fields[name] = _form_field(field, disabled=field.key not in writable)
        value = (values or {}).get(field.key)
        if value is None:
            continue
        if field.field_type == FieldType.MONEY:
            form.initial[name] = display(field.field_type, value)
        elif field.field_type == FieldType.BOOLEAN:
            form.initial[name] = "yes" if value else "no"
        else:
            form.initial[name] = value


def custom_changes(form: forms.Form) -> dict[str, Any]:
    """The submitted custom values (key -> raw), excluding disabled fields; pop them from cleaned_data."""
    changes = {}
    for name in list(form.cleaned_data):
        if name.startswith(PREFIX):
            value = form.cleaned_data.pop(name)
            if not form.fields[name].disabled:
                changes[name[len(PREFIX):]] = value
    return changes


def custom_display(*, actor: Any, resource: str, values: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, text) for every readable field with a value, for detail pages."""
    return [(field.label, display(field.field_type, values.get(field.key)))
            for field in readable_fields(actor=actor, resource=resource) if values.get(field.key) not in (None, "", [])]
