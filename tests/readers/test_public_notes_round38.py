"""Round 38: false entries found on public notes nobody here wrote (a Hugo course site with its
theme, a MkDocs blog of data-science posts, a MkDocs course site), fixed by general rules.
Files written here, in our own words; nothing of those repositories is copied."""

from __future__ import annotations

from pathlib import Path

import pytest

import grimoire
from grimoire.readers import not_a_note, read_file, sniff_head
from grimoire.readers.conventions import is_generic_heading, is_generic_title
from tests.readers.conftest import terms_of, write_notes


def _entries(text: str, path: str) -> list[tuple[str, tuple[str, ...]]]:
    [doc] = read_file("markdown", text.encode(), path)
    return [(e.term, e.aliases) for e in doc.entries]


def test_a_front_matter_title_and_the_h1_naming_one_subject_are_one_concept(
        tmp_path: Path) -> None:
    post = ("---\ntitle: Gradient Clipping\ndate: 2024-02-01\n---\n\n"
            "# **Gradient Clipping in a Training Loop**\n\n"
            "Gradient clipping rescales the gradient when its norm passes a threshold, so one "
            "bad batch cannot throw the weights far.\n\n## Choosing the threshold\n\n"
            "Log the gradient norm for a few hundred steps and pick a value above most of it.\n")
    entries = _entries(post, "/notes/blog/posts/clipping.md")
    assert entries[0] == ("Gradient Clipping", ("Gradient Clipping in a Training Loop",))
    assert [t for t, _ in entries].count("Gradient Clipping") == 1
    assert "Gradient Clipping in a Training Loop" not in [t for t, _ in entries]
    # a module label before the title: one name, not the same name twice in one file
    note = ("---\ntitle: \"Module 2 \u2013 Label Smoothing\"\n---\n\n# Label Smoothing\n\n"
            "Label smoothing trains on targets that give the wrong classes a small share of "
            "the probability instead of none.\n")
    terms = [t for t, _ in _entries(note, "/notes/docs/notes/module2-smoothing.md")]
    assert terms == ["Label Smoothing"]
    # through a whole store: one concept found by either name
    write_notes(tmp_path / "notes", {"blog/posts/clipping.md": post})
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([tmp_path / "notes"], embed=False)
        labels = {c.label for c in kb.concepts()}
    assert "Gradient Clipping" in labels
    assert "Gradient Clipping in a Training Loop" not in labels


@pytest.mark.no_store
def test_a_title_about_something_else_or_naming_nothing_leaves_the_h1_the_name() -> None:
    body = ("\n\n# Backpropagation\n\nBackpropagation computes the gradient of the loss with "
            "respect to every weight by the chain rule, from the output back.\n")
    for title in ("Week 3", "Lecture 5", "My Friday Reading"):
        terms = [t for t, _ in _entries(f"---\ntitle: {title}\n---{body}", "/notes/w3.md")]
        assert "Backpropagation" in terms, title
        assert title not in terms or title == "My Friday Reading", title


def test_a_site_generator_s_html_layout_is_no_note(tmp_path: Path) -> None:
    layout = ('<!DOCTYPE html>\n<html lang="{{ site.Language }}">\n<head>\n'
              '  {{ partial "site/head.html" . }}\n</head>\n<body>\n'
              '  {{ partial "site/nav.html" . }}\n  <main>\n'
              '    {{ block "main" . }}{{ end }}\n  </main>\n</body>\n</html>\n')
    jinja = ('{% extends "base.html" %}\n<h1>Welcome</h1>\n{% block content %}\n'
             '<p>Latest posts</p>\n{% endblock %}\n')
    page = ("<html><head><title>Hugo Partials</title></head><body><h1>Hugo Partials</h1>\n"
            "<p>Hugo partials are small templates that a layout includes by name, such as a "
            "page's header or footer.</p>\n<pre><code>\n{{ partial \"head.html\" . }}\n"
            "{{ block \"main\" . }}{{ end }}\n</code></pre>\n</body></html>\n")
    for path, text, skipped in (("themes/t/layouts/_default/baseof.html", layout, True),
                                ("overrides/home.html", jinja, True),
                                ("notes/hugo-partials.html", page, False)):
        data = text.encode()
        why = not_a_note(path, data, sniff_head(data, path))
        assert (why is not None) == skipped, (path, why)
    # a Markdown note quoting the same tags stays a note
    md = "# Hugo Layouts\n\nA layout pulls parts in:\n\n" + "".join(
        f"    {line}\n" for line in layout.splitlines()) + "\n"
    assert not_a_note("notes/layouts.md", md.encode(), md) is None
    terms = terms_of(tmp_path, {"themes/t/layouts/_default/baseof.html": layout,
                                "overrides/home.html": jinja,
                                "notes/hugo-partials.html": page})
    assert terms == {"Hugo Partials"}


@pytest.mark.no_store
def test_numbered_cases_aspects_and_levels_name_nothing() -> None:
    for name in ("Case 1", "Case 3b", "Scenario 2", "Course Materials", "Characteristics",
                 "Basic", "Extended", "Advanced", "Выводы", "Введение", "Заключение"):
        assert is_generic_title(name) and is_generic_heading(name), name
    for name in ("Case Study", "Case-Based Reasoning", "Use Case Diagram", "Materials Science",
                 "Basic Block", "Extended Kalman Filter", "Mathematical Formulation"):
        assert not is_generic_title(name), name
    # two level sections side by side under a method are no concepts; the method is
    [doc] = read_file("markdown", (
        b"# Beam Search\n\nBeam search keeps the best few partial outputs at each step "
        b"instead of one.\n\n## Basic\n\nKeep a fixed number of candidates, ranked by the "
        b"sum of their log probabilities.\n\n## Extended\n\nDivide each score by a power of "
        b"the length, so that short outputs do not win for being short.\n"),
        "/notes/beam-search.md")
    terms = {e.term for e in doc.entries}
    assert "Beam Search" in terms and not terms & {"Basic", "Extended"}


def test_a_text_note_of_points_numbered_from_one_is_no_tool_dump(tmp_path: Path) -> None:
    points = ["load the images", "split off a test set", "scale the pixels",
              "train a small network", "watch the validation loss", "lower the rate",
              "save the best weights", "report the test accuracy"]
    steps = "".join(f"{i}: {p}\n" for i, p in enumerate(points, 1))
    dump = "Compiled from Adder.java\n" + "".join(
        f"  {i}: {op}\n" for i, op in enumerate(
            ["iload_0", "iload_1", "iadd", "istore_2", "iload_2", "ireturn", "nop", "nop"]))
    terms = terms_of(tmp_path, {"training checklist.txt": steps, "Adder.javap.txt": dump})
    assert "training checklist" in terms
    assert not any("Adder" in t for t in terms)


def test_a_site_page_titled_by_a_generic_word_is_no_term_file(tmp_path: Path) -> None:
    terms = terms_of(tmp_path, {
        "course/schedule.md": "---\ntitle: Schedule\n---\n\nThe dates below may move by a "
                              "week.\n",
        "course/materials.md": "---\ntitle: Course Materials\n---\n\n- A textbook on pattern "
                               "recognition\n- Lecture slides\n",
        "index.md": "---\ntitle: Title\ntemplate: home.html\n---\n",
        "notes/skip-lists.md": "---\ntitle: Skip Lists\n---\n\n"
                               "A skip list keeps several sorted linked lists, each skipping "
                               "more nodes than the one below it.\n\n"
                               "## Case 1\n\nThe key sits in the top list: the search stops "
                               "after one step.\n\n## Case 2\n\nThe key is missing: the search "
                               "drops a level at every larger key.\n",
    })
    assert "Skip Lists" in terms
    assert not terms & {"Schedule", "Course Materials", "Title", "Case 1", "Case 2"}


def test_a_theme_s_sample_page_of_filler_text_is_no_note(tmp_path: Path) -> None:
    filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor."
    sample = (f"---\ntitle: Harbour Lights\ndescription: \"{filler}\"\n---\n\n{filler}\n\n"
              f"### Project Goal\n\n{filler}\n")
    quoting = ("# Placeholder Text\n\nPlaceholder text fills a layout before the real words "
               f"exist; typesetters have long used a scrambled Latin passage, \"{filler}\"\n")
    data = sample.encode()
    assert not_a_note("content/project/project-1.md", data, sniff_head(data, "p.md"))
    terms = terms_of(tmp_path, {"project/project-1.md": sample, "placeholder.md": quoting})
    assert terms == {"Placeholder Text"}


@pytest.mark.no_store
def test_an_mkdocs_admonition_is_text_at_its_lines_not_code() -> None:
    text = ("# Beam Search\n\nBeam search keeps the best few partial outputs at each step.\n\n"
            "!!! info \"<b>Length Penalty</b>\"\n\n"
            "    A length penalty divides each score by a power of the output's length.\n\n"
            "    ??? tip\n"
            "        Start with a power of about 0.6.\n\n"
            "## Greedy Decoding\n\nGreedy decoding keeps only the single best output.\n\n"
            "```markdown\n!!! note \"Shown, not run\"\n    kept as written\n```\n")
    [doc] = read_file("markdown", text.encode(), "/notes/docs/beam-search.md")
    beam = next(e for e in doc.entries if e.term == "Beam Search")
    assert "divides each score by a power" in beam.definition
    assert "about 0.6" in beam.definition
    assert "!!!" not in beam.definition and "<b>" not in beam.definition
    box = next(p for p in doc.passages if "divides each score" in p.text)
    assert box.kind != "code"
    # the box's lines keep their numbers
    assert next(p for p in doc.passages if "about 0.6" in p.text).span.end_line >= 9
    code = next(p for p in doc.passages if "kept as written" in p.text)
    assert code.kind == "code" and "!!! note" in code.text
    # a line of prose that opens with "!!!" is no box
    [doc] = read_file("markdown", b"# Dropout\n\n!!! this matters\n\nDropout zeroes units.\n",
                      "/notes/dropout.md")
    assert "!!! this matters" in " ".join(p.text for p in doc.passages)


@pytest.mark.no_store
def test_an_admonition_titled_by_a_name_that_its_text_defines_is_an_entry() -> None:
    text = ("---\ntitle: Sequence Models\n---\n\n# Sequence Models\n\n"
            "Sequence models read inputs one position after another.\n\n"
            "!!! info \"Teacher Forcing\"\n\n"
            "    Teacher forcing feeds the true previous token to the decoder during training, "
            "not the token it predicted.\n\n"
            "!!! tip \"Clip the gradients\"\n\n"
            "    Clipping keeps one long sequence from blowing up an update.\n\n"
            "!!! info \"Exposure Bias\"\n\n"
            "    At test time the model sees its own mistakes, which training never showed.\n\n"
            "!!! example \"Beam Search\"\n    Beam search keeps the best few outputs.\n")
    [doc] = read_file("markdown", text.encode(), "/notes/docs/sequence-models.md")
    boxed = {e.term: e for e in doc.entries}
    assert "Teacher Forcing" in boxed
    forcing = boxed["Teacher Forcing"]
    assert forcing.definition.startswith("Teacher forcing feeds the true previous token")
    assert forcing.span.start_line == 9
    # advice, an example, and a box whose text opens on something else name no entry
    assert not set(boxed) & {"Clip the gradients", "Beam Search", "Exposure Bias"}
