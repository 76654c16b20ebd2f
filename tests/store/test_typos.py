"""Typo tolerance of the lexical side, on both engines (round 41): a query word that no
passage holds is searched as the nearest word the index holds. Before it, `grimoire search
"gausian splating" --mode lexical` said "no results" on notes all about Gaussian splatting,
and a hybrid search of it, before the vectors were made, listed unrelated pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire.ingest import ingest
from grimoire.search import SECOND_LETTER, Searcher
from grimoire.store import Store

NOTES = {
    "splatting.md": "# Scene rendering\n\nGaussian splatting draws a scene as many small "
                    "Gaussian blobs, splatted onto the image plane in depth order.\n",
    "svm.md": "# Margins\n\nThe kernel trick lets a linear separator work in a space of "
              "features it never computes.\n",
    "marching.md": "# Surfaces\n\nMarching cubes extracts a mesh from a voxel grid.\n",
    "pooling.md": "# Pooling code\n\nThe window is called kernal in this old snippet.\n",
}


def _ingested(store: Store, tmp_path: Path) -> Searcher:
    folder = tmp_path / "notes"
    folder.mkdir()
    for name, text in NOTES.items():
        (folder / name).write_text(text, encoding="utf-8")
    ingest(store, [folder], workers=1)
    return Searcher(store)


def test_a_misspelt_query_finds_the_note_in_lexical_mode(store: Store, tmp_path: Path) -> None:
    searcher = _ingested(store, tmp_path)
    hits = searcher.search("gausian splating", mode="lexical")
    assert hits and hits[0].span.path.endswith("splatting.md")
    assert searcher.searched_for("gausian splating") == "gaussian splatting"
    assert "«" in hits[0].snippet  # the corrected words are marked


def test_a_transposed_letter_and_a_missing_one(store: Store, tmp_path: Path) -> None:
    searcher = _ingested(store, tmp_path)
    hits = searcher.search("kernel trikc", mode="lexical")
    assert hits and hits[0].span.path.endswith("svm.md")
    assert searcher.searched_for("kernel trikc") == "kernel trick"
    assert searcher.searched_for("marchng cubes") == "marching cubes"


def test_a_word_the_notes_hold_is_searched_as_typed(store: Store, tmp_path: Path) -> None:
    searcher = _ingested(store, tmp_path)
    assert searcher.searched_for("kernal") is None  # the pooling note spells it so
    assert searcher.searched_for("gaussian splatting") is None
    # Too far from every word of the notes: nothing is put in its place.
    assert searcher.searched_for("qwzx vvbnm") is None
    assert searcher.search("qwzx vvbnm", mode="lexical") == []


def test_the_vocabulary_is_read_by_prefix(store: Store, tmp_path: Path) -> None:
    _ingested(store, tmp_path)
    terms = store.index_terms("ga")
    assert terms and all(t.startswith("ga") for t, _ in terms)
    assert dict(terms)["gaussian"] == 1  # in one passage
    assert store.index_terms("zq") == []
    stems = store.index_stems(["splatting", "gausian"])
    assert stems["gausian"] == "gausian"
    assert stems["splatting"] in {t for t, _ in store.index_terms("spl")}
    # Many ranges read at once (a second-letter typo's 52) are the ranges one by one.
    prefixes = ["spl", "ga", "zq", "", "g", "gaus", *(f"g{c}u" for c in SECOND_LETTER)]
    assert store.index_term_ranges(prefixes) == [store.index_terms(p) for p in prefixes]
    # Ranges and counts read once are kept until the store changes (SQLite keeps them per
    # connection, and serves a narrower range from a wider one read before): a word written
    # since is in the next read, with its passages counted again.
    wide = store.index_terms("g")
    narrow = [(t, n) for t, n in wide if t.startswith("ga")]
    assert store.index_terms("ga") == narrow and store.index_terms("gau") == [
        (t, n) for t, n in narrow if t.startswith("gau")]
    assert not [t for t, _ in wide if t.startswith("galax")]
    assert store.term_counts(["gaussian", "blobs"], 5) == {"gaussian": 1, "blobs": 1}
    more = tmp_path / "more"
    more.mkdir()
    (more / "sky.md").write_text("# Sky\n\nA galaxy of gaussian stars.\n", encoding="utf-8")
    ingest(store, [more], workers=1)
    after = store.index_terms("ga")
    assert dict(after)["gaussian"] == 2 and [t for t, _ in after if t.startswith("galax")]
    assert store.index_term_ranges(["gal", "g"]) == [
        [(t, n) for t, n in after if t.startswith("gal")], store.index_terms("g")]
    assert dict(store.index_terms("g"))["gaussian"] == 2
    assert store.term_counts(["gaussian"], 1) == {"gaussian": 1}
    assert store.term_counts(["gaussian", "galaxy"], 5) == {"gaussian": 2, "galaxy": 1}
    assert store.term_counts(["gaussian"], 2) == {"gaussian": 2}


def test_hybrid_before_any_vector_finds_it_too(store: Store, tmp_path: Path) -> None:
    """Right after an ingest, before the embedding ran, hybrid is the lexical side alone: it
    listed unrelated pages for the misspelt query and put Marching Cubes first."""
    searcher = _ingested(store, tmp_path)
    hits = searcher.search("gausian splating", mode="hybrid")
    assert hits and hits[0].span.path.endswith("splatting.md")


def test_a_word_only_a_name_holds_is_no_typo(store: Store, tmp_path: Path) -> None:
    """A note that is only a title (no passage: front matter, nothing under it) still holds
    its word: "maxout" was searched as "mahout" of another note, and the notice said so, on
    the collection's glossary page of Maxout (review41c)."""
    folder = tmp_path / "names"
    folder.mkdir()
    (folder / "maxout.md").write_text("---\ntitle: Maxout\n---\n", encoding="utf-8")
    (folder / "libraries.md").write_text(
        "# Libraries\n\nApache Mahout runs machine learning jobs on a cluster.\n",
        encoding="utf-8")
    ingest(store, [folder], workers=1)
    searcher = Searcher(store)
    assert store.term_counts(["maxout"], 1) == {"maxout": 0}  # in no passage
    hits = searcher.search("maxout", mode="lexical")
    assert searcher.searched_for("maxout") is None
    assert hits and hits[0].span.path.endswith("maxout.md")


def test_a_word_added_after_a_typo_query_is_found(store: Store, tmp_path: Path) -> None:
    """The corrections are kept per state of the store: a note written after the first
    query makes its word a word of the notes, no longer a typo."""
    searcher = _ingested(store, tmp_path)
    assert searcher.searched_for("gausian splating") == "gaussian splatting"
    more = tmp_path / "more"
    more.mkdir()
    (more / "old.md").write_text("# Spelling\n\nOld papers spelt it gausian splating.\n",
                                 encoding="utf-8")
    ingest(store, [more], workers=1)
    assert searcher.searched_for("gausian splating") is None
    hits = searcher.search("gausian splating", mode="lexical")
    assert hits and hits[0].span.path.endswith("old.md")


@pytest.mark.sqlite_only(reason="SQLite's page limit stands in for a full disk")
def test_a_typo_query_after_the_connection_was_opened_again(tmp_path: Path) -> None:
    """A write that fails for want of room opens the store's connection again
    (`SQLiteStore._after_no_room`); its temp fts5vocab table went with the old one, while the
    store still took it as made: every typo query after it failed, "no such table" (review41c).
    SQLite's `max_page_count` fills the file the way a full disk does."""
    import grimoire
    from grimoire.errors import StoreError

    folder = tmp_path / "notes"
    folder.mkdir()
    for name, text in NOTES.items():
        (folder / name).write_text(text, encoding="utf-8")
    more = tmp_path / "more"
    more.mkdir()
    for n in range(200):
        (more / f"n{n}.md").write_text(f"# Term {n}\n\n" + f"filler{n} words " * 200)
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([folder], embed=False)
        assert kb.searcher.searched_for("gausian splating", "lexical") == "gaussian splatting"
        pages = kb.store.conn.execute("PRAGMA page_count").fetchone()[0]
        kb.store.conn.execute(f"PRAGMA max_page_count = {pages + 20}")
        with pytest.raises(StoreError, match="the disk is full"):
            kb.ingest([more], embed=False)
        hits = kb.search("gausian splating", mode="lexical")
        assert hits and hits[0].span.path.endswith("splatting.md")
        assert kb.search_notice("gausian splating", hits, "lexical") is not None


def test_a_stem_the_stemmer_would_cut_again_finds_its_words(store: Store, tmp_path: Path) -> None:
    """"causes" is filed as "caus", and Porter makes "cau" of "caus": the passages holding the
    term were looked up by the term stemmed again, found none, and the stem itself was shown
    and searched ("showing results for caus", no hit) (review41c)."""
    folder = tmp_path / "causes"
    folder.mkdir()
    (folder / "graph.md").write_text("# Graphs\n\nA graph of the causes.\n", encoding="utf-8")
    ingest(store, [folder], workers=1)
    searcher = Searcher(store)
    hits = searcher.search("causs", mode="lexical")
    assert searcher.searched_for("causs") == "causes"
    assert hits and hits[0].span.path.endswith("graph.md")


def test_a_typo_in_the_first_or_second_letter(store: Store, tmp_path: Path) -> None:
    """A typo in a word's second letter fell outside the three prefix ranges the candidates
    came from (the first two letters, the first and third, the second and first): "sxlatting"
    and "vxel" were searched as typed and found nothing (round 42, SECOND_LETTER). A typo in
    the first letter was never corrected (round 43, FIRST_LETTER)."""
    searcher = _ingested(store, tmp_path)
    assert searcher.searched_for("gaussian sxlatting") == "gaussian splatting"  # in its place
    assert searcher.searched_for("vxel grid") == "voxel grid"  # gone
    hits = searcher.search("vxel", mode="lexical")
    assert hits and hits[0].span.path.endswith("marching.md")
    # The first letter: in its place, gone, one put before.
    assert searcher.searched_for("narching cubes") == "marching cubes"
    assert searcher.searched_for("eparator") == "separator"
    assert searcher.searched_for("gaussian tsplatting") == "gaussian splatting"
    hits = searcher.search("narching", mode="lexical")
    assert hits and hits[0].span.path.endswith("marching.md")
    # Nothing near with any first letter, or a short word: still searched as typed.
    assert searcher.searched_for("qarzing") is None
    assert searcher.searched_for("oxel grid") is None
