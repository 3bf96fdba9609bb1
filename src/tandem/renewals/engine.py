"""The renewal engine: the daily run that opens renewals, opens negotiations and records outcomes.

One run on ``today`` (idempotent — a second run on the same day writes nothing):

1. **Notice.** Every active subscription ending from today to ``notice_days`` ahead without a ``RenewalRecord``
   for that end date is a candidate (one query). Per chunk, in one transaction:
   * the AM early-renewal rule: a renewal of the subscription, or a change that raised its MRR (seats, add-ons,
     upgrade), recorded inside the notice window → a record ``skipped``, no opportunity, nobody contacted;
   * an open renewal opportunity already linked to the subscription → a record pointing at it (no second one);
   * otherwise a renewal opportunity (amount = current MRR, close date = end date, stage ``upcoming`` — or
     ``negotiation`` when the end is already inside the negotiation window) owned by the account's renewal
     specialist, else its AM, else its owner; the playbook's tasks for that person; a timeline entry and an audit
     entry per opportunity, task and record; one notification per person per run.
   Rows are written in bulk (``core.bulk``): 100,000 contracts take seconds, not minutes.
2. **Negotiation.** Open renewals ending within ``negotiation_days`` whose negotiation has not opened move to the
   renewal pipeline's ``negotiation`` stage (through ``pipeline.services.opportunity_move``), with a timeline
   entry and a notification.
3. **Outcomes.** Renewal opportunities won or lost elsewhere (the board, the API) are recorded; a lost one
   churns the subscription with the loss reason (the same rule as closing it on the renewal page)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tandem.access.decide import SYSTEM
from tandem.accounts.models import AccountTeamMember
from tandem.audit.models import AuditAction
from tandem.audit.services import audit_save_many, audit_values
from tandem.contracts.choices import ChangeKind, SubscriptionStatus
from tandem.contracts.models import Subscription, SubscriptionChange
from tandem.core.bulk import insert_many, insert_rows
from tandem.core.models import new_public_id
from tandem.identity.models import User
from tandem.notifications.services import notify
from tandem.notifications.text import translatable
from tandem.pipeline import selectors as pipeline_selectors
from tandem.pipeline.choices import OpportunityType, StageKind
from tandem.pipeline.models import Opportunity, OpportunityStageChange, Stage
from tandem.renewals import logic, selectors
from tandem.renewals.choices import AssignmentBasis, RenewalOutcome
from tandem.renewals.models import RenewalRecord
from tandem.scheduling.models import Task
from tandem.scheduling.tasks.logic import due_from_local
from tandem.timeline.choices import ActivityType
from tandem.timeline.models import Activity

CHUNK = 10_000
NEGOTIATION_CODE = "negotiation"
# Changes that count as the AM having renewed or expanded early (expansions: those that raised the MRR).
EXPANSION_KINDS = (ChangeKind.SEAT_CHANGE, ChangeKind.ADD_ON_ADDED, ChangeKind.ADD_ON_CHANGE, ChangeKind.PLAN_UPGRADE,
                   ChangeKind.PRICE_CHANGE)

SENTENCES = {
    "renewal_opportunity_created": gettext_lazy("Renewal opportunity created: %(name)s (contract ends %(end)s)"),
    "renewal_negotiation_opened": gettext_lazy("Renewal negotiation opened: %(name)s"),
    "renewal_renewed": gettext_lazy("Renewal won: %(name)s"),
    "renewal_downgraded": gettext_lazy("Renewed with a downgrade: %(name)s (%(reason)s)"),
    "renewal_churned": gettext_lazy("Renewal lost, the customer churned: %(name)s (%(reason)s)"),
}


@dataclass(frozen=True)
class RunResult:
    today: datetime.date
    created: int  # renewal opportunities created
    skipped: int  # renewed or expanded early by the AM
    linked: int  # an open renewal opportunity already existed
    negotiations: int  # negotiation opened (on creation or by moving)
    closed: int  # outcomes recorded from opportunities closed elsewhere

    @property
    def records(self) -> int:
        return self.created + self.skipped + self.linked


def timeline_subject(event: str, **values: Any) -> str:
    return str(SENTENCES[event]) % values


def _subject_templates() -> dict[str, str]:
    return {event: str(sentence) for event, sentence in SENTENCES.items()}


def renewals_run(*, today: datetime.date | None = None, actor: Any = SYSTEM) -> RunResult:
    """The daily run (see the module docstring). ``today`` sets the clock (tests, `tandem renewals run --today`)."""
    day = today or timezone.localdate()
    config = selectors.renewal_config()
    counts: dict[str, int] = defaultdict(int)
    for _attempt in range(3):
        try:
            _notice(day, config, actor, counts)
            break
        except IntegrityError:  # another run wrote some of the same records meanwhile: pick up what is left
            continue
    counts["negotiations"] += negotiations_open(today=day, config=config, actor=actor)
    counts["closed"] = outcomes_record(actor=actor)
    return RunResult(today=day, created=counts["created"], skipped=counts["skipped"], linked=counts["linked"],
                     negotiations=counts["negotiations"], closed=counts["closed"])


# --- 1. notice -----------------------------------------------------------------------------------------------


def candidates(*, today: datetime.date, notice_days: int) -> list[Subscription]:
    """Active subscriptions ending in the notice window that have no renewal record for their end date."""
    start, end = logic.notice_window(today, notice_days)
    handled = RenewalRecord.objects.filter(subscription=OuterRef("pk"), end_date=OuterRef("end_date"))
    return list(Subscription.objects.filter(status=SubscriptionStatus.ACTIVE, end_date__gte=start,
                                            end_date__lte=end)
                .exclude(Exists(handled)).select_related("account", "plan")
                .only("id", "public_id", "account_id", "account__name", "account__owner_id", "plan__name", "currency",
                      "mrr", "end_date", "term_months", "seats")
                .order_by("end_date", "id"))


def _early(subscriptions: list[Subscription], notice_days: int) -> set[int]:
    """Subscriptions the AM renewed or expanded inside their notice window (recorded or effective in it)."""
    window_start = {item.pk: item.end_date - datetime.timedelta(days=notice_days) for item in subscriptions}
    rows = (SubscriptionChange.objects.filter(subscription_id__in=list(window_start))
            .filter(Q(kind=ChangeKind.RENEWAL) | Q(kind__in=EXPANSION_KINDS, mrr_delta__gt=0))
            .values_list("subscription_id", "effective_date", "created_at"))
    early = set()
    for subscription_id, effective_date, created_at in rows:
        start = window_start[subscription_id]
        if effective_date >= start or timezone.localdate(created_at) >= start:
            early.add(subscription_id)
    return early


def _assignees(subscriptions: list[Subscription]) -> dict[int, tuple[User | None, str]]:
    """account id → (user, basis): renewal specialist, else AM, else owner (active people only)."""
    account_ids = {item.account_id for item in subscriptions}
    seats: dict[tuple[int, str], int] = {}
    for account_id, role_code, user_id in (AccountTeamMember.objects
                                           .filter(account_id__in=account_ids, role__code__in=("renewal", "am"),
                                                   user__is_active=True)
                                           .order_by("id").values_list("account_id", "role__code", "user_id")):
        seats.setdefault((account_id, role_code), user_id)
    owners = {item.account_id: item.account.owner_id for item in subscriptions}
    user_ids = set(seats.values()) | {owner for owner in owners.values() if owner}
    users = User.objects.filter(is_active=True).in_bulk(list(user_ids))
    chosen = {}
    for account_id in account_ids:
        owner: int | None = owners.get(account_id)
        chosen_id, basis = logic.assignee(renewal_specialist=seats.get((account_id, "renewal")),
                                          account_manager=seats.get((account_id, "am")),
                                          owner=owner if owner in users else None)
        chosen[account_id] = (users.get(chosen_id) if chosen_id else None, basis)
    return chosen


def _renewal_stages() -> tuple[Stage, Stage | None]:
    pipeline = pipeline_selectors.pipeline_for_type(type=OpportunityType.RENEWAL)
    first = pipeline_selectors.first_open_stage(pipeline=pipeline)
    if first is None:
        raise RuntimeError("The renewal pipeline has no open stage.")
    negotiation = pipeline_selectors.stage_by_code(type=OpportunityType.RENEWAL, code=NEGOTIATION_CODE)
    if negotiation is not None and negotiation.kind != StageKind.OPEN:
        negotiation = None
    return first, negotiation


def _name(subscription: Subscription, template: str) -> str:
    return (template % {"account": subscription.account.name, "plan": subscription.plan.name})[:200]


def _notice(day: datetime.date, config: selectors.RenewalConfig, actor: Any, counts: dict[str, int]) -> None:
    due = candidates(today=day, notice_days=config.notice_days)
    if not due:
        return
    first_stage, negotiation_stage = _renewal_stages()
    created_all: list[_Created] = []
    for index in range(0, len(due), CHUNK):
        chunk = due[index:index + CHUNK]
        chunk_counts: dict[str, int] = defaultdict(int)
        with transaction.atomic():
            created = _notice_chunk(chunk, day=day, config=config, actor=actor, first_stage=first_stage,
                                    negotiation_stage=negotiation_stage, counts=chunk_counts)
        for key, value in chunk_counts.items():
            counts[key] += value
        created_all += created
    _notify_assigned(created_all, actor=actor, day=day)


@dataclass(frozen=True)
class _Created:
    record: RenewalRecord
    opportunity: Opportunity
    assignee: User


def _notice_chunk(chunk: list[Subscription], *, day: datetime.date, config: selectors.RenewalConfig, actor: Any,
                  first_stage: Stage, negotiation_stage: Stage | None, counts: dict[str, int]) -> list[_Created]:
    now = timezone.now()
    early = _early(chunk, config.notice_days)
    existing = {}
    for opportunity in (Opportunity.objects.filter(subscription_id__in=[item.pk for item in chunk],
                                                   type=OpportunityType.RENEWAL, stage__kind=StageKind.OPEN)
                        .select_related("owner").order_by("-id")):
        existing[opportunity.subscription_id] = opportunity
    people = _assignees(chunk)
    name_template = str(gettext_lazy("Renewal: %(account)s · %(plan)s"))
    records: list[RenewalRecord] = []
    opportunities: list[tuple[Subscription, Opportunity, str]] = []
    for item in chunk:
        record = RenewalRecord(subscription_id=item.pk, end_date=item.end_date, account_id=item.account_id,
                               mrr=item.mrr, currency=item.currency)
        if item.pk in early:
            record.outcome, record.assignment_basis = RenewalOutcome.SKIPPED, AssignmentBasis.NONE
            record.reason = str(gettext_lazy("Renewed or expanded early by the account manager."))
            record.closed_at = now
            counts["skipped"] += 1
        elif item.pk in existing:
            found = existing[item.pk]
            record.opportunity, record.assignee = found, found.owner
            record.assignment_basis = AssignmentBasis.EXISTING
            counts["linked"] += 1
        else:
            user, basis = people[item.account_id]
            negotiating = negotiation_stage is not None and logic.in_negotiation(
                end_date=item.end_date, today=day, negotiation_days=config.negotiation_days)
            opportunity = Opportunity(account_id=item.account_id, type=OpportunityType.RENEWAL,
                                      name=_name(item, name_template),
                                      stage=negotiation_stage if negotiating else first_stage, mrr_delta=item.mrr,
                                      currency=item.currency, close_date=item.end_date, owner=user,
                                      subscription_id=item.pk, renewal_term_months=item.term_months, version=1)
            opportunities.append((item, opportunity, basis))
            record.opportunity, record.assignee, record.assignment_basis = opportunity, user, basis
            record.negotiation_opened_at = now if negotiating else None
            counts["created"] += 1
            counts["negotiations"] += int(negotiating)
        records.append(record)
    insert_many(Opportunity, [opportunity for _item, opportunity, _basis in opportunities])
    for record in records:
        if record.opportunity is not None:
            record.opportunity_id = record.opportunity.pk
    insert_many(RenewalRecord, records)
    insert_rows(OpportunityStageChange, [{"opportunity_id": opportunity.pk, "from_stage_id": None,
                                          "to_stage_id": opportunity.stage_id, "changed_by_id": None,
                                          "changed_at": now} for _item, opportunity, _basis in opportunities])
    by_subscription = {record.subscription_id: record for record in records}
    tasks = _playbook_tasks(opportunities, config=config, day=day)
    _audit(actor, records, opportunities, tasks)
    _timeline(actor, opportunities, by_subscription, now=now)
    return [_Created(by_subscription[item.pk], opportunity, opportunity.owner)
            for item, opportunity, _basis in opportunities if opportunity.owner is not None]


def _playbook_tasks(opportunities: list[tuple[Subscription, Opportunity, str]], *,
                    config: selectors.RenewalConfig, day: datetime.date) -> list[dict[str, Any]]:
    """The playbook's tasks for each new opportunity's owner, as plain rows (no model instances: tens of
    thousands on a large first run). All-day tasks, due in the assignee's time zone."""
    if not config.playbook:
        return []
    opportunity_type = ContentType.objects.get_for_model(Opportunity).pk
    zones: dict[str, str] = {}
    rows = []
    for item, opportunity, _basis in opportunities:
        user = opportunity.owner
        if user is None:
            continue
        zone = zones.setdefault(user.time_zone or "UTC", _valid_zone(user.time_zone or "UTC"))
        for step in config.playbook:
            due = due_from_local(date=logic.task_due(end_date=item.end_date, offset_days=step.offset_days, today=day),
                                 time=None, time_zone=zone)
            rows.append({"public_id": new_public_id(), "title": step.title, "description": opportunity.name,
                         "assignee_id": user.pk, "created_by_id": None, "account_id": item.account_id,
                         "related_type_id": opportunity_type, "related_id": opportunity.pk, "due_at": due.at,
                         "due_all_day": True, "due_date": due.date, "priority": "normal", "status": "open",
                         "recurrence": "", "completed_at": None, "previous_id": None, "reminder_minutes": None,
                         "remind_at": None, "reminded_at": None, "_assignee": str(user)})
    insert_rows(Task, [{key: value for key, value in row.items() if key != "_assignee"} for row in rows])
    return rows


def _valid_zone(name: str) -> str:
    try:
        due_from_local(date=datetime.date(2000, 1, 1), time=None, time_zone=name)
    except Exception:
        return "UTC"
    return name


def _audit(actor: Any, records: list[RenewalRecord], opportunities: list[tuple[Subscription, Opportunity, str]],
           tasks: list[dict[str, Any]]) -> None:
    """One entry per opportunity (listing the playbook tasks created with it for its owner) and per record."""
    opportunity_type = ContentType.objects.get_for_model(Opportunity).pk
    record_type = ContentType.objects.get_for_model(RenewalRecord).pk
    actor_values = audit_values(actor=actor, action=AuditAction.CREATE, obj=None)
    tasks_of: dict[int, list[str]] = defaultdict(list)
    for task in tasks:
        tasks_of[task["related_id"]].append(f"{task['title']} ({task['due_date'].isoformat()}, {task['_assignee']})")
    entries = []
    for item, opportunity, basis in opportunities:
        changes: dict[str, list[Any]] = {
            "name": [None, opportunity.name], "type": [None, opportunity.type],
            "stage": [None, opportunity.stage.name], "mrr_delta": [None, str(opportunity.mrr_delta)],
            "currency": [None, opportunity.currency], "close_date": [None, opportunity.close_date.isoformat()],
            "subscription": [None, item.public_id], "renewal_term_months": [None, opportunity.renewal_term_months]}
        if opportunity.owner is not None:
            changes["owner"] = [None, str(opportunity.owner)]
        if tasks_of.get(opportunity.pk):
            changes["playbook_tasks"] = [None, tasks_of[opportunity.pk]]
        entries.append({**actor_values, "content_type_id": opportunity_type, "object_id": str(opportunity.pk),
                        "object_repr": opportunity.name[:200], "summary": f"Renewal engine ({basis})",
                        "changes": changes})
    for record in records:
        entries.append({**actor_values, "content_type_id": record_type, "object_id": str(record.pk),
                        "object_repr": str(record)[:200], "summary": "", "changes": {
                            "end_date": [None, record.end_date.isoformat()], "outcome": [None, record.outcome],
                            "assignment_basis": [None, record.assignment_basis]}})
    audit_save_many(entries)


def _timeline(actor: Any, opportunities: list[tuple[Subscription, Opportunity, str]],
              records: dict[int, RenewalRecord], *, now: datetime.datetime) -> None:
    """The entries go straight in (bulk): the people concerned get the run's notification instead of one
    follower notification per entry."""
    record_type = ContentType.objects.get_for_model(RenewalRecord)
    subjects = _subject_templates()
    rows = []
    for item, opportunity, basis in opportunities:
        record = records[item.pk]
        payload = {"event": "renewal_opportunity_created", "opportunity": opportunity.public_id,
                   "renewal": record.public_id, "name": opportunity.name, "end_date": item.end_date.isoformat(),
                   "assignee": str(opportunity.owner or ""), "basis": basis}
        rows.append({"public_id": new_public_id(), "account_id": item.account_id, "type": ActivityType.SYSTEM_EVENT,
                     "direction": "none", "body": "", "body_html": "", "message_id": "",
                     "occurred_at": now, "created_by_id": None, "source_type_id": record_type.pk,
                     "source_id": record.pk, "payload": payload,
                     "subject": (subjects["renewal_opportunity_created"]
                                 % {"name": opportunity.name, "end": item.end_date.isoformat()})[:300]})
        if record.negotiation_opened_at is not None:
            rows.append({**rows[-1], "public_id": new_public_id(),
                         "payload": {**payload, "event": "renewal_negotiation_opened"},
                         "subject": (subjects["renewal_negotiation_opened"] % {"name": opportunity.name})[:300]})
    insert_rows(Activity, rows)


def renewal_url(record: RenewalRecord) -> str:
    return reverse("renewals:renewal-detail", args=[record.public_id])


def _notify_assigned(created: list[_Created], *, actor: Any, day: datetime.date) -> None:
    """One notification per person per chunk: the renewal itself when there is one, else how many."""
    by_user: dict[int, list[_Created]] = defaultdict(list)
    for item in created:
        by_user[item.assignee.pk].append(item)
    for items in by_user.values():
        user, first = items[0].assignee, items[0]
        if len(items) == 1:
            title = translatable(gettext_lazy("Renewal: %(name)s — the contract ends on %(end)s"),
                                 name=first.opportunity.name, end=first.record.end_date.isoformat())
            body = translatable(_basis_sentence(first.record.assignment_basis))
            url = renewal_url(first.record)
        else:
            title = translatable(gettext_lazy("New renewals for you: %(count)s contracts end in the coming days"),
                                 count=str(len(items)))
            body = translatable(gettext_lazy("See them on the renewals page."))
            url = reverse("renewals:renewal-list") + "?owner=me&within=90"
        notify(recipients=[user], kind="renewal_assigned", title=title, body=body, url=url, actor=actor,
               source=first.record, event_key=f"renewal-assigned:{first.record.pk}")


def _basis_sentence(basis: str) -> Any:
    if basis == AssignmentBasis.AM:
        return gettext_lazy("You are the account manager; the account has no renewal specialist.")
    if basis == AssignmentBasis.OWNER:
        return gettext_lazy("You own the account; it has no renewal specialist or account manager.")
    return gettext_lazy("You are the account's renewal specialist.")


# --- 2. negotiation ------------------------------------------------------------------------------------------


def negotiations_open(*, today: datetime.date, config: selectors.RenewalConfig | None = None,
                      actor: Any = SYSTEM) -> int:
    """Move open renewals ending within the negotiation window to the negotiation stage (once each)."""
    from tandem.pipeline import services as pipeline_services

    config = config or selectors.renewal_config()
    negotiation = pipeline_selectors.stage_by_code(type=OpportunityType.RENEWAL, code=NEGOTIATION_CODE)
    if negotiation is None:
        return 0
    opened = 0
    for record in selectors.open_records(end_until=today + datetime.timedelta(days=config.negotiation_days)):
        opportunity = record.opportunity
        assert opportunity is not None
        with transaction.atomic():
            if opportunity.stage.kind == StageKind.OPEN and opportunity.stage.position < negotiation.position:
                opportunity = pipeline_services.opportunity_move(actor=actor, opportunity=opportunity,
                                                                 stage=negotiation, version=opportunity.version)
            now = timezone.now()
            RenewalRecord.objects.filter(pk=record.pk).update(negotiation_opened_at=now)
            Activity.objects.create(
                account_id=record.account_id, type=ActivityType.SYSTEM_EVENT, occurred_at=now, source=record,
                subject=timeline_subject("renewal_negotiation_opened", name=opportunity.name)[:300],
                payload={"event": "renewal_negotiation_opened", "opportunity": opportunity.public_id,
                         "renewal": record.public_id, "name": opportunity.name,
                         "end_date": record.end_date.isoformat()})
            if opportunity.owner is not None:
                notify(recipients=[opportunity.owner], kind="renewal_negotiation", actor=actor, source=record,
                       url=renewal_url(record), event_key=f"renewal-negotiation:{record.pk}",
                       title=translatable(gettext_lazy("Negotiation opens: %(name)s — the contract ends on %(end)s"),
                                          name=opportunity.name, end=record.end_date.isoformat()))
        opened += 1
    return opened


# --- 3. outcomes of opportunities closed elsewhere -----------------------------------------------------------


def outcomes_record(*, actor: Any = SYSTEM) -> int:
    from tandem.renewals import services

    count = 0
    for record in selectors.closed_elsewhere():
        opportunity = record.opportunity
        assert opportunity is not None
        with transaction.atomic():
            if opportunity.stage.kind == StageKind.WON:
                services.record_outcome(actor=actor, record=record, outcome=RenewalOutcome.RENEWED)
            else:
                reason = opportunity.loss_reason or str(gettext_lazy("Lost on the pipeline board."))
                subscription = record.subscription
                if subscription.status == SubscriptionStatus.ACTIVE:
                    services.churn_subscription(actor=actor, record=record, reason=reason)
                services.record_outcome(actor=actor, record=record, outcome=RenewalOutcome.CHURNED, reason=reason)
        count += 1
    return count

