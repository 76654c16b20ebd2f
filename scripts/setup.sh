#!/usr/bin/env bash
# Create .venv and install Grimoire with its test tools. Safe to run again.
# usage: bash scripts/setup.sh [--no-compile]
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in ""|--no-compile) ;; *) echo "usage: bash scripts/setup.sh [--no-compile]" >&2; exit 2;; esac
PYTHON=${PYTHON:-python3}
# The venv is made without pip, and the host's pip puts uv in it (`--python`, pip 22.3 or later;
# else the newest pip, or the venv's own ensurepip, and pip installs): ensurepip installed and
# compiled an old pip and setuptools only for the upgrade to replace the pip (5.5 s + 2.3 s of CPU
# -> 0.2 s + 2.0 s, round 49). Nothing here needs setuptools in the venv (the editable install
# builds in an isolated environment of its own), nor did anything import it.
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv --without-pip .venv
fi
# Run again with pyproject.toml and this script as they were, there is nothing to install: a stamp
# says so, and neither uv nor pip is asked (pip's check that everything is satisfied was 9.7 s of
# CPU). A stamp of
# an install with bytecode also stands for `--no-compile`, not the other way round.
stamp=.venv/grimoire-setup
want="$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -d' ' -f1)"
have=$(cat "$stamp" 2>/dev/null || true)
if [ "$have" != "$want ${1:-compiled}" ] && [ "$have" != "$want compiled" ]; then
  rm -f "$stamp"
  # uv installs (round 57): pip fetched the ~100 packages one after another and kept no cache on
  # this machine, 2:10 of a fresh clone's setup at load 15-20 (22 s of CPU: the rest waiting on
  # the network), uv 33 s for the same versions. The host's pip puts uv in the venv; where it
  # cannot, pip installs as before.
  if [ ! -x .venv/bin/uv ]; then
    "$PYTHON" -m pip --python .venv/bin/python install --quiet "uv>=0.5,<1" 2>/dev/null || true
  fi
  if [ -x .venv/bin/uv ]; then
    # `--no-compile` (scripts/test.sh): no bytecode for the installed packages (about 30 s of the
    # install); the test run keeps its bytecode in a folder of its own and never reads it.
    compile=--compile-bytecode
    [ "${1:-}" = --no-compile ] && compile=
    .venv/bin/uv pip install --quiet --python .venv/bin/python $compile -e ".[dev]"
    # uv compiles only when it installs something: a `--no-compile` venv asked for bytecode.
    if [ -n "$compile" ] && [ "$have" = "$want --no-compile" ]; then
      .venv/bin/python -m compileall -q -j0 .venv/lib/python*/site-packages >/dev/null || true
    fi
  else
    if ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
      "$PYTHON" -m pip --python .venv/bin/python install --quiet --upgrade pip 2>/dev/null \
        || .venv/bin/python -m ensurepip --upgrade --default-pip >/dev/null
    fi
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet ${1:+"$1"} -e ".[dev]"
  fi
  echo "$want ${1:-compiled}" >"$stamp"
fi
# The web UI's browser tests drive Debian's Chromium (playwright cannot download browsers here);
# fonts-dejavu-extra brings a font with a MATH table, so that Chromium stretches a matrix's
# brackets (the web names it among the math fonts; a browser test measures them).
if { [ ! -x /usr/bin/chromium ] || [ ! -e /usr/share/fonts/truetype/dejavu/DejaVuMathTeXGyre.ttf ]; } \
    && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get install -y chromium fonts-dejavu-extra >/dev/null \
    || { apt-get update >/dev/null && apt-get install -y chromium fonts-dejavu-extra >/dev/null; }
fi
