"""Writes for contacts: authorise → validate → write → audit."""

from __future__ import annotations

import functools
import re
import zoneinfo
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.access.choices import Action
from tandem.access.decide import can, restrict
from tandem.accounts.models import Account
from tandem.audit.models import AuditAction
from tandem.audit.services import (
    audit_created,
    audit_created_many,
    audit_deleted,
    audit_record,
    audit_save_many,
    audit_values,
    diff,
    snapshot,
)
from tandem.contacts.logic import normalise_email, normalise_phone
from tandem.contacts.models import Contact, ContactAccountChange
from tandem.core.bulk import insert_many, insert_rows
from tandem.core.events import publish
from tandem.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from tandem.customfields.services import custom_field_definitions, custom_values_apply, expand_custom_changes

EDITABLE_FIELDS = ("account", "first_name", "last_name", "email", "other_emails", "phones", "title", "buying_role",
                   "language", "time_zone", "email_opt_out", "survey_opt_out", "external_id", "custom")
# The everyday address (dot-atom local part, ASCII host names): a strict subset of what Django's validate_email
# accepts, checked in ~1 µs instead of ~20; anything else goes to Django's validator (IP
# literals, internationalised domains, localhost). A property test holds the subset claim.
PLAIN_EMAIL = re.compile(r"[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+(?:\.[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+)*"
                         r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
                         r"(?!-)(?:[A-Za-z-]{2,63}|xn--[A-Za-z0-9]{1,59})(?<!-)")  # top-level domain: no digits


def email_is_valid(address: str) -> bool:
    if len(address) <= 320 and PLAIN_EMAIL.fullmatch(address):
        return True
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True


LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
PHONE_ERRORS = {
    "unparseable": "Not a phone number: %(phone)s",
    "invalid": "Not a valid phone number: %(phone)s (add the country code, e.g. +49)",
}


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())  # reads the tz database from disk: once per process


@functools.cache
def _text_field_rules() -> tuple[tuple[str, int, frozenset[str]], ...]:
    """(name, max length, allowed choices) of every text field (emails are checked separately)."""
    return tuple((f.name, f.max_length, frozenset(str(code) for code, _label in f.choices or ()))
                 for f in Contact._meta.concrete_fields
                 if f.get_internal_type() == "CharField" and f.max_length and f.name not in ("email", "public_id"))


def contact_validate(*, contact: Contact) -> None:
    """Normalise and validate an unsaved or changed contact (used by imports for dry runs)."""
    _normalise_and_validate(contact)


def _normalise_and_validate(contact: Contact) -> None:
    errors: dict[str, list[str]] = {}
    contact.first_name = contact.first_name.strip()
    contact.last_name = contact.last_name.strip()
    contact.title = contact.title.strip()
    contact.email = normalise_email(contact.email)
    contact.other_emails = [normalise_email(e) for e in (contact.other_emails or []) if str(e).strip()]
    for address in ([contact.email] if contact.email else []) + contact.other_emails:
        if not email_is_valid(address):
            errors.setdefault("email" if address == contact.email else "other_emails", []).append(
                _("Not a valid email address: %(email)s") % {"email": address})
    contact.other_emails = sorted(set(contact.other_emails) - {contact.email})
    region = contact.account.country if contact.account_id and contact.account else ""
    phones = []
    for raw in contact.phones or []:
        if not str(raw).strip():
            continue
        result = normalise_phone(str(raw), default_region=region)
        if result.error:
            errors.setdefault("phones", []).append(_(PHONE_ERRORS.get(result.error, PHONE_ERRORS["invalid"]))
                                                  % {"phone": raw})
        elif result.normalised not in phones:
            phones.append(result.normalised)
    contact.phones = phones
    contact.language = contact.language.strip()
    if contact.language and not LANGUAGE_TAG.match(contact.language):
        errors.setdefault("language", []).append(_("Use a language code such as de, ko or zh-Hans."))
    if contact.time_zone and contact.time_zone not in _time_zones():
        errors.setdefault("time_zone", []).append(_("Unknown time zone: %(zone)s") % {"zone": contact.time_zone})
    if not (contact.first_name or contact.last_name or contact.email):
        errors.setdefault("last_name", []).append(_("Give the contact a name or an email address."))
    for name, max_length, choices in _text_field_rules():  # what clean_fields checks, without its overhead
        value = getattr(contact, name)
        if len(value) > max_length:
            errors.setdefault(name, []).append(
                _("At most %(limit)d characters (this has %(length)d).")
                % {"limit": max_length, "length": len(value)})
        elif choices and value and value not in choices:
            errors.setdefault(name, []).append(_("Value %(value)r is not a valid choice.") % {"value": value})
    if errors:
        raise ValidationFailed(_("The contact is invalid."), errors=errors)


def _check_account(actor: Any, account: Account | None) -> None:
    if account is not None and not can(actor, Action.VIEW, account):
        raise ValidationFailed(_("Unknown account."), errors={"account": [_("Unknown account.")]})


def contact_create(*, actor: Any, **fields: Any) -> Contact:
    if not can(actor, Action.CREATE, resource="contact"):
        raise PermissionDenied(_("You may not create contacts."))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown fields."), errors={name: [_("Unknown field.")] for name in unknown})
    _check_account(actor, fields.get("account"))
    fields["custom"] = custom_values_apply(actor=actor, resource="contact", current={},
                                           changes=fields.get("custom"), creating=True)
    contact = Contact(**{key: value for key, value in fields.items() if value is not None})
    _normalise_and_validate(contact)
    with transaction.atomic():
        contact.save()  # its first account is recorded by the creation (history rows record moves)
        audit_created(actor=actor, obj=contact, fields=EDITABLE_FIELDS)
        publish("contact.created", actor=actor, contact=contact)
    return contact


def contact_update(*, actor: Any, contact: Contact, **changes: Any) -> Contact:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown fields."), errors={name: [_("Unknown field.")] for name in unknown})
    if not can(actor, Action.CHANGE, contact):
        raise PermissionDenied(_("You may not change this contact."))
    if "account" in changes:
        _check_account(actor, changes["account"])
    with transaction.atomic():
        locked = Contact.objects.select_for_update(of=("self",)).select_related("account").filter(
            pk=contact.pk).first()
        if locked is None:
            raise NotFound(_("This contact no longer exists."))
        before = snapshot(locked, EDITABLE_FIELDS)
        old_account = locked.account
        if "custom" in changes:
            changes["custom"] = custom_values_apply(actor=actor, resource="contact", current=locked.custom,
                                                    changes=changes["custom"], creating=False)
        for name, value in changes.items():
            setattr(locked, name, value)
        _normalise_and_validate(locked)
        changed = expand_custom_changes(diff(before, snapshot(locked, EDITABLE_FIELDS)))
        if changed:
            locked.save()
            if locked.account_id != (old_account.pk if old_account else None):
                move = ContactAccountChange.objects.create(contact=locked, from_account=old_account,
                                                           to_account=locked.account, changed_by=_user(actor))
                publish("contact.account_changed", actor=actor, contact=locked, change=move)
            audit_record(actor=actor, action=AuditAction.CHANGE, obj=locked, changes=changed)
    return locked


def contact_import_many(*, actor: Any, creates: list[Contact],
                        updates: list[tuple[Contact, dict[str, Any]]]) -> dict[str, int]:
    """Create and update many contacts in a few statements (imports). Same rules as contact_create and
    contact_update: authorised, validated (``creates`` already by contact_validate, with their custom values
    applied; each update's changes again here, under a row lock), moves between accounts kept in the history,
    every contact audited. Raises like those services; the caller then retries row by row to find the culprit."""
    if not creates and not updates:
        return {"created": 0, "updated": 0, "unchanged": 0}
    if creates and not can(actor, Action.CREATE, resource="contact"):
        raise PermissionDenied(_("You may not create contacts."))
    account_ids = {c.account_id for c in creates if c.account_id} | {
        changes["account"].pk for _contact, changes in updates if changes.get("account") is not None}
    if account_ids and restrict(Account.objects.filter(pk__any_of=account_ids), actor).count() != len(account_ids):
        raise ValidationFailed(_("Unknown account."), errors={"account": [_("Unknown account.")]})
    update_ids = [contact.pk for contact, _changes in updates]
    if update_ids and restrict(Contact.objects.filter(pk__in=update_ids), actor,
                               Action.CHANGE).count() != len(set(update_ids)):
        raise PermissionDenied(_("You may not change this contact."))
    history: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    counts = {"created": len(creates), "updated": 0, "unchanged": 0}
    with transaction.atomic():
        if creates:
            insert_many(Contact, creates)  # no history row for a first account: the creation records it
            audit_created_many(actor=actor, objects=creates, fields=EDITABLE_FIELDS)
        if updates:
            counts.update(_update_many(actor, updates, history, entries))
        insert_rows(ContactAccountChange, history)
        audit_save_many(entries)
    return counts


def _update_many(actor: Any, updates: list[tuple[Contact, dict[str, Any]]], history: list[dict[str, Any]],
                 entries: list[dict[str, Any]]) -> dict[str, int]:
    locked = Contact.objects.select_for_update(of=("self",)).select_related("account").in_bulk(
        [contact.pk for contact, _changes in updates])
    definitions = custom_field_definitions(resource="contact")
    now = timezone.now()
    changed_rows = []
    for contact, changes in updates:
        row = locked.get(contact.pk)
        if row is None:
            raise NotFound(_("This contact no longer exists."))
        before = snapshot(row, EDITABLE_FIELDS)
        old_account = row.account
        changes = dict(changes)
        if "custom" in changes:
            changes["custom"] = custom_values_apply(actor=actor, resource="contact", current=row.custom,
                                                    changes=changes["custom"], creating=False,
                                                    definitions=definitions)
        for name, value in changes.items():
            setattr(row, name, value)
        _normalise_and_validate(row)
        changed = expand_custom_changes(diff(before, snapshot(row, EDITABLE_FIELDS)))
        if not changed:
            continue
        row.updated_at = now
        changed_rows.append(row)
        if row.account_id != (old_account.pk if old_account else None):
            history.append({"contact_id": row.pk, "from_account_id": old_account.pk if old_account else None,
                            "to_account_id": row.account_id, "changed_by_id": getattr(_user(actor), "pk", None),
                            "changed_at": now})
        entries.append(audit_values(actor=actor, action=AuditAction.CHANGE, obj=row, changes=changed))
    Contact.objects.bulk_update(changed_rows, [*EDITABLE_FIELDS, "updated_at"], batch_size=500)
    return {"updated": len(changed_rows), "unchanged": len(updates) - len(changed_rows)}


def contact_delete(*, actor: Any, contact: Contact) -> None:
    if not can(actor, Action.DELETE, contact):
        raise PermissionDenied(_("You may not delete this contact."))
    with transaction.atomic():
        audit_deleted(actor=actor, obj=contact, fields=EDITABLE_FIELDS)
        contact.delete()


def _user(actor: Any) -> Any:
    return None if getattr(actor, "is_system", False) or getattr(actor, "pk", None) is None else actor
