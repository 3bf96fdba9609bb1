"""A real CalDAV server for the sync tests: Radicale in a subprocess on 127.0.0.1 with a free port, storage in
a temporary directory, htpasswd ("plain") authentication."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

import pytest

from tandem.core.testing.network import free_port


@dataclass(frozen=True)
class Radicale:
    base_url: str
    username: str
    password: str

    @property
    def principal_url(self) -> str:
        return f"{self.base_url}/{self.username}/"


@pytest.fixture
def radicale(tmp_path):
    users = tmp_path / "users"
    users.write_text("carla:calendar-secret\n", encoding="utf-8")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--server-hosts", f"127.0.0.1:{port}",
         "--storage-filesystem-folder", str(tmp_path / "collections"), "--auth-type", "htpasswd",
         "--auth-htpasswd-filename", str(users), "--auth-htpasswd-encryption", "plain", "--logging-level", "error"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(base_url + "/.web/", timeout=1)  # noqa: S310 - loopback test server
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(
                    f"Radicale did not start: {process.stderr.read() if process.stderr else ''}") from None
            time.sleep(0.1)
    yield Radicale(base_url=base_url, username="carla", password="calendar-secret")
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
