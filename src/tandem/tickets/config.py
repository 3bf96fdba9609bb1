"""Writes for the ticket configuration (``ticket_config``): routing rules, SLA policies, business hours with
holidays, support groups and the SLA warning time. Each change is audited; changes apply to tickets from their
next SLA recomputation (a new ticket, a status, priority or group change)."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.accounts.choices import Tier as AccountTier
from tandem.audit.models import AuditAction
from tandem.audit.services import audit_created, audit_deleted, audit_record, diff, snapshot
from tandem.core.exceptions import PermissionDenied, ValidationFailed
from tandem.identity.models import Team, User
from tandem.tickets import logic
from tandem.tickets.choices import Category, Channel, Priority, Tier
from tandem.tickets.models import BusinessHours, Holiday, RoutingRule, SlaPolicy, SlaSettings, TicketGroup

RULE_FIELDS = ("name", "position", "is_active", "channels", "categories", "account_tiers", "keywords", "group",
               "tier", "assignee")
POLICY_FIELDS = ("name", "priority", "account_tier", "first_response_minutes", "resolution_minutes")
HOURS_FIELDS = ("name", "time_zone", "windows", "is_default")
GROUP_FIELDS = ("name", "tier", "team", "business_hours")
_UNSET: Any = object()


def _authorise(actor: Any) -> None:
    if not can(actor, Action.CHANGE, resource="ticket_config"):
        raise PermissionDenied(_("You may not change ticket routing and SLAs."))


def check_can_change(*, actor: Any) -> None:
    _authorise(actor)


def _unknown(values: Iterable[str], allowed: Iterable[str]) -> list[str]:
    allowed_set = set(allowed)
    return [value for value in values if value not in allowed_set]


# --- routing rules -----------------------------------------------------------------------------------------------


def _validate_rule(rule: RoutingRule) -> None:
    errors: dict[str, list[str]] = {}
    rule.name = " ".join((rule.name or "").split())
    if not rule.name:
        errors["name"] = [_("Give the rule a name.")]
    for field, allowed in (("channels", Channel.values), ("categories", Category.values),
                           ("account_tiers", AccountTier.values)):
        values = list(dict.fromkeys(str(value) for value in (getattr(rule, field) or [])))
        setattr(rule, field, values)
        unknown = _unknown(values, allowed)
        if unknown:
            errors[field] = [_("Unknown: %(values)s.") % {"values": ", ".join(unknown)}]
    rule.keywords = list(logic.clean_keywords(rule.keywords or []))
    if rule.tier is not None and rule.tier not in Tier.values:
        errors["tier"] = [_("Value %(value)r is not a valid choice.") % {"value": rule.tier}]
    if rule.group is None and rule.tier is None and rule.assignee is None:
        errors["group"] = [_("Route to a group, a tier or a person.")]
    if rule.assignee is not None and not rule.assignee.is_active:
        errors["assignee"] = [_("Assign to an active colleague.")]
    if errors:
        raise ValidationFailed(_("The routing rule is invalid."), errors=errors)


def routing_rule_create(*, actor: Any, name: str, position: int = 0, is_active: bool = True,
                        channels: Iterable[str] = (), categories: Iterable[str] = (),
                        account_tiers: Iterable[str] = (), keywords: Iterable[str] = (),
                        group: TicketGroup | None = None, tier: int | None = None,
                        assignee: User | None = None) -> RoutingRule:
    _authorise(actor)
    rule = RoutingRule(name=name, position=position, is_active=is_active, channels=list(channels),
                       categories=list(categories), account_tiers=list(account_tiers), keywords=list(keywords),
                       group=group, tier=tier, assignee=assignee)
    _validate_rule(rule)
    with transaction.atomic():
        rule.save()
        audit_created(actor=actor, obj=rule, fields=RULE_FIELDS)
    return rule


def routing_rule_update(*, actor: Any, rule: RoutingRule, **changes: Any) -> RoutingRule:
    _authorise(actor)
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown fields."), errors={name: [_("Unknown field.")] for name in unknown})
    before = snapshot(rule, RULE_FIELDS)
    for name, value in changes.items():
        setattr(rule, name, list(value) if name in ("channels", "categories", "account_tiers", "keywords")
                else value)
    _validate_rule(rule)
    with transaction.atomic():
        rule.save()
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=rule, changes=diff(before, snapshot(
            rule, RULE_FIELDS)))
    return rule


def routing_rule_delete(*, actor: Any, rule: RoutingRule) -> None:
    _authorise(actor)
    with transaction.atomic():
        audit_deleted(actor=actor, obj=rule, fields=RULE_FIELDS)
        rule.delete()


# --- SLA policies ---------------------------------------------------------------------------------------------------


def _validate_policy(policy: SlaPolicy) -> None:
    errors: dict[str, list[str]] = {}
    policy.name = " ".join((policy.name or "").split()) or f"{policy.priority} {policy.account_tier}".strip()
    if policy.priority not in Priority.values:
        errors["priority"] = [_("Value %(value)r is not a valid choice.") % {"value": policy.priority}]
    if policy.account_tier and policy.account_tier not in AccountTier.values:
        errors["account_tier"] = [_("Value %(value)r is not a valid choice.") % {"value": policy.account_tier}]
    for field in ("first_response_minutes", "resolution_minutes"):
        value = getattr(policy, field)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 525_600:
            errors[field] = [_("Between 1 and 525,600 business minutes.")]
    if not errors and policy.resolution_minutes < policy.first_response_minutes:
        errors["resolution_minutes"] = [_("Resolution cannot come before the first response.")]
    duplicate = SlaPolicy.objects.filter(priority=policy.priority, account_tier=policy.account_tier).exclude(
        pk=policy.pk)
    if not errors and duplicate.exists():
        errors["priority"] = [_("There already is a policy for this priority and account tier.")]
    if errors:
        raise ValidationFailed(_("The SLA policy is invalid."), errors=errors)


def sla_policy_create(*, actor: Any, priority: str, first_response_minutes: int, resolution_minutes: int,
                      account_tier: str = "", name: str = "") -> SlaPolicy:
    _authorise(actor)
    policy = SlaPolicy(name=name, priority=priority, account_tier=account_tier or "",
                       first_response_minutes=first_response_minutes, resolution_minutes=resolution_minutes)
    _validate_policy(policy)
    with transaction.atomic():
        policy.save()
        audit_created(actor=actor, obj=policy, fields=POLICY_FIELDS)
    return policy


def sla_policy_update(*, actor: Any, policy: SlaPolicy, **changes: Any) -> SlaPolicy:
    _authorise(actor)
    before = snapshot(policy, POLICY_FIELDS)
    for name, value in changes.items():
        if name not in POLICY_FIELDS:
            raise ValidationFailed(_("Unknown fields."), errors={name: [_("Unknown field.")]})
        setattr(policy, name, value if value is not None else "")
    _validate_policy(policy)
    with transaction.atomic():
        policy.save()
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=policy,
                     changes=diff(before, snapshot(policy, POLICY_FIELDS)))
    return policy


def sla_policy_delete(*, actor: Any, policy: SlaPolicy) -> None:
    _authorise(actor)
    with transaction.atomic():
        audit_deleted(actor=actor, obj=policy, fields=POLICY_FIELDS)
        policy.delete()


def sla_settings_update(*, actor: Any, warning_minutes: int) -> SlaSettings:
    _authorise(actor)
    if not isinstance(warning_minutes, int) or not 0 <= warning_minutes <= 10_080:
        raise ValidationFailed(_("The SLA settings are invalid."),
                               errors={"warning_minutes": [_("Between 0 and 10,080 minutes.")]})
    with transaction.atomic():
        settings = SlaSettings.objects.select_for_update().order_by("id").first() or SlaSettings()
        before = snapshot(settings, ("warning_minutes",)) if settings.pk else {"warning_minutes": None}
        settings.warning_minutes = warning_minutes
        settings.save()
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=settings,
                     changes=diff(before, snapshot(settings, ("warning_minutes",))))
    return settings


# --- business hours --------------------------------------------------------------------------------------------


def _validate_hours(hours: BusinessHours, holidays: list[tuple[datetime.date, str]] | None) -> None:
    errors: dict[str, list[str]] = {}
    hours.name = " ".join((hours.name or "").split())
    if not hours.name:
        errors["name"] = [_("Give the business hours a name.")]
    if hours.time_zone not in zoneinfo.available_timezones():
        errors["time_zone"] = [_("Unknown time zone %(zone)r.") % {"zone": hours.time_zone}]
    try:
        hours.windows = logic.format_windows(logic.parse_windows(hours.windows or []))
    except ValueError as error:
        errors["windows"] = [str(error)]
    if holidays is not None and len({day for day, _name in holidays}) != len(holidays):
        errors["holidays"] = [_("Each day at most once.")]
    if errors:
        raise ValidationFailed(_("The business hours are invalid."), errors=errors)


def _save_hours(actor: Any, hours: BusinessHours, holidays: list[tuple[datetime.date, str]] | None) -> None:
    if hours.is_default:
        BusinessHours.objects.filter(is_default=True).exclude(pk=hours.pk).update(is_default=False)
    try:
        with transaction.atomic():
            hours.save()
    except IntegrityError:
        raise ValidationFailed(_("The business hours are invalid."),
                               errors={"name": [_("This name is taken.")]}) from None
    if holidays is not None:
        Holiday.objects.filter(business_hours=hours).delete()
        Holiday.objects.bulk_create([Holiday(business_hours=hours, date=day, name=name[:100])
                                     for day, name in holidays])


def business_hours_create(*, actor: Any, name: str, time_zone: str = "UTC", windows: list[Any] | None = None,
                          holidays: list[tuple[datetime.date, str]] | None = None,
                          is_default: bool = False) -> BusinessHours:
    """``windows``: ``[[weekday (0 = Monday), "09:00", "17:00"], …]``; ``holidays``: (date, name) pairs."""
    _authorise(actor)
    hours = BusinessHours(name=name, time_zone=time_zone, windows=windows or [], is_default=is_default)
    _validate_hours(hours, holidays or [])
    with transaction.atomic():
        _save_hours(actor, hours, holidays or [])
        audit_created(actor=actor, obj=hours, fields=HOURS_FIELDS)
    return hours


def business_hours_update(*, actor: Any, hours: BusinessHours, name: str = _UNSET, time_zone: str = _UNSET,
                          windows: list[Any] = _UNSET, holidays: list[tuple[datetime.date, str]] = _UNSET,
                          is_default: bool = _UNSET) -> BusinessHours:
    _authorise(actor)
    before = snapshot(hours, HOURS_FIELDS)
    for field, value in (("name", name), ("time_zone", time_zone), ("windows", windows),
                         ("is_default", is_default)):
        if value is not _UNSET:
            setattr(hours, field, value)
    new_holidays = None if holidays is _UNSET else list(holidays)
    _validate_hours(hours, new_holidays)
    with transaction.atomic():
        _save_hours(actor, hours, new_holidays)
        changes = diff(before, snapshot(hours, HOURS_FIELDS))
        if new_holidays is not None:
            changes["holidays"] = [None, [f"{day.isoformat()} {label}".strip() for day, label in new_holidays]]
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=hours, changes=changes)
    return hours


def business_hours_delete(*, actor: Any, hours: BusinessHours) -> None:
    _authorise(actor)
    with transaction.atomic():
        audit_deleted(actor=actor, obj=hours, fields=HOURS_FIELDS)
        hours.delete()


# --- groups --------------------------------------------------------------------------------------------------------


def group_create(*, actor: Any, name: str, tier: int | None = None, team: Team | None = None,
                 business_hours: BusinessHours | None = None) -> TicketGroup:
    _authorise(actor)
    name = " ".join((name or "").split())
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the group a name.")]
    elif TicketGroup.objects.filter(name=name).exists():
        errors["name"] = [_("This name is taken.")]
    if tier is not None and tier not in Tier.values:
        errors["tier"] = [_("Value %(value)r is not a valid choice.") % {"value": tier}]
    if errors:
        raise ValidationFailed(_("The group is invalid."), errors=errors)
    group = TicketGroup(name=name, tier=tier, team=team, business_hours=business_hours)
    with transaction.atomic():
        group.save()
        audit_created(actor=actor, obj=group, fields=GROUP_FIELDS)
    return group


def _validate_group(group: TicketGroup) -> None:
    errors: dict[str, list[str]] = {}
    group.name = " ".join((group.name or "").split())
    if not group.name:
        errors["name"] = [_("Give the group a name.")]
    elif TicketGroup.objects.filter(name=group.name).exclude(pk=group.pk).exists():
        errors["name"] = [_("This name is taken.")]
    if group.tier is not None and group.tier not in Tier.values:
        errors["tier"] = [_("Value %(value)r is not a valid choice.") % {"value": group.tier}]
    if errors:
        raise ValidationFailed(_("The group is invalid."), errors=errors)


def group_update(*, actor: Any, group: TicketGroup, **changes: Any) -> TicketGroup:
    """Change the name, tier, team or business hours of a support group (its tickets keep it; their SLA
    deadlines follow at their next recomputation)."""
    _authorise(actor)
    unknown = set(changes) - set(GROUP_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown fields."), errors={name: [_("Unknown field.")] for name in unknown})
    before = snapshot(group, GROUP_FIELDS)
    for name, value in changes.items():
        setattr(group, name, value)
    _validate_group(group)
    with transaction.atomic():
        group.save()
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=group,
                     changes=diff(before, snapshot(group, GROUP_FIELDS)))
    return group


def group_delete(*, actor: Any, group: TicketGroup) -> None:
    """Delete a support group: its tickets and routing rules lose the group (they keep their tier)."""
    _authorise(actor)
    with transaction.atomic():
        audit_deleted(actor=actor, obj=group, fields=GROUP_FIELDS)
        group.delete()


def routing_rule_move(*, actor: Any, rule: RoutingRule, direction: str) -> list[RoutingRule]:
    """Move a rule one place up or down in the order (the first matching rule wins): the rules are renumbered
    10, 20, 30 … and each changed position is audited."""
    _authorise(actor)
    if direction not in ("up", "down"):
        raise ValidationFailed(_("Unknown direction."), errors={"direction": [_("Use up or down.")]})
    with transaction.atomic():
        rules = list(RoutingRule.objects.select_for_update().order_by("position", "id"))
        index = next((number for number, item in enumerate(rules) if item.pk == rule.pk), None)
        if index is None:
            raise ValidationFailed(_("Unknown routing rule."), errors={"rule": [_("No such routing rule.")]})
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(rules):
            rules[index], rules[other] = rules[other], rules[index]
        for number, item in enumerate(rules, start=1):
            if item.position != number * 10:
                before = snapshot(item, ("position",))
                item.position = number * 10
                item.save(update_fields=["position", "updated_at"])
                audit_record(actor=actor, action=AuditAction.CHANGE, obj=item,
                             changes=diff(before, snapshot(item, ("position",))))
    return rules
