"""Nothing acknowledged is lost: a real server (gunicorn, 2 workers) takes batches from two clients while we
`kill -9` one of its workers and later the whole server, then restart it. Every batch a client saw
acknowledged must be stored exactly once; batches cut off mid-flight are resent (as any client library does)
and must not be duplicated either. PostgreSQL only: the SQLite file is not meant for several server processes
being killed under load."""

from __future__ import annotations

import datetime as dt
import http.client
import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import orjson
import pytest
from django.db import connection
from django.utils import timezone

from tandem.core.testing.factories import AccountFactory
from tandem.core.testing.fixtures import bearer_for, reseed_if_flushed
from tandem.core.testing.network import free_port
from tandem.usage.models import Daily, Event

pytestmark = pytest.mark.postgres


def _server(port: int, tmp_path) -> subprocess.Popen[bytes]:
    settings = connection.settings_dict
    url = (f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST'] or '127.0.0.1'}:"
           f"{settings['PORT'] or 5432}/{settings['NAME']}")
    env = {key: value for key, value in os.environ.items() if not key.startswith("TANDEM_")}
    env.update({"DATABASE_URL": url, "TANDEM_DATA_DIR": str(tmp_path), "TANDEM_SECRET_KEY": "crash-test-" * 5})
    return subprocess.Popen([sys.executable, "-m", "gunicorn", "tandem.conf.wsgi:application", "--bind",
                             f"127.0.0.1:{port}", "--workers", "2", "--graceful-timeout", "1"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _wait_up(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection_.request("GET", "/healthz")
            connection_.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not start")


def _workers(master: int) -> list[int]:
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                    if int(handle.read().rsplit(")", 1)[1].split()[1]) == master:
                        children.append(int(entry))
            except OSError:
                continue
    return children


@pytest.mark.skipif(connection.vendor != "postgresql", reason="kills server processes under load: PostgreSQL")
def test_every_acknowledged_event_survives_kill_9_of_a_worker_and_of_the_server_exactly_once(
        transactional_db, tmp_path):
    reseed_if_flushed()
    from tandem.core.testing.factories import UserFactory

    admin = UserFactory(email="crash-admin@example.test", roles=["administrator"])
    headers = {**{"Authorization": bearer_for(admin, ["events:write"])["HTTP_AUTHORIZATION"]},
               "Content-Type": "application/json"}
    accounts = [AccountFactory(name=f"Crash {n}").public_id for n in range(20)]
    port = free_port()
    server = _server(port, tmp_path)
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    batches_per_client = 60

    def client(number: int) -> None:
        now = timezone.now() - dt.timedelta(minutes=5)
        for batch_number in range(batches_per_client):
            ids = [f"c{number}-b{batch_number}-{uuid.uuid4().hex[:8]}-{n}" for n in range(200)]
            body = orjson.dumps({"events": [
                {"message_id": message_id, "account": accounts[n % len(accounts)], "user": f"u{n % 7}",
                 "event": "crash.tested", "timestamp": (now + dt.timedelta(seconds=n)).isoformat()}
                for n, message_id in enumerate(ids)]})
            while not stop.is_set():  # resend until acknowledged, like a client library with retries
                try:
                    link = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
                    link.request("POST", "/api/v1/events/batch", body=body, headers=headers)
                    response = link.getresponse()
                    response.read()
                    link.close()
                except OSError:
                    time.sleep(0.2)
                    continue
                if response.status == 200:
                    with lock:
                        acknowledged.extend(ids)
                    break
                time.sleep(0.2)  # 502/503 while the server restarts

    try:
        _wait_up(port)
        threads = [threading.Thread(target=client, args=(n,)) for n in range(2)]
        for thread in threads:
            thread.start()
        while len(acknowledged) < 2000:
            time.sleep(0.01)
        workers = _workers(server.pid)
        assert workers, "no gunicorn workers found"
        os.kill(workers[0], signal.SIGKILL)  # a worker dies mid-ingestion; gunicorn starts another
        while len(acknowledged) < 8000:
            time.sleep(0.01)
        os.killpg(server.pid, signal.SIGKILL)  # the whole server dies
        server.wait()
        time.sleep(0.5)
        server = _server(port, tmp_path)
        _wait_up(port)
        deadline = time.monotonic() + 240
        for thread in threads:
            thread.join(timeout=max(1, deadline - time.monotonic()))
        assert not any(thread.is_alive() for thread in threads), "clients did not finish"
    finally:
        stop.set()
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()

    assert len(acknowledged) == 2 * batches_per_client * 200
    stored = Event.objects.filter(event="crash.tested").values_list("message_id", flat=True)
    stored_ids = list(stored)
    assert len(stored_ids) == len(set(stored_ids)), "an event was stored twice"
    assert set(acknowledged) <= set(stored_ids), "an acknowledged event was lost"
    assert set(stored_ids) == set(acknowledged)
    assert sum(Daily.objects.filter(event="crash.tested").values_list("events", flat=True)) == len(stored_ids)
