"""Reads for leads, pipelines and opportunities, scoped by the access module before anything is fetched.

``bookings``, ``opportunities_created``, ``sdr_calls`` and ``open_opportunity_for_subscription`` are for other
apps (quotas, renewals) that have decided access themselves: they take no actor."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from tandem.access.choices import Action
from tandem.access.decide import restrict
from tandem.accounts.models import Account, AccountTeamMember
from tandem.contracts.models import Product, Subscription
from tandem.core.exceptions import NotFound, ValidationFailed
from tandem.identity.models import User
from tandem.pipeline.choices import OPEN_LEAD_STATUSES, StageKind
from tandem.pipeline.logic import ForecastItem, ForecastRow, add_months, forecast_rows, month_start
from tandem.pipeline.models import Lead, LeadCall, Opportunity, OpportunityStageChange, Pipeline, Stage
from tandem.timeline.choices import ActivityType
from tandem.timeline.models import Activity

# --- leads ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeadFilters:
    """``owner_email``: leads owned by that person; ``statuses``: empty for all."""

    search: str = ""
    owner_email: str = ""
    statuses: tuple[str, ...] = ()
    source: str = ""


def lead_list(*, actor: Any, action: str = Action.VIEW, filters: LeadFilters | None = None) -> QuerySet[Lead]:
    filters = filters or LeadFilters()
    leads = restrict(Lead.objects.select_related("owner", "account", "opportunity"), actor, action)
    if filters.search:
        term = filters.search.strip()
        leads = leads.filter(Q(company_name__icontains=term) | Q(contact_email__icontains=term)
                             | Q(contact_last_name__icontains=term) | Q(domain__icontains=term))
    if filters.owner_email:
        leads = leads.filter(owner__email=filters.owner_email.strip().lower())
    if filters.statuses:
        leads = leads.filter(status__in=filters.statuses)
    if filters.source:
        leads = leads.filter(source=filters.source)
    return leads


LEAD_SORTS = {"-created": ("-created_at", "-id"), "created": ("created_at", "id"),
              "company": ("company_name", "id"), "trial_end": ("trial_ends_on", "id")}


def lead_sorted(*, leads: QuerySet[Lead], sort: str) -> tuple[QuerySet[Lead], tuple[str, ...]]:
    if sort not in LEAD_SORTS:
        raise ValidationFailed("Unknown sort.", errors={"sort": [f"Use one of: {', '.join(LEAD_SORTS)}."]})
    if sort == "trial_end":
        leads = leads.filter(trial_ends_on__isnull=False)
    return leads, LEAD_SORTS[sort]


def lead_get(*, actor: Any, public_id: str, action: str = Action.VIEW) -> Lead:
    lead = lead_list(actor=actor, action=action).filter(public_id=public_id).first()
    if lead is None:
        raise NotFound("No such lead.")
    return lead


def with_call_counts(leads: QuerySet[Lead]) -> QuerySet[Lead]:
    return leads.annotate(call_count=Count("calls"))


def active_user(*, email: str) -> User | None:
    return User.objects.filter(email=email.strip().lower(), is_active=True).first()


def lead_calls(*, actor: Any, lead: Lead) -> QuerySet[LeadCall]:
    """The calls logged on a lead the actor may see (the caller has resolved the lead through ``lead_get``)."""
    return lead.calls.select_related("caller")


def leads_to_call(*, actor: Any, limit: int = 8) -> list[Lead]:
    """The actor's open leads, trials ending soonest first (undated last)."""
    leads = restrict(Lead.objects.all(), actor).filter(owner_id=actor.pk, status__in=OPEN_LEAD_STATUSES)
    dated = list(leads.filter(trial_ends_on__isnull=False).order_by("trial_ends_on", "id")[:limit])
    if len(dated) < limit:
        dated += list(leads.filter(trial_ends_on__isnull=True).order_by("created_at", "id")[:limit - len(dated)])
    return dated


# --- pipelines -----------------------------------------------------------------------------------------------


def pipeline_list() -> QuerySet[Pipeline]:
    """Every pipeline (configuration: whoever may view pipelines sees all of them)."""
    return Pipeline.objects.prefetch_related("stages")


def pipeline_get(*, public_id: str) -> Pipeline:
    pipeline = pipeline_list().filter(public_id=public_id).first()
    if pipeline is None:
        raise NotFound("No such pipeline.")
    return pipeline


def pipeline_for_type(*, type: str) -> Pipeline:
    pipeline = Pipeline.objects.filter(opportunity_type=type).first()
    if pipeline is None:
        raise NotFound(f"No pipeline for opportunity type {type!r}.")
    return pipeline


def stages_of(*, pipeline: Pipeline) -> list[Stage]:
    return list(Stage.objects.filter(pipeline=pipeline).order_by("position", "id"))


def stage_get(*, public_id: str) -> Stage:
    stage = Stage.objects.select_related("pipeline").filter(public_id=public_id).first()
    if stage is None:
        raise NotFound("No such stage.")
    return stage


def stage_by_public_id(*, public_id: str) -> Stage | None:
    return Stage.objects.select_related("pipeline").filter(public_id=public_id).first()


def stage_by_code(*, type: str, code: str) -> Stage | None:
    """A stage of ``type``'s pipeline by its stable code (e.g. the renewal engine's ``negotiation``)."""
    return Stage.objects.select_related("pipeline").filter(pipeline__opportunity_type=type, code=code).first()


def all_stages() -> QuerySet[Stage]:
    return Stage.objects.select_related("pipeline").order_by("pipeline_id", "position", "id")


def plans() -> QuerySet[Product]:
    """Active plans of the catalog (the target of an upgrade, or the plan of a new subscription)."""
    return Product.objects.filter(kind="plan", active=True).order_by("name")


def first_open_stage(*, pipeline: Pipeline) -> Stage | None:
    return Stage.objects.filter(pipeline=pipeline, kind=StageKind.OPEN).order_by("position", "id").first()


# --- opportunities -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpportunityFilters:
    """``owner_email``: owned by that person; ``close_month``: any day of the month the close date falls in;
    ``state``: open, won, lost or "" for all."""

    search: str = ""
    owner_email: str = ""
    type: str = ""
    stage_public_id: str = ""
    account_public_id: str = ""
    close_month: datetime.date | None = None
    state: str = ""


def opportunity_list(*, actor: Any, action: str = Action.VIEW,
                     filters: OpportunityFilters | None = None) -> QuerySet[Opportunity]:
    """The opportunities ``actor`` may ``action`` (view by default), filtered."""
    filters = filters or OpportunityFilters()
    items = restrict(Opportunity.objects.select_related("account", "stage", "stage__pipeline", "owner"), actor,
                     action)
    if filters.search:
        term = filters.search.strip()
        items = items.filter(Q(name__icontains=term) | Q(account__name__icontains=term))
    if filters.owner_email:
        items = items.filter(owner__email=filters.owner_email.strip().lower())
    if filters.type:
        items = items.filter(type=filters.type)
    if filters.stage_public_id:
        items = items.filter(stage__public_id=filters.stage_public_id)
    if filters.account_public_id:
        items = items.filter(account__public_id=filters.account_public_id)
    if filters.close_month is not None:
        first = month_start(filters.close_month)
        items = items.filter(close_date__gte=first, close_date__lt=add_months(first, 1))
    if filters.state:
        items = items.filter(stage__kind=filters.state)
    return items


OPPORTUNITY_SORTS = {"close": ("close_date", "id"), "-close": ("-close_date", "-id"),
                     "-created": ("-created_at", "-id"), "name": ("name", "id")}


def opportunity_sorted(*, items: QuerySet[Opportunity],
                       sort: str) -> tuple[QuerySet[Opportunity], tuple[str, ...]]:
    if sort not in OPPORTUNITY_SORTS:
        raise ValidationFailed("Unknown sort.", errors={"sort": [f"Use one of: {', '.join(OPPORTUNITY_SORTS)}."]})
    return items, OPPORTUNITY_SORTS[sort]


def opportunity_get(*, actor: Any, public_id: str, action: str = Action.VIEW) -> Opportunity:
    opportunity = opportunity_list(actor=actor, action=action).filter(public_id=public_id).first()
    if opportunity is None:
        raise NotFound("No such opportunity.")
    return opportunity


def opportunity_stage_history(*, actor: Any, opportunity: Opportunity) -> QuerySet[OpportunityStageChange]:
    return opportunity.stage_changes.select_related("from_stage", "to_stage", "changed_by")


def opportunities_of_account(*, actor: Any, account: Account) -> QuerySet[Opportunity]:
    """The account's opportunities as its Account 360 section lists them: with stage and owner, not the account
    again nor the stage's pipeline (two joins fewer than ``opportunity_list``)."""
    return restrict(Opportunity.objects.select_related("stage", "owner"), actor).filter(account=account)


@dataclass(frozen=True)
class BoardColumn:
    stage: Stage
    opportunities: list[Opportunity]
    count: int
    total_mrr: Decimal


def board(*, actor: Any, pipeline: Pipeline, owner_email: str = "", per_column: int = 50,
          closed_since: datetime.date | None = None) -> list[BoardColumn]:
    """The kanban columns of ``pipeline``: each stage with the visible opportunities in it (open stages all,
    won and lost ones closed since ``closed_since``, 90 days by default), by close date."""
    closed_since = closed_since or (timezone.localdate() - datetime.timedelta(days=90))
    items = opportunity_list(actor=actor, filters=OpportunityFilters(owner_email=owner_email)).filter(
        stage__pipeline=pipeline).filter(Q(stage__kind=StageKind.OPEN) | Q(closed_on__gte=closed_since))
    stats = {row["stage_id"]: row for row in items.order_by().values("stage_id").annotate(
        count=Count("id"), total=Sum("mrr_delta"))}
    columns = []
    for stage in stages_of(pipeline=pipeline):
        row: Any = stats.get(stage.pk, {})
        columns.append(BoardColumn(stage=stage, count=row.get("count", 0), total_mrr=row.get("total") or Decimal(0),
                                   opportunities=list(items.filter(stage=stage).order_by("close_date", "id")
                                                      [:per_column])))
    return columns


def closing_this_month(*, actor: Any, limit: int = 8) -> list[Opportunity]:
    """The actor's open opportunities closing this month (or overdue), soonest first."""
    today = timezone.localdate()
    return list(opportunity_list(actor=actor).filter(owner_id=actor.pk, stage__kind=StageKind.OPEN,
                                                     close_date__lt=add_months(today, 1))
                .order_by("close_date", "id")[:limit])


def account_manager_of(*, account: Account) -> User | None:
    """The user holding the account-manager seat on ``account`` (the default owner of an expansion a CSM
    spots)."""
    seat = AccountTeamMember.objects.select_related("user").filter(account=account, role__code="am").first()
    return seat.user if seat and seat.user.is_active else None


def visible_subscription(*, actor: Any, public_id: str) -> Any:
    """The subscription with this public id if the actor may see it; a field error otherwise."""
    subscription = restrict(Subscription.objects.select_related("account", "plan"), actor).filter(
        public_id=public_id).first()
    if subscription is None:
        raise ValidationFailed("Unknown subscription.", errors={"subscription": ["No visible subscription with id "
                                                                                 f"{public_id}."]})
    return subscription


def plan_by_code(*, code: str) -> Any:
    plan = Product.objects.filter(code=code.strip(), kind="plan").first()
    if plan is None:
        raise ValidationFailed("Unknown plan.", errors={"target_plan": [f"No plan with code {code!r}."]})
    return plan


# --- forecast ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Forecast:
    start: datetime.date
    months: int
    rows: list[ForecastRow]
    owners: dict[int, User]


def forecast(*, actor: Any, start: datetime.date, months: int = 3, owner_email: str = "",
             type: str = "") -> Forecast:
    """The weighted forecast of the visible opportunities closing in ``months`` months from ``start``'s month,
    by month, owner and currency (see ``logic.forecast_rows``)."""
    first = month_start(start)
    items = opportunity_list(actor=actor, filters=OpportunityFilters(owner_email=owner_email, type=type)).filter(
        close_date__gte=first, close_date__lt=add_months(first, months))
    values = items.values_list("close_date", "owner_id", "currency", "mrr_delta", "one_off_amount",
                               "stage__probability", "stage__kind")
    rows = forecast_rows(ForecastItem(*value) for value in values)
    owner_ids = {row.owner_id for row in rows if row.owner_id is not None}
    return Forecast(start=first, months=months, rows=rows, owners=User.objects.in_bulk(owner_ids))


# --- for other apps (quotas, renewals) -----------------------------------------------------------------------


def _period(start: datetime.date | datetime.datetime,
            end: datetime.date | datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """Dates are whole days in UTC, both inclusive; datetimes are instants (``end`` exclusive)."""
    def instant(value: datetime.date | datetime.datetime, next_day: bool) -> datetime.datetime:
        if isinstance(value, datetime.datetime):
            return value
        day = value + datetime.timedelta(days=1) if next_day else value
        return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)

    return instant(start, False), instant(end, True)


@dataclass(frozen=True)
class Booking:
    """What one owner won in a period, in one currency: the recurring change and the one-off amounts."""

    owner_id: int | None
    currency: str
    count: int
    mrr_delta: Decimal
    one_off_amount: Decimal


def bookings(*, owner: User | None = None, start: datetime.date, end: datetime.date) -> list[Booking]:
    """Won opportunities closed between ``start`` and ``end`` (inclusive dates), per owner and currency."""
    won = Opportunity.objects.filter(stage__kind=StageKind.WON, closed_on__gte=start, closed_on__lte=end)
    if owner is not None:
        won = won.filter(owner=owner)
    rows = won.order_by().values("owner_id", "currency").annotate(count=Count("id"), mrr=Sum("mrr_delta"),
                                                                   one_off=Sum("one_off_amount"))
    return sorted((Booking(owner_id=row["owner_id"], currency=row["currency"], count=row["count"],
                           mrr_delta=Decimal(row["mrr"] or 0).quantize(Decimal("0.01")),
                           one_off_amount=Decimal(row["one_off"] or 0).quantize(Decimal("0.01")))
                   for row in rows), key=lambda booking: (booking.owner_id or 0, booking.currency))


def opportunities_created(*, user: User, start: datetime.date | datetime.datetime,
                          end: datetime.date | datetime.datetime) -> QuerySet[Opportunity]:
    """Opportunities ``user`` created in the period (dates inclusive, UTC), qualification included."""
    since, until = _period(start, end)
    return Opportunity.objects.filter(created_by=user, created_at__gte=since, created_at__lt=until)


def sdr_calls(*, user: User, start: datetime.date | datetime.datetime,
              end: datetime.date | datetime.datetime) -> int:
    """Calls ``user`` made in the period (dates inclusive, UTC): calls logged on leads (qualified or not) plus
    call activities they logged on account timelines."""
    since, until = _period(start, end)
    on_leads = LeadCall.objects.filter(caller=user, occurred_at__gte=since, occurred_at__lt=until).count()
    on_accounts = Activity.objects.filter(type=ActivityType.CALL, created_by=user, occurred_at__gte=since,
                                          occurred_at__lt=until).count()
    return on_leads + on_accounts


def open_opportunity_for_subscription(*, subscription: Any, type: str) -> Opportunity | None:
    """The open opportunity of ``type`` linked to ``subscription``, if there is one (oldest first)."""
    return (Opportunity.objects.select_related("stage", "owner", "account")
            .filter(subscription=subscription, type=type, stage__kind=StageKind.OPEN).order_by("id").first())
