"""Round 41 (qa41): what a new user met on a public Obsidian vault of AI course and project notes
(quiz notes of nested callouts, worked sizes of CNNs and transformers in LaTeX with the unit
after the formula), rebuilt in our own words on real files, through the real faces."""

from __future__ import annotations

from pathlib import Path

import pytest

import grimoire
from grimoire.errors import NotFound
from grimoire.lint.arithmetic import find_claims, wrong_claims
from grimoire.readers import read_file

_QUIZ = (
    "> [!question] Max pooling keeps the mean of each window.\n"
    ">> [!success]- Answer\n"
    ">> False\n"
    "\n"
    "> [!question] Dropout switches off units at random while training.\n"
    ">> [!success]+ Answer\n"
    ">> True\n"
    "\n"
    "> [!example] Group A\n"
    "> > [!note] Inner box\n"
    "> > A quoted line that stays.\n"
    "\n"
    "> [!question] Match each layer with its job.\n"
    ">> [!example] Layers\n"
    ">> a) Pooling\n"
    ">>\n"
    ">> [!example] Jobs\n"
    ">> n) Shrinks the map\n"
)


@pytest.mark.no_store
def test_a_callout_inside_a_callout_loses_its_marker() -> None:
    """A quiz note nests each answer in its question (`> [!question] ...` then
    `>> [!success]- Answer`): the inner marker stood in the text, the passages and every
    search snippet ("... artifact. [!success]- Answer False")."""
    [doc] = read_file("obsidian", _QUIZ.encode(), "quiz.md")
    text = "\n".join(p.text for p in doc.passages)
    assert "[!" not in text, text
    for words in ("Max pooling keeps the mean", "Answer", "False", "Dropout switches off",
                  "True", "Group A", "Inner box", "A quoted line that stays.", "Layers",
                  "a) Pooling", "Jobs", "n) Shrinks the map"):
        assert words in text, (words, text)
    # A plain quote inside a quote keeps every word.
    [doc] = read_file("obsidian", b"> Outer words.\n>> [not a marker] inner words.\n", "q.md")
    assert "[not a marker] inner words." in "\n".join(p.text for p in doc.passages)


@pytest.mark.no_store
def test_the_scale_word_after_a_formula_scales_its_result() -> None:
    """`$25,088 \\times 4,096 \\approx 102$ Million parameters`: the word after the closing
    `$` is the result's magnitude, as it is after a plain claim. Lint said "= 102, but it
    computes to 1.0276e+08" for twelve such sizes of one vault."""
    right = [
        r"a dense layer of $25,088 \times 4,096 \approx 102$ Million weights",
        r"about $64 \times 64 \times 512 \times 512 \times 9 \approx 9.6$ billion operations",
        r"the map is $1,920 \times 1,920 \approx 3.7$ million entries",
        "a 4000\u00d74000 = 16 megapixels photo",
        r"$3 \times 1000 = 3$ thousand",
    ]
    for text in right:
        assert list(find_claims(text)), text
        assert wrong_claims(text) == [], text
    wrong = [
        r"a dense layer of $25,088 \times 4,096 \approx 150$ Million weights",
        r"$224 \times 224 \times 512 \times 9 \times 512 \approx 52$ billion operations",
        "a 4000\u00d74000 = 26 megapixels photo",
    ]
    for text in wrong:
        assert len(wrong_claims(text)) == 1, text
    [claim] = wrong_claims(wrong[0])
    assert claim.stated == 150e6


@pytest.mark.no_store
def test_a_size_in_bytes_may_leave_out_the_width_of_each_number() -> None:
    """`32 x 3 x 384 x 384 = 56 MB in float32` counts numbers on the left and bytes on the
    right (4 a number): right for some width of 1, 2, 4 or 8 bytes, in MB or MiB, is right."""
    for text in ("a batch of 32 \u00d7 3 \u00d7 384 \u00d7 384 = 56 MB in float32",
                 r"it holds $224 \times 224 \times 64 \times 4 \approx 12.9$ MB",
                 "1024 x 1024 = 8 MB of float64",
                 "4 x 100 x 150 x 100 = 6 million bytes"):
        assert wrong_claims(text) == [], text
    assert len(wrong_claims("1024 x 1024 = 64 MB")) == 1
    assert len(wrong_claims("1024 x 1024 = 64 GiB")) == 1


@pytest.mark.no_store
def test_a_number_with_thousands_is_taken_whole_or_not_at_all() -> None:
    """`# 128 * (3*3*64) + 128 = 73,856 + 128 = 73,984`, a comment of a notebook's code, was
    flagged "= 73, but it computes to 73856": its right side goes on, no claim is made there."""
    text = "# with bias: 128 * (3*3*64) + 128 = 73,856 + 128 = 73,984"
    assert [c.stated_text for c in find_claims(text)] == ["73984"]
    assert wrong_claims(text) == []
    assert [c.stated for c in wrong_claims("2 * 3 = 7,000 + 1")] == []


def test_the_vault_faces_show_no_callout_marker_and_lint_no_false_size(tmp_path: Path) -> None:
    """Through the store: search's snippet and lint's arithmetic group, on two notes."""
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "Pooling Quiz.md").write_text(_QUIZ, encoding="utf-8")
    (vault / "Dense Layers.md").write_text(
        "# Dense Layers\n\nA dense layer after a flattened map of 25,088 values and 4,096 "
        "units needs $25,088 \\times 4,096 \\approx 102$ Million weights, most of the "
        "network's size.\n", encoding="utf-8")
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([vault], embed=False)
        hits = kb.search("max pooling mean of each window", k=3, mode="lexical")
        assert hits and all("[!" not in h.text for h in hits)
        assert "arithmetic" not in kb.lint().by_group()


@pytest.mark.no_store
def test_a_file_number_with_no_blank_or_a_leading_zero_is_no_part_of_the_name(
        tmp_path: Path) -> None:
    """A course folder named its notes `5.The Kernel Trick.md` and `01 Foundations and
    Philosophy.md`: `list` and every face showed "5.The Kernel Trick" while `5. The Kernel
    Trick.md` gave "The Kernel Trick". A number that goes on, or one with no zero before it,
    stays."""
    body = "Some words on the subject of this note, how it works and why.\n"
    cases = {
        "5.The Kernel Trick.md": "The Kernel Trick",
        "01 Foundations and Philosophy.md": "Foundations and Philosophy",
        "1.5B Parameter Models.md": "1.5B Parameter Models",
        "3 Sigma Rule.md": "3 Sigma Rule",
    }
    for name, term in cases.items():
        docs = read_file("obsidian", f"# {name[:-3]}\n\n{body}".encode(), f"vault/{name}")
        assert [e.term for d in docs for e in d.entries] == [term], name


@pytest.mark.no_store
def test_a_numbered_quiz_names_no_concept(tmp_path: Path) -> None:
    """Two courses' quiz notes, each `Q1.md`, one titled "# Quiz Question 1": one concept
    "Quiz Question 1" that merged the two by the name "Q1", quizzes on noise and on activation
    functions shown as one thing. A quiz's number is the course's order, as "Problem 1" is."""
    for name, title in (("Q1.md", None), ("Q2.md", "Quiz Question 2"), ("Quiz 3.md", None)):
        head = f"# {title}\n\n" if title else ""
        text = f"{head}Which layer keeps the largest value of each window? Max pooling.\n"
        docs = read_file("obsidian", text.encode(), f"course/quiz/{name}")
        assert [e.term for d in docs for e in d.entries] == [], name
        assert "Max pooling" in " ".join(p.text for d in docs for p in d.passages)
    for title in ("Q-Learning", "QLoRA", "Q8 - Logistic Regression"):
        docs = read_file("obsidian", f"# {title}\n\nIt is what it is, as said.\n".encode(),
                         f"notes/{title}.md")
        assert [e.term for d in docs for e in d.entries] == [title], title


def test_chapters_parts_named_part_1_are_not_one_concept(tmp_path: Path) -> None:
    """A project's write-up keeps each chapter in a folder of `Part_1.md`, `Part_2.md`, ...,
    each titled by its chapter: every chapter's `Part_1` was an alias, and nine chapters (on
    vision, decoding, tokenization, ...) were one concept, in conflict with itself. "Part 1"
    was already no name; the underscore a file name writes for the blank is none either."""
    vault = tmp_path / "vault"
    for folder, title, text in (
            ("Chapter 1 - Vision", "Chapter 1: Vision and the Encoder",
             "The encoder turns the picture into a grid of features."),
            ("Chapter 2 - Decoding", "Chapter 2: Decoding and the Decoder",
             "The decoder writes the answer one token at a time.")):
        (vault / folder).mkdir(parents=True)
        (vault / folder / "Part_1.md").write_text(f"# {title}\n\n{text}\n", encoding="utf-8")
    (vault / ".obsidian").mkdir()
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([vault], embed=False)
        vision = kb.concept("Vision and the Encoder")
        decoding = kb.concept("Decoding and the Decoder")
        assert vision.id != decoding.id
        with pytest.raises(NotFound):
            kb.concept("Part_1")
