"""The vectors the two passes of scripts/test.sh share (tests/_vectors_shared.py): what a pass
reads from the other is the model's vector, bit for bit, and a text whose claimer died is
computed by the pass that waits for it. The real model; real processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from grimoire.embed import default_embedder
from tests._vectors_shared import SharedVectors
from tests.conftest import ROOT, seed

OTHER_PASS = """
import sys
from pathlib import Path
from grimoire.embed import MiniLM, default_embedder
from tests._vectors_shared import SharedVectors
texts = Path(sys.argv[2]).read_text(encoding="utf-8").split("\\x00")
model = default_embedder()
lengths = {t: len(r) for t, r in zip(texts, model.tokenize(texts))}
shared = SharedVectors(Path(sys.argv[1]), backwards=True, chunk=int(sys.argv[3]))
shared.vectors(False, texts, lengths, lambda run: MiniLM.embed(model, run), texts)
print(shared.computed)
"""


# Tokens between two claims here (the suite's is CHUNK_TOKENS): a few texts, several claims.
CHUNK = 200


def paragraphs() -> list[str]:
    """40 lines of seed 003 (its definitions, short to long), read at test time."""
    lines = seed("003").read_text(encoding="utf-8").splitlines()
    return list(dict.fromkeys(line.strip() for line in lines if len(line.strip()) >= 40))[:40]


def other_pass(folder: Path, texts: list[str]) -> subprocess.Popen[str]:
    """A process walking `texts` from the longest down, as the PostgreSQL pass does."""
    listed = folder.parent / f"texts-{len(texts)}"
    listed.write_text("\x00".join(texts), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    return subprocess.Popen([sys.executable, "-c", OTHER_PASS, str(folder), str(listed),
                             str(CHUNK)], stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)


@pytest.mark.no_store
def test_vectors_computed_by_the_other_pass_are_the_models(tmp_path: Path) -> None:
    texts = paragraphs()
    model = default_embedder()
    lengths = {t: len(r) for t, r in zip(texts, model.tokenize(texts), strict=True)}
    assert sum(lengths.values()) > 4 * CHUNK  # several claims each
    folder = tmp_path / "vectors"
    folder.mkdir()
    # Half of them computed by another process first (so that this one surely reads some),
    # then the rest by two processes at once: each text computed once, whoever claims it.
    first, _ = other_pass(folder, texts[::2]).communicate(timeout=600)
    assert int(first) == len(texts[::2])
    other = other_pass(folder, texts)
    here = SharedVectors(folder, backwards=False, chunk=CHUNK)
    got = here.vectors(False, texts, lengths, model.embed, texts)
    out, _ = other.communicate(timeout=600)
    assert other.returncode == 0
    assert here.computed + int(out) == len(texts) - len(texts[::2])
    assert here.read == len(texts) - here.computed >= len(texts[::2])
    direct = model.embed(texts)  # in one call, on this process's model
    assert all(np.array_equal(got[t], v) for t, v in zip(texts, direct, strict=True))


@pytest.mark.no_store
def test_a_text_whose_claimer_died_is_computed_by_the_pass_waiting_for_it(
    tmp_path: Path
) -> None:
    texts = paragraphs()[:6]
    model = default_embedder()
    lengths = {t: len(r) for t, r in zip(texts, model.tokenize(texts), strict=True)}
    gone = subprocess.run(["sh", "-c", "echo $$"], capture_output=True, text=True, check=True)
    here = SharedVectors(tmp_path, backwards=False)
    for text in texts:  # claimed by a process that ended before writing a vector
        here._path(False, text, ".claim").write_text(gone.stdout.strip())
    got = here.vectors(False, texts, lengths, model.embed, texts)
    assert (here.computed, here.read) == (len(texts), 0)
    direct = model.embed(texts)
    assert all(np.array_equal(got[t], v) for t, v in zip(texts, direct, strict=True))


@pytest.mark.no_store
def test_two_threads_of_one_pass_compute_a_text_once(tmp_path: Path) -> None:
    # review40a: a claim held only the pid, and a claim of this pid was taken as given up
    # ("an aborted call of its own"): a second thread of the pass (a search's or ask's query
    # embedding running beside the main thread's) unlinked the first thread's claim while it
    # computed, computed the text again, and both wrote one `.part` file, which one renamed
    # away before the other could (FileNotFoundError in a test that embeds nothing wrong).
    import threading

    (text,) = paragraphs()[:1]
    model = default_embedder()
    lengths = {text: len(model.tokenize([text])[0])}
    here = SharedVectors(tmp_path, backwards=False)
    second_done = threading.Event()
    runs: list[str] = []

    def first_run(batch: list[str]) -> object:
        runs.append("first")
        second_done.wait(3)  # the second thread looks while this one computes
        return model.embed(batch)

    def second_run(batch: list[str]) -> object:
        runs.append("second")
        return model.embed(batch)

    got: dict[str, object] = {}
    errors: list[BaseException] = []

    def second() -> None:
        try:
            got.update(SharedVectors(tmp_path, backwards=True).vectors(
                False, [text], lengths, second_run, [text]))
        except BaseException as e:  # shown by the assertion below
            errors.append(e)
        finally:
            second_done.set()

    first = threading.Thread(target=lambda: got.update(
        here.vectors(False, [text], lengths, first_run, [text])))
    first.start()
    while not runs:  # the first thread has claimed the text and is computing it
        first.join(0.01)
    other = threading.Thread(target=second)
    other.start()
    first.join(30)
    other.join(30)
    assert not errors, errors
    assert runs == ["first"]
    assert np.array_equal(got[text], model.embed([text])[0])


@pytest.mark.no_store
def test_a_pass_that_fails_before_computing_its_claims_gives_them_up(tmp_path: Path) -> None:
    # review40a: claims were given up only when the model failed. A read of the folder that
    # failed while a chunk was still filling left its claims behind, in a process that goes
    # on to its next test: the other pass waited for those texts for ever.
    short, long = sorted(paragraphs()[:2], key=len)
    model = default_embedder()
    texts = [short, long]
    lengths = {t: len(r) for t, r in zip(texts, model.tokenize(texts), strict=True)}
    assert lengths[short] < lengths[long]
    here = SharedVectors(tmp_path, backwards=False)
    here._path(False, long, ".vec").mkdir()  # the long text's vector cannot be read
    with pytest.raises(IsADirectoryError):
        here.vectors(False, texts, lengths, model.embed, texts)
    assert not here._path(False, short, ".claim").exists()
    assert list(tmp_path.glob("*.claim")) == []


@pytest.mark.no_store
def test_a_short_last_chunk_runs_with_one_text_of_the_call_not_all_of_them(
    tmp_path: Path
) -> None:
    # Round 40's closing note: a chunk of QUERY_TOKENS tokens or fewer, of a call that was
    # longer, ran with the call's whole list (alone it would run on the query session), so
    # one new short text cost the model every text of the call again.
    from grimoire.embed import QUERY_TOKENS

    texts = paragraphs()
    model = default_embedder()
    lengths = {t: len(r) for t, r in zip(texts, model.tokenize(texts), strict=True)}
    short = min(texts, key=lambda t: lengths[t])
    assert lengths[short] <= QUERY_TOKENS < sum(lengths.values())
    here = SharedVectors(tmp_path, backwards=False)
    direct = model.embed(texts)  # the bulk session's vectors, the call in one piece
    runs: list[list[str]] = []

    def run(batch: list[str]) -> object:
        runs.append(batch)
        return model.embed(batch)

    got = here.vectors(False, [short], lengths, run, texts)  # the rest read from earlier
    (batch,) = runs
    assert batch[0] == short and len(batch) == 2, [lengths[t] for t in batch]
    assert sum(lengths[t] for t in batch) > QUERY_TOKENS  # the bulk session, as the call
    assert np.array_equal(got[short], direct[texts.index(short)])
    assert (here.computed, here.read) == (1, 0)


@pytest.mark.no_store
@pytest.mark.skipif(not Path("/proc/self").is_dir(),
                    reason="a zombie is told apart by its state in /proc (Linux)")
def test_a_claim_of_a_process_that_ended_unreaped_is_given_up(tmp_path: Path) -> None:
    # Round 40's closing note: a claimer that ended but that its parent had not waited for yet
    # (a zombie) still takes signals, so its claims looked alive: the pass waiting for them
    # waited until the parent reaped it. Here the parent is this test, which reaps the child
    # after 60 s whatever happens: a pass that waited for that has failed.
    import threading
    import time

    text = paragraphs()[0]
    model = default_embedder()
    lengths = {text: len(model.tokenize([text])[0])}
    child = subprocess.Popen(["sh", "-c", "exit 0"])
    stat = Path(f"/proc/{child.pid}/stat")
    while stat.read_text().rsplit(")", 1)[1].split()[0] != "Z":  # ended, not reaped
        time.sleep(0.01)
    here = SharedVectors(tmp_path, backwards=False)
    here._path(False, text, ".claim").write_text(f"{child.pid}")
    reap = threading.Timer(60, child.wait)
    reap.start()
    try:
        got = here.vectors(False, [text], lengths, model.embed, [text])
        waited = child.returncode is not None  # reaped by the timer before it returned
    finally:
        reap.cancel()
        child.wait()
    assert not waited
    assert (here.computed, here.read) == (1, 0)
    assert np.array_equal(got[text], model.embed([text])[0])


@pytest.mark.no_store
def test_a_short_batch_goes_past_the_query_session_however_the_call_got_there() -> None:
    # The fewest texts, and a call past QUERY_TOKENS only with its texts repeated (a list of
    # the same short note twice) still runs on the bulk session, as the call did.
    from grimoire.embed import QUERY_TOKENS
    from tests._vectors_shared import bulk_batch

    lengths = {"a": 20, "b": 30, "c": 50, "d": 40}
    assert bulk_batch(["a"], lengths, ["a", "b", "c", "d"]) == ["a", "c"]  # shortest enough
    assert bulk_batch(["c", "d"], lengths, ["a", "b", "c", "d"]) == ["c", "d"]  # past already
    short = {"a": 20, "b": 10}
    call = ["a", "b", "b", "a", "b", "b"]  # 90 tokens, 30 of them distinct
    assert sum(short[t] for t in bulk_batch(["a"], short, call)) > QUERY_TOKENS
    assert bulk_batch(["a"], short, call) == call  # the call as it ran
