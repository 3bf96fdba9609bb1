"""Domain events that notify followers. Handlers run inside the publisher's transaction (core.events), so the
notification and its outbox rows commit or roll back with the change; delivery happens in a job after commit.

Event keys are named after the record that describes the event (``accounts.accountstagechange:42``), so when the
timeline turns the same change into an activity and announces ``activity.created``, followers still hear about it
once — and for stage and team changes, from the handler here, whose text is in each follower's language."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy

from tandem.core.events import declare, subscribe
from tandem.notifications.records import record_url
from tandem.notifications.services import followers_notify
from tandem.notifications.text import translatable

FOLLOW_ACTIVITY = "follow_activity"
# Changes announced by the handlers below, in each follower's language. The timeline turns the same changes into
# activities whose subject is written in the actor's language; those activities are not announced again.
ANNOUNCED_HERE = frozenset({"accounts.accountstagechange", "accounts.accountteamchange"})


def _key(obj: Any) -> str:
    content_type = ContentType.objects.get_for_model(type(obj))
    return f"{content_type.app_label}.{content_type.model}:{obj.pk}"


def _label(obj: Any, field: str) -> str:
    display = getattr(obj, f"get_{field}_display", None)
    return str(display()) if callable(display) else str(getattr(obj, field, ""))


def on_stage_changed(*, actor: Any, account: Any, change: Any) -> None:
    if not change.from_stage:  # the first stage of a new account is part of its creation
        return
    # Labels are looked up when each follower's text is rendered, so they are in the follower's language.
    old, new = partial(_label, change, "from_stage"), partial(_label, change, "to_stage")
    followers_notify(obj=account, actor=actor, kind=FOLLOW_ACTIVITY,
                     title=translatable(gettext_lazy("%(account)s moved to %(stage)s"), account=account, stage=new),
                     body=translatable(gettext_lazy("Lifecycle stage: %(old)s → %(new)s"), old=old, new=new),
                     url=record_url(account), event_key=_key(change))


def on_team_changed(*, actor: Any, account: Any, change: Any) -> None:
    role = change.role.name
    if change.to_user is not None:
        body = translatable(gettext_lazy("%(user)s is now %(role)s."), user=change.to_user, role=role)
    else:
        body = translatable(gettext_lazy("%(user)s is no longer %(role)s."), user=change.from_user, role=role)
    followers_notify(obj=account, actor=actor, kind=FOLLOW_ACTIVITY,
                     title=translatable(gettext_lazy("Account team of %(account)s changed"), account=account),
                     body=body, url=record_url(account), event_key=_key(change))


def on_activity_created(*, actor: Any, activity: Any) -> None:
    account = activity.account
    if account is None:
        return
    source_type_id = getattr(activity, "source_type_id", None)
    source_id = getattr(activity, "source_id", None)
    if source_type_id and source_id:
        content_type = ContentType.objects.get_for_id(source_type_id)
        if f"{content_type.app_label}.{content_type.model}" in ANNOUNCED_HERE:
            return
        event_key = f"{content_type.app_label}.{content_type.model}:{source_id}"
    else:
        event_key = _key(activity)

    def kind_label() -> str:  # in the language of the follower being notified
        return _label(activity, "type") if hasattr(activity, "type") else ""

    subject = getattr(activity, "subject", "") or kind_label
    followers_notify(obj=account, actor=actor, kind=FOLLOW_ACTIVITY,
                     title=translatable(gettext_lazy("%(account)s: %(subject)s"), account=account, subject=subject),
                     body=lambda _language: kind_label(), url=record_url(activity) or record_url(account),
                     event_key=event_key)


def subscribe_all() -> None:
    subscribe("account.stage_changed", on_stage_changed)
    subscribe("account.team_changed", on_team_changed)
    declare("activity.created", ("activity",))  # idempotent: the timeline declares the same event
    subscribe("activity.created", on_activity_created)
