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


def totp_provisioning_uri(*, secret: str, account_name: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    import pyotp

    return pyotp.TOTP(secret).provisioning_uri(name=account_name, issuer_name=issuer)


def qr_code_svg(text: str) -> str:
    """An inline SVG QR code for ``text``, drawn locally (no external service sees the secret)."""
    import segno

    return segno.make(text, error="m").svg_inline(scale=5, dark="#14324a")
