"""Recomputing health scores in bulk (a service acting as the system): for a batch of accounts, a handful of
grouped queries read the daily usage roll-ups, ticket load, subscriptions, overrides, the stored scores the
code-red rules compare with and the open flags; pure logic scores every account; one upsert stores today's
snapshots; accounts that cross into red (or drop sharply) are flagged, their CSM and AM notified and the risk
playbook's tasks created. Idempotent: running it twice on a day rewrites the same snapshot and flags nobody
twice."""

from __future__ import annotations

import datetime
import gc
import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tandem.access.decide import SYSTEM
from tandem.accounts.models import Account, AccountTeamMember
from tandem.health import logic, selectors
from tandem.health.choices import PlaybookRole
from tandem.health.models import RiskFlag
from tandem.notifications.services import notify
from tandem.notifications.text import translatable
from tandem.scheduling.tasks.services import task_create
from tandem.timeline.choices import ActivityType
from tandem.timeline.services import record_system_activity
from tandem.usage.services import claim_dirty_accounts, mark_accounts_dirty

logger = logging.getLogger(__name__)

try:
    import orjson

    def _dumps(value: Any) -> str:
        return orjson.dumps(value).decode()
except ImportError:  # pragma: no cover
    import json

    def _dumps(value: Any) -> str:
        return json.dumps(value, separators=(",", ":"))

BATCH = 10000


@dataclass
class RecomputeResult:
    accounts: int = 0
    flagged: list[int] = field(default_factory=list)
    seconds: float = 0.0
    oldest_mark: datetime.datetime | None = None  # the dirty mark of the oldest claimed account


@dataclass(frozen=True)
class _Row:
    account_id: int
    result: logic.ScoredRow
    scorecard_id: int


def health_recompute(*, account_ids: Sequence[int], now: datetime.datetime | None = None,
                     batch_size: int = BATCH) -> RecomputeResult:
    """Score these accounts now and store today's snapshots (UTC day)."""
    started = time.perf_counter()
    now = now or timezone.now()
    ids = sorted(set(account_ids))
    result = RecomputeResult()
    cards = selectors.active_scorecards()
    if not cards.by_segment:
        return result
    collecting = gc.isenabled()
    gc.disable()  # a batch allocates ~100,000 small containers, none cyclic: collections would only rescan them
    try:
        for start in range(0, len(ids), batch_size):
            batch = ids[start:start + batch_size]
            result.accounts += _recompute_batch(batch, cards, now, result)
    finally:
        if collecting:
            gc.enable()
    result.seconds = time.perf_counter() - started
    return result


def recompute_dirty(*, limit: int = 5000, now: datetime.datetime | None = None,
                    budget_seconds: float = 50.0) -> RecomputeResult:
    """Claim accounts marked dirty (new events, tickets, subscription changes) and recompute them, ``limit`` at a
    time, oldest mark first, until none are left or ``budget_seconds`` have passed (the next run carries on, so a
    backlog never makes one run hold a job thread for minutes). A failed batch gives its accounts back."""
    started = time.perf_counter()
    total = RecomputeResult()
    while True:
        claimed = claim_dirty_accounts(limit=limit)
        if not claimed:
            break
        ids = [account_id for account_id, _marked in claimed]
        oldest = min(marked for _id, marked in claimed)
        total.oldest_mark = oldest if total.oldest_mark is None else min(total.oldest_mark, oldest)
        try:
            done = health_recompute(account_ids=ids, now=now)
        except Exception:
            mark_accounts_dirty(account_ids=ids, marked_at=oldest)
            raise
        total.accounts += done.accounts
        total.flagged += done.flagged
        if len(claimed) < limit or time.perf_counter() - started >= budget_seconds:
            break
    total.seconds = time.perf_counter() - started
    return total


def recompute_all(*, now: datetime.datetime | None = None, batch_size: int = BATCH) -> RecomputeResult:
    """The nightly full pass: every account, in id order, ``batch_size`` at a time."""
    return health_recompute(account_ids=selectors.all_account_ids(), now=now, batch_size=batch_size)


def _recompute_batch(batch: list[int], cards: selectors.ActiveScorecards, now: datetime.datetime,
                     result: RecomputeResult) -> int:
    day = now.astimezone(datetime.UTC).date()
    tiers = selectors.account_tiers(account_ids=batch)
    by_window: dict[int, list[int]] = defaultdict(list)
    card_of: dict[int, Any] = {}
    for account_id, tier in tiers.items():
        card = cards.for_tier(tier)
        if card is None:
            continue
        card_of[account_id] = card
        by_window[card.window_days].append(account_id)
    inputs: dict[int, logic.AccountInputs] = {}
    for window_days, ids in by_window.items():
        inputs.update(selectors.account_inputs(account_ids=ids, on=day, window_days=window_days))
    scored = list(card_of)
    overrides = selectors.active_overrides(account_ids=scored, now=now)
    reference_days = {day - datetime.timedelta(days=card.drop_days) for card in cards.by_segment.values()}
    stored = selectors.stored_scores(account_ids=scored,
                                     days={day, day - datetime.timedelta(days=1), *reference_days})
    flagged_now = selectors.open_flag_accounts(account_ids=scored)
    rows: list[_Row] = []
    to_flag: list[tuple[int, str, int, int | None]] = []
    for account_id in scored:
        card = card_of[account_id]
        score = logic.score_rows(cards.configs[card.pk], inputs[account_id], override=overrides.get(account_id))
        rows.append(_Row(account_id, score, card.pk))
        previous = stored.get((account_id, day)) or stored.get((account_id, day - datetime.timedelta(days=1)))
        reference = stored.get((account_id, day - datetime.timedelta(days=card.drop_days)))
        if inputs[account_id].seats is None:
            continue  # no active subscription (a prospect, a former customer): scored, but no code red to act on
        decision = logic.code_red(score=score.score, color=score.color,
                                  previous_score=previous.score if previous else None,
                                  previous_color=previous.color if previous else None,
                                  reference_score=reference.score if reference else None,
                                  drop_points=card.drop_points, already_flagged=account_id in flagged_now)
        if decision.flag:
            to_flag.append((account_id, decision.reason, score.score, previous.score if previous else None))
    with transaction.atomic():
        _upsert(rows, day, now)
    for account_id, reason, score_value, previous_score in to_flag:
        if code_red_raise(account_id=account_id, reason=reason, score=score_value, previous_score=previous_score,
                          now=now):
            result.flagged.append(account_id)
    return len(rows)


# --- storing snapshots ---------------------------------------------------------------------------------------------

COLUMNS = "account_id, day, score, computed, override, color, components, scorecard_id, computed_at"
UPSERT_TAIL = ("ON CONFLICT (account_id, day) DO UPDATE SET score = excluded.score, computed = excluded.computed, "
               "override = excluded.override, color = excluded.color, components = excluded.components, "
               "scorecard_id = excluded.scorecard_id, computed_at = excluded.computed_at")
STAGE_POSTGRES = ("CREATE TEMP TABLE IF NOT EXISTS health_stage (account_id bigint, day date, score smallint, "
                  "computed smallint, override smallint, color text, components text, scorecard_id bigint, "
                  "computed_at timestamptz) ON COMMIT DELETE ROWS")


NULL = "\\N"


def _copy_text(value: str) -> str:
    """COPY's text format: backslashes doubled (JSON escapes tabs and newlines inside strings already)."""
    return value.replace("\\", "\\\\") if "\\" in value else value


def _components_json(result: logic.ScoredRow) -> str:
    return _dumps(result.rows)


def _upsert(rows: Sequence[_Row], day: datetime.date, now: datetime.datetime) -> None:
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(STAGE_POSTGRES)
            cursor.execute("TRUNCATE health_stage")  # rows of an earlier batch in the same (outer) transaction
            stamp = now.isoformat()
            text = "".join(
                f"{row.account_id}\t{day.isoformat()}\t{row.result.score}\t{row.result.computed}\t"
                f"{NULL if row.result.override is None else row.result.override}\t{row.result.color}\t"
                f"{_copy_text(_components_json(row.result))}\t{row.scorecard_id}\t{stamp}\n"
                for row in rows)
            with cursor.cursor.copy(f"COPY health_stage ({COLUMNS}) FROM STDIN") as copy:
                copy.write(text.encode())
            cursor.execute(f"INSERT INTO health_healthsnapshot ({COLUMNS}) SELECT {COLUMNS} FROM health_stage "
                           f"ORDER BY account_id {UPSERT_TAIL}")
            return
        values = [(row.account_id, day.isoformat(), row.result.score, row.result.computed, row.result.override,
                   row.result.color, _components_json(row.result), row.scorecard_id,
                   now.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")) for row in rows]
        cursor.executemany(f"INSERT INTO health_healthsnapshot ({COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, "
                           f"%s) {UPSERT_TAIL}", values)


# --- code red ------------------------------------------------------------------------------------------------------


def _team(account: Account) -> dict[str, Any]:
    seats = AccountTeamMember.objects.filter(account=account, role__code__in=("csm", "am")).select_related(
        "user", "role")
    return {seat.role.code: seat.user for seat in seats}


def code_red_raise(*, account_id: int, reason: str, score: int, previous_score: int | None,
                   now: datetime.datetime | None = None) -> RiskFlag | None:
    """Flag the account at risk (unless it already is): timeline entry, notification of its CSM and AM (the owner
    when it has neither), and the risk playbook's tasks. Returns the new flag, or None when one was open."""
    now = now or timezone.now()
    with transaction.atomic():
        account = Account.objects.select_related("owner").get(pk=account_id)
        try:
            with transaction.atomic():
                flag = RiskFlag.objects.create(account=account, reason=reason, score=score,
                                               previous_score=previous_score, flagged_at=now)
        except IntegrityError:
            return None  # flagged meanwhile by another worker: never a second alert
        team = _team(account)
        subject = (f"Code red: health score {score}" if reason == "red"
                   else f"Code red: health score dropped to {score}")
        record_system_activity(actor=SYSTEM, account=account, type=ActivityType.SYSTEM_EVENT, source=flag,
                               subject=subject, occurred_at=now,
                               payload={"event": "health_code_red", "reason": reason, "score": score,
                                        "previous_score": previous_score})
        recipients = [user for user in (team.get("csm"), team.get("am")) if user is not None]
        if not recipients and account.owner is not None:
            recipients = [account.owner]
        url = reverse("accounts:account-detail", args=[account.public_id]) + "#health"
        title = (translatable(gettext_lazy("Code red: %(account)s is now red (score %(score)s)"),
                              account=account.name, score=score) if reason == "red" else
                 translatable(gettext_lazy("Code red: %(account)s dropped to a score of %(score)s"),
                              account=account.name, score=score))
        notify(recipients=recipients, kind="health_code_red", title=title,
               body=translatable(gettext_lazy("The risk playbook's tasks have been created. Resolve the code red "
                                              "with a reason once the risk is handled.")),
               url=url, source=flag, actor=None, event_key=f"health.riskflag:{flag.pk}")
        _start_playbook(account, team, now)
    return flag


def _start_playbook(account: Account, team: dict[str, Any], now: datetime.datetime) -> None:
    for step in selectors.playbook_steps():
        assignee = account.owner if step.role == PlaybookRole.OWNER else team.get(step.role) or account.owner
        if assignee is None or not assignee.is_active:
            continue
        task_create(actor=SYSTEM, title=step.title, description=step.description, assignee=assignee,
                    account=account, due=(now + datetime.timedelta(days=step.due_days)).date())
