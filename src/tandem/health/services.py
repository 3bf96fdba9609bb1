"""Writing health configuration and decisions: scorecards (administrators), the risk playbook, CSM overrides,
resolving code red, and on-demand recomputes. The recompute itself is in ``recompute.py``."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.accounts.models import Account
from tandem.audit.services import audit_created, audit_deleted, audit_record, diff, snapshot
from tandem.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from tandem.health import logic
from tandem.health.choices import PlaybookRole, Segment
from tandem.health.models import HealthOverride, PlaybookStep, RiskFlag, Scorecard, ScorecardComponent
from tandem.timeline.choices import ActivityType
from tandem.timeline.services import record_system_activity
from tandem.usage.services import mark_accounts_dirty

SCORECARD_FIELDS = ("name", "segment", "active", "red_below", "green_from", "window_days", "drop_points",
                    "drop_days")
OVERRIDE_FIELDS = ("account", "score", "reason", "expires_at")
MAX_OVERRIDE_DAYS = 365


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


# --- scorecards ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComponentIn:
    kind: str
    weight: int
    bad: float | None = None
    good: float | None = None


def _components(items: Sequence[ComponentIn | dict[str, Any]]) -> list[logic.ComponentConfig]:
    configs = []
    for item in items:
        data = item if isinstance(item, dict) else item.__dict__
        kind = str(data.get("kind", ""))
        default = logic.DEFAULTS.get(kind, (10, 0.0, 1.0))
        bad = data.get("bad")
        good = data.get("good")
        configs.append(logic.ComponentConfig(kind=kind, weight=int(data.get("weight") or 0),
                                             bad=float(default[1] if bad is None else bad),
                                             good=float(default[2] if good is None else good)))
    return configs


def _validate_scorecard(values: dict[str, Any], components: list[logic.ComponentConfig]) -> None:
    errors = logic.scorecard_errors(components=components, red_below=int(values["red_below"]),
                                    green_from=int(values["green_from"]), window_days=int(values["window_days"]))
    if not str(values.get("name", "")).strip():
        errors["name"] = [_("Give the scorecard a name.")]
    if values.get("segment", "") not in Segment.values:
        errors["segment"] = [_("Unknown segment.")]
    if not 0 <= int(values["drop_points"]) <= 100:
        errors["drop_points"] = [_("Use 0 to 100 points (0: no code red on drops).")]
    if not 1 <= int(values["drop_days"]) <= 90:
        errors["drop_days"] = [_("Use 1 to 90 days.")]
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, errors=errors)


def _save_components(scorecard: Scorecard, components: list[logic.ComponentConfig]) -> None:
    scorecard.components.all().delete()
    ScorecardComponent.objects.bulk_create([
        ScorecardComponent(scorecard=scorecard, kind=c.kind, weight=c.weight, bad=c.bad, good=c.good, position=i)
        for i, c in enumerate(components)])


def _components_text(components: Sequence[logic.ComponentConfig]) -> str:
    return "; ".join(f"{c.kind} ×{c.weight} ({c.bad:g}→{c.good:g})" for c in components)


def _require_admin(actor: Any) -> None:
    if not can(actor, Action.CHANGE, resource="health_scorecard"):
        raise PermissionDenied(_("You may not change health scorecards."))


def _save_scorecard(scorecard: Scorecard) -> None:
    try:
        with transaction.atomic():
            scorecard.save()
    except IntegrityError:
        raise ValidationFailed(_("Another active scorecard already scores this segment."),
                               errors={"segment": [_("Another active scorecard already scores this segment.")]}
                               ) from None


def scorecard_create(*, actor: Any, name: str, components: Sequence[ComponentIn | dict[str, Any]],
                     segment: str = "", active: bool = True, red_below: int = 40, green_from: int = 70,
                     window_days: int = 30, drop_points: int = 20, drop_days: int = 14) -> Scorecard:
    _require_admin(actor)
    values = {"name": name.strip(), "segment": segment, "active": active, "red_below": red_below,
              "green_from": green_from, "window_days": window_days, "drop_points": drop_points,
              "drop_days": drop_days}
    configs = _components(components)
    _validate_scorecard(values, configs)
    with transaction.atomic():
        scorecard = Scorecard(**values, updated_by=_user(actor))
        _save_scorecard(scorecard)
        _save_components(scorecard, configs)
        audit_created(actor=actor, obj=scorecard, fields=SCORECARD_FIELDS, summary=_components_text(configs))
    return scorecard


def scorecard_update(*, actor: Any, scorecard: Scorecard, version: int | None = None,
                     components: Sequence[ComponentIn | dict[str, Any]] | None = None,
                     **changes: Any) -> Scorecard:
    """Change the given fields (and replace the components when given). ``version`` guards against saving over
    someone else's edit."""
    _require_admin(actor)
    unknown = set(changes) - set(SCORECARD_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown fields."), errors={name: [_("Unknown field.")] for name in unknown})
    with transaction.atomic():
        locked = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
        if version is not None and version != locked.version:
            raise Conflict(_("Someone else changed this scorecard meanwhile; reload it and make your change again."),
                           errors={"version": [_("Stale version.")]})
        before = snapshot(locked, SCORECARD_FIELDS)
        old_components = _components([{"kind": c.kind, "weight": c.weight, "bad": c.bad, "good": c.good}
                                      for c in locked.components.all()])
        values = {**before, **{key: (value.strip() if key == "name" else value) for key, value in changes.items()}}
        configs = _components(components) if components is not None else old_components
        _validate_scorecard(values, configs)
        for key, _value in changes.items():
            setattr(locked, key, values[key])
        locked.version += 1
        locked.updated_by = _user(actor)
        _save_scorecard(locked)
        if components is not None:
            _save_components(locked, configs)
        changed = diff(before, snapshot(locked, SCORECARD_FIELDS))
        if components is not None and configs != old_components:
            changed["components"] = [_components_text(old_components), _components_text(configs)]
        audit_record(actor=actor, action="change", obj=locked, changes=changed)
    return locked


def scorecard_delete(*, actor: Any, scorecard: Scorecard) -> None:
    _require_admin(actor)
    with transaction.atomic():
        audit_deleted(actor=actor, obj=scorecard, fields=SCORECARD_FIELDS)
        scorecard.delete()


def scorecard_preview(*, components: Sequence[ComponentIn | dict[str, Any]], red_below: int, green_from: int,
                      window_days: int, inputs: logic.AccountInputs) -> logic.ScoreResult:
    """Score one account's data with an unsaved configuration (the editor's preview)."""
    configs = _components(components)
    errors = logic.scorecard_errors(components=configs, red_below=red_below, green_from=green_from,
                                    window_days=window_days)
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], errors=errors)
    config = logic.ScorecardConfig(components=tuple(configs), red_below=red_below, green_from=green_from,
                                   window_days=window_days)
    return logic.score_account(config, inputs)


# --- the risk playbook ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepIn:
    title: str
    role: str = PlaybookRole.CSM
    due_days: int = 1
    description: str = ""


def playbook_replace(*, actor: Any, steps: Sequence[StepIn]) -> list[PlaybookStep]:
    """Replace the risk playbook's task templates (started for every new code-red flag)."""
    _require_admin(actor)
    errors: dict[str, list[str]] = {}
    for index, step in enumerate(steps):
        if not step.title.strip() or len(step.title) > 200:
            errors[f"steps.{index}.title"] = [_("A title of 1 to 200 characters.")]
        if step.role not in PlaybookRole.values:
            errors[f"steps.{index}.role"] = [_("Unknown role.")]
        if not 0 <= step.due_days <= 365:
            errors[f"steps.{index}.due_days"] = [_("Use 0 to 365 days.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], errors=errors)
    with transaction.atomic():
        before = "; ".join(f"{s.title} ({s.role}, +{s.due_days}d)" for s in PlaybookStep.objects.all())
        PlaybookStep.objects.all().delete()
        created = PlaybookStep.objects.bulk_create([
            PlaybookStep(title=step.title.strip(), role=step.role, due_days=step.due_days,
                         description=step.description.strip(), position=index) for index, step in enumerate(steps)])
        after = "; ".join(f"{s.title} ({s.role}, +{s.due_days}d)" for s in created)
        if before != after:
            audit_record(actor=actor, action="change", obj=None, changes={"risk_playbook": [before, after]},
                         summary="Risk playbook changed")
    return created


# --- overrides -----------------------------------------------------------------------------------------------------


def _require_change(actor: Any, account: Account) -> None:
    if not can(actor, Action.CHANGE, resource="health"):
        raise PermissionDenied(_("You may not change health scores."))


def override_set(*, actor: Any, account: Account, score: int, reason: str, expires_at: datetime.datetime,
                 now: datetime.datetime | None = None) -> HealthOverride:
    """A manual score with a reason, in force until ``expires_at`` (at most a year ahead). Any override in force
    is cleared; the account is recomputed at once so the score shows it."""
    from tandem.health.recompute import health_recompute

    _require_change(actor, account)
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if not isinstance(score, int) or not 0 <= score <= 100:
        errors["score"] = [_("Use a score from 0 to 100.")]
    if not reason.strip():
        errors["reason"] = [_("Say why you override the score.")]
    elif len(reason) > 500:
        errors["reason"] = [_("At most 500 characters.")]
    if expires_at <= now:
        errors["expires_at"] = [_("The expiry must be in the future.")]
    elif expires_at > now + datetime.timedelta(days=MAX_OVERRIDE_DAYS):
        errors["expires_at"] = [_("An override lasts at most a year.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], errors=errors)
    with transaction.atomic():
        HealthOverride.objects.filter(account=account, cleared_at__isnull=True).update(
            cleared_at=now, cleared_by=_user(actor))
        override = HealthOverride.objects.create(account=account, score=score, reason=reason.strip(),
                                                 expires_at=expires_at, created_by=_user(actor))
        audit_created(actor=actor, obj=override, fields=OVERRIDE_FIELDS)
        record_system_activity(actor=actor, account=account, type=ActivityType.SYSTEM_EVENT, source=override,
                               subject=f"Health score set to {score} by hand: {reason.strip()}"[:300],
                               payload={"event": "health_override_set", "score": score,
                                        "reason": reason.strip()[:200],
                                        "expires_at": expires_at.isoformat()})
    health_recompute(account_ids=[account.pk], now=now)
    return override


def override_clear(*, actor: Any, override: HealthOverride, now: datetime.datetime | None = None) -> HealthOverride:
    from tandem.health.recompute import health_recompute

    _require_change(actor, override.account)
    if override.cleared_at is not None:
        return override
    now = now or timezone.now()
    with transaction.atomic():
        override.cleared_at = now
        override.cleared_by = _user(actor)
        override.save(update_fields=["cleared_at", "cleared_by"])
        audit_record(actor=actor, action="change", obj=override, changes={"cleared_at": [None, now.isoformat()]})
    health_recompute(account_ids=[override.account_id], now=now)
    return override


# --- code red ------------------------------------------------------------------------------------------------------


def risk_flag_resolve(*, actor: Any, flag: RiskFlag, reason: str,
                      now: datetime.datetime | None = None) -> RiskFlag:
    """Close a code-red flag; the reason is required and goes on the timeline."""
    if not can(actor, Action.CHANGE, resource="health"):
        raise PermissionDenied(_("You may not resolve code-red flags."))
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(_("Say how the risk was resolved."),
                               errors={"reason": [_("Say how the risk was resolved.")]})
    if len(reason) > 1000:
        raise ValidationFailed(_("At most 1,000 characters."), errors={"reason": [_("At most 1,000 characters.")]})
    now = now or timezone.now()
    with transaction.atomic():
        locked = RiskFlag.objects.select_for_update().select_related("account").get(pk=flag.pk)
        if locked.resolved_at is not None:
            raise Conflict(_("This code red is already resolved."), errors={"reason": [_("Already resolved.")]})
        locked.resolved_at = now
        locked.resolved_by = _user(actor)
        locked.resolution = reason
        locked.save(update_fields=["resolved_at", "resolved_by", "resolution", "updated_at"])
        audit_record(actor=actor, action="change", obj=locked,
                     changes={"resolved_at": [None, now.isoformat()], "resolution": ["", reason]})
        record_system_activity(actor=actor, account=locked.account, type=ActivityType.SYSTEM_EVENT, source=locked,
                               subject=f"Code red resolved: {reason}"[:300],
                               payload={"event": "health_code_red_resolved", "reason": reason[:200]})
    return locked


# --- on demand -----------------------------------------------------------------------------------------------------


def account_recompute(*, actor: Any, account: Account) -> None:
    """Recompute one account now (the button on the account page, the API)."""
    from tandem.health.recompute import health_recompute

    if not can(actor, Action.CHANGE, resource="health"):
        raise PermissionDenied(_("You may not recompute health scores."))
    health_recompute(account_ids=[account.pk])


def recompute_everything_request(*, actor: Any) -> None:
    """Administrators: mark every account for the next recompute job (the nightly pass does the same)."""
    from tandem.core.jobs import enqueue_after_commit
    from tandem.health.jobs import recompute_all_health_job

    _require_admin(actor)
    with transaction.atomic():
        audit_record(actor=actor, action="change", obj=None, summary="Recompute every health score requested")
        enqueue_after_commit(recompute_all_health_job)


def accounts_mark_dirty(*, account_ids: Sequence[int]) -> None:
    mark_accounts_dirty(account_ids=account_ids)


def health_move_account(*, kept: Account, removed: Account) -> int:
    """An account merge (inside its transaction): scores of days the kept account has no score for, overrides
    and code-red flags move (an open flag of the duplicate is resolved when the kept account has one open: one
    alert per account); the duplicate's churn prediction goes (the kept account's is refreshed nightly). The kept
    account is marked for a recompute over the merged data."""
    from tandem.health.models import ChurnPrediction, HealthSnapshot

    kept_days = HealthSnapshot.objects.filter(account=kept).values("day")
    HealthSnapshot.objects.filter(account=removed, day__in=kept_days).delete()
    moved = HealthSnapshot.objects.filter(account=removed).update(account=kept)
    if RiskFlag.objects.filter(account=kept, resolved_at__isnull=True).exists():
        RiskFlag.objects.filter(account=removed, resolved_at__isnull=True).update(
            resolved_at=timezone.now(),
            resolution=_("Merged into %(name)s (%(id)s), which is flagged.") % {"name": kept.name,
                                                                                     "id": kept.public_id})
    moved += RiskFlag.objects.filter(account=removed).update(account=kept)
    moved += HealthOverride.objects.filter(account=removed).update(account=kept)
    ChurnPrediction.objects.filter(account=removed).delete()
    mark_accounts_dirty(account_ids=[kept.pk])
    return int(moved)
