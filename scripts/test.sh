#!/usr/bin/env bash
# Installs everything the tests need and runs the whole suite: on SQLite always, then again on
# PostgreSQL with Redis-backed jobs when they are reachable (in CI they must be).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
PG_URL=${TANDEM_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tandem_ci}
REDIS=${TANDEM_TEST_REDIS_URL:-redis://127.0.0.1:6379/0}

step() { printf '\n== %s\n' "$*"; }

step "Python environment (.venv)"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip </dev/null || echo "pip: could not upgrade, using $(.venv/bin/python -m pip --version)"
.venv/bin/python -m pip install --quiet -e '.[test]'

step "Chromium for the browser tests"
if [ ! -x /usr/bin/chromium ]; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo -n"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium </dev/null >/dev/null \
      || { $SUDO apt-get update -q </dev/null >/dev/null && \
           $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium </dev/null >/dev/null; }
  fi
fi
if [ -x /usr/bin/chromium ]; then echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present)"; else
  echo "chromium: not installed (browser tests will be skipped outside CI)"; fi

step "Dovecot for the support-mail tests (a private IMAP server the tests start)"
if [ ! -x /usr/sbin/dovecot ]; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo -n"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q dovecot-imapd </dev/null >/dev/null \
      || { $SUDO apt-get update -q </dev/null >/dev/null && \
           $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q dovecot-imapd </dev/null >/dev/null; }
  fi
fi
if [ -x /usr/sbin/dovecot ]; then echo "dovecot: $(/usr/sbin/dovecot --version 2>/dev/null || echo present)"; else
  echo "dovecot: not installed (support-mail tests will be skipped outside CI)"; fi

step "Lint (ruff)"
.venv/bin/ruff check src tests

step "Types (mypy)"
TANDEM_DATA_DIR=$(mktemp -d) .venv/bin/mypy src

step "Migrations are up to date"
TANDEM_DATA_DIR=$(mktemp -d) .venv/bin/python -m django makemigrations --check --dry-run \
  --settings=tandem.conf.settings >/dev/null || { echo "Missing migrations: run makemigrations"; exit 1; }

# Both runs always happen; the summary at the end names each result and the exit code is non-zero if any failed.
summary() {
  printf '\n== Summary\nSQLite: %s\nPostgreSQL: %s\n' "$sqlite_result" "$pg_result"
  case "$sqlite_result $pg_result" in *failed*) exit 1 ;; esac
  exit 0
}
pg_result="not run"

step "Test suite on SQLite (embedded job queue)"
if env -u DATABASE_URL -u REDIS_URL .venv/bin/pytest -q -n 2 -p no:cacheprovider </dev/null; then
  sqlite_result="passed"
else
  sqlite_result="failed"
fi

step "Test suite on PostgreSQL with Redis-backed jobs"
pg_reachable=$(.venv/bin/python - "$PG_URL" <<'PY'
import sys
from urllib.parse import urlparse
import psycopg
url = urlparse(sys.argv[1])
try:
    psycopg.connect(host=url.hostname, port=url.port or 5432, user=url.username or "postgres",
                    password=url.password or None, dbname="postgres", connect_timeout=3).close()
    print("yes")
except Exception as error:
    print("no")
PY
)
redis_reachable=$(.venv/bin/python -c "
import redis, sys
try:
    redis.Redis.from_url('$REDIS', socket_connect_timeout=3).ping(); print('yes')
except Exception:
    print('no')")
if [ "$pg_reachable" != "yes" ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "PostgreSQL is not reachable at $PG_URL, and CI requires the PostgreSQL run."
    pg_result="failed (not reachable at $PG_URL; required in CI)"; summary
  fi
  echo "PostgreSQL not reachable at $PG_URL: skipping the PostgreSQL run"
  pg_result="skipped (not reachable at $PG_URL)"; summary
fi
redis_note=" + Redis"
if [ "$redis_reachable" != "yes" ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "Redis is not reachable at $REDIS, and CI requires it."
    pg_result="failed (Redis not reachable at $REDIS; required in CI)"; summary
  fi
  echo "Redis not reachable at $REDIS: skipping Redis, the PostgreSQL run uses the embedded job queue."
  REDIS=""; redis_note=" (Redis skipped: not reachable)"
fi
if DATABASE_URL="$PG_URL" REDIS_URL="$REDIS" .venv/bin/pytest -q -n 2 -p no:cacheprovider </dev/null; then
  pg_result="passed$redis_note"
else
  pg_result="failed$redis_note"
fi
summary
