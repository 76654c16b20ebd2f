"""The static site: every page on disk, every link between them leads to a file, nothing from
a note runs (the web UI's hostile-markup check), and --force never replaces a user's folder."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from grimoire import GrimoireError
from grimoire.export import site
from tests.conftest import homonyms, ingested, write_notes
from tests.web.hostile import live_markup

_HREF = re.compile(r'(?:href|src)="([^"]*)"')


def _main(html: str) -> str:
    return html.split('<main id="main">', 1)[1].split("</main>", 1)[0]


def test_a_page_per_concept_and_every_link_leads_to_a_file(notes_kb: Any,
                                                           tmp_path: Path) -> None:
    out = tmp_path / "site"
    report = notes_kb.export("site", out)
    pages = sorted((out / "c").iterdir())
    assert report.concepts == len(pages) == len(notes_kb.concepts()) > 100
    index = (out / "index.html").read_text(encoding="utf-8")
    assert {f"c/{p.name}" for p in pages} <= set(_HREF.findall(index))
    checked = files = 0
    for page in [out / "index.html", *pages]:
        for link in _HREF.findall(page.read_text(encoding="utf-8")):
            # A source's file:lines, or a note's own relative link, is the site's page of
            # that source: a `file://` address led nowhere off the exporter's disk (round
            # 40). A wanted name in a note's text (the seeds' README) led to "index.html"
            # beside the note, a file that is not there.
            assert not link.startswith("file:"), (page, link)
            if link.startswith("../s/"):
                files += 1
            # An empty src is an image the renderer dropped (no server to send it).
            if not link or link.startswith(("http://", "https://", "#")):
                continue
            assert not link.startswith("/"), (page, link)  # no server behind the files
            assert (page.parent / link.split("#")[0]).is_file(), (page, link)
            checked += 1
    assert checked > 500 and files > 100


def test_a_concept_page_shows_what_each_source_says(notes_kb: Any, tmp_path: Path) -> None:
    notes_kb.export("site", tmp_path / "site")
    concept = notes_kb.concept("Attention Mechanism")
    html = (tmp_path / "site" / "c" / site.page_name(concept.key)).read_text(encoding="utf-8")
    (entry,) = concept.entries
    assert f"<h1>{concept.label}</h1>" in html
    assert entry.entry.definition.split(".")[0] in html
    cited = re.search(r'<a class="where" href="\.\./s/([^"#]+)#L(\d+)"', html)
    assert cited is not None and int(cited[2]) == entry.entry.span.start_line
    source = (tmp_path / "site" / "s" / cited[1]).read_text(encoding="utf-8")
    # the source's text, its lines anchored, named inside its folder (no home folder)
    assert f'id="L{entry.entry.span.start_line}"' in source
    assert str(Path(entry.entry.span.path).parent) not in source
    softmax = notes_kb.concept("Softmax")
    assert f'href="{site.page_name(softmax.key)}"' in html


def test_two_concepts_of_one_label_have_a_page_each(tmp_path: Path) -> None:
    # Two concepts a grimoire.toml split apart keep one label ("Lasso Regression"): the page
    # of each linked the other by its label, that is to its own file.

    with ingested(tmp_path / "kb.db", homonyms(tmp_path / "notes"), embed=False) as kb:
        kb.export("site", tmp_path / "site")
        labelled = [c for c in kb.concepts() if c.label == "Lasso Regression"]
        assert len(labelled) == 2
        files = {c.id: site.page_name(kb.concept(c.label, concept_id=c.id).key)
                 for c in labelled}
    assert len(set(files.values())) == 2
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    for c in labelled:
        assert f'<a href="c/{files[c.id]}">Lasso Regression</a>' in index
    for c in labelled:
        html = (tmp_path / "site" / "c" / files[c.id]).read_text(encoding="utf-8")
        (other,) = set(files) - {c.id}
        # each says the other is also called so, and links to the other's own page
        note = html.split('class="names namesakes">', 1)[1].split("</p>", 1)[0]
        assert f'href="{files[other]}"' in note


def test_hostile_notes_run_nothing(hostile_kb: Any, tmp_path: Path) -> None:
    from tests.web.hostile import PAYLOADS

    hostile_kb.export("site", tmp_path / "site")
    pages = list((tmp_path / "site" / "c").iterdir())
    shown = ""
    for page in [tmp_path / "site" / "index.html", *pages]:
        html = page.read_text(encoding="utf-8")
        assert live_markup(_main(html)) == [], page
        assert "<script" not in html  # not even the web UI's own: no server to call
        shown += html
    assert "&lt;script&gt;window.__pwned=1" in shown
    assert len(pages) >= len(PAYLOADS)


def test_force_replaces_an_export_never_a_users_folder(notes_kb: Any, tmp_path: Path) -> None:
    out = tmp_path / "site"
    notes_kb.export("site", out)
    with pytest.raises(GrimoireError, match="exists; replace it with --force"):
        notes_kb.export("site", out)
    (out / "c" / "stale.html").write_text("old", encoding="utf-8")
    notes_kb.export("site", out, force=True)
    assert not (out / "c" / "stale.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no scratch left
    notes = write_notes(tmp_path / "notes", {
        "lora.md": "# LoRA\n",
    })
    with pytest.raises(GrimoireError, match="did not write; not replaced"):
        notes_kb.export("site", notes, force=True)
    assert (notes / "lora.md").read_text(encoding="utf-8") == "# LoRA\n"
    with pytest.raises(GrimoireError, match="is a file; site writes a folder"):
        notes_kb.export("site", notes / "lora.md", force=True)


def test_a_site_exported_into_the_notes_folder_is_not_read_back(tmp_path: Path) -> None:
    # `grimoire export site notes/site`, then `grimoire ingest notes` (or `watch notes`): every
    # page came back as a note: each concept twice more ("Perplexity" from its page, and
    # "Perplexity · Grimoire" from its title), and the index as a concept.
    import shutil


    notes = tmp_path / "notes"
    shutil.copytree(Path(__file__).resolve().parents[2] / "examples" / "vault", notes)
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        before = sorted((e.entry.term, e.entry.span.path) for e in kb.entries())
        kb.export("site", notes / "site")
        kb.ingest([notes], embed=False)
        assert sorted((e.entry.term, e.entry.span.path) for e in kb.entries()) == before
        page = next((notes / "site" / "c").glob("*.html"))
        page.write_text(page.read_text() + "\n")  # as a watcher sees a page change
        kb.ingest([page, notes / "site"], root=notes, embed=False)
        assert sorted((e.entry.term, e.entry.span.path) for e in kb.entries()) == before
        assert not [s for s in kb.sources() if "/site/" in s.path]


def test_a_mention_is_quoted_as_the_served_page_quotes_it(tmp_path: Path) -> None:
    # Round 34 (yshavit/llm-notes): the exported page of a book chapter listed seven places
    # under "Mentioned in" as bare `file:line`, where `grimoire serve` quotes each one's line.
    # A line is read only from a note the store read, inside its folder: a note since made a
    # link to a file outside the notes is quoted by nothing.

    notes = write_notes(tmp_path / "notes", {
        "Perplexity.md":
            "# Perplexity\n\nPerplexity is the exponential of the average negative log-likelihood "
            "a language model gives each token.\n",
        "eval.md":
            "# Evaluating a language model\n\nOn held-out text we report [[Perplexity]], where "
            "lower means the model is less surprised.\n",
        "secret.md": "# Secret plans\n\nThe plans mention [[Perplexity]] only in passing here.\n",
    })
    outside = tmp_path / "outside.txt"
    outside.write_text("# x\n\nthe line nobody may quote\n", encoding="utf-8")
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        (notes / "secret.md").unlink()
        (notes / "secret.md").symlink_to(outside)
        kb.export("site", tmp_path / "site")
        concept = kb.concept("Perplexity")
    html = (tmp_path / "site" / "c" / site.page_name(concept.key)).read_text(encoding="utf-8")
    mentioned = html.split("<h2>Mentioned in</h2>", 1)[1].split("</section>", 1)[0]
    quotes = re.findall(r"<blockquote>(.*?)</blockquote>", mentioned, re.DOTALL)
    assert len(quotes) == 1, mentioned
    assert "lower means the model is less surprised" in quotes[0]
    # the mention's own word links to the concept's page, as on the served page
    assert f'href="{site.page_name(concept.key)}"' in quotes[0]
    assert "nobody may quote" not in html and "only in passing" not in html
    # a long line is cut where the served page cuts it
    from grimoire.web.site import mention_line

    long = "word " * 200
    assert mention_line(long).endswith(" …") and len(mention_line(long)) <= 402
