"""`tandem bench --mail`: ingest 10,000 queued support mails with worker processes, kill one with SIGKILL mid-run,
restart it, and check that every mail became exactly one ticket message (benchmarks/README.md).

The mails are stored raw first (as `tandem mail fetch` stores them; not timed), then ``--workers`` processes run
`tandem mail fetch --process-only` against the configured database. The clock runs from the workers' start until
the queue is empty. Run it on a scratch database: it leaves its contacts and tickets behind."""

from __future__ import annotations

import json
import os
import platform
import signal
import subprocess
import sys
import time
import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.models import Count

from tandem.access.decide import SYSTEM
from tandem.accounts.models import Account
from tandem.contacts.models import Contact
from tandem.tickets import inbound, services
from tandem.tickets.mail_models import InboundMail
from tandem.tickets.models import TicketMessage

TANDEM = str(Path(sys.executable).with_name("tandem"))


def _raw(sender: str, subject: str, body: str, message_id: str) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, "support@tandem.example", subject
    message["Message-ID"] = message_id
    message.set_content(body)
    return message.as_bytes()


def _prepare(run: str, messages: int, replies_share: float) -> tuple[str, list[str], int]:
    """Contacts, a few tickets to reply to, and the queued raw mail; returns (mailbox, message ids, new)."""
    accounts = [Account.objects.create(name=f"Mail bench {run} {n}") for n in range(50)]
    contacts = Contact.objects.bulk_create([
        Contact(account=accounts[n % len(accounts)], first_name="Person", last_name=f"{n}",
                email=f"person{n}.{run}@bench.example") for n in range(2000)])
    tickets = [services.ticket_create(actor=SYSTEM, subject=f"Earlier question {n}", requester=contacts[n],
                                      channel="email") for n in range(100)]
    mailbox = f"bench:{run}"
    ids: list[str] = []
    batch: list[inbound.FetchedMessage] = []
    replies = int(messages * replies_share)
    for n in range(messages):
        message_id = f"<{uuid.uuid4().hex}@bench.example>"
        ids.append(message_id)
        if n < replies:
            ticket = tickets[n % len(tickets)]
            raw = _raw(f"person{n % 100}.{run}@bench.example", f"Re: {ticket.subject} {ticket.subject_tag}",
                       f"Follow-up number {n}.\n\n> earlier text", message_id)
        else:
            raw = _raw(f"Person {n % 2000} <person{n % 2000}.{run}@bench.example>", f"Question {n}: cannot export",
                       f"Hello,\n\nthe export of report {n} fails with an error.\n\nThanks", message_id)
        batch.append(inbound.FetchedMessage(uid=n + 1, raw=raw, size=len(raw)))
        if len(batch) == 500:
            inbound.store_raw(mailbox=mailbox, uidvalidity=1, messages=batch)
            batch = []
    if batch:
        inbound.store_raw(mailbox=mailbox, uidvalidity=1, messages=batch)
    return mailbox, ids, messages - replies


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([TANDEM, "mail", "fetch", "--process-only"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)


def run(*, messages: int = 10_000, workers: int = 2, kill_after: float = 0.3, replies_share: float = 0.2
        ) -> dict[str, Any]:
    run_id = uuid.uuid4().hex[:8]
    mailbox, ids, new = _prepare(run_id, messages, replies_share)
    queued = InboundMail.objects.filter(mailbox=mailbox)
    env = {**os.environ, "TANDEM_SUPPORT_MAIL_PER_SENDER_HOUR": "1000000"}  # the bench's senders write a lot
    connection.close()
    started = time.perf_counter()
    processes = [_worker(env) for _ in range(workers)]
    killed_at = None
    while any(process.poll() is None for process in processes):
        done = queued.exclude(status="queued").count()
        if killed_at is None and done >= messages * kill_after:
            victim = processes[0]
            os.killpg(victim.pid, signal.SIGKILL)
            victim.wait()
            killed_at = done
            processes[0] = _worker(env)  # restarted
        time.sleep(0.2)
    # a worker that finished before the kill point leaves the rest to a final pass
    if queued.filter(status="queued").exists():
        processes.append(_worker(env))
        processes[-1].wait()
    elapsed = time.perf_counter() - started
    errors = [process.stderr.read().decode("utf-8", "replace")[-500:] for process in processes
              if process.stderr is not None and process.returncode not in (0, None)]
    stored = TicketMessage.objects.filter(message_id__in=ids)
    stored_ids = list(stored.values_list("message_id", flat=True))
    statuses = dict(queued.values("status").annotate(n=Count("id")).values_list("status", "n"))
    return {
        "database": connection.vendor, "messages": messages, "workers": workers, "new_tickets": new,
        "replies": messages - new, "seconds": round(elapsed, 2), "messages_per_second": round(messages / elapsed, 1),
        "killed_after_processed": killed_at, "ticket_messages": len(stored_ids),
        "duplicates": len(stored_ids) - len(set(stored_ids)), "missing": len(set(ids) - set(stored_ids)),
        "statuses": statuses, "worker_errors": [error for error in errors if error.strip()][:3],
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
    }


def report(result: dict[str, Any]) -> str:
    return (f"{result['database']}: {result['messages']:,} queued mails ({result['new_tickets']:,} new tickets, "
            f"{result['replies']:,} replies) with {result['workers']} worker processes, one killed (SIGKILL) after "
            f"{result['killed_after_processed']} and restarted: {result['seconds']} s, "
            f"{result['messages_per_second']} messages/s; ticket messages {result['ticket_messages']:,}, "
            f"duplicates {result['duplicates']}, missing {result['missing']}; rows {result['statuses']}; "
            f"{result['machine']['cpus']} CPUs")


def write(result: dict[str, Any], path: str) -> None:
    Path(path).write_text(json.dumps(result, indent=2), encoding="utf-8")
