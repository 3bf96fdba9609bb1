"""Pure rules of notification delivery: retry backoff, webhook-URL checks, digest grouping."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlparse

BACKOFF_BASE_SECONDS = 60
BACKOFF_CAP_SECONDS = 6 * 60 * 60


def retry_delay(attempts: int, *, base: int = BACKOFF_BASE_SECONDS, cap: int = BACKOFF_CAP_SECONDS
                ) -> datetime.timedelta:
    """How long to wait after the ``attempts``-th failed attempt: 1, 2, 4, 8… minutes, at most six hours."""
    exponent = max(attempts - 1, 0)
    seconds = cap if exponent >= 32 else min(base * 2**exponent, cap)
    return datetime.timedelta(seconds=seconds)


def webhook_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a chat webhook, or None. Only absolute http(s) URLs with a host are allowed."""
    text = url.strip()
    if not text:
        return "empty"
    if len(text) > 500:
        return "too_long"
    try:
        parsed = urlparse(text)
        port = parsed.port  # raises on a bad port
    except ValueError:
        return "invalid"
    del port
    if parsed.scheme not in ("https", "http"):
        return "scheme"
    if not parsed.hostname or any(ch.isspace() for ch in text):
        return "invalid"
    return None


def masked_url(url: str) -> str:
    """What may be shown of a webhook URL after it was saved: its scheme and host only."""
    parsed = urlparse(url)
    return f"{parsed.scheme}://{parsed.hostname}/…" if parsed.hostname else ""


def error_text(error: BaseException) -> str:
    """A short description of a delivery failure that never repeats a URL (webhook URLs are secrets)."""
    text = f"{type(error).__name__}: {error}"
    words = ["[url]" if "://" in word else word for word in text.split()]
    return " ".join(words)[:500]


@dataclass(frozen=True)
class DigestItem:
    kind: str
    kind_label: str
    title: str
    body: str
    url: str


@dataclass(frozen=True)
class DigestSection:
    kind_label: str
    items: tuple[DigestItem, ...]


def digest_sections(items: Iterable[DigestItem]) -> list[DigestSection]:
    """The digest's items grouped by kind, kinds in order of first appearance, items in their given order."""
    grouped: dict[str, list[DigestItem]] = {}
    labels: dict[str, str] = {}
    for item in items:
        grouped.setdefault(item.kind, []).append(item)
        labels.setdefault(item.kind, item.kind_label)
    return [DigestSection(kind_label=labels[kind], items=tuple(rows)) for kind, rows in grouped.items()]


def digest_text(sections: Iterable[DigestSection], *, heading: str, base_url: str) -> str:
    """The plain-text body of a digest email."""
    lines = [heading, ""]
    for section in sections:
        lines.append(f"{section.kind_label} ({len(section.items)})")
        lines.append("-" * len(lines[-1]))
        for item in section.items:
            lines.append(f"• {item.title}")
            if item.body:
                lines.append(f"  {item.body}")
            if item.url:
                lines.append(f"  {absolute_url(item.url, base_url)}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def absolute_url(url: str, base_url: str) -> str:
    """``url`` as an absolute address: paths are joined to the workspace's public address."""
    if not url or "://" in url:
        return url
    return base_url.rstrip("/") + "/" + url.lstrip("/")
