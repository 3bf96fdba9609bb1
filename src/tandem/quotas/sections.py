"""The home card "My quota": each of my quotas of the current period with its attainment."""

from __future__ import annotations

from typing import Any

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.quotas import selectors


def quota_card(actor: Any) -> dict[str, Any] | None:
    if not can(actor, Action.VIEW, resource="quota"):
        return None
    items = selectors.my_attainments(actor=actor)
    return {"attainments": items} if items else None
