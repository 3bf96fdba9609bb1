"""The contacts section of the Account 360 page, and the registry of sections on the contact page (apps above
contacts — the timeline — register theirs here, as they do for the Account 360 page in accounts.sections)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.accounts.merge import register_merge_step
from tandem.accounts.sections import AccountSection, RenderedSection, register_section
from tandem.contacts import selectors


@dataclass(frozen=True)
class ContactSection:
    """A section of the contact page: ``context(actor, contact)`` returns its context, or None to hide it."""

    key: str
    order: int
    template: str
    context: Callable[[Any, Any], dict[str, Any] | None]


_CONTACT_SECTIONS: dict[str, ContactSection] = {}


def register_contact_section(section: ContactSection) -> None:
    _CONTACT_SECTIONS[section.key] = section


def contact_sections_for(*, actor: Any, contact: Any) -> list[RenderedSection]:
    rendered = []
    for section in sorted(_CONTACT_SECTIONS.values(), key=lambda item: item.order):
        context = section.context(actor, contact)
        if context is not None:
            rendered.append(RenderedSection(section.key, section.template, context))
    return rendered


def _context(actor: Any, account: Any) -> dict[str, Any] | None:
    if not can(actor, Action.VIEW, resource="contact"):
        return None
    contacts = selectors.contacts_of_account(actor=actor, account=account)
    return {"contacts": list(contacts[:25]), "contact_count": contacts.count(),
            "can_add_contact": can(actor, Action.CREATE, resource="contact")}


def _merge_contacts(actor: Any, kept: Any, removed: Any) -> int:
    """Account merge step: the duplicate's contacts move to the kept account, with their move history."""
    from tandem.contacts.models import Contact, ContactAccountChange

    contact_ids = list(Contact.objects.filter(account=removed).values_list("pk", flat=True))
    ContactAccountChange.objects.bulk_create(
        ContactAccountChange(contact_id=pk, from_account=removed, to_account=kept,
                             changed_by=None if getattr(actor, "is_system", False) else actor)
        for pk in contact_ids)
    return Contact.objects.filter(pk__in=contact_ids).update(account=kept)


def _contacts_in_hierarchy(actor: Any, account_ids: list[int]) -> int | None:
    """Roll-up: the visible contacts of an account and its descendants (None: the actor sees no contacts)."""
    from tandem.access.decide import restrict
    from tandem.contacts.models import Contact

    if not can(actor, Action.VIEW, resource="contact"):
        return None
    return restrict(Contact.objects.filter(account_id__in=account_ids), actor).count()


def register() -> None:
    from django.utils.translation import gettext_lazy

    from tandem.accounts.rollups import RollupMetric, register_rollup

    register_rollup(RollupMetric("contacts", gettext_lazy("Contacts"), _contacts_in_hierarchy, order=10))
    register_merge_step("contacts", _merge_contacts)
    register_section(AccountSection(key="contacts", order=10, template="contacts/account_section.html",
                                    context=_context))
