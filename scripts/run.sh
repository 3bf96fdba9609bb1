#!/usr/bin/env bash
# Installs Tandem into .venv and runs it with the embedded defaults (SQLite, embedded job queue),
# demo data and printed logins.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then "$PYTHON" -m venv .venv; fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
exec .venv/bin/tandem run "$@"
