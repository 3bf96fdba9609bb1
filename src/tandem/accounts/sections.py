"""Sections of the Account 360 page contributed by other apps.

The accounts app sits low in the dependency order, so it cannot import contacts, tickets or health.
Instead those apps register a section here (in their AppConfig.ready): a template and a function that
returns the section's context for (actor, account), or None to hide the section — show only what exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SectionContext = Callable[[Any, Any], dict[str, Any] | None]


@dataclass(frozen=True)
class AccountSection:
    key: str
    order: int
    template: str
    context: SectionContext


_SECTIONS: dict[str, AccountSection] = {}


def register_section(section: AccountSection) -> None:
    _SECTIONS[section.key] = section


@dataclass(frozen=True)
class RenderedSection:
    key: str
    template: str
    context: dict[str, Any]


def sections_for(*, actor: Any, account: Any) -> list[RenderedSection]:
    rendered = []
    for section in sorted(_SECTIONS.values(), key=lambda item: item.order):
        context = section.context(actor, account)
        if context is not None:
            rendered.append(RenderedSection(section.key, section.template, context))
    return rendered
