"""Pure helpers: markdown rendered to sanitized HTML, and e-mail files (.eml) parsed into plain facts."""

from __future__ import annotations

import datetime
import email
import email.policy
import email.utils
import html as html_module
from dataclasses import dataclass
from email.message import EmailMessage

import markdown
import nh3

ALLOWED_TAGS = {"p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li", "a",
                "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "del", "sup", "sub"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def render_markdown(source: str) -> str:
    """Markdown to HTML that is safe to show: only formatting tags survive, no scripts, no event handlers, no
    styles, links only to http(s), mailto and tel, and every link opens without the page's rights."""
    if not source.strip():
        return ""
    html = markdown.markdown(source, extensions=["fenced_code", "tables", "sane_lists", "nl2br"])
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer nofollow").strip()


def html_to_text(html: str) -> str:
    """The text of an HTML e-mail body (tags dropped, entities kept as text)."""
    for tag in ("</p>", "<br>", "<br/>", "<br />", "</div>", "</li>", "</tr>"):
        html = html.replace(tag, tag + "\n").replace(tag.upper(), tag.upper() + "\n")
    text = nh3.clean(html, tags=set())
    lines = [line.rstrip() for line in html_module.unescape(text).splitlines()]
    return "\n".join(lines).strip()


class EmailParseError(ValueError):
    """The bytes are not a readable e-mail message."""


@dataclass(frozen=True)
class ParsedAttachment:
    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class ParsedEmail:
    subject: str
    sender: str  # the address only, lower-case
    recipients: tuple[str, ...]  # To and Cc addresses, lower-case
    sent_at: datetime.datetime | None
    message_id: str
    text: str
    attachments: tuple[ParsedAttachment, ...]

    @property
    def addresses(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(((self.sender,) if self.sender else ()) + self.recipients))


def _addresses(message: EmailMessage, header: str) -> list[str]:
    values = [str(value) for value in message.get_all(header, [])]
    return [address.strip().lower() for _name, address in email.utils.getaddresses(values) if "@" in address]


def parse_email(data: bytes) -> ParsedEmail:
    """The facts of an RFC 5322 message. Raises EmailParseError when it is not one (no From/Date/Subject/To
    header at all, or undecodable structure)."""
    if not data.strip():
        raise EmailParseError("empty")
    try:
        message = email.message_from_bytes(data, policy=email.policy.default)
    except Exception as error:  # the parser is lenient; this is defensive
        raise EmailParseError(str(error)) from error
    if not isinstance(message, EmailMessage) or not any(message.get(name) for name in ("From", "Date", "To",
                                                                                          "Subject")):
        raise EmailParseError("no e-mail headers")
    if message.defects and not message.get("From"):
        raise EmailParseError("; ".join(type(defect).__name__ for defect in message.defects))
    try:
        senders = _addresses(message, "From")
        recipients = _addresses(message, "To") + _addresses(message, "Cc")
        sent_at = None
        if message.get("Date"):
            try:
                sent_at = email.utils.parsedate_to_datetime(str(message["Date"]))
            except (TypeError, ValueError):
                sent_at = None
        if sent_at is not None and sent_at.tzinfo is None:
            sent_at = sent_at.replace(tzinfo=datetime.UTC)
        text = ""
        body = message.get_body(preferencelist=("plain", "html"))
        if body is not None:
            content = body.get_content()
            text = html_to_text(content) if body.get_content_type() == "text/html" else content
        attachments = []
        for part in message.iter_attachments():
            payload = part.get_payload(decode=True)
            if isinstance(part, EmailMessage) and isinstance(payload, bytes) and (
                    part.get_content_maintype() != "multipart"):
                attachments.append(ParsedAttachment(name=part.get_filename() or "attachment",
                                                    content_type=part.get_content_type(), data=payload))
    except (LookupError, ValueError, TypeError, AttributeError, UnicodeError) as error:
        raise EmailParseError(str(error)) from error
    return ParsedEmail(subject=" ".join(str(message.get("Subject", "")).split()), sender=senders[0] if senders else "",
                       recipients=tuple(recipients), sent_at=sent_at,
                       message_id=str(message.get("Message-ID", "")).strip()[:255], text=text.strip(),
                       attachments=tuple(attachments))
