"""Import and export pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.audit.models import AuditAction
from tandem.audit.services import audit_record
from tandem.core.exceptions import DomainError, NotFound, PermissionDenied
from tandem.identity.requests import AuthedRequest
from tandem.transfer import exports, selectors, services
from tandem.transfer.forms import ModeForm, UploadForm
from tandem.transfer.importers import get_importer
from tandem.transfer.models import ImportStatus


@login_required
def import_start(request: AuthedRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None, initial={"kind": request.GET.get("kind", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = services.import_job_create(actor=request.user, kind=data["kind"], upload=data["file"],
                                             encoding=data["encoding"], delimiter=data["delimiter"])
        except DomainError as error:
            form.add_error("file" if "file" in error.errors else None, error.message)
        else:
            return redirect("transfer:import-detail", job.public_id)
    return render(request, "transfer/import_start.html", {
        "nav_active": "imports", "form": form, "jobs": selectors.import_job_list(actor=request.user)[:10]})


def _job_or_404(request: AuthedRequest, public_id: str):
    try:
        return selectors.import_job_get(actor=request.user, public_id=public_id)
    except NotFound:
        raise Http404 from None


@login_required
def import_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    job = _job_or_404(request, public_id)
    importer = get_importer(job.kind)
    mode_form = ModeForm(request.POST or None, initial={"mode": job.mode})
    mapping_errors: list[str] = []
    if request.method == "POST" and mode_form.is_valid():
        mapping = {header: request.POST.get(f"map-{index}", "") for index, header in enumerate(job.headers)}
        try:
            services.import_job_configure(actor=request.user, job=job, mapping=mapping,
                                          mode=mode_form.cleaned_data["mode"])
        except DomainError as error:
            mapping_errors = [m for messages_ in error.errors.values() for m in messages_] or [error.message]
        else:
            return redirect("transfer:import-detail", job.public_id)
    template = "transfer/import_detail.html#progress" if request.htmx else "transfer/import_detail.html"
    columns = [{"index": index, "header": header, "target": job.mapping.get(header, "")}
               for index, header in enumerate(job.headers)]
    return render(request, template, {
        "nav_active": "imports", "job": job, "importer": importer, "import_fields": importer.all_fields(),
        "columns": columns, "mode_form": mode_form,
        "mapping_errors": mapping_errors, "errors": job.row_errors.all()[:200],
        "running": job.status in (ImportStatus.VALIDATING, ImportStatus.IMPORTING),
    })


@login_required
@require_POST
def import_run(request: AuthedRequest, public_id: str) -> HttpResponse:
    job = _job_or_404(request, public_id)
    try:
        services.import_job_start(actor=request.user, job=job)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("transfer:import-detail", job.public_id)


@login_required
def import_errors_csv(request: AuthedRequest, public_id: str) -> HttpResponse:
    job = _job_or_404(request, public_id)
    response = HttpResponse(services.error_report_csv(job=job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-errors-{job.public_id}.csv"'
    return response


@login_required
def export(request: AuthedRequest, kind: str, fmt: str) -> HttpResponse | StreamingHttpResponse | FileResponse:
    exporter = exports.EXPORTERS.get(kind)
    if exporter is None or fmt not in ("csv", "xlsx"):
        raise Http404
    if not can(request.user, Action.EXPORT, resource=exporter.resource):
        raise PermissionDenied(_("You may not export %(kind)s.") % {"kind": kind})
    rows = exporter.rows(request.user)
    custom = exports.custom_columns(request.user, exporter)
    audit_record(actor=request.user, action=AuditAction.EXPORT, obj=None,
                 summary=f"Exported {kind} as {fmt.upper()}")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    filename = f"{kind}-{stamp}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(exports.csv_stream(exporter, rows.iterator(chunk_size=2000), custom),
                                         content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return FileResponse(exports.xlsx_file(exporter, rows.iterator(chunk_size=2000), custom), as_attachment=True,
                        filename=filename,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
