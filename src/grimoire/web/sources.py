"""The ingested files, as the web UI may show them: source text by line, and attachments.

Only files the store knows are read, and an attachment is served only when its real path
(symlinks resolved) lies inside the ingested root of the note that embeds it (RELIABILITY case
23: `[[../../etc/passwd]]`, `%2e%2e/`, absolute paths all end up outside and get a 404).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote

from grimoire.errors import ReadError
from grimoire.files import note_text, read_capped, real_inside, root_folder
from grimoire.knowledge import Grimoire
from grimoire.store import SourceRecord
from grimoire.web.render import safe_url

MAX_SOURCE_BYTES = 8 * 1024 * 1024
IMAGE_TYPES = {
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".webp": "image/webp", ".avif": "image/avif", ".bmp": "image/bmp", ".svg": "image/svg+xml",
}


@dataclass(frozen=True, slots=True)
class SourceText:
    """A note's lines, as the file holds them now."""

    path: str
    format: str | None
    lines: tuple[str, ...]


class SourceFiles:
    """Known files (refreshed every few seconds) and their text (cached by mtime)."""

    def __init__(self, kb: Grimoire, lock: threading.Lock, ttl: float = 5.0) -> None:
        self._kb = kb
        self._lock = lock
        self._ttl = ttl
        self._known: dict[str, SourceRecord] = {}
        self._by_name: dict[str, list[str]] = {}
        self._loaded: float | None = None  # never yet (monotonic time may start near 0)
        self._text: dict[str, tuple[float, SourceText]] = {}

    def known(self) -> dict[str, SourceRecord]:
        now = time.monotonic()
        if self._loaded is None or now - self._loaded > self._ttl:
            with self._lock:
                records = self._kb.sources()
            self._known = {r.path: r for r in records}
            by_name: dict[str, list[str]] = {}
            for r in records:
                by_name.setdefault(PurePosixPath(r.path).name.lower(), []).append(r.path)
            self._by_name = by_name
            self._loaded = now
        return self._known

    def text(self, path: str) -> SourceText | None:
        """The lines of a note the store read; None for anything else."""
        record = self.known().get(path)
        if record is None or record.status != "ok":
            return None
        file = real_inside(path, record.root)
        try:
            stat = file.stat() if file is not None else None
        except OSError:
            return None
        if file is None or stat is None:
            return None
        cached = self._text.get(path)
        if cached is not None and cached[0] == stat.st_mtime:
            return cached[1]
        if stat.st_size > MAX_SOURCE_BYTES:
            return SourceText(path, record.format, ("(file too large to show)",))
        try:  # a regular file only, and never past the cap (a FIFO blocks, /dev/zero never ends)
            data = read_capped(file, MAX_SOURCE_BYTES, inside=root_folder(record.root))
        except (OSError, ReadError):
            return None
        lines = tuple(note_text(data, path).split("\n"))
        result = SourceText(path, record.format, lines)
        if len(self._text) > 512:
            self._text.clear()
        self._text[path] = (stat.st_mtime, result)
        return result

    def line(self, path: str, n: int) -> str:
        """Line `n` (1-based) of a note, stripped; empty when out of range or unknown."""
        src = self.text(path)
        if src is None or not 1 <= n <= len(src.lines):
            return ""
        return src.lines[n - 1].strip()

    def attachment(self, path: str) -> Path | None:
        """The real file behind `path` when it is a known file inside its ingested root."""
        record = self.known().get(path)
        if record is None or record.status not in ("ok", "attachment"):
            return None
        real = real_inside(path, record.root)
        return real if real is not None and real.is_file() else None

    def image_url(self, note: str, target: str) -> str | None:
        """A URL this server serves for an image a note embeds; None when it is not ours.

        Remote images are not shown (no request leaves the page); a relative target is looked
        up beside the note, then (as Obsidian does) by file name among the attachments.
        """
        if safe_url(target, images=True) is None or "://" in target or target.startswith(
                ("data:", "//", "mailto:")):
            return None
        name = unquote(target.split("#", 1)[0].split("?", 1)[0]).replace("\\", "/")
        record = self.known().get(note)
        if record is None or not name:
            return None
        candidates = []
        if not name.startswith("/"):
            candidates.append(str(Path(note).parent / name))
        candidates += self._by_name.get(PurePosixPath(name).name.lower(), [])
        for candidate in candidates:
            resolved = str(Path(candidate).resolve()) if Path(candidate).exists() else candidate
            for path in (candidate, resolved):
                if path in self._known and self.attachment(path) is not None \
                        and self._same_root(path, record):
                    return "/file?path=" + quote(path, safe="/")
        return None

    def _same_root(self, path: str, note: SourceRecord) -> bool:
        other = self._known.get(path)
        return other is not None and other.root == note.root
