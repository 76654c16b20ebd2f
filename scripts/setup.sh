#!/usr/bin/env bash
# Create .venv and install Grimoire with its test tools. Safe to run again.
# usage: bash scripts/setup.sh [--no-compile]
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in ""|--no-compile) ;; *) echo "usage: bash scripts/setup.sh [--no-compile]" >&2; exit 2;; esac
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
# `--no-compile` (scripts/test.sh): pip writes no bytecode for the installed packages (about 30 s
# of the 50 s install); the test run keeps its bytecode in a folder of its own and never reads it.
.venv/bin/python -m pip install --quiet ${1:+"$1"} -e ".[dev]"
# The web UI's browser tests drive Debian's Chromium (playwright cannot download browsers here);
# fonts-dejavu-extra brings a font with a MATH table, so that Chromium stretches a matrix's
# brackets (the web names it among the math fonts; a browser test measures them).
if { [ ! -x /usr/bin/chromium ] || [ ! -e /usr/share/fonts/truetype/dejavu/DejaVuMathTeXGyre.ttf ]; } \
    && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get install -y chromium fonts-dejavu-extra >/dev/null \
    || { apt-get update >/dev/null && apt-get install -y chromium fonts-dejavu-extra >/dev/null; }
fi
