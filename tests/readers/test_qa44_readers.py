"""Round 44 (qa44): what a new user met reading an mkdocs-material site of course notes and a
Hugo blog with math; each note rebuilt here in our own words."""

from __future__ import annotations

from grimoire.readers import read_file


def _entries(text: str, path: str) -> dict[str, str]:
    return {e.term: e.definition for d in read_file("markdown", text.encode(), path)
            for e in d.entries}


def test_keycap_digits_number_a_section() -> None:
    """An mkdocs-material page numbers its sections with keycap emoji after a decoration
    (`## 📘 1️⃣ Systems of Linear Equations`, `## 🔓 4️⃣ Free Variables`): the sections that
    define their heading were no concepts at all (`show "Free Variables"`: no concept), and
    the closing `## 🎯 8️⃣ Key Takeaways` was no page part. The keycap is the section's number,
    as "1." is."""
    text = ("# 🧮 Matrix Notes\n\n"
            "## 📘 1️⃣ Linear Systems\n\n"
            "A linear system is a set of linear equations in the same unknowns.\n\n"
            "## 🔓 2️⃣ Free Variables\n\n"
            "A free variable is an unknown whose column of the reduced matrix has no pivot.\n\n"
            "## 🎯 3️⃣ Key Takeaways\n\n"
            "Key takeaways are the few points to remember from these notes.\n")
    entries = _entries(text, "docs/topics/matrix-notes.md")
    assert entries.get("Linear Systems", "").startswith("A linear system is"), entries
    assert entries.get("Free Variables", "").startswith("A free variable is"), entries
    assert "Key Takeaways" not in entries, entries
    assert not any("\u20e3" in name for name in entries), entries


def test_a_practice_problems_hints_are_a_part_of_the_page() -> None:
    """A course site's practice problems each have `## 💡 Hints` (collapsed `<details>`
    boxes) between the task and its solution: eight concepts "Hints", and `lint` said
    "'Hints' is defined differently here and in 5 other places". Hints, like "Tips", are a
    part of the page."""
    text = ("# Problem 3: Serve a Model Behind a Load Balancer\n\n"
            "## Problem Statement\n\nPut two model servers behind one load balancer.\n\n"
            "## 💡 Hints\n\n<details>\n<summary>Hint 1: Health checks</summary>\n\n"
            "Health checks tell the balancer which server is up.\n\n</details>\n\n"
            "## Solution\n\nStart both servers, then register them as targets.\n")
    entries = _entries(text, "docs/practice/03-load-balancer.md")
    assert "Hints" not in entries, entries
    text = text.replace("## 💡 Hints", "### Hint")
    assert "Hint" not in _entries(text, "docs/practice/03-load-balancer.md")


def test_a_posts_level_one_headings_are_its_sections() -> None:
    """A Hugo post names itself in its front matter, opens with a paragraph, and heads its
    parts with `#` ("# Stein discrepancy", "# Experiment", "# Continuous spaces"): each H1
    with text under it was a concept "one of 3 topics of the note", "Experiment" among them.
    Under a title and an opening, the H1s are the post's sections: one that defines its
    heading is an entry, as an H2 would be; the others are none."""
    text = ("---\n    title: Why the kernel trick is cheap\n    math: mathjax\n"
            "    date: 2025-01-02\n---\n"
            "<!-- # Why the kernel trick is cheap -->\n\n"
            "This post looks at where the saving of a kernel machine comes from, and at what "
            "it costs when the data grows.\n\n"
            "# Kernel trick\n\n"
            "The kernel trick is a way to compute inner products in a feature space without "
            "ever building the features.\n\n"
            "# Experiment\n\n"
            "We fit both models on ten thousand points of a spiral and time each fit, five "
            "runs apiece, on one machine.\n\n"
            "# Continuous inputs\n\n"
            "With real-valued inputs we compare the two fits over a range of kernel widths, "
            "and plot both curves.\n")
    entries = _entries(text, "content/posts/kernel-cost.md")
    assert entries.get("Kernel trick", "").startswith("The kernel trick is a way"), entries
    assert "Experiment" not in entries and "Continuous inputs" not in entries, entries
    # A note of topics side by side, with no title over them, keeps its topics.
    plain = text.split("<!-- # Why the kernel trick is cheap -->\n\n", 1)[1]
    plain = plain.split("\n\n", 1)[1]
    topics = _entries(plain, "notes/spiral-study.md")
    assert "Kernel trick" in topics and "Continuous inputs" in topics, topics


def test_a_blogs_escaped_subscripts_in_math() -> None:
    """A Hugo post escapes every subscript in its math so that the site's Markdown leaves
    it to MathJax (`$D\\_{\\mathrm{KL}}(P, Q) = \\sum\\_x P(x)$`, `y\\_i^*`): `show`, snippets and
    answers printed `D\\_{...}` and `\\sum\\_x`, where the page shows a subscript. A `\\_`
    that opens a subscript is read as one when the formula has no plain `_`; an underscore in
    a word (`\\text{step\\_size}`, `events\\_so\\_far`) stays as written."""
    text = ("---\ntitle: Divergences\n---\n\n"
            "The divergence $D\\_{\\mathrm{KL}}(P, Q) = \\sum\\_x P(x) \\log P(x)/Q(x)$ is "
            "never negative.\n\n"
            "$$\nH(y) = -\\sum\\_i y\\_i^* \\log y\\_i\n$$\n\n"
            "The rate $\\text{step\\_size} \\cdot g\\_t$ and the count "
            "$\\#events\\_so\\_far$ stay, as does $a_1 + \\text{b\\_c}$.\n")
    docs = read_file("markdown", text.encode(), "content/posts/divergences.md")
    prose = "\n".join(p.text for d in docs for p in d.passages)
    assert "$D_{\\mathrm{KL}}(P, Q) = \\sum_x P(x)" in prose, prose
    assert "\\sum_i y_i^* \\log y_i" in prose, prose
    assert "\\text{step\\_size} \\cdot g_t" in prose, prose
    assert "$\\#events\\_so\\_far$" in prose and "$a_1 + \\text{b\\_c}$" in prose, prose
    tex = [m.tex for d in docs for p in d.passages for m in p.math]  # what lint checks
    assert "H(y) = -\\sum_i y_i^* \\log y_i" in tex and "\\#events\\_so\\_far" in tex, tex


def test_a_themes_comment_partial_and_robots_template_are_no_notes() -> None:
    """A Hugo blog keeps its theme beside its posts; the theme's `extend_head.html` holds
    only Go template comments (`{{- /* ... */ -}}`) and its `layouts/robots.txt` is a Go
    template: they were a concept "extend_head" and a concept "User-agent: *". Both are a
    layout, as a theme's `baseof.html` is; a note that quotes one tag stays a note."""
    from grimoire.readers import HTML_TEMPLATE_REASON, not_a_note

    partial = ("{{- /* Where a site adds its own scripts to every page's head */ -}}\n"
               "{{- /* A partial of the same name in the site replaces this one */ -}}\n")
    robots = ("User-agent: *\n{{- if eq site.Params.env \"production\" }}\nDisallow:\n"
              "{{- else }}\nDisallow: /\n{{- end }}\n")
    for path, text in (("themes/t/layouts/partials/extend_head.html", partial),
                       ("themes/t/layouts/robots.txt", robots)):
        why = not_a_note(path, text.encode(), text)
        assert why is not None and why.startswith(HTML_TEMPLATE_REASON), (path, why)
    note = "Hugo fills a page from a layout; `{{ if .Draft }}` hides drafts.\n"
    assert not_a_note("notes/hugo.txt", note.encode(), note) is None
    assert not_a_note("notes/hugo.html", note.encode(), note) is None


def test_a_readmes_documentation_section_is_a_part_of_it() -> None:
    """A notes site's README says how it is built under `## 📖 Documentation` ("The
    documentation is built with ..."): a concept "Documentation". It is a part of the page, as
    "Installation" and "Usage" are."""
    text = ("# 📚 Study Notes\n\nNotes from a year of courses.\n\n"
            "## 📖 Documentation\n\nThe documentation is built with a static site generator "
            "and a theme of its own.\n\n"
            "## Dropout\n\nDropout is a regulariser that zeroes random units while training.\n")
    entries = _entries(text, "README.md")
    assert "Documentation" not in entries and "Dropout" in entries, entries
