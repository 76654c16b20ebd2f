"""Round 38 review (review38b): round 38's reader rules tried on notes another writer would
write. Notes written here, in our own words."""

from __future__ import annotations

import pytest

from grimoire.readers import read_file


def _read(fmt: str, text: str, path: str) -> tuple[str, list[str], str]:
    [doc] = read_file(fmt, text.encode(), path)
    return doc.title, [e.term for e in doc.entries], "\n".join(p.text for p in doc.passages)


@pytest.mark.parametrize("fmt", ["markdown", "obsidian"])
@pytest.mark.no_store
def test_a_bold_first_line_does_not_rename_a_note_its_file_names(fmt: str) -> None:
    """A vault note named by its file ("Dropout.md") that opens with a bold status line and a
    generic first heading keeps its file's name: the bold line is the writer's remark, not
    its name (qa38's rule is for notebooks, whose file names are a chapter's number)."""
    for first in ("**Status: draft**", "**Reading notes, March**"):
        text = (f"{first}\n\n# Overview\n\nDropout zeroes random activations during training "
                "so that units cannot co-adapt.\n")
        title, terms, _ = _read(fmt, text, "/vault/ml/Dropout.md")
        assert title == "Dropout", (fmt, first, title)
        assert terms == ["Dropout"], (fmt, first, terms)


@pytest.mark.parametrize("kind", ["Note", "INFO", "Definition"])
@pytest.mark.no_store
def test_an_admonition_whose_type_is_capitalised_is_one(kind: str) -> None:
    """Python-Markdown lowercases an admonition's type: `!!! Note "Softmax"` is the box
    `!!! note "Softmax"` is, not an indented code block under a marker line."""
    text = ("# Activations\n\nA few functions a network applies after a layer.\n\n"
            f'!!! {kind} "Softmax"\n\n    Softmax maps a vector of scores to probabilities '
            "that sum to one.\n")
    _, terms, passages = _read("markdown", text, "/notes/docs/activations.md")
    assert "Softmax" in terms
    assert "!!!" not in passages


@pytest.mark.no_store
def test_every_box_of_a_page_of_many_is_its_entry_with_its_own_text() -> None:
    """Boxes found by their lines (bisection, not a scan of every block for each box): each
    entry holds its own box's text and no other's, a box's box included."""
    boxes = "".join(f'!!! info "Unit{i}"\n\n    Unit{i} is the measure number {i}.\n\n'
                    for i in range(300))
    text = ("# Units\n\nThe units a lab notebook uses.\n\n" + boxes
            + '!!! note "Outer"\n\n    Outer holds a box.\n\n'
            '    !!! note "Inner"\n\n        Inner is the box inside.\n')
    [doc] = read_file("markdown", text.encode(), "/notes/docs/units.md")
    by_term = {e.term: e for e in doc.entries}
    for i in (0, 137, 299):
        entry = by_term[f"Unit{i}"]
        assert f"number {i}." in entry.definition
        assert "Unit" not in entry.definition.replace(f"Unit{i}", "")
    assert "Inner" in by_term and "Inner is the box inside." in by_term["Inner"].definition


@pytest.mark.no_store
def test_a_note_about_the_filler_that_names_it_twice_is_a_note() -> None:
    """A note on placeholder text names "lorem ipsum dolor" more than once; only the filler
    running on ("... sit amet, consectetur adipiscing elit") twice makes a theme's sample."""
    from grimoire.readers import not_a_note, sniff_head

    note = ("# Placeholder text\n\nTypesetters fill a layout with \"Lorem ipsum dolor sit "
            "amet\" before the copy arrives. A language model asked for filler writes lorem "
            "ipsum dolor too, which shows it has memorised the passage.\n")
    data = note.encode()
    assert not_a_note("/notes/typography/placeholder.md", data, sniff_head(data, "p.md")) is None
    filler = "Lorem ipsum dolor sit amet, consectetuer adipiscing elit, sed diam nonummy."
    sample = f"---\ntitle: Sample\ndescription: \"{filler}\"\n---\n\n{filler}\n"
    data = sample.encode()
    assert not_a_note("/site/content/post-1.md", data, sniff_head(data, "p.md"))


@pytest.mark.no_store
def test_a_text_note_of_numbered_points_some_of_them_sentences_is_no_dump() -> None:
    """Points numbered from one of which some are sentences ("4: ... eval. ...") are no offset
    rows of a dump; nor is a second list counted from one again."""
    points = ["why normalise inputs", "batch norm after the linear layer",
              "layer norm for sequences",
              "the running mean is kept for eval. Forgetting eval mode uses batch statistics.",
              "group norm for small batches", "weight standardisation with group norm",
              "instance norm in style transfer. It removes each image's contrast.",
              "RMSNorm drops the mean", "where the norm goes in a transformer",
              "pre-norm trains deeper stacks"]
    text = "\n".join(f"{i}: {p}" for i, p in enumerate(points, 1)) + "\n"
    again = text + "\n" + "\n".join(f"{i}: {p}" for i, p in enumerate(points[:4], 1)) + "\n"
    for note in (text, again):
        [doc] = read_file("text", note.encode(), "/notes/normalisation.txt")
        assert not doc.meta.get("data"), note
        assert [e.term for e in doc.entries] == ["normalisation"]
    dump = "".join(f"  {i}: {op}\n" for i, op in enumerate(
        ["iload_0", "iload_1", "iadd", "istore_2", "iload_2", "ireturn", "nop", "nop"]))
    [doc] = read_file("text", dump.encode(), "/notes/Adder.javap.txt")
    assert doc.meta.get("data")


@pytest.mark.parametrize("title", ["Understanding Attention", "Notes on Attention",
                                   "Attention in 5 minutes", "Why attention works"])
@pytest.mark.no_store
def test_a_post_s_wordier_title_over_its_h1_leaves_the_h1_the_name(title: str) -> None:
    """Round 38 made a front matter title and its H1 one concept named by the title: a post
    titled "Understanding Attention" over "# Attention" was the concept "Understanding
    Attention". The shorter wording names it (the other its alias when it is a name)."""
    text = (f"---\ntitle: {title}\n---\n\n# Attention\n\nAttention weighs every token of the "
            "input by its relevance to the one being computed.\n\n## Scaling\n\nThe scores "
            "are divided by the square root of the key size.\n")
    [doc] = read_file("markdown", text.encode(), "/blog/posts/2023-05-01-post.md")
    assert [e.term for e in doc.entries] == ["Attention"]


@pytest.mark.parametrize("mark", ["!!! IMPORTANT", "!!! important", "??? why"])
@pytest.mark.no_store
def test_a_marker_with_no_title_and_no_body_is_a_line_of_text(mark: str) -> None:
    """A writer's "!!! IMPORTANT" over a paragraph is no box: with no title and nothing
    indented under it, it stays as written (round 38 blanked it)."""
    text = (f"# Bias terms\n\nEvery layer adds a bias.\n\n{mark}\n\nInitialise the biases to "
            "zero, not at random.\n")
    _, _, passages = _read("markdown", text, "/notes/bias.md")
    assert mark in passages and "Initialise the biases" in passages


@pytest.mark.parametrize(("title", "text"), [
    ("Recall", "Recall that the gradient points uphill, so each step goes against it."),
    ("Remember", "Remember to switch the model to evaluation mode before testing."),
    ("Important", "Important: scale the features before fitting."),
    ("In practice", "In practice, a learning rate of 3e-4 is a good start."),
])
@pytest.mark.no_store
def test_a_box_titled_by_advice_defines_nothing(title: str, text: str) -> None:
    """A box whose text goes on from its title as advice ("Recall that ...") is no definition:
    `!!! note "Recall"` over "Recall that ..." gave the metric Recall a definition."""
    note = ("# Gradient descent\n\nGradient descent follows the negative gradient.\n\n"
            f'!!! note "{title}"\n\n    {text}\n\n'
            '!!! info "Momentum"\n\n    Momentum adds a share of the last step to the next.\n')
    _, terms, _ = _read("markdown", note, "/notes/docs/gd.md")
    assert terms == ["Gradient descent", "Momentum"]
