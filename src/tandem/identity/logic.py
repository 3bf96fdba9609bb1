"""Pure helpers for identity: token secrets and their hashes."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "tdm_"


def new_token_secret() -> str:
    """A fresh bearer secret: a recognisable prefix plus 40 random URL-safe characters."""
    return TOKEN_PREFIX + secrets.token_urlsafe(30)


def token_hash(secret: str) -> str:
    """Tokens are high-entropy, so a fast SHA-256 is enough (and keeps lookups indexable)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def token_display_prefix(secret: str) -> str:
    return secret[: len(TOKEN_PREFIX) + 6]
