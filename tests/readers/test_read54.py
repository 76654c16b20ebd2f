"""Round 54 (read54): the faults round 53 left in reading real notes, each on notes written
here in this test's own words. Readers called directly (no store) unless the fault is in what
an ingest reads again: milliseconds a test."""

from __future__ import annotations

from pathlib import Path

import pytest

import grimoire
from grimoire import readers
from grimoire.files import storable
from tests.conftest import one_page_pdf
from tests.readers.test_read51 import _md


@pytest.mark.no_store
def test_an_r_columns_dollar_is_no_formula() -> None:
    # R names a data frame's column `df$col`: a sentence naming two columns read the words
    # between them as a formula ("col and df"), in the store and on every face (round 53
    # left it). After a letter, as after a digit, a `$` opens a formula of one word or of TeX
    # (`R$^2$`), never words with a blank between and no TeX command.
    from grimoire.showing import FORMULA
    from grimoire.web.render import Renderer
    for line, formulas in (
            ("Plot flights$dep_delay and flights$arr_delay against each other.", []),
            ("Then `summary(m)` shows fit$coef and fit$resid side by side.", []),
            ("A model's R$^2$ and its $\\alpha$ stay formulas.", ["^2", "\\alpha"]),
            ("With df$x we take $x \\cdot y$ once.", ["x \\cdot y"]),
            # a formula written right after a word, blanks inside and no TeX command, is
            # still one when no word follows its closing `$` (review54a: "R$^2 = 0.93$" and
            # "O$(n m)$" were prose); prices after their currency stay prose
            ("The fit reached R$^2 = 0.93$ on the test set.", ["^2 = 0.93"]),
            ("Building the table costs O$(n m)$, once.", ["(n m)"]),
            ("Tickets were A$10 and B$20, or US$5 each in bulk.", []),
            ("It cost US$5 million and, later, US$.", [])):
        for path in ("notes/columns.md", "notes/columns.Rmd"):
            doc = _md(f"# Columns\n\n{line}\n", path)
            assert [m.tex for p in doc.passages for m in p.math] == formulas, (line, path)
        assert [m.group(2) for m in FORMULA.finditer(line)] == formulas, line
        assert str(Renderer().markdown(line)).count("<math") == len(formulas), line


@pytest.mark.one_pass(reason="which files are read: the store only keeps their records")
def test_the_pdf_of_a_tex_that_fails_in_its_reader_is_read(tmp_path: Path) -> None:
    # a `.tex` that decodes but fails once read (here: over the size a note may have) hid the
    # PDF TeX made of it all the same, and its text was nowhere (round 53 left it: the check
    # was made before reading). Now the PDF is read after its source failed, the failure
    # said; once the source reads again, the PDF is a built copy again.
    from grimoire.readers.base import ReadOptions
    notes = tmp_path / "notes"
    notes.mkdir()
    pdf = one_page_pdf([(20, "Gradient clipping"), (11, "Clip the norm before each step.")],
                       producer="pdfTeX-1.40.25")
    (notes / "clip.pdf").write_bytes(pdf)
    body = "Gradient clipping caps the norm of the gradient before each step.\n" * 200
    (notes / "clip.tex").write_text("\\documentclass{article}\n\\begin{document}\n"
                                    "\\section{Gradient clipping}\n" + body + "\\end{document}\n")
    small = ReadOptions(max_bytes=len(pdf) + 1024)
    assert (notes / "clip.tex").stat().st_size > small.max_bytes
    (notes / "w").mkdir()  # a pair a watcher's batch will name alone
    (notes / "w" / "clip.pdf").write_bytes(pdf)
    (notes / "w" / "clip.tex").write_bytes((notes / "clip.tex").read_bytes())
    names = {"clip.tex": notes / "clip.tex", "clip.pdf": notes / "clip.pdf",
             "w/clip.tex": notes / "w" / "clip.tex", "w/clip.pdf": notes / "w" / "clip.pdf"}

    def sources(kb: grimoire.Grimoire) -> dict[str, tuple[str, str | None]]:
        stored = {s.path: (s.status, s.reason) for s in kb.sources()}
        return {name: stored[storable(str(path))] for name, path in names.items()}

    copy = ("skipped", readers.BUILT_REASON)
    with grimoire.open(tmp_path / "kb.db") as kb:
        report = kb.ingest(notes, embed=False, options=small, resolve=False)
        assert sorted(f.path for f in report.failures) == sorted(
            storable(str(names[n])) for n in ("clip.tex", "w/clip.tex"))
        assert report.added == 2 and report.skipped == 0, report
        assert sources(kb)["clip.pdf"][0] == sources(kb)["w/clip.pdf"][0] == "ok"
        # the source reads: the PDF is its copy again in that same ingest (read54 kept it one
        # more ingest, its text stored twice: review54a), when a watcher's batch names the
        # source alone too
        kb.ingest([names["w/clip.tex"]], root=notes, embed=False, resolve=False)
        assert sources(kb)["w/clip.pdf"] == copy, sources(kb)
        again = kb.ingest(notes, embed=False, resolve=False)
        assert again.added == 1 and again.unchanged == 1 and again.skipped == 2, again
        assert sources(kb) == {"clip.tex": ("ok", None), "clip.pdf": copy,
                               "w/clip.tex": ("ok", None), "w/clip.pdf": copy}, sources(kb)
        # a too large source is dropped, its PDF read again (the text is nowhere else) ...
        kb.ingest(notes, embed=False, options=small, resolve=False)
        assert sources(kb)["clip.tex"][0] == "failed", sources(kb)
        assert sources(kb)["clip.pdf"] == ("ok", None), sources(kb)
        kb.ingest(notes, embed=False, resolve=False)
        # ... but one that fails otherwise (here: out of time, 1 ms for 0.5 MB) keeps its
        # last reading (`_fail`): its PDF stays its copy, no second copy of its text
        # (review54a: read54 read the PDF beside it)
        (notes / "clip.tex").write_text((notes / "clip.tex").read_text() * 40)
        kb.ingest(notes, embed=False, options=ReadOptions(max_seconds=0.001), resolve=False)
        assert sources(kb)["clip.tex"][0] == "failed", sources(kb)
        assert [(str(s.reason)[:17], s.documents) for s in kb.sources()
                if s.path == storable(str(names["clip.tex"]))] == [("reading took over", 1)]
        assert sources(kb)["clip.pdf"] == copy, sources(kb)


def _book(root: Path, transpose: str) -> Path:
    """A book whose main file defines `\\T` and reads in a chapter that uses it."""
    (root / "chapters").mkdir(parents=True, exist_ok=True)
    (root / "book.tex").write_text(
        f"\\documentclass{{book}}\n\\newcommand{{\\T}}{{{transpose}}}\n\\begin{{document}}\n"
        "\\include{chapters/projection}\n\\end{document}\n")
    chapter = root / "chapters" / "projection.tex"
    chapter.write_text(
        "\\chapter{Projections}\n\\section{Orthogonal projection}\n"
        "An orthogonal projection maps a vector onto the column space of $A$ by "
        "$A (A\\T A)^{-1} A\\T$, the nearest point there.\n")
    return chapter


def _stored_formulas(kb: grimoire.Grimoire) -> str:
    return " ".join(str(e.entry.definition) for e in kb.entry("Orthogonal projection"))


def test_a_chapter_is_read_again_when_its_main_files_macros_change(tmp_path: Path) -> None:
    # a chapter takes `\T` from its book's main file (read53), but the stored reading kept
    # the old meaning after the main file changed it: only the chapter's own bytes said it
    # changed (round 53 left it). Its hash now covers the macros it takes.
    notes = tmp_path / "notes"
    _book(notes, "^{\\top}")
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest(notes, embed=False, resolve=False)
        assert "^{\\top}" in _stored_formulas(kb), _stored_formulas(kb)
        _book(notes, "^{\\mathsf{T}}")  # the chapter's bytes as they were
        report = kb.ingest(notes, embed=False, resolve=False)
        assert report.updated == 2 and report.unchanged == 0, report
        assert "^{\\mathsf{T}}" in _stored_formulas(kb), _stored_formulas(kb)
        assert kb.ingest(notes, embed=False, resolve=False).unchanged == 2


@pytest.mark.no_store
def test_a_main_file_in_a_folder_beside_the_chapters_gives_them_its_macros(
        tmp_path: Path) -> None:
    # `paper/main.tex` reads `\input{../parts/intro}`: the look for a chapter's main file went
    # up from the chapter only, never into the folder beside it (round 53 left it)
    (tmp_path / "paper").mkdir()
    (tmp_path / "parts").mkdir()
    (tmp_path / "paper" / "main.tex").write_text(
        "\\documentclass{article}\n\\newcommand{\\E}{\\mathbb{E}}\n\\begin{document}\n"
        "\\input{../parts/intro}\n\\end{document}\n")
    intro = tmp_path / "parts" / "intro.tex"
    intro.write_text("\\section{Expected loss}\nThe risk is $\\E[\\ell(f(x), y)]$ over the "
                     "data's distribution.\n")
    doc = readers.read_file("latex", intro.read_bytes(), str(intro))[0]
    tex = [m.tex for p in doc.passages for m in p.math]
    assert "{\\mathbb{E}}[\\ell(f(x), y)]" in tex, tex


def _entries(text: str, path: str) -> list[str]:
    return [e.term for e in _md(text, path).entries]


@pytest.mark.no_store
def test_a_decks_greeting_cover_and_title_slide_are_no_concepts() -> None:
    # a deck's template README greets ("Welcome to Slidev!"), a course's site greets in its
    # language ("Willkommen zum Kurs ..."), a deck's cover names the school it was given at,
    # a page on slides names the deck's "Title Slide": each was a concept (round 53 left them)
    greeting = ("# Welcome to [Beamerish](https://example.org/beamerish)!\n\nTo start the show, "
                "install the tool and run it in this folder.\n")
    assert _entries(greeting, "README.md") == []
    # a front page greeting the thing it then defines is its note, as `k8s.md`'s "Welcome
    # to Kubernetes" (review42d), and a name that starts with the word is no greeting
    # (review54a: both lost their concept on a README)
    assert _entries("# Welcome to Gridmetric\n\nGridmetric is a library of metrics that "
                    "accumulate over batches and devices.\n", "README.md") \
        == ["Welcome to Gridmetric"]
    assert _entries("# Welcome-cone sampling\n\nWelcome-cone sampling draws points inside a "
                    "cone around the mean.\n", "README.md") == ["Welcome-cone sampling"]
    assert _entries("---\ntitle: \"Willkommen zum Kurs Maschinelles Sehen\"\n---\n\n"
                    "Hier finden Sie die Folien und Übungen des Kurses.\n", "index.qmd") == []
    cover = ("---\ntheme: default\ntitle: Applied Statistics Winter School\nsubtitle: Kernels\n"
             "---\n\n<br>\n\n---\nsrc: ./parts/1_kernels.md\n---\n")
    assert _entries(cover, "slides.md") == []
    deck = ("# Writing decks\n\n## Title Slide\n\nThe first slide is made from the page's "
            "title and author; leave them out to drop it.\n\n## Speaker notes\n\n"
            "Speaker notes are the text under a slide that only the presenter sees.\n")
    assert "Title Slide" not in _entries(deck, "docs/decks.md")
    # a school of thought is no event: its name ends in "School" too (review54a)
    assert _entries("# Frankfurt School\n\nThe Frankfurt School is the circle of critical "
                    "theorists around Adorno and Horkheimer.\n", "notes/frankfurt.md") \
        == ["Frankfurt School"]
    assert _entries("# Ideas\n\n## Chicago School\n\nThe Chicago School holds that markets "
                    "price information well.\n", "notes/ideas.md") == ["Chicago School"]
    # a school's subject stays a concept
    assert "Gradient descent" in _entries(
        "# Deep Learning Summer School\n\n## Gradient descent\n\nGradient descent moves the "
        "weights against the gradient.\n", "notes/school.md")


@pytest.mark.no_store
def test_a_quizs_headings_in_german_are_no_concepts() -> None:
    # a German course's exercise sheets head their tasks "Aufgabe 3" and the answers
    # "Lösung", as an English one "Exercise 3" and "Solution": each was a concept named so,
    # one of many pages (round 53 left them; a Quarto course's quiz "Quiz & Exam Prep" too)
    body = ("Berechnen Sie die Ausgabegröße einer Faltung mit einem Filter der Größe 3x3 und "
            "Schrittweite 2 auf einem Bild von 32x32 Pixeln.")
    for heading in ("Aufgabe 3", "Lösung", "Lösungen", "Lösung zu Aufgabe 3",
                    "Übung 2: Faltung", "Prüfungsfragen", "Quiz zur Faltung", "Quiz & Exam Prep",
                    "Zusammenfassung", "Allgemeine Informationen", "Exercise 3"):
        assert heading not in _entries(f"# {heading}\n\n{body}\n", "kurs/blatt.md"), heading
    # a subject named in German stays one
    assert _entries(f"# Rezeptives Feld\n\n{body}\n", "kurs/blatt.md") == ["Rezeptives Feld"]
    # ... a German word that ends in "fragen" but asks nothing ("Datenbankabfragen", queries),
    # a quiz's name that is a task's (the Quiz Bowl questions of QA papers) stay concepts
    # (review54a: "\w*fragen" and "quiz" before anything took them)
    query = "Eine Datenbankabfrage liest Zeilen aus Tabellen, gefiltert nach Bedingungen."
    assert _entries(f"# Datenbankabfragen\n\n{query}\n", "db/sql.md") == ["Datenbankabfragen"]
    assert _entries("# Quiz Bowl\n\nQuiz Bowl questions reveal clues one by one, so a QA "
                    "model may answer early.\n", "nlp/qa.md") == ["Quiz Bowl"]
    # and English quizzes of a course, after their kind (review54a)
    english = ("Compute the receptive field of two stacked 3x3 convolutions and say why it "
               "grows with depth.")
    for heading in ("Practice Quiz", "Pop Quiz", "Check Your Understanding", "Self-Assessment"):
        assert heading not in _entries(f"# {heading}\n\n{english}\n", "course/week3.md"), heading


DECK = ("\\documentclass{{beamer}}\n\\title{{{title}}}\n\\subtitle{{{subtitle}}}\n"
        "\\begin{{document}}\n\\begin{{frame}}\\titlepage\\end{{frame}}\n"
        "\\begin{{frame}}{{What it is}}\n{body}\n\\end{{frame}}\n\\end{{document}}\n")


@pytest.mark.no_store
def test_a_course_title_over_many_decks_leaves_each_named_by_its_subtitle(
        tmp_path: Path) -> None:
    # a course's decks each `\title` the course and `\subtitle` their lecture ("2 - Recurrent
    # Networks"): nine decks were pages of one name, merged into one concept (round 53 left
    # it). Where the file's name shares words with the subtitle and none with the title, the
    # subtitle names the deck, without its order number.
    course = "Sequence Models and Signal Processing"
    decks = {"recurrent_networks.tex": ("2 - Recurrent Networks", "An RNN keeps a state."),
             "attention_intro.tex": ("Introduction to Attention", "Attention weighs inputs."),
             "kalman_filter.tex": (course, "A Kalman filter tracks a hidden state.")}
    titles = {}
    for name, (subtitle, body) in decks.items():
        title = "Kalman Filters" if name.startswith("kalman") else course
        text = DECK.format(title=title, subtitle=subtitle, body=body)
        titles[name] = readers.read_file("latex", text.encode(), f"course/{name}")[0].title
    assert titles == {"recurrent_networks.tex": "Recurrent Networks",
                      "attention_intro.tex": "Introduction to Attention",
                      "kalman_filter.tex": "Kalman Filters"}, titles
    # a deck titled by its topic and subtitled by its place in a course or by its occasion
    # keeps its title: the file's name shares a word of a deck's kind with the subtitle, or
    # the subtitle is an event's (review54a: read54 titled them "Lecture 3", "PhD Defense",
    # "ICML 2024", their topic lost)
    for name, subtitle in (("lecture_3.tex", "Lecture 3"), ("lecture-03.tex", "Lecture 3 of ML101"),
                           ("defense.tex", "PhD Defense"), ("talk_icml.tex", "ICML 2024"),
                           ("slides_week2.tex", "Week 2 slides"), ("tutorial.tex", "A Tutorial"),
                           ("seminar_talk.tex", "Reading group talk"),
                           ("icml.tex", "ICML talk")):
        text = DECK.format(title="Kalman Filters", subtitle=subtitle, body="A filter.")
        assert readers.read_file("latex", text.encode(), f"course/{name}")[0].title \
            == "Kalman Filters", name
    # a deck with a slide of its topic's name keeps the course's title: the page would take
    # the slide's name and lose its definition (left as it was)
    text = DECK.format(title=course, subtitle="3 - Recurrent Networks",
                       body="x").replace("What it is", "Recurrent Networks")
    doc = readers.read_file("latex", text.encode(), "course/recurrent_networks.tex")[0]
    assert doc.title == course, doc.title


@pytest.mark.no_store
def test_a_tex_build_renamed_for_print_is_a_copy(tmp_path: Path) -> None:
    # `deck-handout.pdf` and `deck43.pdf` (the 4:3 print) are pdfTeX's builds of `deck.tex`
    # beside them, each read as a second copy of the deck (round 53 left them): copies as
    # `deck.pdf` is. A PDF of a name of its own beside them stays a note.
    (tmp_path / "deck.tex").write_text(DECK.format(title="Kernels", subtitle="Lecture 4",
                                                   body="A kernel is an inner product."))
    pdf = one_page_pdf([(20, "Kernels"), (11, "A kernel is an inner product.")],
                       producer="pdfTeX-1.40.25")
    for name in ("deck.pdf", "deck-handout.pdf", "deck43.pdf", "deck_print.pdf",
                 "decks.pdf", "deck-exercises.pdf", "deck2.pdf"):
        (tmp_path / name).write_bytes(pdf)
    built = {n: readers.built_copy(str(tmp_path / n)) for n in
             ("deck.pdf", "deck-handout.pdf", "deck43.pdf", "deck_print.pdf", "decks.pdf",
              "deck-exercises.pdf", "deck2.pdf")}
    assert built == {"deck.pdf": True, "deck-handout.pdf": True, "deck43.pdf": True,
                     "deck_print.pdf": True, "decks.pdf": False, "deck-exercises.pdf": False,
                     "deck2.pdf": False}, built
