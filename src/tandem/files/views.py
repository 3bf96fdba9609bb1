"""File upload, download and delete pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.accounts import selectors as account_selectors
from tandem.core.exceptions import DomainError, NotFound
from tandem.files import selectors, services
from tandem.identity.requests import AuthedRequest


@login_required
@require_POST
def file_upload(request: AuthedRequest, public_id: str) -> HttpResponse:
    try:
        account = account_selectors.account_get(actor=request.user, public_id=public_id)
    except NotFound:
        raise Http404 from None
    uploads = request.FILES.getlist("file")
    if not uploads:
        messages.error(request, _("Choose a file first."))
    for upload in uploads:
        try:
            services.file_upload(actor=request.user, account=account, upload=upload)
        except DomainError as error:
            messages.error(request, f"{upload.name}: {error.message}")
        else:
            messages.success(request, _("Added %(name)s.") % {"name": upload.name})
    return redirect(f"/accounts/{account.public_id}/#account-files")


@login_required
def file_download(request: AuthedRequest, public_id: str) -> FileResponse:
    try:
        stored = selectors.file_get(actor=request.user, public_id=public_id)
    except NotFound:
        raise Http404 from None
    response = FileResponse(stored.blob.open("rb"), as_attachment=True, filename=stored.name,
                            content_type="application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def file_delete(request: AuthedRequest, public_id: str) -> HttpResponse:
    try:
        stored = selectors.file_get(actor=request.user, public_id=public_id)
    except NotFound:
        raise Http404 from None
    account_id = stored.account.public_id
    services.file_delete(actor=request.user, stored=stored)
    messages.success(request, _("File deleted."))
    return redirect(f"/accounts/{account_id}/#account-files")
