"""Round 27: what two public note repositories (a cloud and ML engineer's notes beside the
code of their experiments, and a course's generated pages) gave as false concepts, false
conflicts and failed files, each shape rebuilt here in our own words.

- Build and tool files were read as notes: every `Dockerfile` was a concept "Dockerfile", a
  Makefile's first line ("CFLAGS = ...") another, and so was each `#!` script in a `bin/`.
- A CMake build folder (`CMakeCache.txt`, `CMakeFiles/`) and MLflow's `mlruns/` were walked:
  their `link.txt` and `MLmodel` files came back as concepts.
- A Maven `pom.xml` or an OpenCV cascade was read as a MediaWiki dump, and failed.
- A spam-filter data set's messages (`Subject: ...` files) and settings files were concepts
  named by their first line.
- A course's headings ("Day 31 Resources", "⚡ Tasks" on every day) were concepts: "Tasks"
  alone gave 363 conflicts.
- Every page of a site titled "<topic> | <site>" was named with the site's name.
- A page that opens with a paragraph linking to others linked nowhere, and Hugo's
  `{{< relref >}}` links were not links.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire import readers
from grimoire.knowledge import Grimoire
from tests.readers.conftest import labels, write_notes


def _reasons(kb: Grimoire) -> dict[str, str]:
    return {Path(r.path).name: r.reason or "" for r in kb.sources() if r.status == "skipped"}


def test_build_files_and_scripts_are_not_notes(kb: Grimoire, tmp_path: Path) -> None:
    repo = write_notes(tmp_path / "repo", {
        "docker/Dockerfile": "FROM alpine:3.19\nRUN apk add curl\n",
        "docker/Dockerfile2": "FROM busybox\n",
        "kvm/Makefile": "CFLAGS = -O2 -Wall\n\nall: hello\n",
        "app/CMakeLists.txt": "cmake_minimum_required(VERSION 3.10)\nproject(demo)\n",
        "pkg/setup.cfg": "[metadata]\nname = demo\n",
        "pkg/tox.ini": "[tox]\nenvlist = py311\n",
        "pkg/poetry.lock": "# generated\n",
        "bin/build": "#!/bin/sh\nset -e\necho building\n",
        "docker/Docker.md": "# Docker\n\nDocker packs a program and what it needs into an "
                            "image that runs the same anywhere.\n",
    })
    report = kb.ingest([repo], embed=False)
    assert labels(kb) == {"Docker"}
    reasons = _reasons(kb)
    for name in ("Dockerfile", "Dockerfile2", "Makefile", "CMakeLists.txt", "setup.cfg",
                 "tox.ini", "poetry.lock"):
        assert reasons[name].startswith("a build or tool file"), name
    assert reasons["build"].startswith("a script (it starts with #!)")
    assert report.failed == 0


def test_build_and_run_folders_are_not_walked(kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "torchscript.md": "# TorchScript\n\nTorchScript is a subset of Python that a "
                          "compiler turns into a graph a C++ program can load.\n",
        "build/CMakeCache.txt": "CMAKE_BUILD_TYPE:STRING=Release\n",
        "build/CMakeFiles/app.dir/link.txt": "link\n\nc++ -O2 main.o -o app\n",
        "build/notes.txt": "Build Output\n\nThe objects the compiler wrote.\n",
        "mlruns/0/abc123/artifacts/model/MLmodel": "artifact_path: model\n",
        "mlruns/0/abc123/params/alpha": "0.5\n",
    })
    kb.ingest([notes], embed=False)
    assert labels(kb) == {"TorchScript"}
    paths = {Path(r.path).relative_to(notes).as_posix() for r in kb.sources()}
    assert paths == {"torchscript.md"}


def test_xml_that_is_not_a_wiki_dump_is_skipped_with_its_reason(
    kb: Grimoire, tmp_path: Path
) -> None:
    notes = write_notes(tmp_path / "notes", {
        "java/pom.xml": '<?xml version="1.0"?>\n<project>\n  <modelVersion>4.0.0'
                        "</modelVersion>\n</project>\n",
        "cascade.xml": "<?xml version=\"1.0\"?>\n<!-- trained by a tool -->\n"
                       "<opencv_storage><cascade/></opencv_storage>\n",
        "spark.md": "# Spark\n\nSpark runs a job's stages over a cluster's executors.\n",
    })
    report = kb.ingest([notes], embed=False)
    assert report.failed == 0
    reasons = _reasons(kb)
    assert reasons["pom.xml"] == "XML whose root is <project> not a MediaWiki export dump: " \
                                 "not a note"
    assert "<opencv_storage>" in reasons["cascade.xml"]
    assert labels(kb) == {"Spark"}


def test_mail_and_settings_are_searched_but_name_nothing(kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "mails/msg17.txt": "Subject: workshop on parsing\n\nthe call for papers on "
                           "dependency parsing is open until june .\n",
        "mails/inbox.eml": "From: ada@example.org\nTo: lab@example.org\nSubject: tokenizers"
                           "\n\nthe byte pair tokenizer is merged into main .\n",
        "conf/server.conf": "[server]\nport = 8080\nworkers = 4\n",
        "conf/credentials": "[default]\nregion = north\nprofile = lab\n",
        "bpe.md": "# Byte Pair Encoding\n\nByte pair encoding merges the most frequent pair "
                  "of symbols again and again to build a vocabulary.\n",
    })
    kb.ingest([notes], embed=False)
    assert labels(kb) == {"Byte Pair Encoding"}
    formats = {Path(r.path).name: r.format for r in kb.sources() if r.status == "ok"}
    assert formats["inbox.eml"] == formats["server.conf"] == formats["msg17.txt"] == "text"
    hits = kb.search("dependency parsing call for papers", k=3, mode="lexical")
    assert hits and hits[0].span.path.endswith("msg17.txt")


def test_course_and_emoji_headings_name_nothing(kb: Grimoire, tmp_path: Path) -> None:
    day = ("## Day {n} Resources\n\nThe videos and readings for day {n} of the course, "
           "in the order to watch them.\n\n## ⚡ Tasks\n\nWrite the {topic} loop "
           "yourself, then time it {n} times over.\n\n## 🧪 Quiz\n\nAnswer the {n} "
           "questions on {topic} below, then check.\n\n## Lecture {n}\n\nThe recording "
           "of the lecture is online for everyone.\n\n## 🃏 Flashcards — Day {n}\n\n"
           "Turn each card over once you can say what is on its back.\n")
    notes = write_notes(tmp_path / "course", {
        "week1.md": "# Week 1: Foundations\n\n" + day.format(n=1, topic="gradient"),
        "week2.md": "# Week 2: Sequences\n\n" + day.format(n=8, topic="recurrence"),
        # A day's topic is still named by its text when the text defines it.
        "week3.md": "# Week 3 — Regularization\n\n## Day 15 — Dropout\n\nDropout zeroes "
                    "random units while training, so that no unit can lean on another.\n",
    })
    kb.ingest([notes], embed=False)
    assert labels(kb) == {"Dropout"}
    assert not [f for f in kb.lint().findings if str(f.group) == "conflict"]


@pytest.mark.no_store
def test_html_title_drops_the_site_after_a_bar_or_a_dash() -> None:
    page = ("<html><head><title>{title}</title></head><body><h1>{h1}</h1><p>Attention "
            "weighs each token by how well its key matches the query.</p></body></html>")
    (doc,) = readers.read_file("html", page.format(title="Attention | My Site", h1="").encode(),
                               "a.html")
    assert doc.title == "Attention"
    (doc,) = readers.read_file(
        "html", page.format(title="Attention - Notes of Ada", h1="Attention").encode(), "b.html")
    assert doc.title == "Attention"
    assert [e.term for e in doc.entries] == ["Attention"]
    # A dash inside a name stays when nothing says where the page's name ends.
    (doc,) = readers.read_file(
        "html", page.format(title="Actor - Critic", h1="").encode(), "c.html")
    assert doc.title == "Actor - Critic"


BOOK_PAGE = """<html><head><title>{title}</title></head><body>
<div class="book-header"><h1><a href="..">{header}</a></h1></div>
<section class="markdown-section"><h1 id="x">{h1}</h1>
<p>{h1} learn to copy their input through a narrow middle layer.</p>
<h2 id="y">Denoising</h2><p>A denoising one restores an input that was corrupted.</p>
</section><h1 class="search-results-title">results matching</h1></body></html>"""


@pytest.mark.no_store
def test_a_book_page_titled_by_its_file_is_named_by_its_heading() -> None:
    # A public GitBook site: every page was titled "10-autoencoders - · GitBook" (the file's
    # slug, an empty title, the generator), and each was a concept of that name beside the
    # concept of its heading.
    for stem, h1 in (("10-autoencoders", "Autoencoders"), ("15-dato-tools", "Dato Create")):
        page = BOOK_PAGE.format(title=f"{stem} -  · GitBook", header=f"{stem} - ", h1=h1)
        (doc,) = readers.read_file("html", page.encode(), f"book/{stem}.html")
        assert doc.title == h1
        assert h1 in [e.term for e in doc.entries] and not [
            e.term for e in doc.entries if stem in e.term or "GitBook" in e.term]
    page = BOOK_PAGE.format(title="2-nets-intro - Neural Networks · GitBook",
                            header="2-nets-intro - Neural Networks", h1="Neural Networks")
    (doc,) = readers.read_file("html", page.encode(), "book/2-nets-intro.html")
    assert doc.title == "Neural Networks"


def test_links_of_a_pages_opening_text_and_hugo_refs_are_links(
    kb: Grimoire, tmp_path: Path
) -> None:
    notes = write_notes(tmp_path / "site", {
        "Attention.md": "- [Scaled attention](#scaled-attention)\n\n"
                        "Attention builds on [Softmax](softmax.md) and on the "
                        "[keys]({{< relref \"keys.md\" >}}) of every token.\n\n"
                        "## Scaled attention\n\nScaling by the key size keeps the "
                        "[scores]({{% ref \"scores.md\" %}}) small.\n",
        "softmax.md": "# Softmax\n\nSoftmax turns scores into probabilities.\n",
        "keys.md": "# Keys\n\nKeys are what each query is compared with.\n",
        "scores.md": "# Scores\n\nScores are the dot products of a query with the keys.\n",
    })
    kb.ingest([notes], embed=False)
    for name, line in (("Softmax", 3), ("Keys", 3), ("Scores", 7)):
        assert [(Path(m.span.path).name, m.span.start_line) for m in kb.backlinks(name)] == \
            [("Attention.md", line)], name
    assert not kb.wanted(suggestions=False)
    assert not kb.dead_links(suggestions=False)
    # Its table of contents' links to its own sections are no links to another page.
    assert "Attention" not in {m.concept for m in kb.concept("Attention").links}


def test_a_pdf_beside_the_notes_is_still_read(kb: Grimoire, tmp_path: Path) -> None:
    # The content checks for scripts and XML decoded every file's start as text: every PDF
    # of a public course then failed "binary file, not a text note".
    from tests.readers._pdfgen import pdf_bytes

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "orthogonalization.pdf").write_bytes(pdf_bytes(
        [["Each control should change one thing only."]], heading="Orthogonalization",
        binary=bytes(range(256)) * 4))
    (notes / "build.sh").write_text("#!/bin/sh\nmake all\n", encoding="utf-8")
    report = kb.ingest([notes], embed=False)
    assert report.failed == 0, report
    assert {c.label for c in kb.concepts()} == {"Orthogonalization"}
