"""Reading inbound support mail (pure: bytes in, a frozen ``ParsedMail`` out; no database).

Lenient by design: a bad charset, a broken MIME structure or an unparsable header never raises — the part is
decoded as well as it can be (UTF-8 with replacement characters) and the problem is noted. Auto-replies and
loops are recognised from their headers; HTML is sanitized with nh3 and a plain-text version is derived."""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from typing import Any

import nh3

from tandem.files.logic import content_matches, safe_file_name, suffix_of

MESSAGE_ID = re.compile(r"<[^<>\s]{1,250}>")
AUTO_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
TRUNCATED_NOTE = "[Shortened: the message had {length} characters; the first {kept} are shown.]"


@dataclass(frozen=True)
class MailAttachment:
    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class ParsedMail:
    message_id: str
    from_address: str
    from_name: str
    subject: str
    in_reply_to: str
    references: tuple[str, ...]
    text: str
    html: str  # sanitized
    attachments: tuple[MailAttachment, ...] = ()
    notes: tuple[str, ...] = ()  # what was shortened, dropped or repaired
    auto_reason: str = ""  # why this is an automatic message ("" for a person's mail)
    has_message_id: bool = True

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """Message-IDs this mail answers, the most specific first."""
        ids = ([self.in_reply_to] if self.in_reply_to else []) + list(reversed(self.references))
        return tuple(dict.fromkeys(ids))


@dataclass(frozen=True)
class Limits:
    max_text: int = 50_000  # characters of the body kept on the ticket
    max_attachment_bytes: int = 25 * 2**20
    max_attachments: int = 20
    allowed_suffixes: frozenset[str] = field(default_factory=frozenset)  # empty: every type
    own_addresses: frozenset[str] = field(default_factory=frozenset)


def stable_message_id(raw: bytes) -> str:
    """The id of a mail without a Message-ID: the same bytes always get the same id."""
    return f"<sha256-{hashlib.sha256(raw).hexdigest()[:40]}@tandem.invalid>"


def _raw_header(message: Message, name: str) -> str:
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            text = str(value)
            try:
                return str(make_header(decode_header(text)))
            except Exception:  # noqa: BLE001 - a header that cannot be decoded is kept as it came
                return text
    return ""


def header(message: Message, name: str) -> str:
    """A header as text; never raises (malformed encoded words fall back to the raw value)."""
    try:
        value = message.get(name)
        return "" if value is None else " ".join(str(value).split())
    except Exception:  # noqa: BLE001 - the policy's parser can choke on broken headers
        return " ".join(_raw_header(message, name).split())


def message_ids(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(MESSAGE_ID.findall(text or "")))


def sanitize_html(markup: str) -> str:
    """Scripts, styles, event handlers and javascript: links removed; links get rel="noopener noreferrer"."""
    return nh3.clean(markup or "")


def html_to_text(markup: str) -> str:
    """Readable text from HTML: block ends become line breaks, tags and scripts go, entities are decoded."""
    text = re.sub(r"(?i)<\s*br\s*/?\s*>", "\n", markup or "")
    text = re.sub(r"(?i)</\s*(p|div|li|tr|h[1-6]|blockquote)\s*>", "\n", text)
    text = nh3.clean(text, tags=set())
    text = html.unescape(text)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _part_text(part: Message) -> tuple[str, str]:
    """A text part's content and a note if it had to be repaired."""
    try:
        content = part.get_content()  # type: ignore[attr-defined]
        if isinstance(content, str):
            return content, ""
    except Exception:  # noqa: BLE001, S110 - unknown charset, bad transfer encoding: decode by hand below
        pass
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        charset = part.get_content_charset() or "utf-8"
        try:
            return payload.decode(charset, "replace"), ""
        except LookupError:
            return payload.decode("utf-8", "replace"), f"Unknown character set {charset[:40]!r}: read as UTF-8."
    raw = part.get_payload()
    return (raw if isinstance(raw, str) else ""), "A part could not be decoded."


def auto_reason(message: Message, from_address: str, own_addresses: frozenset[str]) -> str:
    """Why this mail is automatic (and must not open or reopen a ticket), or ""."""
    auto = header(message, "Auto-Submitted").lower()
    if auto and auto.split(";")[0].strip() != "no":
        return f"Auto-Submitted: {auto[:80]}"
    precedence = header(message, "Precedence").lower().strip()
    if precedence in AUTO_PRECEDENCE:
        return f"Precedence: {precedence}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"):
        if header(message, name):
            return f"{name}: {header(message, name)[:80]}"
    if from_address and from_address in own_addresses:
        return "Sent from our own support address (mail loop)"
    local = from_address.partition("@")[0]
    if local in ("mailer-daemon", "postmaster") or header(message, "Return-Path").strip() == "<>":
        return "Delivery status notification (bounce)"
    if message.get_content_type() == "multipart/report":
        return "Delivery or read report"
    return ""


def _walk(message: Message) -> list[Message]:
    try:
        return list(message.walk())
    except Exception:  # noqa: BLE001 - a broken structure: take the top part only
        return [message]


def parse(raw: bytes, limits: Limits | None = None) -> ParsedMail:
    """Read one RFC 5322 message. Never raises for bad input; what was repaired or dropped is in ``notes``."""
    limits = limits or Limits()
    message: EmailMessage = BytesParser(policy=policy.default).parsebytes(raw)  # type: ignore[assignment]
    notes: list[str] = []
    defects = list(getattr(message, "defects", []))
    if defects:
        notes.append("The message is malformed; it was read as well as possible.")
    name, address = parseaddr(header(message, "From"))
    if not address:
        addresses = getaddresses([_raw_header(message, "From")])
        name, address = addresses[0] if addresses else ("", "")
    address = address.strip().lower()
    found_id = message_ids(header(message, "Message-ID"))
    texts: list[str] = []
    htmls: list[str] = []
    attachments: list[MailAttachment] = []
    for part in _walk(message):
        if part.is_multipart():
            continue
        disposition = (part.get_content_disposition() or "").lower()
        content_type = part.get_content_type()
        filename = ""
        try:
            filename = part.get_filename() or ""
        except Exception:  # noqa: BLE001 - a broken parameter: no name
            filename = ""
        if disposition == "attachment" or filename or not content_type.startswith("text/"):
            data = part.get_payload(decode=True)
            if isinstance(data, bytes) and data:
                attachments.append(MailAttachment(name=filename or "attachment", content_type=content_type,
                                                  data=data))
            continue
        text, note = _part_text(part)
        if note:
            notes.append(note)
        (htmls if content_type == "text/html" else texts).append(text)
    clean_html = sanitize_html("\n".join(htmls)) if htmls else ""
    text = "\n\n".join(item.strip() for item in texts if item.strip()) or html_to_text(clean_html)
    if len(text) > limits.max_text:
        length = len(text)
        kept = max(limits.max_text - 200, 0)
        text = text[:kept].rstrip()
        notes.append(TRUNCATED_NOTE.format(length=length, kept=kept))
    kept_attachments = _keep_attachments(attachments, limits, notes)
    return ParsedMail(
        message_id=found_id[0] if found_id else stable_message_id(raw),
        has_message_id=bool(found_id),
        from_address=address, from_name=" ".join((name or "").split())[:200],
        subject=" ".join(header(message, "Subject").split())[:300],
        in_reply_to=(message_ids(header(message, "In-Reply-To")) or ("",))[0],
        references=message_ids(header(message, "References"))[-50:],
        text=text, html=clean_html, attachments=tuple(kept_attachments), notes=tuple(notes),
        auto_reason=auto_reason(message, address, limits.own_addresses))


def _keep_attachments(attachments: list[MailAttachment], limits: Limits, notes: list[str]) -> list[MailAttachment]:
    kept: list[MailAttachment] = []
    for item in attachments:
        name = safe_file_name(item.name) or "attachment"
        suffix = suffix_of(name)
        if len(item.data) > limits.max_attachment_bytes:
            notes.append(f"Attachment {name} dropped: {len(item.data) // 2**20} MB is over the limit of "
                         f"{limits.max_attachment_bytes // 2**20} MB.")
        elif limits.allowed_suffixes and suffix not in limits.allowed_suffixes:
            notes.append(f"Attachment {name} dropped: files of type {suffix or '(none)'} are not allowed.")
        elif not content_matches(suffix, item.data[:16]):
            notes.append(f"Attachment {name} dropped: its content does not match its extension.")
        elif len(kept) >= limits.max_attachments:
            notes.append(f"Attachment {name} dropped: at most {limits.max_attachments} attachments are kept.")
        else:
            kept.append(MailAttachment(name=name, content_type=item.content_type, data=item.data))
    return kept


def body_with_notes(parsed: ParsedMail, extra: tuple[str, ...] = ()) -> str:
    """The text to put on the ticket: the mail's text, then what was changed on the way in."""
    notes = [*parsed.notes, *extra]
    body = parsed.text.strip()
    if notes:
        body = (body + "\n\n" if body else "") + "\n".join(f"— {note}" for note in notes)
    return body


# Words that make a mail a product-setup or billing question (those notify the account's CSM or AM); anything
# else is a plain question for tier 1 to triage. Kept narrow on purpose: a wrong guess is worse than none.
CATEGORY_WORDS = {
    "product_setup": re.compile(r"\b(set ?up|setting up|configur\w*|onboarding|install\w*|einrichten|einrichtung)\b",
                                re.IGNORECASE),
    "billing": re.compile(r"\b(invoice\w*|billing|bill|payment|refund|rechnung)\b", re.IGNORECASE),
}


def guess_category(subject: str, text: str = "") -> str:
    """The category of a mail from its subject (then its first lines): product_setup, billing or question."""
    for source in (subject, (text or "")[:500]):
        for category, words in CATEGORY_WORDS.items():
            if words.search(source or ""):
                return category
    return "question"


def strip_reply_prefixes(subject: str) -> str:
    return re.sub(r"^(\s*(re|aw|fwd?|wg|sv|vs)\s*(\[\d+\])?\s*:\s*)+", "", subject or "", flags=re.IGNORECASE)


def describe(value: Any) -> str:
    """An exception as one short line (for a failed row's reason)."""
    return f"{type(value).__name__}: {value}"[:500]
