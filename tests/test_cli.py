"""The `tandem` command, run as a real subprocess against a fresh data directory."""

from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from tandem.core.testing.network import free_port

TANDEM = str(Path(sys.executable).with_name("tandem"))
SUBCOMMANDS = ["run", "init", "serve", "worker", "demo", "token", "import", "export", "bench", "manage"]
ADMIN = ("boss@example.test", "a long Passw0rd!")


def _environment(tmp_path: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("DATABASE_URL", "REDIS_URL", "TANDEM_DATA_DIR")}
    environment.update({"TANDEM_DATA_DIR": str(tmp_path / "data"), "EMAIL_URL": "locmem://"}, **(extra or {}))
    return environment


def tandem(tmp_path: Path, *args: str, env: dict[str, str] | None = None, check: bool = False,
           timeout: int = 180) -> subprocess.CompletedProcess:
    result = subprocess.run([TANDEM, *args], env=_environment(tmp_path, env), capture_output=True, text=True,
                            timeout=timeout, stdin=subprocess.DEVNULL)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def python(tmp_path: Path, script: str, timeout: int = 120) -> subprocess.CompletedProcess:
    """Run a Python script with Django set up on the same data directory as the `tandem` calls."""
    prelude = "import django, os\nos.environ['DJANGO_SETTINGS_MODULE'] = 'tandem.conf.settings'\ndjango.setup()\n"
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(script)], env=_environment(tmp_path),
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def initialised_template(tmp_path_factory) -> Path:
    """One `tandem init` for the module; tests copy its data directory instead of migrating again."""
    root = tmp_path_factory.mktemp("initialised")
    tandem(root, "init", "--admin-email", ADMIN[0], "--admin-password", ADMIN[1], "--no-input", check=True)
    return root / "data"


@pytest.fixture
def initialised(initialised_template: Path, tmp_path: Path) -> Path:
    shutil.copytree(initialised_template, tmp_path / "data")
    return tmp_path


def _get(url: str, headers: dict[str, str] | None = None, timeout: float = 5) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - our own local server
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _wait_for_health(port: int, running: Running, seconds: float = 90) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert running.process.poll() is None, running.output
        try:
            status, body = _get(f"http://127.0.0.1:{port}/healthz", timeout=2)
            if status == 200:
                return body
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError("the server did not answer /healthz in time")


class Running:
    """A `tandem` process in the background whose combined output is collected as it is printed."""

    def __init__(self, tmp_path: Path, *args: str) -> None:
        self.process = subprocess.Popen([TANDEM, *args], env=_environment(tmp_path), stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self.reader = threading.Thread(target=lambda: self.lines.extend(self.process.stdout), daemon=True)
        self.reader.start()

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for_output(self, text: str, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while text not in self.output:
            assert self.process.poll() is None and time.monotonic() < deadline, self.output
            time.sleep(0.2)

    def stop(self) -> tuple[int, float]:
        """SIGTERM; the exit code and the seconds it took."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=30)
        seconds = time.monotonic() - started
        self.reader.join(timeout=5)
        return code, seconds


def _children(pid: int) -> list[str]:
    return subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


# --- help and errors ---------------------------------------------------------------------------------------


def test_help_lists_every_command_and_each_has_help(tmp_path):
    output = tandem(tmp_path, "--help", check=True).stdout
    assert all(name in output for name in SUBCOMMANDS)
    for name in SUBCOMMANDS[:-1]:
        assert "usage: tandem " + name in tandem(tmp_path, name, "--help", check=True).stdout
    assert "usage: tandem token create" in tandem(tmp_path, "token", "create", "--help", check=True).stdout


def test_init_without_a_password_and_without_a_terminal_fails_with_one_line(tmp_path):
    result = tandem(tmp_path, "init", "--admin-email", "boss@example.test", "--no-input")
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "TANDEM_ADMIN_PASSWORD" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_database_is_one_line_naming_host_and_database_but_not_the_password(tmp_path):
    for command in (["init", "--no-input"], ["manage", "migrate"]):
        result = tandem(tmp_path, *command, env={"DATABASE_URL": "postgres://crm:s3cret-pw@127.0.0.1:1/tandem_prod"})
        assert result.returncode == 2
        assert result.stderr.strip().count("\n") == 0
        assert "tandem_prod" in result.stderr and "127.0.0.1:1" in result.stderr
        assert "s3cret-pw" not in result.stderr and "Traceback" not in result.stderr


# --- init -----------------------------------------------------------------------------------------------------


def test_init_creates_an_administrator_who_can_log_in_and_a_second_run_changes_nothing(tmp_path):
    first = tandem(tmp_path, "init", "--admin-email", "Boss@Example.test", "--admin-password", ADMIN[1],
                   "--admin-name", "Bo Boss", "--no-input", check=True)
    assert "Administrator Boss@Example.test created" in first.stdout
    assert (tmp_path / "data" / "static" / "staticfiles.json").exists() or any((tmp_path / "data" / "static").iterdir())
    second = tandem(tmp_path, "init", "--no-input", check=True)
    assert "already exists" in second.stdout
    checked = python(tmp_path, f"""
        from tandem.identity.models import User
        admins = User.objects.filter(roles__code="administrator")
        print([(u.email, u.full_name, u.check_password({ADMIN[1]!r})) for u in admins])
    """)
    assert checked.stdout.strip() == "[('boss@example.test', 'Bo Boss', True)]", checked.stderr
    key = tmp_path / "data" / "secret_key"
    assert oct(key.stat().st_mode & 0o777) == "0o600"


def test_init_takes_the_password_from_the_environment(tmp_path):
    tandem(tmp_path, "init", "--admin-email", "env@example.test", "--no-input",
           env={"TANDEM_ADMIN_PASSWORD": "another long Passw0rd"}, check=True)
    checked = python(tmp_path, """
        from tandem.identity.models import User
        print(User.objects.get(email="env@example.test").check_password("another long Passw0rd"))
    """)
    assert checked.stdout.strip() == "True", checked.stderr


# --- demo --------------------------------------------------------------------------------------------------


def test_demo_data_is_deterministic_and_not_duplicated(tmp_path):
    first = tandem(tmp_path, "demo", "--seed", "1", "--password", "demo password 1", check=True)
    assert "ada.admin@demo.tandem" in first.stdout and "demo password 1" in first.stdout
    again = tandem(tmp_path, "demo", "--seed", "1", "--password", "demo password 1", check=True)
    assert "already loaded" in again.stdout
    names = _account_names(tandem(tmp_path, "export", "accounts", check=True).stdout)
    other = tmp_path / "other"
    tandem(other, "demo", "--seed", "1", "--password", "demo password 1", check=True)
    assert len(names) == 60 and len(set(names)) == 60
    assert names == _account_names(tandem(other, "export", "accounts", check=True).stdout)
    assert [name for name in names if name.startswith(("Müller Logistik", "Hanbit Logistik", "Huaxin Logistik"))]


def _account_names(exported: str) -> list[str]:
    """Each account as name, domain, tier, stage, owner and parent: what one seed must reproduce exactly."""
    return sorted(" | ".join((row["name"], row["domain"], row["tier"], row["lifecycle_stage"], row["owner_email"],
                              row["parent_external_id"]))
                  for row in csv.DictReader(io.StringIO(exported)))


# --- tokens --------------------------------------------------------------------------------------------------


ME_SCRIPT = """
    import sys
    from django.test import Client
    response = Client(HTTP_HOST="127.0.0.1").get("/api/v1/me", HTTP_AUTHORIZATION="Bearer " + sys.argv[-1])
    print(response.status_code, response.json().get("email"))
"""


def _me(tmp_path: Path, secret: str) -> str:
    prelude = "import django, os\nos.environ['DJANGO_SETTINGS_MODULE'] = 'tandem.conf.settings'\ndjango.setup()\n"
    result = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(ME_SCRIPT), secret],
                            env=_environment(tmp_path), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_a_created_token_authenticates_until_it_is_revoked(initialised):
    created = tandem(initialised, "token", "create", "--user", ADMIN[0], "--scopes", "accounts:read",
                     "--expires", "30d", check=True)
    secret = created.stdout.strip()
    assert secret.startswith("tdm_") and "not shown again" in created.stderr
    assert _me(initialised, secret) == f"200 {ADMIN[0]}"
    listing = tandem(initialised, "token", "list", "--user", ADMIN[0], check=True).stdout
    assert "active" in listing and secret not in listing
    prefix = listing.split()[1].rstrip("…")
    assert "revoked" in tandem(initialised, "token", "revoke", prefix, check=True).stdout
    assert "revoked" in tandem(initialised, "token", "list", check=True).stdout
    assert _me(initialised, secret).startswith("401 ")


def test_token_commands_for_an_unknown_user_or_token_fail_with_exit_1(initialised):
    for command in (["create", "--user", "nobody@example.test", "--scopes", "accounts:read"],
                    ["list", "--user", "nobody@example.test"], ["revoke", "tdm_nothing"]):
        result = tandem(initialised, "token", *command)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert result.stderr.startswith("tandem: no ")


# --- import ------------------------------------------------------------------------------------------------


def test_import_reports_bad_rows_by_line_and_imports_the_rest(initialised):
    data = initialised / "accounts.csv"
    data.write_text("name;country\nGood AG;DE\nBad AG;Deutschland\n", encoding="utf-8")
    dry = tandem(initialised, "import", "accounts", str(data), "--dry-run")
    assert dry.returncode == 1 and "line 3: country" in dry.stderr
    done = tandem(initialised, "import", "accounts", str(data), check=False)
    assert "1 created" in done.stdout
    assert "Good AG" in tandem(initialised, "export", "accounts", check=True).stdout


# --- serve, worker, run ----------------------------------------------------------------------------------


def test_serve_refuses_an_uninitialised_database(tmp_path):
    result = tandem(tmp_path, "serve")
    assert result.returncode == 1 and "run `tandem init` first" in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_serve_runs_web_and_jobs_and_both_stop_cleanly_on_sigterm(initialised):
    port = free_port()
    running = Running(initialised, "serve", "--port", str(port), "--workers", "1")
    try:
        body = _wait_for_health(port, running)
        assert '"database": {"status": "ok", "vendor": "sqlite"}' in body
        status, page = _get(f"http://127.0.0.1:{port}/login/")
        assert status == 200 and 'name="csrfmiddlewaretoken"' in page
        assert _get(f"http://127.0.0.1:{port}/static/web/tandem.css")[0] == 200
        running.wait_for_output("Huey consumer started")
        children = [int(pid) for pid in _children(running.process.pid)]
        assert len(children) == 2
    finally:
        code, seconds = running.stop()
    assert code == 0, running.output
    assert seconds < 15
    assert f"Tandem is running at http://127.0.0.1:{port}" in running.output
    assert "web server stopped (exit code 0)" in running.output
    assert "job consumer stopped (exit code 0)" in running.output
    assert [pid for pid in children if _alive(pid)] == []


def test_serve_stops_the_job_consumer_and_fails_when_the_web_server_dies(initialised):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run([TANDEM, "serve", "--port", str(port), "--workers", "1"],
                                env=_environment(initialised), capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "web server stopped (exit code 1)" in result.stderr
    assert "tandem: web server exited unexpectedly; stopped the rest" in result.stderr
    assert "job consumer stopped (" in result.stderr


WORKER_SCRIPT = """
    import time
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from tandem.access.decide import SYSTEM
    from tandem.accounts.models import Account
    from tandem.transfer import services
    from tandem.transfer.models import ImportMode, ImportStatus

    def wait_for(job, status):
        for _attempt in range(200):
            job.refresh_from_db()
            if job.status == status:
                return job
            time.sleep(0.1)
        raise SystemExit(f"still {job.status}")

    upload = SimpleUploadedFile("a.csv", "name;country\\nWorker Made GmbH;DE\\n".encode(), content_type="text/csv")
    job = services.import_job_create(actor=SYSTEM, kind="accounts", upload=upload)
    # Both steps hand their work to the queue through tandem.core.jobs.enqueue_after_commit.
    services.import_job_configure(actor=SYSTEM, job=job, mapping=job.mapping, mode=ImportMode.VALID_ROWS,
                                  remember=False)
    job = wait_for(job, ImportStatus.VALIDATED)
    services.import_job_start(actor=SYSTEM, job=job)
    wait_for(job, ImportStatus.DONE)
    print(list(Account.objects.values_list("name", flat=True)))
    print(Client(HTTP_HOST="127.0.0.1").get("/healthz").json()["checks"]["jobs"]["consumer"])
"""


def test_a_worker_runs_the_jobs_that_services_enqueue(initialised):
    running = Running(initialised, "worker", "--workers", "1")
    try:
        result = python(initialised, WORKER_SCRIPT)
    finally:
        code, seconds = running.stop()
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == ["['Worker Made GmbH']", "ok"]
    assert code == 0 and seconds < 15, running.output
    assert "job consumer stopped (exit code 0)" in running.output


def test_run_sets_up_demo_data_once_and_prints_the_same_logins_every_time(tmp_path):
    outputs = []
    for _attempt in range(2):
        port = free_port()
        running = Running(tmp_path, "run", "--port", str(port), "--workers", "1")
        try:
            _wait_for_health(port, running, seconds=240)
        finally:
            code, _seconds = running.stop()
        assert code == 0, running.output
        outputs.append(running.output)
    credentials = tmp_path / "data" / "demo-credentials.txt"
    password = credentials.read_text().strip()
    assert oct(credentials.stat().st_mode & 0o777) == "0o600"
    assert "Loading demo data" in outputs[0] and "Loading demo data" not in outputs[1]
    for output in outputs:
        assert "and log in as ada.admin@demo.tandem / " + password in output
        assert "cara.csm@demo.tandem" in output
    counted = python(tmp_path, """
        from tandem.accounts.models import Account
        from tandem.identity.models import User
        print(Account.objects.count(), User.objects.filter(email__endswith="@demo.tandem").count())
    """)
    assert counted.stdout.strip() == "60 15", counted.stderr


def test_run_adds_no_demo_users_to_a_database_with_its_own_users(initialised):
    port = free_port()
    running = Running(initialised, "run", "--port", str(port), "--workers", "1")
    try:
        _wait_for_health(port, running)
    finally:
        code, _seconds = running.stop()
    assert code == 0, running.output
    assert "no demo data is added" in running.output
    assert not (initialised / "data" / "demo-credentials.txt").exists()
