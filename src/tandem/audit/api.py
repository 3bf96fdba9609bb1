"""Audit API: GET /api/v1/audit — the whole log for those allowed, or one visible record's history."""

from __future__ import annotations

import datetime
from typing import Any

from ninja import Router

from tandem.api.auth import api_actor
from tandem.api.pagination import paginate
from tandem.audit import selectors
from tandem.audit.models import AuditEntry
from tandem.audit.schemas import AuditPage
from tandem.identity.requests import AuthedRequest

router = Router(tags=["audit"])


def _out(entry: AuditEntry, *, object_id: str | None, changes: dict[str, Any]) -> dict[str, Any]:
    return {"at": entry.at, "actor": entry.actor_label, "action": entry.action,
            "object_type": entry.content_type.model if entry.content_type else None,
            "object_id": object_id, "object": entry.object_repr, "summary": entry.summary, "changes": changes}


@router.get("", response=AuditPage, operation_id="audit_entry_list")
def entry_list(request: AuthedRequest, limit: int | None = None, cursor: str | None = None, actor: str = "",
               object_type: str = "", object_id: str = "", action: str = "", q: str = "",
               since: datetime.date | None = None, until: datetime.date | None = None) -> dict[str, Any]:
    """Newest first, keyset-paginated. With ``object_type`` (a resource such as ``account``) and ``object_id``
    (its public id): the history of one record the caller may see (404 otherwise), including the entries of
    duplicates merged into it (their ``object_id`` is the duplicate's public id). Without them: the whole
    log, for callers allowed to view it (403 otherwise). Filters: ``actor`` (email), ``object_type``,
    ``action``, ``q`` (record name or summary), ``since``/``until`` (inclusive days)."""
    acting = api_actor(request, scope="audit:read")
    filters = selectors.AuditFilters(actor_email=actor, object_type=object_type, action=action, text=q,
                                     since=since, until=until)
    if object_id:
        history = selectors.record_history(actor=acting, resource=object_type or "account", public_id=object_id,
                                           filters=filters)
        page = paginate(history.entries, ordering=("-at", "-id"), limit=limit, cursor=cursor)
        redaction = selectors.change_redaction(actor=acting, resource=history.resource)
        items = [_out(entry, object_id=history.public_ids.get(entry.object_id, object_id),
                      changes=redaction.apply(entry.changes))
                 for entry in page.items]
        return {"items": items, "next_cursor": page.next_cursor}
    page = paginate(selectors.entry_list(actor=acting, filters=filters), ordering=("-at", "-id"), limit=limit,
                    cursor=cursor)
    ids = selectors.object_ids(page.items)
    items = [_out(entry, object_id=ids.get((entry.content_type_id or 0, entry.object_id)), changes=entry.changes)
             for entry in page.items]
    return {"items": items, "next_cursor": page.next_cursor}
