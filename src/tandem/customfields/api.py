"""Custom-field definitions API: everyone reads the definitions they may read; administrators change them."""

from __future__ import annotations

from typing import Any

from ninja import Router
from ninja.responses import Status

from tandem.api.auth import api_actor
from tandem.core.exceptions import NotFound
from tandem.customfields import selectors, services
from tandem.customfields.models import CustomField
from tandem.customfields.schemas import CustomFieldIn, CustomFieldOut, CustomFieldPatch
from tandem.identity.requests import AuthedRequest

router = Router(tags=["custom fields"])


def _out(field: CustomField) -> dict[str, Any]:
    return {"id": field.public_id, **{name: getattr(field, name) for name in (
        "resource", "key", "label", "field_type", "choices", "required", "field_group", "help_text")}}


def _get(public_id: str) -> CustomField:
    field = selectors.custom_field_by_public_id(public_id=public_id)
    if field is None:
        raise NotFound("No such custom field.")
    return field


@router.get("", response=list[CustomFieldOut], operation_id="customfields_field_list")
def field_list(request: AuthedRequest, resource: str = "account") -> list[dict[str, Any]]:
    actor = api_actor(request, scope="accounts:read")
    return [_out(field) for field in selectors.readable_fields(actor=actor, resource=resource)]


@router.post("", response={201: CustomFieldOut}, operation_id="customfields_field_create")
def field_create(request: AuthedRequest, payload: CustomFieldIn) -> Status:
    actor = api_actor(request, scope="accounts:write")
    return Status(201, _out(services.custom_field_create(actor=actor, **payload.dict())))


@router.patch("/{field_id}", response=CustomFieldOut, operation_id="customfields_field_update")
def field_update(request: AuthedRequest, field_id: str, payload: CustomFieldPatch) -> dict[str, Any]:
    actor = api_actor(request, scope="accounts:write")
    changes = {name: value for name, value in payload.dict(exclude_unset=True).items() if value is not None}
    return _out(services.custom_field_update(actor=actor, field=_get(field_id), **changes))


@router.delete("/{field_id}", response={204: None}, operation_id="customfields_field_delete")
def field_delete(request: AuthedRequest, field_id: str) -> Status:
    actor = api_actor(request, scope="accounts:write")
    services.custom_field_delete(actor=actor, field=_get(field_id))
    return Status(204, None)
