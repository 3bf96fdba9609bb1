"""Writes for accounts: authorise → validate → write → audit, in one transaction."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.accounts.choices import StatusFlag
from tandem.accounts.models import DOMAIN_PATTERN, Account, AccountStageChange, SavedView
from tandem.audit.models import AuditAction
from tandem.audit.services import audit_created, audit_deleted, audit_record, diff, snapshot
from tandem.core.events import publish
from tandem.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from tandem.customfields.services import custom_values_apply, expand_custom_changes

EDITABLE_FIELDS = (
    "name", "domain", "other_domains", "industry", "country", "employee_band", "currency", "tier",
    "lifecycle_stage", "parent", "external_id", "status_flags", "owner", "team", "custom",
)
AUDITED_FIELDS = EDITABLE_FIELDS
MAX_HIERARCHY_DEPTH = 20


def account_validate(*, account: Account) -> None:
    """Normalise and validate an unsaved or changed account (used by imports for dry runs)."""
    _normalise(account)
    _validated(account)


def _normalise(account: Account) -> None:
    account.name = account.name.strip()
    account.domain = _clean_domain(account.domain)
    account.other_domains = sorted({_clean_domain(d) for d in (account.other_domains or []) if str(d).strip()}
                                   - {account.domain})
    account.industry = account.industry.strip()
    account.country = account.country.strip().upper()
    account.currency = account.currency.strip().upper()
    account.external_id = account.external_id.strip()
    account.status_flags = sorted(set(account.status_flags or []))


def _clean_domain(value: Any) -> str:
    domain = str(value or "").strip().lower()
    domain = re.sub(r"^https?://", "", domain).split("/")[0]
    return domain.removeprefix("www.")


def _validated(account: Account) -> None:
    errors: dict[str, list[str]] = {}
    try:
        # Field checks only: the two constraints are checked below without Django's query per constraint (external
        # id: one query; own parent: in _hierarchy_problem), and the public id is generated (the database
        # enforces all three on write). That was 4 of the ~5 queries an account's dry run cost.
        account.full_clean(exclude=["other_domains", "status_flags"], validate_unique=False,
                           validate_constraints=False)
    except ValidationError as error:
        errors.update(error.message_dict)
    bad_domains = [d for d in account.other_domains if not re.match(DOMAIN_PATTERN, d)]
    if bad_domains:
        errors["other_domains"] = [_("Not a domain: %(domain)s") % {"domain": d} for d in bad_domains]
    unknown_flags = sorted(set(account.status_flags) - set(StatusFlag.values))
    if unknown_flags:
        errors["status_flags"] = [_("Unknown status flag: %(flag)s") % {"flag": f} for f in unknown_flags]
    if account.parent_id is not None:
        problem = _hierarchy_problem(account)
        if problem:
            errors["parent"] = [problem]
    if account.external_id:
        clash = Account.objects.filter(external_id=account.external_id).exclude(pk=account.pk).exists()
        if clash:
            errors["external_id"] = [_("Another account already has this external id.")]
    if errors:
        raise ValidationFailed(_("The account is invalid."), errors=errors)


def _hierarchy_problem(account: Account) -> str | None:
    """A parent that is the account itself or one of its descendants would make a loop."""
    if account.pk is not None and account.parent_id == account.pk:
        return _("An account cannot be its own parent.")
    seen: set[int] = set()
    ancestor_id = account.parent_id
    while ancestor_id is not None:
        if account.pk is not None and ancestor_id == account.pk:
            return _("This parent would make a loop in the account hierarchy.")
        if ancestor_id in seen or len(seen) > MAX_HIERARCHY_DEPTH:
            return _("The account hierarchy is too deep.")
        seen.add(ancestor_id)
        ancestor_id = Account.objects.filter(pk=ancestor_id).values_list("parent_id", flat=True).first()
    return None


def _check_parent_visible(actor: Any, parent: Account | None) -> None:
    if parent is not None and not can(actor, Action.VIEW, parent):
        raise ValidationFailed(_("Unknown parent account."), errors={"parent": [_("Unknown parent account.")]})


def account_create(*, actor: Any, name: str, **fields: Any) -> Account:
    """Create an account; ``fields`` are any of EDITABLE_FIELDS. The owner defaults to the actor."""
    if not can(actor, Action.CREATE, resource="account"):
        raise PermissionDenied(_("You may not create accounts."))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown fields."), errors={name: [_("Unknown field.")] for name in unknown})
    fields = {key: value for key, value in fields.items() if value is not None}
    _check_parent_visible(actor, fields.get("parent"))
    fields["custom"] = custom_values_apply(actor=actor, resource="account", current={},
                                           changes=fields.get("custom"), creating=True)
    account = Account(name=name, **fields)
    if account.owner_id is None and getattr(actor, "pk", None) and not getattr(actor, "is_system", False):
        account.owner = actor
    _normalise(account)
    _validated(account)
    try:
        with transaction.atomic():
            account.save()
            first_stage = AccountStageChange.objects.create(account=account, from_stage="",
                                                            to_stage=account.lifecycle_stage,
                                                            changed_by=_user_or_none(actor))
            audit_created(actor=actor, obj=account, fields=AUDITED_FIELDS)
            publish("account.created", actor=actor, account=account)
            publish("account.stage_changed", actor=actor, account=account, change=first_stage)
    except IntegrityError:
        raise Conflict(_("An account with this external id already exists."),
                       errors={"external_id": [_("Already in use.")]}) from None
    return account


def account_update(*, actor: Any, account: Account, **changes: Any) -> Account:
    """Change the given fields (any of EDITABLE_FIELDS). Stage changes are recorded with who and when."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown fields."), errors={name: [_("Unknown field.")] for name in unknown})
    if not can(actor, Action.CHANGE, account):
        raise PermissionDenied(_("You may not change this account."))
    if "parent" in changes:
        _check_parent_visible(actor, changes["parent"])
    with transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        before = snapshot(locked, AUDITED_FIELDS)
        old_stage = locked.lifecycle_stage
        if "custom" in changes:
            changes["custom"] = custom_values_apply(actor=actor, resource="account", current=locked.custom,
                                                    changes=changes["custom"], creating=False)
        for name, value in changes.items():
            setattr(locked, name, value)
        _normalise(locked)
        _validated(locked)
        changed = expand_custom_changes(diff(before, snapshot(locked, AUDITED_FIELDS)))
        if changed:
            locked.save()
            stage_change = None
            if locked.lifecycle_stage != old_stage:
                stage_change = AccountStageChange.objects.create(account=locked, from_stage=old_stage,
                                                                 to_stage=locked.lifecycle_stage,
                                                                 changed_by=_user_or_none(actor))
            audit_record(actor=actor, action=AuditAction.CHANGE, obj=locked, changes=changed)
            if stage_change is not None:
                publish("account.stage_changed", actor=actor, account=locked, change=stage_change)
    return locked


# What deleting an account would destroy for good and so refuses: each app registers a function that describes
# the account's records of its kind ("3 subscriptions"), or returns "" when it has none.
_DELETION_GUARDS: dict[str, Callable[[Account], str]] = {}


def register_deletion_guard(name: str, describe: Callable[[Account], str]) -> None:
    _DELETION_GUARDS[name] = describe


def account_deletion_blockers(account: Account) -> list[str]:
    """Why the account may not be deleted (empty when it may): its revenue and pipeline history."""
    return [text for text in (describe(account) for describe in _DELETION_GUARDS.values()) if text]


def account_delete(*, actor: Any, account: Account) -> None:
    """Delete an account created by mistake. An account with revenue or pipeline history is refused: deleting it
    would cascade to its subscriptions and opportunities and rewrite past MRR, churn and win rates. A customer who
    left is marked churned; a duplicate is merged into the account it duplicates (which keeps everything)."""
    if not can(actor, Action.DELETE, account):
        raise PermissionDenied(_("You may not delete this account."))
    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=account.pk)
        blockers = account_deletion_blockers(account)
        if blockers:
            raise Conflict(_("%(account)s has history that deleting it would destroy (%(history)s). Set its stage "
                             "to churned if the customer left, or merge it into the account it duplicates.")
                           % {"account": account.name, "history": ", ".join(blockers)})
        audit_deleted(actor=actor, obj=account, fields=AUDITED_FIELDS)
        account.delete()


def _user_or_none(actor: Any) -> Any:
    return None if getattr(actor, "is_system", False) or getattr(actor, "pk", None) is None else actor


LIST_URLS = {"account": "/accounts/", "contact": "/contacts/"}
# The list parameters a saved view keeps: filters (``cf_<key>`` for custom fields), sort and columns.
KEPT_PARAMETERS = {"q", "tier", "stage", "role", "account", "owner", "member", "email_opt_out", "sort", "columns",
                   "custom"}


def saved_view_create(*, actor: Any, resource: str, name: str, query: str, team_id: int | None) -> SavedView:
    if resource not in LIST_URLS:
        raise ValidationFailed(_("Unknown list."))
    name = name.strip()[:100]
    if not name:
        raise ValidationFailed(_("Give the view a name."), errors={"name": [_("Give the view a name.")]})
    cleaned = urlencode([(key, value) for key, value in parse_qsl(query)
                         if key in KEPT_PARAMETERS or key.startswith("cf_")])
    team = None
    if team_id:
        team = actor.teams.filter(pk=team_id).first() or actor.managed_teams.filter(pk=team_id).first()
        if team is None:
            raise PermissionDenied(_("You can only share with your own teams."))
    try:
        with transaction.atomic():
            view = SavedView.objects.create(owner=actor, resource=resource, name=name, query=cleaned, team=team)
            audit_created(actor=actor, obj=view, fields=("name", "resource", "query", "team"))
    except IntegrityError:
        raise ValidationFailed(_("You already have a view with this name."),
                               errors={"name": [_("You already have a view with this name.")]}) from None
    return view


def saved_view_delete_own(*, actor: Any, public_id: str) -> str:
    """Delete one of the actor's own views; returns its resource."""
    view = SavedView.objects.filter(public_id=public_id, owner_id=getattr(actor, "pk", None)).first()
    if view is None:
        raise NotFound(_("No such view."))
    with transaction.atomic():
        audit_deleted(actor=actor, obj=view, fields=("name", "resource", "query", "team"))
        view.delete()
    return view.resource
