from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``{{ mapping|get_item:key }}`` for dictionaries in templates."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def iso_date(value: Any) -> Any:
    """``{{ "2027-11-28"|iso_date|date:"SHORT_DATE_FORMAT" }}``: an ISO date kept in a payload, as a date to format
    in the reader's locale (unchanged when it is not one)."""
    import datetime

    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return value
