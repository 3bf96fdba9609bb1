"""Search API: GET /api/v1/search?q=."""

from __future__ import annotations

from typing import Any

from ninja import Router

from tandem.api.auth import api_actor, token_has_scope
from tandem.identity.requests import AuthedRequest
from tandem.search import selectors
from tandem.search.schemas import SearchOut

router = Router(tags=["search"])


def _hit(hit: selectors.SearchHit) -> dict[str, Any]:
    return {"kind": hit.kind, "id": hit.public_id, "title": hit.title, "subtitle": hit.subtitle, "score": hit.score}


@router.get("", response=SearchOut, operation_id="search_result_list")
def search(request: AuthedRequest, q: str, limit: int = 8) -> dict[str, Any]:
    """Typo-tolerant search of accounts (name, domain) and contacts (name, email, phone) the caller may see.
    Contacts are included only when the token also has the ``contacts:read`` scope."""
    actor = api_actor(request, scope="accounts:read")
    results = selectors.global_search(actor=actor, query=q, limit=max(1, min(limit, 50)))
    contacts = results.contacts if token_has_scope(request, "contacts:read") else []
    return {"query": results.query, "accounts": [_hit(h) for h in results.accounts],
            "contacts": [_hit(h) for h in contacts]}
