"""The ingested files, as the web UI may show them: source text by line, and attachments.

Only files the store knows are read, and an attachment is served only when its real path
(symlinks resolved) lies inside the ingested root of the note that embeds it (RELIABILITY case
23: `[[../../etc/passwd]]`, `%2e%2e/`, absolute paths all end up outside and get a 404).
Reading a note is `grimoire.showing.NoteFiles`, below the faces (the API quotes notes too).
"""

from __future__ import annotations

import threading
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote

from grimoire.knowledge import Grimoire
from grimoire.showing import MAX_SOURCE_BYTES, NoteFiles, SourceText
from grimoire.store import SourceRecord
from grimoire.web.render import safe_url

__all__ = ["IMAGE_TYPES", "MAX_SOURCE_BYTES", "SourceFiles", "SourceText"]

IMAGE_TYPES = {
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".webp": "image/webp", ".avif": "image/avif", ".bmp": "image/bmp", ".svg": "image/svg+xml",
}


class SourceFiles(NoteFiles):
    """Known files (refreshed every few seconds), their text (cached by mtime), and the
    images the notes embed, as this server serves them."""

    def __init__(self, kb: Grimoire, lock: threading.Lock, ttl: float = 5.0) -> None:
        super().__init__(kb.sources, lock, ttl, passages=kb.source_passages)

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
