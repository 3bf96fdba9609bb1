"""Contacts API: /api/v1/contacts."""

from __future__ import annotations

from typing import Any

from ninja import Query, Router, Schema
from ninja.responses import Status

from tandem.accounts import selectors as account_selectors
from tandem.accounts.models import Account
from tandem.api.auth import api_actor
from tandem.api.pagination import paginate
from tandem.contacts import merge, selectors, services
from tandem.contacts.choices import BuyingRole
from tandem.contacts.models import Contact
from tandem.contacts.schemas import ContactIn, ContactOut, ContactPage, ContactPatch
from tandem.core.exceptions import NotFound, ValidationFailed
from tandem.customfields.lists import custom_filter_pairs
from tandem.customfields.selectors import readable_values
from tandem.identity.requests import AuthedRequest

router = Router(tags=["contacts"])
NULLABLE_FIELDS = {"account", "buying_role"}


def _out(contact: Contact, actor: Any) -> dict[str, Any]:
    account = contact.account
    return {
        "id": contact.public_id,
        "custom": readable_values(actor=actor, resource="contact", values=contact.custom),
        "account": {"id": account.public_id, "name": account.name} if account else None,
        **{name: getattr(contact, name) for name in (
            "first_name", "last_name", "email", "other_emails", "phones", "title", "buying_role", "language",
            "time_zone", "email_opt_out", "survey_opt_out", "external_id", "created_at", "updated_at")},
    }


def _account(actor: Any, public_id: str | None) -> Account | None:
    if not public_id:
        return None
    try:
        return account_selectors.account_get(actor=actor, public_id=public_id)
    except NotFound:
        raise ValidationFailed("Unknown account.",
                               errors={"account": [f"No visible account with id {public_id}."]}) from None


@router.get("", response=ContactPage, operation_id="contacts_contact_list")
def contact_list(request: AuthedRequest, limit: int | None = None, cursor: str | None = None, q: str = "",
                 account: str | None = None, buying_role: BuyingRole | None = None, owner: str | None = None,
                 member: str | None = None, email_opt_out: bool | None = None, custom: list[str] = Query([]),
                 sort: str = "name") -> dict[str, Any]:
    """List visible contacts. ``owner`` and ``member`` are emails (or ``me``): contacts at accounts that user
    owns, or where the user holds an account-team seat. ``custom=key:value`` filters by a custom field
    (repeatable); ``sort`` is name, -name, email, -email, created, -created, updated, -updated or
    custom.<key> / -custom.<key>."""
    actor = api_actor(request, scope="contacts:read")
    filters = selectors.ContactFilters(search=q, account_public_id=account or "", buying_role=buying_role or "",
                                       owner_email=_person(actor, owner), member_email=_person(actor, member),
                                       email_opt_out=email_opt_out, custom=custom_filter_pairs(custom))
    contacts, ordering = selectors.contact_sorted(actor=actor, contacts=selectors.contact_list(actor=actor,
                                                                                               filters=filters),
                                                  sort=sort)
    page = paginate(contacts, ordering=ordering, limit=limit, cursor=cursor)
    return {"items": [_out(contact, actor) for contact in page.items], "next_cursor": page.next_cursor}


def _person(actor: Any, value: str | None) -> str:
    return actor.email if (value or "").strip().lower() == "me" else (value or "").strip()


@router.post("", response={201: ContactOut}, operation_id="contacts_contact_create")
def contact_create(request: AuthedRequest, payload: ContactIn) -> Status:
    actor = api_actor(request, scope="contacts:write")
    fields = payload.dict(exclude={"account"})
    fields["buying_role"] = fields["buying_role"] or ""
    contact = services.contact_create(actor=actor, account=_account(actor, payload.account), **fields)
    return Status(201, _out(contact, actor))


@router.get("/{contact_id}", response=ContactOut, operation_id="contacts_contact_get")
def contact_get(request: AuthedRequest, contact_id: str) -> dict[str, Any]:
    actor = api_actor(request, scope="contacts:read")
    return _out(selectors.contact_get(actor=actor, public_id=contact_id), actor)


@router.patch("/{contact_id}", response=ContactOut, operation_id="contacts_contact_update")
def contact_update(request: AuthedRequest, contact_id: str, payload: ContactPatch) -> dict[str, Any]:
    actor = api_actor(request, scope="contacts:write")
    contact = selectors.contact_get(actor=actor, public_id=contact_id)
    changes: dict[str, Any] = payload.dict(exclude_unset=True)
    for name in list(changes):
        if changes[name] is None and name not in NULLABLE_FIELDS:
            raise ValidationFailed("This field cannot be null.", errors={name: ["May not be null."]})
    if "account" in changes:
        changes["account"] = _account(actor, changes["account"])
    if "buying_role" in changes:
        changes["buying_role"] = changes["buying_role"] or ""
    return _out(services.contact_update(actor=actor, contact=contact, **changes), actor)


@router.delete("/{contact_id}", response={204: None}, operation_id="contacts_contact_delete")
def contact_delete(request: AuthedRequest, contact_id: str) -> Status:
    actor = api_actor(request, scope="contacts:write")
    services.contact_delete(actor=actor, contact=selectors.contact_get(actor=actor, public_id=contact_id))
    return Status(204, None)


class ContactMergeIn(Schema):
    duplicate: str
    take_from_duplicate: list[str] = []


@router.post("/{contact_id}/merge", response=ContactOut, operation_id="contacts_contact_merge")
def contact_merge(request: AuthedRequest, contact_id: str, payload: ContactMergeIn) -> dict[str, Any]:
    """Fold the duplicate into this contact; addresses, phones, history and opt-outs are kept (audited)."""
    actor = api_actor(request, scope="contacts:write")
    kept = selectors.contact_get(actor=actor, public_id=contact_id)
    duplicate = selectors.contact_get(actor=actor, public_id=payload.duplicate)
    merge.contact_merge(actor=actor, kept=kept, removed=duplicate,
                        choose_from_removed={field: True for field in payload.take_from_duplicate})
    return _out(selectors.contact_get(actor=actor, public_id=contact_id), actor)
