"""Reading health: scorecards, scores with their explanations, history, overrides, the code-red board and
predictions (for an actor: only the accounts it can see), and the bulk system reads the recompute job uses —
product usage from the daily roll-ups (never raw events), ticket load, seats and renewal dates, each a few
queries per batch of accounts."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Case, Count, Max, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from tandem.access.choices import Action
from tandem.access.decide import can, restrict
from tandem.accounts.models import Account
from tandem.contracts.choices import SubscriptionStatus
from tandem.contracts.models import Subscription
from tandem.core.exceptions import NotFound
from tandem.health import logic
from tandem.health.models import (
    BacktestRun,
    ChurnPrediction,
    HealthOverride,
    HealthSnapshot,
    PlaybookStep,
    RiskFlag,
    Scorecard,
)
from tandem.tickets.choices import SEVERITY_WEIGHT
from tandem.tickets.models import Ticket
from tandem.usage.models import Daily

EMAIL_PREFIX = "email."
EMAIL_ENGAGED = ("email.opened", "email.clicked")


def today() -> datetime.date:
    return timezone.now().astimezone(datetime.UTC).date()


# --- scorecards ----------------------------------------------------------------------------------------------------


def scorecard_list(*, actor: Any) -> QuerySet[Scorecard]:
    if not can(actor, Action.VIEW, resource="health_scorecard"):
        return Scorecard.objects.none()
    return Scorecard.objects.prefetch_related("components")


def scorecard_get(*, actor: Any, public_id: str) -> Scorecard:
    scorecard = scorecard_list(actor=actor).filter(public_id=public_id).first()
    if scorecard is None:
        raise NotFound("No such scorecard.")
    return scorecard


def scorecard_config(scorecard: Scorecard) -> logic.ScorecardConfig:
    components = tuple(logic.ComponentConfig(kind=c.kind, weight=c.weight, bad=c.bad, good=c.good)
                       for c in scorecard.components.all())
    return logic.ScorecardConfig(components=components, red_below=scorecard.red_below,
                                 green_from=scorecard.green_from, window_days=scorecard.window_days,
                                 scorecard_id=scorecard.pk)


@dataclass(frozen=True)
class ActiveScorecards:
    """The active scorecards by segment ("" is the default) with their configurations."""

    by_segment: dict[str, Scorecard]
    configs: dict[int, logic.ScorecardConfig]

    def for_tier(self, tier: str) -> Scorecard | None:
        return self.by_segment.get(tier) or self.by_segment.get("")


def active_scorecards() -> ActiveScorecards:
    cards = list(Scorecard.objects.filter(active=True).prefetch_related("components"))
    return ActiveScorecards(by_segment={card.segment: card for card in cards},
                            configs={card.pk: scorecard_config(card) for card in cards})


def playbook_steps() -> list[PlaybookStep]:
    return list(PlaybookStep.objects.all())


def playbook_list(*, actor: Any) -> list[PlaybookStep]:
    if not can(actor, Action.VIEW, resource="health_scorecard"):
        return []
    return playbook_steps()


# --- bulk inputs (system reads for the recompute job and the backtest) ---------------------------------------------


def _by_ids(ids: Sequence[int], field: str = "account_id") -> Q:
    """Rows of these accounts: an id range when the ids are dense (a full pass; callers drop rows of other
    accounts), else an IN list."""
    low, high = min(ids), max(ids)
    if high - low + 1 <= 4 * len(ids):
        return Q(**{f"{field}__gte": low, f"{field}__lte": high})
    return Q(**{f"{field}__in": list(ids)})


@dataclass(frozen=True)
class UsageFigures:
    events: int
    events_previous: int
    active_days: int
    features: int
    peak_users: int
    email_sent: int
    email_engaged: int
    email_unsubscribed: int


def usage_figures(*, account_ids: Sequence[int], end: datetime.date, window_days: int) -> dict[int, UsageFigures]:
    """Per account, from the daily roll-ups of the UTC days in ``[end - window, end)`` (and the window before it
    for the trend): one grouped query. Accounts without any roll-up row are left out."""
    if not account_ids:
        return {}
    start = end - datetime.timedelta(days=window_days)
    previous_start = start - datetime.timedelta(days=window_days)
    current = Q(day__gte=start)
    product = ~Q(event__startswith=EMAIL_PREFIX)
    rows = (Daily.objects.filter(_by_ids(account_ids), day__gte=previous_start, day__lt=end)
            .values("account_id")
            .annotate(n_events=Sum("events", filter=current & product),
                      n_previous=Sum("events", filter=~current & product),
                      n_days=Count("day", distinct=True, filter=current & product),
                      n_features=Count("event", distinct=True, filter=current & product),
                      n_peak=Max("users", filter=current & product),
                      n_sent=Sum("events", filter=current & Q(event="email.sent")),
                      n_engaged=Sum("events", filter=current & Q(event__in=EMAIL_ENGAGED)),
                      n_unsubscribed=Sum("events", filter=current & Q(event="email.unsubscribed")))
            .values_list("account_id", "n_events", "n_previous", "n_days", "n_features", "n_peak", "n_sent",
                         "n_engaged", "n_unsubscribed").order_by())
    wanted = set(account_ids)
    return {row[0]: UsageFigures(*(int(value or 0) for value in row[1:])) for row in rows if row[0] in wanted}


@dataclass(frozen=True)
class TicketFigures:
    tickets: int
    weighted: int


def ticket_figures(*, account_ids: Sequence[int], start: datetime.datetime,
                   end: datetime.datetime) -> dict[int, TicketFigures]:
    """Tickets opened in ``[start, end)`` per account, and their severity-weighted sum (low 1, normal 2, high 3,
    urgent 5 — the tickets app's ``SEVERITY_WEIGHT``, as in its ``ticket_load``), counted in one grouped query
    (the ``ticket_account_created`` index)."""
    if not account_ids:
        return {}
    weight = Case(*[When(priority=priority, then=Value(points)) for priority, points in SEVERITY_WEIGHT.items()],
                  default=Value(1))
    rows = (Ticket.objects.filter(_by_ids(account_ids), created_at__gte=start, created_at__lt=end)
            .values("account_id").annotate(n_tickets=Count("id"), n_weighted=Sum(weight))
            .values_list("account_id", "n_tickets", "n_weighted").order_by())
    wanted = set(account_ids)
    return {account_id: TicketFigures(int(count), int(weighted or 0)) for account_id, count, weighted in rows
            if account_id in wanted}


@dataclass(frozen=True)
class ContractFigures:
    seats: int
    next_renewal: datetime.date
    mrr: Decimal
    currency: str


def contract_figures(*, account_ids: Sequence[int]) -> dict[int, ContractFigures]:
    """The account's active subscriptions now: licensed seats, the earliest end date, MRR (in the subscriptions'
    currency when they share one; mixed currencies add up as they are)."""
    if not account_ids:
        return {}
    result: dict[int, ContractFigures] = {}
    rows = (Subscription.objects.filter(_by_ids(account_ids), status=SubscriptionStatus.ACTIVE)
            .values_list("account_id", "seats", "end_date", "mrr", "currency").order_by())
    wanted = set(account_ids)
    for account_id, seats, end_date, mrr, currency in rows:
        if account_id not in wanted:
            continue
        known = result.get(account_id)
        if known is None:
            result[account_id] = ContractFigures(seats=seats, next_renewal=end_date, mrr=mrr, currency=currency)
        else:
            result[account_id] = ContractFigures(seats=known.seats + seats,
                                                 next_renewal=min(known.next_renewal, end_date),
                                                 mrr=known.mrr + mrr, currency=known.currency)
    return result


def account_inputs(*, account_ids: Sequence[int], on: datetime.date,
                   window_days: int) -> dict[int, logic.AccountInputs]:
    """Everything the scores of these accounts are computed from, as of the end of UTC day ``on``."""
    end = on + datetime.timedelta(days=1)
    usage = usage_figures(account_ids=account_ids, end=end, window_days=window_days)
    end_moment = datetime.datetime.combine(end, datetime.time(), tzinfo=datetime.UTC)
    tickets = ticket_figures(account_ids=account_ids, start=end_moment - datetime.timedelta(days=window_days),
                             end=end_moment)
    contracts = contract_figures(account_ids=account_ids)
    return {account_id: inputs_from(usage.get(account_id), tickets.get(account_id), contracts.get(account_id), on)
            for account_id in account_ids}


def inputs_from(usage: UsageFigures | None, tickets: TicketFigures | None, contract: ContractFigures | None,
                on: datetime.date) -> logic.AccountInputs:
    usage = usage or UsageFigures(0, 0, 0, 0, 0, 0, 0, 0)
    return logic.AccountInputs(
        events=usage.events, events_previous=usage.events_previous, active_days=usage.active_days,
        features=usage.features, peak_users=usage.peak_users,
        seats=contract.seats if contract else None,
        tickets=tickets.tickets if tickets else 0, tickets_weighted=tickets.weighted if tickets else 0,
        email_sent=usage.email_sent, email_engaged=usage.email_engaged, email_unsubscribed=usage.email_unsubscribed,
        days_to_renewal=max((contract.next_renewal - on).days, 0) if contract else None)


def account_tiers(*, account_ids: Sequence[int]) -> dict[int, str]:
    if not account_ids:
        return {}
    wanted = set(account_ids)
    rows = Account.objects.filter(_by_ids(account_ids, "pk")).values_list("pk", "tier").order_by()
    return {pk: tier for pk, tier in rows if pk in wanted}


def all_account_ids() -> list[int]:
    return list(Account.objects.order_by("pk").values_list("pk", flat=True))


def active_overrides(*, account_ids: Sequence[int], now: datetime.datetime) -> dict[int, int]:
    """The override in force per account (the newest when several are)."""
    if not account_ids:
        return {}
    rows = (HealthOverride.objects.filter(_by_ids(account_ids), cleared_at__isnull=True, expires_at__gt=now)
            .order_by("account_id", "created_at", "id").values_list("account_id", "score"))
    wanted = set(account_ids)
    return {account_id: score for account_id, score in rows if account_id in wanted}


class StoredScore(NamedTuple):
    day: datetime.date
    score: int
    color: str


def stored_scores(*, account_ids: Sequence[int],
                  days: Iterable[datetime.date]) -> dict[tuple[int, datetime.date], StoredScore]:
    """Snapshots of these accounts on these days (score and colour), by (account id, day): one query."""
    if not account_ids:
        return {}
    wanted = set(account_ids)
    day_list = sorted(set(days))
    low, high = min(account_ids), max(account_ids)
    dense = high - low + 1 <= 4 * len(account_ids)
    condition = "account_id BETWEEN %s AND %s" if dense else "account_id IN (" + ",".join(["%s"] * len(wanted)) + ")"
    params: list[Any] = [low, high] if dense else sorted(wanted)
    sql = (f"SELECT account_id, day, score, color FROM health_healthsnapshot WHERE {condition} AND day IN ("
           + ",".join(["%s"] * len(day_list)) + ")")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *day_list])
        rows = cursor.fetchall()
    result = {}
    for account_id, day, score, color in rows:
        if account_id in wanted:
            if isinstance(day, str):
                day = datetime.date.fromisoformat(day)
            result[(account_id, day)] = StoredScore(day, score, color)
    return result


def open_flag_accounts(*, account_ids: Sequence[int]) -> set[int]:
    if not account_ids:
        return set()
    wanted = set(account_ids)
    return {pk for pk in RiskFlag.objects.filter(_by_ids(account_ids), resolved_at__isnull=True)
            .values_list("account_id", flat=True) if pk in wanted}


# --- one account, for a reader --------------------------------------------------------------------------------- ---


def _visible_account(actor: Any, account: Account) -> None:
    if not (can(actor, Action.VIEW, account) and can(actor, Action.VIEW, resource="health")):
        raise NotFound("No such account.")


def account_get(*, actor: Any, public_id: str) -> Account:
    account = restrict(Account.objects.all(), actor, Action.VIEW).filter(public_id=public_id).first()
    if account is None or not can(actor, Action.VIEW, resource="health"):
        raise NotFound("No such account.")
    return account


@dataclass(frozen=True)
class Explanation:
    """A score, each part of it, and how each part moved it since the previous day's score."""

    snapshot: HealthSnapshot
    components: tuple[logic.ComponentResult, ...]
    previous: HealthSnapshot | None
    change: int | None
    contributions: dict[str, int]

    @property
    def override_adjustment(self) -> int:
        return self.snapshot.score - self.snapshot.computed if self.snapshot.override is not None else 0


def _explain(snapshot: HealthSnapshot, previous: HealthSnapshot | None) -> Explanation:
    components = tuple(logic.component_from_row(row) for row in snapshot.component_rows)
    current = logic.ScoreResult(score=snapshot.score, computed=snapshot.computed, color=snapshot.color,
                                components=components, override=snapshot.override).points
    before = None
    if previous is not None:
        before = logic.ScoreResult(score=previous.score, computed=previous.computed, color=previous.color,
                                   components=tuple(logic.component_from_row(row) for row in previous.component_rows),
                                   override=previous.override).points
    return Explanation(snapshot=snapshot, components=components, previous=previous,
                       change=None if previous is None else snapshot.score - previous.score,
                       contributions=logic.contributions(before, current) if previous is not None else {})


def account_health(*, actor: Any, account: Account) -> Explanation | None:
    """The account's latest score with its explanation and its change since the score of the day before."""
    _visible_account(actor, account)
    latest_two = list(HealthSnapshot.objects.filter(account=account).select_related("scorecard").order_by("-day")[:2])
    if not latest_two:
        return None
    return _explain(latest_two[0], latest_two[1] if len(latest_two) > 1 else None)


def account_score_series(*, actor: Any, account: Account, days: int = 90) -> list[tuple[datetime.date, int, str]]:
    """(day, score, colour) of the last ``days`` days, oldest first: what a chart draws, without explaining each
    day's change as ``account_history`` does."""
    _visible_account(actor, account)
    until = today()
    since = until - datetime.timedelta(days=days - 1)
    return list(HealthSnapshot.objects.filter(account=account, day__gte=since, day__lte=until).order_by("day")
                .values_list("day", "score", "color"))


def account_history(*, actor: Any, account: Account, days: int = 90,
                    until: datetime.date | None = None) -> list[Explanation]:
    """The daily scores over the last ``days`` days, oldest first, each with its change explained."""
    _visible_account(actor, account)
    until = until or today()
    since = until - datetime.timedelta(days=days - 1)
    rows = list(HealthSnapshot.objects.filter(account=account, day__gte=since, day__lte=until).order_by("day"))
    before = HealthSnapshot.objects.filter(account=account, day__lt=since).order_by("-day").first()
    explained = []
    for row in rows:
        explained.append(_explain(row, before))
        before = row
    return explained


def overrides_of(*, actor: Any, account: Account) -> QuerySet[HealthOverride]:
    _visible_account(actor, account)
    return HealthOverride.objects.filter(account=account).select_related("created_by", "cleared_by")


def override_get(*, actor: Any, public_id: str) -> HealthOverride:
    override = HealthOverride.objects.select_related("account").filter(public_id=public_id).first()
    if override is None or not can(actor, Action.VIEW, override.account) or not can(
            actor, Action.VIEW, resource="health"):
        raise NotFound("No such override.")
    return override


def override_in_force(*, account: Account, now: datetime.datetime | None = None) -> HealthOverride | None:
    return (HealthOverride.objects.filter(account=account, cleared_at__isnull=True,
                                          expires_at__gt=now or timezone.now())
            .order_by("-created_at", "-id").first())


def prediction_of(*, actor: Any, account: Account) -> ChurnPrediction | None:
    _visible_account(actor, account)
    return ChurnPrediction.objects.filter(account=account).first()


# --- code red ------------------------------------------------------------------------------------------------------


def risk_flag_list(*, actor: Any, open_only: bool = True) -> QuerySet[RiskFlag]:
    """Code-red flags of the accounts the actor can see."""
    if not can(actor, Action.VIEW, resource="health"):
        return RiskFlag.objects.none()
    flags = RiskFlag.objects.filter(account__in=restrict(Account.objects.all(), actor, Action.VIEW))
    if open_only:
        flags = flags.filter(resolved_at__isnull=True)
    return flags.select_related("account", "account__owner", "resolved_by")


def risk_flag_get(*, actor: Any, public_id: str) -> RiskFlag:
    flag = risk_flag_list(actor=actor, open_only=False).filter(public_id=public_id).first()
    if flag is None:
        raise NotFound("No such code-red flag.")
    return flag


@dataclass(frozen=True)
class BoardRow:
    flag: RiskFlag
    account: Account
    score: int | None
    mrr: Decimal | None
    currency: str
    days_flagged: int
    days_in_red: int | None
    owner: Any
    csm: Any
    last_touch: datetime.datetime | None


def risk_board(*, actor: Any, flags: Sequence[RiskFlag]) -> list[BoardRow]:
    """The code-red board's rows for a page of flags: MRR at risk (active subscriptions), days flagged, days in
    red (consecutive red daily scores up to the latest), owner and CSM, and the last touch (latest activity a
    person logged on the account's timeline)."""
    from tandem.accounts.models import AccountTeamMember
    from tandem.timeline.choices import USER_TYPES
    from tandem.timeline.models import Activity

    ids = [flag.account_id for flag in flags]
    if not ids:
        return []
    contracts = contract_figures(account_ids=ids)
    now = timezone.now()
    touches = dict(Activity.objects.filter(account_id__in=ids, type__in=list(USER_TYPES)).values("account_id")
                   .annotate(last=Max("occurred_at")).values_list("account_id", "last").order_by())
    csms = {row.account_id: row.user for row in AccountTeamMember.objects.filter(
        account_id__in=ids, role__code="csm").select_related("user")}
    recent = defaultdict(list)
    for account_id, day, color, score in (HealthSnapshot.objects.filter(
            account_id__in=ids, day__gte=today() - datetime.timedelta(days=365))
            .order_by("account_id", "-day").values_list("account_id", "day", "color", "score")):
        recent[account_id].append((day, color, score))
    rows = []
    for flag in flags:
        history = recent.get(flag.account_id, [])
        in_red = None
        if history and history[0][1] == logic.RED:
            first_red = history[0][0]
            for day, color, _score in history:
                if color != logic.RED:
                    break
                first_red = day
            in_red = (history[0][0] - first_red).days + 1
        contract = contracts.get(flag.account_id)
        rows.append(BoardRow(flag=flag, account=flag.account, score=history[0][2] if history else None,
                             mrr=contract.mrr if contract else None, currency=contract.currency if contract else "",
                             days_flagged=(now - flag.flagged_at).days, days_in_red=in_red,
                             owner=flag.account.owner, csm=csms.get(flag.account_id),
                             last_touch=touches.get(flag.account_id)))
    return rows


# --- other apps' lists ------------------------------------------------------------------------------------------ --


@dataclass(frozen=True)
class HealthBadge:
    score: int
    color: str
    day: datetime.date


def health_badges(*, actor: Any, account_ids: Sequence[int]) -> dict[int, HealthBadge]:
    """The latest score of each of these accounts (the caller shows only accounts the actor sees; without
    ``view`` on health this is empty) — for a health column in another app's list."""
    if not account_ids or not can(actor, Action.VIEW, resource="health"):
        return {}
    return latest_scores(account_ids=account_ids)


def latest_scores(*, account_ids: Sequence[int]) -> dict[int, HealthBadge]:
    """System read: the latest snapshot's score and colour of each of these accounts that has one."""
    if not account_ids:
        return {}
    latest = (HealthSnapshot.objects.filter(account_id__in=list(account_ids)).values("account_id")
              .annotate(last=Max("day")).values_list("account_id", "last").order_by())
    wanted = Q()
    for account_id, day in latest:
        wanted |= Q(account_id=account_id, day=day)
    if not wanted:
        return {}
    return {account_id: HealthBadge(score=score, color=color, day=day) for account_id, day, score, color in
            HealthSnapshot.objects.filter(wanted).values_list("account_id", "day", "score", "color")}


def latest_backtest(*, actor: Any) -> BacktestRun | None:
    if not can(actor, Action.VIEW, resource="health_scorecard"):
        raise NotFound("No backtest.")
    return BacktestRun.objects.first()


def backtest_list(*, actor: Any) -> QuerySet[BacktestRun]:
    if not can(actor, Action.VIEW, resource="health_scorecard"):
        return BacktestRun.objects.none()
    return BacktestRun.objects.all()
