"""The name index search matches queries against: kept current by the changed files only, and
always equal to one read from scratch."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rapidfuzz import fuzz

import grimoire
from grimoire.names import normalize
from grimoire.search_names import TYPO_CUTOFF, BackgroundLoad, NameIndex, typo_lengths
from tests.conftest import ingested, write_notes


def _state(index: NameIndex) -> dict[str, Any]:
    # The typo buckets are made on first use (and then kept current): make every one.
    letters = {norm[0] for norm in index._sorted}
    return {"entries": index.entries, "docs": index.docs, "sorted": index._sorted,
            "by_letter": {c: list(index._letter(c)) for c in sorted(letters)},
            # names by their number of words (a prefix query of a length no name has is
            # answered at once): kept by each change as a read from scratch counts them
            "lengths": +index._lengths}


def _fresh(store: Any) -> NameIndex:
    index = NameIndex()
    index.refresh(store)
    return index


@pytest.fixture()
def vault(tmp_path: Path, corpora: Path) -> Path:
    """200 notes of the Google ML glossary vault, copied so a test can edit them."""
    notes = tmp_path / "notes"
    notes.mkdir()
    for path in sorted((corpora / "google-ml-glossary-vault").glob("*.md"))[:200]:
        shutil.copy(path, notes / path.name)
    return notes


def test_follows_saves_deletes_and_renames(tmp_path: Path, vault: Path) -> None:
    with ingested(tmp_path / "kb.db", vault, embed=False) as kb:
        index = _fresh(kb.store)
        assert len(index) > 150
        _state(index)  # its typo buckets exist before the changes, and must follow them
        files = sorted(vault.glob("*.md"))
        gone = files[0]
        gone.unlink()
        files[1].rename(vault / "Renamed Note About Gradients.md")
        text = files[2].read_text(encoding="utf-8")
        files[2].write_text(text.replace("#", "# Freshly Saved Heading\n\n#", 1),
                            encoding="utf-8")
        (vault / "Brand New Term.md").write_text("# Brand New Term\n\nA term saved just now.\n",
                                                 encoding="utf-8")
        kb.ingest([vault], embed=False)
        index.refresh(kb.store)
        assert _state(index) == _state(_fresh(kb.store))
        assert [m.score for m in index.match(normalize("Brand New Term"))] == [1.0]
        assert index.match(normalize("Brand New Trem"))  # a typo of the new name


@pytest.mark.sqlite_only(reason="reads the SQLite store's name log")
def test_a_file_taking_a_removed_files_ids_is_seen(tmp_path: Path) -> None:
    """A file added after the file written last was removed takes its entries' ids (a write
    numbers its rows from the largest id left) and the count comes back: only the log tells
    the names changed. (A file re-saved no longer keeps its ids: round 39 numbers a re-read
    file's rows after the rows it replaces.)"""
    notes = write_notes(tmp_path / "notes", {
        "a.md": "# Attention\n\nWeights the inputs.\n",
        "b.md": "# Gated Unit\n\nA unit with a gate.\n",
    })
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        index = _fresh(kb.store)
        before = kb.store.names_signature()
        position = kb.store.name_log_position()  # type: ignore[attr-defined]
        (notes / "b.md").unlink()
        kb.ingest([notes], embed=False, prune=True)
        (notes / "c.md").write_text("# Gating Mechanism\n\nA unit with a gate.\n")
        kb.ingest([notes], embed=False)
        assert kb.store.names_signature() == before  # what the old index was keyed on
        assert sorted(kb.store.name_log_paths(position)) == [  # type: ignore[attr-defined]
            str((notes / name).resolve()) for name in ("b.md", "c.md")]
        index.refresh(kb.store)
        assert index.match("gating mechanism") and not index.match("gated unit")
        hits = kb.search("Gating Mechanism", mode="lexical", k=1)
        assert hits[0].span.path.endswith("c.md")


@pytest.mark.sqlite_only(reason="the SQLite store's first read of every name")
def test_the_first_read_holds_what_the_changed_files_reads_hold(
    tmp_path: Path, vault: Path
) -> None:
    with ingested(tmp_path / "kb.db", vault, embed=False) as kb:
        store: Any = kb.store
        by_file = {(path, r.norm, r.entry_id, r.document_id)
                   for path, r in store.path_name_rows(None)}
        assert len(by_file) > 150
        assert sorted(store.name_index_rows()) == sorted(by_file)


@pytest.mark.sqlite_only(reason="trims the SQLite store's name log by hand")
def test_reads_everything_again_when_the_log_was_trimmed(tmp_path: Path, vault: Path) -> None:
    with ingested(tmp_path / "kb.db", vault, embed=False) as kb:
        index = _fresh(kb.store)
        first = sorted(vault.glob("*.md"))[3]
        first.write_text("# Trimmed Log Term\n\nSaved while the reader was away.\n")
        kb.ingest([vault], embed=False)
        conn = kb.store.conn  # type: ignore[attr-defined]
        with conn:
            conn.execute("DELETE FROM name_log")  # as if far more saves had happened
        assert kb.store.name_log_paths(0) is None  # type: ignore[attr-defined]
        index.refresh(kb.store)
        assert _state(index) == _state(_fresh(kb.store))
        assert index.match("trimmed log term")


@pytest.mark.no_store
def test_prefixes_of_every_word_among_thousands_sharing_the_first(tmp_path: Path) -> None:
    """`de tr diverge` finds `deep tree divergence` when 3,000 names start with `de`: only
    the first words that fit are looked at, each by bisection, not a window of all names."""
    from grimoire.model import Document, Entry, Span
    from grimoire.store.base import SourceRecord
    from grimoire.store.sqlite import SQLiteStore

    store = SQLiteStore(str(tmp_path / "kb.db"))
    path = "/v/glossary.txt"
    terms = [f"{a} {b}{i}" for i in range(1500) for a, b in (("decoder", "block"),
                                                             ("deep", "stack"))]
    terms += ["Deep Tree Divergence", "Deep Trees"]
    entries = tuple(Entry(term=t, definition=f"About {t}.", span=Span(path, 2 * i + 1, 2 * i + 1))
                    for i, t in enumerate(terms))
    store.replace_source(SourceRecord(path=path, status="ok", format="glossary", sha256="1",
                                      root="/v"),
                         [Document(path=path, format="glossary", title="g", entries=entries)])
    index = _fresh(store)
    assert [m.name for m in index.match("de tr diverge")] == ["deep tree divergence"]
    trees = normalize("Deep Trees")
    assert {m.name for m in index.match("deep tre")} == {trees}
    assert {m.name for m in index.match("dee tre")} == {trees}
    assert [m.name for m in index.match("deep tree divergense")] == ["deep tree divergence"]
    store.close()


@pytest.fixture(scope="module")
def glossaries(tmp_path_factory: pytest.TempPathFactory, corpora: Path) -> Path:
    """A store of two real glossaries (the vault and the term files), without vectors."""
    db = tmp_path_factory.mktemp("glossaries") / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([corpora / "google-ml-glossary-vault", corpora / "ml-glossary-terms"],
                  embed=False)
    return db


def _queries(index: NameIndex) -> list[str]:
    """Names, their halves, each word cut to three letters, one letter dropped (typos),
    the dev set's queries, and short ones that prefix thousands of names."""
    import json
    import random

    rng = random.Random(7)
    out = []
    for name in rng.sample(index._sorted, 250):
        words = name.split()
        out += [name, name[: max(2, len(name) // 2)], " ".join(w[:3] for w in words)]
        if len(name) > 4:
            i = rng.randrange(len(name))
            out.append(name[:i] + name[i + 1 :])
    dev = Path(__file__).resolve().parents[1] / "bench" / "queries" / "dev.jsonl"
    out += [json.loads(line)["query"] for line in dev.read_text(encoding="utf-8").splitlines()]
    return [*out, "a", "ab", "a b", "s", "the", "a neural network", "learning rate", "kl div"]


@pytest.mark.sqlite_only(reason="names are looked up in the store by SQLite's; a PostgreSQL"
                                " server loads the index at its first query")
def test_the_store_looks_names_up_as_the_index_does(glossaries: Path) -> None:
    from grimoire.search import _grams
    from grimoire.search_names import StoreNames

    with grimoire.open(glossaries) as kb:
        index = _fresh(kb.store)
        assert len(index) > 800
        looked_up = StoreNames(kb.store)
        matched = 0
        for query in _queries(index):
            q = normalize(query)
            assert looked_up.match(q) == index.match(q), query
            grams = _grams(q.split())
            assert looked_up.named(grams) == index.named(grams), query
            matched += bool(index.match(q))
        assert matched > 600  # most queries name something: the comparison is not of nothing


@pytest.mark.sqlite_only(reason="names are looked up in the store by SQLite's; a PostgreSQL"
                                " server loads the index at its first query")
def test_a_searchers_first_query_does_not_load_every_name(
    glossaries: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[BackgroundLoad] = []

    def background(reader: Any) -> BackgroundLoad:
        started.append(BackgroundLoad(reader))
        return started[-1]

    monkeypatch.setattr("grimoire.search.BackgroundLoad", background)
    with grimoire.open(glossaries) as kb:
        searcher = kb.searcher
        first = searcher.search("gradient descnet", mode="lexical")
        assert len(searcher._names) == 0 and not started  # looked up in the store
        # The second query starts loading the index on a thread of its own (seconds at 1M
        # passages): it does not wait for it.
        again = searcher.search("gradient descnet", mode="lexical")
        assert len(started) == 1
        assert searcher.names_loaded(timeout=120)
        third = searcher.search("gradient descnet", mode="lexical")
        assert len(searcher._names) > 800  # from the index now
        assert [h.concept for h in first] == [h.concept for h in again]
        assert [h.concept for h in first] == [h.concept for h in third]
        assert first[0].concept.casefold() == "gradient descent"  # a typo of its name


@pytest.mark.sqlite_only(reason="names are looked up in the store by SQLite's; a PostgreSQL"
                                " server loads the index at its first query")
def test_a_query_gets_the_same_hits_before_and_after_the_index_loads(
    glossaries: Path, corpora: Path
) -> None:
    """A searcher's first queries look names up in the store, later ones in the loaded index:
    each query gives the same hits either way, whichever path it takes. Filtered to one
    glossary, an acronym a term states ("PCA" of "Principal Component Analysis (PCA)") was
    expanded to its full name from the index only (the store's lookups knew no document of
    the entry that concept name matched), so the full name was searched and marked in the
    snippets only once the index had loaded (round 28)."""
    import json

    from grimoire.search import Searcher

    dev = Path(__file__).resolve().parents[1] / "bench" / "queries" / "dev.jsonl"
    queries = [json.loads(line)["query"]
               for line in dev.read_text(encoding="utf-8").splitlines() if line]
    with grimoire.open(glossaries) as kb:
        loaded = Searcher(kb.store)
        loaded.search("gradient descent", mode="lexical")
        loaded.load_names()
        assert loaded.names_loaded(timeout=120)
        found = 0
        for source in (None, "google-ml-glossary-vault", "ml-glossary-terms"):
            where = None if source is None else str(corpora / source)
            for query in queries:
                # A new searcher's first query: its names looked up in the store.
                first = Searcher(kb.store).search(query, mode="lexical", source=where)
                later = loaded.search(query, mode="lexical", source=where)
                assert [(h.passage_id, h.entry_id, h.concept, h.snippet) for h in first] == [
                    (h.passage_id, h.entry_id, h.concept, h.snippet) for h in later], (
                    query, source)
                found += bool(first)
        assert len(loaded._names) > 800  # the later queries matched names from the index
        assert found > 150


@pytest.mark.sqlite_only(reason="the index loads on a connection of its own to the SQLite file")
def test_a_database_moved_while_open_still_answers_its_next_queries(
    glossaries: Path, tmp_path: Path
) -> None:
    import sqlite3

    db = tmp_path / "kb.db"
    with sqlite3.connect(glossaries) as source, sqlite3.connect(db) as copy:
        source.backup(copy)
    source.close()
    copy.close()
    with grimoire.open(db) as kb:
        first = [h.concept for h in kb.search("gradient descent", mode="lexical")]
        db.rename(tmp_path / "moved.db")  # no second connection can open it by its name now
        # What this process wrote now would be lost: the next call says so and where to look
        # (it went on answering from the moved file; round 18 made the call an error)
        with pytest.raises(grimoire.StoreError, match=r"no longer there.*open it again"):
            kb.search("gradient descent", mode="lexical")
    with grimoire.open(tmp_path / "moved.db", create=False) as kb:
        for _ in range(2):  # the second query loads the names on a connection of its own
            assert [h.concept for h in kb.search("gradient descent", mode="lexical")] == first


@pytest.mark.sqlite_only(reason="the index loads on a connection of its own to the SQLite file")
def test_the_index_loaded_in_the_background_follows_the_saves_made_meanwhile(
    vault: Path, tmp_path: Path
) -> None:
    with ingested(tmp_path / "kb.db", vault, embed=False) as kb:
        searcher = kb.searcher
        searcher.load_names()  # as a server does when it starts
        first = searcher.search("dropout", mode="lexical")
        assert first and len(searcher._names) == 0  # looked up in the store meanwhile
        # Saved while it loads (or after it read the names): followed through the log.
        (vault / "Zyxwv regularizer.md").write_text(
            "---\naliases: [ZR]\n---\n# Zyxwv regularizer\n\nA made-up penalty.\n",
            encoding="utf-8")
        removed = sorted(vault.glob("*.md"))[0]
        removed.unlink()
        kb.ingest([vault], embed=False)
        assert searcher.names_loaded(timeout=120)
        hits = searcher.search("zyxwv regularizer", mode="lexical")
        assert hits and hits[0].concept == "Zyxwv regularizer"
        assert _state(searcher._names) == _state(_fresh(kb.store))


@pytest.mark.no_store
def test_typo_candidates_are_every_length_a_typo_can_have() -> None:
    # A name is a typo candidate when its length lets fuzz.ratio reach the cutoff at all: the
    # ratio of two runs of one letter is the best any two strings of those lengths get.
    for length in range(1, 81):
        shortest, longest = typo_lengths(length)
        reachable = [n for n in range(1, 2 * length + 2)
                     if fuzz.ratio("a" * length, "a" * n) >= TYPO_CUTOFF]
        assert (shortest, longest) == (reachable[0], reachable[-1]), length


def _term_pages(tmp_path: Path, corpora: Path, *names: str) -> Path:
    """A folder holding these pages of ml-glossary-terms (file names without `.md`)."""
    notes = tmp_path / "notes"
    notes.mkdir()
    for name in names:
        shutil.copy(corpora / "ml-glossary-terms" / "terms" / f"{name}.md", notes)
    return notes


def _both_lookups(kb: grimoire.Grimoire) -> Iterator[bool]:
    """Each way a searcher matches names: looked up in the store (False), then from the
    loaded index (True)."""
    yield False
    kb.searcher.load_names()
    assert kb.searcher.names_loaded(timeout=30)
    yield True


def test_a_name_typed_in_full_is_not_read_as_a_typo_of_a_longer_one(
        tmp_path: Path, corpora: Path) -> None:
    """"supervised learning" is close enough to "self-supervised learning" to pass the typo
    cutoff; counted as a typo, it gave that longer page (more text, the words repeated) the
    first place of a lexical search, above the page of the name typed."""
    notes = _term_pages(tmp_path, corpora, "supervised-learning", "self-supervised-learning",
                        "semi-supervised-learning")
    assert fuzz.ratio("supervised learning", "self supervised learning") >= TYPO_CUTOFF
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        for loaded in _both_lookups(kb):
            for query, first in (("supervised learning", "Supervised learning"),
                                 ("self-supervised learning", "Self-supervised learning"),
                                 ("supervized learning", "Supervised learning")):
                hits = kb.search(query, mode="lexical", k=3)
                assert hits[0].concept == first, (query, loaded, [h.concept for h in hits])


def test_an_acronym_a_term_states_names_its_concept(tmp_path: Path, corpora: Path) -> None:
    """"Convolutional Neural Networks (CNN)" is one name of its entry; "CNN" is among its
    concept's names only (resolve's). Search matched the entry's names alone, so "CNN" found
    R-CNN and Fast R-CNN first, whose own names hold the word."""
    notes = _term_pages(tmp_path, corpora, "convolutional-neural-network-cnn", "r-cnn",
                        "fast-r-cnn", "long-short-term-memory-lstm", "tree-lstm",
                        "bidirectional-lstm")
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        for query, first in (("CNN", "Convolutional Neural Networks (CNN)"),
                             ("LSTM", "Long Short-Term Memory (LSTM)"),
                             ("long short-term memory", "Long Short-Term Memory (LSTM)"),
                             ("R-CNN", "R-CNN")):
            hits = kb.search(query, mode="lexical", k=3)
            assert hits[0].concept == first, (query, [h.concept for h in hits])
        # A filter keeps out what it filters out, a stated name or not.
        assert kb.search("CNN", mode="lexical", source=str(notes / "r-cnn.md"))[0].concept \
            == "R-CNN"


def test_an_entry_named_as_typed_comes_before_a_name_derived_from_another(
        tmp_path: Path, corpora: Path) -> None:
    """"Facet (disambiguation)" and "Facet (visualization tool)" are also named "facet" by
    resolve (without their qualifier), a weaker name than the term "Facet" itself: a search for
    "facet" finds the page of that term first, and the qualified ones after it."""
    notes = _term_pages(tmp_path, corpora, "facet", "facet-plotting", "facets-tool")
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        assert len(kb.store.entries_by_concept_name("facet")) == 3  # the term, and two derived
        concepts = [h.concept for h in kb.search("facet", mode="lexical", k=3)]
        assert concepts[0] == "Facet", concepts
        assert len(concepts) == 3


def test_a_name_written_joined_by_one_collection_finds_it_written_apart_by_another(
        tmp_path: Path, corpora: Path) -> None:
    """A name typed in full is not read as a typo of another name, but the same words joined
    or apart are the same name: "pretrained model" (the Hugging Face glossary) finds Google's
    "pre-trained model" too, and the other way round, from the index as from the store. Since
    round 18 resolve joins the two spellings into one concept, found first either way."""
    notes = tmp_path / "notes"
    notes.mkdir()
    shutil.copy(corpora / "hf-docs" / "transformers" / "glossary.md", notes)
    shutil.copy(corpora / "google-ml-glossary-vault" / "pre-trained model.md", notes)
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        for loaded in _both_lookups(kb):
            for query in ("pretrained model", "pre-trained model"):
                hits = kb.search(query, mode="lexical", k=2)
                assert hits[0].concept == "pretrained model", (
                    query, loaded, [h.concept for h in hits])
        assert {Path(p).name for p in kb.concept("pre-trained model").sources} == {
            "glossary.md", "pre-trained model.md"}


def test_a_name_filtered_out_is_still_read_as_a_typo(tmp_path: Path, corpora: Path) -> None:
    """Typos are skipped only when the entry of the name typed may be a hit: with its page
    filtered out, "supervised learning" is a typo of the two pages left, in the index as in
    the store's lookups."""
    from grimoire.search_names import NameMatcher, NameQueryStore, StoreNames

    notes = _term_pages(tmp_path, corpora, "supervised-learning", "self-supervised-learning",
                        "semi-supervised-learning")
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        index = _fresh(kb.store)
        [typed] = index.entries["supervised learning"]
        others = set(index.docs.values()) - {index.docs[typed]}
        matchers: list[NameMatcher] = [index]
        if isinstance(kb.store, NameQueryStore):
            matchers.append(StoreNames(kb.store))
        for matcher in matchers:
            assert [m.name for m in matcher.match("supervised learning")] \
                == ["supervised learning"]
            assert {m.name for m in matcher.match("supervised learning", others)} \
                == {"self supervised learning", "semi supervised learning"}, matcher


def test_a_typo_counts_for_its_nearest_name_only(tmp_path: Path, corpora: Path) -> None:
    """"recurent neural network" passes the typo cutoff against both "recurrent neural
    network" (ratio 98) and "recursive neural network" (89); both got a typo's bonus, and the
    other signals put Recursive first. Only the nearest spellings count now."""
    notes = _term_pages(tmp_path, corpora, "recurrent-neural-network",
                        "recursive-neural-network")
    assert fuzz.ratio("recurent neural network", "recursive neural network") >= TYPO_CUTOFF
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        for loaded in _both_lookups(kb):
            for query, first in (("recurent neural network", "Recurrent Neural Network"),
                                 ("recursve neural network", "Recursive Neural Network")):
                hits = kb.search(query, mode="lexical", k=2)
                assert hits[0].concept == first, (query, loaded)
                # The other name is still found, by its words.
                assert len(hits) == 2
