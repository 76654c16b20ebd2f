"""Round 57 (read57): faults met reading public notes in Czech, Spanish, German, Korean and
Chinese, and round 56's leads, each on small notes written here in this test's own words.
Readers called directly (no store): milliseconds a test."""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire import readers
from grimoire.readers.conventions import bare_name, is_generic_heading
from grimoire.readers.latex import _SUB_NUMBER
from grimoire.readers.sections import defines

_CZECH_GLOSSARY = """= Grafové algoritmy

== Toky

Řez::
Je rozdělení vrcholů grafu na dvě části, z nichž jedna obsahuje zdroj.

Tok::
Funkce na hranách taková, že nepřekročí kapacitu žádné hrany.

Kapacita::
Číslo, které omezuje, kolik může hranou protéct.

== Důkazy

Tvrzení::
Maximální tok se rovná minimálnímu řezu.

== Notace

Popisek vrcholů a hran.
"""

_ENGLISH_LIST = """= Sorting

== Contract

Input::
a list of numbers in any order.

Output::
the same numbers from the smallest to the largest.

Cost::
a number of comparisons.
"""


@pytest.mark.no_store
def test_a_czech_description_list_defines_its_terms_without_naming_them() -> None:
    # a Czech student's exam notes write a glossary as `Term::` over its definition, with the
    # subject dropped ("Je ...", "Funkce ..., taková, že", "Číslo, které ..."): none was an
    # entry, since the rule wanted the term's name in its text, as English writes it
    doc = readers.read_file("asciidoc", _CZECH_GLOSSARY.encode(), "fi/grafy.ad")[0]
    terms = [e.term for e in doc.entries]
    for term in ("Řez", "Tok", "Kapacita"):
        assert term in terms, terms
    # a part of the page in Czech ("Důkazy", proofs; "Notace", notation) is no concept
    assert "Důkazy" not in terms and "Notace" not in terms, terms
    # an English list of the same shape ("Input:: a list of ...") stays the page's text
    doc = readers.read_file("asciidoc", _ENGLISH_LIST.encode(), "notes/sort.ad")[0]
    assert [e.term for e in doc.entries] == ["Sorting"], doc.entries
    # a Czech question, an English sentence that opens so, a Czech phrase that names no kind
    assert not defines("Řez", "Je to opravdu nutné?")
    assert not defines("Input", "Je suis Charlie, wrote the paper.")
    assert not defines("Surapprentissage", "Je crée un modèle trop complexe, qui mémorise.")
    assert not defines("Autentizace", "Obvykle podle toho, co uživatel zná nebo vlastní.")
    assert defines("Něco", "Něco, co se dá změřit u každého výsledku pokusu.")


@pytest.mark.no_store
def test_generic_headings_and_title_labels_in_other_languages() -> None:
    for part in ("Důkazy", "Notace", "Formální definice", "Trénink", "Odkazy", "Úvod",
                 "Überblick", "Übersicht", "Ueberblick", "Einführung und Grundbegriffe",
                 "Definición", "Ventajas y desventajas", "Introdução", "Problém",
                 "Math Formulation"):
        assert is_generic_heading(part), part
    for name in ("Statistika", "Kontext", "Zielfunktion", "Salt and Pepper", "Formulation"):
        assert not is_generic_heading(name), name
    # a page labelled by its kind before its subject ("Proyecto: ...", "Anwendung: ...") was
    # the concept "Proyecto" (four pages of one Antora site) or "Anwendung"
    page = ("= Proyecto: Lector de recibos\n\nEn este proyecto leemos recibos escaneados con"
            " un modelo de OCR.\n\n== Estructura\n\nEl código vive en apps/recibos.\n")
    doc = readers.read_file("asciidoc", page.encode(), "pages/proyecto-recibos.adoc")[0]
    assert [e.term for e in doc.entries] == ["Proyecto: Lector de recibos"], doc.entries


@pytest.mark.no_store
def test_a_blogs_category_before_a_posts_title_is_no_part_of_its_name() -> None:
    # a Korean blog titled each post "[Deep Learning] 역전파(Backpropagation)": the concept
    # was named with its category, and `show Backpropagation` did not find it
    for title, name in (("[Deep Learning] 드롭아웃(Dropout)", "드롭아웃(Dropout)"),
                        ("[ML] Dropout", "Dropout")):
        note = (f'---\ntitle: "{title}"\n---\n\nDropout zeroes each unit with a fixed'
                " probability while the network trains.\n")
        doc = readers.read_file("markdown", note.encode(), "_posts/2021-03-01-dropout.md")[0]
        entry = doc.entries[0]
        assert entry.term == name, doc.entries
        assert title in entry.aliases, entry.aliases
    # the English name in brackets after a Korean, Chinese or Russian one is a name of it
    # (a one-word twin was read as a short form, one of several words as a qualifier: the
    # post on "경사하강법(Gradient Descent)" was found by no `show "Gradient Descent"`)
    note = '---\ntitle: "[ML] 확률적 경사하강법(Stochastic Gradient Descent)"\n---\n\nSGD.\n'
    doc = readers.read_file("markdown", note.encode(), "_posts/2021-03-02-sgd.md")[0]
    assert "Stochastic Gradient Descent" in doc.entries[0].aliases, doc.entries
    note = "# 손실 함수 (Loss Function)\n\n손실 함수는 모델의 오차를 잰다.\n"
    doc = readers.read_file("markdown", note.encode(), "notes/loss.md")[0]
    assert "Loss Function" in doc.entries[0].aliases, doc.entries
    note = "# Café (Open Space)\n\nA café where a study group meets.\n"
    doc = readers.read_file("markdown", note.encode(), "notes/cafe.md")[0]
    assert "Open Space" not in doc.entries[0].aliases, doc.entries
    # a rest of no letter keeps its tag ("2016" alone would be a year)
    note = '---\ntitle: "[Puzzles] 2016"\n---\n\nGiven a month and a day, print the weekday.\n'
    doc = readers.read_file("markdown", note.encode(), "_posts/2021-01-02-p.md")[0]
    assert doc.entries[0].term == "[Puzzles] 2016", doc.entries
    # a model's special token opens a name
    note = "# [CLS] Token\n\nThe [CLS] token is prepended to every input of the encoder.\n"
    doc = readers.read_file("markdown", note.encode(), "notes/cls.md")[0]
    assert doc.entries[0].term == "[CLS] Token", doc.entries


@pytest.mark.no_store
def test_explained_in_detail_is_no_part_of_a_chinese_name() -> None:
    assert bare_name("Viterbi 详解") == "Viterbi"
    assert bare_name("CTC 详解\uff08Connectionist Temporal Classification\uff09") \
        == "CTC\uff08Connectionist Temporal Classification\uff09"
    assert bare_name("CTC 详解 (Connectionist Temporal Classification)") \
        == "CTC (Connectionist Temporal Classification)"
    assert bare_name("详解") == "详解"


_STYLE = """#let big(t) = heading(level: 2, t)
#let small(t) = heading(level: 3, t)
"""


@pytest.mark.no_store
def test_typst_imports_only_the_named_heading_functions(tmp_path: Path) -> None:
    (tmp_path / "style.typ").write_text(_STYLE, encoding="utf-8")
    note = tmp_path / "note.typ"
    text = ('#import "style.typ": big // the one this note uses\n\n#big("Beam Search")\n\n'
            "Beam search keeps the best few partial outputs at each step.\n\n"
            '#small("Width")\n\nThe number of outputs kept.\n')
    note.write_text(text, encoding="utf-8")
    doc = readers.read_file("typst", note.read_bytes(), str(note))[0]
    paths = {p.heading_path for p in doc.passages}
    assert ("Beam Search",) in paths, paths
    # `small` is not imported: Typst shows `#small("Width")` as nothing known, no heading
    assert all("Width" not in path for path in paths), paths
    # renamed on import, it is called by its new name
    note.write_text(text.replace(": big //", ": big, small as sub //")
                    .replace("#small(", "#sub("), encoding="utf-8")
    doc = readers.read_file("typst", note.read_bytes(), str(note))[0]
    assert ("Beam Search", "Width") in {p.heading_path for p in doc.passages}


@pytest.mark.no_store
def test_a_typst_tables_dash_cell_is_no_heading_underline() -> None:
    note = """= Sequence Models

== Cost

#table(
  columns: 3,
  [Step], [RNN], [CNN],
  [Total],
  [$O(n)$],
  [---],
)

=== Gated Units

A gated unit decides with a sigmoid how much of its state to keep.
"""
    doc = readers.read_file("typst", note.encode(), "notes/seq.typ")[0]
    paths = {p.heading_path for p in doc.passages}
    # (the cells above a `[---]` were read as a heading, the next section's parent)
    assert ("Sequence Models", "Cost", "Gated Units") in paths, paths
    assert not any("Total" in " ".join(path) for path in paths), paths


@pytest.mark.no_store
def test_a_beamer_subtitle_giving_a_duration_is_no_part_number() -> None:
    assert _SUB_NUMBER.match("1.5 hours, room 204") is None
    assert _SUB_NUMBER.match("2.5 Hours") is None
    for part in ("1.2. Structure", "2.1 k-means", "1.5 Hourglass networks"):
        assert _SUB_NUMBER.match(part) is not None, part
    deck = ("\\documentclass{beamer}\n\\title{1 Optimization}\n\\subtitle{1.5 hours, room 204}"
            "\n\\begin{document}\n\\maketitle\n\\begin{frame}{Step size}\nThe step size"
            " scales each update of the weights.\n\\end{frame}\n\\end{document}\n")
    doc = readers.read_file("latex", deck.encode(), "course/optimization.tex")[0]
    assert doc.title.endswith("Optimization"), doc.title


@pytest.mark.no_store
def test_data_and_app_code_in_a_notes_repository_are_no_notes() -> None:
    # a study repository kept API responses in files of no extension, TensorFlow's
    # `checkpoint` beside a model, and a Play app's view and routes: each was a concept
    # ("champs", '"model.ckpt"', "@title", "routes")
    cases = {
        "lol/champions": b'{"type": "champion", "data": {"Ahri": {"id": 103}}}',
        "lol/history.txt": b'[{"game": 1, "win": true}, {"game": 2, "win": false}]\n',
        "runs/mnist/checkpoint": b'model_checkpoint_path: "model.ckpt"\n'
                                 b'all_model_checkpoint_paths: "model.ckpt"\n',
        "app/views/main.scala.html": b"@(title: String)(content: Html)\n<html><head>"
                                     b"<title>@title</title></head></html>\n",
        "app/conf/routes": b"# Routes\nGET     /          controllers.Home.index\n",
    }
    for path, data in cases.items():
        assert readers.not_a_note(path, data, data.decode()) is not None, path
    # notes that look a little like them are read
    notes = {
        "notes/primes.txt": b"[2, 3, 5, 7] are the first primes.\n",
        "notes/json": b"{JSON} is a text format for data: objects, arrays, numbers.\n",
        "notes/routes": b"Routes in a web app map a path to the code that answers it.\n",
        "notes/checkpoints.txt": b"Checkpoints save the weights during training.\n",
    }
    for path, data in notes.items():
        assert readers.not_a_note(path, data, data.decode()) is None, path
