#!/usr/bin/env bash
# Set up, then read the bundled examples into examples.db (SQLite) and show what was found.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export GRIMOIRE_DB=${GRIMOIRE_DB:-examples.db}
g=.venv/bin/grimoire
$g ingest --wait examples/   # --wait: the vectors too, before it returns
$g stats
$g list
$g show LoRA
$g search "train two small matrices instead of the whole weight update"
