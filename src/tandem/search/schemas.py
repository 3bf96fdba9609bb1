from __future__ import annotations

from ninja import Schema


class SearchHitOut(Schema):
    kind: str
    id: str
    title: str
    subtitle: str
    score: float


class SearchOut(Schema):
    query: str
    accounts: list[SearchHitOut]
    contacts: list[SearchHitOut]
