"""Recomputing scores: from the roll-ups, stored daily with their parts, dirty accounts, the nightly pass, code red,
overrides."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.access.decide import SYSTEM
from tandem.core.exceptions import PermissionDenied, ValidationFailed
from tandem.core.testing.factories import AccountFactory
from tandem.health import recompute, selectors, services
from tandem.health.models import HealthSnapshot, RiskFlag
from tandem.health.tests.conftest import NOW, TODAY, at, subscribe, usage
from tandem.notifications.models import Notification
from tandem.scheduling.models import Task
from tandem.timeline.models import Activity
from tandem.usage import services as usage_services
from tandem.usage.models import DirtyAccount

pytestmark = pytest.mark.django_db


def snapshot_of(account, day=TODAY) -> HealthSnapshot:
    return HealthSnapshot.objects.get(account=account, day=day)


def test_a_used_account_scores_green_and_its_snapshot_explains_every_point(team_account):
    subscribe(team_account)
    usage(team_account)
    recompute.health_recompute(account_ids=[team_account.pk], now=NOW)
    snap = snapshot_of(team_account)
    assert snap.color == "green" and snap.score >= 80
    assert sum(row[3] for row in snap.component_rows) == snap.score == snap.computed
    kinds = {row[0]: row for row in snap.component_rows}
    assert kinds["usage_frequency"][5] == {"active_days": 30, "events": 720, "window_days": 30}
    assert kinds["nps_csat"][6] == "no_surveys"


def test_an_idle_account_without_a_subscription_is_red(team_account):
    recompute.health_recompute(account_ids=[team_account.pk], now=NOW)
    assert snapshot_of(team_account).color == "red"


def test_the_change_since_yesterday_is_explained_exactly_by_its_parts(team_account, csm):
    subscribe(team_account)
    usage(team_account, end=TODAY - datetime.timedelta(days=1))
    recompute.health_recompute(account_ids=[team_account.pk], now=NOW - datetime.timedelta(days=1))
    from tandem.tickets.models import Ticket

    for _index in range(4):
        ticket = Ticket.objects.create(subject="Broken", account=team_account, priority="urgent")
        Ticket.objects.filter(pk=ticket.pk).update(created_at=NOW - datetime.timedelta(hours=2))
    recompute.health_recompute(account_ids=[team_account.pk], now=NOW)
    explained = selectors.account_health(actor=csm, account=team_account)
    assert explained is not None and explained.change is not None and explained.change < 0
    assert sum(explained.contributions.values()) == explained.change
    assert explained.contributions["support_load"] < 0


def test_recomputing_reads_a_few_queries_per_batch_not_per_account(team_account):
    accounts = [AccountFactory() for _index in range(30)]
    for account in accounts[:10]:
        usage(account, days=3)
    ids = [account.pk for account in accounts]
    recompute.health_recompute(account_ids=ids, now=NOW)  # first run flags the red ones (per-account work)
    with CaptureQueriesContext(connection) as queries:
        recompute.health_recompute(account_ids=ids, now=NOW)
    assert len(queries) <= 15
    assert HealthSnapshot.objects.filter(day=TODAY).count() == 30


def test_the_nightly_pass_is_idempotent(team_account):
    subscribe(team_account)
    usage(team_account, per_day=2, features=1, users=1)
    other = AccountFactory()
    subscribe(other)  # a customer who does not use the product: red, flagged once
    first = recompute.recompute_all(now=NOW)
    second = recompute.recompute_all(now=NOW + datetime.timedelta(minutes=5))
    assert first.accounts == second.accounts == 2
    assert HealthSnapshot.objects.filter(day=TODAY).count() == 2
    assert RiskFlag.objects.filter(account=other).count() == 1  # red once, flagged once
    assert Notification.objects.count() == 0 or Notification.objects.filter(kind="health_code_red").count() <= 2


def test_new_events_mark_the_account_dirty_and_the_job_recomputes_it(team_account, admin):
    from tandem.health import jobs

    now = timezone.now()
    result = usage_services.events_ingest(actor=admin, items=[
        {"message_id": uuid.uuid4().hex, "account": team_account.public_id, "user": "u1", "event": "report.opened",
         "timestamp": (now - datetime.timedelta(minutes=1)).isoformat(), "properties": {}}])
    assert result.stored == 1 and DirtyAccount.objects.filter(account_id=team_account.pk).exists()
    jobs._recompute_dirty()
    assert not DirtyAccount.objects.exists()
    snap = HealthSnapshot.objects.get(account=team_account)
    assert {row[0]: row[5] for row in snap.component_rows}["usage_frequency"]["events"] == 1


def test_one_run_works_through_a_backlog_larger_than_a_claim_oldest_marks_first(admin):
    accounts = AccountFactory.create_batch(7)
    for offset, account in enumerate(accounts):  # the first account's mark is the oldest
        usage_services.mark_accounts_dirty(account_ids=[account.pk],
                                           marked_at=timezone.now() - datetime.timedelta(seconds=60 - offset))
    result = recompute.recompute_dirty(limit=3)
    assert result.accounts == 7 and not DirtyAccount.objects.exists()
    assert HealthSnapshot.objects.filter(account__in=accounts).count() == 7
    assert result.oldest_mark is not None and timezone.now() - result.oldest_mark >= datetime.timedelta(seconds=59)


def test_a_run_past_its_time_budget_leaves_the_rest_for_the_next_run(admin):
    accounts = AccountFactory.create_batch(5)
    for offset, account in enumerate(accounts):
        usage_services.mark_accounts_dirty(account_ids=[account.pk],
                                           marked_at=timezone.now() - datetime.timedelta(seconds=60 - offset))
    first = recompute.recompute_dirty(limit=2, budget_seconds=0)
    assert first.accounts == 2
    assert set(DirtyAccount.objects.values_list("account_id", flat=True)) == {a.pk for a in accounts[2:]}
    assert recompute.recompute_dirty(limit=2).accounts == 3 and not DirtyAccount.objects.exists()


def test_the_minute_job_schedules_runs_at_15_30_and_45_seconds(monkeypatch):
    from tandem.health import jobs

    delays = []
    monkeypatch.setattr(jobs.recompute_dirty_health_task, "schedule", lambda delay: delays.append(delay))
    jobs.recompute_dirty_health_job()
    assert delays == [15, 30, 45]


def test_a_failed_recompute_gives_the_dirty_accounts_back(team_account, monkeypatch):
    usage_services.mark_accounts_dirty(account_ids=[team_account.pk])

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(recompute, "health_recompute", broken)
    with pytest.raises(RuntimeError):
        recompute.recompute_dirty()
    assert DirtyAccount.objects.filter(account_id=team_account.pk).exists()


def test_a_new_ticket_marks_its_account_dirty(team_account, csm):
    from tandem.timeline.services import record_system_activity

    record_system_activity(account=team_account, type="ticket_event", subject="Ticket opened",
                           payload={"event": "ticket_created"})
    assert DirtyAccount.objects.filter(account_id=team_account.pk).exists()


def test_crossing_into_red_flags_once_notifies_csm_and_am_and_starts_the_playbook(team_account, am, csm):
    subscribe(team_account)
    usage(team_account, end=TODAY - datetime.timedelta(days=1))
    recompute.health_recompute(account_ids=[team_account.pk], now=NOW - datetime.timedelta(days=1))
    assert not RiskFlag.objects.exists()
    # the usage stops for a long time: the score collapses
    later = NOW + datetime.timedelta(days=45)
    first = recompute.health_recompute(account_ids=[team_account.pk], now=later)
    second = recompute.health_recompute(account_ids=[team_account.pk], now=later + datetime.timedelta(hours=1))
    assert first.flagged == [team_account.pk] and second.flagged == []
    flag = RiskFlag.objects.get()
    assert flag.reason == "red" and flag.resolved_at is None
    notified = set(Notification.objects.filter(kind="health_code_red").values_list("recipient_id", flat=True))
    assert notified == {am.pk, csm.pk}
    tasks = Task.objects.filter(account=team_account).order_by("due_date")
    assert [(task.assignee_id, task.title) for task in tasks] == [
        (csm.pk, "Review the account's health, usage and open tickets"),
        (csm.pk, "Call the customer's champion and agree the next steps"),
        (am.pk, "Agree a recovery plan with the account manager")]
    assert Activity.objects.filter(account=team_account, payload__event="health_code_red").count() == 1


def test_an_account_without_an_active_subscription_is_scored_but_never_flagged(team_account, am, csm):
    # A prospect or a former customer: red (no usage), yet nothing for a CSM to rescue — no flag, no alert.
    prospect = AccountFactory(name="Prospect Co", owner=am)
    subscribe(team_account)
    result = recompute.health_recompute(account_ids=[prospect.pk, team_account.pk], now=NOW)
    assert snapshot_of(prospect).color == "red" and snapshot_of(team_account).color == "red"
    assert result.flagged == [team_account.pk]
    assert not RiskFlag.objects.filter(account=prospect).exists()


def test_resolving_code_red_needs_a_reason_and_is_on_the_timeline(team_account, csm, viewer):
    subscribe(team_account)
    recompute.health_recompute(account_ids=[team_account.pk], now=NOW)
    flag = RiskFlag.objects.get()
    with pytest.raises(ValidationFailed) as error:
        services.risk_flag_resolve(actor=csm, flag=flag, reason="  ")
    assert error.value.errors == {"reason": ["Say how the risk was resolved."]}
    with pytest.raises(PermissionDenied):
        services.risk_flag_resolve(actor=viewer, flag=flag, reason="Called them")
    services.risk_flag_resolve(actor=csm, flag=flag, reason="Agreed a training plan")
    flag.refresh_from_db()
    assert flag.resolved_by == csm and flag.resolution == "Agreed a training plan"
    assert Activity.objects.filter(account=team_account, payload__event="health_code_red_resolved").exists()
    # still red the same day: no new alert until it leaves red and comes back
    assert recompute.health_recompute(account_ids=[team_account.pk], now=NOW).flagged == []


def test_a_sharp_drop_flags_code_red_even_above_red(team_account, admin):
    from tandem.health.models import Scorecard

    services.scorecard_update(actor=admin, scorecard=Scorecard.objects.get(), drop_points=8, drop_days=14)
    subscribe(team_account, term_months=24)
    usage(team_account, end=TODAY - datetime.timedelta(days=14), days=60)
    recompute.health_recompute(account_ids=[team_account.pk], now=NOW - datetime.timedelta(days=14))
    before = snapshot_of(team_account, TODAY - datetime.timedelta(days=14)).score
    usage(team_account, end=TODAY, days=14, per_day=8, features=2, users=3, email=False)
    result = recompute.health_recompute(account_ids=[team_account.pk], now=NOW)
    after = snapshot_of(team_account).score
    assert before - after >= 8 and snapshot_of(team_account).color != "red"
    assert result.flagged == [team_account.pk] and RiskFlag.objects.get().reason == "drop"


def test_an_override_sets_the_score_until_it_expires(team_account, csm):
    override = services.override_set(actor=csm, account=team_account, score=85, reason="Exec sponsor committed",
                                     expires_at=NOW + datetime.timedelta(days=7), now=NOW)
    snap = snapshot_of(team_account)
    assert snap.score == 85 and snap.override == 85 and snap.color == "green" and snap.computed < 40
    assert override.created_by == csm
    recompute.health_recompute(account_ids=[team_account.pk], now=NOW + datetime.timedelta(days=8))
    expired = snapshot_of(team_account, TODAY + datetime.timedelta(days=8))
    assert expired.override is None and expired.score == expired.computed


def test_an_override_needs_a_reason_and_a_future_expiry(team_account, csm, viewer):
    with pytest.raises(ValidationFailed) as error:
        services.override_set(actor=csm, account=team_account, score=101, reason="", expires_at=NOW, now=NOW)
    assert set(error.value.errors) == {"score", "reason", "expires_at"}
    with pytest.raises(PermissionDenied):
        services.override_set(actor=viewer, account=team_account, score=50, reason="x",
                              expires_at=NOW + datetime.timedelta(days=1), now=NOW)


def test_weights_summing_to_zero_are_refused_with_a_field_error(admin):
    with pytest.raises(ValidationFailed) as error:
        services.scorecard_create(actor=admin, name="Nothing", segment="tech_touch",
                                  components=[{"kind": "breadth", "weight": 0}, {"kind": "support_load", "weight": 0}])
    assert error.value.errors == {"weights": ["The weights add up to 0: give at least one component a weight above 0."]}


def test_a_segment_scorecard_scores_its_tier_and_only_administrators_edit_scorecards(team_account, admin, csm):
    with pytest.raises(PermissionDenied):
        services.scorecard_create(actor=csm, name="Mine", components=[{"kind": "breadth", "weight": 1}])
    services.scorecard_create(actor=admin, name="Tech touch", segment="tech_touch",
                              components=[{"kind": "breadth", "weight": 1, "bad": 0, "good": 2}])
    team_account.tier = "tech_touch"
    team_account.save()
    usage(team_account, features=2, days=1)
    recompute.health_recompute(account_ids=[team_account.pk], now=NOW)
    assert snapshot_of(team_account).score == 100
    with pytest.raises(ValidationFailed):
        services.scorecard_create(actor=admin, name="Twice", segment="tech_touch",
                                  components=[{"kind": "breadth", "weight": 1}])


def test_an_outsider_cannot_see_an_accounts_health(team_account, outsider):
    from tandem.core.exceptions import NotFound

    recompute.health_recompute(account_ids=[team_account.pk], now=NOW)
    with pytest.raises(NotFound):
        selectors.account_health(actor=outsider, account=team_account)
    assert list(selectors.risk_flag_list(actor=outsider)) == []
    assert selectors.health_badges(actor=outsider, account_ids=[team_account.pk]) == {}


def test_the_board_shows_mrr_at_risk_days_in_red_owner_and_last_touch(team_account, am, csm):
    from tandem.timeline.services import activity_log

    subscribe(team_account, seats=10)
    recompute.health_recompute(account_ids=[team_account.pk], now=at(TODAY - datetime.timedelta(days=2)))
    recompute.health_recompute(account_ids=[team_account.pk], now=at(TODAY - datetime.timedelta(days=1)))
    recompute.health_recompute(account_ids=[team_account.pk], now=NOW)
    activity_log(actor=csm, account=team_account, type="call", subject="Checked in",
                 occurred_at=NOW - datetime.timedelta(hours=1))
    rows = selectors.risk_board(actor=am, flags=list(selectors.risk_flag_list(actor=am)))
    assert len(rows) == 1
    row = rows[0]
    assert row.mrr is not None and row.mrr > 0 and row.days_in_red == 3 and row.owner == am and row.csm == csm
    assert row.last_touch == NOW - datetime.timedelta(hours=1)


def test_the_system_actor_recomputes_on_demand_only_with_permission(team_account, viewer, csm):
    with pytest.raises(PermissionDenied):
        services.account_recompute(actor=viewer, account=team_account)
    services.account_recompute(actor=csm, account=team_account)
    services.account_recompute(actor=SYSTEM, account=team_account)
    assert HealthSnapshot.objects.filter(account=team_account).count() == 1
