"""The contacts section of the Account 360 page."""

from __future__ import annotations

from typing import Any

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.accounts.sections import AccountSection, register_section
from tandem.contacts import selectors


def _context(actor: Any, account: Any) -> dict[str, Any] | None:
    if not can(actor, Action.VIEW, resource="contact"):
        return None
    contacts = selectors.contacts_of_account(actor=actor, account=account)
    return {"contacts": list(contacts[:25]), "contact_count": contacts.count(),
            "can_add_contact": can(actor, Action.CREATE, resource="contact")}


def register() -> None:
    register_section(AccountSection(key="contacts", order=10, template="contacts/account_section.html",
                                    context=_context))
