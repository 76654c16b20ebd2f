"""Round 42 (qa42): names a new user met as concepts in an Obsidian vault of course notes and
a Jekyll site's home page; rebuilt in our own words."""

from __future__ import annotations

import pytest

from grimoire.readers import read_file


def _terms(fmt: str, text: str, path: str) -> list[str]:
    return [e.term for d in read_file(fmt, text.encode(), path) for e in d.entries]


@pytest.mark.no_store
def test_a_heading_that_is_only_a_section_number_names_no_concept() -> None:
    """A homework's questions kept under "# 1.1", "# 1.2", ... (one heading per exercise of
    the sheet), in a file whose name says only that it holds questions: `list` showed the
    concept "1.1", `show 1.1` the whole sheet, and every search hit in it was titled "1.1". A
    section's number names nothing: the file names the sheet, whose text stays searchable."""
    text = ("# 1.1\n1. Should the weights be derived by hand or learned from a toy set?\n\n"
            "# 1.2\n1. Does this network skip a layer?\n")
    # A vault's note is a page by its file's name, a generic one too; elsewhere a name that
    # says only "questions" names no concept.
    for fmt, terms in (("obsidian", ["Nets HW1 Questions"]), ("markdown", [])):
        docs = read_file(fmt, text.encode(), "vault/Nets HW1 Questions.md")
        assert [e.term for d in docs for e in d.entries] == terms, fmt
        assert [d.title for d in docs] == ["Nets HW1 Questions"], fmt
        assert "derived by hand" in " ".join(p.text for d in docs for p in d.passages)
    # A number with a name after it is still unnumbered to its name; a year names a thing.
    assert _terms("obsidian", "# 2.3 Attention\n\nAttention weighs each input by its "
                  "match with the query.\n", "vault/Attention.md") == ["Attention"]
    assert _terms("markdown", "# 1984\n\n1984 is a novel about a state that watches.\n",
                  "books/novel.md") == ["1984"]


@pytest.mark.no_store
def test_a_site_home_page_titled_welcome_names_no_concept() -> None:
    """A Jekyll site's `index.md` titled "Welcome!" (its layout draws the list of notes) was
    the concept "Welcome!" with no definition."""
    for title in ("Welcome!", "Welcome to my learning notes"):
        text = f"---\nlayout: home\ntitle: \"{title}\"\nusemathjax: false\n---\n"
        assert _terms("markdown", text, "site/index.md") == [], title
    text = "# Hello World\n\nA hello world program prints one line; it is the first program.\n"
    assert _terms("markdown", text, "notes/hello.md") == ["Hello World"]


@pytest.mark.no_store
def test_a_numbered_set_of_exercises_names_no_concept() -> None:
    """A site kept its practice sheets as `exercises_01.md` titled "Exercises 01", "Exercises
    Part 2", "C++ Exercises 03": ten concepts, each a sheet of questions on a subject, none a
    thing to look up. A numbered exercise ("Exercise 1") already named none."""
    body = "1. Which clause keeps the rows of a group that pass a test?\n"
    for title in ("Exercises 01", "Exercises Part 2", "C++ Exercises 03", "Problems 4"):
        text = f"---\ntitle: \"{title}\"\n---\n\n{body}"
        assert _terms("markdown", text, "site/_notes/sql/sheet.md") == [], title
    for title in ("Q-Learning", "Two Sample Problems"):
        text = f"---\ntitle: \"{title}\"\n---\n\n{title} is what this page explains, with care.\n"
        assert _terms("markdown", text, "site/_notes/sql/page.md") == [title], title


@pytest.mark.no_store
def test_an_order_number_joined_by_an_underscore_is_no_part_of_the_name() -> None:
    """A course's notes numbered for their order, `06_LSTM.md`, `16_GPT.md`, `00_NLP
    Pipeline.md`, `0_intro and tips.md`: `list` showed "06_LSTM" beside the note's own section
    "LSTM (Long Short-Term Memory)" and "16_GPT" with no definition. A name that opens with
    a number writes it with a hyphen or a blank ("3-SAT", "3D CNN"), never an underscore; a
    zero-padded number before a hyphen is an order too."""
    two = ("# {0}\n\n{0} is the subject of this part, said in a sentence.\n\n"
           "# Gates\n\nThree gates decide what the cell keeps.\n")
    cases = {"06_LSTM.md": ("LSTM", "LSTM"), "16_GPT.md": ("GPT", "GPT"),
             "00_NLP Pipeline.md": ("NLP Pipeline", "NLP Pipeline"),
             "07-GRU.md": ("GRU", "GRU"), "3-SAT.md": ("3-SAT", "3-SAT")}
    for name, (heading, term) in cases.items():
        terms = _terms("markdown", two.format(heading), f"course/nlp/{name}")
        assert term in terms and not any(t[0].isdigit() and t != "3-SAT" for t in terms), \
            (name, terms)
