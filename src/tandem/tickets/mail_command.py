"""`tandem mail fetch`: poll the support mailbox once (retrying while the server is down), then process every
queued message. Exit codes: 0 done, 1 the mailbox could not be read (queued mail was still processed), 2 no
mailbox is configured."""

from __future__ import annotations

import sys

from tandem.tickets import imap, inbound


def run(*, retries: int = 3, retry_seconds: float = 2.0, fetch: bool = True, process: bool = True,
        limit: int | None = None) -> int:
    code = 0
    if fetch:
        try:
            config = imap.configured()
        except imap.MailFetchError as error:
            print(f"tandem: {error}", file=sys.stderr, flush=True)
            return 2
        if config is None:
            print("tandem: TANDEM_SUPPORT_IMAP_URL is not set (see docs/support-email.md)", file=sys.stderr,
                  flush=True)
            return 2
        try:
            report = imap.fetch_with_retries(config, attempts=max(retries, 1), first_delay=retry_seconds)
        except imap.MailFetchError as error:
            print(f"tandem: {error} — gave up after {max(retries, 1)} attempts; nothing was lost, the next run "
                  f"continues where this one stopped", file=sys.stderr, flush=True)
            code = 1
        else:
            print(f"Fetched {config.display}: {report.stored} new messages stored, {report.known} already known"
                  + (f", {report.oversize} over the size limit (headers only)" if report.oversize else "") + ".",
                  flush=True)
    if process:
        result = inbound.process_queued(limit=limit)
        print(f"Processed {result.total} messages: {result.processed} into tickets, {result.ignored} ignored "
              f"(automatic or over the rate cap), {result.held} held for review, {result.failed} failed.",
              flush=True)
    return code
