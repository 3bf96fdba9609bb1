from __future__ import annotations

from datetime import datetime

from ninja import Schema


class FileOut(Schema):
    id: str
    account: str
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str | None
    created_at: datetime
    download_url: str
