"""Round 46 (qa46): what a new user met reading a repository of paper summaries (one note a
paper: its title, the authors' names, a rule, the summary) and a MkDocs Material site of
GenAI notes (admonitions under every title, acronyms in every section); each note rebuilt
here in our own words."""

from __future__ import annotations

from grimoire.lint.arithmetic import wrong_claims
from grimoire.readers import read_file


def _entries(fmt: str, text: str, path: str) -> dict[str, str]:
    return {e.term: e.definition for d in read_file(fmt, text.encode(), path) for e in d.entries}


def _passages(fmt: str, text: str, path: str) -> list[str]:
    return [p.text for d in read_file(fmt, text.encode(), path) for p in d.passages]


def test_a_papers_author_line_is_no_part_of_its_summary() -> None:
    """Each paper note opens `# Title (year)`, a line of the authors' names, a rule, then
    what the paper does: `show "World Models"` said the concept was "David Ha, Jurgen
    Schmidhuber", and a search's snippet of the entry was the names. The names say who wrote
    the paper, not what it is; the summary below the rule is the definition."""
    md = ("# Sparse Mixers (2021)\n\nAda Lovelace, Alan M. Turing, and Grace Hopper\n\n---\n\n"
          "Sparse mixers route each token to a few expert layers, so a larger model costs "
          "no more per token.\n\nThey test it on translation.\n")
    entries = _entries("markdown", md, "notes/sparse-mixers.md")
    assert list(entries) == ["Sparse Mixers"], entries
    assert entries["Sparse Mixers"].startswith("Sparse mixers route each token"), entries
    assert "Lovelace" not in entries["Sparse Mixers"], entries
    # one author alone is a byline too
    one = _entries("markdown", "# The Quiet Prior (2017)\n\nEmmy Noether\n\n---\n\n"
                   "The quiet prior favours sparse thoughts over dense ones.\n", "notes/q.md")
    assert one["The Quiet Prior"].startswith("The quiet prior favours"), one
    # the names stay in the note's passages: a search for an author finds the paper
    assert any("Grace Hopper" in t for t in _passages("markdown", md, "notes/sparse-mixers.md"))
    # a note whose first line is a sentence, or a list of things, keeps it as its text
    kept = _entries("markdown", "# Dropout\n\nDropout, DropConnect and noise are regularizers."
                    "\n\n---\n\nMore below.\n", "notes/dropout.md")
    assert kept["Dropout"].startswith("Dropout, DropConnect and noise"), kept
    kept = _entries("markdown", "# Optimizers\n\nAdam, RMSProp, Adagrad\n\n---\n\n"
                    "Each keeps a running average of squared gradients.\n", "notes/opt.md")
    assert kept["Optimizers"].startswith("Adam, RMSProp, Adagrad"), kept


def test_an_acronym_is_read_off_initials_not_letters_inside_words() -> None:
    """A page on tree-of-thought prompting heads a part "### Theoretical Foundation" whose text
    opens "**Divergent Thinking**: ToT mimics ...": "ToT" was read as the acronym of
    "Theoretical Foundation" (its second T from inside "foundation"), and the part became a
    concept of its own; so did "MCP Solution Approach" over "Maintain context across
    multiple models", read as MCP spelled out. An acronym's capitals are its words' initials."""
    md = ("# Branching Prompts\n\nBranching prompts let a model try several lines of thought."
          "\n\n### Theoretical Foundation\n\n**Divergent Thinking**: ToT tries many answers "
          "before it picks one.\n\n### ABC Solution Approach\n\n**Shared State**: Maintain "
          "belief across calls so later steps see earlier ones.\n\n### Tools\n\nA list.\n")
    entries = _entries("markdown", md, "notes/branching.md")
    assert "Theoretical Foundation" not in entries, entries
    assert "ABC Solution Approach" not in entries, entries
    # an acronym that opens the text under its spelled-out heading still defines it
    md = ("# Notes\n\nSome words.\n\n## Ordinary Least Squares\n\nOLS fits a line by "
          "minimising squared errors.\n\n## Low-Rank Adaptation\n\nLoRA trains two small "
          "matrices beside a frozen weight.\n\n## Hidden Markov Model\n\nHMMs chain hidden "
          "states with emissions.\n\n## MAE\n\nMean Absolute Error, or L1 loss, averages "
          "absolute differences.\n")
    entries = _entries("markdown", md, "notes/notes.md")
    assert {"Ordinary Least Squares", "Low-Rank Adaptation", "Hidden Markov Model",
            "MAE"} <= set(entries), entries
    # a word's inner capitals are initials too: "Quantized LoRA" spells QLoRA out
    md = ("# Notes\n\nSome words.\n\n## QLoRA\n\nQuantized LoRA for an even smaller memory:"
          "\n\n- a 4-bit frozen model\n- the same small matrices\n")
    assert "QLoRA" in _entries("markdown", md, "notes/notes.md")


def test_a_boxes_title_is_a_line_of_its_own() -> None:
    """MkDocs Material pages open with a box under the title (`!!! abstract "Title"` and its
    text on the next line): `show` printed "Standardized Model Talk The protocol lets
    ...", the box's title run into its first sentence as one."""
    md = ('# Context Protocol\n\n!!! abstract "Shared Model Talk"\n    The context protocol '
          "lets models pass what they know to each other.\n\n## More\n\nText.\n")
    entries = _entries("markdown", md, "notes/protocol.md")
    assert entries["Context Protocol"] == ("Shared Model Talk\n\nThe context protocol lets "
                                           "models pass what they know to each other."), entries
    # a blank line after the marker was already a paragraph break
    md = ('# Context Protocol\n\n!!! abstract "Shared Model Talk"\n\n    The context protocol '
          "lets models pass what they know to each other.\n")
    entries = _entries("markdown", md, "notes/protocol.md")
    assert entries["Context Protocol"].startswith("Shared Model Talk\n\nThe context"), entries


def test_a_percentage_stays_whole_before_a_numbered_line() -> None:
    """A worked answer in a prompt example lists its steps, "2. ... (300 / 1,000)", a times sign,
    "100% = 30%" then "3. ..." on the next line: lint said the claim was "= 30, but it computes to
    0.3", the result read without its percent sign because a number opens the next line."""
    text = ("1. New users: 1,300 - 1,000 = 300\n2. Growth rate: (300 / 1,000) \u00d7 100% = 30%\n"
            "3. Compare it with the market.\n")
    assert wrong_claims(text) == [], wrong_claims(text)
    wrong = "2. Growth rate: (300 / 1,000) \u00d7 100% = 40%\n3. Compare it with the market.\n"
    assert [c.stated_text for c in wrong_claims(wrong)] == ["40%"], wrong_claims(wrong)
    # a result followed on its line by another number is still no claim ("= 6 3" laid flat)
    assert wrong_claims("1 + 1 + 1 = 6 3 = 2.00") == []


def test_a_list_of_papers_to_read_names_no_concept() -> None:
    """Beside its summaries the repository keeps `to-read.md`, "# To Read" over the papers
    not yet read, each a section of its title, its authors and a link: "To Read" was a
    concept, listed among the papers, as "Reading List" is not."""
    md = ("# To Read\n\n## Sparse Mixers (2021)\n\nAda Lovelace, Grace Hopper\n\n---\n\n"
          "- https://example.org/sparse-mixers\n\n## The Quiet Prior (2017)\n\nEmmy Noether\n")
    for path in ("papers/to-read.md", "papers/To-Read.md"):
        entries = _entries("markdown", md.replace("To Read", path[7:-3].replace("-", " ")),
                           path)
        assert not any("read" in t.casefold() for t in entries), entries


def test_a_callouts_title_in_bold_names_its_entry_without_the_stars() -> None:
    """An Obsidian course note boxes each task's definition under its section, the box's
    title in bold (`> [!definition] **Image Labelling**`): the entry was named
    "**Image Labelling**", stars and all, and `show "Image Labelling"` found the section's
    other concept, not the box."""
    md = ("# Vision Tasks\n\nSome words on vision.\n\n## Image Labelling\n"
          "> [!definition] **Image Labelling**\n"
          "> Image labelling gives one label to a whole picture.\n\n"
          "## Pixel Sorting\n> [!definition] __Pixel Sorting__\n"
          "> Pixel sorting gives each pixel of a picture a class.\n")
    for fmt in ("obsidian", "markdown"):
        terms = set(_entries(fmt, md, "vault/vision.md"))
        assert not any("*" in t or "__" in t for t in terms), (fmt, terms)
        assert {"Image Labelling", "Pixel Sorting"} <= terms, (fmt, terms)


def test_a_tagline_after_a_course_part_is_no_name() -> None:
    """The site titles a section's first page "RAG Introduction: Your AI's Perfect Memory
    System": the concept was "Your AI's Perfect Memory System", the course part before the
    colon taken for a label (as "Mathematical Fundamentals: Norms" is). A phrase that opens
    with "your" or "our" is the page's pitch, no name: the title stays whole."""
    md = ("# Search Introduction: Your Model's Long Memory\n\nRetrieval hands a model the "
          "passages it needs before it answers.\n\n## Steps\n\nFirst, find.\n")
    terms = set(_entries("markdown", md, "docs/search/introduction.md"))
    assert not any(t.startswith("Your") for t in terms), terms
    # a course part's label before a name still goes
    md = "# Mathematical Fundamentals: Norms\n\nA norm gives each vector a length.\n"
    assert set(_entries("markdown", md, "docs/02. Maths/norms.md")) == {"Norms"}


def test_a_what_is_section_on_the_pages_acronym_is_the_pages_own() -> None:
    """A page titled "# Model Context Protocol (MCP)" opens on a box, then "## What is MCP?"
    says what it is: the section was a concept "MCP" apart from the page's concept, which
    also has the name MCP, so `show MCP` gave the section and `show "Model Context
    Protocol"` the page, each without the other."""
    md = ("# Shared Context Standard (SCS)\n\nA standard for passing context between models."
          "\n\n## What is SCS?\n\nThe Shared Context Standard (SCS) is a protocol that keeps "
          "what one model learned for the next model that runs.\n\n## Parts\n\nServers, "
          "clients, messages.\n")
    entries = _entries("markdown", md, "docs/protocols/scs.md")
    assert "SCS" not in entries, entries
    assert "Shared Context Standard (SCS)" in entries, entries
    # a section named by another acronym is still a section entry of its own
    md = md.replace("## What is SCS?", "## What is RPC?").replace(
        "The Shared Context Standard (SCS) is a protocol", "RPC is a way to call a function "
        "on another machine, and SCS uses it")
    assert "RPC" in _entries("markdown", md, "docs/protocols/scs.md")
