"""Where the renewals list gets its health column from: a small registry a health app plugs into.

    register_health_provider(lambda account_ids: {account_id: HealthBadge("Green", "green"), ...})

Until a provider is registered the column shows "—". The provider takes internal account ids (the page's rows,
already visible to the reader) and returns a badge per account it knows."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class HealthBadge:
    label: str
    tone: str = ""  # green, yellow, red (a CSS hint)


HealthProvider = Callable[[list[int]], dict[int, HealthBadge]]
_PROVIDER: list[HealthProvider] = []


def register_health_provider(provider: HealthProvider) -> None:
    """Replace the provider (one health app at a time)."""
    _PROVIDER[:] = [provider]


def clear_health_provider() -> None:
    _PROVIDER.clear()


def health_of(account_ids: Iterable[int]) -> dict[int, HealthBadge]:
    """The badges of these accounts; empty when no health app has registered."""
    if not _PROVIDER:
        return {}
    return _PROVIDER[0](list(account_ids))
