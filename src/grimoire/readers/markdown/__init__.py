"""Markdown: CommonMark (markdown-it-py) with YAML/TOML front matter, `$`/`$$` math and tables.

What becomes what:

- Front matter (`---` YAML as Jekyll/Hugo write it, `+++` TOML) goes to `Document.meta`, made
  JSON-safe (dates as ISO strings). It is read with `yaml.safe_load` semantics and capped: more
  than 100 anchors/aliases, more than 64 KB, or an expansion past 20 000 nodes is refused as
  "invalid front matter" (an alias bomb expands on traversal even under safe_load).
- Title: front matter `title`, else the first `#` heading, else the file stem.
- Passages: blocks (paragraphs, lists, quotes, tables, code, HTML) under their heading path,
  small neighbours of one kind merged up to ~1000 characters, long blocks split by line.
  HTML is reduced to its visible text (no tags, no comments, no script/style); MDX components
  of documentation sites (`<Tip>`, `<hfoption>`, `<Youtube/>`) vanish the same way, callout
  markers (`> [!NOTE]`) and `[[autodoc]] name` lines are dropped (the latter kept as REF links).
  Math stays as TeX inside `$...$`/`$$...$$`, whether written with dollars or `\\(...\\)`.
- Entries, by one of three explicit rules:
  (a) a *term file*: front matter has a `title` and either a glossary key (`related_terms`,
      `references`, `aliases`, `destination`, `redirect_to`), or a first paragraph that opens
      with the title ("Convolution is ..."), or a short body (no headings, at most 1500
      characters) and a layout that is not a blog post. One entry: the title, the whole body as
      definition (empty for title-only stubs), `related_terms` as RELATED see-also links,
      `references` (`link_title`/`link_url`) as references, `aliases` as aliases,
      `destination`/`redirect_to` as redirect.
  (b) a *glossary page*: every heading that lies under an ancestor heading named like
      "Glossary", "Terms", "Definitions" or "Vocabulary" (or anywhere, when the front matter says
      `glossary: true` or `layout: glossary`), has text directly beneath it and is not a single
      letter (`## A`), is one entry; its definition is its section's text.
  (c) a *titled note*: a page that is neither, opening with its only H1, a name of at most six
      words, with text under it (`# Dropout` then a paragraph): one entry, the H1 as term and
      the lead section (up to the next heading) as definition. Blog posts never are.
  Other articles (no glossary ancestor, no term front matter, no short H1) give passages only.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any, TypeVar

from markdown_it import MarkdownIt

from grimoire.fences import fenced
from grimoire.model import (
    PAGE_REASON,
    VAULT_PAGE_REASON,
    Document,
    Entry,
    Image,
    Link,
    LinkKind,
    Math,
    Passage,
    Problem,
    Reference,
    Span,
)
from grimoire.names import initials_match, is_abbreviation, looks_like_acronym, normalize
from grimoire.readers import sniffs
from grimoire.readers.base import collapse, decode, stem_of, suffix_of
from grimoire.readers.conventions import (
    MATH_ONLY,
    bare_name,
    is_generic_heading,
    is_generic_title,
    is_section_number,
    is_statement,
    names_no_concept,
    opens_note,
    stem_title,
    unnumbered,
)
from grimoire.readers.labels import link_local_labels
from grimoire.readers.markdown._apps import (
    dendron_node,
    in_logseq_graph,
    logseq_properties,
    notion_page,
    notion_properties,
    quarto_partial,
)
from grimoire.readers.markdown._blocks import (
    PLAIN,
    Block,
    Flavor,
    Heading,
    Parsed,
    build_parser,
    parse,
)
from grimoire.readers.markdown._frontmatter import meta_strings
from grimoire.readers.markdown._macros import expand_macros
from grimoire.readers.sections import (
    LIST_LAYOUTS,
    MIN_PROSE,
    add_section_entries,
    defines,
    is_placeholder,
    is_template,
    manner_of_nothing,
    name_shaped,
    not_a_page,
)

name = "markdown"
extensions = (".md", ".markdown", ".mdx", ".mdown", ".qmd", ".rmd")
sniff = sniffs.markdown

MERGE_CHARS = 1000
MAX_PASSAGE_CHARS = 2000
_SENTENCE_STOPS = (". ", "? ", "! ", '." ', ".) ")
TERM_FILE_CHARS = 1500

TITLED_NOTE_WORDS = 6
TERM_KEYS = ("related_terms", "references", "aliases", "destination", "redirect_to")
# "Glossary", "ML Glossary", "Glossary of Terms", "Key Terms and Definitions": a heading over a
# glossary. "Glossary Analysis", "AIML Glossary Project" (a notebook and a README about one,
# round 31) name work on a glossary, and their sections are its steps, no terms.
_GLOSSARY_HEADING = re.compile(r"\b(glossary|terms|terminology|definitions|vocabulary)\b"
                               r"(?=\s*(?:$|[:(\[\-\u2013\u2014&]|(?:of|for|and|in)\b))", re.I)
# Why a heading under a glossary heading is still no term (`sections.name_shaped`): a part of
# a page or a parameter's setting. A glossary's terms may end like a sentence, hold a formula
# or an instruction's first word, so those reasons are not taken here.
_NO_TERM = frozenset({"names a part of a page", "a setting of a parameter"})
_REDIRECT = re.compile(r"(?:see|synonym for|abbreviation for|short for|short form of|same as|"
                       r"another name for)\s+(.{1,300}?)\.?", re.I)
# A sentence beside a redirect that only points on: "Contrast with [[Y]]." is no text of its own.
_POINTER = re.compile(r"(?:see also|contrast with|compare with)\s+(.{1,300}?)\.?", re.I)
_NEXT_SENTENCE = re.compile(r"(?<=\.)\s+(?=[A-Z])")
REDIRECT_NAME_WORDS = 6  # an unlinked name in a redirect's other sentence ("Synonym for X.")
_MD = build_parser()

# --------------------------------------------------------------------------- passages


def _chunks(block: Block) -> Iterable[tuple[Block, str]]:
    """A block cut at line boundaries into pieces of about MERGE_CHARS (hard cap MAX), each
    with its text."""
    text = block.text
    if len(text) <= MAX_PASSAGE_CHARS:
        yield block, text
        return
    pieces: list[list[tuple[int, str]]] = [[]]
    size = 0
    for ln, t in _split_long_units(block.units):
        if pieces[-1] and size + len(t) > MERGE_CHARS:
            pieces.append([])
            size = 0
        if t == "\n" and not pieces[-1]:
            continue
        pieces[-1].append((ln, t))
        size += len(t) + 1
    pieces = [p for p in pieces if p]
    # Marks go to the piece whose line range holds them; the ranges tile the whole block, so
    # an image on a line with no text (an embed line) still lands in exactly one piece.
    # Each kind is bucketed once by line (one pass, not one pass per piece: a 1 MB line with
    # thousands of links made this quadratic, issue 11).
    starts = [p[0][0] for p in pieces]
    links = _bucket(block.links, starts)
    math = _bucket(block.math, starts)
    images = _bucket(block.images, starts)
    for k, units in enumerate(pieces):
        piece = Block(
            block.kind, units, block.heading_path, block.joiner, links[k], math[k], images[k],
            language=block.language,
        )
        yield piece, piece.text


_Marked = TypeVar("_Marked", Link, Math, Image)


def _bucket(marks: list[_Marked], starts: list[int]) -> list[list[_Marked]]:
    """Marks split by the piece whose first line is the last start at or before their line.

    A mark before the first piece's start goes to the first piece. Pieces that share a start
    line (a long line cut in several) give every such mark to the last of them.
    """
    out: list[list[_Marked]] = [[] for _ in starts]
    for mark in marks:
        k = bisect_right(starts, mark.span.start_line) - 1
        out[max(k, 0)].append(mark)
    return out


def _split_long_units(units: list[tuple[int, str]]) -> Iterable[tuple[int, str]]:
    """Lines longer than MERGE_CHARS cut after the window's last sentence end, else its last
    space (a paragraph written as one line must not lose a sentence to a cut)."""
    for ln, t in units:
        pos = 0
        # Cut by index, never by re-slicing the rest: a 1 MB line must stay linear.
        while len(t) - pos > MERGE_CHARS:
            half, end = pos + MERGE_CHARS // 2, pos + MERGE_CHARS
            # The space after a stop; -1 where a stop is not found.
            cut = max(t.rfind(stop, half, end) + len(stop) - 1 for stop in _SENTENCE_STOPS)
            cut = cut if cut > half else t.rfind(" ", pos, end)
            cut = cut if cut > half else end
            yield ln, t[pos:cut]
            pos = cut
            while pos < len(t) and t[pos].isspace():
                pos += 1
        yield ln, t[pos:] if pos else t


def _block_lines(block: Block) -> tuple[int, int]:
    """The first and last line of a block's text and marks (a display formula's last line
    too: a passage of one formula cites all of it, not its opening `$$`)."""
    lines = [ln for ln, _ in block.units]
    lines += [x.span.start_line for x in block.links[block.heading_links:]]
    lines += [x.span.start_line for x in block.math]
    lines += [x.span.end_line for x in block.math]
    lines += [x.span.start_line for x in block.images]
    if not lines:  # a heading's links only
        lines = [x.span.start_line for x in block.links]
    return min(lines), max(lines)


def build_passages(blocks: list[Block], path: str) -> list[Passage]:
    """Blocks to passages: small neighbours of one kind and section merged, long ones split."""
    passages: list[Passage] = []
    group: list[Block] = []
    group_texts: list[str] = []  # each block's text, joined once (`Block.text` joins anew)
    size = 0

    def emit() -> None:
        if not group:
            return
        texts = [t.strip("\n") for t in group_texts]
        text = "\n\n".join(t for t in texts if t)
        spans = [_block_lines(b) for b in group]
        passages.append(
            Passage(
                text=text,
                span=Span(path, min(s[0] for s in spans), max(s[1] for s in spans)),
                heading_path=group[0].heading_path,
                kind=group[0].kind,
                links=tuple(x for b in group for x in b.links),
                math=tuple(x for b in group for x in b.math),
                images=tuple(x for b in group for x in b.images),
                # neighbours of two languages merged name none (the passages stay as before)
                language=group[0].language if len({b.language for b in group}) == 1 else "",
            )
        )

    for block in blocks:
        for piece, piece_text in _chunks(block):
            length = len(piece_text)
            if group and (
                piece.kind != group[0].kind
                or piece.heading_path != group[0].heading_path
                or size + length > MERGE_CHARS
            ):
                emit()
                group, group_texts, size = [], [], 0
            group.append(piece)
            group_texts.append(piece_text)
            size += length + 2
    emit()
    return passages


# --------------------------------------------------------------------------- entries and documents


def title_of(parsed: Parsed, path: str, *, any_heading: bool = False) -> str:
    """Front matter `title`, else the first level-1 heading (or, with `any_heading`, the first
    heading of any level), else the file stem: a slug (`neural-networks-2`) is the title only
    when nothing better exists (issue 10, defect 8)."""
    title = parsed.front.meta.get("title")
    if isinstance(title, list) and len(title) == 1 and isinstance(title[0], str):
        # `title: [The matrix cookbook]`, as a reference manager's export writes a book's
        # title (round 35: a vault's 20 book notes each warned "title is not a string").
        title = title[0]
    if isinstance(title, str) and title.strip():
        title = _completed_by_file(collapse(title), stem_of(path))
        return _named_by_file_and_heading(parsed, path, title) or title
    if title is not None:
        line = parsed.front.key_lines.get("title", 1)
        parsed.problems.append(
            Problem("front matter title is not a string", Span(path, line, line))
        )
    # A heading that is only a formula ("# $f(x) = \\frac{1}{1 + e^{-x}}$", how a notebook
    # shows a definition large) names nothing (round 30: a notebook was named by its formula).
    # Nor does a section's number alone ("# 1.1" over a homework's first exercise; round 42:
    # the sheet was the concept "1.1", every search hit in it titled so): the file names it.
    heads = [h for h in parsed.headings
             if not MATH_ONLY.fullmatch(h.title) and not is_section_number(h.title)]
    first = next((h for h in heads if h.level == 1), None)
    h1 = first.title if first is not None else None
    after_text = not any_heading and first is not None and _text_before(parsed, first)
    # A note app's file name carries ids (Notion, a Zettelkasten) or a namespace (Logseq).
    stem = _spaced(stem_title(stem_of(path)))
    if h1 is not None and _topics(heads, stem_of(path)):
        return stem
    if first is not None and (part := _course_part(parsed, heads, first)) is not None:
        return part
    if h1 is None and any_heading and heads and not _text_before(parsed, heads[0]) \
            and not (heads[0].level > 1 and names_no_concept(stem)):
        # A heading under the page's opening text heads a part of it (BM25.md opens with a
        # paragraph on BM25, then "## IDF (Inverse Document Frequency)"): not the page's name.
        # Nor does a section of a day's or a month's page ("Jul 2024 notes.md" opening with
        # "## openai": round 34, four months' pages were the concept "openai").
        h1 = heads[0].title
    if after_text and not _is_slug(stem) and any(c.isalpha() for c in stem):
        # A vault's note "Category Theory.md" that defines a category, then "# 1 Isomorphism":
        # the heading names a part, the file the note (it was "Isomorphism", with the
        # definition of a category). So for `Papers.md` (a reading list, then "# Information
        # Retrieval" over its papers) or a README, whose names name no concept: it was the
        # concept "Information Retrieval", in conflict with the note of that name. Only in a
        # vault, where a file's name is its note's (a site's page opens with a generated
        # table of contents), and not for a slug.
        return stem
    if h1 is not None and (is_generic_title(h1) or unnumbered(h1) != h1
                           or _CLAUSE.match(h1) or is_statement(h1)) and names_note(stem) \
            and not names_no_concept(h1):
        # "# Introduction" opening RNN.md names a part of the note: the file names the note
        # (seven notes of a public vault were each "Introduction", and `show RNN` found none);
        # so does a first step, "# 1. Create the Dataset" or "# Read data" (a notebook's), and
        # a sentence ("### `p` is an unnormalized density which ...", round 31).
        return stem
    if first is not None and h1 is not None and is_generic_heading(h1) and heads[0] is not first \
            and not _text_before(parsed, heads[0]) and not is_generic_heading(heads[0].title):
        # A paper note opens "## [Paper Title](url)" and puts "# Detailed notes" further down:
        # the opening heading names the note (round 30: it was named "Detailed notes").
        return heads[0].title
    return h1 or stem


# A course's name over one of its numbered parts: "# CPSC 330 - Applied Machine Learning", then
# "## Homework 3: Preprocessing" (round 41: a course's nine homework notebooks were each the
# concept "CPSC 330 - Applied Machine Learning"). The part names the note; a course's own page
# (its name, then text or "## Schedule") keeps the course's name.
_COURSE_NAME = re.compile(r"[A-Z]{2,5}[ -]?\d{3,4}[A-Z]?\b")
_COURSE_PART = re.compile(r"(?:homework|hw|assignment|problem set|pset|lab|lecture|lect?|lesson"
                          r"|tutorial|worksheet|project)\s*\d{1,3}[a-z]?\s*[:.\u2013\u2014-]\s*\S",
                          re.IGNORECASE)


def _course_part(parsed: Parsed, heads: list[Heading], first: Heading) -> str | None:
    """The heading right under a course's name `first` that names one numbered part of the
    course, with nothing but code between and no other part beside it (`_COURSE_NAME`); else
    None."""
    if not _COURSE_NAME.match(first.title):
        return None
    after = heads[heads.index(first) + 1:]
    if not after or after[0].level <= first.level or not _COURSE_PART.match(after[0].title):
        return None
    if any(h.level == after[0].level and _COURSE_PART.match(h.title) for h in after[1:]):
        return None  # a course's notes, one part after another (review42a: "Lecture 1" named all)
    between = parsed.blocks[first.index:after[0].index]
    return None if any(b.kind != "code" and b.units for b in between) else after[0].title


# A heading whose whole text is one wikilink (`# [[Text Preprocessing]]`): a hub note's pointer
# to the note of that name, not its own name (round 32: a vault's `NLP.md` was named so and
# stood in conflict with the note it links to).
# Its closing `#`s are matched one way only: `\s*#*\s*` cut a run of blanks in two every way
# (a heading's 20,000 trailing blanks before a word: 1.3 s).
_LINK_HEADING = re.compile(r"\s{0,3}#{1,6}\s+\[\[[^\]|#]+(?:\|[^\]]*)?\]\]\s*(?:#+\s*)?")


def _links_another_note(parsed: Parsed, text: str, title: str) -> bool:
    """Whether `title` comes from a heading that only links to a note of that name."""
    head = next((h for h in parsed.headings if h.title == title), None)
    if head is None:
        return False
    lines = text.splitlines()
    return 0 < head.line <= len(lines) and \
        _LINK_HEADING.fullmatch(lines[head.line - 1]) is not None


# A heading that opens a clause ("If it is the local environment", "For a single line",
# "First, gather the metrics", "About the Model"): what a page says at its start, not its name
# (round 30: four notebooks of one repository, each with a file name that names it).
_CLAUSE = re.compile(r"(?:if|when|whenever|while|once|before|after|unless|because|since"
                     r"|about|for\s+(?:a|an|the|each|every))\s"
                     r"|(?:first|second|then|next|finally|now|here|so|also),\s", re.IGNORECASE)


# `Multiple_Linear_Regression.ipynb`, `VC_Dimensions.md`: words a file name joins by
# underscores, capitalised (or an acronym) and one at least a capitalised word, as a title;
# `huggingface_hub`, `LD_PRELOAD` and `Kohya_ss` (names of things) stay as they are.
_UNDERSCORED = re.compile(r"(?:[A-Z][a-z]+|[A-Z]{2,5})(?:_(?:[A-Z][a-z]+|[A-Z]{2,5}))+"
                          r"(?:_[A-Za-z0-9]+)*")
_CAPITALISED = re.compile(r"(?:^|_)[A-Z][a-z]")


# A course's file numbered for its order (`07-HiddenMarkovModels.md`, `01-Introduction.md`):
# the number is no part of the name; a name that opens with a number and an acronym stays
# (`3-SAT.md`). The words such a file runs together (`HiddenMarkovModels`, `NaiveBayes`) read
# as words; a model's name stays as written (`06-ResNet`, `LidarMultiNet`, `DeepWalk`).
# A number joined by "_" is the order (`06_LSTM.md`, `0_intro and tips.md`), as is a
# zero-padded one (`07-GRU.md`): a name writes its number with a hyphen (round 42: a course's
# "06_LSTM" and "16_GPT" were concepts beside the notes' own "LSTM ...", "GPT"). Unless "_"
# is the file's blank throughout: `8_bit_quantization.md`, `3_body_problem.md` (review42d).
_STEM_NUMBER = re.compile(r"^(?:0\d_(?=[^\W\d_])|\d{1,3}_(?=[^\W\d_])(?![^_]*_)"
                          r"|0\d-(?=[A-Z])|\d{1,3}-(?=[A-Z])(?![A-Z0-9]+(?:$|[-_ ])))")
_RUN_TOGETHER = re.compile(r"(?:[A-Z][a-z]{3,}){2,}")
_HUMP = re.compile(r"(?<=[a-z])(?=[A-Z])")


def _topics(heads: list[Heading], stem: str) -> bool:
    """Whether a note's level-1 headings are topics side by side, not a title over its parts:
    two or more that name no part of a page ("# Poisson Distribution", "# Gamma
    Distribution", each cell of a notebook so), the first not saying the file's name (as
    "# Android: DVM and ART" over "# DVM" and "# ART" in `android.md` does). The file names
    the note, each topic is a section of it (round 37: a notebook of 13 distributions was
    the first of them, and showed the other 12 as its text). A file named by a part that says
    of what ("Math Notation.md") names it too; a bare part ("Notes.md") does not (qa49b: a
    vault's page of symbols was the concept its first part named)."""
    tops = [h for h in heads if h.level == 1 and not is_generic_heading(h.title)]
    if len(tops) < 2 or not any(c.isalpha() for c in stem) or stem.casefold() == "readme" \
            or is_generic_title(stem) or names_no_concept(stem):
        return False
    mine = {w.rstrip("s") for w in re.split(r"[\W_]+", stem.casefold()) if w}
    said = {w.rstrip("s") for w in re.split(r"[\W_]+", heads[0].title.casefold()) if w}
    return heads[0] is tops[0] and not mine <= said and not _file_says(stem, heads[0].title)


# Round 41: a title a file name writes with "_" for each blank also holds numbers, versions,
# small words and words with hyphens ("Q14_Weight_Initialization", "Section_1_Introduction_to_
# Image-to-Sequence_Models", "Mixed_Precision_Training_BFloat16_vs_FP16"). Each part is a word
# that opens with a capital (`PyTorch`, `VGG16`, `Fine-Tuning`), a number (`1`, `8.1`, `2D`,
# `1x1`, `v2`), a small word of a title, or lower-case words joined by hyphens ("norm-first"),
# and two parts at least are capitalised words: a title. A name of code keeps its "_": it has
# a part in lower case that is none of these (`max_depth`, `Kohya_ss`, `as_task_surv`), is all
# capitals (`LD_PRELOAD`), or opens or ends with "_" or doubles it (`__init__`, `_private`).
_TITLE_PART = re.compile(
    r"[A-Z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*|v?\d+(?:[.x]\d+)*[A-Za-z]{0,2}"
    r"|(?:a|an|the|of|to|and|or|vs|for|in|on|at|by|with|from|into|is|are|as|per|via|not)"
    r"|[a-z]+(?:-[a-z0-9]+)+")
_WORD_PART = re.compile(r"[A-Z][a-z]")


def _underscored_title(stem: str) -> bool:
    parts = stem.split("_")
    if len(parts) < 2 or len(stem) > 200 or not all(parts):
        return False
    return all(_TITLE_PART.fullmatch(p) for p in parts) \
        and sum(_WORD_PART.match(p) is not None for p in parts) >= 2


def _spaced(stem: str) -> str:
    numbered = _STEM_NUMBER.sub("", stem, count=1)
    if numbered != stem:
        if "_" in numbered and _underscored_title(numbered):
            return numbered.replace("_", " ")
        return _HUMP.sub(" ", numbered) if _RUN_TOGETHER.fullmatch(numbered) else numbered
    if (_UNDERSCORED.fullmatch(stem) and _CAPITALISED.search(stem)) \
            or _underscored_title(stem):
        return stem.replace("_", " ")
    return stem


# A site's slug (`my-rnn-notes`), a Dendron hierarchy (`ml.attention.self`): an address.
_SLUG = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)+|\w+(?:\.[\w-]+)+")
# The marks of a heading a book's generator keeps in its slug (HonKit: a heading's curly
# apostrophe in `4.4-do\u2019s-and-don\u2019ts.md`, "Books & articles" `books-&-articles.md`).
_SLUG_MARKS = re.compile(r"[\u2019',&]+")


def _is_slug(stem: str) -> bool:
    """Whether a file's name is a slug (`_SLUG`), also with the marks a heading's slug keeps."""
    if _SLUG.fullmatch(stem) is not None:
        return True
    bare = re.sub(r"([-_])[-_]+", r"\1", _SLUG_MARKS.sub("", stem))
    return bare != stem and _SLUG.fullmatch(bare) is not None


def names_note(stem: str) -> bool:
    """Whether a file's name names its note better than a generic heading does: not itself
    generic (`index.md`, `intro.md`), no README, no day or "Untitled", no slug of a site
    (`my-rnn-notes.md`, which only a web address would call the page) or Dendron hierarchy."""
    return (any(c.isalpha() for c in stem) and not is_generic_heading(stem)
            and stem.casefold() != "readme" and not names_no_concept(stem)
            and not _is_slug(stem))


def _named_by_file_and_heading(parsed: Parsed, path: str, title: str) -> str | None:
    """The page's first heading, when its front matter `title` is the site's section and not
    the page: the body opens with that heading, and the file's name says the heading, not the
    title (`ANN.md` titled "Supervised Learning" opens with "## Artificial Neural Networks";
    round 34: a documentation-theme site titled 13 pages so, each the sidebar's section it
    sits in). `Transformer.md` titled "Transformer" that opens with "## Self-Attention" keeps
    its title: its file says the title."""
    heads = parsed.headings
    if not heads or heads[0].level > 2 or _text_before(parsed, heads[0]):
        return None
    heading = collapse(heads[0].title)
    stem = stem_of(path)
    if normalize(heading) == normalize(title) or is_generic_heading(heading):
        return None
    if _section_says(parsed.front.meta, title):
        # ... unless the heading goes on from the section's name: "Reinforcement learning
        # introduction", "Preprocessing example 2: ..." open the section's own pages.
        return None if normalize(heading).startswith(normalize(title)) else heading
    if not _file_says(stem, heading) or _file_says(stem, title):
        return None
    return heading


def _completed_by_file(title: str, stem: str) -> str:
    """The file's name for a front matter `title` cut short in the middle of a word, of which
    the file's name (a Dendron hierarchy's last part) has the whole: "Improving Deep Neural
    Netwo" in `deep learning.Coursera.Improving Deep Neural Networks.md` (round 45, qa45b).
    A title the file's name goes on from by a letter or two ("GAN", `GANs.md`) or by whole
    words ("Attention", `Attention Mechanism.md`) is the title as written.

    >>> _completed_by_file("Deep Neural Netwo", "dl.Deep Neural Networks")
    'Deep Neural Networks'
    >>> _completed_by_file("Neural Network", "Neural Networks"), _completed_by_file("GAN", "GANs")
    ('Neural Network', 'GAN')
    """
    name = stem.rsplit(".", 1)[-1].strip()
    if len(name) < len(title) + 3 or not name.casefold().startswith(title.casefold()) \
            or " " not in title or not title[-1].isalpha():
        return title
    tail = name[len(title):]
    return name if re.fullmatch(r"[^\W\d_]{3,}", tail) else title


def _section_says(meta: dict[str, Any], title: str) -> bool:
    """Whether the front matter itself says `title` is the section the page sits in: the
    documentation theme's `sidebar: preprocessing_sidebar` or `folder:
    categories/preprocessing` under `title: Preprocessing` (round 35: the pages whose file's
    name says neither, `preprocessing_balance.md` opening "## Balanced/unbalanced datasets")."""
    key = normalize(title)
    sidebar, folder = meta.get("sidebar"), meta.get("folder")
    return (isinstance(sidebar, str) and normalize(re.sub(r"[_-]?sidebar$", "", sidebar)) == key) \
        or (isinstance(folder, str) and normalize(folder.rstrip("/").rsplit("/", 1)[-1]) == key)


def _file_says(stem: str, name: str) -> bool:
    """Whether a file's name spells `name`, its initials (`pca.md`, "Principal Components
    Analysis") or most of its words (`decision_tree.md`, "Decision Trees")."""
    if normalize(stem) == normalize(name) or initials_match(stem, name):
        return True
    if len(stem) > 2 and stem.endswith("s") and initials_match(stem[:-1], name):
        return True  # `GANs.md`, "Generative Adversarial Networks" (review37b)
    mine = [w for w in re.split(r"[\W_]+", stem) if w]
    if len(mine) > 1 and mine[0].isdigit() and len(mine[0]) <= 3:
        mine = mine[1:]  # a course's order (`3_fitting_NN.md`, "Fitting a Neural Network")
    named = [w for w in re.split(r"[\W_]+", name.casefold()) if w]
    words = {w.rstrip("s") for w in named}
    # An acronym in the file's name for words of the heading (`9_DL_tools.md`, "Deep Learning
    # tools"; round 53: a deck of slides was named by its file so, not by its first slide).
    initials = "".join(w[0] for w in named)

    def said(word: str) -> bool:
        return word.casefold().rstrip("s") in words \
            or (word.isupper() and 2 <= len(word) <= 4 and word.casefold() in initials)

    return bool(mine) and all(said(w) for w in mine) and 2 * len(mine) >= len(words)


def _linked_title(parsed: Parsed, stem: str) -> str | None:
    """The text of the link a slug-named note opens with as a paragraph of its own, no heading
    above it: the title of the paper or page the note is on (`[Effective Approaches to ...]
    (https://arxiv.org/abs/...)`, round 35: a folder of paper notes named two so by their
    slugs). A link that names no work (`[pdf](...)`, a bare address) is no title."""
    if "title" in parsed.front.meta or not _is_slug(stem):
        return None
    at, first = next(((k, b) for k, b in enumerate(parsed.blocks) if b.units), (0, None))
    if first is None or first.kind != "text" or len(first.links) != 1 \
            or (parsed.headings and parsed.headings[0].index <= at):
        return None
    link = first.links[0]
    label = collapse(link.label or "")
    if link.kind != LinkKind.URL or label != collapse(first.text) or "://" in label \
            or len(label.split()) < 2 or is_generic_title(label):
        return None
    return label


def _text_before(parsed: Parsed, heading: Heading) -> bool:
    """Whether prose comes before `heading` (code does not: a notebook's imports)."""
    return any(b.kind != "code" and b.units for b in parsed.blocks[: heading.index])


# A title saved as a file name loses what follows a "<": Google's glossary term "F<sub>1</sub>"
# becomes `F.md`, "L<sub>2</sub> regularization" `L.md`. The note still writes the name.
_SUBSCRIPTED = r"<sub>\s*([\w.+-]{1,4})\s*</sub>((?:[ \t]+[a-z][a-z-]*){0,3})"
_FUNCTION_WORDS = frozenset({
    "a", "an", "the", "is", "are", "was", "were", "be", "been", "has", "have", "had", "and",
    "or", "of", "to", "in", "on", "at", "by", "for", "with", "as", "from", "that", "this",
    "which", "it", "its", "can", "may", "will", "not",
})


def restored_title(stem: str, text: str) -> str:
    """A one- or two-letter file name that the note writes with a subscript, with the
    subscript back (`F` -> `F1`), and the words every such mention goes on with
    (`L` -> `L2 regularization`; "is" is no part of a name). Other stems are returned as they are.
    """
    if not (0 < len(stem) <= 2 and stem.isalpha()):
        return stem
    found = re.findall(rf"(?<![\w<]){re.escape(stem)}{_SUBSCRIPTED}", text)
    if not found:
        return stem
    counts: dict[str, int] = {}
    for sub, _ in found:
        counts[sub] = counts.get(sub, 0) + 1
    sub = max(counts, key=lambda s: counts[s])  # the first of the most frequent
    tails = [tail.split() for s, tail in found if s == sub]
    words: list[str] = []
    if len(tails) >= 2:
        for group in zip(*tails, strict=False):
            if len(set(group)) != 1 or group[0] in _FUNCTION_WORDS:
                break
            words.append(group[0])
    return " ".join([stem + sub, *words])


def slug_title(stem: str, text: str) -> str:
    """A site's slug as its note writes it in words: `decision-tree-regression.md` opens with
    "Decision Tree regression". A slug the note writes as one hyphenated word (`k-means.md`,
    a vault's `cross-entropy.md`) or never writes is the name as it is: a note app's file
    name is the note's name.

    >>> slug_title("decision-tree-regression", "@ Decision Tree regression")
    'Decision Tree regression'
    >>> slug_title("k-means", "Run K-Means twice."), slug_title("dummy-variables", "x = 1")
    ('k-means', 'dummy-variables')
    """
    if _SLUG.fullmatch(stem) is None or "." in stem or not stem.islower():
        return stem
    words = re.split(r"[-_]", stem)
    # The pattern is the note's own (its stem): compiled only when the text may hold it. An
    # ASCII text holds it only if it holds each word, lowered (the words are [a-z0-9]); any
    # other text is searched, since IGNORECASE also matches "\u017f" to "s" and "\u212a" to "k".
    if text.isascii():
        lowered = text.lower()
        if not all(w in lowered for w in words):
            return stem
    found = re.search(r"(?<![\w-])" + r"[ \t]+".join(map(re.escape, words)) + r"(?![\w-])",
                      text, re.IGNORECASE)
    return found.group(0) if found else stem


def tags_of(parsed: Parsed) -> tuple[str, ...]:
    meta = parsed.front.meta
    tags = meta_strings(meta.get("tags", meta.get("tag")))
    return tuple(dict.fromkeys([*tags, *parsed.tags]))


def redirect_of(text: str, links: Iterable[Link]) -> str | None:
    """X's target when the whole text only points to one link X: `See X.`, `Synonym for X`,
    `Abbreviation for X`, `Short form of X`, `Another name for X`.

    Strict: every sentence must be such a pointer. Beside the one that names the link, a
    sentence may name another synonym unlinked ("Synonym for Y. See [[X]].") or point on to a
    link ("Contrast with [[Y]]."); a sentence of the page's own words makes it no redirect.
    """
    links = [x for x in links if x.kind in (LinkKind.WIKILINK, LinkKind.MARKDOWN)]
    if not links or len(text) > 320:
        return None
    shown = {collapse(x.label or x.target).lower(): x for x in links}
    found: Link | None = None
    pointers = 0
    whole = collapse(text)
    # One sentence first, so a name holding ". " ("See [[Dr. No]]") is not cut at it.
    one = _REDIRECT.fullmatch(whole)
    sentences = [whole] if one and one.group(1).rstrip(".").lower() in shown else \
        _NEXT_SENTENCE.split(whole)
    for sentence in sentences:
        if m := _POINTER.fullmatch(sentence):
            named = m.group(1).rstrip(".").lower()
            if named not in shown:
                return None
            pointers += 1
        elif m := _REDIRECT.fullmatch(sentence):
            named = m.group(1).rstrip(".").lower()
            if named in shown and found is None:
                found = shown[named]
            elif named in shown or len(named.split()) > REDIRECT_NAME_WORDS:
                return None
        else:
            return None
    if found is None or len(links) != 1 + pointers:
        return None
    link = found
    if link.kind == LinkKind.MARKDOWN and link.fragment and link.label:
        return link.label  # a same-page anchor: the heading's own words name the term
    return link.target


def _definition(blocks: list[Block]) -> str:
    """The blocks' texts at blank lines, a code block fenced (`fences`)."""
    return "\n\n".join(fenced(t, b.language) if b.kind == "code" else t
                       for b in blocks if (t := b.text.strip("\n")))


def entry_from_blocks(
    term: str,
    blocks: list[Block],
    span: Span,
    *,
    aliases: tuple[str, ...] = (),
    see_also: tuple[Link, ...] = (),
    references: tuple[Reference, ...] = (),
    redirect: str | None = None,
) -> Entry:
    """One Entry whose definition is the text of `blocks`."""
    definition = _definition(blocks)
    links = tuple(x for b in blocks for x in b.links)
    if redirect is None:
        redirect = redirect_of(definition, links)
    return Entry(
        term=term,
        definition=definition,
        span=span,
        aliases=aliases,
        see_also=see_also,
        links=links,
        math=tuple(x for b in blocks for x in b.math),
        references=references,
        images=tuple(x for b in blocks for x in b.images),
        redirect=redirect,
    )


def alias_names(value: Any) -> list[str]:
    """The `aliases` of front matter, also when written as Obsidian wikilinks.

    `aliases: [[Foo]]` is YAML for a list in a list (and `- [[Foo]]` a list in a list item):
    such an inner list, or a quoted `"[[Foo|shown]]"`, names the note it links, `Foo`.
    A single string is one name, or several at commas (`alias: supervised learning` is that
    name: split at its spaces, as tags are, it gave the note the aliases "supervised" and
    "learning", and the notes on supervised and unsupervised learning merged by "learning").
    """
    if isinstance(value, str):
        parts = [s.strip() for s in value.split(",")]
        return [_link_target(s[2:-2]) if s.startswith("[[") and s.endswith("]]") else s
                for s in parts if s]
    if not isinstance(value, list):
        return meta_strings(value)
    names: list[str] = []
    for item in value:
        if isinstance(item, list):
            names.extend(_link_target(n) for n in alias_names(item))
        elif isinstance(item, str) and item.startswith("[[") and item.endswith("]]"):
            names.append(_link_target(item[2:-2]))
        else:
            names.extend(meta_strings([item]))
    return [n for n in names if n]


def _link_target(text: str) -> str:
    return text.split("|")[0].strip()


def front_entry_fields(parsed: Parsed, path: str) -> dict[str, Any]:
    """Aliases, related terms, references and redirect, as the front matter states them."""
    fm = parsed.front
    meta = fm.meta
    redirect = None
    for key in ("destination", "redirect_to", "redirect"):
        value = meta.get(key)
        if isinstance(value, str) and value.strip():
            redirect = value.strip()
            break
    if redirect is not None and _own_address(redirect, path):
        # a page whose `destination` is its own address (a Jekyll glossary's `sample-term.md`,
        # `destination: sample-term`) redirects nowhere: it showed "Sample term → sample-term"
        redirect = None
    return {
        # `aka:` ("also known as") states them too: a Jekyll glossary's every term (round 34:
        # "svd" aka "Singular Value Decomposition", "gbt" aka "Gradient Boosted Trees").
        "aliases": tuple(alias_names(meta.get("aliases", meta.get("alias", meta.get("aka")))))
        + _sidebar_acronym(meta),
        "see_also": tuple(
            Link(slug, LinkKind.RELATED, Span(path, ln, ln)) for slug, ln in fm.related
        ),
        "references": tuple(
            Reference(label, url, Span(path, ln, ln)) for label, url, ln in fm.references
        ),
        "redirect": redirect,
    }


def _sidebar_acronym(meta: dict[str, Any]) -> tuple[str, ...]:
    """A Docusaurus page's `sidebar_label` when it abbreviates the page's `title` ("SVM" for
    "Support Vector Machines"; round 43: `show SVM` found no concept): a name of the page's
    concept. A shorter wording ("Naive Bayes", "Introduction") is only the sidebar's, and so
    is one that abbreviates the title's first words only ("ML" for "Machine Learning Basics":
    round 44): the label's last letter starts the title's last word."""
    label, title = meta.get("sidebar_label"), meta.get("title")
    if not (isinstance(label, str) and isinstance(title, str)):
        return ()
    label = label.strip()
    words = re.findall(r"[^\W_]+", title.casefold())
    letters = label.rstrip("s") if label[:-1].isupper() else label
    whole = bool(words) and letters[-1:].casefold() == words[-1][0]
    return (label,) if looks_like_acronym(label) and is_abbreviation(label, title) and whole \
        else ()


def _own_address(target: str, path: str) -> bool:
    """Whether a redirect's target is the page's own file name, without its extension."""
    slug = target.strip().strip("/").rsplit("/", 1)[-1]
    stem = path.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return slug.rsplit(".", 1)[0] == stem if "." in slug else slug == stem


def whole_span(parsed: Parsed, path: str) -> Span:
    """From the first line of the front matter or body to the last line holding anything."""
    spans = [_block_lines(b) for b in parsed.blocks if b.units or b.images or b.links]
    last = max((s[1] for s in spans), default=max(parsed.front.end_line, 1))
    first = 1 if parsed.front.end_line else min((s[0] for s in spans), default=1)
    return Span(path, first, max(first, last))


# A post of a static site's blog: `layout: post`, or a file named by its date in the blog's
# folder (`blog/2019-05-29-hello-world.md`, as Docusaurus keeps posts with no layout;
# `_posts/` as Jekyll does when its settings give the layout). Round 45: a Docusaurus site's
# starter posts "Hello" and "Hola" ("This is a test post.") were concepts.
_BLOG_FOLDERS = frozenset({"blog", "_posts", "posts"})
_DATED_FILE = re.compile(r"(?:19|20)\d\d-[01]\d-[0-3]\d-")


def _blog_post(parsed: Parsed) -> bool:
    """Whether a page is a post, for a term file: a post headed by its H1 still names its
    subject (review38b: a MkDocs blog's dated post "# Attention" is that concept)."""
    layout = str(parsed.front.meta.get("layout", "")).lower()
    if layout:  # `layout: page` in `_posts/` says what the page is (a term of a glossary)
        return layout in ("post", "posts", "blog", "article")
    folders = parsed.path.replace("\\", "/").lower().split("/")
    return _DATED_FILE.match(folders[-1]) is not None and not _BLOG_FOLDERS.isdisjoint(folders)


def _is_term_file(parsed: Parsed) -> bool:
    meta = parsed.front.meta
    if not isinstance(meta.get("title"), str):
        return False
    if any(key in meta for key in TERM_KEYS):
        return True
    if _blog_post(parsed):
        return False
    if is_generic_title(collapse(meta["title"])) or manner_of_nothing(collapse(meta["title"])):
        # A site's own page titled by what it holds ("title: Schedule" over a course's
        # table, "title: Title" over a home page's template): no term (round 38: a course
        # site's 10 schedule pages were 10 concepts "Schedule"); so is "Notes, mostly"
        # (round 53).
        return False
    if _opens_with(parsed, meta["title"]):
        return True
    text_size = sum(len(b.text) for b in parsed.blocks)
    # Markup with no text under a title (a Slidev deck's `slides.md`: a cover of tags, then
    # `src:` blocks naming each lecture's file) is a page; a title alone is a term to write.
    return not parsed.headings and text_size <= TERM_FILE_CHARS \
        and (text_size > 0 or not parsed.blocks)


def _opens_with(parsed: Parsed, title: str) -> bool:
    """The body's first paragraph starts by naming the title ("Convolution is ..."), or one
    of what a title in the plural names ("Support Vector Machine (SVM) is ..." under "title:
    Support Vector Machines"; round 43: a Docusaurus page so had no definition and no "SVM")."""
    first = next((b for b in parsed.blocks if b.kind == "text" and b.units), None)
    if first is None or (parsed.headings and parsed.headings[0].index == 0) or not title.strip():
        return False
    words = first.text[: len(title) + 8].lower().split()
    if words and words[0] in ("a", "an", "the"):
        words = words[1:]
    opening, name = " ".join(words), collapse(title).lower()
    if opening.startswith(name):
        return True
    # "Machines" names a "Machine", "Processes" a "Process"; "Bias" is no plural of "Bia".
    ones = (name[:-1], name[:-2]) if name.endswith("s") and not name.endswith("ss") else ()
    return any(opening.startswith(one) and not opening[len(one):][:1].isalnum()
               for one in ones)


def _glossary_entries(parsed: Parsed, path: str) -> list[Entry]:
    meta = parsed.front.meta
    whole = meta.get("glossary") is True or str(meta.get("layout", "")).lower() == "glossary"
    heads = parsed.headings
    entries: list[Entry] = []
    # The open headings above the current one, each with whether it or one above it names a
    # glossary: one pass, since walking back per heading is quadratic in the heading count.
    stack: list[tuple[int, bool]] = []
    for k, h in enumerate(heads):
        while stack and stack[-1][0] >= h.level:
            stack.pop()
        under = whole or (bool(stack) and stack[-1][1])
        stack.append((h.level, under or (_GLOSSARY_HEADING.search(h.title) is not None
                                         and not _links_away(parsed, h))))
        if not under or len(h.title) <= 1:
            continue
        if k and name_shaped(bare_name(h.title)) in _NO_TERM:
            # Under a glossary heading of a lecture ("## More terminology"), its worked parts
            # ("Example 1: ...", "Decision tree with max_depth=3") are no terms (round 41).
            continue
        nxt = heads[k + 1].index if k + 1 < len(heads) else len(parsed.blocks)
        if nxt == h.index:
            continue  # no text directly beneath: a letter or group heading
        end = next(
            (heads[j].index for j in range(k + 1, len(heads)) if heads[j].level <= h.level),
            len(parsed.blocks),
        )
        blocks = parsed.blocks[h.index : end]
        last = max((ln for b in blocks for ln, _ in b.units), default=h.line)
        entries.append(entry_from_blocks(h.title, blocks, Span(path, h.line, last)))
    return entries


def _links_away(parsed: Parsed, head: Heading) -> bool:
    """Whether a heading is wholly a link to a web page: a paper's or a page's title, which
    names that work ("## [On a Large Target Vocabulary for Translation](https://arxiv...)"),
    never a glossary of its own (round 35: a paper note's "Key Points:" and "Notes:" were
    its terms, and one concept "Key Points" gathered 70 notes' sections)."""
    if head.index >= len(parsed.blocks):
        return False
    block = parsed.blocks[head.index]
    title = collapse(head.title)
    return any(x.kind == LinkKind.URL and x.span.start_line == head.line
               and collapse(x.label or "") == title for x in block.links[:block.heading_links])


def markdown_entries(parsed: Parsed, path: str, title: str) -> list[Entry]:
    """Entries by the module's rules: a term file, the headings of a glossary page, or a titled
    note. A journal page (titled by its day) is neither a term file nor a titled note: its
    first heading is a part of the day ("Reading"), not a name; nor is an "Untitled" note."""
    if names_no_concept(title):
        return _glossary_entries(parsed, path)
    if not_a_page(parsed.front.meta, title):
        return []  # a Dendron root note, an Excalidraw drawing
    front_title = parsed.front.meta.get("title")
    heads = parsed.headings
    if heads and isinstance(front_title, str) and collapse(front_title) != title \
            and title == collapse(heads[0].title):
        # Titled by its first heading, not its front matter's section (`title_of`,
        # `_named_by_file_and_heading`): that heading's text is the page's definition.
        end = heads[1].index if len(heads) > 1 else len(parsed.blocks)
        lead = [b for b in parsed.blocks[heads[0].index:end] if b.kind != "code"]
        if not lead or not lead[0].units:
            return []
        last = max((ln for b in lead for ln, _ in b.units), default=heads[0].line)
        return [entry_from_blocks(title, lead, Span(path, heads[0].line, last),
                                  **front_entry_fields(parsed, path))]
    if _is_term_file(parsed):
        entry = entry_from_blocks(
            title, parsed.blocks, whole_span(parsed, path), **front_entry_fields(parsed, path)
        )
        if not parsed.blocks and not entry.definition and not entry.redirect \
                and stem_of(path).lower() in ("index", "_index"):
            # A folder's page of a title and no text (`index.md` of `title: Metrics`, whose
            # list of notes the site draws): a page, as the Obsidian reader says of the same
            # file, not an entry left empty (round 33: 27 of a garden's 39 findings). A
            # glossary's term file of a title only is a term to write: said empty as before.
            entry = replace(entry, reason=PAGE_REASON)
        return [entry]
    return _glossary_entries(parsed, path) or _titled_note(parsed, path, title) \
        or _topic_entries(parsed, path)


_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+(?=\S)", re.IGNORECASE)
_TOPIC_REASON = "topics of the note, each under its own level-1 heading"


def _topic_entries(parsed: Parsed, path: str) -> list[Entry]:
    """A note of several H1 topics side by side (`_topics`): each topic with text directly
    under it is an entry, defined by that text, as a titled note's one H1 is. A heading the
    note repeats ("# Forward pass" under each of its parts), or that is no name (a question,
    a sentence), is none."""
    heads = [h for h in parsed.headings if not MATH_ONLY.fullmatch(h.title)]
    if parsed.front.meta.get("marp") is True or not _topics(heads, stem_of(path)):
        # A Marp deck gives each slide an H1: the slides are sections of the deck, which its
        # front matter or first slide names (round 43: a course's deck opening on "# Welcome
        # to ...!" was 9 concepts, "Grade Assessment" and "Textbooks and other readings"
        # among them, where its other decks were sections of their titles).
        return []
    meta = parsed.front.meta
    if str(meta.get("title") or "").strip() and meta.get("date") \
            and _text_before(parsed, heads[0]):
        # A post its front matter names and dates, which opens with a paragraph and heads its
        # parts with `#`: the H1s are its sections (round 44: a Hugo blog's "# Experiment", "#
        # Continuous spaces" were topics side by side; a section that defines its heading,
        # "# Stein discrepancy", is an entry as a section). A page with no date, a title and
        # a line over one H1 per term, keeps its terms (review44a).
        return []
    tops = [h for h in heads if h.level == 1]
    seen: dict[str, int] = {}
    for h in tops:
        seen[normalize(h.title)] = seen.get(normalize(h.title), 0) + 1
    nexts = {id(h): (heads[k + 1].index if k + 1 < len(heads) else len(parsed.blocks))
             for k, h in enumerate(heads)}
    entries: list[Entry] = []
    for h in tops:
        if seen[normalize(h.title)] > 1 \
                or name_shaped(_LEADING_ARTICLE.sub("", h.title)) is not None:
            continue
        lead = [b for b in parsed.blocks[h.index : nexts[id(h)]] if b.kind != "code"]
        if not lead or not lead[0].units or sum(len(b.text) for b in lead) < MIN_PROSE:
            continue
        last = max((ln for b in lead for ln, _ in b.units), default=h.line)
        entries.append(replace(entry_from_blocks(h.title, lead, Span(path, h.line, last)),
                               reason=f"one of {len(tops)} {_TOPIC_REASON}"))
    return entries


def _titled_note(parsed: Parsed, path: str, title: str) -> list[Entry]:
    """A note that opens with its one H1, a short name, and text under it (`# Dropout` then a
    paragraph): the H1 is a term and its lead section, up to the next heading, defines it.
    An H1 that opens the note on its subject (`# Introduction` in RNN.md, `opens_note`) does
    so for the title the file gives it."""
    heads = parsed.headings
    # A book chapter may open with a code cell (`import torch`) before its title.
    if not heads or heads[0].level != 1:
        return []
    if any(b.kind != "code" for b in parsed.blocks[: heads[0].index]):
        return []
    if sum(h.level == 1 for h in heads) > 1 or len(heads[0].title.split()) > TITLED_NOTE_WORDS:
        return []
    term = heads[0].title
    if _CLAUSE.match(term):
        return []  # "# If it is the office environment" opens a note; it names nothing
    if _bookmark(parsed, heads[0]):
        return []
    if is_generic_title(term) or manner_of_nothing(term):
        if not opens_note(term) or is_generic_title(title):
            return []  # `# Links` over a list of addresses names a part of a page, not a note
        term = title
    if str(parsed.front.meta.get("layout", "")).lower() in ("post", "posts", "blog", "article"):
        return []
    end = heads[1].index if len(heads) > 1 else len(parsed.blocks)
    lead = [b for b in parsed.blocks[heads[0].index : end] if b.kind != "code"]
    if not lead or not lead[0].units:
        return []
    if len(lead) > 1 and lead[1].units and _byline(lead[0], heads[0].title):
        lead = lead[1:]
    blocks = lead
    answer = _asked_next(parsed, term, lead)
    if answer is not None:
        blocks = [*lead, *answer]
        lead = answer
    last = max((ln for b in blocks for ln, _ in b.units), default=heads[0].line)
    if term != title and _retitles(parsed, title, term):
        # The page's H1 and its front matter's title name one subject in two wordings
        # ("title: Named Entity Recognition with Torch" over "# Named Entity Recognition with
        # Torch Loop", "title: Module 3 - Decision Trees" over "# Decision Trees"): one
        # concept named by the title, the heading as written an alias. As two they were two
        # concepts for one page, or one name twice in a file (round 38: a MkDocs blog and a
        # MkDocs course site, 20 of 30 posts and 12 of 30 notes). The shorter wording names
        # it: "title: Understanding Attention" (or "Notes on ...", "... in 5 minutes") over
        # "# Attention" is "Attention" (review38b).
        name, other = (term, title) if len(bare_name(term).split()) < len(
            bare_name(title).split()) else (title, term)
        return [entry_from_blocks(name, lead, Span(path, heads[0].line, last),
                                  aliases=(other,) if bare_name(term) != bare_name(title) else ())]
    return [entry_from_blocks(term, lead, Span(path, heads[0].line, last))]


# A paper's authors as a summary lists them under its title: "Ada Lovelace, Alan M. Turing, and
# Grace Hopper", each name two to five words, each word capitalised, an initial, or a
# particle ("van", "de").
_BYLINE_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b)\s*")
_NAME_WORD = re.compile(r"[A-Z]\.?|[^\W\d_a-z][^\W\d_]*(?:['-][^\W\d_]+)*\.?")
_NAME_PARTICLES = frozenset({"van", "von", "der", "den", "de", "da", "di", "del", "la", "le",
                             "du", "dos", "bin", "ibn", "al"})
_YEAR_AFTER = re.compile(r"\((?:19|20)\d\d\)\s*$")


def _byline(block: Block, heading: str) -> bool:
    """Whether `block`, a note's first paragraph under its title, is only the names of those
    who wrote the work it sums up (round 46: each note of a repository of paper summaries
    opens `# Title (2019)`, the authors' names, a rule, the summary; `show` printed the names
    as what the paper is). Two names or more, or one name under a title dated as a paper's
    ("# The Consciousness Prior (2017)" over "Yoshua Bengio"); a list of things ("Adam,
    RMSProp, Adagrad": one word each) or a sentence is no byline."""
    if block.kind != "text" or len({ln for ln, _ in block.units}) != 1:
        return False
    text = block.text.strip()
    if len(text) > 400 or text.endswith((":", "!", "?")):
        return False
    parts = [p for p in _BYLINE_SPLIT.split(text) if p]
    if not parts or (len(parts) == 1 and not _YEAR_AFTER.search(heading)):
        return False
    for part in parts:
        words = part.split()
        if not 2 <= len(words) <= 5 or not words[-1][:1].isupper() or not all(
                _NAME_WORD.fullmatch(w) or w in _NAME_PARTICLES for w in words):
            return False
    return True


_SUBJECT_WORD = re.compile(r"[^\W\d_]{3,}")
_NOT_SUBJECT = frozenset({
    "the", "and", "for", "with", "using", "from", "into", "your", "our", "how", "what", "why",
    "its", "via", "about", "note", "notes", "part", "module", "lecture", "chapter", "week",
    "basics", "introduction", "intro", "overview",
})


def _subject_words(name: str) -> set[str]:
    return {w.casefold().removesuffix("s") for w in _SUBJECT_WORD.findall(bare_name(name))
            if w.casefold() not in _NOT_SUBJECT}


def _retitles(parsed: Parsed, title: str, heading: str) -> bool:
    """Whether the page's front matter `title` is `title` and names what its one H1 names:
    the two share a word of their subject ("Neural RecSys" and "Neural Networks for
    Recommendation Systems", "Centroids" and "Centroid: geometric center"). A title that
    names nothing ("Lecture 5", "Notes") leaves the heading the name, as one about
    something else does ("title: Week 3" over "# Backpropagation")."""
    front = parsed.front.meta.get("title")
    if not isinstance(front, str) or collapse(front) != title or is_generic_title(title) \
            or names_no_concept(title) or is_generic_title(bare_name(title)):
        return False
    return bool(_subject_words(title) & _subject_words(heading)) \
        and not two_kinds(title, heading)


def two_kinds(one: str, other: str) -> bool:
    """Whether two names are two kinds of one thing: they share only the word that names the
    kind, each with a word of its own before it ("Linear Regression", "Logistic Regression").
    A page whose front matter `title` and whose one H1 are so (a front matter copied from
    another note) is about what its H1 says, no alias of the title (round 38's leftover:
    `_retitles` joined them)."""
    mine, its = _subject_words(one), _subject_words(other)
    return bool(mine - its and its - mine) and mine & its == {_head_word(one)} == {
        _head_word(other)}


def _opens_body(parsed: Parsed) -> bool:
    """Whether the page's one H1 opens its body, no text before it: a page whose text first
    speaks of its `title` ("Batch normalization normalizes ...") and later heads a section
    "# Layer Normalization" is about the title's thing (review39b: the title was replaced)."""
    h1 = next(h for h in parsed.headings if h.level == 1)
    return not any(b.kind == "text" for b in parsed.blocks[:h1.index])


def _head_word(name: str) -> str:
    """The last subject word of a name, the kind it names ("Regression" of "Linear
    Regression"), as `_subject_words` spells it; "" when it has none."""
    words = [w.casefold().removesuffix("s") for w in _SUBJECT_WORD.findall(bare_name(name))
             if w.casefold() not in _NOT_SUBJECT]
    return words[-1] if words else ""


def _bookmark(parsed: Parsed, head: Heading) -> bool:
    """A heading that is only a link to a web page (`* [[https://github.com/a/b][a/b]]`, as
    org-roam captures a page, `# [owner/repo](https://...)`) and text under it that never
    names it: a bookmark with the writer's remarks, not a term (round 33: an org-roam note
    "Jupyter Nix" was also the concept "GTrunSec/nix-expressions-jupyter-repl-test")."""
    if head.index >= len(parsed.blocks):
        return False
    first = parsed.blocks[head.index]
    if not any(x.kind == LinkKind.URL and x.span.start_line == head.line
               and collapse(x.label or x.target) == head.title for x in first.links):
        return False
    end = next((h.index for h in parsed.headings if h.index > head.index), len(parsed.blocks))
    said = normalize(" ".join(b.text for b in parsed.blocks[head.index:end]))
    return f" {normalize(head.title)} " not in f" {said} "


def _asked_next(parsed: Parsed, term: str, lead: list[Block]) -> list[Block] | None:
    """The text under the note's second heading when it asks what the note's subject is
    ("# 05 — Broadcasting", a paragraph about the writer, "## What is broadcasting?") and
    the lead never names the subject: that section, not the aside, defines it (round 32:
    a course's notes showed "This concept confused me the most ..." as the definition)."""
    heads = parsed.headings
    if len(heads) < 2:
        return None
    asked, name = heads[1].title, bare_name(term)
    if bare_name(asked) == asked or normalize(bare_name(asked)) != normalize(name):
        return None
    if f" {normalize(name)} " in f" {normalize(' '.join(b.text for b in lead))} ":
        return None  # "A view is ...": the lead defines it, the question only opens more
    end = next((h.index for h in heads[2:] if h.level <= heads[1].level), len(parsed.blocks))
    answer = [b for b in parsed.blocks[heads[1].index : end] if b.kind != "code"]
    return answer if answer and answer[0].units else None


def make_document(
    parsed: Parsed,
    path: str,
    fmt: str,
    title: str,
    entries: list[Entry],
    tags: tuple[str, ...],
    *,
    template: bool = False,
) -> Document:
    passages = build_passages(parsed.blocks, path)
    if template or is_template(parsed.front.meta) or is_placeholder(title):
        # A template's links are placeholders, no pages wanted (round 33: `[[seite-1]]` in a
        # wiki's source template, titled "# {{TITEL}}", was a wanted page).
        passages = [replace(p, links=()) if p.links else p for p in passages]
    if parsed.refs and passages:
        # `[[autodoc]]` lines have no text; their REF links ride on the last passage.
        last = passages[-1]
        passages[-1] = replace(last, links=(*last.links, *parsed.refs))
    problems = sorted(parsed.problems, key=lambda p: p.span.start_line)
    meta = parsed.front.meta
    if parsed.labels:
        meta = {**meta, "labels": dict(parsed.labels)}
    if template:
        meta = {**meta, "vault_template": True}  # `not_a_page`: no page entry either
    elif any((e.reason or "").endswith(_TOPIC_REASON) for e in entries) \
            and _is_slug(stem_of(path)):
        # A note of topics named by a slug (`common_distributions.ipynb`): the topics are its
        # concepts, the file's name none (`sections.add_page_entry`).
        meta = {**meta, "topics": True}
    doc = Document(
        path=path,
        format=fmt,
        title=title,
        passages=tuple(passages),
        entries=tuple(entries),
        tags=tags,
        meta=meta,
        problems=tuple(problems),
    )
    return link_local_labels(doc if template else add_section_entries(
        doc, marked=parsed.index_marks, coded=parsed.code_names, tabs=parsed.tab_paths,
        slides=parsed.slide_paths))


def read_with(
    data: bytes,
    path: str,
    fmt: str,
    md: MarkdownIt,
    *,
    preprocess: Callable[[str], str] | None = None,
    flavor: Flavor = PLAIN,
) -> tuple[Parsed, str]:
    """Decode, preprocess and parse: the shared first half of both Markdown readers."""
    text = decode(data, path)
    if preprocess is not None:
        text = preprocess(text)
    text, props = logseq_properties(text)
    if not props:
        text, props = notion_properties(text, path)
    parsed = parse(text, path, md, flavor)
    expand_macros(parsed)
    if props:
        parsed.front.meta = {**props, **parsed.front.meta}
    if dendron_node(parsed.front.meta, path, not parsed.blocks):
        parsed.front.meta = {**parsed.front.meta, "hierarchy_node": True}  # `not_a_page`
    elif quarto_partial(path):
        parsed.front.meta = {**parsed.front.meta, "partial": True}  # `not_a_page`
    # An Obsidian note's name is its file name; a web page's is its first heading.
    title = title_of(parsed, path, any_heading=fmt == name)
    stem = stem_of(path)
    first_h1 = next((h.title for h in parsed.headings if h.level == 1), "")
    if "title" not in parsed.front.meta and suffix_of(path).lower() == ".ipynb" \
            and (is_generic_heading(title) or (first_h1 and is_generic_heading(first_h1))):
        # a notebook's only: a note's file is named by its writer ("Dropout.md" opening
        # "**Status: draft**" over "# Overview" is "Dropout"; review38b)
        title = _bold_title(text, parsed) or title
    if _links_another_note(parsed, text, title):
        title = stem
    elif first_h1 and title != collapse(first_h1) and "title" in parsed.front.meta \
            and sum(h.level == 1 for h in parsed.headings) == 1 \
            and title == collapse(str(parsed.front.meta["title"])) \
            and two_kinds(title, first_h1) and _opens_body(parsed):
        title = collapse(first_h1)  # "title: Linear Regression" over "# Logistic Regression"
    if title == stem:
        linked = _linked_title(parsed, stem) if fmt == name else None
        title = linked or slug_title(restored_title(title, text), text)
    elif parsed.headings and "title" not in parsed.front.meta and in_logseq_graph(path):
        # A Logseq page is named by its file (or `title::`); a `- # Definition` block is a
        # heading inside its outline, not its name.
        title = stem_title(stem)
    layout = parsed.front.meta.get("layout")
    if isinstance(layout, str) and layout.strip().casefold() in LIST_LAYOUTS \
            and _opens_with(parsed, title):
        # A tag's page that defines its tag above the list its theme draws ("Attention is a
        # mechanism that ..."): a page about the thing (review39b's leftover), no list only.
        parsed.front.meta = {**parsed.front.meta, "own_text": True}  # `not_a_page`
    return parsed, title


# A notebook of a book's chapter opens with its title in bold, not as a heading
# ("**Chapter 6 - Decision Trees**"), then "# Setup" over the imports: all 19 chapters of a
# public book's notebooks were titled "Setup" (round 38), and no chapter could be found by its
# name; a copy named `trees.ipynb` was "trees". A first line that is bold and nothing else,
# before any heading, names a page whose first heading is a generic part.
_BOLD_LINE = re.compile(r"[ \t]{0,3}(\*\*|__)(?=\S)([^*_\n]{1,200})(?<=\S)\1[ \t]*")


def _bold_title(text: str, parsed: Parsed) -> str | None:
    """The first line of `text` when it is one bold run before any heading, else None."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    m = _BOLD_LINE.fullmatch(first)
    if m is None or not any(c.isalpha() for c in m.group(2)):
        return None
    bold = collapse(m.group(2))
    if parsed.headings and not any(b.units for b in parsed.blocks[: parsed.headings[0].index]):
        return None  # the heading came first: the bold line is under it
    return None if is_generic_heading(bold) else bold


# --------------------------------------------------------------------------- reader protocol

__all__ = [
    "Flavor",
    "Parsed",
    "build_parser",
    "entry_from_blocks",
    "extensions",
    "front_entry_fields",
    "make_document",
    "name",
    "names_note",
    "read",
    "read_with",
    "sniff",
    "tags_of",
    "whole_span",
]


def _defined_by_dfn(parsed: Parsed, path: str, title: str) -> list[Entry]:
    """A MyST chapter that opens with a section (`# Self-attention`, then `## What and why`)
    and marks its own title with `{dfn}` where it defines it ("a process called
    {dfn}`self-attention`"): that paragraph is its definition, as the writer marked it. Only
    the first such mark, and only in the prose of the chapter (no heading, no code)."""
    key = normalize(title)
    for term, index in parsed.dfns:
        if normalize(term) != key or index >= len(parsed.blocks):
            continue
        block = parsed.blocks[index]
        if block.kind != "text" or not block.units:
            return []
        first, last = block.units[0][0], block.units[-1][0]
        return [entry_from_blocks(title, [block], Span(path, first, last))]
    return []


# The boxes a writer defines a thing in (`!!! info "Softmax"`), as against a tip, a warning,
# an example or a question, whose title names the advice or the case, not a thing.
_DEFINING_BOXES = frozenset({"note", "info", "abstract", "summary", "tldr", "definition",
                             "important", "seealso"})
_BOX_REASON = "an admonition titled by a name, whose text opens by naming it"
# A box whose type says it holds a definition (`> [!definition] 2.1 — Markov Chain`, `!!!
# definition "Ergodicity"`): its title names what it defines, whatever its text opens with
# ("Let $M$ be a manifold. A map is **smooth** if ..."; round 39: a public notebook's 127
# definition callouts, half of which open on their setting).
_DEFINITION_BOXES = frozenset({"definition", "def", "defn"})
_DEFINITION_REASON = "a box of the type definition, titled by a name"
# A box titled by its number, as LaTeX numbers definitions: "Definition 2.1", "Def. 3 (Markov
# chain)", "Defn 4: Ergodicity" (review39b: each was a concept named "Definition 2.1 ...").
_NUMBERED_DEFINITION = re.compile(
    r"(?:definition|defn?)\.?\s*\d[\w.]*\s*(?:\((?P<name>[^()]+)\)|[:.\u2013\u2014-]\s*(?P<after>.+))?",
    re.IGNORECASE)
_BOX_WORDS = 5
# What follows a box's title in its text when the title is a word of advice, not a name
# ("Recall that the gradient ...", "Remember to ...", "Important: ...", "In practice, ...";
# review38b: `!!! note "Recall"` over "Recall that ..." defined the metric "Recall").
_ADVICE_AFTER = re.compile(r"\s*(?:[:,;!]|(?:that|to)\b)", re.IGNORECASE)


def _pair_names(term: str) -> tuple[str, ...]:
    """The two names of a box that defines two things at once ("Tangent Vector and Tangent
    Space", "Rate Matrix and CTMC"; round 39: 15 of a notebook's 127 definition boxes), each
    found by its own name. A first part of one word may share what follows ("Exponential and
    Logarithm Maps"): no pair.

    >>> _pair_names("Ricci Tensor and Ricci Curvature"), _pair_names("Exponential and Log Maps")
    (('Ricci Tensor', 'Ricci Curvature'), ())
    """
    left, sep, right = term.partition(" and ")
    if not sep or " and " in right or len(left.split()) < 2 or not right.strip() \
            or is_generic_heading(left) or is_generic_heading(right):
        return ()
    return (left.strip(), right.strip())


def _section_name(heading: str | None, term: str, taken: set[str]) -> tuple[str, ...]:
    """The heading of the section a box opens, as a name of the box's entry, when the two
    share a word ("## Holonomy" opening with `> [!definition] Holonomy Group`; "## Geodesics"
    over a box "Geodesic Curve"): the section's text is the box's, and without it the
    heading's name found nothing (round 39's leftover: the section took the box's name). A
    generic heading ("Definitions"), or one naming something else, is no name of it."""
    if heading is None:
        return ()
    name = bare_name(heading)
    key = normalize(name)
    if not key or key == normalize(term) or key in taken or is_generic_heading(name) \
            or names_no_concept(name) or is_statement(name) or name.endswith("?") \
            or len(name.split()) > _BOX_WORDS:
        return ()
    return (name,) if set(key.split()) & set(normalize(term).split()) else ()


def _box_entries(parsed: Parsed, path: str, entries: list[Entry]) -> list[Entry]:
    """An admonition whose title is a name and whose text opens by naming it ("!!! info
    \"Softmax\"" over "The softmax function maps ..."): a definition the writer boxed, an
    entry as a section headed so would be (round 38: MkDocs lecture notes box their
    definitions). A box titled by advice ("Key point"), a question or a sentence, or whose text
    opens on something else, is none."""
    found: list[Entry] = []
    taken = {normalize(n) for e in entries for n in (e.term, *e.aliases)}
    # The blocks by their first line, each box's found by bisection: a page of thousands of
    # boxes scanned every block for each (4,000 boxes took 2.3 s; review38b).
    inside = sorted(((b.units[0][0], n, b) for n, b in enumerate(parsed.blocks)
                     if b.kind != "code" and b.units), key=lambda x: (x[0], x[1]))
    starts = [line for line, _, _ in inside]
    heads = {h.index: h.title for h in parsed.headings}
    for kind, title, first, last in parsed.boxes:
        term = bare_name(title)
        if (label := _NUMBERED_DEFINITION.fullmatch(term)) is not None:
            # "Definition 2.1 (Markov chain)": the name in brackets; "Def. 3" names nothing
            term = bare_name(label["name"] or label["after"] or "")
        if kind not in _DEFINING_BOXES or not term or len(term.split()) > _BOX_WORDS \
                or normalize(term) in taken or is_generic_heading(term) \
                or names_no_concept(term) or is_statement(term) or term.endswith("?"):
            continue
        held = inside[bisect_left(starts, first):bisect_right(starts, last)]
        blocks = [b for _, _, b in held]
        # The section the box opens, whose heading is then a name of the box's entry
        opened = _section_name(heads.get(held[0][1]) if held else None, term, taken)
        if blocks and blocks[0].units[0][0] == first:
            # The title's own line: an admonition's paragraph, or the first line of a
            # callout's quote, whose text goes on under it
            rest = [u for u in blocks[0].units if u[0] != first]
            blocks = [replace(blocks[0], units=rest), *blocks[1:]] if rest else blocks[1:]
        if not blocks or blocks[0].kind not in ("text", "quote"):
            continue
        if kind in _DEFINITION_BOXES:
            end = max(ln for b in blocks for ln, _ in b.units)
            found.append(replace(entry_from_blocks(term, blocks, Span(path, first, end),
                                                   aliases=(*_pair_names(term), *opened)),
                                 reason=_DEFINITION_REASON))
            taken.add(normalize(term))
            continue
        words = blocks[0].text[: len(term) + 8].lower().split()
        if words and words[0] in ("a", "an", "the"):
            words = words[1:]
        if not " ".join(words).startswith(collapse(term).lower()):
            continue
        opening = blocks[0].text[: len(term) + 24].split()
        opening = opening[1:] if opening and opening[0].lower() in ("a", "an", "the") else opening
        if _ADVICE_AFTER.match(" ".join(opening)[len(collapse(term)):]):
            continue  # "Recall that ...", "Remember to ...", "Important: ...": advice
        end = max(ln for b in blocks for ln, _ in b.units)
        found.append(replace(entry_from_blocks(term, blocks, Span(path, first, end),
                                               aliases=opened),
                             reason=_BOX_REASON))
        taken.add(normalize(term))
    return found


def with_box_entries(parsed: Parsed, path: str, title: str, entries: list[Entry]) -> list[Entry]:
    """`entries` and the boxes of the page that define a name (`_box_entries`), in order."""
    if parsed.boxes and not names_no_concept(title) and not not_a_page(parsed.front.meta, title):
        boxed = _box_entries(parsed, path, entries)
        if boxed:
            return sorted([*entries, *boxed], key=lambda e: e.span.start_line)
    return entries


_BOLD_LEAD_REASON = ("a paragraph led by its name in bold, one of {n} such paragraphs of which "
                     "{m} define their name")


_LEAD_END = re.compile("^[.:]?[ \t]*(?:(?:--|\u2014|\u2013)[ \t]*)?")


def _bold_lead_entries(parsed: Parsed, path: str, entries: list[Entry]) -> list[Entry]:
    """Paragraphs in a row, each led by a name in bold ("**Sigmoid.** The sigmoid ...",
    "**Tanh.** ...", "**ReLU.** ..."), half or more of which define their name: each is an
    entry, as parallel sections headed so would be (round 39, qa39: a course's lecture pages
    list activation functions, losses and optimizers so, and none was an entry). One such
    paragraph alone, a run whose texts do not define their bold words ("**Input:** a list"),
    or a generic word ("**Note.**") is none."""
    if len(parsed.bold_leads) < 2:
        return []
    leads = dict(parsed.bold_leads)
    taken = {normalize(n) for e in entries for n in (e.term, *e.aliases)}
    spans = [(e.span.start_line, e.span.end_line) for e in entries]
    runs: list[list[tuple[str, Block]]] = []
    run: list[tuple[str, Block]] = []
    for block in parsed.blocks:
        lead = leads.get(block.units[0][0]) if block.kind == "text" and block.units else None
        if lead is not None and run and run[-1][1].heading_path == block.heading_path:
            run.append((lead, block))
            continue
        if lead is not None or block.kind == "text":
            runs.append(run)
            run = [(lead, block)] if lead is not None else []
    runs.append(run)
    found: list[Entry] = []
    for run in runs:
        if len(run) < 2 or _section_defined_before(parsed.blocks, run[0][1]):
            continue
        items = []
        for lead, block in run:
            term = bare_name(lead)
            first_line, first_text = block.units[0]
            rest = _LEAD_END.sub("", first_text[len(lead):]) \
                if first_text.startswith(lead) else ""
            items.append((term, block, [(first_line, rest), *block.units[1:]] if rest
                          else block.units[1:]))
        defining = sum(1 for term, _, units in items
                       if units and defines(term, " ".join(t for _, t in units)))
        if defining * 2 < len(items):
            continue
        for term, block, units in items:
            first, last = block.units[0][0], block.units[-1][0]
            if not term or not units or len(term.split()) > _BOX_WORDS \
                    or normalize(term) in taken or is_generic_heading(term) \
                    or names_no_concept(term) or is_statement(term) \
                    or any(s <= first <= e for s, e in spans):
                continue
            found.append(replace(entry_from_blocks(term, [replace(block, units=units)],
                                                   Span(path, first, last)),
                                 reason=_BOLD_LEAD_REASON.format(n=len(items), m=defining)))
            taken.add(normalize(term))
    return found


def with_bold_lead_entries(parsed: Parsed, path: str, title: str,
                           entries: list[Entry]) -> list[Entry]:
    """`entries` and the paragraphs led by a name in bold (`_bold_lead_entries`), in order."""
    if parsed.bold_leads and not names_no_concept(title) \
            and not not_a_page(parsed.front.meta, title):
        bold = _bold_lead_entries(parsed, path, entries)
        if bold:
            return sorted([*entries, *bold], key=lambda e: e.span.start_line)
    return entries


def _section_defined_before(blocks: list[Block], first: Block) -> bool:
    """Whether the text of `first`'s section before it defines the section's heading
    ("## Regularization" opening "Regularization is ...", then "**L2.** ...", "**L1.** ...";
    review40b): the section is then the heading's entry, and the bold paragraphs its parts,
    not a list that takes its place."""
    path = first.heading_path
    if not path:
        return False
    lead = []
    for block in blocks:
        if block is first:
            break
        if block.heading_path == path and block.kind == "text":
            lead.append(block.text)
    return bool(lead) and defines(bare_name(path[-1]), "\n\n".join(lead))


def read(data: bytes, path: str) -> list[Document]:
    parsed, title = read_with(data, path, name, _MD)
    entries = markdown_entries(parsed, path, title)
    if not entries and parsed.dfns:
        entries = _defined_by_dfn(parsed, path, title)
    entries = with_bold_lead_entries(parsed, path, title,
                                     with_box_entries(parsed, path, title, entries))
    if not entries and not parsed.blocks and notion_page(path) and not names_no_concept(title):
        # A page of a Notion export that holds only its title and properties (a stub) is
        # still a page, as a vault note is: `[Layer Normalization](...)` leads to it.
        entries = [Entry(term=title, definition="", span=Span(path, 1, 1),
                         reason=VAULT_PAGE_REASON)]
    return [make_document(parsed, path, name, title, entries, tags_of(parsed))]
