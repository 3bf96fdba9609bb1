"""Fetching the support mailbox over IMAP (stdlib ``imaplib``).

Only UIDs above the mailbox's last stored UID are fetched (and all of them again after a UIDVALIDITY change —
the unique Message-ID keeps that duplicate-free). Each batch is stored raw together with the new last UID in one
transaction; only after that commit are the messages marked \\Seen (or moved). An unreachable server is one
clear log line — never a traceback, never the password — and the mailbox is retried with backoff."""

from __future__ import annotations

import contextlib
import datetime
import imaplib
import logging
import re
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.utils import timezone

from tandem.tickets import inbound
from tandem.tickets.mail_models import Mailbox

logger = logging.getLogger("tandem.tickets.mail")

BATCH = 50
TIMEOUT_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600
UID_IN = re.compile(rb"UID (\d+)")
SIZE_IN = re.compile(rb"RFC822\.SIZE (\d+)")


class MailFetchError(Exception):
    """The mailbox could not be read (server down, login refused, folder missing); the message names the
    mailbox without its password."""


@dataclass(frozen=True)
class ImapConfig:
    secure: bool
    host: str
    port: int
    user: str
    password: str = field(repr=False)
    folder: str = "INBOX"

    @property
    def key(self) -> str:
        return f"{self.user}@{self.host}:{self.port}/{self.folder}"

    @property
    def display(self) -> str:
        return f"{'imaps' if self.secure else 'imap'}://{self.key}"


def parse_url(url: str) -> ImapConfig:
    """``imaps://user:password@host:993/INBOX`` (``imap://`` for plain IMAP); user and password URL-encoded."""
    parsed = urlparse(url.strip())
    if parsed.scheme not in ("imap", "imaps") or not parsed.hostname:
        raise MailFetchError("TANDEM_SUPPORT_IMAP_URL must look like imaps://user:password@host:993/INBOX")
    secure = parsed.scheme == "imaps"
    folder = unquote(parsed.path.lstrip("/")) or "INBOX"
    return ImapConfig(secure=secure, host=parsed.hostname, port=parsed.port or (993 if secure else 143),
                      user=unquote(parsed.username or ""), password=unquote(parsed.password or ""), folder=folder)


def configured() -> ImapConfig | None:
    return parse_url(settings.SUPPORT_IMAP_URL) if settings.SUPPORT_IMAP_URL else None


@dataclass
class FetchReport:
    stored: int = 0
    known: int = 0
    oversize: int = 0


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _connect(config: ImapConfig) -> imaplib.IMAP4:
    if config.secure:
        connection: imaplib.IMAP4 = imaplib.IMAP4_SSL(config.host, config.port, timeout=TIMEOUT_SECONDS,
                                                      ssl_context=ssl.create_default_context())
    else:
        connection = imaplib.IMAP4(config.host, config.port, timeout=TIMEOUT_SECONDS)
    connection.login(config.user, config.password)
    return connection


def _check(result: tuple[str, list[Any]], what: str) -> list[Any]:
    status, data = result
    if status != "OK":
        detail = b" ".join(item for item in data if isinstance(item, bytes)).decode("utf-8", "replace")
        raise MailFetchError(f"{what} failed: {detail[:200]}")
    return data


def _error_text(error: BaseException, config: ImapConfig) -> str:
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    if config.password:
        text = text.replace(config.password, "***")
    return " ".join(text.split())[:300]


def _uid_set(uids: list[int]) -> str:
    return ",".join(str(uid) for uid in uids)


def _fetch_sizes(connection: imaplib.IMAP4, uids: list[int]) -> dict[int, int]:
    sizes: dict[int, int] = {}
    for item in _check(connection.uid("FETCH", _uid_set(uids), "(UID RFC822.SIZE)"), "FETCH sizes"):
        line = item[0] if isinstance(item, tuple) else item
        if isinstance(line, bytes):
            uid, size = UID_IN.search(line), SIZE_IN.search(line)
            if uid and size:
                sizes[int(uid[1])] = int(size[1])
    return sizes


def _fetch_bodies(connection: imaplib.IMAP4, uids: list[int], part: str) -> dict[int, bytes]:
    bodies: dict[int, bytes] = {}
    if not uids:
        return bodies
    for item in _check(connection.uid("FETCH", _uid_set(uids), f"(UID BODY.PEEK[{part}])"), "FETCH"):
        if isinstance(item, tuple) and len(item) >= 2 and isinstance(item[0], bytes) and isinstance(item[1], bytes):
            uid = UID_IN.search(item[0])
            if uid:
                bodies[int(uid[1])] = item[1]
    return bodies


def _after_commit(connection: imaplib.IMAP4, uids: list[int], move_to: str) -> None:
    """Mark stored messages \\Seen, or move them; a failure here loses nothing (they are stored)."""
    try:
        if move_to:
            capabilities = {str(item).upper() for item in connection.capabilities}
            if "MOVE" in capabilities:
                _check(connection.uid("MOVE", _uid_set(uids), _quote(move_to)), "MOVE")
                return
            _check(connection.uid("COPY", _uid_set(uids), _quote(move_to)), "COPY")
            _check(connection.uid("STORE", _uid_set(uids), "+FLAGS.SILENT", r"(\Seen \Deleted)"), "STORE")
            connection.expunge()
            return
        _check(connection.uid("STORE", _uid_set(uids), "+FLAGS.SILENT", r"(\Seen)"), "STORE")
    except (imaplib.IMAP4.error, OSError, MailFetchError) as error:
        logger.warning("Support mail stored, but marking it seen failed: %s", " ".join(str(error).split())[:200])


def fetch(config: ImapConfig, *, batch: int = BATCH, now: datetime.datetime | None = None) -> FetchReport:
    """Fetch every new message of the mailbox into the raw-mail table (not processed yet). Raises
    ``MailFetchError`` when the server cannot be reached or refuses; what was stored before that stays."""
    report = FetchReport()
    state = inbound.mailbox_state(key=config.key)
    try:
        connection = _connect(config)
    except (imaplib.IMAP4.error, OSError) as error:
        raise MailFetchError(f"cannot read {config.display}: {_error_text(error, config)}") from None
    try:
        _check(connection.select(_quote(config.folder)), f"SELECT {config.folder}")
        validity_data = connection.response("UIDVALIDITY")[1]
        raw_validity = validity_data[0] if validity_data else None
        uidvalidity = int(raw_validity) if isinstance(raw_validity, (bytes, str)) and raw_validity else None
        last_uid = state.last_uid
        if state.uidvalidity is not None and uidvalidity != state.uidvalidity:
            logger.warning("Support mailbox %s has a new UIDVALIDITY (%s → %s): fetching all of it again; "
                           "known messages are skipped by their Message-ID", config.display, state.uidvalidity,
                           uidvalidity)
            last_uid = 0
        if state.uidvalidity != uidvalidity:
            Mailbox.objects.filter(pk=state.pk).update(uidvalidity=uidvalidity, last_uid=last_uid)
        found = _check(connection.uid("SEARCH", None, f"UID {last_uid + 1}:*"), "SEARCH")  # type: ignore[arg-type]
        text = found[0] if found and isinstance(found[0], bytes) else b""
        uids = sorted(uid for uid in (int(part) for part in text.split()) if uid > last_uid)
        for start in range(0, len(uids), batch):
            chunk = uids[start:start + batch]
            sizes = _fetch_sizes(connection, chunk)
            small = [uid for uid in chunk if sizes.get(uid, 0) <= settings.SUPPORT_MAIL_MAX_BYTES]
            large = [uid for uid in chunk if uid not in small]
            bodies = _fetch_bodies(connection, small, "")
            headers = _fetch_bodies(connection, large, "HEADER")
            messages = [inbound.FetchedMessage(uid=uid, raw=bodies[uid], size=sizes.get(uid, len(bodies[uid])))
                        for uid in small if uid in bodies]
            messages += [inbound.FetchedMessage(uid=uid, raw=headers[uid], size=sizes.get(uid, 0), truncated=True)
                         for uid in large if uid in headers]
            messages.sort(key=lambda item: item.uid or 0)
            stored, known = inbound.store_raw(mailbox=config.key, uidvalidity=uidvalidity, messages=messages,
                                              now=now)  # commits: only then is the server told
            report.stored += stored
            report.known += known
            report.oversize += len(large)
            _after_commit(connection, chunk, settings.SUPPORT_IMAP_MOVE_TO)
        Mailbox.objects.filter(pk=state.pk).update(failures=0, last_error="", next_attempt_at=None,
                                                   last_fetched_at=timezone.now())
    except (imaplib.IMAP4.error, OSError) as error:
        raise MailFetchError(f"reading {config.display} failed: {_error_text(error, config)}") from None
    finally:
        with contextlib.suppress(Exception):  # the connection is gone either way
            connection.logout()
    return report


def record_failure(config: ImapConfig, error: MailFetchError, now: datetime.datetime | None = None) -> Mailbox:
    """Remember the failure and when to try next: 1, 2, 4… minutes, at most an hour."""
    now = now or timezone.now()
    state = inbound.mailbox_state(key=config.key)
    state.failures += 1
    delay = min(60 * 2 ** min(state.failures - 1, 12), BACKOFF_CAP_SECONDS)
    state.next_attempt_at = now + datetime.timedelta(seconds=delay)
    state.last_error = str(error)[:500]
    state.save(update_fields=["failures", "next_attempt_at", "last_error"])
    return state


def fetch_with_retries(config: ImapConfig, *, attempts: int = 3, first_delay: float = 2.0,
                       sleep: Callable[[float], None] = time.sleep) -> FetchReport:
    """``fetch``, retried ``attempts`` times with doubling pauses; one warning line per failed attempt. Raises
    the last ``MailFetchError`` when every attempt failed."""
    delay = first_delay
    for attempt in range(1, attempts + 1):
        try:
            return fetch(config)
        except MailFetchError as error:
            record_failure(config, error)
            logger.warning("Support mail: %s (attempt %d of %d)", error, attempt, attempts)
            if attempt == attempts:
                raise
            sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")


def poll(*, now: datetime.datetime | None = None) -> tuple[FetchReport | None, inbound.ProcessReport]:
    """The periodic job: fetch (unless the mailbox is backing off after failures), then process the queue —
    queued mail is processed even while the server is down."""
    config = configured()
    fetched = None
    if config is not None:
        now = now or timezone.now()
        state = inbound.mailbox_state(key=config.key)
        if state.next_attempt_at is None or state.next_attempt_at <= now:
            try:
                fetched = fetch(config)
            except MailFetchError as error:
                state = record_failure(config, error, now)
                logger.warning("Support mail: %s; next attempt at %s", error,
                               state.next_attempt_at.isoformat() if state.next_attempt_at else "?")
    return fetched, inbound.process_queued()
