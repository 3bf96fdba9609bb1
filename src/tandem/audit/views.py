"""The audit log for administrators: filters, keyset pages, CSV export."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from tandem.access.decide import can
from tandem.api.pagination import paginate
from tandem.audit import selectors
from tandem.audit.models import AuditAction
from tandem.audit.services import audit_record
from tandem.core.exceptions import DomainError
from tandem.identity.requests import AuthedRequest

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _filters(request: AuthedRequest) -> selectors.AuditFilters:
    return selectors.AuditFilters(
        actor_email=request.GET.get("actor", "").strip(), object_type=request.GET.get("object_type", "").strip(),
        action=request.GET.get("action", "").strip(), text=request.GET.get("q", "").strip(),
        since=request.GET.get("since", "").strip(), until=request.GET.get("until", "").strip())


@login_required
def entry_list(request: AuthedRequest) -> HttpResponse:
    if not can(request.user, "view", resource="audit_log"):
        raise Http404
    filters = _filters(request)
    try:
        page = paginate(selectors.entry_list(actor=request.user, filters=filters), ordering=("-at", "-id"), limit=50,
                        cursor=request.GET.get("cursor") or None)
    except DomainError:
        return redirect("audit:entry-list")
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(request, "audit/entry_list.html", {
        "nav_active": "audit", "page": page, "filters": filters, "query": query.urlencode(),
        "actions": AuditAction.choices, "object_types": selectors.object_types(),
        "can_export": can(request.user, "export", resource="audit_log")})


def _neutral(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
def entry_export(request: AuthedRequest) -> StreamingHttpResponse:
    if not can(request.user, "export", resource="audit_log"):
        raise Http404
    entries = selectors.entry_list(actor=request.user, filters=_filters(request)).order_by("-at", "-id")
    audit_record(actor=request.user, action=AuditAction.EXPORT, obj=None, summary="Exported the audit log")

    def rows() -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield "\ufeff" + writer.writerow(["at", "actor", "action", "object_type", "object_id", "object", "summary",
                                          "changes"])
        for entry in entries.iterator(chunk_size=2000):
            yield writer.writerow([entry.at.isoformat(), _neutral(entry.actor_label), entry.action,
                                   entry.content_type.model if entry.content_type else "", entry.object_id,
                                   _neutral(entry.object_repr), _neutral(entry.summary), _neutral(entry.changes)])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{timezone.now():%Y%m%d-%H%M}.csv"'
    return response
