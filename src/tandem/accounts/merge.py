"""Merging duplicate accounts without losing anything.

Related records of the duplicate move to the kept account. Apps above accounts (contacts, files,
timeline, tickets…) register a merge step here, so a merge moves their rows too without accounts
importing them. The duplicate's own field values are kept in an AccountMerge snapshot and its audit
history stays readable on the kept account.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.accounts.models import Account, AccountMerge, AccountStageChange, AccountTeamChange, AccountTeamMember
from tandem.accounts.services import AUDITED_FIELDS, _normalise, _validated
from tandem.audit.models import AuditAction
from tandem.audit.registry import register_merged_records
from tandem.audit.services import audit_record, diff, snapshot
from tandem.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from tandem.customfields.services import expand_custom_changes

# A step moves one kind of related row from ``removed`` to ``kept`` and returns how many it moved.
MergeStep = Callable[[Any, Account, Account], int]
_STEPS: dict[str, MergeStep] = {}

MERGEABLE_FIELDS = ("name", "domain", "industry", "country", "employee_band", "currency", "tier", "lifecycle_stage",
                    "parent", "external_id", "owner", "team")


def register_merge_step(name: str, step: MergeStep) -> None:
    _STEPS[name] = step


def move_by_account(model: Any, field: str = "account") -> MergeStep:
    """The step for rows that simply point at the account: re-point the duplicate's rows at the kept one."""

    def step(actor: Any, kept: Account, removed: Account) -> int:
        return int(model.objects.filter(**{field: removed}).update(**{field: kept}))

    return step


def merge_steps() -> list[str]:
    """The names of the registered steps (a merge record's ``moved`` has one count per step)."""
    return list(_STEPS)


def _move_children(actor: Any, kept: Account, removed: Account) -> int:
    return Account.objects.filter(parent=removed).exclude(pk=kept.pk).update(parent=kept)


def _move_team(actor: Any, kept: Account, removed: Account) -> int:
    """Seats the kept account lacks come over; where both have a seat, the kept account's holder stays."""
    taken = set(AccountTeamMember.objects.filter(account=kept).values_list("role_id", flat=True))
    moved = AccountTeamMember.objects.filter(account=removed).exclude(role_id__in=taken).update(account=kept)
    AccountTeamMember.objects.filter(account=removed).delete()
    AccountTeamChange.objects.filter(account=removed).update(account=kept)
    return moved


def _move_stage_history(actor: Any, kept: Account, removed: Account) -> int:
    return AccountStageChange.objects.filter(account=removed).update(account=kept)


register_merge_step("children", _move_children)
register_merge_step("team", _move_team)
register_merge_step("stage_history", _move_stage_history)


def merged_duplicates(account: Account) -> dict[str, str]:
    """Internal key -> public id of every duplicate merged into ``account``, for its audit history."""
    return {str(pk): public_id for pk, public_id in account.merges.values_list("removed_pk", "removed_public_id")}


def register() -> None:
    register_merged_records("account", merged_duplicates)


def account_merge(*, actor: Any, kept: Account, removed: Account,
                  choose_from_removed: Mapping[str, bool] | None = None) -> AccountMerge:
    """Fold ``removed`` into ``kept``. ``choose_from_removed[field]`` True takes that field's value from the
    duplicate. Refused unless the actor may change ``kept`` and delete ``removed``."""
    if kept.pk == removed.pk:
        raise ValidationFailed(_("Choose two different accounts."), errors={"removed": [_("Same account.")]})
    if not can(actor, Action.CHANGE, kept) or not can(actor, Action.DELETE, removed):
        raise PermissionDenied(_("You need permission to change both accounts and delete the duplicate."))
    choices = dict(choose_from_removed or {})
    unknown = set(choices) - set(MERGEABLE_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown fields."), errors={name: [_("Unknown field.")] for name in unknown})
    with transaction.atomic():
        locked = {a.pk: a for a in Account.objects.select_for_update().filter(pk__in=[kept.pk, removed.pk])}
        if len(locked) != 2:
            raise NotFound(_("No such account."))
        kept, removed = locked[kept.pk], locked[removed.pk]
        before = snapshot(kept, AUDITED_FIELDS)
        removed_values = snapshot(removed, AUDITED_FIELDS)
        all_domains = {kept.domain, removed.domain, *kept.other_domains, *removed.other_domains} - {""}
        for field, take in choices.items():
            if take:
                setattr(kept, field, getattr(removed, field))
        if choices.get("parent") and kept.parent_id == kept.pk:
            kept.parent = None
        kept.other_domains = sorted(all_domains - {kept.domain})
        kept.status_flags = sorted(set(kept.status_flags) | set(removed.status_flags))
        kept.custom = {**removed.custom, **kept.custom}  # the kept account's values win; gaps are filled
        external_id = removed.external_id
        removed.external_id = ""  # free the unique external id before the kept account may take it
        removed.save(update_fields=["external_id"])
        if choices.get("external_id"):
            kept.external_id = external_id
        moved = {name: step(actor, kept, removed) for name, step in _STEPS.items()}
        # Duplicates merged into the duplicate earlier now belong to the kept account (and so does their history).
        AccountMerge.objects.filter(kept=removed).update(kept=kept)
        _normalise(kept)
        _validated(kept)
        kept.save()
        record = AccountMerge.objects.create(
            kept=kept, removed_pk=removed.pk, removed_public_id=removed.public_id, removed_name=removed.name,
            snapshot=removed_values, chosen={k: bool(v) for k, v in choices.items()}, moved=moved,
            merged_by=None if getattr(actor, "is_system", False) else actor,
        )
        changes = expand_custom_changes(diff(before, snapshot(kept, AUDITED_FIELDS)))
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=kept, changes=changes,
                     summary=_("Merged %(name)s (%(id)s) into this account") % {"name": removed.name,
                                                                               "id": removed.public_id})
        audit_record(actor=actor, action=AuditAction.DELETE, obj=removed,
                     changes={name: [value, None] for name, value in removed_values.items() if value},
                     summary=_("Merged into %(name)s (%(id)s)") % {"name": kept.name, "id": kept.public_id})
        removed.delete()
    return record
