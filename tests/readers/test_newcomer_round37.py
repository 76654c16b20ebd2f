"""Round 37: faults a new user met reading a repository of course notebooks, fixed by general
rules. Files written here, in our own words; nothing of that repository is copied."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import grimoire
from grimoire.readers import read_file

_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def _notebook(*cells: tuple[str, str]) -> str:
    return json.dumps({"cells": [
        {"cell_type": kind, "metadata": {}, "source": text.splitlines(keepends=True),
         **({"outputs": [], "execution_count": 1} if kind == "code" else {})}
        for kind, text in cells], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)


def _store(tmp_path: Path, files: dict[str, str]) -> grimoire.Grimoire:
    notes = tmp_path / "notes"
    for name, text in files.items():
        (notes / name).parent.mkdir(parents=True, exist_ok=True)
        (notes / name).write_text(text, encoding="utf-8")
    kb = grimoire.open(tmp_path / "kb.db")
    kb.ingest([notes], embed=False)
    return kb


def test_a_bidi_override_in_a_heading_does_not_turn_a_name_around(tmp_path: Path) -> None:
    # U+202E in a heading reversed the rest of the title wherever a page drew it.
    files = {
        "trick.md": "# Gradient \u202eClipping\n\nClipping caps the norm of the gradient.\n",
        "book.ipynb": _notebook(
            ("markdown", "# Weight \u2067Decay\u2069\n\nDecay shrinks the weights every step.\n"),
            ("markdown", "## Why \u202bit\u202c helps\n\nSmaller weights, smoother fits.\n")),
    }
    with _store(tmp_path, files) as kb:
        terms = {e.entry.term for e in kb.entries()}
    assert {"Gradient Clipping", "Weight Decay"} <= terms, terms
    for name, fmt in (("trick.md", "markdown"), ("book.ipynb", "notebook")):
        (doc,) = read_file(fmt, files[name].encode("utf-8"), name)
        names = [doc.title, *(e.term for e in doc.entries),
                 *(h for p in doc.passages for h in p.heading_path)]
        assert not any(c in t for t in names for c in _BIDI), names
    # the text itself is kept as written
    assert "\u202e" in " ".join(p.text for p in read_file(
        "markdown", "# A\n\nsee \u202eabc here\n".encode(), "a.md")[0].passages)


# A bytecode listing of a class of ours, laid out as a disassembler prints one.
_BYTECODE = """Compiled from "Tally.java"
public class Tally {
  static int total;

  public Tally();
    Code:
       0: aload_0
       1: invokespecial #1                  // Method java/lang/Object."<init>":()V
       4: return

  public static int bump(int);
    Code:
       0: getstatic     #7                  // Field total:I
       3: iload_0
       4: iadd
       5: dup
       6: putstatic     #7                  // Field total:I
       9: ireturn
}
"""
# A binary's disassembly, one address a line.
_DISASSEMBLY = """
tally.wasm:\tfile format wasm 0x1

Code Disassembly:

00008a func[0] <bump>:
 00008b: 23 00                      | global.get 0
 00008d: 20 00                      | local.get 0
 00008f: 6a                         | i32.add
 000090: 22 01                      | local.tee 1
 000092: 24 00                      | global.set 0
 000094: 20 01                      | local.get 1
 000096: 0b                         | end
"""


def test_a_tool_s_dump_of_compiled_code_names_no_concept(tmp_path: Path) -> None:
    with _store(tmp_path, {
        "jvm/Tally.code.txt": _BYTECODE,
        "wasm/tally.code.txt": _DISASSEMBLY,
        # a note whose lines open with numbers and a colon is still a note
        "steps.txt": "Warmup schedule\n\n1: start the rate at a tenth of its peak.\n"
                     "2: raise it linearly for a thousand steps.\n3: then let it decay.\n"
                     "4: watch the loss for spikes.\n5: lower the peak if it spikes.\n"
                     "6: keep the batch size fixed.\n7: log every step.\n8: stop early.\n",
    }) as kb:
        terms = {e.entry.term for e in kb.entries()}
        found = [h.span.path for h in kb.search("getstatic iadd", k=5, mode="lexical")]
    assert terms == {"Warmup schedule"}, terms
    assert any(p.endswith("Tally.code.txt") for p in found), found  # still searchable


_LAWS = (
    ("# Poisson Distribution",
     "The Poisson distribution counts events in a fixed interval, at a rate $\\lambda$."),
    ("# Geometric Distribution",
     "The geometric distribution counts the trials until a first success of chance $p$."),
    ("# Gamma Distribution",
     "The gamma distribution is a continuous law of shape $k$ and scale $\\theta$."),
)


def test_a_note_of_several_h1_topics_is_named_by_its_file_and_each_topic_is_one(
        tmp_path: Path) -> None:
    # Each cell of a notebook opened with its own `# Topic`: the first was the page's title,
    # the other topics were its text and no concept; a Markdown note of several H1s the same.
    files = {
        "laws.md": "\n\n".join(f"{h}\n\n{t}" for h, t in _LAWS) + "\n",
        "laws_nb.ipynb": _notebook(("code", "import numpy as np\n"),
                                   *(("markdown", f"{h}\n\n{t}\n") for h, t in _LAWS)),
        # one H1 that says the file's name, over topics of its own: still the title
        "android.md": "# Android: Dalvik and ART\n\nTwo runtimes ran Android apps.\n\n"
                      "# Dalvik\n\nDalvik is a register-based virtual machine.\n\n"
                      "# ART\n\nART is the runtime that compiles apps ahead of time.\n",
        # an H1 title over an H1 "References": one topic, the title stays
        "dropout.md": "# Dropout\n\nDropout zeroes random units while training.\n\n"
                      "# References\n\n- a paper\n",
    }
    with _store(tmp_path, files) as kb:
        found = {(e.entry.term, e.entry.span.path.rsplit("/", 1)[-1]): e.entry
                 for e in kb.entries()}
    for name in ("laws.md", "laws_nb.ipynb"):
        (doc,) = read_file("notebook" if name.endswith("ipynb") else "markdown",
                           files[name].encode(), name)
        assert doc.title == name.split(".")[0], doc.title
        for head, _ in _LAWS:
            assert (head[2:], name) in found, (head, name, found)
        # the first topic is its own section, not the whole note
        assert "geometric" not in found[("Poisson Distribution", name)].definition.casefold()
    # a file named by a slug names no concept of its own: its topics are the concepts
    assert not any(term == "laws_nb" for term, _ in found), found
    assert ("Android: Dalvik and ART", "android.md") in found, found
    assert ("Dropout", "dropout.md") in found, found


def test_a_source_tree_s_paths_and_an_imports_cell_name_no_concept(
        tmp_path: Path) -> None:
    with _store(tmp_path, {
        # a page that walks a repository's folders, one heading each
        "layout.md": "# Repository layout\n\nWhere things live in our toy project.\n\n"
                     "## /scripts\n\nThe scripts folder holds the shell helpers we run.\n\n"
                     "## /src/core\n\nThe core folder holds the solver and its tests.\n\n"
                     "## NOTES.md\n\nNOTES.md is the file where we keep open questions.\n\n"
                     "## make.*\n\nThe make files build the docs and the wheel.\n",
        # a notebook that opens with its imports cell under a heading
        "cheats.ipynb": _notebook(("markdown", "# Imports\n"), ("code", "import torch\n"),
                                  ("markdown", "## Tensors\n\nA tensor is an array on a "
                                               "device, with a shape and a type.\n")),
    }) as kb:
        terms = {e.entry.term for e in kb.entries()}
    assert not terms & {"/scripts", "/src/core", "NOTES.md", "make.*", "Imports"}, \
        terms
    assert {"Repository layout", "Tensors"} <= terms, terms


@pytest.mark.no_store
def test_a_page_part_written_with_a_letter_left_out_or_swapped_is_still_a_part() -> None:
    from grimoire.readers.conventions import is_generic_heading
    assert [is_generic_heading(h) for h in ("Definiton", "Implemetation", "Backgorund")] \
        == [True, True, True]
    # a singular beside a plural, and words one letter away, are other words
    assert [is_generic_heading(h) for h in ("Dataset", "Deviation", "Valuation", "Attention")] \
        == [False, False, False, False]


def test_a_part_repeated_under_each_topic_and_said_to_be_of_it_is_no_concept(
        tmp_path: Path) -> None:
    with _store(tmp_path, {
        # the same part under each topic, each time "an estimate of <the topic>"
        "moments.md": "# Moments\n\nNumbers that sum up a law.\n\n"
                      "## Mean\n\nThe mean is the weighted average of the values.\n\n"
                      "### Estimate\n\nAn estimate of the mean is the average of a sample.\n\n"
                      "## Variance\n\nThe variance is the mean squared distance to the mean.\n\n"
                      "### Estimate\n\nAn estimate of the variance is the sample's spread.\n",
        # a name repeated under two topics, once defined plainly: a concept still
        "products.md": "# Products\n\nWays to multiply.\n\n## Vectors\n\nLists of numbers.\n\n"
                       "### Hadamard product\n\nHadamard product is the elementwise product "
                       "of two vectors.\n\n## Matrices\n\nTables of numbers.\n\n"
                       "### Hadamard product\n\nHadamard product of matrices multiplies "
                       "entries in the same place.\n",
    }) as kb:
        terms = [e.entry.term for e in kb.entries()]
    assert "Estimate" not in terms, terms
    assert {"Mean", "Variance", "Hadamard product"} <= set(terms), terms


@pytest.mark.no_store
def test_a_note_named_by_its_title_s_plural_initials_is_titled_not_topics() -> None:
    """review37b: `GANs.md` opening "# Generative Adversarial Networks" over a second H1 is
    that title's note (as `cnn.md` is), not topics under a page named "GANs"."""
    prose = "It is explained here in enough plain words to be a definition of its own.\n\n"
    text = ("# Generative Adversarial Networks\n\nA GAN trains a generator against a "
            "discriminator. " + prose + "# Mode collapse\n\nMode collapse is a generator "
            "making few kinds of output. " + prose)
    (doc,) = read_file("markdown", text.encode("utf-8"), "GANs.md")
    assert doc.title == "Generative Adversarial Networks"
    assert "GANs" not in {e.term for e in doc.entries}


def test_a_port_named_by_its_language_is_a_name(tmp_path: Path) -> None:
    """review37b: `llama.cpp`, `whisper.cpp` and `llm.c` are projects a note is about, not
    files of a source tree (the path rule dropped all three)."""
    page = ("# Running models locally\n\nTools for running models on a laptop.\n\n"
            "## llama.cpp\n\nllama.cpp is a C++ runtime that runs LLaMA models on a CPU with "
            "quantized weights.\n\n## llm.c\n\nllm.c trains GPT-2 in plain C and CUDA, "
            "with no framework underneath.\n")
    whisper = "# whisper.cpp\n\nwhisper.cpp is a port of the Whisper speech model to C++.\n"
    with _store(tmp_path, {"local.md": page, "whisper.cpp.md": whisper}) as kb:
        terms = {e.entry.term for e in kb.entries()}
    assert {"llama.cpp", "llm.c", "whisper.cpp"} <= terms, terms
