"""The `tandem` command, run as a real subprocess against a fresh data directory."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

TANDEM = str(Path(sys.executable).with_name("tandem"))
SUBCOMMANDS = ["run", "init", "serve", "worker", "demo", "token", "import", "export", "manage"]


def tandem(tmp_path, *args: str, env: dict[str, str] | None = None, check: bool = False, timeout: int = 180):
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("DATABASE_URL", "REDIS_URL", "TANDEM_DATA_DIR")}
    environment.update({"TANDEM_DATA_DIR": str(tmp_path / "data"), "EMAIL_URL": "locmem://"}, **(env or {}))
    result = subprocess.run([TANDEM, *args], env=environment, capture_output=True, text=True, timeout=timeout,
                            stdin=subprocess.DEVNULL)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_help_lists_every_command_and_each_has_help(tmp_path):
    output = tandem(tmp_path, "--help", check=True).stdout
    assert all(name in output for name in SUBCOMMANDS)
    for name in ("init", "serve", "worker", "demo", "import", "export"):
        assert "usage: tandem " + name in tandem(tmp_path, name, "--help", check=True).stdout


def test_init_creates_an_administrator_and_is_idempotent(tmp_path):
    first = tandem(tmp_path, "init", "--admin-email", "boss@example.test", "--admin-password", "a long Passw0rd!",
                   "--no-input", check=True)
    assert "Administrator boss@example.test created" in first.stdout
    second = tandem(tmp_path, "init", "--no-input", check=True)
    assert "already exists" in second.stdout
    key = tmp_path / "data" / "secret_key"
    assert oct(key.stat().st_mode & 0o777) == "0o600"


def test_init_without_a_password_and_without_a_terminal_fails_with_one_line(tmp_path):
    result = tandem(tmp_path, "init", "--admin-email", "boss@example.test", "--no-input")
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "TANDEM_ADMIN_PASSWORD" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_database_is_one_line_naming_host_and_database_but_not_the_password(tmp_path):
    result = tandem(tmp_path, "init", "--no-input",
                    env={"DATABASE_URL": "postgres://crm:s3cret-pw@127.0.0.1:1/tandem_prod"})
    assert result.returncode == 2
    assert "tandem_prod" in result.stderr and "127.0.0.1:1" in result.stderr
    assert "s3cret-pw" not in result.stderr and "Traceback" not in result.stderr


def test_a_bad_setting_names_the_variable_and_exits_2(tmp_path):
    result = tandem(tmp_path, "init", "--no-input", env={"TANDEM_LOGIN_MAX_FAILURES": "many"})
    assert result.returncode == 2
    assert "TANDEM_LOGIN_MAX_FAILURES" in result.stderr and "Traceback" not in result.stderr


def test_demo_data_is_deterministic_and_not_duplicated(tmp_path):
    tandem(tmp_path, "demo", "--seed", "7", "--password", "demo password 1", check=True)
    again = tandem(tmp_path, "demo", "--seed", "7", "--password", "demo password 1", check=True)
    assert "already loaded" in again.stdout
    names = tandem(tmp_path, "export", "accounts", check=True).stdout
    other = tmp_path / "other"
    tandem(other, "demo", "--seed", "7", "--password", "demo password 1", check=True)
    names_again = tandem(other, "export", "accounts", check=True).stdout
    column = [line.split(",")[1] for line in names.splitlines()[1:]]
    assert len(column) == 60
    assert column == [line.split(",")[1] for line in names_again.splitlines()[1:]]


def test_tokens_are_created_listed_and_revoked(tmp_path):
    tandem(tmp_path, "init", "--admin-email", "boss@example.test", "--admin-password", "a long Passw0rd!",
           "--no-input", check=True)
    created = tandem(tmp_path, "token", "create", "--user", "boss@example.test", "--scopes", "accounts:read",
                     "--expires", "30d", check=True)
    secret = created.stdout.strip()
    assert secret.startswith("tdm_") and "not shown again" in created.stderr
    listing = tandem(tmp_path, "token", "list", check=True).stdout
    assert "active" in listing and secret not in listing
    prefix = listing.split()[1].rstrip("…")
    tandem(tmp_path, "token", "revoke", prefix, check=True)
    assert "revoked" in tandem(tmp_path, "token", "list", check=True).stdout
    assert tandem(tmp_path, "token", "create", "--user", "nobody@example.test", "--scopes", "x").returncode == 1


def test_import_reports_bad_rows_by_line_and_imports_the_rest(tmp_path):
    tandem(tmp_path, "init", "--no-input", "--admin-email", "boss@example.test", "--admin-password",
           "a long Passw0rd!", check=True)
    data = tmp_path / "accounts.csv"
    data.write_text("name;country\nGood AG;DE\nBad AG;Deutschland\n", encoding="utf-8")
    dry = tandem(tmp_path, "import", "accounts", str(data), "--dry-run")
    assert dry.returncode == 1 and "line 3: country" in dry.stderr
    done = tandem(tmp_path, "import", "accounts", str(data), check=False)
    assert "1 created" in done.stdout
    assert "Good AG" in tandem(tmp_path, "export", "accounts", check=True).stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]



def test_serve_runs_web_and_jobs_and_stops_cleanly_on_sigterm(tmp_path):
    tandem(tmp_path, "init", "--no-input", "--admin-email", "boss@example.test", "--admin-password",
           "a long Passw0rd!", check=True)
    port = _free_port()
    environment = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    environment["TANDEM_DATA_DIR"] = str(tmp_path / "data")
    process = subprocess.Popen([TANDEM, "serve", "--port", str(port), "--workers", "1"], env=environment,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        body = ""
        for _attempt in range(60):
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read().decode()
                break
            except OSError:
                time.sleep(0.5)
        assert '"database": {"status": "ok"' in body
        assert urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5).status == 200
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
    assert code == 0
    time.sleep(0.5)
    leftovers = subprocess.run(["pgrep", "-f", f"127.0.0.1:{port}"], capture_output=True, text=True).stdout
    assert leftovers.strip() == ""


def test_serve_refuses_an_uninitialised_database(tmp_path):
    result = tandem(tmp_path, "serve")
    assert result.returncode == 1 and "tandem init" in result.stderr
