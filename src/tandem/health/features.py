"""Point-in-time features for the churn model and the backtest (system reads, docs/health.md).

Everything about an observation date ``d`` is read from data dated strictly before ``d``: the daily usage
roll-ups of the UTC days before ``d``, tickets opened before ``d``, and each subscription's state from its last
dated change effective before ``d``. The label — churned within the horizon — comes from the subscription
changes (cancellation or expiry) effective in ``[d, d + horizon)``. The health score on ``d`` is the score the
account's current scorecard gives those same inputs (no overrides), so it can be compared with the model on any
past date, whether or not a snapshot was stored then."""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Min

from tandem.contracts.choices import ChangeKind, SubscriptionStatus
from tandem.contracts.models import SubscriptionChange
from tandem.health import logic, selectors
from tandem.usage.models import Daily

FEATURES = (
    "events_30d", "usage_trend", "active_days_30d", "features_30d", "seat_ratio", "tickets_weighted_30d",
    "tickets_90d", "email_engagement", "days_to_renewal", "tenure_days", "mrr", "health_score",
)
ENDING_KINDS = (ChangeKind.CHURN, ChangeKind.EXPIRY)


@dataclass(frozen=True)
class SubscriptionState:
    seats: int
    end_date: datetime.date
    mrr: Decimal
    active: bool


@dataclass(frozen=True)
class ContractHistory:
    """Every subscription change, loaded once: state per subscription on any date, and churn dates."""

    changes: dict[int, list[tuple[datetime.date, str, dict, Decimal]]]  # subscription -> ordered changes
    account_of: dict[int, int]  # subscription -> account
    endings: dict[int, list[datetime.date]]  # account -> dates of cancellations and expiries
    first_day: dict[int, datetime.date]  # account -> its first subscription change

    def states_before(self, day: datetime.date) -> dict[int, list[SubscriptionState]]:
        """Per account, the state of each subscription after its last change effective before ``day``."""
        result: dict[int, list[SubscriptionState]] = defaultdict(list)
        for subscription_id, rows in self.changes.items():
            last = None
            for row in rows:
                if row[0] >= day:
                    break
                last = row
            if last is None:
                continue
            effective, kind, state, mrr = last
            active = kind not in ENDING_KINDS and state.get("status", SubscriptionStatus.ACTIVE) == "active"
            try:
                end_date = datetime.date.fromisoformat(state.get("end_date", ""))
            except ValueError:
                end_date = effective
            result[self.account_of[subscription_id]].append(SubscriptionState(
                seats=int(state.get("seats", 0) or 0), end_date=end_date, mrr=mrr, active=active))
        return result

    def churned_within(self, account_id: int, start: datetime.date, end: datetime.date) -> bool:
        return any(start <= day < end for day in self.endings.get(account_id, ()))


def contract_history(*, account_ids: list[int] | None = None) -> ContractHistory:
    changes: dict[int, list[tuple[datetime.date, str, dict, Decimal]]] = defaultdict(list)
    account_of: dict[int, int] = {}
    endings: dict[int, list[datetime.date]] = defaultdict(list)
    first_day: dict[int, datetime.date] = {}
    rows = SubscriptionChange.objects.order_by("subscription_id", "effective_date", "id")
    if account_ids is not None:
        rows = rows.filter(account_id__in=account_ids)
    for subscription_id, account_id, effective, kind, state, mrr in rows.values_list(
            "subscription_id", "account_id", "effective_date", "kind", "state", "mrr").iterator(chunk_size=5000):
        changes[subscription_id].append((effective, kind, state or {}, mrr))
        account_of[subscription_id] = account_id
        if kind in ENDING_KINDS:
            endings[account_id].append(effective)
        if account_id not in first_day or effective < first_day[account_id]:
            first_day[account_id] = effective
    return ContractHistory(changes=dict(changes), account_of=account_of, endings=dict(endings),
                           first_day=first_day)


def first_usage_day() -> datetime.date | None:
    return Daily.objects.aggregate(first=Min("day"))["first"]


@dataclass(frozen=True)
class Observation:
    """One account on one observation date: its features, its health score then, and (when known) its label."""

    account_id: int
    day: datetime.date
    features: tuple[float, ...]
    score: int
    label: int | None


def observe(*, day: datetime.date, history: ContractHistory, horizon_days: int, today: datetime.date,
            cards: selectors.ActiveScorecards | None = None) -> list[Observation]:
    """The accounts with an active subscription just before ``day``, with their features as of ``day`` and —
    when ``day + horizon`` has passed — whether they churned within the horizon."""
    cards = cards or selectors.active_scorecards()
    states = history.states_before(day)
    active = sorted(account_id for account_id, subs in states.items() if any(s.active for s in subs))
    if not active:
        return []
    tiers = selectors.account_tiers(account_ids=active)
    start = datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)
    usage30 = selectors.usage_figures(account_ids=active, end=day, window_days=30)
    tickets30 = selectors.ticket_figures(account_ids=active, start=start - datetime.timedelta(days=30), end=start)
    tickets90 = selectors.ticket_figures(account_ids=active, start=start - datetime.timedelta(days=90), end=start)
    windows = {card.window_days for card in cards.by_segment.values()} - {30}
    usage_by_window = {30: usage30, **{window: selectors.usage_figures(account_ids=active, end=day,
                                                                        window_days=window) for window in windows}}
    tickets_by_window = {window: selectors.ticket_figures(account_ids=active,
                                                          start=start - datetime.timedelta(days=window), end=start)
                         for window in {card.window_days for card in cards.by_segment.values()}}
    label_known = day + datetime.timedelta(days=horizon_days) <= today
    result = []
    for account_id in active:
        subscriptions = [s for s in states[account_id] if s.active]
        contract = selectors.ContractFigures(seats=sum(s.seats for s in subscriptions),
                                             next_renewal=min(s.end_date for s in subscriptions),
                                             mrr=sum((s.mrr for s in subscriptions), Decimal(0)), currency="")
        card = cards.for_tier(tiers.get(account_id, ""))
        score = 0
        if card is not None:
            config = cards.configs[card.pk]
            inputs = selectors.inputs_from(usage_by_window[config.window_days].get(account_id),
                                           tickets_by_window[config.window_days].get(account_id), contract,
                                           day - datetime.timedelta(days=1))
            score = logic.score_account(config, inputs).score
        usage = usage30.get(account_id) or selectors.UsageFigures(0, 0, 0, 0, 0, 0, 0, 0)
        t30 = tickets30.get(account_id)
        t90 = tickets90.get(account_id)
        tenure = (day - history.first_day.get(account_id, day)).days
        features = (
            math.log1p(usage.events),
            math.log1p(usage.events) - math.log1p(usage.events_previous),
            float(usage.active_days),
            float(usage.features),
            usage.peak_users / contract.seats if contract.seats else 0.0,
            float(t30.weighted if t30 else 0),
            float(t90.tickets if t90 else 0),
            usage.email_engaged / usage.email_sent if usage.email_sent else 0.0,
            float(min(max((contract.next_renewal - day).days, 0), 730)),
            math.log1p(max(tenure, 0)),
            math.log1p(float(max(contract.mrr, Decimal(0)))),
            float(score),
        )
        label = None
        if label_known:
            label = int(history.churned_within(account_id, day, day + datetime.timedelta(days=horizon_days)))
        result.append(Observation(account_id=account_id, day=day, features=features, score=score, label=label))
    return result
