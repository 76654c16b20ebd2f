"""The store contract, proved on both engines: every test runs on SQLite and on PostgreSQL.

Stores hold real notes (the seeds in ../shared, small vaults written here); vectors are
synthetic where the test is about storage (the dimension is MiniLM's, 384), and come from the
real model in the search tests of the rest of the suite.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from grimoire.errors import StoreError
from grimoire.ingest import ingest
from grimoire.model import Document, Passage, Span
from grimoire.names import normalize
from grimoire.store import SourceRecord, Store
from grimoire.store.records import Filters, TextQuery
from tests.conftest import write_notes

DIM = 384
NOTE = """---
title: {title}
tags: [{tag}]
---

# {title}

{title} is a note about {topic}. It links to [[{other}]].
"""


def write_vault(folder: Path, n: int, topic: str, tag: str = "test") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"{topic}-{i}.md").write_text(NOTE.format(
            title=f"{topic.title()} {i}", topic=topic, other=f"{topic.title()} {(i + 1) % n}",
            tag=tag))


def unit_vector(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return v / np.linalg.norm(v)


def embed_all(store: Store, model: str = "test-model") -> dict[tuple[str, int], np.ndarray]:
    """Give every unit a synthetic vector; returns them by (kind, id)."""
    units = store.embed_units(model)
    vectors = {(u.kind, u.id): unit_vector(u.id * 2 + (u.kind == "entry")) for u in units}
    blobs = [(f"{k}-{i}", v) for (k, i), v in vectors.items()]
    store.save_vectors(model, blobs, [(k, i, f"{k}-{i}") for k, i in vectors])
    return vectors


# -- ingest, replace, remove -----------------------------------------------------------------


def test_ingest_replace_and_remove(store: Store, tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    write_vault(notes, 4, "topic")
    report = ingest(store, [notes], workers=1)
    assert (report.added, report.failed) == (4, 0)
    stats = store.stats()
    assert (stats.sources, stats.documents, stats.entries, stats.failed) == (4, 4, 4, 0)
    assert stats.links == 4 and stats.passages >= 4
    assert stats.by_format["obsidian"]["documents"] == 4
    first = store.source(str(notes / "topic-1.md"))
    assert first is not None and first.status == "ok" and first.entries == 1
    assert [e.entry.term for e in store.entries_named(normalize("Topic 1"))] == ["Topic 1"]

    (notes / "topic-1.md").write_text(NOTE.format(title="Renamed", topic="x", other="Topic 2",
                                                  tag="t"))
    again = ingest(store, [notes], workers=1)
    assert (again.updated, again.unchanged) == (1, 3)
    assert store.entries_named(normalize("Topic 1")) == []
    assert [e.entry.span.path for e in store.entries_named("renamed")] == [
        str(notes / "topic-1.md")]
    assert store.stats().documents == 4

    store.remove_source(str(notes / "topic-1.md"))
    after = store.stats()
    assert (after.sources, after.documents, after.entries, after.links) == (3, 3, 3, 3)
    assert store.entries_named("renamed") == []
    assert [s.path for s in store.sources(root=str(notes))] == sorted(
        str(notes / f"topic-{i}.md") for i in (0, 2, 3))
    assert store.integrity_check() == "ok"


def test_mark_source_keeps_documents_and_lists_failures(store: Store, tmp_path: Path) -> None:
    notes = tmp_path / "n"
    write_vault(notes, 2, "topic")
    ingest(store, [notes], workers=1)
    path = str(notes / "topic-0.md")
    store.mark_source(SourceRecord(path=path, root=str(notes), status="failed",
                                   reason="unreadable"))
    failed = store.sources(failed=True)
    assert [(s.path, s.reason, s.documents) for s in failed] == [(path, "unreadable", 1)]
    assert store.stats().failed == 1
    assert store.source_roots() == [str(notes)]


def test_source_roots_are_each_root_once_in_order(store: Store, tmp_path: Path) -> None:
    # Read a step per root through the index, not a row per file: each still comes once.
    roots = [str(tmp_path / "b"), str(tmp_path / "a"), str(tmp_path / "a" / "sub"),
             str(tmp_path / "a.md"), None]
    for root in roots:
        for i in range(3):
            path = f"{root or tmp_path / 'loose'}/f{i}.md"
            store.replace_source(SourceRecord(path=path, root=root, status="skipped"), [])
    assert store.source_roots() == sorted(r for r in roots if r is not None)
    for path in [s.path for s in store.sources() if s.root == str(tmp_path / "a")]:
        store.remove_source(path)
    assert store.source_roots() == sorted(r for r in roots[:1] + roots[2:4])
    assert store.source_roots() == sorted({s.root for s in store.sources() if s.root})


def test_transactions_nest_as_savepoints(store: Store) -> None:
    def record(name: str) -> SourceRecord:
        return SourceRecord(path=f"/n/{name}.md", root="/n", status="skipped")

    with store.transaction():
        store.mark_source(record("kept"))
        with pytest.raises(ValueError), store.transaction():
            store.mark_source(record("inner"))
            raise ValueError("undo the inner one only")
        store.mark_source(record("after"))
    with pytest.raises(RuntimeError), store.transaction():
        store.mark_source(record("outer"))
        raise RuntimeError("undo all of it")
    assert [s.path for s in store.sources()] == ["/n/after.md", "/n/kept.md"]


def test_a_failed_write_keeps_nothing_of_the_file(store: Store) -> None:
    doc = Document(path="/n/a.md", format="markdown", title="A",
                   passages=(Passage("alpha beta", Span("/n/a.md", 1, 1)),))
    store.replace_source(SourceRecord(path="/n/a.md", root="/n", status="ok"), [doc])
    with pytest.raises(StoreError), store.transaction():
        store.replace_source(SourceRecord(path="/n/a.md", root="/n", status="ok"), [])
        store.mark_source(SourceRecord(path=None, status="ok"))  # type: ignore[arg-type]
    assert store.stats().passages == 1
    assert [p.text for p in store.passages()] == ["alpha beta"]


def test_numbers_json_lacks_are_stored_and_resolved(store: Store, tmp_path: Path) -> None:
    # YAML `.nan`, TOML `inf` and a notebook's `NaN` are valid input; JSON has no such numbers,
    # and a meta column holding them broke every later resolve of the whole store.
    from grimoire.resolve import load_overrides, resolve

    notes = write_notes(tmp_path / "notes", {
        "yaml.md": "---\ntitle: Yaml Nan\nscore: .nan\n---\n\nA body.\n",
        "toml.md": '+++\ntitle = "Toml Inf"\nw = -inf\n+++\n\nA body.\n',
        "book.ipynb":
                '{"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# Nan Book\\n",'
                ' "A body."]}], "metadata": {"kernelspec": {"name": "x", "w": NaN}},'
                ' "nbformat": 4, "nbformat_minor": 5}',
    })
    report = ingest(store, [notes], workers=1)
    assert (report.added, report.failed) == (3, 0)
    resolve(store, load_overrides(store.source_roots()))
    for name in ("Yaml Nan", "Toml Inf", "Nan Book"):
        assert [e.entry.term for e in store.entries_named(normalize(name))] == [name]
    assert store.integrity_check() == "ok"


def test_a_file_whose_rows_the_database_refuses_fails_alone(store: Store, tmp_path: Path) -> None:
    # A value of one file that the database will not take (a NaN in meta and a NUL in JSON
    # were two; here a rule the test adds to the database) failed its batch's transaction,
    # and the whole ingest stopped there. The file now fails with the database's reason, as
    # one that cannot be read does, and the other files of its batch are stored.
    from grimoire.store.sqlite import SQLiteStore

    notes = tmp_path / "notes"
    notes.mkdir()
    for name in ("alpha", "refused", "gamma"):
        (notes / f"{name}.md").write_text(
            f"---\ntitle: {name.title()} note\n---\n\nThe {name} body.\n")
    rule, unrule = (
        ("CREATE TRIGGER refuse BEFORE INSERT ON documents WHEN NEW.title = 'Refused note'"
         " BEGIN SELECT RAISE(ABORT, 'no refused notes here'); END", "DROP TRIGGER refuse")
        if isinstance(store, SQLiteStore) else
        ("ALTER TABLE documents ADD CONSTRAINT refuse CHECK (title <> 'Refused note')",
         "ALTER TABLE documents DROP CONSTRAINT refuse"))
    with store.transaction() as c:
        c.execute(rule)
    report = ingest(store, [notes], workers=1)
    assert (report.added, report.failed) == (2, 1)
    (failed,) = report.failures
    assert failed.path == str(notes / "refused.md")
    assert "refuse" in (failed.reason or "")
    assert {Path(s.path).name: s.status for s in store.sources()} == {
        "alpha.md": "ok", "gamma.md": "ok", "refused.md": "failed"}
    for name in ("Alpha note", "Gamma note"):
        assert [e.entry.term for e in store.entries_named(normalize(name))] == [name]
    assert store.entries_named(normalize("Refused note")) == []
    # Once the database takes it, the next ingest stores the file that failed.
    with store.transaction() as c:
        c.execute(unrule)
    report = ingest(store, [notes], workers=1)
    assert report.failed == 0
    assert [e.entry.term for e in store.entries_named(normalize("Refused note"))] == [
        "Refused note"]
    assert store.integrity_check() == "ok"


def test_a_nul_escaped_in_front_matter_is_stored_and_resolved(store: Store, tmp_path: Path) -> None:
    # A file with a NUL byte is skipped as binary, but YAML's "\0" escape puts one in a value;
    # PostgreSQL's text drops NULs, and its jsonb refused the JSON escape \u0000: the write
    # (or, in meta, every later resolve) failed.
    from grimoire.resolve import load_overrides, resolve

    notes = write_notes(tmp_path / "notes", {
        "nul.md":
                '---\ntitle: "Nul Title"\naliases: ["Nul\\0Alias"]\n'
                'tags: ["a\\0b"]\nsections: ["x\\0y"]\n---\n\nA body.\n',
        "plain.md": "# Plain\n\nA plain note.\n",
    })
    report = ingest(store, [notes], workers=1)
    assert (report.added, report.failed) == (2, 0)
    resolve(store, load_overrides(store.source_roots()))
    assert [e.entry.term for e in store.entries_named(normalize("Nul Title"))] == ["Nul Title"]
    assert store.integrity_check() == "ok"


# -- lexical search --------------------------------------------------------------------------


def test_fts_takes_words_never_syntax(seeded: Store) -> None:
    hostile = ['"', "AND", "OR", "NEAR(", "title:x", "a & b", "!x", "x:*", "(", "'", "\\",
               "<->", "lora*", "\x00"]
    for word in hostile:
        seeded.fts_passages(TextQuery((word,)), 5)
        seeded.fts_entries(TextQuery((word,), (tuple(word.split()),)), 5)
    assert seeded.fts_passages(TextQuery(()), 5) == []
    assert seeded.fts_passages(TextQuery(("lora", "NEAR(")), 5)


def test_fts_names_weigh_more_than_text(seeded: Store) -> None:
    top = seeded.fts_entries(TextQuery(("perplexity",)), 5)
    assert top, "perplexity is defined in the seeds"
    named = {e.id for e in seeded.entries_named("perplexity")}
    assert top[0].id in named
    assert [s.score for s in top] == sorted((s.score for s in top), reverse=True)
    phrase = seeded.fts_passages(TextQuery((), (("low", "rank", "adaptation"),)), 5)
    rows = seeded.passage_rows([s.id for s in phrase])
    top_row = rows[phrase[0].id]
    assert "low-rank adaptation" in f"{top_row.term} {top_row.text}".casefold()


def test_fts_and_filters_restrict_to_documents(seeded: Store) -> None:
    glossary = seeded.filtered_documents(Filters(format="glossary"))
    everything = seeded.filtered_documents(Filters())
    assert glossary and glossary < everything
    hits = seeded.fts_passages(TextQuery(("model",)), 50, glossary)
    groups = seeded.passage_groups([h.id for h in hits])
    assert hits and all(groups[h.id][0] in glossary for h in hits)
    one = sorted(seeded.sources(), key=lambda s: s.path)[0].path
    by_source = seeded.filtered_documents(Filters(source=one))
    assert len(by_source) >= 1 and by_source <= everything
    folder = str(Path(one).parent)
    assert seeded.filtered_documents(Filters(source=folder)) == everything
    assert seeded.filtered_documents(Filters(source=folder + "_")) == set()
    assert seeded.filtered_documents(Filters(tag="no-such-tag")) == set()


def test_passages_with_every_word(seeded: Store) -> None:
    words = ["low", "rank", "adaptation"]
    found = seeded.passages_with_all(words, 50)
    rows = seeded.passage_rows(found)
    assert found and len(rows) == len(found)
    for row in rows.values():  # every word there, as the stemmer reads it ("ranks", "low-rank")
        text = f"{row.term} {row.title} {' '.join(row.heading_path)} {row.text}".casefold()
        assert all(w in text for w in words), row.text
    glossary = seeded.filtered_documents(Filters(format="glossary"))
    within = seeded.passages_with_all(words, 50, glossary)
    groups = seeded.passage_groups(within)
    assert set(within) <= set(found) and all(groups[i][0] in glossary for i in within)
    assert seeded.passages_with_all(["low", "rank", "zzzunseenword"], 50) == []
    for word in ['"', "AND", "NEAR(", "title:x", "\x00", "<->"]:
        seeded.passages_with_all(["low", word], 5)  # words, never syntax
    assert seeded.passages_with_all([], 5) == []


def test_term_counts(seeded: Store) -> None:
    counts = seeded.term_passage_counts(["model", "zzzunknownzzz"])
    assert counts["model"] > 0 and counts["zzzunknownzzz"] == 0
    anywhere = seeded.term_passage_counts(["model"], anywhere=True)["model"]
    assert anywhere >= 2
    assert seeded.term_counts(["model", "zzzunknownzzz"], 2) == {"model": 2, "zzzunknownzzz": 0}
    assert seeded.term_counts(["model"], anywhere + 5) == {"model": anywhere}
    assert seeded.passage_total() == seeded.stats().passages <= seeded.passage_count()


# -- names, concepts, links ------------------------------------------------------------------


def test_names_and_concepts(seeded: Store) -> None:
    rows = seeded.name_rows()
    assert any(r.norm == "lora" for r in rows)
    found = seeded.concepts_named("lora")
    assert found
    concept = found[0].concept_id
    assert [m.strength for m in found] == sorted((m.strength for m in found), reverse=True)
    row = seeded.concept_row(concept)
    assert row is not None and row.id == concept and row.key
    entries = seeded.concept_entries_of(concept)
    assert entries and all(e.role in ("entry", "redirect") for e in entries)
    first_entry = entries[0].stored.id
    assert seeded.concepts_of_entries([first_entry]) == {first_entry: concept}
    assert "lora" in {normalize(n.name) for n in seeded.concept_names_of(concept)}
    first = seeded.concept_first_passages([concept])
    assert concept in first
    assert seeded.passage_concepts([first[concept]])[first[concept]][0] == concept
    assert seeded.concept_label_of([concept]) == {concept: row.label}
    assert seeded.concepts_by_name(["lora"])["lora"][0] == concept
    summaries = seeded.concept_summaries()
    assert len(summaries) == len({s.id for s in summaries}) > 50
    assert str(concept) in {s.id for s in summaries}
    assert not seeded.concepts_stale(seeded_fingerprint(seeded))


def _concept_details(store: Store, concept: int) -> tuple[object, ...]:
    """What a concept page shows, ids left out (each engine numbers its rows)."""
    row = store.concept_row(concept)
    assert row is not None
    links = [(m.span, m.kind, m.target, m.status, m.concept)
             for incoming in (False, True) for m in store.concept_links(concept, incoming=incoming)]
    return (row.key, row.label, store.concept_names_of(concept),
            [(e.stored.entry.span, e.role) for e in store.concept_entries_of(concept)],
            store.concept_sections_of(concept), store.concept_merges_of(concept), links)


def seeded_fingerprint(store: Store) -> str:
    from grimoire.resolve import load_overrides

    return load_overrides(store.source_roots()).fingerprint


def test_links_and_the_graph(seeded: Store) -> None:
    assert seeded.stats().links > 100
    wanted = seeded.unresolved_links("wanted")
    assert wanted and all(w.span.start_line >= 1 and w.norm for w in wanted)
    linked = next(int(c.id) for c in seeded.concept_summaries()
                  if seeded.concept_links(int(c.id), incoming=True))
    backlinks = seeded.concept_links(linked, incoming=True)
    assert all(b.status in ("resolved", "wanted", "ambiguous") for b in backlinks)
    resolved = [b for b in backlinks if b.status == "resolved"]
    assert all(b.concept_id is not None for b in resolved)
    edges = seeded.concept_edges([linked])
    assert edges and all(linked in (e.source, e.target) and e.count >= 1 for e in edges)
    assert edges == sorted(edges, key=lambda e: (e.source, e.target, e.kind))


def test_title_only_links(store: Store, tmp_path: Path) -> None:
    # A page holding only its title, linked from another page's text and from a third page's
    # related terms (front matter, outside any passage); a linked page with text is not one.
    from grimoire.resolve import resolve

    vault = write_notes(tmp_path / "vault", {
        "stub.md": "---\ntitle: Stub\n---\n",
        "full.md": "---\ntitle: Full\n---\nFull has text of its own.\n",
        "linker.md":
        "---\ntitle: Linker\n---\nLinker points at the [stub](stub.md) and at [full](full.md).\n",
        "lister.md":
            "---\ntitle: Lister\nrelated_terms:\n - stub\n---\nLister says nothing of it here.\n",
    })
    ingest(store, [vault], workers=1)
    resolve(store)
    passages = {Path(r.path).stem: pid for pid, r in store.passage_rows(
        list(range(1, 100))).items()}
    stub = next(int(c.id) for c in store.concept_summaries() if c.label == "Stub")
    linked = store.title_only_links([passages["linker"], passages["lister"], passages["full"]])
    assert linked == {passages["linker"]: {stub}, passages["lister"]: {stub}}
    lister_doc = store.passage_rows([passages["lister"]])[passages["lister"]].document_id
    assert store.title_only_links([passages["linker"]], {lister_doc}) == {}


def test_opening_passages(store: Store, tmp_path: Path) -> None:
    # Round 35: what a page named by its title opens with (its entry has no definition): its
    # own passages, else those of no entry just after it (a chapter opening with a section);
    # never code first, never another entry's text.
    from grimoire.resolve import resolve

    vault = write_notes(tmp_path / "vault", {
        "Dropout.md": "Dropout switches units off at random in training.\n",
        "chapter.md":
                "---\ntitle: Norms\n---\n\n## What and why?\n\nEach vector is scaled to unit "
                "variance.\n",
        "stub.md": "---\ntitle: Stub\n---\n",
    })
    ingest(store, [vault], workers=1)
    resolve(store)
    entries = {e.entry.term: e for e in store.entries()}
    dropout = store.opening_passages(entries["Dropout"].id)
    assert [(s.start_line, text) for s, text, _ in dropout] == \
        [(1, "Dropout switches units off at random in training.")]
    assert dropout[0][0].path.endswith("Dropout.md")
    chapter = store.opening_passages(entries["Norms"].id)
    assert [text for _, text, kind in chapter if kind != "heading"][:1] == \
        ["Each vector is scaled to unit variance."]
    assert store.opening_passages(entries["Stub"].id) == []


def test_integrity_and_stats(seeded: Store, seeds: Path) -> None:
    assert seeded.integrity_check() == "ok"
    stats = seeded.stats()
    assert stats.sources == len(list(seeds.iterdir())) and stats.failed == 0
    assert sum(f["passages"] for f in stats.by_format.values()) == stats.passages
    assert sum(f["entries"] for f in stats.by_format.values()) == stats.entries


# -- vectors ---------------------------------------------------------------------------------


def test_vectors_round_trip_and_nearest(store: Store, tmp_path: Path) -> None:
    write_vault(tmp_path / "v", 6, "topic")
    ingest(store, [tmp_path / "v"], workers=1)
    vectors = embed_all(store)
    have, total = store.vector_counts()
    assert have == total == len(vectors)
    assert store.embed_units("test-model") == []
    kinds, ids, _docs, _entries, matrix = store.load_vectors("test-model")
    assert matrix.shape == (len(vectors), DIM)
    for kind, unit, row in zip(kinds, ids, matrix, strict=True):
        key = ("passage" if kind == 0 else "entry", int(unit))
        assert np.allclose(row, vectors[key], atol=1e-6)
    # lint's read of a few entries' vectors (round 47): those asked, by id, of that model
    asked = [i for k, i in vectors if k == "entry"][:2]
    assert len(asked) == 2
    got = store.entry_vectors("test-model", [*asked, asked[0], -1])
    assert sorted(got) == sorted(asked)
    assert all(np.allclose(got[i], vectors["entry", i], atol=1e-6) for i in asked)
    assert store.entry_vectors("another-model", asked) == {}
    (kind, unit), query = next(iter(vectors.items()))
    passages, entries = store.nearest("test-model", query, 3)
    best = (passages if kind == "passage" else entries)[0]
    assert best.id == unit and best.score == pytest.approx(1.0, abs=1e-5)
    assert len(passages) == 3 and len(entries) == 3
    assert [s.score for s in passages] == sorted((s.score for s in passages), reverse=True)
    assert {r.hash for r in store.vector_rows()} == {f"{k}-{i}" for k, i in vectors}


def test_vectors_are_reused_and_orphans_dropped(store: Store, tmp_path: Path) -> None:
    write_vault(tmp_path / "v", 3, "topic")
    ingest(store, [tmp_path / "v"], workers=1)
    vectors = embed_all(store)
    hashes = {f"{k}-{i}" for k, i in vectors}
    assert store.known_vectors([*hashes, "unknown"]) == hashes
    before = store.vectors_signature()
    store.remove_source(str(tmp_path / "v" / "topic-0.md"))
    assert store.vectors_signature() != before
    assert store.drop_orphan_vectors() > 0
    assert store.known_vectors(hashes) < hashes
    have, total = store.vector_counts()
    assert have == total


def test_filtered_nearest_still_returns_k(store: Store, tmp_path: Path) -> None:
    write_vault(tmp_path / "near", 40, "near")
    write_vault(tmp_path / "far", 12, "far")
    ingest(store, [tmp_path / "near", tmp_path / "far"], workers=1)
    model = "test-model"
    units = store.embed_units(model)
    groups = store.passage_groups([u.id for u in units if u.kind == "passage"])
    far_docs = store.filtered_documents(Filters(source=str(tmp_path / "far")))
    query = unit_vector(1)
    blobs, links = [], []
    for u in units:
        doc = groups[u.id][0] if u.kind == "passage" else store.entry_documents([u.id])[u.id]
        # Notes of "near" sit next to the query; those of "far" point away from it.
        v = query + 0.05 * unit_vector(u.id + 7) if doc not in far_docs else -query
        v = v / np.linalg.norm(v)
        blobs.append((f"{u.kind}-{u.id}", v))
        links.append((u.kind, u.id, f"{u.kind}-{u.id}"))
    store.save_vectors(model, blobs, links)
    passages, entries = store.nearest(model, query, 10, far_docs)
    assert len(passages) == 10 and len(entries) == 10
    found = store.passage_groups([p.id for p in passages])
    assert all(found[p.id][0] in far_docs for p in passages)
    assert set(store.entry_documents(e.id for e in entries).values()) <= far_docs
    unfiltered, _ = store.nearest(model, query, 10)
    assert not {g[0] for g in store.passage_groups([p.id for p in unfiltered]).values()} & far_docs


# -- both engines, the same answers ------------------------------------------------------------


@pytest.mark.postgres
def test_same_corpus_same_store_on_both_engines(
    seeds: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """RELIABILITY 7: the same notes, NUL bytes included, give the same store on each engine."""
    from grimoire.resolve import load_overrides, resolve
    from tests.store.conftest import new_store

    folder = tmp_path / "notes"
    shutil.copytree(seeds, folder)
    # NUL past the first 8 KB (earlier, a file is taken for binary and skipped).
    (folder / "nul.md").write_bytes(b"# Nul note\n\n" + b"padding words here. " * 500
                                    + b"\n\nNul\x00 inside\x00 a word.\n")
    results = []
    for engine in ("sqlite", "postgres"):
        s = new_store(engine, tmp_path, request)
        ingest(s, [folder], workers=1)
        resolve(s, load_overrides(s.source_roots()))
        results.append((
            s.stats(),
            [(e.entry.term, e.entry.span, e.format) for e in s.entries()],
            s.entry_names(),
            [(p.span, p.text) for p in s.passages()],
            [(c.label, c.kind, c.entries, c.sources) for c in s.concept_summaries()],
            s.unresolved_links("wanted"),
            [_concept_details(s, c) for c in s.multi_source_concepts()],
            [(r.norm, r.name) for r in s.name_rows()],
        ))
        s.close()
    sqlite, postgres = results
    for a, b in zip(sqlite, postgres, strict=True):
        assert a == b
    assert "Nul inside a word." in [t for _, t in sqlite[3]]


def test_tag_and_folder_filters_take_their_text_literally(store: Store, tmp_path: Path) -> None:
    """`_` and `%` in a tag or a folder are themselves, not LIKE wildcards, on both engines;
    a nested tag (`ml/nlp`) is found by its parent (`ml`)."""
    write_vault(tmp_path / "a_b", 2, "under", tag="ml_x")
    write_vault(tmp_path / "axb", 2, "plain", tag="mlyx/deep")
    write_vault(tmp_path / "pct", 1, "nested", tag="ML/nlp")
    ingest(store, [tmp_path / "a_b", tmp_path / "axb", tmp_path / "pct"], workers=1)

    def paths(filters: Filters) -> set[str]:
        docs = store.filtered_documents(filters)
        return {s.path.split("/")[-2] for s in store.sources()
                if store.filtered_documents(Filters(source=s.path)) & docs}

    assert paths(Filters(tag="ml_x")) == {"a_b"}
    assert paths(Filters(tag="ml_x/deep")) == set()
    assert paths(Filters(tag="mlyx")) == {"axb"}
    assert paths(Filters(tag="#ml")) == {"pct"}
    assert paths(Filters(tag="ml%")) == set()
    assert paths(Filters(source=str(tmp_path / "a_b"))) == {"a_b"}
    assert paths(Filters(source=str(tmp_path / "a%"))) == set()
