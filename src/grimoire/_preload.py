"""The embedding model starts loading as soon as `grimoire search` or `ask` knows it will embed.

Cold start (issue 14): a hybrid search in a new process spends most of its time loading
onnxruntime and the model's session. `Searcher.prepare` starts that load on its worker once the
store is open and the search modules are imported; `start` begins it earlier, on a thread of its
own, from the command line's `--db` alone, so the session is built while those modules import.

The thread is started only for a SQLite file that exists and holds vectors (what
`Searcher._has_vectors` asks the store), so a search that will not embed never waits for a model
load at exit. Whatever fails on the thread is left to the search, which loads the model again
(`MiniLM.warm` loads once, under a lock: the search's own `prepare` waits for this load) and
reports the error.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from grimoire.embed import MiniLM

# Whether any passage or entry has a vector, of any model: `vectors_signature()`'s counts
# (`store/sqlite_search.py`) asked without counting.
_ANY_VECTORS = ("SELECT EXISTS (SELECT 1 FROM passage_vecs) "
                "OR EXISTS (SELECT 1 FROM entry_vecs)")


def has_vectors(db: str) -> bool:
    """True when the SQLite file `db` holds a passage or entry vector; False when it holds
    none, is no SQLite store, or cannot be read. Opened read-only: nothing is created."""
    try:
        conn = sqlite3.connect(f"file:{quote(str(Path(db).absolute()))}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        return bool(conn.execute(_ANY_VECTORS).fetchone()[0])
    except sqlite3.Error:
        return False
    finally:
        conn.close()


def start(db: str, text: str | None = None) -> threading.Thread | None:
    """Start loading the packaged model for a search or an answer over the store `db`, if it
    will embed, and then embedding `text` (the query or question), which the command's own
    embedding of it then finds done (`MiniLM.warm`'s `ahead`).

    numpy, onnxruntime and tokenizers are imported here, on the calling thread: imports hold
    the GIL, so on a thread they would only take turns with the search's own imports, and the
    session (built without the GIL) would start after both. Imported first, the session is
    built while the search imports the rest.

    Returns the thread, or None when `db` is not an existing SQLite file path (a database URL,
    or a store the command will refuse), holds no vectors, or the runtime is not installed.
    The caller chooses only for the packaged model and a mode that embeds.
    """
    if "://" in db or not Path(db).is_file() or not has_vectors(db):
        return None
    try:
        import onnxruntime  # type: ignore[import-untyped]  # noqa: F401
        import tokenizers  # noqa: F401

        from grimoire.embed import default_embedder
    except ImportError:
        return None  # the search says what is missing
    thread = threading.Thread(target=_warm, args=(default_embedder(), text),
                              name="grimoire-preload")
    thread.start()
    return thread


def _warm(model: MiniLM, text: str | None) -> None:
    with contextlib.suppress(Exception):  # the search loads the model again and reports it
        model.warm(once=True, ahead=text)  # the command embeds once and exits
