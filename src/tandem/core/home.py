"""Cards on the home page ("My day"), contributed by the apps that own the data.

The web app sits at the top and renders the page; each app registers a card in its AppConfig.ready: a
template and a function returning the card's context for the signed-in user, or None to leave it out (show
only what exists). Cards are ordered by ``order``; the home page renders them in a grid."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

CardContext = Callable[[Any], dict[str, Any] | None]


@dataclass(frozen=True)
class HomeCard:
    key: str
    order: int
    template: str
    context: CardContext


_CARDS: dict[str, HomeCard] = {}


def register_home_card(card: HomeCard) -> None:
    _CARDS[card.key] = card


@dataclass(frozen=True)
class RenderedCard:
    key: str
    template: str
    context: dict[str, Any]


def home_cards_for(*, actor: Any) -> list[RenderedCard]:
    rendered = []
    for card in sorted(_CARDS.values(), key=lambda item: (item.order, item.key)):
        context = card.context(actor)
        if context is not None:
            rendered.append(RenderedCard(card.key, card.template, context))
    return rendered
