"""Round 52 (review52a): a second look at read52's reading rules, each fault on notes written
here in this test's own words. Readers called directly (no store): milliseconds a test."""

from __future__ import annotations

from tests.readers.test_read50 import _read as _tex
from tests.readers.test_read50 import _texts
from tests.readers.test_read51 import _md, _page
from tests.readers.test_read52 import _read
from tests.readers.test_review51a import INPUTS


def test_a_comma_before_a_qualifier_or_a_second_name_is_no_subtitle() -> None:
    # read52 named "X, <-ly word> ..." X: an adverb that qualifies the next word ("weakly
    # supervised", "Fully Convolutional"), a frequency ("usually used for") or a noun in -ly
    # ("Firefly") is no way of treating X; the page is not X's
    body = ("{head} is what this page is about, and {rest} is what it adds to it, with a "
            "worked example and a short list of papers.")
    for title in ("Object detection, weakly supervised", "Fusion layer, usually used for fusion",
                  "Metaheuristics, Firefly algorithm", "Dense, Fully-Connected layers"):
        head, rest = title.split(", ")
        term, _ = _page(title, body.format(head=head, rest=rest), "blog/post.md")
        assert term == title, (title, term)
    # an acronym before the comma and its spelling after it: named by the spelling, no
    # longer by the acronym alone
    term, aliases = _page("LLE, Locally Linear Embedding",
                          "LLE rebuilds each point from its neighbours; locally linear "
                          "embedding keeps those weights in fewer dimensions.", "blog/lle.md")
    assert term == "Locally Linear Embedding" and "LLE" in aliases, (term, aliases)
    # read52's subtitles still name their subject
    for title in ("Backprop, slowly", "Backprop, slowly and carefully",
                  "Backprop, intuitively explained", "Backprop, explained without the maths"):
        term, _ = _page(title, "Backprop carries the error back through the layers.",
                        "blog/bp.md")
        assert term == "Backprop", (title, term)


def test_a_generated_page_titled_as_a_listing_but_written_in_prose_is_a_page() -> None:
    # read52 took any page a generator made (Nikola, but pandoc, Org, MkDocs too) titled
    # "Categories" or "Tags" for a listing of posts: a page of prose on categories (the
    # mathematics) named nothing. A listing is mostly links (read52's test keeps those).
    prose = ("<p>A category has objects and arrows between them; arrows compose, the "
             "composition is associative and every object has an identity arrow.</p>"
             "<p>Functors map the objects and arrows of one category to another and keep "
             "composition; natural transformations map one functor to another.</p>")
    for generator in ("pandoc", "Nikola (getnikola.com)"):
        doc = _read(f'<html><head><title>Categories</title><meta name="generator" '
                    f'content="{generator}"></head><body><h1>Categories</h1>{prose}'
                    '<p><a href="index.html">Home</a></p></body></html>', "notes/categories.html")
        assert [e.term for e in doc.entries] == ["Categories"], (generator, doc.entries)


def test_a_chapter_on_graphs_or_images_read_in_stops_the_section_numbers() -> None:
    # read52 kept the numbers after an `\input` whose name holds "graph" or "image" as a
    # table's or a figure's: `\input{chapters/graph_networks}` is a chapter with sections
    for name in ("chapters/graph_networks", "image_classification"):
        text = _texts(_tex(INPUTS.replace("chapters/dual", name)))
        assert "Section Kernels follows the file read in" in text, (name, text)


NOT_GLOSSARIES = """\
Notes on the project
====================

What changed, how I ran it, and who did what.

Changes
-------

Version 0.3
    Added the sampler and fixed the loader.

Version 0.2
    First public release with the trainer.

Settings
--------

Learning rate
    0.001, halved every ten epochs.

Batch size
    64 on one card.

Errors
------

ValueError
    When the file holds no rows at all.

KeyError
    When a column the schema asks for is missing.

Reading group
-------------

Alice
    Presented the attention paper.

Bob
    Presented the diffusion paper.

House prices
------------

A line fits them well: :math:`Price = Slope \\cdot Size + Offset`, where

Slope
    the change in price for one more square metre.

Offset
    the price the line gives a house of no size.

Terms
-----

Epoch
    One pass of the trainer over every example in the training set.

Logit
    :math:`\\log p - \\log (1 - p)`, the score before the sigmoid.
"""


def test_an_articles_definition_list_of_changes_settings_or_people_is_no_glossary() -> None:
    # read52 read every list of short capitalised terms as a glossary: a changelog's
    # versions, a run's settings (the value, no definition, as "Learning rate"'s),
    # exceptions and people were concepts, and so were a formula's symbols when the formula
    # stood in the line before. A glossary's items each say what the term is (a formula,
    # "is"/"a"/"the"..., a sentence of some length that is no past event)
    doc = _read(NOT_GLOSSARIES, "notes/project.rst")
    terms = {e.term for e in doc.entries}
    assert not terms & {"Version 0.3", "Learning rate", "ValueError", "Alice", "Slope"}, terms
    assert {"Epoch", "Logit"} <= terms, terms


def test_a_one_word_name_and_letters_of_it_after_a_comma_are_two_things() -> None:
    # "Models, ML", "Alignment, AI": the letters can be read off the word (Schwartz &
    # Hearst's test), but a one-word name's acronym is its capitals (AutoEncoder, AE) or
    # its first letters (Encoder, ENC); read52 made ML an alias of "Models"
    heads = ("Models, ML", "Alignment, AI", "AutoEncoder, AE", "Encoder, ENC")
    doc = _md("# Topics\n\nA page of topics.\n\n" + "".join(
        f"## {h}\n\n{h.split(', ')[0]} is what this part covers, with an example of it in use."
        "\n\n" for h in heads), "notes/topics.md")
    names = {e.term: e.aliases for e in doc.entries}
    assert "Models" not in names and "Alignment" not in names, names
    assert "AE" in names["AutoEncoder"] and "ENC" in names["Encoder"], names
