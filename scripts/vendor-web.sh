#!/usr/bin/env bash
# Re-vendor the web UI's browser libraries from npm into src/grimoire/web/static/vendor/.
# Run by hand when upgrading (the files are committed: CI needs no npm). Versions are pinned.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=src/grimoire/web/static/vendor
CYTOSCAPE=3.34.4
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "cytoscape@$CYTOSCAPE" >/dev/null && tar xzf cytoscape-*.tgz)
mkdir -p "$OUT"
cp "$tmp/package/dist/cytoscape.min.js" "$OUT/cytoscape.min.js"
cp "$tmp/package/LICENSE" "$OUT/cytoscape.LICENSE"
{
  echo "# Vendored browser libraries (scripts/vendor-web.sh). Served by Grimoire; no CDN."
  echo "cytoscape $CYTOSCAPE MIT https://www.npmjs.com/package/cytoscape"
  echo "sha256 $(sha256sum "$OUT/cytoscape.min.js" | cut -d' ' -f1) cytoscape.min.js"
} > "$OUT/VERSIONS.txt"
cat "$OUT/VERSIONS.txt"
