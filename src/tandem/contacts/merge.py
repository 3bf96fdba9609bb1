"""Merging duplicate contacts: the kept contact gains the duplicate's addresses, phones and history; apps
above contacts register merge steps to move their own rows (activities, tickets, survey answers…)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.audit.models import AuditAction
from tandem.audit.registry import register_merged_records
from tandem.audit.services import audit_record, diff, snapshot
from tandem.contacts.models import Contact, ContactAccountChange, ContactMerge
from tandem.contacts.services import EDITABLE_FIELDS, contact_validate
from tandem.core.exceptions import PermissionDenied, ValidationFailed
from tandem.customfields.services import expand_custom_changes

MergeStep = Callable[[Any, Contact, Contact], int]
_STEPS: dict[str, MergeStep] = {}
MERGEABLE_FIELDS = ("first_name", "last_name", "email", "title", "buying_role", "language", "time_zone", "account",
                    "external_id")


def register_merge_step(name: str, step: MergeStep) -> None:
    _STEPS[name] = step


def move_by_contact(model: Any, field: str) -> MergeStep:
    """The step for rows that point at the contact: re-point the duplicate's rows at the kept one."""

    def step(actor: Any, kept: Contact, removed: Contact) -> int:
        return int(model.objects.filter(**{field: removed}).update(**{field: kept}))

    return step


def move_contact_links(model: Any, field: str) -> MergeStep:
    """The step for a many-to-many field to contacts (an activity's or a meeting's contacts): the duplicate's
    links become the kept contact's; a record that had both keeps one link."""

    def step(actor: Any, kept: Contact, removed: Contact) -> int:
        relation = model._meta.get_field(field)
        through = relation.remote_field.through
        source, target = relation.m2m_field_name(), relation.m2m_reverse_field_name()
        both = through.objects.filter(**{target: kept}).values(source)
        through.objects.filter(**{target: removed, f"{source}__in": both}).delete()
        return int(through.objects.filter(**{target: removed}).update(**{target: kept}))

    return step


def move_generic(model: Any, type_field: str, id_field: str) -> MergeStep:
    """The step for rows pointing at the contact through a generic relation (comments, tasks)."""

    def step(actor: Any, kept: Contact, removed: Contact) -> int:
        from django.contrib.contenttypes.models import ContentType

        contact_type = ContentType.objects.get_for_model(Contact)
        return int(model.objects.filter(**{type_field: contact_type, id_field: removed.pk})
                   .update(**{id_field: kept.pk}))

    return step


def _store_first_account(contact: Contact, account_id: int | None) -> None:
    """Write a contact's first account as a history row (— → account, when it was created). Normally it is derived
    (contact_account_history): from its earliest move, or its account; a merge mixes two histories, after which
    neither can be derived."""
    oldest = ContactAccountChange.objects.filter(contact=contact).order_by("changed_at", "id").first()
    first = oldest.from_account_id if oldest is not None else account_id
    if first is not None:
        ContactAccountChange.objects.create(contact=contact, from_account_id=None, to_account_id=first,
                                            changed_at=contact.created_at)


def _move_account_history(actor: Any, kept: Contact, removed: Contact) -> int:
    stored = dict(Contact.objects.filter(pk__in=[kept.pk, removed.pk]).values_list("pk", "account_id"))
    for contact in (kept, removed):  # the accounts as stored: the merge may have changed the kept one's already
        _store_first_account(contact, stored[contact.pk])
    return ContactAccountChange.objects.filter(contact=removed).update(contact=kept)


register_merge_step("account_history", _move_account_history)


def merged_duplicates(contact: Contact) -> dict[str, str]:
    """Internal key -> public id of every duplicate merged into ``contact``, for its audit history."""
    return {str(pk): public_id for pk, public_id in contact.merges.values_list("removed_pk", "removed_public_id")}


def register() -> None:
    register_merged_records("contact", merged_duplicates)


def contact_merge(*, actor: Any, kept: Contact, removed: Contact,
                  choose_from_removed: Mapping[str, bool] | None = None) -> ContactMerge:
    if kept.pk == removed.pk:
        raise ValidationFailed(_("Choose two different contacts."), errors={"removed": [_("Same contact.")]})
    if not can(actor, Action.CHANGE, kept) or not can(actor, Action.DELETE, removed):
        raise PermissionDenied(_("You need permission to change both contacts and delete the duplicate."))
    choices = {field: bool(take) for field, take in (choose_from_removed or {}).items()}
    unknown = set(choices) - set(MERGEABLE_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown fields."), errors={name: [_("Unknown field.")] for name in unknown})
    with transaction.atomic():
        locked = {c.pk: c for c in Contact.objects.select_for_update().filter(pk__in=[kept.pk, removed.pk])}
        kept, removed = locked[kept.pk], locked[removed.pk]
        before = snapshot(kept, EDITABLE_FIELDS)
        removed_values = snapshot(removed, EDITABLE_FIELDS)
        emails = {kept.email, removed.email, *kept.other_emails, *removed.other_emails} - {""}
        for field, take in choices.items():
            if take:
                setattr(kept, field, getattr(removed, field))
        kept.other_emails = sorted(emails - {kept.email})
        kept.phones = list(dict.fromkeys([*kept.phones, *removed.phones]))
        kept.custom = {**removed.custom, **kept.custom}
        kept.email_opt_out = kept.email_opt_out or removed.email_opt_out  # an opt-out is never lost
        kept.survey_opt_out = kept.survey_opt_out or removed.survey_opt_out
        if choices.get("external_id"):
            removed.external_id = ""
            removed.save(update_fields=["external_id"])
        moved = {name: step(actor, kept, removed) for name, step in _STEPS.items()}
        # Duplicates merged into the duplicate earlier now belong to the kept contact (and so does their history).
        ContactMerge.objects.filter(kept=removed).update(kept=kept)
        contact_validate(contact=kept)
        kept.save()
        record = ContactMerge.objects.create(
            kept=kept, removed_pk=removed.pk, removed_public_id=removed.public_id, removed_name=str(removed)[:200],
            snapshot=removed_values, moved=moved, merged_by=None if getattr(actor, "is_system", False) else actor)
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=kept,
                     changes=expand_custom_changes(diff(before, snapshot(kept, EDITABLE_FIELDS))),
                     summary=_("Merged %(name)s (%(id)s) into this contact") % {"name": removed,
                                                                               "id": removed.public_id})
        audit_record(actor=actor, action=AuditAction.DELETE, obj=removed,
                     changes={name: [value, None] for name, value in removed_values.items() if value},
                     summary=_("Merged into %(name)s (%(id)s)") % {"name": kept, "id": kept.public_id})
        removed.delete()
    return record
