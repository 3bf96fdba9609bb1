"""The files section of the Account 360 page, and the account-merge step that moves files."""

from __future__ import annotations

from typing import Any

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.accounts.merge import register_merge_step
from tandem.accounts.sections import AccountSection, register_section
from tandem.files import selectors


def _context(actor: Any, account: Any) -> dict[str, Any] | None:
    if not can(actor, Action.VIEW, resource="file"):
        return None
    return {"files": list(selectors.file_list(actor=actor, account=account)[:50]),
            "can_upload": can(actor, Action.CREATE, resource="file") and can(actor, Action.CHANGE, account)}


def register() -> None:
    register_section(AccountSection(key="files", order=20, template="files/account_section.html", context=_context))
    from tandem.accounts.merge import move_by_account
    from tandem.files.models import StoredFile

    register_merge_step("files", move_by_account(StoredFile))
