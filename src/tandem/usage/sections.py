"""The "Product usage" section of the Account 360 page, from the daily roll-ups only."""

from __future__ import annotations

from typing import Any

from tandem.accounts.sections import AccountSection, register_section
from tandem.usage import selectors


def _context(actor: Any, account: Any) -> dict[str, Any] | None:
    summary = selectors.account_usage_summary(actor=actor, account=account)
    if summary is None:
        return None
    return {"usage": summary}


def _merge_usage(actor: Any, kept: Any, removed: Any) -> int:
    from tandem.usage.services import usage_move_account

    return usage_move_account(kept_id=kept.pk, removed_id=removed.pk)


def register() -> None:
    from tandem.accounts.merge import register_merge_step

    register_merge_step("usage", _merge_usage)
    register_section(AccountSection(key="usage", order=40, template="usage/account_section.html",
                                    context=_context))
