"""Write the API's OpenAPI document (committed as docs/api/openapi.json; a test fails on drift)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from tandem.api.main import api


def openapi_text() -> str:
    return json.dumps(api.get_openapi_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "Write the OpenAPI document of /api/v1/ to a file (default: standard output)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--output", help="file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        text = openapi_text()
        if options.get("output"):
            Path(options["output"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
