from __future__ import annotations

import pytest

from tandem.accounts import services as account_services
from tandem.core import events


def test_publish_reaches_subscribers_in_order_and_checks_the_payload(monkeypatch):
    monkeypatch.setattr(events, "_SUBSCRIBERS", {"account.created": []})
    seen = []
    events.subscribe("account.created", lambda actor, account: seen.append(("first", account)))
    events.subscribe("account.created", lambda actor, account: seen.append(("second", account)))
    events.publish("account.created", actor=None, account="acme")
    assert seen == [("first", "acme"), ("second", "acme")]
    with pytest.raises(TypeError):
        events.publish("account.created", actor=None)
    with pytest.raises(LookupError):
        events.subscribe("no.such.event", print)


def test_services_publish_stage_changes_inside_their_transaction(am, monkeypatch):
    from collections import defaultdict

    monkeypatch.setattr(events, "_SUBSCRIBERS", defaultdict(list))
    changes = []
    events.subscribe("account.stage_changed", lambda actor, account, change: changes.append(
        (account.name, change.from_stage, change.to_stage, actor)))
    account = account_services.account_create(actor=am, name="Evented", lifecycle_stage="trial")
    account_services.account_update(actor=am, account=account, lifecycle_stage="onboarding")
    account_services.account_update(actor=am, account=account, name="Evented GmbH")  # no stage change
    assert changes == [("Evented", "", "trial", am), ("Evented", "trial", "onboarding", am)]


def test_a_failing_subscriber_rolls_the_change_back(am, monkeypatch):
    from collections import defaultdict

    from tandem.accounts.models import Account

    monkeypatch.setattr(events, "_SUBSCRIBERS", defaultdict(list))

    def refuse(**_payload):
        raise RuntimeError("listener failed")

    events.subscribe("account.created", refuse)
    with pytest.raises(RuntimeError):
        account_services.account_create(actor=am, name="Never")
    assert not Account.objects.filter(name="Never").exists()
