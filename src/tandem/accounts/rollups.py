"""Roll-ups to the parent: figures over an account and every account below it in the hierarchy.

Only accounts the actor may see count (a roll-up never reveals a hidden child). The accounts app gives the size
of the hierarchy and how its accounts spread over lifecycle stages and tiers; other apps register a metric
(``register_rollup``) that sums something over the hierarchy's account ids — contacts here, recurring revenue,
open tickets and health later."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tandem.access.decide import restrict
from tandem.accounts.choices import LifecycleStage, Tier
from tandem.accounts.models import Account

MAX_DEPTH = 20  # hierarchies are shallow; this only bounds the walk

RollupValue = Callable[[Any, list[int]], Any]  # (actor, account ids) -> value, or None to leave it out


@dataclass(frozen=True)
class RollupMetric:
    key: str
    label: Any
    value: RollupValue
    order: int = 100


_METRICS: dict[str, RollupMetric] = {}


def register_rollup(metric: RollupMetric) -> None:
    _METRICS[metric.key] = metric


@dataclass(frozen=True)
class Rollup:
    account_ids: list[int]  # the account itself first, then every visible descendant
    descendants: int
    stages: list[tuple[str, Any, int]]  # (code, label, count) over the whole hierarchy, in stage order
    tiers: list[tuple[str, Any, int]]
    metrics: list[tuple[str, Any, Any]]  # (key, label, value)


def descendant_ids(*, actor: Any, account: Account) -> list[int]:
    """Visible accounts below ``account``, level by level (one query per level)."""
    found: list[int] = []
    seen = {account.pk}
    frontier = [account.pk]
    for _level in range(MAX_DEPTH):
        children = [pk for pk in restrict(Account.objects.filter(parent_id__in=frontier), actor)
                    .values_list("pk", flat=True) if pk not in seen]
        if not children:
            break
        found.extend(children)
        seen.update(children)
        frontier = children
    return found


def account_rollup(*, actor: Any, account: Account) -> Rollup:
    """The roll-up of a visible account."""
    ids = [account.pk, *descendant_ids(actor=actor, account=account)]
    rows = Account.objects.filter(pk__in=ids).values_list("lifecycle_stage", "tier")
    stage_counts: Counter[str] = Counter()
    tier_counts: Counter[str] = Counter()
    for stage, tier in rows:
        stage_counts[stage] += 1
        tier_counts[tier] += 1
    stages = [(code, label, stage_counts[code]) for code, label in LifecycleStage.choices if stage_counts[code]]
    tiers = [(code, label, tier_counts[code]) for code, label in Tier.choices if tier_counts[code]]
    metrics = []
    for metric in sorted(_METRICS.values(), key=lambda item: (item.order, item.key)):
        value = metric.value(actor, ids)
        if value is not None:
            metrics.append((metric.key, metric.label, value))
    return Rollup(account_ids=ids, descendants=len(ids) - 1, stages=stages, tiers=tiers, metrics=metrics)
