"""Records folded into others by a merge. An app whose records can be merged (accounts, contacts) registers,
per resource, a function ``record -> {internal key of each duplicate merged into it: that duplicate's public
id}``, so one record's history includes the audit entries of its duplicates. The audit app never imports the
apps; the apps import it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

MergedRecords = Callable[[Any], Mapping[str, str]]
_MERGED_RECORDS: dict[str, MergedRecords] = {}


def register_merged_records(resource: str, source: MergedRecords) -> None:
    _MERGED_RECORDS[resource] = source


def merged_records(resource: str, record: Any) -> dict[str, str]:
    """The duplicates merged into ``record`` (a record of ``resource``): internal key -> public id."""
    source = _MERGED_RECORDS.get(resource)
    return dict(source(record)) if source is not None else {}
