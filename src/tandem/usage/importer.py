"""`tandem import events FILE.csv|.jsonl[.gz]`: history through the same write path as the API, in chunks of
5,000 rows, each chunk its own transaction; every bad row is reported with its line number while the good
ones are stored. No bound on past timestamps (it is history); the future bound still applies. Re-running the
same file stores nothing twice (idempotent like the API)."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from tandem.usage import logic, partitions, services

try:
    import orjson

    _loads: Any = orjson.loads
    JSONError: Any = orjson.JSONDecodeError
except ImportError:  # pragma: no cover
    import json

    _loads = json.loads
    JSONError = ValueError

CHUNK = 5000
CSV_COLUMNS = ("message_id", "account", "user", "event", "timestamp", "properties")


@dataclass
class ImportReport:
    rows: int = 0
    stored: int = 0
    already_stored: int = 0
    duplicates: int = 0
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (line, field, message)

    @property
    def rejected(self) -> int:
        return len({line for line, _field, _message in self.problems})


def _open(path: Path) -> IO[str]:
    if path.suffix.lower() == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return path.open("r", encoding="utf-8-sig", newline="")


def _format(path: Path) -> str:
    suffixes = [suffix.lower() for suffix in path.suffixes if suffix.lower() != ".gz"]
    if suffixes and suffixes[-1] in {".jsonl", ".ndjson", ".json"}:
        return "jsonl"
    if suffixes and suffixes[-1] == ".csv":
        return "csv"
    raise ValueError(f"{path.name}: expected .csv, .jsonl or .ndjson (optionally .gz)")


def _rows(path: Path, report: ImportReport) -> Iterator[tuple[int, Any]]:
    """(line number, event object or a problem string) for every data row of the file."""
    kind = _format(path)
    with _open(path) as handle:
        if kind == "jsonl":
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    yield number, _loads(line)
                except JSONError:
                    yield number, "This line is not valid JSON."
            return
        reader = csv.DictReader(handle)
        missing = [column for column in ("message_id", "account", "event", "timestamp")
                   if column not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path.name}: the CSV header lacks {', '.join(missing)} (columns: "
                             f"{', '.join(CSV_COLUMNS)})")
        for row in reader:
            number = reader.line_num
            item: dict[str, Any] = {key: value for key, value in row.items() if key in CSV_COLUMNS and value != ""}
            extra = [key for key in row if key not in CSV_COLUMNS]
            if extra:
                yield number, f"Unknown column '{extra[0]}'."
                continue
            if "properties" in item:
                try:
                    item["properties"] = _loads(item["properties"])
                except JSONError:
                    yield number, "'properties' is not valid JSON."
                    continue
            yield number, item


def _ensure_partitions(items: list[Any], seen: set[dt.date]) -> None:
    if not partitions.is_partitioned():
        return
    months = set()
    for item in items:
        moment = logic.parse_timestamp(item.get("timestamp")) if isinstance(item, dict) else None
        if moment is not None:
            months.add(partitions.month_start(moment.date()))
    new = sorted(months - seen)
    if new:
        partitions.ensure_partitions(new[0], new[-1])
        seen.update(new)


def import_events(*, actor: Any, path: Path) -> ImportReport:
    """Read ``path`` and store its events; returns counts and every problem by line."""
    report = ImportReport()
    months: set[dt.date] = set()
    lines: list[int] = []
    items: list[Any] = []

    def flush() -> None:
        if not items:
            return
        _ensure_partitions(items, months)
        result = services.events_ingest(actor=actor, items=items, history=True)
        report.stored += result.stored
        report.already_stored += result.accepted - result.stored
        report.duplicates += len(result.duplicates)
        report.problems.extend((lines[error.index], error.field, error.message) for error in result.errors)
        lines.clear()
        items.clear()

    for number, item in _rows(path, report):
        report.rows += 1
        if isinstance(item, str):
            report.problems.append((number, "", item))
            continue
        lines.append(number)
        items.append(item)
        if len(items) >= CHUNK:
            flush()
    flush()
    report.problems.sort()
    from tandem.audit.models import AuditAction
    from tandem.audit.services import audit_record

    audit_record(actor=actor, action=AuditAction.CREATE, obj=None,
                 summary=f"Imported product-usage events from {path.name}: {report.stored} stored, "
                         f"{report.already_stored} already stored, {report.rejected} rows rejected")
    return report
