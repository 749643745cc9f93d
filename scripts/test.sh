#!/usr/bin/env bash
# The whole test suite: lint, type check, unit tests, end-to-end tier against the local Discord twin.
# Extra arguments go to pytest (for instance: -m e2e, or -m "not e2e").
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh requirements-dev.txt
.venv/bin/python -m ruff check .
.venv/bin/python -m ruff format --check --quiet .
.venv/bin/python -m mypy
exec .venv/bin/python -m pytest "$@"
