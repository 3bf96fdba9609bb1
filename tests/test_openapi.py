"""The committed OpenAPI document matches the code, and the docs page works offline."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tandem.api.management.commands.export_openapi import openapi_text

COMMITTED = Path(__file__).resolve().parent.parent / "docs" / "api" / "openapi.json"


def test_the_committed_openapi_document_is_up_to_date():
    assert COMMITTED.read_text(encoding="utf-8") == openapi_text(), (
        "docs/api/openapi.json is stale: run `make openapi` and add a line to docs/api/changelog.md")


def test_every_operation_is_named_app_entity_verb():
    document = json.loads(openapi_text())
    from django.apps import apps

    ids = [op["operationId"] for path in document["paths"].values() for op in path.values()]
    labels = {config.label for config in apps.get_app_configs() if config.name.startswith("tandem.")}
    # <app>_<entity>_<verb>; an entity of two words keeps its underscore (contracts_price_book_list).
    wrong = [operation_id for operation_id in ids if not re.fullmatch(r"[a-z]+(_[a-z]+){2,}", operation_id)
             or operation_id.split("_")[0] not in labels]
    assert ids and wrong == []
    assert len(ids) == len(set(ids))


def test_the_api_docs_load_no_external_assets(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    external = re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", html)
    assert external == []
    assert "/static/" in html
    assert client.get("/api/v1/openapi.json").json()["info"]["title"] == "Tandem API"
