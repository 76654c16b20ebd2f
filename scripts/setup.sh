#!/usr/bin/env bash
# Create .venv and install Grimoire with its test tools. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"
# The web UI's browser tests drive Debian's Chromium (playwright cannot download browsers here);
# fonts-dejavu-extra brings a font with a MATH table, so that Chromium stretches a matrix's
# brackets (the web names it among the math fonts; a browser test measures them).
if { [ ! -x /usr/bin/chromium ] || [ ! -e /usr/share/fonts/truetype/dejavu/DejaVuMathTeXGyre.ttf ]; } \
    && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get install -y chromium fonts-dejavu-extra >/dev/null \
    || { apt-get update >/dev/null && apt-get install -y chromium fonts-dejavu-extra >/dev/null; }
fi
