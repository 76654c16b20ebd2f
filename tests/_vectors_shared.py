"""The model's vectors shared by the two passes of one run (scripts/test.sh), through files.

The SQLite pass and the PostgreSQL pass run side by side and read the same notes into their
stores: the Distill articles, every hf-docs page and the cheat sheet are embedded in each
(about 80 s of the model's CPU a pass, round 39), often at the same moment. With
GRIMOIRE_TEST_VECTORS naming a folder (made by scripts/test.sh for one run, removed after it),
each text's vector is computed once for the run: a pass claims a text (a file made with
O_EXCL, holding its pid), computes the texts it claimed and writes each vector to a file of its
own; the other pass reads it. The two passes walk a call's texts from opposite ends (by
length), so when they embed the same texts at once each computes about half. A text claimed
by a pass that died before writing it is computed by the one that waits for it.

What a store gets is what the model gives (the file holds the vector the model computed, bit
for bit: the same model file, the same thread count, and the bulk session's vector of a text
does not depend on its batch; round 39), and every store still runs its own embedding code
(units, chunks, hashes, saving and indexing the vectors) on its engine. Keyed as
`_vectors_once` (tests/conftest.py) keys the process's own cache: the text and the session it
ran on (the query session for a call of `QUERY_TOKENS` tokens or fewer, the bulk otherwise).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

# Tokens a pass computes between two claims: about a second of the model on one thread, so
# that two passes embedding one collection at once share it evenly.
CHUNK_TOKENS = 4096


class SharedVectors:
    """Vectors in `folder`, one file a text, filled by whichever pass computes the text first."""

    def __init__(self, folder: Path, backwards: bool, chunk: int = CHUNK_TOKENS) -> None:
        self.folder = folder
        self.chunk = chunk  # tokens computed between two claims
        self.backwards = backwards  # the PostgreSQL pass walks from the longest texts down
        # What this process computed and what it read from the other pass (shown under -s).
        self.computed = self.read = 0

    def _path(self, query: bool, text: str, suffix: str) -> Path:
        key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        return self.folder / f"{'q' if query else 'b'}{key}{suffix}"

    def _load(self, query: bool, text: str) -> Any:
        import numpy as np

        try:
            data = self._path(query, text, ".vec").read_bytes()
        except FileNotFoundError:
            return None
        return np.frombuffer(data, dtype=np.float32).copy()

    def _claim(self, query: bool, text: str) -> bool:
        try:
            fd = os.open(self._path(query, text, ".claim"), os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return False
        # The process and its thread: two threads of one pass (a query embedded on a search's
        # or ask's worker beside the main thread) claim texts too.
        try:
            os.write(fd, f"{os.getpid()} {threading.get_ident()}".encode())
        except BaseException:  # an empty claim is one being written: waited for for ever
            self._path(query, text, ".claim").unlink(missing_ok=True)
            raise
        finally:
            os.close(fd)
        return True

    def _claimer_gone(self, query: bool, text: str) -> bool:
        try:
            pid, *thread = map(int, self._path(query, text, ".claim").read_text().split())
        except (FileNotFoundError, ValueError):
            return False  # written this moment (its pid not yet), or given up and made again
        if pid == os.getpid():
            # Another thread of this process computing it (review40a: taken as given up, the
            # text was computed twice and both wrote one `.part` file), or a thread that died
            # or a call of this thread's own that was cut short.
            return not thread or thread[0] == threading.get_ident() or \
                thread[0] not in {t.ident for t in threading.enumerate()}
        return not alive(pid)

    def _save(self, query: bool, text: str, vector: Any) -> None:
        path = self._path(query, text, ".vec")
        part = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")
        part.write_bytes(vector.astype("float32", copy=False).tobytes())
        part.replace(path)  # whole or absent for the reader

    def vectors(self, query: bool, texts: Sequence[str], lengths: dict[str, int],
                run: Callable[[list[str]], Any], everything: Sequence[str]) -> dict[str, Any]:
        """The vector of each of `texts` (distinct, on session `query`): read from the folder,
        or computed by `run` (the real model) and written there. `everything` is the call's
        whole list, and `lengths` the token count of each of its texts (a chunk too small for
        the bulk session runs with a few of them: `bulk_batch`)."""
        out: dict[str, Any] = {}
        order = sorted(texts, key=lambda t: lengths[t], reverse=self.backwards)
        theirs: list[str] = []
        chunk: list[str] = []
        tokens = 0

        def compute() -> None:
            nonlocal tokens
            batch = list(chunk) if query else bulk_batch(chunk, lengths, everything)
            mine = set(chunk)
            try:
                for text, vector in zip(batch, run(batch), strict=True):
                    if text in mine:
                        self._save(query, text, vector)
                        out[text] = vector.copy()
            except BaseException:
                for text in chunk:  # never computed: the other pass must not wait for them
                    if text not in out:
                        self._path(query, text, ".claim").unlink(missing_ok=True)
                raise
            self.computed += len(chunk)
            chunk.clear()
            tokens = 0

        try:
            for text in order:
                vector = self._load(query, text)
                if vector is not None:
                    out[text] = vector
                    self.read += 1
                elif self._claim(query, text):
                    chunk.append(text)
                    tokens += lengths[text]
                    if tokens >= self.chunk:
                        compute()
                else:
                    theirs.append(text)
            if chunk:
                compute()
            # The other pass's claims: computed there while this pass computed its own.
            waiting = list(theirs)
            while waiting:
                left = []
                for text in waiting:
                    vector = self._load(query, text)
                    if vector is not None:
                        out[text] = vector
                        self.read += 1
                    elif self._claim(query, text):  # given up by the other pass (an error)
                        chunk.append(text)
                    else:
                        if self._claimer_gone(query, text):  # claimed again next round
                            self._path(query, text, ".claim").unlink(missing_ok=True)
                        left.append(text)
                if chunk:
                    compute()
                waiting = left
                if waiting:
                    time.sleep(0.02)
            return out
        except BaseException:
            # Claims not computed yet (a chunk still filling when a read of the folder or a
            # claim failed): the other pass must not wait for them while this one runs on.
            for text in chunk:
                if text not in out:
                    self._path(query, text, ".claim").unlink(missing_ok=True)
            raise


def bulk_batch(batch: Sequence[str], lengths: Mapping[str, int],
               everything: Sequence[str]) -> list[str]:
    """`batch` as the bulk session runs it. `embed` runs a call of `QUERY_TOKENS` tokens or
    fewer on the query session, so a batch that small, of a call that was not, gets the fewest
    other texts of the call that take it past that: the shortest one long enough, else the
    longest ones, else the call's whole list as it ran. The bulk session's vector of a text
    does not depend on its batch (round 39), and the texts added are the model's time alone
    (round 40 added the call's whole list: a last chunk of one short text ran every text of
    the call again)."""
    from grimoire import embed

    need = embed.QUERY_TOKENS + 1 - sum(lengths[t] for t in batch)
    if need <= 0:
        return list(batch)
    mine = set(batch)
    others = sorted({t for t in everything if t not in mine}, key=lambda t: (lengths[t], t))
    enough = next((t for t in others if lengths[t] >= need), None)
    if enough is not None:
        return [*batch, enough]
    added: list[str] = []
    for text in reversed(others):
        added.append(text)
        need -= lengths[text]
        if need <= 0:
            break
    if need > 0:
        # Not enough in its distinct texts: the call as it ran (past QUERY_TOKENS only with
        # its texts repeated, or not at all: then the query session, as the call was).
        return list(everything) or list(batch)
    return [*batch, *added]


def alive(pid: int) -> bool:
    """Process `pid` is running. A process that ended but that its parent has not reaped yet
    (a zombie) still takes signals, so `os.kill(pid, 0)` alone took its claims for live ones
    until the parent waited for it: on Linux its state in /proc says so."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    if not Path("/proc/self").is_dir():  # no /proc: a zombie looks alive until reaped
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return False  # reaped since
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[:1] not in (["Z"], ["X"])


def from_environment(postgres: bool) -> SharedVectors | None:
    folder = os.environ.get("GRIMOIRE_TEST_VECTORS")
    if not folder:
        return None
    with contextlib.suppress(FileExistsError):
        Path(folder).mkdir(parents=True)
    return SharedVectors(Path(folder), backwards=postgres)
