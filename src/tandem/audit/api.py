"""Audit API: GET /api/v1/audit — the whole log for those allowed, or one visible record's history."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from ninja import Router

from tandem.access.decide import can, restrict
from tandem.access.registry import get_resource
from tandem.api.auth import api_actor
from tandem.api.pagination import paginate
from tandem.audit import selectors
from tandem.audit.models import AuditEntry
from tandem.audit.schemas import AuditPage
from tandem.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from tandem.identity.requests import AuthedRequest

router = Router(tags=["audit"])


def _out(entry: AuditEntry, *, public_id: str | None, full: bool) -> dict[str, Any]:
    changes = entry.changes
    if not full:  # custom-field values may be protected by field groups the caller lacks: leave them out
        changes = {name: values for name, values in changes.items()
                   if name != "custom" and not name.startswith("custom.")}
    return {"at": entry.at, "actor": entry.actor_label, "action": entry.action,
            "object_type": entry.content_type.model if entry.content_type else None,
            "object_id": public_id or entry.object_id, "object": entry.object_repr, "summary": entry.summary,
            "changes": changes}


@router.get("", response=AuditPage, operation_id="audit_entry_list")
def entry_list(request: AuthedRequest, limit: int | None = None, cursor: str | None = None, actor: str = "",
               object_type: str = "", object_id: str = "", action: str = "", q: str = "", since: str = "",
               until: str = "") -> dict[str, Any]:
    """With ``object_type`` (a resource such as ``account``) and ``object_id`` (its public id), the history of
    one record the caller may see; otherwise the whole log, for callers allowed to view it."""
    acting = api_actor(request, scope="audit:read")
    public_id = None
    internal_id = ""
    if object_type and object_id:
        try:
            resource = get_resource(object_type)
        except LookupError:
            raise ValidationFailed("Unknown object type.", errors={"object_type": ["Unknown."]}) from None
        if not resource.has_records:
            raise ValidationFailed("This type has no records.", errors={"object_type": ["No records."]})
        model = apps.get_model(str(resource.model_label))
        record = restrict(model._default_manager.all(), acting).filter(public_id=object_id).first()
        if record is None:
            raise NotFound("No such record.")
        public_id, internal_id, object_type = object_id, str(record.pk), model._meta.model_name
    elif not can(acting, "view", resource="audit_log"):
        raise PermissionDenied("You may not read the audit log; ask for one record's history instead.")
    filters = selectors.AuditFilters(actor_email=actor, object_type=object_type, object_id=internal_id,
                                     action=action, text=q, since=since, until=until)
    page = paginate(selectors.entry_list(actor=acting, filters=filters), ordering=("-at", "-id"), limit=limit,
                    cursor=cursor)
    full = can(acting, "view", resource="audit_log")
    return {"items": [_out(entry, public_id=public_id, full=full) for entry in page.items],
            "next_cursor": page.next_cursor}
