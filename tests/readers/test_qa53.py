"""Round 53 (qa53): what a new user met reading a summer school's Slidev deck (one file of
slides per lecture, `slides/1_single_layer_NN.md`, each slide under an H1 after a `---`) and a
course's Beamer slides; each shape rebuilt here in our own words. No store."""

from __future__ import annotations

import pytest

from grimoire.readers import read_file


def _terms(text: str, path: str) -> list[str]:
    return [e.term for d in read_file("markdown", text.encode(), path) for e in d.entries]


def _titles(text: str, path: str) -> list[str]:
    return [d.title for d in read_file("markdown", text.encode(), path)]


# A lecture's slides as Slidev (and reveal.js, Marp without its front matter) write them: every
# slide opens with an H1 after a `---` line; a slide may carry its own front matter
# (`layout: center`) between two `---` lines.
_DECK = ("# Recurrent Neural Networks\n\n"
         "A recurrent neural network reads a sequence one step at a time and carries a hidden "
         "state from each step to the next.\n\n"
         "---\n\n# Recurrent Neural Networks: Example\n\n"
         "| step | input | state |\n|---|---|---|\n| 1 | a | 0.2 |\n| 2 | b | 0.5 |\n\n"
         "---\nlayout: center\n---\n\n# Course logistics\n\n"
         "Office hours are on Tuesdays after the lecture, in the room beside the lab.\n\n"
         "---\n\n# Truncated Backpropagation Through Time\n\n"
         "Truncated backpropagation through time unrolls the network for a fixed number of "
         "steps and stops the gradient there.\n")


@pytest.mark.no_store
def test_a_slide_decks_file_name_is_no_concept() -> None:
    """`list` opened with "1_single_layer_NN", "3_fitting_NN", "5_convolution_layer" and
    "9_DL_tools": each deck was read as topics side by side (one per slide's H1), so its file
    named it, and that name, an order number and words joined by "_", was a concept of no text.
    A deck is one page named by its first slide; its slides are its sections, an entry each
    when its text defines its title (as a Marp deck's are)."""
    path = "slides/2_recurrent_NN.md"
    terms = _terms(_DECK, path)
    assert not any("_" in t for t in terms), terms
    assert _titles(_DECK, path) == ["Recurrent Neural Networks"]
    assert "Recurrent Neural Networks" in terms, terms
    assert "Truncated Backpropagation Through Time" in terms, terms
    assert "Course logistics" not in terms, terms
    # A slide's own front matter is no heading ("layout: center" was a setext H2).
    assert not any("layout" in t for t in terms), terms


@pytest.mark.no_store
def test_a_deck_named_by_a_slug_keeps_its_first_slides_concept() -> None:
    """`4_backpropagation.md` opened on "# Backpropagation", its text under a question in an H4;
    as topics of a note named by a slug it was no page ("'Backpropagation' is the title of a
    document, not a concept's name") and its first slide no entry: `show Backpropagation`
    found only "Backpropagation: Example"."""
    deck = ("# Dropout\n\n#### How do we keep a large network from memorising its data?\n\n"
            "Dropout sets a random share of the activations to zero at each training step, so "
            "that no unit can rely on another.\n\n"
            "---\n\n# Dropout: Example\n\nA layer of ten units with a rate of 0.3 keeps seven "
            "of them on a typical step.\n\n"
            "---\n\n# Dropout in PyTorch\n\n```python\nlayer = nn.Dropout(p=0.3)\n```\n")
    terms = _terms(deck, "slides/4_dropout.md")
    assert "Dropout" in terms, terms


@pytest.mark.no_store
def test_a_note_of_topics_without_slide_breaks_keeps_them() -> None:
    """A note of H1 topics side by side with no `---` before them stays topics (round 37's
    notebook of distributions, each under its own H1)."""
    note = ("# Poisson Distribution\n\nThe Poisson distribution counts events in a fixed "
            "interval when they occur independently at a constant rate.\n\n"
            "# Gamma Distribution\n\nThe gamma distribution models waiting times until a "
            "number of such events has occurred.\n")
    terms = _terms(note, "stats/distributions.md")
    assert "Poisson Distribution" in terms and "Gamma Distribution" in terms, terms


@pytest.mark.no_store
def test_a_citation_in_brackets_after_a_name_is_no_part_of_it() -> None:
    """A slide titled "AlexNet [Krizhevsky et al., 2012]", another "VGG-16 [Simonyan et al.,
    2014]": the citation in brackets was part of the concept's name, and `show AlexNet` found
    nothing (in parentheses it was dropped since review51c)."""
    from grimoire.readers.conventions import bare_name

    assert bare_name("AlexNet [Krizhevsky et al., 2012]") == "AlexNet"
    assert bare_name("VGG-16 [Simonyan and Zisserman, 2014]") == "VGG-16"
    assert bare_name("Word2Vec [Skip-gram]") == "Word2Vec [Skip-gram]"


@pytest.mark.no_store
def test_quarto_front_matter_after_a_blank_line_titles_the_page() -> None:
    """Two of a Quarto course's slide files opened with an empty line, then `---`, `title:`,
    `---`, as Pandoc reads them still: the title was a paragraph and the deck was the concept
    "cnns", its file's name. A rule around text further down stays a rule."""
    qmd = ("\n---\ntitle: \"Graph Neural Networks\"\nparams:\n  images: \"/img/\"\n---\n\n"
           "## Message Passing\n\nEach node gathers its neighbours' states and updates its "
           "own from them.\n")
    docs = read_file("markdown", qmd.encode(), "pages/slides/gnns.qmd")
    assert [d.title for d in docs] == ["Graph Neural Networks"]
    assert "gnns" not in [e.term for d in docs for e in d.entries]
    # Line numbers stay the file's: the heading is on line 8.
    assert min(p.span.start_line for d in docs for p in d.passages) >= 8
    rule = "\nA note.\n\n---\n\nSome text between rules.\n\n---\n"
    assert [d.title for d in read_file("markdown", rule.encode(), "notes/rules.md")] == ["rules"]


@pytest.mark.no_store
def test_a_deck_of_supplementary_slides_names_no_concept() -> None:
    """`0_supplementary.md` opened with a slide "# Supplementary slides" (its own front matter
    `layout: center` above it), then one slide a topic: once its file was said to name it, the
    deck was the concept "Supplementary slides"."""
    deck = ("---\nlayout: center\n---\n# Supplementary slides\n\n---\n\n# Weight Decay\n\n"
            "Weight decay adds a penalty on the size of the weights to the loss, shrinking "
            "them a little at every step.\n")
    terms = _terms(deck, "slides/0_supplementary.md")
    assert "Supplementary slides" not in terms, terms
    assert "Weight Decay" in terms, terms


@pytest.mark.no_store
def test_a_beamer_slide_kept_in_a_file_of_its_own_is_no_concept_named_by_the_file() -> None:
    """A course's Beamer decks keep each slide in a file of its own (`src/svm_soft_margin.tex`,
    one `\\begin{frame}{Title}` ... `\\end{frame}`), which the deck `\\include`s: each file was
    a concept named by its file, "svm_soft_margin", "boundary1", "closer2" (about 100 of the
    course's 322 entries). The slide is read as a deck's slide: an entry when its text defines
    its title, the file's name none."""
    defines = ("\\begin{frame}{Soft margin}\nA soft margin lets some training points fall "
               "inside the margin or on the wrong side, at a cost that grows with how far "
               "they are.\n\\end{frame}\n")
    shows = ("\\begin{frame}{Boundary after one round}\n\\begin{center}\n"
             "\\includegraphics[width=0.6\\textwidth]{img/boundary1.pdf}\n\\end{center}\n"
             "\\end{frame}\n")
    soft = [e.term for d in read_file("latex", defines.encode(), "svm/tex/src/svm_soft_margin.tex")
            for e in d.entries]
    assert soft == ["Soft margin"], soft
    docs = read_file("latex", shows.encode(), "boosting/tex/src/boundary1.tex")
    assert [e.term for d in docs for e in d.entries] == []
    # a hit in it is shown under its slide's title, not "boundary1"
    assert [d.title for d in docs] == ["Boundary after one round"]


@pytest.mark.no_store
def test_a_frames_options_without_a_title_are_no_text() -> None:
    """Each deck's `src/titlepage.tex` holds a frame of options and `\\titlepage` only:
    `\\begin{frame}[noframenumbering]` read "[noframenumbering]" as the slide's text, and the
    file was the concept "titlepage", 19 times over the course."""
    tex = ("\\bgroup\n\\renewcommand{\\insertframenumber}{}\n"
           "\\begin{frame}[noframenumbering]\n  \\titlepage\n\\end{frame}\n\\egroup\n")
    docs = read_file("latex", tex.encode(), "lab/trees/tex/src/titlepage.tex")
    assert [p.text for d in docs for p in d.passages] == []
    assert [e.term for d in docs for e in d.entries] == []
    fragile = ("\\begin{frame}[fragile]\n\\frametitle{Gini impurity}\nGini impurity is the "
               "chance that two items drawn from a node at random belong to different "
               "classes.\n\\end{frame}\n")
    texts = [p.text for d in read_file("latex", fragile.encode(), "lab/trees/tex/src/gini.tex")
             for p in d.passages]
    assert texts and not any("fragile" in t for t in texts), texts


@pytest.mark.no_store
def test_a_decks_main_file_of_includes_is_a_page_not_an_empty_term() -> None:
    """Slidev's `slides.md` is front matter, a cover of markup and one `---` / `src: x.md` /
    `---` block per lecture: once those blocks were no headings, the file was a term file with
    no definition, and lint called "Data Analysis Summer School" empty. Markup with no text
    is a page, named by its title, as before."""
    deck = ("---\ntheme: default\ntitle: Spring School on Learning\n---\n\n"
            "<div class=\"cover\">\n  <img src=\"/logo.svg\">\n</div>\n\n"
            "---\nsrc: ./slides/1_intro.md\n---\n\n---\nsrc: ./slides/2_trees.md\n---\n")
    entries = [e for d in read_file("markdown", deck.encode(), "talk/slides.md")
               for e in d.entries]
    assert [(e.term, e.reason) for e in entries] == [
        ("Spring School on Learning", "a page is named by its title")], entries


@pytest.mark.no_store
def test_a_quarto_meta_shortcode_in_an_image_address_is_its_value() -> None:
    """A Quarto course wrote each figure as `![]({{< meta params.images_path >}}x.jpg){width=600}`,
    the folder in its front matter's `params`: the address had blanks, so no image was read and
    `show Receptive Field` printed the markup, shortcode and `{width=600}` in its text."""
    qmd = ("---\ntitle: \"Kernels\"\nparams:\n  images_path: \"/assets/img/kernels/\"\n---\n\n"
           "## Stride\n\nThe stride is the step a kernel moves by between two positions.\n\n"
           "![A kernel moving two pixels at a time]({{< meta params.images_path >}}stride.png)"
           "{width=600}\n")
    docs = read_file("markdown", qmd.encode(), "pages/lectures/kernels.qmd")
    passages = [p for d in docs for p in d.passages]
    assert not any("{{<" in p.text or "width=600" in p.text for p in passages), passages
    images = [i.target for p in passages for i in p.images]
    assert images == ["/assets/img/kernels/stride.png"], images
