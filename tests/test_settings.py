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
READER = re.compile(r'env_(?:str|bool|int|list|path)\("([A-Z_0-9]+)"')


def test_every_environment_variable_is_documented_and_in_the_example_file():
    names = set(READER.findall(SETTINGS.read_text(encoding="utf-8")))
    assert {"DATABASE_URL", "REDIS_URL", "EMAIL_URL", "TANDEM_SECRET_KEY", "TANDEM_DATA_DIR"} <= names
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


def test_the_production_settings_pass_the_deployment_check(tmp_path):
    result = _django(["check", "--deploy", "--fail-level", "WARNING"], tmp_path, TANDEM_DEBUG="0", TANDEM_HTTPS="1",
                     TANDEM_SECRET_KEY=secrets.token_urlsafe(60), TANDEM_ALLOWED_HOSTS="crm.example.com")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_a_secret_key_is_generated_once_and_reused(tmp_path):
    _django(["check"], tmp_path)
    key_file = tmp_path / "secret_key"
    first = key_file.read_text()
    _django(["check"], tmp_path)
    assert key_file.read_text() == first and len(first) >= 50
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


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
