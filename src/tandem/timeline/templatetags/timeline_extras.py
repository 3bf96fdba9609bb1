from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from tandem.timeline.extras import activity_extras as registered_extras

register = template.Library()


@register.simple_tag(takes_context=True)
def activity_extras(context: Any, activity: Any) -> SafeString:
    """What other apps registered to show under ``activity`` (timeline.extras)."""
    request = context.get("request")
    return format_html_join("", "{}", ((render_to_string(name, {"activity": activity, "user": context.get("user")},
                                                           request=request),) for name in registered_extras()))
