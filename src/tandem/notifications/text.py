"""Notification text written in each recipient's language.

``notify`` renders the title and body once per language among the recipients, under
``translation.override(user.language or LANGUAGE_CODE)``, so a German-speaking follower reads German even when
an English-speaking colleague caused the event. Callers pass text that is translated when rendered:

    from django.utils.translation import gettext_lazy
    from tandem.notifications.text import translatable

    title = translatable(gettext_lazy("%(author)s mentioned you on %(record)s"), author=actor, record=name)

``gettext_lazy("…") % params`` would not do: ``%`` translates at once, in the language active now.

A ``Text`` is a plain ``str`` (used as it is), a lazy string (translated), a ``Translatable``, or any callable
taking the language code and returning the text. A ``Translatable``'s parameters may be lazy strings or
callables without arguments (``change.get_to_stage_display``), evaluated in the recipient's language too."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import override

Text = str | Promise | Callable[[str], str]


@dataclass(frozen=True, eq=False)
class Translatable:
    """``template % params``, translated in the language it is rendered in."""

    template: Any  # a lazily translated string with %(name)s placeholders
    params: Mapping[str, Any]

    def __call__(self, language: str) -> str:
        with override(language):
            return self.render()

    def render(self) -> str:
        """The text in the active language."""
        return str(self.template) % {key: _value(value) for key, value in self.params.items()}

    def __str__(self) -> str:
        return self.render()


def _value(value: Any) -> Any:
    if isinstance(value, Translatable):
        return value.render()
    if isinstance(value, Promise):
        return str(value)
    if callable(value):
        return value()
    return value


def translatable(template: Any, /, **params: Any) -> Translatable:
    """``template`` (from ``gettext_lazy``) filled with ``params`` in each recipient's language."""
    return Translatable(template=template, params=params)


def text_in(text: Text, language: str) -> str:
    """``text`` in ``language``."""
    if isinstance(text, str):
        return text
    with override(language):
        if isinstance(text, Promise):
            return str(text)
        return str(text(language))
