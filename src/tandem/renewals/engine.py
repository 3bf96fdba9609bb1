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

import contextlib
import datetime
import gc
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext

from tandem.access.decide import SYSTEM
from tandem.accounts.models import AccountTeamMember
from tandem.audit.models import AuditAction
from tandem.audit.services import audit_save_many, audit_values
from tandem.contracts.choices import ChangeKind, SubscriptionStatus
from tandem.contracts.models import Subscription, SubscriptionChange
from tandem.core.bulk import insert_tuples
from tandem.core.models import new_public_id
from tandem.identity.models import Role, User
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


class Candidate(NamedTuple):
    """A subscription due for notice, as the one query reads it (plain values: thousands per run)."""

    id: int
    public_id: str
    account_id: int
    account_name: str
    owner_id: int | None
    plan_name: str
    currency: str
    mrr: Decimal
    end_date: datetime.date
    term_months: int


def candidates(*, today: datetime.date, notice_days: int) -> list[Candidate]:
    """Active subscriptions ending in the notice window that have no renewal record for their end date. The
    records are read by ``renewal_end_subscription`` (end date, subscription) over the same window only, so the
    anti-join does not grow with years of history."""
    start, end = logic.notice_window(today, notice_days)
    handled = RenewalRecord.objects.filter(end_date__gte=start, end_date__lte=end, end_date=OuterRef("end_date"),
                                           subscription=OuterRef("pk"))
    rows = (Subscription.objects.filter(status=SubscriptionStatus.ACTIVE, end_date__gte=start, end_date__lte=end)
            .exclude(Exists(handled))
            .order_by("end_date", "id")
            .values_list("id", "public_id", "account_id", "account__name", "account__owner_id", "plan__name",
                         "currency", "mrr", "end_date", "term_months"))
    return [Candidate._make(row) for row in rows]


def _in_chunk(chunk: list[Candidate]) -> Q:
    """The chunk's subscriptions as a date range (the chunk is ordered by end date) rather than thousands of ids
    in an IN list; callers keep only the rows of the chunk's own subscriptions."""
    return Q(status=SubscriptionStatus.ACTIVE, end_date__gte=chunk[0].end_date, end_date__lte=chunk[-1].end_date)


def _early(chunk: list[Candidate], notice_days: int) -> set[int]:
    """Subscriptions the AM renewed or expanded inside their notice window (recorded or effective in it)."""
    window_start = {item.id: item.end_date - datetime.timedelta(days=notice_days) for item in chunk}
    rows = (SubscriptionChange.objects
            .filter(subscription__in=Subscription.objects.filter(_in_chunk(chunk)).values("pk"))
            .filter(Q(kind=ChangeKind.RENEWAL) | Q(kind__in=EXPANSION_KINDS, mrr_delta__gt=0))
            .values_list("subscription_id", "effective_date", "created_at"))
    early = set()
    for subscription_id, effective_date, created_at in rows:
        start = window_start.get(subscription_id)
        if start is not None and (effective_date >= start or timezone.localdate(created_at) >= start):
            early.add(subscription_id)
    return early


def _assignees(chunk: list[Candidate]) -> tuple[dict[int, tuple[int | None, str]], dict[int, User]]:
    """(account id → (user id, basis), user id → user): the renewal specialist, else the AM, else the owner —
    active people only. Three queries whatever the number of accounts: roles, team seats, people."""
    roles = dict(Role.objects.filter(code__in=("renewal", "am")).values_list("pk", "code"))
    account_ids = {item.account_id for item in chunk}
    accounts_in_chunk = Subscription.objects.filter(_in_chunk(chunk)).values("account_id")
    members = [row for row in (AccountTeamMember.objects
                               .filter(account_id__in=accounts_in_chunk, role_id__in=list(roles))
                               .order_by("id").values_list("account_id", "role_id", "user_id"))
               if row[0] in account_ids]
    owners = {item.account_id: item.owner_id for item in chunk}
    user_ids = {user_id for _account, _role, user_id in members} | {owner for owner in owners.values() if owner}
    users = User.objects.filter(is_active=True).in_bulk(list(user_ids))
    seats: dict[tuple[int, str], int] = {}
    for account_id, role_id, user_id in members:
        if user_id in users:
            seats.setdefault((account_id, roles[role_id]), user_id)
    chosen = {}
    for account_id in account_ids:
        owner = owners.get(account_id)
        chosen[account_id] = logic.assignee(renewal_specialist=seats.get((account_id, "renewal")),
                                            account_manager=seats.get((account_id, "am")),
                                            owner=owner if owner in users else None)
    return chosen, users


def _renewal_stages() -> tuple[Stage, Stage | None]:
    pipeline = pipeline_selectors.pipeline_for_type(type=OpportunityType.RENEWAL)
    first = pipeline_selectors.first_open_stage(pipeline=pipeline)
    if first is None:
        raise RuntimeError("The renewal pipeline has no open stage.")
    negotiation = pipeline_selectors.stage_by_code(type=OpportunityType.RENEWAL, code=NEGOTIATION_CODE)
    if negotiation is not None and negotiation.kind != StageKind.OPEN:
        negotiation = None
    return first, negotiation


@dataclass(frozen=True)
class _Context:
    """What every chunk of a run shares (looked up once per run)."""

    day: datetime.date
    now: datetime.datetime
    config: selectors.RenewalConfig
    actor: Any
    first_stage: Stage
    negotiation_stage: Stage | None
    opportunity_type: int  # content type ids
    record_type: int
    name_template: str
    skipped_reason: str
    subjects: dict[str, str]


def _notice(day: datetime.date, config: selectors.RenewalConfig, actor: Any, counts: dict[str, int]) -> None:
    due = candidates(today=day, notice_days=config.notice_days)
    if not due:
        return
    first_stage, negotiation_stage = _renewal_stages()
    context = _Context(day=day, now=timezone.now(), config=config, actor=actor, first_stage=first_stage,
                       negotiation_stage=negotiation_stage,
                       opportunity_type=ContentType.objects.get_for_model(Opportunity).pk,
                       record_type=ContentType.objects.get_for_model(RenewalRecord).pk,
                       name_template=str(gettext_lazy("Renewal: %(account)s · %(plan)s")),
                       skipped_reason=str(gettext_lazy("Renewed or expanded early by the account manager.")),
                       subjects=_subject_templates())
    created_all: list[_Created] = []
    for index in range(0, len(due), CHUNK):
        chunk_counts: dict[str, int] = defaultdict(int)
        with transaction.atomic(), _no_cyclic_gc():
            created = _notice_chunk(due[index:index + CHUNK], context, counts=chunk_counts)
        for key, value in chunk_counts.items():
            counts[key] += value
        created_all += created
    _notify_assigned(created_all, actor=actor)


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """A chunk builds ~100,000 short tuples and dicts that hold no reference cycles; the cyclic collector would
    scan them again and again (about a third of the run's Python time). Paused for the chunk, then restored."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Created(NamedTuple):
    """A renewal opportunity the run created (the notification's material)."""

    assignee: User
    record_id: int
    record_public_id: str
    basis: str
    name: str
    end_date: datetime.date


class _New(NamedTuple):
    """A renewal opportunity to create, before and after it has its key."""

    item: Candidate
    name: str
    public_id: str
    stage: Stage
    owner: User | None
    basis: str
    negotiating: bool


OPPORTUNITY_COLUMNS = ("public_id", "account_id", "type", "name", "stage_id", "mrr_delta", "currency", "close_date",
                       "owner_id", "subscription_id", "renewal_term_months", "version")
RECORD_COLUMNS = ("public_id", "subscription_id", "end_date", "account_id", "opportunity_id", "assignee_id",
                  "assignment_basis", "outcome", "reason", "mrr", "currency", "negotiation_opened_at", "closed_at")
STAGE_CHANGE_COLUMNS = ("opportunity_id", "to_stage_id", "changed_at")
TASK_COLUMNS = ("title", "description", "assignee_id", "account_id", "related_type_id", "related_id", "due_at",
                "due_all_day", "due_date")
ACTIVITY_COLUMNS = ("public_id", "account_id", "type", "occurred_at", "source_type_id", "source_id", "payload",
                    "subject")


def _notice_chunk(chunk: list[Candidate], context: _Context, *, counts: dict[str, int]) -> list[_Created]:
    """One transaction: opportunities, their stage history, records, playbook tasks, audit and timeline entries
    as plain tuples through ``core.bulk`` (COPY on PostgreSQL). A fixed number of statements per chunk."""
    early = _early(chunk, context.config.notice_days)
    ids = {item.id for item in chunk}
    existing: dict[int, tuple[int, int | None]] = {}
    for subscription_id, opportunity_id, owner_id in (
            Opportunity.objects.filter(subscription__in=Subscription.objects.filter(_in_chunk(chunk)).values("pk"),
                                       type=OpportunityType.RENEWAL, stage__kind=StageKind.OPEN)
            .order_by("-id").values_list("subscription_id", "id", "owner_id")):
        if subscription_id in ids:
            existing.setdefault(subscription_id, (opportunity_id, owner_id))
    people, users = _assignees(chunk)
    new: list[_New] = []
    for item in chunk:
        if item.id in early or item.id in existing:
            continue
        user_id, basis = people[item.account_id]
        negotiating = context.negotiation_stage is not None and logic.in_negotiation(
            end_date=item.end_date, today=context.day, negotiation_days=context.config.negotiation_days)
        name = (context.name_template % {"account": item.account_name, "plan": item.plan_name})[:200]
        new.append(_New(item, name, new_public_id(),
                        context.negotiation_stage if negotiating and context.negotiation_stage else context.first_stage,
                        users.get(user_id) if user_id else None, basis, negotiating))
    opportunity_ids = insert_tuples(Opportunity, OPPORTUNITY_COLUMNS, [
        (entry.public_id, entry.item.account_id, OpportunityType.RENEWAL, entry.name, entry.stage.pk, entry.item.mrr,
         entry.item.currency, entry.item.end_date, entry.owner.pk if entry.owner else None, entry.item.id,
         entry.item.term_months, 1) for entry in new])
    opened = {entry.item.id: (entry, key) for entry, key in zip(new, opportunity_ids, strict=True)}
    now = context.now
    records: list[tuple[Any, ...]] = []
    for item in chunk:
        if item.id in early:
            records.append((new_public_id(), item.id, item.end_date, item.account_id, None, None,
                            AssignmentBasis.NONE, RenewalOutcome.SKIPPED, context.skipped_reason, item.mrr,
                            item.currency, None, now))
            counts["skipped"] += 1
        elif item.id in existing:
            linked, linked_owner = existing[item.id]
            records.append((new_public_id(), item.id, item.end_date, item.account_id, linked, linked_owner,
                            AssignmentBasis.EXISTING, RenewalOutcome.OPEN, "", item.mrr, item.currency, None, None))
            counts["linked"] += 1
        else:
            entry, key = opened[item.id]
            records.append((new_public_id(), item.id, item.end_date, item.account_id, key,
                            entry.owner.pk if entry.owner else None, entry.basis, RenewalOutcome.OPEN, "", item.mrr,
                            item.currency, now if entry.negotiating else None, None))
            counts["created"] += 1
            counts["negotiations"] += int(entry.negotiating)
    record_ids = insert_tuples(RenewalRecord, RECORD_COLUMNS, records)
    insert_tuples(OpportunityStageChange, STAGE_CHANGE_COLUMNS,
                  [(key, entry.stage.pk, now) for entry, key in zip(new, opportunity_ids, strict=True)])
    record_of = {row[1]: (key, row[0]) for row, key in zip(records, record_ids, strict=True)}
    tasks = _playbook_tasks(new, opportunity_ids, context)
    _audit(context, new, opportunity_ids, records, record_ids, tasks)
    _timeline(context, new, record_of)
    return [_Created(entry.owner, *record_of[entry.item.id], entry.basis, entry.name, entry.item.end_date)
            for entry in new if entry.owner is not None]


def _playbook_tasks(new: list[_New], opportunity_ids: list[int], context: _Context) -> dict[int, list[str]]:
    """The playbook's tasks for each new opportunity's owner (all-day, due in the owner's time zone); returns
    opportunity id → the tasks as the audit lists them."""
    listed: dict[int, list[str]] = defaultdict(list)
    if not context.config.playbook:
        return listed
    due_cache: dict[tuple[datetime.date, str], Any] = {}
    zones: dict[str, str] = {}
    rows = []
    for entry, key in zip(new, opportunity_ids, strict=True):
        user = entry.owner
        if user is None:
            continue
        zone = zones.get(user.time_zone or "UTC") or zones.setdefault(user.time_zone or "UTC",
                                                                       _valid_zone(user.time_zone or "UTC"))
        person = str(user)
        for step in context.config.playbook:
            day = logic.task_due(end_date=entry.item.end_date, offset_days=step.offset_days, today=context.day)
            due = due_cache.get((day, zone))
            if due is None:
                due = due_cache[(day, zone)] = due_from_local(date=day, time=None, time_zone=zone)
            rows.append((step.title, entry.name, user.pk, entry.item.account_id, context.opportunity_type, key,
                         due.at, True, due.date))
            listed[key].append(f"{step.title} ({day.isoformat()}, {person})")
    insert_tuples(Task, TASK_COLUMNS, rows)
    return listed


def _valid_zone(name: str) -> str:
    try:
        due_from_local(date=datetime.date(2000, 1, 1), time=None, time_zone=name)
    except Exception:
        return "UTC"
    return name


def _audit(context: _Context, new: list[_New], opportunity_ids: list[int], records: list[tuple[Any, ...]],
           record_ids: list[int], tasks: dict[int, list[str]]) -> None:
    """One entry per opportunity (listing the playbook tasks created with it for its owner) and per record."""
    base = audit_values(actor=context.actor, action=AuditAction.CREATE, obj=None)
    entries = []
    for entry, key in zip(new, opportunity_ids, strict=True):
        item = entry.item
        changes: dict[str, list[Any]] = {
            "name": [None, entry.name], "type": [None, OpportunityType.RENEWAL.value],
            "stage": [None, entry.stage.name], "mrr_delta": [None, str(item.mrr)],
            "currency": [None, item.currency], "close_date": [None, item.end_date.isoformat()],
            "subscription": [None, item.public_id], "renewal_term_months": [None, item.term_months]}
        if entry.owner is not None:
            changes["owner"] = [None, str(entry.owner)]
        if tasks.get(key):
            changes["playbook_tasks"] = [None, tasks[key]]
        entries.append({**base, "content_type_id": context.opportunity_type, "object_id": str(key),
                        "object_repr": entry.name, "summary": f"Renewal engine ({entry.basis})", "changes": changes})
    for row, key in zip(records, record_ids, strict=True):
        subscription_id, end_date, outcome, basis = row[1], row[2], row[7], row[6]
        entries.append({**base, "content_type_id": context.record_type, "object_id": str(key),
                        "object_repr": f"Renewal of {subscription_id} ending {end_date:%Y-%m-%d}", "summary": "",
                        "changes": {"end_date": [None, end_date.isoformat()], "outcome": [None, str(outcome)],
                                    "assignment_basis": [None, str(basis)]}})
    audit_save_many(entries)


def _timeline(context: _Context, new: list[_New], record_of: dict[int, tuple[int, str]]) -> None:
    """The entries go straight in (bulk): the people concerned get the run's notification instead of one
    follower notification per entry."""
    created, negotiation = (context.subjects["renewal_opportunity_created"],
                            context.subjects["renewal_negotiation_opened"])
    rows = []
    for entry in new:
        item = entry.item
        record_id, record_public_id = record_of[item.id]
        end = item.end_date.isoformat()
        payload = {"event": "renewal_opportunity_created", "opportunity": entry.public_id,
                   "renewal": record_public_id, "name": entry.name, "end_date": end,
                   "assignee": str(entry.owner or ""), "basis": entry.basis}
        rows.append((new_public_id(), item.account_id, ActivityType.SYSTEM_EVENT, context.now, context.record_type,
                     record_id, payload, (created % {"name": entry.name, "end": end})[:300]))
        if entry.negotiating:
            rows.append((new_public_id(), item.account_id, ActivityType.SYSTEM_EVENT, context.now,
                         context.record_type, record_id, {**payload, "event": "renewal_negotiation_opened"},
                         (negotiation % {"name": entry.name})[:300]))
    insert_tuples(Activity, ACTIVITY_COLUMNS, rows)


def renewal_url(record: RenewalRecord) -> str:
    return reverse("renewals:renewal-detail", args=[record.public_id])


def _notify_assigned(created: list[_Created], *, actor: Any) -> None:
    """One notification per person per run: the renewal itself when there is one, else how many."""
    by_user: dict[int, list[_Created]] = defaultdict(list)
    for item in created:
        by_user[item.assignee.pk].append(item)
    for items in by_user.values():
        first = items[0]
        record = RenewalRecord(pk=first.record_id, public_id=first.record_public_id, end_date=first.end_date,
                               assignment_basis=first.basis)
        if len(items) == 1:
            title = translatable(gettext_lazy("Renewal: %(name)s — the contract ends on %(end)s"),
                                 name=first.name, end=first.end_date.isoformat())
            body = translatable(_basis_sentence(first.basis))
            url = renewal_url(record)
        else:
            title = translatable(gettext_lazy("New renewals for you: %(count)s contracts end in the coming days"),
                                 count=str(len(items)))
            body = translatable(gettext_lazy("See them on the renewals page."))
            url = reverse("renewals:renewal-list") + "?owner=me&within=90"
        notify(recipients=[first.assignee], kind="renewal_assigned", title=title, body=body, url=url, actor=actor,
               source=record, event_key=f"renewal-assigned:{first.record_id}")


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
    """Outcomes of renewal opportunities closed elsewhere that are not recorded yet. ``handlers`` records them at
    once when the opportunity moves (won: renewed or downgraded; lost: churned); this catches any left over (e.g.
    closed before this release)."""

    count = 0
    for record in selectors.closed_elsewhere():
        opportunity = record.opportunity
        assert opportunity is not None
        with transaction.atomic():
            if opportunity.stage.kind == StageKind.WON:
                record_win(actor=actor, record=record, opportunity=opportunity)
            else:
                record_loss(actor=actor, record=record, reason=opportunity.loss_reason)
        count += 1
    return count


def record_win(*, actor: Any, record: RenewalRecord, opportunity: Any) -> None:
    """A renewal opportunity won elsewhere (the win renewed the contract through the pipeline): recorded as
    downgraded when it took seats away, with that as the reason, else as renewed. Inside the caller's transaction."""
    from tandem.renewals import services

    fewer = -(opportunity.seats_delta or 0)
    if fewer > 0:
        reason = ngettext("Renewed with %(count)s fewer seat.", "Renewed with %(count)s fewer seats.",
                          fewer) % {"count": fewer}
        services.record_outcome(actor=actor, record=record, outcome=RenewalOutcome.DOWNGRADED, reason=reason)
    else:
        services.record_outcome(actor=actor, record=record, outcome=RenewalOutcome.RENEWED)


def record_loss(*, actor: Any, record: RenewalRecord, reason: str) -> None:
    """A lost renewal: the subscription churns from the day after its end, with the loss reason, and the record
    says so. Inside the caller's transaction. The churn is made by ``actor`` when they may change the
    subscription, else by the system (the consequence of a loss someone was allowed to record)."""
    from tandem.access.choices import Action
    from tandem.access.decide import can
    from tandem.renewals import services

    reason = (reason or "").strip() or str(gettext_lazy("Lost on the pipeline board."))
    subscription = record.subscription
    if subscription.status == SubscriptionStatus.ACTIVE:
        churner = actor if can(actor, Action.VIEW, subscription) and can(actor, Action.CHANGE, subscription) \
            else SYSTEM
        services.churn_subscription(actor=churner, record=record, reason=reason)
    services.record_outcome(actor=actor, record=record, outcome=RenewalOutcome.CHURNED, reason=reason)
