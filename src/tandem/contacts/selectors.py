"""Reads for contacts, scoped by the access module."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from tandem.access.choices import Action
from tandem.access.decide import restrict
from tandem.accounts.models import Account
from tandem.contacts.models import Contact, ContactAccountChange
from tandem.core.exceptions import NotFound


@dataclass(frozen=True)
class ContactFilters:
    search: str = ""
    account_public_id: str = ""
    buying_role: str = ""


def contact_list(*, actor: Any, action: str = Action.VIEW, filters: ContactFilters | None = None) -> QuerySet[Contact]:
    filters = filters or ContactFilters()
    contacts = restrict(Contact.objects.select_related("account"), actor, action)
    if filters.search:
        term = filters.search.strip()
        digits = "".join(ch for ch in term if ch.isdigit())
        condition = (Q(first_name__icontains=term) | Q(last_name__icontains=term) | Q(email__icontains=term)
                     | Q(title__icontains=term))
        if len(digits) >= 4:
            condition |= Q(phones__icontains=digits)
        contacts = contacts.filter(condition)
    if filters.account_public_id:
        contacts = contacts.filter(account__public_id=filters.account_public_id)
    if filters.buying_role:
        contacts = contacts.filter(buying_role=filters.buying_role)
    return contacts


def contact_get(*, actor: Any, public_id: str) -> Contact:
    contact = contact_list(actor=actor).filter(public_id=public_id).first()
    if contact is None:
        raise NotFound("No such contact.")
    return contact


def contacts_of_account(*, actor: Any, account: Account) -> QuerySet[Contact]:
    return contact_list(actor=actor).filter(account=account)


def contact_account_history(*, actor: Any, contact: Contact) -> QuerySet[ContactAccountChange]:
    return contact.account_changes.select_related("from_account", "to_account", "changed_by")
