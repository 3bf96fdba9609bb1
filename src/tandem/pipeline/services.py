"""Writes for opportunities and pipeline stages: authorise → validate → write → audit → timeline → notify.

Winning an opportunity that changes a subscription amends (or renews) it through the contracts services, in the
same transaction: the deal and the contract change commit together or not at all."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.access.choices import Action
from tandem.access.decide import can, field_access
from tandem.accounts.models import Account
from tandem.audit.models import AuditAction
from tandem.audit.services import audit_created, audit_deleted, audit_record, diff, snapshot
from tandem.contracts.models import Product
from tandem.core.events import publish
from tandem.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from tandem.identity.models import User
from tandem.notifications.services import notify
from tandem.notifications.text import translatable
from tandem.pipeline import selectors
from tandem.pipeline.access import PRICING_FIELDS
from tandem.pipeline.choices import SUBSCRIPTION_TYPES, OpportunityType, StageKind
from tandem.pipeline.logic import StageSpec, clean_competitors, slug_code, stage_set_problems
from tandem.pipeline.models import CURRENCY_VALIDATOR, Opportunity, OpportunityStageChange, Pipeline, Stage
from tandem.timeline.choices import ActivityType
from tandem.timeline.services import record_system_activity

AUDITED_FIELDS = ("account", "type", "name", "stage", "mrr_delta", "one_off_amount", "currency", "close_date",
                  "closed_on", "owner", "competitors", "loss_reason", "subscription", "target_plan", "seats_delta",
                  "add_ons", "renewal_term_months")
EDITABLE = ("type", "name", "stage", "mrr_delta", "one_off_amount", "currency", "close_date", "owner",
            "competitors", "loss_reason", "subscription", "target_plan", "seats_delta", "add_ons",
            "renewal_term_months")
MAX_AMOUNT = Decimal("999999999999.99")


def _user(actor: Any) -> User | None:
    return None if getattr(actor, "is_system", False) or getattr(actor, "pk", None) is None else actor


def _fail(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors={field: [message]})


def pricing_denied() -> PermissionDenied:
    """The refusal of an amount from someone who may not write the ``pricing`` field group."""
    message = _("You may not set the amounts of an opportunity: they are in the field group “pricing”, which your "
                "roles may read but not change. Leave them empty; the account manager prices the deal.")
    return PermissionDenied(message, errors={name: [_("Field group “pricing”: read only for you.")]
                                             for name in PRICING_FIELDS})


def can_write_pricing(actor: Any) -> bool:
    return field_access(actor, "opportunity", "pricing").can_write


def _amount(value: Any, field: str, errors: dict[str, list[str]]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append(_("Enter an amount such as 1500.00."))
        return None
    if abs(amount) > MAX_AMOUNT:
        errors.setdefault(field, []).append(_("The amount is too large."))
        return None
    return amount


def _validate(actor: Any, opportunity: Opportunity) -> None:
    errors: dict[str, list[str]] = {}
    opportunity.name = (opportunity.name or "").strip()
    if not opportunity.name:
        errors.setdefault("name", []).append(_("Give the opportunity a name."))
    elif len(opportunity.name) > 200:
        errors.setdefault("name", []).append(_("At most %(limit)d characters (this has %(length)d).")
                                             % {"limit": 200, "length": len(opportunity.name)})
    if opportunity.type not in OpportunityType.values:
        errors.setdefault("type", []).append(_("Unknown opportunity type %(type)r.") % {"type": opportunity.type})
    elif opportunity.stage.pipeline.opportunity_type != opportunity.type:
        errors.setdefault("stage", []).append(
            _("The stage “%(stage)s” is not in the pipeline of %(type)s opportunities; choose one of: "
              "%(stages)s.") % {"stage": opportunity.stage.name, "type": opportunity.get_type_display(),
                                "stages": ", ".join(stage.name for stage in selectors.stages_of(
                                    pipeline=selectors.pipeline_for_type(type=opportunity.type)))})
    if opportunity.close_date is None:
        errors.setdefault("close_date", []).append(_("Give the expected close date."))
    opportunity.currency = (opportunity.currency or "").strip().upper()
    try:
        CURRENCY_VALIDATOR(opportunity.currency)
    except Exception:
        errors.setdefault("currency", []).append(_("Use a three-letter ISO currency code."))
    for field in PRICING_FIELDS:
        setattr(opportunity, field, _amount(getattr(opportunity, field), field, errors))
    if opportunity.one_off_amount is not None and opportunity.one_off_amount < 0:
        errors.setdefault("one_off_amount", []).append(_("A one-off amount cannot be negative."))
    if opportunity.owner is not None and not opportunity.owner.is_active:
        errors.setdefault("owner", []).append(_("%(user)s is deactivated.") % {"user": opportunity.owner})
    opportunity.competitors = clean_competitors(opportunity.competitors or [])
    opportunity.loss_reason = (opportunity.loss_reason or "").strip()
    if opportunity.stage.kind == StageKind.LOST and not opportunity.loss_reason:
        errors.setdefault("loss_reason", []).append(_("Say why the opportunity was lost."))
    elif len(opportunity.loss_reason) > 500:
        errors.setdefault("loss_reason", []).append(_("At most %(limit)d characters (this has %(length)d).")
                                                    % {"limit": 500, "length": len(opportunity.loss_reason)})
    _validate_subscription_fields(actor, opportunity, errors)
    if errors:
        raise ValidationFailed(_("The opportunity is invalid."), errors=errors)


def _validate_subscription_fields(actor: Any, opportunity: Opportunity, errors: dict[str, list[str]]) -> None:
    subscription = opportunity.subscription
    if subscription is not None:
        if opportunity.type not in SUBSCRIPTION_TYPES:
            errors.setdefault("subscription", []).append(
                _("Only upsell, cross-sell, expansion and renewal opportunities change a subscription."))
        elif subscription.account_id != opportunity.account_id:
            errors.setdefault("subscription", []).append(_("The subscription belongs to another account."))
        elif not can(actor, Action.VIEW, subscription):
            errors.setdefault("subscription", []).append(_("Unknown subscription."))
    plan = opportunity.target_plan
    if plan is not None and getattr(plan, "kind", "plan") != "plan":
        errors.setdefault("target_plan", []).append(_("Choose a plan, not an add-on."))
    if opportunity.seats_delta is not None and opportunity.type == OpportunityType.NEW_BUSINESS \
            and opportunity.seats_delta < 1:
        errors.setdefault("seats_delta", []).append(_("A new subscription needs at least one seat."))
    if opportunity.renewal_term_months is not None:
        if opportunity.type != OpportunityType.RENEWAL:
            errors.setdefault("renewal_term_months", []).append(_("Only renewals have a renewal term."))
        elif not 1 <= opportunity.renewal_term_months <= 120:
            errors.setdefault("renewal_term_months", []).append(_("Between 1 and 120 months."))
    add_ons = opportunity.add_ons or []
    if not isinstance(add_ons, list) or any(not isinstance(code, str) or not code.strip() for code in add_ons):
        errors.setdefault("add_ons", []).append(_("List add-ons by their product code."))
    else:
        opportunity.add_ons = sorted({code.strip() for code in add_ons})
        if opportunity.add_ons:
            known = set(Product.objects.filter(code__in=opportunity.add_ons, kind="add_on")
                        .values_list("code", flat=True))
            unknown = [code for code in opportunity.add_ons if code not in known]
            if unknown:
                errors.setdefault("add_ons", []).append(_("Unknown add-on: %(codes)s") % {"codes": ", ".join(unknown)})


def opportunity_validate(*, actor: Any, opportunity: Opportunity) -> None:
    """Validate an unsaved opportunity like ``opportunity_create`` would (imports use it for dry runs)."""
    _validate(actor, opportunity)


def _default_owner(actor: Any, account: Account, type: str) -> User | None:
    """The actor, unless they may not price the deal: then the account's AM (a CSM spots an expansion and
    hands it to the account manager)."""
    user = _user(actor)
    if user is not None and can_write_pricing(actor):
        return user
    return selectors.account_manager_of(account=account) or account.owner or user


def _opportunity_url(opportunity: Opportunity) -> str:
    return reverse("pipeline:opportunity-detail", args=[opportunity.public_id])


def opportunity_create(*, actor: Any, account: Account, type: str, name: str, close_date: datetime.date | None,
                       owner: User | None = None, mrr_delta: Decimal | None = None,
                       one_off_amount: Decimal | None = None, currency: str | None = None,
                       stage: Stage | None = None, subscription: Any = None, competitors: list[str] | None = None,
                       target_plan: Any = None, seats_delta: int | None = None, add_ons: list[str] | None = None,
                       renewal_term_months: int | None = None, loss_reason: str = "") -> Opportunity:
    """A new opportunity on ``account``. ``stage`` defaults to the first open stage of the type's pipeline and
    must belong to it; ``owner`` to the actor, or — when the actor may not price deals (a CSM) — to the
    account's AM. Amounts are the ``pricing`` field group: sending one without write access is refused (403)."""
    if not can(actor, Action.CREATE, resource="opportunity"):
        raise PermissionDenied(_("You may not create opportunities."))
    if not can(actor, Action.VIEW, account):
        raise _fail("account", _("Unknown account."))
    if (mrr_delta is not None or one_off_amount is not None) and not can_write_pricing(actor):
        raise pricing_denied()
    if type not in OpportunityType.values:
        raise _fail("type", _("Unknown opportunity type %(type)r.") % {"type": type})
    if stage is None:
        stage = selectors.first_open_stage(pipeline=selectors.pipeline_for_type(type=type))
        if stage is None:
            raise _fail("stage", _("The pipeline has no open stage."))
    if close_date is None:
        raise _fail("close_date", _("Give the expected close date."))
    opportunity = Opportunity(
        account=account, type=type, name=name, stage=stage, mrr_delta=mrr_delta, one_off_amount=one_off_amount,
        currency=currency or account.currency, close_date=close_date,
        owner=owner if owner is not None else _default_owner(actor, account, type),
        competitors=list(competitors or []), loss_reason=loss_reason, subscription=subscription,
        target_plan=target_plan, seats_delta=seats_delta, add_ons=list(add_ons or []),
        renewal_term_months=renewal_term_months, created_by=_user(actor))
    if stage.kind != StageKind.OPEN:
        opportunity.closed_on = timezone.localdate()
    _validate(actor, opportunity)
    with transaction.atomic():
        opportunity.save()
        OpportunityStageChange.objects.create(opportunity=opportunity, from_stage=None, to_stage=stage,
                                              changed_by=_user(actor))
        audit_created(actor=actor, obj=opportunity, fields=AUDITED_FIELDS)
        record_system_activity(
            account=account, type=ActivityType.SYSTEM_EVENT, actor=actor, source=opportunity,
            subject=_("Opportunity created: %(name)s") % {"name": opportunity.name},
            payload={"event": "opportunity_created", "opportunity": opportunity.public_id, "name": opportunity.name,
                     "opportunity_type": opportunity.type, "stage": stage.name})
        if stage.kind == StageKind.WON:
            _on_won(actor, opportunity)
        _notify_owner(actor, opportunity, assigned=True)
    return opportunity


_UNSET: Any = object()


def opportunity_update(*, actor: Any, opportunity: Opportunity, version: int | None, **changes: Any) -> Opportunity:
    """Change the given fields (any of EDITABLE). ``version`` must be the version the caller read: if someone
    changed the opportunity since, nothing is saved and Conflict (409) names the current version. Moving to a
    lost stage needs a loss reason; moving to a won stage of a subscription-changing type amends the
    subscription. Amounts need write access to the ``pricing`` field group."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationFailed(_("Unknown fields."), errors={name: [_("Unknown field.")] for name in unknown})
    if not can(actor, Action.CHANGE, opportunity):
        raise PermissionDenied(_("You may not change this opportunity."))
    if version is None:
        raise _fail("version", _("Send the version you last read, so a concurrent change is not overwritten."))
    with transaction.atomic():
        locked = (Opportunity.objects.select_for_update(of=("self",))
                  .select_related("account", "stage", "stage__pipeline", "owner").filter(pk=opportunity.pk).first())
        if locked is None:
            raise NotFound(_("This opportunity no longer exists."))
        if locked.version != version:
            raise Conflict(_("Someone else changed this opportunity (now version %(current)d, you sent "
                             "%(sent)d). Reload it and apply your change again.")
                           % {"current": locked.version, "sent": version},
                           errors={"version": [_("Stale version; the current one is %(current)d.")
                                               % {"current": locked.version}]})
        for field in PRICING_FIELDS:
            if field in changes and _amount(changes[field], field, {}) != getattr(locked, field) \
                    and not can_write_pricing(actor):
                raise pricing_denied()
        before = snapshot(locked, AUDITED_FIELDS)
        old_stage = locked.stage
        for name, value in changes.items():
            setattr(locked, name, value)
        if "type" in changes and "stage" not in changes and locked.type != before["type"]:
            raise _fail("stage", _("Choose a stage of the new type's pipeline."))
        if locked.stage.pk != old_stage.pk:
            if locked.stage.kind == StageKind.OPEN:
                locked.closed_on = None
                if "loss_reason" not in changes:
                    locked.loss_reason = ""
            elif old_stage.kind == StageKind.OPEN or locked.stage.kind != old_stage.kind:
                locked.closed_on = timezone.localdate()
        _validate(actor, locked)
        changed = diff(before, snapshot(locked, AUDITED_FIELDS))
        if not changed:
            return locked
        locked.version += 1
        locked.save()
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=locked, changes=changed)
        if locked.stage.pk != old_stage.pk:
            _record_stage_change(actor, locked, old_stage)
    return locked


def opportunity_move(*, actor: Any, opportunity: Opportunity, stage: Stage, version: int | None,
                     loss_reason: str | None = None) -> Opportunity:
    """Move to ``stage`` (the kanban board's drag and drop): ``opportunity_update`` with the stage (and the loss
    reason, for a lost stage)."""
    changes: dict[str, Any] = {"stage": stage}
    if loss_reason is not None:
        changes["loss_reason"] = loss_reason
    return opportunity_update(actor=actor, opportunity=opportunity, version=version, **changes)


def _record_stage_change(actor: Any, opportunity: Opportunity, old_stage: Stage) -> None:
    new_stage = opportunity.stage
    OpportunityStageChange.objects.create(opportunity=opportunity, from_stage=old_stage, to_stage=new_stage,
                                          changed_by=_user(actor))
    values = {"name": opportunity.name, "from": old_stage.name, "to": new_stage.name}
    payload = {"opportunity": opportunity.public_id, "name": opportunity.name, "from": old_stage.name,
               "to": new_stage.name, "opportunity_type": opportunity.type}
    if new_stage.kind == StageKind.WON:
        subject = _("Opportunity won: %(name)s") % values
        payload.update(event="opportunity_won")
    elif new_stage.kind == StageKind.LOST:
        subject = _("Opportunity lost: %(name)s") % values
        payload.update(event="opportunity_lost", reason=opportunity.loss_reason)
    else:
        subject = _("Opportunity %(name)s: %(from)s → %(to)s") % values
        payload.update(event="opportunity_stage_changed")
    record_system_activity(account=opportunity.account, type=ActivityType.SYSTEM_EVENT, actor=actor,
                           source=opportunity, subject=subject, payload=payload)
    if new_stage.kind == StageKind.WON and old_stage.kind != StageKind.WON:
        _on_won(actor, opportunity)
    # higher apps react in this transaction (renewals: a lost renewal churns its subscription at once)
    publish("opportunity.stage_changed", actor=actor, opportunity=opportunity, from_stage=old_stage)
    owner = opportunity.owner
    if owner is not None and _user(actor) is not None and owner.pk != actor.pk:
        notify(recipients=[owner], kind="opportunity_moved", actor=actor, source=opportunity,
               url=_opportunity_url(opportunity), event_key=f"opportunity-moved:{opportunity.pk}:{opportunity.version}",
               title=translatable(gettext_lazy("%(actor)s moved %(name)s: %(from)s → %(to)s"),
                                  actor=str(actor), **values))


def _notify_owner(actor: Any, opportunity: Opportunity, *, assigned: bool) -> None:
    owner = opportunity.owner
    if owner is None or _user(actor) is None or owner.pk == actor.pk:
        return
    notify(recipients=[owner], kind="opportunity_moved", actor=actor, source=opportunity,
           url=_opportunity_url(opportunity), event_key=f"opportunity-assigned:{opportunity.pk}",
           title=translatable(gettext_lazy("%(actor)s gave you the opportunity %(name)s"), actor=str(actor),
                              name=opportunity.name))


def _on_won(actor: Any, opportunity: Opportunity) -> None:
    """Carry a won deal into the contract: amend or renew the linked subscription, or start one for new
    business with a plan and seats. Inside the caller's transaction; a refused amendment refuses the win."""
    from tandem.pipeline import contract_link

    contract_link.apply_won(actor=actor, opportunity=opportunity)


def opportunity_delete(*, actor: Any, opportunity: Opportunity) -> None:
    if not can(actor, Action.DELETE, opportunity):
        raise PermissionDenied(_("You may not delete this opportunity."))
    with transaction.atomic():
        audit_deleted(actor=actor, obj=opportunity, fields=AUDITED_FIELDS)
        opportunity.delete()


# --- pipelines and stages ------------------------------------------------------------------------------------


def _require_pipeline_change(actor: Any) -> None:
    if not can(actor, Action.CHANGE, resource="pipeline"):
        raise PermissionDenied(_("You may not change pipelines."))


STAGE_FIELDS = ("name", "code", "position", "probability", "kind")


def _check_stage(stage: Stage) -> None:
    errors: dict[str, list[str]] = {}
    stage.name = (stage.name or "").strip()
    if not stage.name:
        errors["name"] = [_("Give the stage a name.")]
    elif len(stage.name) > 100:
        errors["name"] = [_("At most %(limit)d characters (this has %(length)d).")
                          % {"limit": 100, "length": len(stage.name)}]
    if stage.probability is None or not 0 <= int(stage.probability) <= 100:
        errors["probability"] = [_("A probability is a percentage between 0 and 100.")]
    if stage.kind not in StageKind.values:
        errors["kind"] = [_("Value %(value)r is not a valid choice.") % {"value": stage.kind}]
    if errors:
        raise ValidationFailed(_("The stage is invalid."), errors=errors)


def _check_stage_set(pipeline: Pipeline) -> None:
    problems = stage_set_problems(StageSpec(stage.code, stage.kind, stage.probability)
                                  for stage in Stage.objects.filter(pipeline=pipeline))
    messages = {"missing_open": _("A pipeline needs at least one open stage."),
                "missing_won": _("A pipeline needs a won stage."),
                "missing_lost": _("A pipeline needs a lost stage."),
                "duplicate_code": _("Two stages have the same code."),
                "probability_range": _("A probability is a percentage between 0 and 100.")}
    if problems:
        raise ValidationFailed(messages[problems[0]], errors={"kind": [messages[problem] for problem in problems]})


def stage_create(*, actor: Any, pipeline: Pipeline, name: str, probability: int, kind: str = StageKind.OPEN,
                 code: str = "", position: int | None = None) -> Stage:
    """A new stage, last unless ``position`` says where (later stages move down one)."""
    _require_pipeline_change(actor)
    stage = Stage(pipeline=pipeline, name=name, probability=probability, kind=kind)
    _check_stage(stage)
    stage.code = slug_code(code or stage.name)
    with transaction.atomic():
        Pipeline.objects.select_for_update().filter(pk=pipeline.pk).first()
        taken = set(Stage.objects.filter(pipeline=pipeline).values_list("code", flat=True))
        base, suffix = stage.code, 2
        while stage.code in taken:
            stage.code = f"{base[:36]}_{suffix}"
            suffix += 1
        last = Stage.objects.filter(pipeline=pipeline).aggregate(last=Max("position"))["last"]
        end = 0 if last is None else last + 1
        stage.position = end if position is None else max(0, min(position, end))
        Stage.objects.filter(pipeline=pipeline, position__gte=stage.position).update(position=F("position") + 1)
        stage.save()
        audit_created(actor=actor, obj=stage, fields=STAGE_FIELDS, summary=f"Stage of {pipeline.name}")
    return stage


def stage_update(*, actor: Any, stage: Stage, name: str = _UNSET, probability: int = _UNSET,
                 kind: str = _UNSET) -> Stage:
    """Rename a stage, change its probability or kind. A stage holding opportunities keeps its kind (open, won
    or lost): their history would change meaning."""
    _require_pipeline_change(actor)
    before = snapshot(stage, STAGE_FIELDS)
    if name is not _UNSET:
        stage.name = name
    if probability is not _UNSET:
        stage.probability = probability
    if kind is not _UNSET and kind != stage.kind:
        if stage.opportunities.exists():
            raise _fail("kind", _("Opportunities are in this stage; move them before changing whether it is open, "
                                  "won or lost."))
        stage.kind = kind
    _check_stage(stage)
    changes = diff(before, snapshot(stage, STAGE_FIELDS))
    if not changes:
        return stage
    with transaction.atomic():
        stage.save()
        _check_stage_set(stage.pipeline)
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=stage, changes=changes)
    return stage


def stages_reorder(*, actor: Any, pipeline: Pipeline, order: list[str]) -> list[Stage]:
    """Put the pipeline's stages in ``order`` (every stage's public id, once)."""
    _require_pipeline_change(actor)
    with transaction.atomic():
        Pipeline.objects.select_for_update().filter(pk=pipeline.pk).first()
        stages = {stage.public_id: stage for stage in Stage.objects.filter(pipeline=pipeline)}
        if sorted(order) != sorted(stages):
            raise _fail("order", _("List every stage of the pipeline exactly once."))
        moved = []
        for position, public_id in enumerate(order):
            stage = stages[public_id]
            if stage.position != position:
                audit_record(actor=actor, action=AuditAction.CHANGE, obj=stage,
                             changes={"position": [stage.position, position]})
                stage.position = position
                moved.append(stage)
        Stage.objects.bulk_update(moved, ["position"])
    return [stages[public_id] for public_id in order]


def stage_shift(*, actor: Any, stage: Stage, offset: int) -> list[Stage]:
    """Move a stage ``offset`` places up (negative) or down (positive) — the editor's arrows."""
    order = [item.public_id for item in selectors.stages_of(pipeline=stage.pipeline)]
    index = order.index(stage.public_id)
    target = max(0, min(len(order) - 1, index + offset))
    order.insert(target, order.pop(index))
    return stages_reorder(actor=actor, pipeline=stage.pipeline, order=order)


def stage_delete(*, actor: Any, stage: Stage) -> None:
    """Remove an empty stage (one no opportunity is or was in); the pipeline must keep open, won and lost."""
    _require_pipeline_change(actor)
    if stage.opportunities.exists() or OpportunityStageChange.objects.filter(to_stage=stage).exists():
        raise _fail("stage", _("Opportunities are or were in this stage; it cannot be removed. Rename it "
                               "instead."))
    with transaction.atomic():
        pipeline = stage.pipeline
        audit_deleted(actor=actor, obj=stage, fields=STAGE_FIELDS)
        stage.delete()
        _check_stage_set(pipeline)
