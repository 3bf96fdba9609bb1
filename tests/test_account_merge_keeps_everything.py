"""Merging two accounts keeps every related record of both (issue 3: "keeping every related record and the
history of both"). Every app that points at accounts registers a merge step; this test gives both accounts a row
of every kind — timeline, meetings, tasks, tickets, leads, opportunities, renewal records, subscriptions,
handoffs, comments, followers, product usage, health — merges them, and checks by counting, for every foreign key
to Account in the whole project, that the kept account now has what both had. An app that adds a foreign key to
Account without a merge step fails here, because its rows vanish with the duplicate."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from tandem.access.decide import SYSTEM
from tandem.accounts import merge
from tandem.accounts.models import Account
from tandem.core.testing.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db

# Foreign keys whose count on the kept account is not simply "kept's + the duplicate's", and why.
NOT_ADDITIVE = {
    "accounts.AccountMerge.kept": "the merge adds its own record",
    "health.HealthSnapshot.account": "a day both accounts were scored keeps the kept account's score",
    "health.ChurnPrediction.account": "one prediction per account; the kept account's is refreshed nightly",
    "contacts.ContactAccountChange.from_account": "moving the duplicate's contacts writes history rows",
    "contacts.ContactAccountChange.to_account": "moving the duplicate's contacts writes history rows",
}


def account_foreign_keys() -> list[tuple[str, type, str]]:
    keys = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is Account:
                keys.append((f"{model._meta.label}.{field.name}", model, field.name))
    return keys


def counts(account: Account) -> dict[str, int]:
    return {key: model._base_manager.filter(**{name: account}).count() for key, model, name in account_foreign_keys()}


def usage_rows(account_id: int) -> dict[str, int]:
    with connection.cursor() as cursor:
        found = {}
        for table in ("usage_event", "usage_dailyuser", "usage_daily"):
            cursor.execute(f"SELECT count(*) FROM {table} WHERE account_id = %s", [account_id])  # noqa: S608
            found[table] = cursor.fetchone()[0]
        return found


def give_everything(account: Account, *, owner, other, role_csm, role_am, day_offset: int, message: str) -> None:
    from tandem.collaboration.models import Comment, Handoff
    from tandem.contracts.models import Product, Subscription
    from tandem.health.models import ChurnPrediction, HealthOverride, HealthSnapshot, RiskFlag
    from tandem.meetings.models import Meeting
    from tandem.notifications.models import Follow
    from tandem.pipeline.models import Lead, Opportunity, Pipeline
    from tandem.renewals.models import RenewalRecord
    from tandem.scheduling.models import Task
    from tandem.tickets.models import Ticket
    from tandem.timeline.models import Activity
    from tandem.usage import services as usage_services

    now = timezone.now()
    today = now.date()
    account_type = ContentType.objects.get_for_model(Account)
    Activity.objects.create(account=account, type="note", subject=f"Note on {account.name}")
    Meeting.objects.create(account=account, title="QBR", organiser=owner, start=now,
                           end=now + datetime.timedelta(hours=1))
    Task.objects.create(account=account, title="Call back")
    Task.objects.create(title="Related only", related_type=account_type, related_id=account.pk)
    Ticket.objects.create(account=account, subject="Broken export")
    Lead.objects.create(account=account, company_name=account.name)
    pipeline = Pipeline.objects.filter(opportunity_type="upsell").first()
    Opportunity.objects.create(account=account, type="upsell", name="More seats", stage=pipeline.stages.first(),
                               currency="USD", close_date=today)
    plan, _created = Product.objects.get_or_create(code="merge-plan", defaults={"name": "Merge plan"})
    subscription = Subscription.objects.create(account=account, plan=plan, currency="USD", seats=5,
                                               unit_price=Decimal(10), mrr=Decimal(50),
                                               start_date=today - datetime.timedelta(days=300),
                                               end_date=today + datetime.timedelta(days=60))
    RenewalRecord.objects.create(subscription=subscription, account=account, end_date=subscription.end_date,
                                 assignment_basis="renewal", mrr=Decimal(50), currency="USD")
    Handoff.objects.create(account=account, from_user=owner, from_role=role_am, to_user=other, to_role=role_csm)
    Comment.objects.create(target_type=account_type, target_id=account.pk, body=f"About {account.name}", author=owner)
    Follow.objects.get_or_create(user=other, content_type=account_type, object_id=account.pk)
    for offset in (0, 1, day_offset):  # days 0 and 1 on both accounts, one day of its own
        HealthSnapshot.objects.create(account=account, day=today - datetime.timedelta(days=offset), score=50,
                                      computed=50, color="yellow", computed_at=now)
    RiskFlag.objects.create(account=account, reason="red", score=30, flagged_at=now)
    HealthOverride.objects.create(account=account, score=80, reason="Known outage",
                                  expires_at=now + datetime.timedelta(days=3))
    ChurnPrediction.objects.create(account=account, probability=0.2, horizon_days=90, observed_on=today,
                                   predicted_at=now)
    moment = now - datetime.timedelta(hours=2)
    usage_services.events_ingest(actor=SYSTEM, items=[
        {"message_id": message, "account": account.public_id, "user": "shared-user", "event": "report.exported",
         "timestamp": moment.isoformat(), "properties": {}},
        {"message_id": f"{message}-2", "account": account.public_id, "user": f"only-{message}",
         "event": "report.exported", "timestamp": moment.isoformat(), "properties": {}}])


def test_a_merge_moves_every_record_that_points_at_the_duplicate(admin, am, csm):
    from tandem.collaboration.models import Handoff
    from tandem.identity.models import Role
    from tandem.notifications.models import Follow
    from tandem.usage.models import Daily, DirtyAccount

    role_am, role_csm = Role.objects.get(code="am"), Role.objects.get(code="csm")
    kept, removed = AccountFactory(name="Acme", owner=am), AccountFactory(name="ACME Inc.", owner=am)
    follower = UserFactory(email="follower@example.test", roles=["csm"])
    give_everything(kept, owner=am, other=follower, role_csm=role_csm, role_am=role_am, day_offset=5, message="k")
    give_everything(removed, owner=am, other=follower, role_csm=role_csm, role_am=role_am, day_offset=7,
                    message="r")
    before_kept, before_removed = counts(kept), counts(removed)
    usage_before = usage_rows(kept.pk), usage_rows(removed.pk)

    record = merge.account_merge(actor=admin, kept=kept, removed=removed)

    after = counts(kept)
    for key, _model, _name in account_foreign_keys():
        if key in NOT_ADDITIVE:
            continue
        assert after[key] == before_kept[key] + before_removed[key], (key, before_kept[key], before_removed[key])
    assert after["accounts.AccountMerge.kept"] == before_kept["accounts.AccountMerge.kept"] + 1
    assert after["health.HealthSnapshot.account"] == 4  # days 0 and 1 (the kept account's), 5 and 7
    assert after["health.ChurnPrediction.account"] == 1
    # both had an open code red: one stays open, the duplicate's is closed saying why; both kept
    from tandem.health.models import RiskFlag

    flags = RiskFlag.objects.filter(account=kept)
    assert flags.count() == 2 and flags.filter(resolved_at__isnull=True).count() == 1
    assert "Merged into Acme" in flags.get(resolved_at__isnull=False).resolution
    # both had a pending handoff to the CSM role: one owner per step, the duplicate's is cancelled
    assert Handoff.objects.filter(account=kept, status="pending").count() == 1
    assert Handoff.objects.filter(account=kept, status="cancelled").count() == 1
    # the person following both accounts follows the kept one once
    assert Follow.objects.filter(user=follower, object_id=kept.pk).count() == 1
    assert not Follow.objects.filter(object_id=removed.pk, content_type__model="account").exists()
    # the tasks related to the duplicate (without an account field) point at the kept account
    from tandem.scheduling.models import Task

    assert Task.objects.filter(related_id=kept.pk, title="Related only").count() == 2
    # product usage: every raw event moved; the day's roll-up adds the events and counts the shared user once
    assert usage_rows(kept.pk)["usage_event"] == usage_before[0]["usage_event"] + usage_before[1]["usage_event"]
    assert usage_rows(removed.pk) == {"usage_event": 0, "usage_dailyuser": 0, "usage_daily": 0}
    rolled = Daily.objects.get(account_id=kept.pk, event="report.exported")
    assert (rolled.events, rolled.users) == (4, 3)  # shared-user, only-k, only-r
    assert DirtyAccount.objects.filter(account_id=kept.pk).exists()  # rescored over the merged data
    assert all(count >= 0 for count in record.moved.values())
    assert {"timeline", "meetings", "tasks", "tickets", "leads", "opportunities", "renewal_records",
            "collaboration", "usage", "health"} <= set(record.moved)


# --- contacts --------------------------------------------------------------------------------------------------

CONTACT_NOT_ADDITIVE = {
    "contacts.ContactMerge.kept": "the merge adds its own record",
    "contacts.ContactAccountChange.contact": "moved; merging may also write a history row",
}


def contact_links() -> list[tuple[str, Any]]:
    """Every way a row points at a contact: foreign keys (as querysets by contact) and many-to-many links."""
    from tandem.contacts.models import Contact

    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is Contact:
                found.append((f"{model._meta.label}.{field.name}", lambda c, m=model, n=field.name:
                              m._base_manager.filter(**{n: c}).count()))
        for field in model._meta.many_to_many:
            if field.related_model is Contact:
                through = field.remote_field.through
                target = field.m2m_reverse_field_name()
                found.append((f"{model._meta.label}.{field.name}", lambda c, t=through, n=target:
                              t.objects.filter(**{n: c}).count()))
    return found


def contact_counts(contact: Any) -> dict[str, int]:
    return {key: count(contact) for key, count in contact_links()}


def test_a_contact_merge_moves_activities_meetings_tickets_comments_tasks_and_followers(admin, am):
    from tandem.collaboration.models import Comment
    from tandem.contacts import merge as contact_merge
    from tandem.contacts import services as contact_services
    from tandem.meetings.models import Meeting
    from tandem.notifications.models import Follow
    from tandem.scheduling.models import Task
    from tandem.tickets.models import Ticket, TicketMessage
    from tandem.timeline.models import Activity

    account = AccountFactory(name="Acme", owner=am)
    kept = contact_services.contact_create(actor=admin, account=account, last_name="Vogel", email="l@acme.example")
    removed = contact_services.contact_create(actor=admin, account=account, last_name="Vogel", email="l2@acme.example")
    contact_type = ContentType.objects.get_for_model(type(kept))
    now = timezone.now()
    shared = Activity.objects.create(account=account, type="call", subject="Call with both")
    shared.contacts.add(kept, removed)
    for contact in (kept, removed):
        Activity.objects.create(account=account, type="email", subject="Mail").contacts.add(contact)
        Meeting.objects.create(account=account, title="Demo", organiser=am, start=now,
                               end=now + datetime.timedelta(hours=1)).contacts.add(contact)
        ticket = Ticket.objects.create(account=account, subject="Help", requester=contact)
        TicketMessage.objects.create(ticket=ticket, author_contact=contact, body="Please help", kind="reply",
                                     direction="inbound")
        Comment.objects.create(target_type=contact_type, target_id=contact.pk, body="Nice person", author=am)
        Task.objects.create(title="Send the deck", related_type=contact_type, related_id=contact.pk)
        Follow.objects.create(user=am, content_type=contact_type, object_id=contact.pk)
    before_kept, before_removed = contact_counts(kept), contact_counts(removed)
    record = contact_merge.contact_merge(actor=admin, kept=kept, removed=removed)
    after = contact_counts(kept)
    for key, _count in contact_links():
        if key in CONTACT_NOT_ADDITIVE:
            continue
        if key == "timeline.Activity.contacts":  # the call with both keeps one link to the kept contact
            assert after[key] == before_kept[key] + before_removed[key] - 1
            continue
        assert after[key] == before_kept[key] + before_removed[key], (key, before_kept[key], before_removed[key])
    assert list(shared.contacts.all()) == [kept]
    assert Comment.objects.filter(target_type=contact_type, target_id=kept.pk).count() == 2
    assert Task.objects.filter(related_type=contact_type, related_id=kept.pk).count() == 2
    assert Follow.objects.filter(content_type=contact_type, object_id=kept.pk, user=am).count() == 1
    assert not Follow.objects.filter(content_type=contact_type, object_id=removed.pk).exists()
    assert {"timeline", "meetings", "tickets", "ticket_messages", "comments", "tasks", "followers"} <= set(
        record.moved)
