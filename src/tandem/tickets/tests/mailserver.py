"""Real mail servers for the tests: a private Dovecot IMAP server (Debian's dovecot-imapd, own configuration in a
temporary directory, a passwd-file user, plain login on 127.0.0.1, a free port, maildir storage) and an SMTP sink
(aiosmtpd). Import the fixtures into a test module: ``from tandem.tickets.tests.mailserver import dovecot``.

Outside CI a missing Dovecot skips the tests with a message; in CI (CI=true) it fails them — `make test`
(scripts/test.sh) installs it."""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from tandem.core.testing.network import free_port, smtp_sink  # noqa: F401 - a fixture

DOVECOT = "/usr/sbin/dovecot"
USER = "support"
PASSWORD = "S3cret@pw/x"  # URL-encoded in the mailbox URL; the tests check it never reaches a log


def require_dovecot() -> None:
    if Path(DOVECOT).exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{DOVECOT} is missing; CI must install Debian's dovecot-imapd (make test does).")
    pytest.skip(f"{DOVECOT} is not installed (apt-get install dovecot-imapd; `make test` installs it).")


class Dovecot:
    """One private Dovecot instance; ``stop()`` and ``start()`` again keep its mail and port."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="tandem-dovecot-"))
        self.root.chmod(0o755)  # the mail user (dovecot, when we are root) must reach the maildir
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        if os.geteuid() == 0:
            internal, login = pwd.getpwnam("dovecot"), pwd.getpwnam("dovenull")
            mail_user = internal
        else:
            internal = login = mail_user = pwd.getpwuid(os.geteuid())
        for name in ("mail", "home"):
            (self.root / name).mkdir()
            os.chown(self.root / name, mail_user.pw_uid, mail_user.pw_gid)
        (self.root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n", encoding="utf-8")
        (self.root / "dovecot.conf").write_text(f"""
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal.pw_name}
default_internal_group = {grp.getgrgid(internal.pw_gid).gr_name}
default_login_user = {login.pw_name}
first_valid_uid = 0
mail_location = maildir:{self.root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user.pw_uid} gid={mail_user.pw_gid} home={self.root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
""", encoding="utf-8")

    @property
    def url(self) -> str:
        return f"imap://{USER}:{quote(PASSWORD, safe='')}@127.0.0.1:{self.port}/INBOX"

    def start(self) -> None:
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                connection = self.connect()
                connection.logout()
                return
            except (OSError, imaplib.IMAP4.error):
                time.sleep(0.1)
        raise AssertionError(f"dovecot did not start: {self.log()[-2000:]}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # the port answers no more
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                time.sleep(0.1)
            except OSError:
                return

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def connect(self) -> imaplib.IMAP4:
        connection = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        connection.login(USER, PASSWORD)
        return connection

    def append(self, *messages: bytes, folder: str = "INBOX") -> None:
        connection = self.connect()
        try:
            for raw in messages:
                status, data = connection.append(folder, "", None, raw)  # type: ignore[arg-type]
                assert status == "OK", data
        finally:
            connection.logout()

    def unseen(self, folder: str = "INBOX") -> int:
        connection = self.connect()
        try:
            connection.select(folder)
            status, data = connection.uid("SEARCH", None, "UNSEEN")  # type: ignore[arg-type]
            return len(data[0].split()) if data and data[0] else 0
        finally:
            connection.logout()

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def dovecot(settings):
    require_dovecot()
    server = Dovecot()
    server.start()
    settings.SUPPORT_IMAP_URL = server.url
    yield server
    server.cleanup()


