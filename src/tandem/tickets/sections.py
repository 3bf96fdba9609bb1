"""The tickets section of the Account 360 page."""

from __future__ import annotations


def register() -> None:
    pass
