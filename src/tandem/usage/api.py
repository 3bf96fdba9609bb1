"""Product-usage events API: POST /api/v1/events/batch.

The handler does the minimum: read the body (gunzip it if sent so), parse it with orjson, validate with plain
Python, resolve the accounts in one query and write through ``services.events_ingest`` — which commits before
this returns, so a 2xx means stored."""

from __future__ import annotations

import gc
import zlib
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import Router

from tandem.api.auth import api_actor
from tandem.api.errors import PROBLEM_CONTENT_TYPE
from tandem.core.exceptions import DomainError
from tandem.usage import services
from tandem.usage.schemas import EventBatchOut, EventIn

try:
    import orjson

    _loads: Any = orjson.loads
    _dumps: Any = orjson.dumps
    JSONDecodeError: Any = orjson.JSONDecodeError
except ImportError:  # pragma: no cover
    import json

    _loads = json.loads
    JSONDecodeError = ValueError

    def _dumps(value: Any) -> bytes:
        return json.dumps(value).encode()

router = Router(tags=["events"])
MAX_BODY_BYTES = 10 * 2**20  # after decompression


class BadRequest(DomainError):
    status = 400
    title = "Bad request"


def _problem(request: HttpRequest, status: int, title: str, detail: str, **extra: Any) -> HttpResponse:
    body = {"type": f"https://tandem.invalid/problems/{status}", "title": title, "status": status,
            "detail": detail, "instance": request.path, **extra}
    return HttpResponse(_dumps(body), status=status, content_type=PROBLEM_CONTENT_TYPE)


def _body(request: HttpRequest) -> bytes:
    try:
        raw = request.body
    except RequestDataTooBig:
        raise services.BatchTooLarge(f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} "
                                     "bytes; send at most 1,000 events per batch.") from None
    encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding in {"", "identity"}:
        return raw
    if encoding not in {"gzip", "x-gzip"}:
        raise BadRequest(f"Unsupported Content-Encoding '{encoding}'; send gzip or nothing.")
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        body = inflater.decompress(raw, MAX_BODY_BYTES + 1)
    except zlib.error:
        raise BadRequest("The body is not valid gzip.") from None
    if len(body) > MAX_BODY_BYTES or inflater.unconsumed_tail:
        raise services.BatchTooLarge(f"The decompressed body is larger than {MAX_BODY_BYTES} bytes.")
    return body


@router.post("/batch", response={200: EventBatchOut}, operation_id="usage_events_batch",
             summary="Send a batch of product-usage events",
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                 "schema": {"title": "EventBatchIn", "type": "object", "required": ["events"], "properties": {
                     "events": {"type": "array", "maxItems": 1000, "items": EventIn.model_json_schema()}}}}}}})
def events_batch(request: HttpRequest) -> HttpResponse:
    """Up to 1,000 events; idempotent by (account, message_id, timestamp). Each event is validated on its own:
    valid events are stored, failures are listed by index. `Content-Encoding: gzip` is accepted. A 200 is sent
    only after the events are committed. 413 for more than 1,000 events; 400 for a body that is not JSON; 422
    when no event in the batch is valid."""
    actor = api_actor(request, scope="events:write")
    # A batch makes ~20,000 short-lived objects without cycles: reference counting frees them, and a cyclic
    # garbage collection run in the middle (which walks the whole Django heap) would only add latency.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _events_batch(request, actor)
    finally:
        if collecting:
            gc.enable()


def _events_batch(request: HttpRequest, actor: Any) -> HttpResponse:
    try:
        payload = _loads(_body(request))
    except JSONDecodeError:
        return _problem(request, 400, "Invalid JSON", "The request body is not valid JSON.")
    except DomainError as error:
        extra = {"limit": settings.EVENTS_MAX_BATCH} if error.status == 413 else {}
        return _problem(request, error.status, str(error.title), error.message, **extra)
    if not isinstance(payload, dict) or not isinstance(payload.get("events"), list):
        return _problem(request, 422, "Validation failed", 'The body must be an object {"events": [...]}.',
                        errors=[{"index": None, "field": "events", "message": "'events' must be a list."}])
    events = payload["events"]
    if len(events) > settings.EVENTS_MAX_BATCH:
        return _problem(request, 413, "Batch too large", f"A batch holds at most {settings.EVENTS_MAX_BATCH} "
                        f"events; this one has {len(events)}. Split it.", limit=settings.EVENTS_MAX_BATCH)
    result = services.events_ingest(actor=actor, items=events).as_dict()
    if result["errors"] and not result["accepted"]:
        return _problem(request, 422, "Validation failed", "No event in the batch is valid.", **result)
    return HttpResponse(_dumps(result), status=200, content_type="application/json")
