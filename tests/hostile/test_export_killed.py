"""A site export killed at each rename it makes (RELIABILITY 3: "old or new site, never
half"): `grimoire export site --force` runs under strace, which sends SIGKILL to it as it
enters its Nth rename, for N = 1, 2, ... until one run ends by itself. After every kill the
site folder holds the old site or the new one, whole. Real process, real files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import grimoire
from tests.conftest import ingested

# The child writes no bytecode: each module it compiles is written by a rename, and those came
# first (scripts/test.sh writes bytecode; a fresh folder of it, round 55: 13 kills landed on
# them, none on the site's, and the 14th run ended; without them the first kill lands on it).
ENV = {**os.environ, "PYTHONPATH": str(Path(grimoire.__file__).parents[1]),
       "PYTHONDONTWRITEBYTECODE": "1"}
RENAMES = "rename,renameat,renameat2"


def _site(folder: Path) -> str | None:
    """Which version of the notes the site in `folder` shows, or None when there is none."""
    pages = sorted(folder.rglob("*.html")) if folder.is_dir() else []
    text = "".join(p.read_text(encoding="utf-8", errors="replace") for p in pages)
    versions = {v for v in ("quokkaold", "quokkanew") if v in text}
    return versions.pop() if len(versions) == 1 and (folder / "index.html").exists() else None


def _can_trace() -> bool:
    """strace is there and may trace (a container can forbid ptrace)."""
    if shutil.which("strace") is None:
        return False
    probe = subprocess.run(["strace", "-qq", "-o", os.devnull, "true"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(not _can_trace(), reason="needs strace, allowed to trace, to kill at a rename")
@pytest.mark.sqlite_only(reason="the child opens the file by its path")
def test_a_site_export_killed_at_any_rename_leaves_the_old_or_the_new_site(
        tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    note = notes / "dropout.md"
    note.write_text("# Dropout\n\nDropout zeroes random activations, quokkaold.\n")
    db = tmp_path / "kb.db"
    with ingested(db, notes, embed=False) as kb:
        kb.export("site", tmp_path / "pristine")
        note.write_text("# Dropout\n\nDropout zeroes random activations, quokkanew.\n")
        kb.ingest([notes], embed=False)
    assert _site(tmp_path / "pristine") == "quokkaold"
    site = tmp_path / "site"
    for n in range(1, 20):
        shutil.rmtree(site, ignore_errors=True)
        shutil.copytree(tmp_path / "pristine", site)
        run = subprocess.run(
            ["strace", "-f", "-qq", "-o", os.devnull, "-e", f"trace={RENAMES}",
             "-e", f"inject={RENAMES}:signal=KILL:when={n}",
             sys.executable, "-m", "grimoire", "--db", str(db), "export", "site", str(site),
             "--force"], env=ENV, capture_output=True, text=True, timeout=300)
        shown = _site(site)
        assert shown in ("quokkaold", "quokkanew"), (n, run.returncode, run.stderr[-500:],
                                                     sorted(p.name for p in tmp_path.iterdir()))
        if run.returncode == 0:  # its renames are fewer than n: nothing left to kill
            assert shown == "quokkanew", n
            break
    else:
        raise AssertionError("the export was killed at each of 19 renames")
    assert n > 1, "no rename was killed"
