"""Round 40 (faces40): round 39's leftovers on the faces. The notes are our own words, on a real
store (SQLite, and PostgreSQL in the suite's PostgreSQL pass) through the public API, the CLI,
the web app and the MCP client."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

import grimoire
from grimoire.cli import main
from tests.conftest import write_notes
from tests.readers._pdfgen import pdf_bytes
from tests.test_faces_round39 import _mcp
from tests.web.conftest import make_app

# A static site's pages link to each other by the address the site publishes them at, which
# their front matter states, not by their file's path.
SITE = {
    # Jekyll: the page's own address, and an old one that redirects to it
    "setup.md": "---\nlayout: page\ntitle: Getting Set Up\npermalink: /setup-guide/\n"
                "redirect_from:\n  - /old-setup/\n---\n\nInstall Python and the course "
                "packages before the first exercise.\n\n## Step 2\n\nCheck that the "
                "packages import.\n",
    # Jekyll again: links from a page with an address of its own, absolute and relative
    "course/lesson.md": "---\ntitle: First Lesson\npermalink: /lessons/first/\n---\n\n"
                        "Before this lesson, follow the [setup]({{site.baseurl}}/setup-guide/)"
                        " and [step two](../../setup-guide/#step-2); an old page says "
                        "[the same](/old-setup). Questions go to [the staff](/about-us/) or "
                        "[the team page](/team/). Not published: [gone](/nowhere/). "
                        "A paper: [abs](/abs/1706.03762).\n",
    # Hugo: `url:` and `aliases:`
    "content/about.md": "+++\ntitle = \"Course Staff\"\nurl = \"/about-us/\"\n"
                        "aliases = [\"/team/\"]\n+++\n\nThe course staff answer questions "
                        "on the forum.\n",
    # A web address in `url:` publishes nothing here
    "paper.md": "---\ntitle: A Paper Note\nurl: https://arxiv.org/abs/1706.03762\n---\n\n"
                "Notes on a paper about attention.\n",
    # MkDocs serves `docs/usage.md` at `usage/`, and a page's links start from its own folder
    "docs/intro.md": "# Memory\n\nRead [the checkpointing page](../checkpointing/) next, "
                     "or [it again](checkpointing/).\n",
    "docs/checkpointing.md": "# Gradient Checkpointing\n\nGradient checkpointing keeps "
                             "few activations and computes the rest again on the way back.\n",
    # The site's home page, at its root, links relative to it
    "index.html": "<html><head><title>Home</title></head><body><h1>Home</h1>"
                  "<p>Start with the <a href=\"setup-guide/\">setup guide</a>.</p>"
                  "</body></html>\n",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("faces40site")
    notes = folder / "site"
    for name, text in SITE.items():
        (notes / name).parent.mkdir(parents=True, exist_ok=True)
        (notes / name).write_text(text, encoding="utf-8")
    path = folder / "kb.db"
    with grimoire.open(path) as kb:
        kb.ingest([notes], embed=False)
    yield path


def _backlinks(kb: grimoire.Grimoire, name: str) -> set[str]:
    return {m.written for m in kb.backlinks(name)}


def test_a_link_to_a_pages_published_address_leads_to_the_page(site: Path) -> None:
    # Before: every one of these was a dead link ("'/setup-guide/' leads to no note"): no file
    # is at that path, the page's front matter says the site serves it there.
    with grimoire.open(site, create=False) as kb:
        assert _backlinks(kb, "Getting Set Up") >= {
            "/setup-guide/", "../../setup-guide/#step-2", "/old-setup", "setup-guide/"}
        assert _backlinks(kb, "Course Staff") >= {"/about-us/", "/team/"}
        assert _backlinks(kb, "Gradient Checkpointing") >= {"../checkpointing/",
                                                            "checkpointing/"}
        dead = {d.written for d in kb.dead_links()}
        assert dead == {"/nowhere/", "/abs/1706.03762"}
        lint = kb.lint().by_group().get("dead-link", [])
        assert lint and all(any(d in f.message for d in dead) for f in lint)
        graph = kb.graph("First Lesson")
        assert {"Getting Set Up", "Course Staff"} <= {n.label for n in graph.nodes}


def _statuses(kb: grimoire.Grimoire) -> list[tuple[str, str, str | None]]:
    return sorted((m.written, m.status, m.concept) for c in kb.concepts()
                  for m in kb.backlinks(c.label)) + sorted(
        (d.written, d.status, None) for d in kb.dead_links())


def test_a_published_address_that_comes_changes_or_goes_is_followed_incrementally(
        tmp_path: Path) -> None:
    # The page with the address is ingested after the page that links to it, then moves to
    # another address, then goes: each time the links are what a full resolve makes of them.
    notes = tmp_path / "site"
    (notes / "course").mkdir(parents=True)
    (notes / "course" / "lesson.md").write_text(SITE["course/lesson.md"], encoding="utf-8")
    setup = notes / "setup.md"
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([notes], embed=False)
        assert "/setup-guide/" in {d.written for d in kb.dead_links()}
        steps = [SITE["setup.md"], SITE["setup.md"].replace("/setup-guide/", "/install/"), None]
        for text in steps:
            if text is None:
                setup.unlink()
            else:
                setup.write_text(text, encoding="utf-8")
            kb.ingest([notes], embed=False)
            seen = _statuses(kb)
            kb.resolve()
            assert seen == _statuses(kb)
            dead = {d.written for d in kb.dead_links()}
            assert ("/setup-guide/" in dead) == (text != SITE["setup.md"])


def test_a_title_is_found_in_any_case_of_any_letter_on_both_engines(tmp_path: Path) -> None:
    # Before: SQLite's lower() folds ASCII letters only, so "überblick" missed the page titled
    # "Überblick" there, while PostgreSQL (a UTF-8 locale) found it.
    notes = write_notes(tmp_path / "notes", {
        "overview.md":
            "# Überblick\n\n## Lernrate\n\nDie Lernrate ist die Schrittweite eines Updates.\n\n"
            "## Epoche\n\nEine Epoche ist ein Durchgang durch alle Trainingsdaten.\n",
        "greek.md": "# Σημειώσεις\n\n## Straße\n\nA note titled in Greek, with a German heading.\n",
    })
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([notes], embed=False)
        for asked in ("Überblick", "überblick", "ÜBERBLICK"):
            found = kb.documents_titled(asked)
            assert [s.path.rsplit("/", 1)[-1] for s, _ in found] == ["overview.md"], asked
        for asked in ("σημειώσεις", "ΣΗΜΕΙΏΣΕΙΣ"):
            assert [s.path.rsplit("/", 1)[-1] for s, _ in kb.documents_titled(asked)] == [
                "greek.md"], asked
        assert kb.documents_titled("Uberblick") == []


HOMONYMS = {
    "cognition.md": "# Attention\n\nAttention is the mind's selection of what to take in, and "
                    "what to leave out, of everything the senses report.\n",
    "transformers.md": "# Attention\n\nAttention weighs every token's value by how well its "
                       "key matches the query, in a transformer layer.\n",
}


def _homonym_keys(folder: Path, order: list[str]) -> dict[str, str]:
    notes = folder / "notes"
    notes.mkdir(parents=True)
    (notes / "grimoire.toml").write_text(
        '[[split]]\nnames = ["cognition.md:1", "transformers.md:1"]\n', encoding="utf-8")
    with grimoire.open(folder / "kb.db") as kb:
        for name in order:  # one file an ingest: the entry ids follow this order
            (notes / name).write_text(HOMONYMS[name], encoding="utf-8")
            kb.ingest([notes], embed=False)
        out = {}
        for c in kb.concepts():
            if c.label == "Attention":
                concept = kb.concept("Attention", concept_id=c.id)
                out[concept.entries[0].entry.span.path.rsplit("/", 1)[-1]] = concept.key
        return out


def test_which_of_two_concepts_of_one_label_gets_the_numbered_key_follows_file_order(
        tmp_path: Path) -> None:
    # Before: the concept whose entry was stored first kept "attention", so the same two notes
    # ingested in the other order swapped the keys (and what `/c/attention` opens).
    first = _homonym_keys(tmp_path / "one", ["transformers.md", "cognition.md"])
    second = _homonym_keys(tmp_path / "two", ["cognition.md", "transformers.md"])
    assert first == second == {"cognition.md": "attention", "transformers.md": "attention 2"}


PDF_PAGES = [["Training tricks", "A few habits that keep a network's first updates sane."],
             ["Gradient clipping caps the norm of the gradient before each update."],
             ["Warmup raises the step size over the first few hundred updates."]]


def test_a_hit_past_a_pdfs_title_page_names_the_work_it_is_in(tmp_path: Path) -> None:
    # Before: the hit on page 3 named no concept: the web showed the PDF's title as its
    # heading (the same words as the title page's hit) but opened the source with it, and
    # `--json` / MCP gave concept null, so an assistant could not `show` what it was part of.
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "tricks.pdf").write_bytes(pdf_bytes(PDF_PAGES, title="Training tricks"))
    db = tmp_path / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([notes], embed=False)
        work = kb.concept("Training tricks")
        hits = kb.search("warmup step size hundred updates", mode="lexical")
    page = next(h for h in hits if h.span.start_line == 3)
    assert (page.concept, page.concept_id) == ("Training tricks", work.id)
    done = CliRunner().invoke(main, ["--db", str(db), "search", "warmup step size hundred",
                                     "--mode", "lexical", "--json"])
    assert done.exit_code == 0, done.output
    found = json.loads(done.output)
    rows = found if isinstance(found, list) else found["results"]
    row = next(r for r in rows if r["span"]["start_line"] == 3)
    assert row["concept"] == "Training tricks"
    reply, = _mcp(db, [("search", {"query": "warmup step size hundred", "mode": "lexical"})])
    row = next(r for r in reply.structured_content["results"] if r["span"]["start_line"] == 3)
    assert (row["concept"], row["concept_id"]) == ("Training tricks", work.id)
    app, kb = make_app(db)
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        html = client.get("/search", params={"q": "warmup step size hundred",
                                             "mode": "lexical"}).text
    kb.close()
    # the page's hit: its title opens the concept, its place opens page 3 of the source
    item = next(li for li in re.findall(r"<li.*?</li>", html, re.S) if "hl=3" in li)
    assert f"/c/Training%20tricks?id={work.id}" in item, item
    assert "tricks.pdf&amp;hl=3" in item


ROWS_NOTE = (
    "# Row environments\n\nA derivation written with eqnarray:\n\n$$\n\\begin{eqnarray}\n"
    "y &=& w x + b \\\\\n\\hat{y} &=& \\sigma(y)\n\\end{eqnarray}\n$$\n\n"
    "Gathered lines, each centred:\n\n$$\\begin{gathered}\nz = W h \\\\\np = "
    "\\mathrm{softmax}(z)\n\\end{gathered}$$\n\nTwo pairs of columns with alignat:\n\n$$\n"
    "\\begin{alignat}{2}\na &= b + c &\\quad d &= e f \\\\\ng &= h - i &\\quad j &= k / l\n"
    "\\end{alignat}\n$$\n\nA bracket display:\n\n\\[\n\\mathcal{L} = -\\sum_i y_i \\log p_i\n"
    "\\]\n\nCode is no formula:\n\n```python\nprice = \"$5 and $6\"\n```\n")


def test_the_source_view_draws_a_formula_over_several_lines_and_every_row_environment(
        tmp_path: Path) -> None:
    # Before: the source view drew each line alone, so a `$$` block was two `$$` lines with
    # its TeX between them; eqnarray and alignat were refused by the MathML writer and shown
    # as TeX on the concept page too, gathered drawn on one line.
    notes = write_notes(tmp_path / "notes", {
        "rows.md": ROWS_NOTE,
    })
    db = tmp_path / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([notes], embed=False)
        path = kb.sources()[0].path
    app, kb = make_app(db)
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        source = client.get("/source", params={"path": path}).text
        page = client.get("/c/Row environments").text
    kb.close()
    rows = dict(re.findall(r'<div class="line[^"]*" id="L(\d+)">.*?<span class="text">(.*?)'
                           r'</span></div>\n', source, re.S))
    lines = ROWS_NOTE.split("\n")
    starts = [n for n, line in enumerate(lines, 1) if line.startswith(("$$", "\\["))
              and n + 1 <= len(lines) and lines[n].strip()]
    assert len(starts) == 4, starts
    for n in starts:  # each block drawn once, on its first line, as a table of rows or a sum
        assert "<math" in rows[str(n)] and 'display="block"' in rows[str(n)], rows[str(n)]
        assert 'class="tex"' not in rows[str(n)]
    assert sum("<mtable" in rows[str(n)] for n in starts) == 3
    for n, line in enumerate(lines, 1):
        if line.strip() and ("&" in line or line.startswith(("\\begin", "\\end", "z =", "p ="))):
            assert rows[str(n)] == "", (n, rows[str(n)])  # covered by the block above
    code = lines.index('price = "$5 and $6"') + 1
    assert rows[str(code)] == "price = &#34;$5 and $6&#34;"
    assert 'class="tex"' not in page and page.count("<mtable") == 3


def _read_of(batches: list[Any], name: str) -> int:
    """How many batches read the note `name` (stored it new or again)."""
    return sum(1 for b in batches if any(p.endswith(name) for p in b.paths)
               and b.report.added + b.report.updated)


def test_a_note_still_being_written_is_read_once_when_it_is_whole(tmp_path: Path) -> None:
    # Before: each batch the debounce cut while the note was written read it again, half
    # written (qa39: a 32 MB note read at 4.4 s and again for 45.5 s).
    from tests.test_watch import Running, WatchOptions

    folder = write_notes(tmp_path / "notes", {
        "first.md": "# First\n\nA note there before.\n",
    })
    run = Running(tmp_path / "kb.db", folder, WatchOptions(
        debounce_ms=300, step_ms=50, reconcile_s=3600, embed=False, settle_ms=2000))
    try:
        with (folder / "growing.md").open("w", encoding="utf-8") as out:
            out.write("# Growing\n\n")
            for i in range(30):  # a burst of writes, each flushed, for about a second
                out.write(f"Paragraph {i} of a note written piece by piece.\n\n")
                out.flush()
                threading.Event().wait(0.03)
            out.write("The last line names QUOKKA-5150.\n")
        run.eventually(lambda: "growing.md" in run.finds("QUOKKA-5150"), "the whole note")
        # The watcher stores a batch before it hands it on: found by a search, the note's
        # batch may not be in `batches` yet (seen at load 13 in round 53: only the start's).
        run.eventually(lambda: _read_of(run.batches, "growing.md"), "the batch that read it")
        run.eventually(lambda: not getattr(run.watcher, "settling", None), "nothing to settle")
        assert _read_of(run.batches, "growing.md") == 1, [
            (b.reason, b.paths, b.report.added, b.report.updated) for b in run.batches]
    finally:
        run.close()


def test_a_deletion_is_not_held_behind_a_long_read(tmp_path: Path) -> None:
    # Before: one thread read every change in turn, so a note deleted while a long note was
    # read stayed searchable until that read ended (qa39: 45 s). Now a long read has a
    # thread and a connection of its own: the deletion is applied while it goes on.
    from tests.test_watch import Running, WatchOptions

    folder = write_notes(tmp_path / "notes", {
        "short.md": "# Short\n\nThe short note says WALLABY-7.\n",
    })
    run = Running(tmp_path / "kb.db", folder, WatchOptions(
        debounce_ms=300, step_ms=50, reconcile_s=3600, embed=False, settle_ms=0,
        long_read_bytes=128 << 10))
    try:
        big = tmp_path / "big.md"  # written whole elsewhere, then moved in: one event
        big.write_text("# Long Note\n\n" + "".join(
            f"## Part {i}\n\nSection {i} of a long note, about nothing in particular, with "
            f"enough words to make a passage of its own ({i}).\n\n" for i in range(4000)),
            encoding="utf-8")
        big.rename(folder / "big.md")
        run.eventually(lambda: getattr(run.watcher, "_long_pending", None)
                       or _read_of(run.batches, "big.md"), "the long read begun (or done)")
        (folder / "short.md").unlink()
        run.eventually(lambda: "short.md" not in run.paths(), "the deletion applied")
        assert "big.md" not in run.paths()  # the long read is still going on
        run.eventually(lambda: "big.md" in run.paths(), "the long read done")
        assert "short.md" not in run.paths()
    finally:
        run.close()


@pytest.mark.no_store
def test_a_space_in_inches_between_two_formulas_is_kept() -> None:
    # Before: `\hspace{0.5in}` became `<mspace>` with no width (the allowlist of units had
    # no inch), so "or equivalently" ran into the formulas either side of it (qa39's
    # linear-classify.md:268); a huge space is still refused.
    from grimoire.web.render import math_html

    drawn = str(math_html(r"L_i = a \hspace{0.5in} \text{or} \hspace{1cm} L_i = b", True))
    assert '<mspace width="3em">' in drawn and '<mspace width="2.36em">' in drawn
    assert "width" not in str(math_html(r"a \hspace{999in} b")).split("mspace", 1)[1][:12]
