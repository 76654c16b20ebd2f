#!/usr/bin/env bash
# Set up, then run the whole test suite (needs ../shared beside the clone for the real-data tests).
# With arguments, pytest runs them alone (SQLite): `bash scripts/test.sh tests/test_cli.py -x`.
set -euo pipefail
cd "$(dirname "$0")/.."
# With arguments the tests run with the installed packages' own bytecode; the whole run keeps
# its bytecode in a folder of its own (below), so pip need not write any.
if [ $# -gt 0 ]; then bash scripts/setup.sh; else bash scripts/setup.sh --no-compile; fi
.venv/bin/ruff check .
if [ $# -gt 0 ]; then
  .venv/bin/mypy --strict src/grimoire
  exec .venv/bin/pytest -q "$@"
fi
# Python's compiled bytecode, kept for this run alone in a folder made for it (never in the
# clone). With PYTHONDONTWRITEBYTECODE set (as on this machine) every Python process the tests
# start (the CLI children, the killed writers, the MCP server) compiled Grimoire's source again,
# and each pass rewrote every test module's asserts at collection (about 15 s of CPU a pass).
# The SQLite pass's collection writes the test modules' and Grimoire's bytecode, and the
# PostgreSQL pass starts once it is written (tests/conftest.py touches GRIMOIRE_TEST_COLLECTED):
# round 48, instead of a collection run of its own before both passes (25 s of CPU cold, after
# which each pass collected again, 6 s warm). mypy (about 20 s of one core) runs beside it, and
# its verdict is read at the end (a type error fails the run as before, it is only said later).
bytecode=$(mktemp -d)
export PYTHONPYCACHEPREFIX="$bytecode"
unset PYTHONDONTWRITEBYTECODE
types=$(mktemp)
.venv/bin/mypy --strict src/grimoire >"$types" 2>&1 &
mypy_pid=$!
trap 'kill "$mypy_pid" 2>/dev/null || true; rm -f "$types"; rm -rf "$bytecode"' EXIT
# Every test twice, side by side on two cores: each knowledge base a SQLite file, then each on
# PostgreSQL (a server the tests start themselves with pgserver; a database per path a test
# opens). The PostgreSQL pass skips, each with its reason, what the first pass already ran the
# same way: tests marked sqlite_only (the SQLite file itself, a path as --db, another process
# opening that file), and the tests that open no store at all (NO_STORE and the no_store mark
# in tests/conftest.py). tests/store names its engines itself: GRIMOIRE_TEST_SPLIT=1 gives the
# PostgreSQL pass its tests that open a PostgreSQL database and the SQLite pass the rest
# (run alone, the SQLite pass runs them all).
export GRIMOIRE_TEST_SPLIT=1
# Each pass lists its 15 slowest tests (the suite must stay under 15 minutes here).
# Two passes on two cores: each embeds on one thread (a bulk session's second thread would
# contend with the other pass for a core, spinning while it waits).
export GRIMOIRE_EMBED_THREADS=1
# The two passes read the same notes into their stores (the Distill articles, every hf-docs page,
# the cheat sheet): each text's vector is computed by one pass and read by the other, through
# files in a folder made for this run alone (tests/_vectors_shared.py; every store still saves
# and indexes its vectors on its own engine).
vectors=$(mktemp -d)
export GRIMOIRE_TEST_VECTORS="$vectors"
log=$(mktemp)
collected="$bytecode/collected"
echo "== SQLite pass"
GRIMOIRE_TEST_COLLECTED="$collected" .venv/bin/pytest -q --durations=15 &
sqlite_pid=$!
trap 'kill "$sqlite_pid" "$mypy_pid" 2>/dev/null || true; rm -f "$log" "$types"; rm -rf "$vectors" "$bytecode"' EXIT
while [ ! -e "$collected" ] && kill -0 "$sqlite_pid" 2>/dev/null; do sleep 0.2; done
GRIMOIRE_TEST_STORE=postgres .venv/bin/pytest -q -p no:cacheprovider --durations=15 >"$log" 2>&1 &
postgres_pid=$!
trap 'kill "$sqlite_pid" "$postgres_pid" "$mypy_pid" 2>/dev/null || true; rm -f "$log" "$types"; rm -rf "$vectors" "$bytecode"' EXIT
sqlite=0
wait "$sqlite_pid" || sqlite=$?
postgres=0
wait "$postgres_pid" || postgres=$?
echo "== PostgreSQL pass"
cat "$log"
typed=0
wait "$mypy_pid" || typed=$?
echo "== mypy --strict"
cat "$types"
[ "$sqlite" -eq 0 ] && [ "$postgres" -eq 0 ] && [ "$typed" -eq 0 ]
