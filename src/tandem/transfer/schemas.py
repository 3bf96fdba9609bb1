from __future__ import annotations

from datetime import datetime

from ninja import Schema


class ImportRowErrorOut(Schema):
    line: int
    column: str
    message: str


class ImportJobOut(Schema):
    id: str
    kind: str
    file_name: str
    status: str
    mode: str
    encoding: str
    delimiter: str
    headers: list[str]
    mapping: dict[str, str]
    total_rows: int
    processed_rows: int
    valid_rows: int
    error_rows: int
    created_count: int
    updated_count: int
    message: str
    created_at: datetime
    finished_at: datetime | None
    errors_url: str
