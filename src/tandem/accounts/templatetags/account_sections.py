from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from tandem.accounts.sections import RenderedSection

register = template.Library()


@register.simple_tag(takes_context=True)
def render_section(context: Any, section: RenderedSection) -> SafeString:
    """Render one Account 360 section with its own context plus the page's account and request."""
    data = {"account": context.get("account"), **section.context}
    return render_to_string(section.template, data, request=context.get("request"))
