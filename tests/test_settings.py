"""Configuration: documented completely, production-safe, failing loudly on bad values."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "src" / "tandem" / "conf" / "settings.py"
CLI = ROOT / "src" / "tandem" / "cli.py"
TANDEM = str(Path(sys.executable).with_name("tandem"))
READER = re.compile(r'env_(?:str|bool|int|list|path)\("([A-Z_0-9]+)"')
CLI_READER = re.compile(r'os\.environ(?:\.get\(|\[)"(TANDEM_[A-Z_0-9]+)"')


def test_every_environment_variable_is_documented_and_in_the_example_file():
    names = set(READER.findall(SETTINGS.read_text(encoding="utf-8")))
    assert {"DATABASE_URL", "REDIS_URL", "EMAIL_URL", "TANDEM_SECRET_KEY", "TANDEM_DATA_DIR"} <= names
    cli_names = set(CLI_READER.findall(CLI.read_text(encoding="utf-8")))
    assert {"TANDEM_ADMIN_PASSWORD", "TANDEM_DEMO_PASSWORD"} <= cli_names
    names |= cli_names
    documented = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert sorted(name for name in names if f"`{name}`" not in documented) == []
    assert sorted(name for name in names if f"{name}=" not in example) == []


def _django(args: list[str], tmp_path, **env: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith("TANDEM_") and key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment.update({"TANDEM_DATA_DIR": str(tmp_path), **env})
    return subprocess.run([sys.executable, "-m", "django", *args, "--settings=tandem.conf.settings"],
                          env=environment, capture_output=True, text=True, timeout=120)


def _tandem(args: list[str], tmp_path, **env: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith("TANDEM_") and key not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL")}
    environment.update({"TANDEM_DATA_DIR": str(tmp_path), **env})
    return subprocess.run([TANDEM, *args], env=environment, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


def test_the_production_settings_pass_the_deployment_check(tmp_path):
    result = _tandem(["manage", "check", "--deploy", "--fail-level", "WARNING"], tmp_path, TANDEM_DEBUG="0",
                     TANDEM_HTTPS="1", TANDEM_SECRET_KEY=secrets.token_urlsafe(60),
                     TANDEM_ALLOWED_HOSTS="crm.example.com")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_the_embedded_defaults_are_not_production_ready_and_the_check_says_so(tmp_path):
    result = _tandem(["manage", "check", "--deploy"], tmp_path)
    assert "security.W004" in result.stderr + result.stdout  # no HSTS without TANDEM_HTTPS


def test_a_bad_environment_value_exits_2_naming_the_variable(tmp_path):
    for command in (["manage", "check"], ["init", "--no-input"], ["serve"]):
        result = _tandem(command, tmp_path, TANDEM_LOGIN_MAX_FAILURES="abc")
        assert result.returncode == 2
        assert result.stderr.strip() == (
            "tandem: configuration error: TANDEM_LOGIN_MAX_FAILURES must be an integer, got 'abc'")


def test_an_unreachable_database_exits_2_naming_host_and_database_without_the_password(tmp_path):
    result = _tandem(["init", "--no-input"], tmp_path,
                     DATABASE_URL="postgres://tandem:Very-Secret-Pw@127.0.0.1:1/crm_production")
    assert result.returncode == 2
    line = result.stderr.strip()
    assert line.startswith("tandem: cannot connect to the PostgreSQL database 'crm_production' at 127.0.0.1:1")
    assert "\n" not in line and "Very-Secret-Pw" not in line


def test_a_secret_key_is_generated_once_and_reused(tmp_path):
    _django(["check"], tmp_path)
    key_file = tmp_path / "secret_key"
    first = key_file.read_text()
    _django(["check"], tmp_path)
    assert key_file.read_text() == first and len(first) >= 50
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_processes_starting_together_agree_on_one_generated_secret_key(tmp_path):
    environment = {key: value for key, value in os.environ.items() if not key.startswith("TANDEM_")}
    environment["TANDEM_DATA_DIR"] = str(tmp_path)
    script = ("import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'tandem.conf.settings'; "
              "from django.conf import settings; print(settings.SECRET_KEY)")
    processes = [subprocess.Popen([sys.executable, "-c", script], env=environment, stdout=subprocess.PIPE, text=True)
                 for _ in range(6)]
    keys = {process.communicate(timeout=60)[0].strip() for process in processes}
    assert keys == {(tmp_path / "secret_key").read_text()}
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".secret_key")] == []


def test_secrets_can_come_from_files(tmp_path):
    secret_file = tmp_path / "key.txt"
    secret_file.write_text("x" * 64 + "\n")
    result = _django(["shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)"], tmp_path,
                     TANDEM_SECRET_KEY_FILE=str(secret_file))
    assert result.stdout.strip().splitlines()[-1] == "x" * 64


def test_the_sqlite_database_runs_in_wal_mode(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
