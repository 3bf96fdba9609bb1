"""The "Subscriptions" section of the Account 360 page, the recurring-revenue roll-up to the parent, and the
account-merge step (a duplicate's subscriptions and their history move to the kept account)."""

from __future__ import annotations

from typing import Any

from django.utils.formats import number_format

from tandem.access.choices import Action
from tandem.access.decide import can, field_access
from tandem.accounts.merge import register_merge_step
from tandem.accounts.rollups import RollupMetric, register_rollup
from tandem.accounts.sections import AccountSection, register_section
from tandem.contracts import selectors
from tandem.core.exceptions import DomainError


def _context(actor: Any, account: Any) -> dict[str, Any] | None:
    if not can(actor, Action.VIEW, resource="subscription"):
        return None
    subscriptions = list(selectors.subscriptions_of_account(actor=actor, account=account))
    can_read = field_access(actor, "subscription", "pricing").can_read
    context: dict[str, Any] = {
        "subscriptions": subscriptions, "can_read_pricing": can_read,
        "can_add_subscription": can(actor, Action.CREATE, resource="subscription"),
        "changes": [],
    }
    if subscriptions:
        context["changes"] = list(selectors.account_changes(actor=actor, account=account)[:20])
    if can_read:
        try:
            context["mrr"] = selectors.account_mrr(actor=actor, account=account)
        except DomainError as error:
            context["mrr_error"] = error.message
    return context


def _mrr_in_hierarchy(actor: Any, account_ids: list[int]) -> str | None:
    """Roll-up: today's MRR of the visible subscriptions over the account and its visible descendants, in the
    workspace currency (None: the actor sees no subscriptions or may not read pricing)."""
    if not can(actor, Action.VIEW, resource="subscription"):
        return None
    if not field_access(actor, "subscription", "pricing").can_read:
        return None
    try:
        figure = selectors.accounts_mrr(actor=actor, account_ids=account_ids)
    except DomainError as error:
        return error.message
    return f"{number_format(figure.mrr, 2, force_grouping=True)} {figure.currency}"


def _merge_subscriptions(actor: Any, kept: Any, removed: Any) -> int:
    from tandem.contracts.services import move_subscriptions

    return move_subscriptions(actor=actor, kept=kept, removed=removed)


def _subscriptions_held(account: Any) -> str:
    from django.utils.translation import ngettext

    from tandem.contracts.models import Subscription

    count = Subscription.objects.filter(account=account).count()
    return ngettext("%(count)s subscription", "%(count)s subscriptions", count) % {"count": count} if count else ""


def register() -> None:
    from django.utils.translation import gettext_lazy

    from tandem.accounts.services import register_deletion_guard

    register_rollup(RollupMetric("mrr", gettext_lazy("MRR (with child accounts)"), _mrr_in_hierarchy, order=20))
    register_merge_step("subscriptions", _merge_subscriptions)
    register_deletion_guard("subscriptions", _subscriptions_held)
    register_section(AccountSection(key="subscriptions", order=8, template="contracts/account_section.html",
                                    context=_context))
