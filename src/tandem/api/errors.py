"""RFC 9457 problem+json for every API error."""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from tandem.core.exceptions import DomainError

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem(
    api: NinjaAPI,
    request: HttpRequest,
    *,
    status: int,
    title: str,
    detail: str = "",
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": f"https://tandem.invalid/problems/{status}",
        "title": title,
        "status": status,
        "detail": detail or title,
        "instance": request.path,
    }
    if errors is not None:
        body["errors"] = errors
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM_CONTENT_TYPE
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def _location(loc: Any) -> str:
    """'body.payload.name' -> 'name'; keeps nested paths like 'events.3.timestamp'."""
    parts = [str(part) for part in loc]
    while parts and parts[0] in {"body", "query", "path", "header", "cookie", "form", "payload"}:
        parts = parts[1:]
        if parts and parts[0] in {"payload", "data"}:
            parts = parts[1:]
    return ".".join(parts) or "body"


def install(api: NinjaAPI) -> None:
    """Register the exception handlers that turn every error into problem+json."""

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        errors = [{"field": field, "message": message}
                  for field, messages in exc.errors.items() for message in messages]
        return problem(api, request, status=exc.status, title=str(exc.title), detail=exc.message,
                       errors=errors or None)

    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = []
        for error in exc.errors:
            message = str(error.get("msg", "Invalid value"))
            if error.get("type") == "json_invalid" or "JSON" in message and "decode" in message.lower():
                message = "The request body is not valid JSON."
            errors.append({"field": _location(error.get("loc", ())), "message": message})
        return problem(api, request, status=422, title="Validation failed",
                       detail="One or more fields are invalid.", errors=errors)

    @api.exception_handler(AuthenticationError)
    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        detail = str(exc.message) if getattr(exc, "message", None) and str(exc.message) != "Unauthorized" \
            else "Authentication required: log in or send a valid 'Authorization: Bearer <token>'."
        return problem(api, request, status=401, title="Unauthorized", detail=detail,
                       headers={"WWW-Authenticate": 'Bearer realm="tandem"'})

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400 and "parse request body" in str(exc.message):
            return problem(api, request, status=422, title="Validation failed",
                           detail="The request body is not valid JSON.",
                           errors=[{"field": "body", "message": "The request body is not valid JSON."}])
        return problem(api, request, status=exc.status_code, title=str(exc.message), detail=str(exc.message))

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem(api, request, status=404, title="Not found", detail="No such object.")

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("Unhandled API error on %s %s", request.method, request.path)
        return problem(api, request, status=500, title="Internal server error",
                       detail="Something went wrong on our side; the error was logged.")
