#!/usr/bin/env bash
# Set up, then run the whole test suite (needs ../shared beside the clone for the real-data tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/mypy --strict src/grimoire
exec .venv/bin/pytest -q "$@"
