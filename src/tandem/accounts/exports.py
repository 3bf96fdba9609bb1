"""Streaming CSV export of accounts, scoped by the access module and neutralised against CSV injection."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from tandem.accounts.models import Account

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value: str) -> str:
        return value


def neutralise(value: Any) -> str:
    """Prefix a cell that a spreadsheet would run as a formula with an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def account_csv_rows(accounts: Any) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(["id", "name", "domain", "owner_email", "team", "created_at"])
    for account in accounts.iterator(chunk_size=2000):
        assert isinstance(account, Account)
        yield writer.writerow([
            account.public_id,
            neutralise(account.name),
            neutralise(account.domain),
            account.owner.email if account.owner else "",
            neutralise(account.team.name if account.team else ""),
            account.created_at.isoformat(),
        ])
