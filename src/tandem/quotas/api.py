"""Quotas API: /api/v1/quotas (+ /attainment, /bulk)."""

from __future__ import annotations

import datetime
from typing import Any

from ninja import Router
from ninja.responses import Status

from tandem.api.auth import api_actor
from tandem.api.pagination import paginate
from tandem.core.exceptions import ValidationFailed
from tandem.identity.models import User
from tandem.identity.requests import AuthedRequest
from tandem.quotas import logic, selectors, services
from tandem.quotas.models import Quota
from tandem.quotas.schemas import AttainmentList, QuotaBulkIn, QuotaIn, QuotaOut, QuotaPage, QuotaPatch

router = Router(tags=["quotas"])


def _quota_out(quota: Quota) -> dict[str, Any]:
    return {"id": quota.public_id, "user": {"id": quota.user.public_id, "email": quota.user.email,
                                            "name": str(quota.user)},
            "role": quota.role, "metric": quota.metric, "period": quota.period, "period_start": quota.period_start,
            "period_end": logic.period_end(quota.period, quota.period_start), "target": quota.target,
            "currency": quota.currency}


def _person(actor: Any, value: str | None, field: str = "user") -> User | None:
    if value is None or not value.strip():
        return None
    if value.strip().lower() == "me":
        return actor
    user = selectors.person_by_reference(reference=value)
    if user is None:
        raise ValidationFailed("Unknown user.", errors={field: [f"No active user {value!r}."]})
    return user


def _filters(actor: Any, user: str | None, period: str | None, on: datetime.date | None,
             metric: str | None) -> selectors.QuotaFilters:
    if period:
        selectors.check_period(period)
    start = logic.period_start(period, on) if period and on else None
    return selectors.QuotaFilters(user=_person(actor, user), period=period or "", period_start=start,
                                  metric=metric or "")


@router.get("", response=QuotaPage, operation_id="quotas_quota_list")
def quota_list(request: AuthedRequest, user: str | None = None, period: str | None = None,
               on: datetime.date | None = None, metric: str | None = None, limit: int | None = None,
               cursor: str | None = None) -> dict[str, Any]:
    """Visible quotas: your own; a manager's team's; an administrator's all. ``on`` with ``period`` picks the
    period containing that day."""
    actor = api_actor(request, scope="quotas:read")
    quotas = selectors.quota_list(actor=actor, filters=_filters(actor, user, period, on, metric))
    page = paginate(quotas, ordering=("period_start", "id"), limit=limit, cursor=cursor)
    return {"items": [_quota_out(quota) for quota in page.items], "next_cursor": page.next_cursor}


@router.post("", response={201: QuotaOut}, operation_id="quotas_quota_create")
def quota_create(request: AuthedRequest, payload: QuotaIn) -> Status:
    """Set a person's quota for the period containing ``period_start`` (its target is replaced when one exists)."""
    actor = api_actor(request, scope="quotas:write")
    services.require_create(actor=actor)
    values = payload.dict()
    user = _person(actor, values.pop("user"))
    quota = services.quota_set(actor=actor, user=user, **values)
    return Status(201, _quota_out(quota))


@router.post("/bulk", response={201: QuotaPage}, operation_id="quotas_quota_bulk_set")
def quota_bulk(request: AuthedRequest, payload: QuotaBulkIn) -> Status:
    """The same quota for everyone holding ``role`` whose quotas you may set (a manager: their team)."""
    actor = api_actor(request, scope="quotas:write")
    quotas = services.quota_bulk_set(actor=actor, **payload.dict())
    return Status(201, {"items": [_quota_out(quota) for quota in quotas], "next_cursor": None})


@router.get("/attainment", response=AttainmentList, operation_id="quotas_attainment_list")
def attainment_list(request: AuthedRequest, user: str | None = None, period: str | None = None,
                    on: datetime.date | None = None, metric: str | None = None) -> dict[str, Any]:
    """Attainment of the visible quotas of the period containing ``on`` (today), computed from the data:
    won opportunities (MRR or one-off, in the workspace currency), calls, opportunities created."""
    actor = api_actor(request, scope="quotas:read")
    day = on or selectors.today()
    quotas = [quota for quota in selectors.quota_list(actor=actor, filters=_filters(actor, user, period, day, metric))
              .filter(period_start__lte=day)[:500] if logic.period_end(quota.period, quota.period_start) >= day]
    return {"items": [{"quota": _quota_out(item.quota), "actual": item.actual, "percent": item.percent,
                       "unit": item.unit} for item in selectors.attainments(quotas)]}


@router.get("/{quota_id}", response=QuotaOut, operation_id="quotas_quota_get")
def quota_get(request: AuthedRequest, quota_id: str) -> dict[str, Any]:
    actor = api_actor(request, scope="quotas:read")
    return _quota_out(selectors.quota_get(actor=actor, public_id=quota_id))


@router.patch("/{quota_id}", response=QuotaOut, operation_id="quotas_quota_update")
def quota_update(request: AuthedRequest, quota_id: str, payload: QuotaPatch) -> dict[str, Any]:
    actor = api_actor(request, scope="quotas:write")
    quota = selectors.quota_get(actor=actor, public_id=quota_id)
    return _quota_out(services.quota_update(actor=actor, quota=quota, target=payload.target))


@router.delete("/{quota_id}", response={204: None}, operation_id="quotas_quota_delete")
def quota_delete(request: AuthedRequest, quota_id: str) -> Status:
    actor = api_actor(request, scope="quotas:write")
    services.quota_delete(actor=actor, quota=selectors.quota_get(actor=actor, public_id=quota_id))
    return Status(204, None)
