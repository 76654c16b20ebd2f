"""Round 45 (qa45): what a new user met reading a Docusaurus glossary site (MDX pages and the
starter's blog posts) and a Quarto book of course notes with its exercise chapters; each note
rebuilt here in our own words."""

from __future__ import annotations

from grimoire.readers import read_file


def _docs(text: str, path: str) -> list:  # type: ignore[type-arg]
    return list(read_file("markdown", text.encode(), path))


def _entries(text: str, path: str) -> dict[str, str]:
    return {e.term: e.definition for d in _docs(text, path) for e in d.entries}


def test_mdx_imports_and_expression_attributes_are_no_text() -> None:
    """A Docusaurus page is MDX: it imports a helper under its front matter (`import
    useBaseUrl from '@docusaurus/useBaseUrl';`) and puts an image in with a JSX expression as
    its address (`src={useBaseUrl('img/x.gif')}`). Both were shown as the definition's text
    (`show AUC` opened with the import line and ended with the whole `<img .../>` tag)."""
    text = ("---\nid: F1\ntitle: F1 score\nsidebar_label: F1\n---\n"
            "import useBaseUrl from '@docusaurus/useBaseUrl';\n"
            "import Tabs from \"@theme/Tabs\"\n\n"
            "The F1 score is the harmonic mean of a classifier's precision and recall. "
            "<img alt=\"two curves\" src={useBaseUrl('img/glossary/f1.png')} />\n\n"
            "export const Note = ({children}) => children;\n\n"
            "It is one number where two would have to be read together.\n")
    docs = _docs(text, "docs/F/F1.md")
    entries = {e.term: e for d in docs for e in d.entries}
    definition = entries["F1 score"].definition
    assert definition.startswith("The F1 score is the harmonic mean"), definition
    assert "one number" in definition, definition
    for piece in ("import", "useBaseUrl", "<img", "export const", "@theme"):
        assert piece not in definition, definition
    text_of = " ".join(p.text for d in docs for p in d.passages)
    assert "useBaseUrl" not in text_of and "export const" not in text_of, text_of
    # the same words in prose, or in code, stay as written
    code = ("# Modules\n\nModules are files of code another file reads in.\n\n"
            "```js\nimport Tabs from '@theme/Tabs';\n```\n\n"
            "Write import X from 'y' to read in a module.\n\n"
            "export default_model=small\n")
    kept = " ".join(p.text for d in _docs(code, "notes/modules.md") for p in d.passages)
    assert "import Tabs from '@theme/Tabs';" in kept, kept
    assert "Write import X from 'y'" in kept and "default_model=small" in kept, kept


def test_a_docusaurus_blog_post_is_no_term() -> None:
    """A Docusaurus site keeps its posts in `blog/` named by date, with a title and an author
    in the front matter but no `layout`: the starter's "Hello" and "Hola" posts ("This is a
    test post.") were concepts, as any short post would be. A dated post in a blog folder is
    a post, as `layout: post` says: its page is found by its title, and its text defines
    nothing."""
    text = ("---\nslug: greetings\ntitle: Greetings\nauthor: A. Writer\n"
            "tags: [greetings, site]\n---\n\n"
            "Our first post on this site.\n\n<!--truncate-->\n\nMore words follow here.\n")
    for path in ("site/blog/2020-03-01-greetings.md", "site/_posts/2020-03-01-greetings.md"):
        assert _entries(text, path).get("Greetings") == "", path
    # a note with the same front matter outside a blog folder is still a term file
    assert _entries(text, "site/docs/greetings.md")["Greetings"].startswith("Our first post")


def test_an_exercises_lettered_parts_are_no_names() -> None:
    """A Quarto book's exercise chapter heads each part of a question with its letter
    (`#### A`, `#### B` ... and `#### E (missing)`) and each question with its number
    (`### 10 (missing)` for one not answered). Every part became a concept named by a letter
    ("section of '4' headed by a name (1 word), whose text defines it"), 60 of them, and
    `lint` listed seven conflicts "'C' is defined differently here and in 6 other places"."""
    text = ("# Exercises on classification\n\n## Conceptual\n\n### 4\n\n"
            "Think about points spread evenly over a unit square.\n\n"
            "#### A\n\n**(A)** A point lies in the square; what share of the others lies "
            "within a tenth of it along one side?\n\n```{r}\nmean(runif(100) < 0.1)\n```\n\n"
            "#### B\n\n**(B)** Now do the same along two sides at once.\n\n"
            "#### C\n\n**(C)** C is the case of a hundred sides; say what happens to the "
            "share.\n\n"
            "#### E (missing)\n\n**(E)** Find the side of a cube that holds a tenth of the "
            "points.\n\n"
            "### 10 (missing)\n\n10. Derive the log odds for one predictor in the setting "
            "of the chapter.\n\n"
            "## Applied\n\n### Lasso\n\nThe lasso is a linear model fitted with a penalty on "
            "the sum of the absolute values of its coefficients.\n")
    entries = _entries(text, "book/exercises-04.qmd")
    for name in ("A", "B", "C", "E (missing)", "E", "10 (missing)", "10"):
        assert name not in entries, entries
    assert entries.get("Lasso", "").startswith("The lasso is a linear model"), entries


def test_a_books_preface_is_a_part_of_it() -> None:
    """A Quarto book's `index.qmd` opens with `# Preface {.unnumbered}` over what the book
    is built from: "Preface" was a concept, as "Foreword" would be. Both are parts of a
    book, as "Introduction" is."""
    text = ("# Preface {.unnumbered}\n\n"
            "These pages hold what I wrote down while working through two textbooks.\n")
    assert "Preface" not in _entries(text, "book/index.qmd")
    assert "Foreword" not in _entries(text.replace("Preface", "Foreword"), "book/index.qmd")


def _pdf_title(heading: str | list[str], lines: list[str], path: str) -> str:
    from tests.readers._pdfgen import pdf_bytes

    data = pdf_bytes([lines], heading=heading)
    return str(read_file("pdf", data, path)[0].title)


def test_a_paper_titled_in_small_caps_is_named_by_its_whole_title() -> None:
    """A Logseq graph keeps the papers it files as PDFs; a conference's style sets a title in
    small capitals, each word's first letter larger than the rest ("P" large, "RIORITIZED"
    smaller). The largest type on page one is then the initials alone: six papers were
    concepts "P E R", "S T R L", "M EM", "H -D C C U G A E" (and one, "C", none). The title is
    the lines of capitals those initials open."""
    body = ["PAPERS ON REPLAY", "A. Author and B. Writer",
            "Replay lets an agent learn again from transitions it saw before."]
    title = _pdf_title(["P", " E", " R"], ["PRIORITIZED EXPERIENCE", "REPLAY", *body[1:]],
                       "assets/Prioritized_Replay_1672678101660_0.pdf")
    assert title == "PRIORITIZED EXPERIENCE REPLAY", title
    title = _pdf_title(["C"], ["CONTINUOUS CONTROL", *body[1:]], "assets/control.pdf")
    assert title == "CONTINUOUS CONTROL", title
    # a title in large type of whole words is kept as it is set
    assert _pdf_title("Replay Buffers", body, "assets/replay.pdf") == "Replay Buffers"


def test_a_paper_whose_text_has_no_spaces_is_named_by_its_file() -> None:
    """A paper whose text layer has no spaces between words ("Anoverviewofgradientdescent
    optimization") named its concept so; the file, as Logseq stores it with its timestamp
    (`An_Overview_of_Gradient_Descent_1675288836354_0.pdf`), names it better."""
    title = _pdf_title("Anoverviewofgradientdescentoptimization",
                       ["SebastianRuder", "Gradientdescentisawaytominimizeanobjective."],
                       "assets/An_Overview_of_Gradient_Descent_1675288836354_0.pdf")
    assert title == "An Overview of Gradient Descent", title


def test_wikilinks_written_side_by_side_stay_apart() -> None:
    """A Logseq page tags each paper with its pages written side by side, no space between
    (`tags : [[Machine Learning]][[Computer Vision]][[Capsule Networks]]`): the text read
    "Machine LearningComputer VisionCapsule Networks", so a search for "vision" missed it.
    Logseq shows each link as a word of its own; so does the text."""
    text = ("- ![A paper on routing.pdf](../assets/routing_1672620795862_0.pdf)\n"
            "\t- author : [[A. Writer]]\n"
            "\t  tags : [[Machine Learning]][[Computer Vision]] [[Capsule Networks]]\n")
    docs = list(read_file("obsidian", text.encode(), "pages/Capsules.md"))
    words = " ".join(" ".join(p.text for d in docs for p in d.passages).split())
    assert "Machine Learning Computer Vision Capsule Networks" in words, words
    targets = [x.target for d in docs for p in d.passages for x in p.links]
    assert {"Machine Learning", "Computer Vision", "Capsule Networks"} <= set(targets), targets


def test_an_embedded_pdf_is_named_and_linked() -> None:
    """A Logseq page lists the papers it files as embeds, `![Paper title.pdf](../assets/x.pdf)`,
    each with its properties under it: read as an image, the paper's name was no word of the
    text (`show` gave a column of "author : ... type : paper" with no paper named) and the page
    linked to none of the papers it lists. An embedded PDF is a link to the file, shown by its
    name."""
    text = ("- ![Routing between capsules.pdf](../assets/routing_1672620795862_0.pdf)\n"
            "\t- author : [[A. Writer]]\n"
            "- ![diagram](../assets/routing.png)\n")
    docs = list(read_file("obsidian", text.encode(), "pages/Capsules.md"))
    words = " ".join(p.text for d in docs for p in d.passages)
    assert "Routing between capsules.pdf" in words, words
    assert "diagram" not in words, words
    hrefs = [x.href or x.target for d in docs for p in d.passages for x in p.links]
    assert any(h.endswith("routing_1672620795862_0.pdf") for h in hrefs), hrefs
    images = [i.target for d in docs for p in d.passages for i in p.images]
    assert images == ["../assets/routing.png"], images
    # a paper whose first page has no text keeps its file's stem, as before
    from tests.readers._pdfgen import IMAGE, pdf_bytes

    data = pdf_bytes([IMAGE, ["Chapter one starts here."]])
    path = "assets/Ng_MLY01_08_1672678909696_0.pdf"
    assert read_file("pdf", data, path)[0].title == "Ng_MLY01_08_1672678909696_0"
