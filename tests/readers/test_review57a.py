"""Round 57 (review57a): read57's rules tried on notes they were not written for: Czech
remarks that open like a definition, an English "twin" that is a lecture's number, a tag of
no letter before a title, a Beamer part whose topic opens like a unit. Readers called
directly (no store), on notes written here in this test's own words."""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire import readers
from grimoire.errors import NotFound
from grimoire.readers.latex import _SUB_NUMBER
from grimoire.readers.sections import defines
from tests.conftest import ingested, write_notes


@pytest.mark.no_store
def test_a_czech_remark_is_no_definition_of_the_heading_above_it() -> None:
    # the copula of a remark ("it is important to ...", "one has to ...", "there are two
    # ways ..."), a clause with a pointer or a verb before "kde"/"který" (here is the place
    # where, we have a graph where, then we use the algorithm that) define nothing, as their
    # English words do not
    for lead in ("Je důležité si uvědomit, že krok učení mění rychlost.",
                 "Je potřeba nejdřív načíst soubor s daty.",
                 "Jsou dva způsoby, jak ztrátu spočítat.",
                 "Je v grafu vždy alespoň jeden list.",
                 "Zde je místo, kde se počítá derivace.",
                 "Máme graf, kde hledáme nejkratší cestu.",
                 "Pak použijeme algoritmus, který jsme viděli minule.",
                 "Tento odstavec, který čtete, je ukázka."):
        assert not defines("Gradientní sestup", lead), lead
    # the definitions read57 read stay definitions
    for lead in ("Je rozdělení vrcholů grafu na dvě části.",
                 "Je to funkce, která každému vstupu přiřadí číslo.",
                 "Lineární kód je takový kód, kde součet dvou slov je opět slovo.",
                 "Číslo, které omezuje, kolik hranou proteče."):
        assert defines("Řez", lead), lead
    note = ("# Zápisky\n\n## Čtvrtek 3. října\n\nJe důležité přijít včas, protože začínáme"
            " písemkou.\n\n## Implementace v Pythonu\n\nJe potřeba nejdřív načíst data ze"
            " souboru.\n")
    terms = [e.term for e in readers.read_file("markdown", note.encode(), "zapisky.md")[0].entries]
    assert terms == ["Zápisky"], terms
    note = note.replace("Je potřeba nejdřív", "Je rutina, která umí")
    terms = [e.term for e in readers.read_file("markdown", note.encode(), "zapisky.md")[0].entries]
    assert "Implementace v Pythonu" in terms and "Čtvrtek 3. října" not in terms, terms


def _entry(title: str, body: str) -> tuple[str, tuple[str, ...]]:
    note = f'---\ntitle: "{title}"\n---\n\n{body}\n'
    entry = readers.read_file("markdown", note.encode(), "_posts/2022-01-01-p.md")[0].entries[0]
    return entry.term, entry.aliases


@pytest.mark.no_store
def test_a_lectures_number_in_brackets_is_no_english_name() -> None:
    # "Gradient descent (Lecture 3)" in Chinese: "Lecture 3" named every course's third
    # lecture, one name of many notes
    for title in ("梯度下降 (Lecture 3)", "线性回归\uff08Part II\uff09",
                  "Линейная регрессия (Week 2)"):
        term, aliases = _entry(title, "Notes of the lecture.")
        assert not any(a.split()[0] in ("Lecture", "Part", "Week") for a in aliases), aliases
        assert term.split()[0] not in ("Lecture", "Part", "Week"), term
    # nor is a part of a page in English, which every such post would share
    for title in ("核心思想 (Main Idea)", "相关工作 (Related Work)"):
        assert _entry(title, "Notes.")[1] in ((), (title,)), title
    # an English name of several words is still one
    assert "Gradient Descent" in _entry("경사하강법(Gradient Descent)", "Notes.")[1]
    assert "Word2Vec Skip Gram" in _entry("词向量 (Word2Vec Skip Gram)", "Notes.")[1]


@pytest.mark.no_store
def test_a_tag_of_no_letter_before_a_title_stays_in_its_name() -> None:
    # "[0, 1]" is the interval a min-max scaling maps into, "[ ]" a task's box: no category
    for title in ("[0, 1] Normalization", "[ ] Gradient clipping"):
        assert _entry(title, "Scaling each feature.")[0] == title
    # nor before a part of a course: "Introduction" alone would be every course's
    for title in ("[Lecture 1] Introduction", "[CS231n] Overview", "[ML] Summary"):
        assert _entry(title, "The first lecture of the course.")[0] == title
    # a category is dropped as read57 made it
    assert _entry("[ML] Gradient clipping", "Capping the norm.")[0] == "Gradient clipping"


@pytest.mark.no_store
def test_a_beamer_parts_topic_that_opens_like_a_unit_is_still_a_part() -> None:
    # read57's quantities ("1.5 hours", "7.5 ECTS") caught topics: "MS COCO", "X-ray",
    # "H-infinity", "Points and Lines"
    for part in ("3.2 MS COCO", "1.2 X-ray Imaging", "3.1 H-infinity Control",
                 "4.1 Points and Lines", "2.3 Units and Dimensions", "1.4 Times Series"):
        assert _SUB_NUMBER.match(part) is not None, part
    for quantity in ("1.5 hours, room 204", "2.5 Hours", "7.5 ECTS", "1.5 h", "2.5 credits"):
        assert _SUB_NUMBER.match(quantity) is None, quantity
    deck = ("\\documentclass{beamer}\n\\title{3. Detection}\n\\subtitle{3.2 MS COCO}\n"
            "\\begin{document}\n\\maketitle\n\\begin{frame}{Annotations}\nEach image has"
            " boxes and masks.\n\\end{frame}\n\\end{document}\n")
    doc = readers.read_file("latex", deck.encode(), "course/L3.2.tex")[0]
    assert doc.title == "MS COCO", doc.title


@pytest.mark.no_store
def test_brackets_nested_past_pythons_limit_are_no_failure_to_tell_a_format() -> None:
    # read57's JSON test parsed a `.txt` file opening on "[": nested 100,000 deep, the parse
    # raised RecursionError, and ingest failed the file ("could not tell the format")
    data = b"[" * 100_000 + b"]" * 100_000
    assert readers.not_a_note("notes/brackets.txt", data, data[:16384].decode()) is None
    data = b'{"a": ' * 100_000 + b"1" + b"}" * 100_000
    assert readers.not_a_note("notes/objects", data, data[:16384].decode()) is None


def test_read57s_names_and_skips_in_a_store(tmp_path: Path) -> None:
    # on the engine the suite runs (GRIMOIRE_TEST_STORE=postgres too): a Korean post found by
    # its English name, two courses' "... (Lecture 3)" notes two concepts (no shared name
    # "Lecture 3"), two courses' "[Lecture 1] Introduction" no concept "Introduction", a JSON
    # data file skipped, brackets nested past Python's limit read
    notes = write_notes(tmp_path / "notes", {
        "blog/_posts/2021-03-01-gd.md": '---\ntitle: "[Deep Learning] 경사하강법(Gradient'
                                        ' Descent)"\n---\n\n경사하강법은 손실을 줄이는 방법이다.\n',
        "zh/gd.md": "# 梯度下降 (Lecture 3)\n\n梯度下降是一种优化方法。\n",
        "zh2/regression.md": "# 线性回归 (Lecture 3)\n\n线性回归假设输入与输出之间是线性关系。\n",
        "cs231n/_posts/2020-01-01-intro.md": '---\ntitle: "[Lecture 1] Introduction"\n---\n\n'
                                             "Image classification and its datasets.\n",
        "cs224n/_posts/2020-01-01-intro.md": '---\ntitle: "[Lecture 1] Introduction"\n---\n\n'
                                             "Word vectors and their uses.\n",
        "data/summoner": '{"id": 7, "name": "x", "level": 30}',
    })
    (notes / "data" / "brackets.txt").write_bytes(b"[" * 50_000 + b"]" * 50_000)
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        post = kb.concept("Gradient Descent")
        assert [e.entry.span.path for e in post.entries] == [
            str(notes / "blog/_posts/2021-03-01-gd.md")], post.entries
        with pytest.raises(NotFound):
            kb.concept("Lecture 3")
        for name in ("梯度下降 (Lecture 3)", "线性回归 (Lecture 3)"):
            assert [e.entry.aliases for e in kb.concept(name).entries] == [()], name
        labels = {c.label for c in kb.concepts()}
        assert "Introduction" not in labels, labels
        status = {Path(s.path).name: (s.status, s.reason or "") for s in kb.sources()}
        assert status["summoner"][0] == "skipped" and "JSON" in status["summoner"][1], status
        assert status["brackets.txt"][0] != "failed", status


def test_a_note_titled_resume_is_a_concept_with_its_links(tmp_path: Path) -> None:
    # read57 made French's "Résumé" (summary) a part of a page: English's résumé, a CV,
    # titled so in a personal vault, was no concept, and the link to it resolved to nothing
    notes = write_notes(tmp_path / "notes", {
        "Résumé.md": "# Résumé\n\nMy résumé lists the projects I worked on.\n",
        "Job search.md": "# Job search\n\nJob search is applying for roles; keep the"
                         " [[Résumé]] current.\n",
    })
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        assert [(m.concept, m.status) for m in kb.backlinks("Résumé")] == [
            ("Job search", "resolved")]
