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
.venv/bin/python -m pip install --quiet --upgrade pip
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

step "Lint (ruff)"
.venv/bin/ruff check src tests

step "Types (mypy)"
TANDEM_DATA_DIR=$(mktemp -d) .venv/bin/mypy src

step "Migrations are up to date"
TANDEM_DATA_DIR=$(mktemp -d) .venv/bin/python -m django makemigrations --check --dry-run \
  --settings=tandem.conf.settings >/dev/null || { echo "Missing migrations: run makemigrations"; exit 1; }

step "Test suite on SQLite (embedded job queue)"
env -u DATABASE_URL -u REDIS_URL .venv/bin/pytest -q -n 2 -p no:cacheprovider
sqlite_result="passed"

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
    echo "PostgreSQL is not reachable at $PG_URL, and CI requires the PostgreSQL run."; exit 1
  fi
  echo "PostgreSQL not reachable at $PG_URL: skipping the PostgreSQL run."
  printf '\nSummary: SQLite %s; PostgreSQL skipped (not reachable).\n' "$sqlite_result"
  exit 0
fi
if [ "$redis_reachable" != "yes" ]; then
  if [ "${CI:-}" = "true" ]; then echo "Redis is not reachable at $REDIS, and CI requires it."; exit 1; fi
  echo "Redis not reachable at $REDIS: the PostgreSQL run uses the embedded job queue."
  REDIS=""
fi
DATABASE_URL="$PG_URL" REDIS_URL="$REDIS" .venv/bin/pytest -q -n 2 -p no:cacheprovider
printf '\nSummary: SQLite %s; PostgreSQL%s passed.\n' "$sqlite_result" "${REDIS:+ + Redis}"
