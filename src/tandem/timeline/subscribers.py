"""Domain events from lower apps become timeline entries. Each handler runs inside the publisher's transaction,
so the entry commits (or rolls back) with the change it describes."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from tandem.accounts.choices import LifecycleStage
from tandem.core.events import subscribe
from tandem.timeline.choices import ActivityType
from tandem.timeline.services import record_system_activity


def _stage_label(code: str) -> str:
    return str(LifecycleStage(code).label) if code in LifecycleStage.values else code


def on_account_created(*, actor: Any, account: Any) -> None:
    record_system_activity(actor=actor, account=account, type=ActivityType.SYSTEM_EVENT,
                           subject=_("Account created"), source=account,
                           payload={"event": "account_created", "stage": account.lifecycle_stage})


def on_stage_changed(*, actor: Any, account: Any, change: Any) -> None:
    """"Trial → Onboarding", by whoever changed it. The first stage of a new account is part of its creation."""
    if not change.from_stage:
        return
    record_system_activity(actor=change.changed_by or actor, account=account, type=ActivityType.STAGE_CHANGE,
                           subject=f"{_stage_label(change.from_stage)} → {_stage_label(change.to_stage)}",
                           occurred_at=change.changed_at, source=change,
                           payload={"from": change.from_stage, "to": change.to_stage})


def on_team_changed(*, actor: Any, account: Any, change: Any) -> None:
    """"Carla CSM became Customer success manager" (or left the seat, or replaced someone)."""
    role = change.role.name
    if change.to_user is not None and change.from_user is not None:
        subject = _("%(user)s replaced %(previous)s as %(role)s") % {
            "user": change.to_user, "previous": change.from_user, "role": role}
    elif change.to_user is not None:
        subject = _("%(user)s became %(role)s") % {"user": change.to_user, "role": role}
    else:
        subject = _("%(user)s is no longer %(role)s") % {"user": change.from_user, "role": role}
    record_system_activity(actor=change.changed_by or actor, account=account, type=ActivityType.SYSTEM_EVENT,
                           subject=subject, occurred_at=change.changed_at, source=change,
                           participants=[user for user in (change.to_user, change.from_user) if user is not None],
                           payload={"event": "team_changed", "role": change.role.code,
                                    "reason": change.reason})


def on_contact_account_changed(*, actor: Any, contact: Any, change: Any) -> None:
    """One entry on each account: the contact left one and joined the other (without naming the other
    account, which the first account's readers may not see)."""
    if change.from_account is not None:
        record_system_activity(actor=change.changed_by or actor, account=change.from_account,
                               type=ActivityType.SYSTEM_EVENT, occurred_at=change.changed_at, source=change,
                               subject=_("%(contact)s left this account") % {"contact": contact},
                               contacts=[contact], payload={"event": "contact_left"})
    if change.to_account is not None:
        record_system_activity(actor=change.changed_by or actor, account=change.to_account,
                               type=ActivityType.SYSTEM_EVENT, occurred_at=change.changed_at, source=change,
                               subject=_("%(contact)s joined this account") % {"contact": contact},
                               contacts=[contact], payload={"event": "contact_joined"})


def subscribe_all() -> None:
    subscribe("account.created", on_account_created)
    subscribe("account.stage_changed", on_stage_changed)
    subscribe("account.team_changed", on_team_changed)
    subscribe("contact.account_changed", on_contact_account_changed)
