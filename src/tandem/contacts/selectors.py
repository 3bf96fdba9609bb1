"""Reads for contacts, scoped by the access module."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from tandem.access.choices import Action
from tandem.access.decide import restrict
from tandem.accounts.models import Account, AccountTeamMember
from tandem.contacts.models import Contact
from tandem.core.exceptions import NotFound
from tandem.customfields.queries import apply_custom_filters, sorted_by
from tandem.customfields.selectors import readable_fields


@dataclass(frozen=True)
class ContactFilters:
    """``owner_email``: contacts at accounts this user owns; ``member_email``: at accounts where this user holds
    an account-team seat; ``custom``: (key, value) pairs of custom fields the actor may read."""

    search: str = ""
    account_public_id: str = ""
    buying_role: str = ""
    owner_email: str = ""
    member_email: str = ""
    email_opt_out: bool | None = None
    custom: tuple[tuple[str, str], ...] = ()


def contact_list(*, actor: Any, action: str = Action.VIEW, filters: ContactFilters | None = None) -> QuerySet[Contact]:
    """The contacts ``actor`` may ``action`` (view by default), filtered."""
    filters = filters or ContactFilters()
    contacts = restrict(Contact.objects.select_related("account", "account__owner"), actor, action)
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
    if filters.owner_email:
        contacts = contacts.filter(account__owner__email=filters.owner_email.strip().lower())
    if filters.member_email:
        seats = AccountTeamMember.objects.filter(user__email=filters.member_email.strip().lower())
        contacts = contacts.filter(account_id__in=seats.values("account_id"))
    if filters.email_opt_out is not None:
        contacts = contacts.filter(email_opt_out=filters.email_opt_out)
    if filters.custom:
        readable = {f.key for f in readable_fields(actor=actor, resource="contact")}
        contacts = apply_custom_filters(contacts, resource="contact", filters=filters.custom, readable=readable)
    return contacts


SORTS = {"name": ("last_name", "first_name", "id"), "-name": ("-last_name", "-first_name", "-id"),
         "email": ("email", "id"), "-email": ("-email", "-id"), "created": ("created_at", "id"),
         "-created": ("-created_at", "-id"), "updated": ("updated_at", "id"), "-updated": ("-updated_at", "-id")}


def contact_sorted(*, actor: Any, contacts: QuerySet[Contact], sort: str) -> tuple[QuerySet[Contact], tuple[str, ...]]:
    """The queryset and keyset ordering for ``sort``: a built-in key or ``custom.<key>`` (``-`` for descending)."""
    return sorted_by(contacts, actor=actor, resource="contact", sort=sort, sorts=SORTS, default="name")


def contact_get(*, actor: Any, public_id: str) -> Contact:
    contact = contact_list(actor=actor).filter(public_id=public_id).first()
    if contact is None:
        raise NotFound("No such contact.")
    return contact


def contacts_of_account(*, actor: Any, account: Account) -> QuerySet[Contact]:
    return contact_list(actor=actor).filter(account=account)


@dataclass(frozen=True)
class AccountPlacement:
    """A line of a contact's account history: a move (a ContactAccountChange) or where the contact was created."""

    changed_at: Any
    from_account: Account | None
    to_account: Account | None
    created: bool = False


def contact_account_history(*, actor: Any, contact: Contact, limit: int = 10) -> list[AccountPlacement]:
    """The contact's moves between accounts, newest first, ending with the account it was created at. Moves are
    rows of ContactAccountChange; the first account is not stored twice: it is where the earliest move came from,
    or the contact's account if it never moved (older databases also hold a row "— → account" for it)."""
    moves = list(contact.account_changes.select_related("from_account", "to_account")[:limit + 1])
    lines = [AccountPlacement(move.changed_at, move.from_account, move.to_account) for move in moves[:limit]]
    if len(moves) <= limit and len(lines) < limit:
        first = moves[-1].from_account if moves else contact.account
        if first is not None:
            lines.append(AccountPlacement(contact.created_at, None, first, created=True))
    return lines
