"""Where a new ticket goes: the routing rules."""

from __future__ import annotations

from dataclasses import dataclass

from tandem.accounts.models import Account
from tandem.identity.models import User
from tandem.tickets import logic, selectors
from tandem.tickets.choices import Tier
from tandem.tickets.models import TicketGroup


@dataclass(frozen=True)
class Route:
    tier: int
    group: TicketGroup | None
    assignee: User | None
    rule_id: int | None


def route_for(*, channel: str, category: str, account: Account | None, subject: str, description: str) -> Route:
    """Where a new ticket goes: the first matching active routing rule's group, tier and assignee; otherwise
    tier 1 and the first tier-1 group."""
    rules = list(selectors.active_routing_rules())
    specs = [logic.RuleSpec(key=rule.pk, channels=frozenset(rule.channels), categories=frozenset(rule.categories),
                            account_tiers=frozenset(rule.account_tiers), keywords=tuple(rule.keywords))
             for rule in rules]
    facts = logic.TicketFacts(channel=channel, category=category, account_tier=account.tier if account else "",
                              subject=subject, description=description)
    match = logic.first_matching_rule(specs, facts)
    if match is not None:
        rule = next(rule for rule in rules if rule.pk == match.key)
        tier = rule.tier or (rule.group.tier if rule.group and rule.group.tier else Tier.ONE)
        group = rule.group or selectors.default_group_for_tier(tier=tier)
        assignee = rule.assignee if rule.assignee is not None and rule.assignee.is_active else None
        return Route(tier=tier, group=group, assignee=assignee, rule_id=rule.pk)
    return Route(tier=Tier.ONE, group=selectors.default_group_for_tier(tier=Tier.ONE), assignee=None, rule_id=None)
