"""The audit log for administrators: filters, keyset pages, CSV export."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.api.pagination import paginate
from tandem.audit import selectors, services
from tandem.audit.forms import AuditFilterForm
from tandem.core.exceptions import ValidationFailed
from tandem.identity.requests import AuthedRequest

PAGE_SIZE = 50
EXPORT_COLUMNS = ["at", "actor", "action", "object_type", "object_id", "object", "summary", "changes"]


def _form(request: AuthedRequest) -> AuditFilterForm:
    return AuditFilterForm(request.GET or None, object_types=selectors.object_types(actor=request.user))


@login_required
def entry_list(request: AuthedRequest) -> HttpResponse:
    """The whole log, newest first, filtered, 50 entries a page."""
    actor = request.user
    if not can(actor, Action.VIEW, resource="audit_log"):
        raise Http404
    form = _form(request)
    filters = form.filters() if form.is_valid() else selectors.AuditFilters()
    try:
        page = paginate(selectors.entry_list(actor=actor, filters=filters), ordering=("-at", "-id"),
                        limit=PAGE_SIZE, cursor=request.GET.get("cursor") or None)
    except ValidationFailed:  # a damaged cursor: start again at the newest entries
        page = paginate(selectors.entry_list(actor=actor, filters=filters), ordering=("-at", "-id"),
                        limit=PAGE_SIZE, cursor=None)
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(request, "audit/entry_list.html", {
        "nav_active": "audit", "page": page, "form": form, "query": query.urlencode(),
        "is_first_page": not request.GET.get("cursor"),
        "can_export": can(actor, Action.EXPORT, resource="audit_log")},
        status=422 if form.is_bound and not form.is_valid() else 200)


def neutralise(value: object) -> str:
    """A cell a spreadsheet would run as a formula, prefixed with an apostrophe (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
def entry_export(request: AuthedRequest) -> HttpResponse | StreamingHttpResponse:
    """The filtered log as CSV (UTF-8 with BOM for spreadsheets). The export is itself audited."""
    actor = request.user
    if not can(actor, Action.EXPORT, resource="audit_log"):
        raise Http404
    form = _form(request)
    if form.is_bound and not form.is_valid():
        return HttpResponse(_("Fix the filters before exporting."), status=422, content_type="text/plain")
    filters = form.filters() if form.is_bound else selectors.AuditFilters()
    entries = selectors.entry_export_rows(actor=actor, filters=filters)
    services.audit_export_record(actor=actor, filters=filters, count=entries.count())

    def rows() -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield "\ufeff" + writer.writerow(EXPORT_COLUMNS)
        for entry in entries.iterator(chunk_size=2000):
            yield writer.writerow([
                entry.at.isoformat(), neutralise(entry.actor_label), entry.action,
                entry.content_type.model if entry.content_type else "", entry.object_id,
                neutralise(entry.object_repr), neutralise(entry.summary),
                neutralise(json.dumps(entry.changes, ensure_ascii=False, sort_keys=True)) if entry.changes else ""])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{timezone.now():%Y%m%d-%H%M}.csv"'
    return response
