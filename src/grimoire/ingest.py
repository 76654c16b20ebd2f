"""Ingest: walk folders, read changed files (in worker processes), store them in batches.

Incremental by content hash: unchanged files are skipped, changed ones replaced, and files gone
from an ingested folder removed. One bad file never stops the batch: it is recorded as failed,
with its reason, and whatever was stored for it before is kept.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import os
import pickle
import re
import stat
import tempfile
import time
from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from grimoire import readers
from grimoire._readpool import Budget, ReadPool
from grimoire.errors import GrimoireError, ReadError, RefusedValue
from grimoire.files import (
    EXPORT_MARKER,
    TooLargeError,
    open_regular,
    path_of,
    read_capped,
    storable,
    walk_folder,
)
from grimoire.model import Document, Problem, Span
from grimoire.readers.base import ReadOptions, decode_warning, looks_binary, suffix_of
from grimoire.root_names import gone_from_present, gone_link_of, known_spelling, spelled_apart
from grimoire.store.base import SourceRecord, Store
from grimoire.store.document_rows import DocumentRows, SourceItem, document_rows

# Folders a tool fills: packages, caches, builds, and the runs an experiment tracker logs
# (MLflow's `mlruns/` and `mlartifacts/`, Lightning's `lightning_logs/`, CMake's
# `CMakeFiles/`): their files are a run's parameters and a build's output, never notes. So
# are a static site's templates and built pages: Jekyll's `_layouts/` and `_includes/` (HTML
# and Liquid: "default", "footer", "sidebar" were concepts, their `{{ page.url }}` links dead;
# round 34, two glossary sites), `_sass/`, and the `_site/` Jekyll, Quarto and Eleventy build
# (a second copy of every page), Quarto's `_freeze/`, and GitBook's and HonKit's `_book/` (a
# book's Markdown built into HTML beside it: round 35, a public interview book gave every
# chapter twice, 109 near-duplicate findings and two concepts for each of its 104 pages).
SKIP_DIRS = frozenset({
    "node_modules", "__pycache__", "_build", "site-packages", "venv", "mlruns", "mlartifacts",
    "lightning_logs", "CMakeFiles", "_layouts", "_includes", "_sass", "_site", "_freeze",
    "_book",
})
# A file that marks the folder holding it as a tool's output, whatever its name: a CMake
# build folder (`build/`, `cmake-build-debug/`), a Weights & Biases run folder (`wandb/`), a
# site generator's theme (Hugo's and Zola's `theme.toml`: round 44, a blog's PaperMod theme
# gave its README's "Features/Mods", "Install/Update" as concepts; a theme's `exampleSite/`
# holds its demo posts).
_TOOL_DIR_MARKERS = ("CMakeCache.txt", "latest-run", "theme.toml")
# Packages a repository vendors: Bundler's `vendor/bundle/` and `vendor/gems/` (round 56,
# qa56: a book in AsciiDoc kept a math gem's source, and its test fixtures' 349 HTML pages,
# 30 TeX files and READMEs were read as notes, "root-1" a search hit), and Go's `vendor/`
# (its `modules.txt`).
_VENDORED = {"vendor": ("bundle", "gems")}
_GO_VENDOR = "modules.txt"
# The folder Sphinx (and Jupyter Book) builds a site into holds its `.buildinfo`, and in
# `_sources/` a copy of each page's source. Round 54, qa54: a repository kept its built site in
# `docs/build/html/`, not `_build/`, and each chapter was read three times, from its `.rst`, its
# `_sources/x.rst.txt` copy and its page; so the site is skipped where its sources lie near
# (`_copy_of_sources`). Review54c: a course's published site kept as the only copy of its notes
# (a `gh-pages` clone in a vault) was lost whole, with no word in `sources`; it is read, its
# `_sources/` copies apart (the pages say the same).
_SPHINX_BUILD = ".buildinfo"
_SPHINX_COPIES = "_sources"


def skipped_name(name: str) -> bool:
    """Whether `name` alone marks a folder that holds no notes: hidden, or a tool's
    (SKIP_DIRS); `skipped_dir` also looks inside the folder and at its parent."""
    return name.startswith(".") or name in SKIP_DIRS


def skipped_dir(parent: str, name: str) -> bool:
    """Whether the folder `name` in `parent` holds no notes: hidden, a tool's (SKIP_DIRS or
    marked by one of `_TOOL_DIR_MARKERS`), vendored packages (`_VENDORED`), or a Logseq
    graph's own `logseq/` (its config, and in `bak/` and `version-files/` old copies of pages
    that would come back as second copies of every concept)."""
    if skipped_name(name):
        return True
    folder = os.path.join(parent, name)  # noqa: PTH118 - names as text, as the walk has them
    if any(os.path.lexists(os.path.join(folder, m)) for m in _TOOL_DIR_MARKERS):  # noqa: PTH118
        return True
    if name in _VENDORED.get(os.path.basename(parent), ()):  # noqa: PTH119
        return True
    if name == "vendor" and os.path.isfile(os.path.join(folder, _GO_VENDOR)):  # noqa: PTH113, PTH118
        return True
    if os.path.lexists(os.path.join(folder, _SPHINX_BUILD)):  # noqa: PTH118
        return _copy_of_sources(folder)
    if name == _SPHINX_COPIES and os.path.lexists(os.path.join(parent, _SPHINX_BUILD)):  # noqa: PTH118
        return True
    if name in _site_outputs(parent):
        return True
    return name == "logseq" and os.path.isfile(os.path.join(folder, "config.edn"))  # noqa: PTH113, PTH118


def _copy_of_sources(site: str) -> bool:
    """Whether the site Sphinx built into the folder `site` copies sources that lie near it: the
    source of one of its pages (`_sources/` keeps a copy of each: `part1/chap3.rst.txt` of
    `part1/chap3.rst`, `chap3.txt` before Sphinx 1.5, MyST's `intro.md` as it is; the first
    `_PAGES_ASKED`, the root page only when there is no other) at its place in the folder above
    the site or the one above that, or in a folder up to two below the first or one below the
    second (`docs/build/html/` of `docs/source/`, a `docs/` published from `doc/src/`). With no
    copies, a Sphinx `conf.py` there stands for them. A stale build whose pages have moved
    since still has some in place (qa54's repository)."""
    copies = os.path.join(site, _SPHINX_COPIES)  # noqa: PTH118
    pages = sorted(os.path.relpath(os.path.join(folder, name), copies)  # noqa: PTH118
                   for folder, _, names in walk_folder(copies) for name in names)
    asked = [p for p in pages if p.split(".", 1)[0] not in _ROOT_PAGES] or pages
    wanted = [n for p in asked[:_PAGES_ASKED] for n in _source_names(p)] or ["conf.py"]
    parent = os.path.dirname(site)  # noqa: PTH120
    grandparent = os.path.dirname(parent)  # noqa: PTH120
    return any(os.path.isfile(os.path.join(folder, n))  # noqa: PTH113, PTH118
               for folder in (*_folders_below(parent, 2, site),
                              *_folders_below(grandparent, 1, parent))
               for n in wanted)


_ROOT_PAGES = frozenset({"index", "contents"})  # Sphinx's root page, by default, now and before
_PAGES_ASKED = 16


def _source_names(copy: str) -> tuple[str, ...]:
    """The names the source of `_sources/copy` may have (`_copy_of_sources`)."""
    stem = copy.removesuffix(".txt")
    if stem == copy or "." in os.path.basename(stem):  # noqa: PTH119
        return (stem,)
    return (f"{stem}.rst", f"{stem}.md", copy)


def _folders_below(top: str, depth: int, apart: str) -> Iterator[str]:
    """`top` and the folders up to `depth` below it, but `apart` and the hidden and tool
    folders (`skipped_name`)."""
    yield top
    if depth == 0:
        return
    try:
        with os.scandir(top) as entries:
            below = [e.path for e in entries if e.is_dir() and not skipped_name(e.name)
                     and e.path != apart]
    except OSError:
        return
    for folder in sorted(below):
        yield from _folders_below(folder, depth - 1, apart)


# A book or site generator's settings beside its sources, and the key that names the folder it
# builds the pages into when that is not `_site` / `_book`: a Quarto book published on GitHub
# Pages builds into `docs/` (round 40, a public statistical learning book: its 40 built
# pages gave every one of its 377 entries twice). A bookdown book (`_bookdown.yml`), an R
# Markdown site (`_site.yml`) and MkDocs (`mkdocs.yml`) say it alike.
_SITE_CONFIGS = (
    ("_quarto.yml", "output-dir"), ("_quarto.yaml", "output-dir"),
    ("_bookdown.yml", "output_dir"), ("_site.yml", "output_dir"),
    ("mkdocs.yml", "site_dir"), ("mkdocs.yaml", "site_dir"),
)
_CONFIG_CAP = 256 * 1024  # a settings file is a few KiB; a larger one is not read


def _site_outputs(parent: str) -> frozenset[str]:
    """`_site_outputs_in` of `parent`, read once per state of its settings files (the walk
    asks for each of its subfolders in turn). The state is each settings file's own inode,
    size and modification time: a settings file edited in place leaves its folder's time as
    it was (round 40's leftover: a running `watch` kept the old `output-dir`)."""
    stamp: list[tuple[int, int, int]] = []
    for config, _ in _SITE_CONFIGS:
        try:
            st = os.stat(os.path.join(parent, config))  # noqa: PTH116, PTH118 - names as text
        except OSError:
            continue
        stamp.append((st.st_ino, st.st_size, st.st_mtime_ns))
    return _site_outputs_in(parent, tuple(stamp)) if stamp else frozenset()


@functools.lru_cache(maxsize=64)
def _site_outputs_in(parent: str, stamp: tuple[tuple[int, int, int], ...]) -> frozenset[str]:
    """The folders in `parent` that a generator whose settings file is in `parent` builds its
    pages into (`output-dir: docs` in `_quarto.yml`): one level below `parent`, by name. A
    key read from its line (`key: value`, quoted or not); a settings file that cannot be read
    names none."""
    names: set[str] = set()
    for config, key in _SITE_CONFIGS:
        path = os.path.join(parent, config)  # noqa: PTH118 - names as text, as the walk has them
        try:
            with open(path, "rb") as f:  # noqa: PTH123
                text = f.read(_CONFIG_CAP).decode("utf-8", "replace")
        except OSError:
            continue
        for line in text.splitlines():
            head, sep, value = line.partition(":")
            if not sep or head.strip() != key:
                continue
            value = value.split(" #", 1)[0].strip().strip("\"'")
            value = value.removeprefix("./").rstrip("/")
            if value and "/" not in value and value not in (".", ".."):
                names.add(value)
    return frozenset(names)


def _drawing(file: str) -> bool:
    """Whether `file` is an Obsidian Excalidraw drawing (`Sketch 2025-01-02.excalidraw.md`):
    Markdown only to hold the drawing, whose text is its shapes' labels. Read as a note it gave
    a public vault 39 of its 40 near-duplicate findings, and `ask` answered from a drawing's
    labels; it is kept as an attachment, as a `.excalidraw` file is."""
    return file.lower().endswith(".excalidraw.md")


ATTACHMENT_EXTENSIONS = frozenset({
    ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp", ".tif", ".tiff", ".ico", ".avif",
    ".mp4", ".webm", ".mov", ".mp3", ".wav", ".ogg", ".m4a",
    ".excalidraw", ".canvas",
})
# Part of every file's content hash: bump it when a reader changes what it extracts, so that
# the next ingest rereads files whose bytes did not change.
# 11: links keep their address (href); 12: note apps' pages; 13: section numbers out of names;
# 14: names without citations, keys, step labels, anchors; org-roam id links; `}(` no math;
# 15: a generic first heading ("# Introduction") does not name a note, its file does; a vault
# note's file name is a name of its page.
# 16: build/tool files, scripts and non-dump XML are no notes; mail and settings name nothing;
# course and emoji headings are generic; `<title>` without " | site"; a page's opening links;
# a README names no concept; "4.1 - X" and "d) X" unnumbered; a PDF title's hyphen runs
# joined; `:emoji:` shortcodes out of names; a title repeating the file's slug.
# 19: a paragraph of links defines no section; "What is it?", "Step 1", "Example 4: ...",
# "Notations" generic; "Notes by <author>" READMEs; "An Analysis of X" a title; formula
# headings and clauses name nothing; `07-HiddenMarkovModels` read as words; "2017 - X" is X.
# 23: MathML without TeX read as TeX (qa32); exercises, docsify pages, a wikilink heading name
# nothing; a page's text outside its entries links from the page's concept (read32).
# 24: a PDF saved under its own title keeps it; docutils' \bar and \overline (review32).
# 26: a title "Training of X" or "Lecture N: X" names X; "Algorithm: X" is X; a step of code
# opening with an instruction is no topic; Jekyll's Liquid link addresses read (read34).
# 27: MyST Markdown: roles keep their text, directives read as text, target lines dropped,
# label links no link to the page itself (myst34).
# 28: a code passage is a fenced block in an entry's definition, every format (fence34).
# 31-32: encodings told by structure, Markdown links in RST, Dendron and Jekyll pages (read36,
# follow36f). 33: a Western note with quotes beside an accented letter, a UTF-16 head cut in
# an emoji, Liquid quoted in a note about Jekyll (review36): files those failed or skipped.
# 34: a number of over 4,300 digits in a notebook's JSON or a front matter is kept as its
# digits: the notebook failed, the front matter was dropped (qa37). 35: rules from a Quarto
# book, a lecture set and a static wiki (Pandoc {-}, callouts, includes, redirects; read37).
# 36: a page that only points to one concept, in more wordings, is a name of it (faces37).
# 37: figure and table labels of Quarto / R Markdown name their section, MyST project:#x
# links are label references (labels37).
# 38: several topics in one note, tool dumps, source-tree headings, bidi controls in names
# (follow37). 39: "V100" is a name, "Memory usage" a concept, a folder's label kept before a
# page part, heading attributes whose values hold no '{' (review37b). 40: a front matter title
# and its H1 as one concept, MkDocs admonitions, HTML layouts and filler pages no notes (read38).
# 41: a link by a name that asks for no page (`[[Source]]`, `[[@smith2019]]`) is marked so,
# `Link.no_page` (faces38). 42: a first bold line names a page whose first H1 is generic, a PDF
# glyph mapped to half a UTF-16 pair is U+FFFD (qa38). 43: the bold first line names only a
# notebook, `!!! Note` is an admonition as `!!! note` is (review38b).
# 46: loop-invariant parts, dated file names, tool files, built copies beside their source,
# bold-led paragraph lists, course labels kept in a title (read40). 47: a Quarto page's
# `content-hidden` divs and equation labels, an image's attributes and a Pandoc span's class
# are no text (qa40). 48: a section whose text defines its heading before paragraphs led by
# names in bold stays its heading's entry (review40b). 49: a callout inside a callout loses its
# marker (`>> [!success]- Answer`) as the outer one does; quiz and part numbers name nothing
# (qa41). 50: a section headed by an identifier its text shows as code, a dated file name's
# real title, a Quarto tab set's headings no sections (read41). 51: PDF ligatures and
# control characters, underscores between words of a file name, numbered `.txt` records
# (read41b); "100 Days of ML", "(Soft) Attention", "Registration" beside no course heading,
# Quarto tabs that are concepts, dated meeting notes (review41b: read at 51 too, as no store
# was released at 49-51). 52: an Org file's links to its own targets, names and headings
# are places in it; a homework titled by its numbered part under a course code; a note's own
# LaTeX macros written out (read42); a Jekyll page's lines of Liquid alone (figures, captures,
# comments; `{% highlight %}` a fence), `relative_url` links to its collection's pages, and a
# one-line `{% capture %}` no template; number-only headings, numbered sheets and order
# numbers in file names name nothing (qa42); a code fence's language (```` ```python ````, a
# notebook's kernel, `.. code-block:: python`) kept with its passage and fence (fences42).
# 53: an Org note's `#+LATEX_HEADER:` macros written out in its formulas (read43).
# 53: a note's macros past their bounds (a 5 GB filling, a body scanned at every use, a note's
# formulas grown past 200,000 characters) leave its formulas as written (hostile43; no note
# of ../shared reads differently).
# 53: Docusaurus/VitePress `:::` boxes, a plural title over a page defining one, lettered step
# numbers, Marp decks one page, assignment parts, training logs with a warning line (qa43).
# 55: a site theme's folder (`theme.toml`) is not walked, a Hugo archetype is no note, a
# book's "Welcome to <its name> Notes" names nothing (read45); a topic's "... documents" and
# front matter showing a template in a value keep their note (review45a).
# 55 (also): a reST page's references to its figures, tables and equations grow it by at most
# 200,000 characters or 4 times its length; past that they read as written (hostile45; no
# note of ../shared reads differently).
# 55 (also): MDX module lines and expression attributes are no text, a dated post in a blog
# folder is a post, an exercise's lettered parts and "Preface" are parts of a page, PDF titles in
# small capitals or unreadable, embedded PDFs are links, side-by-side wikilinks two words (qa45).
# 55 (also): a "[WIP]"/"(draft)" mark or a numbered citation "[2]" after a heading is no part of
# its name, a front matter title cut mid-word is completed by its file's name, wikilinks in a
# nested list make a vault note, a "Buzzwords" section is no concept (qa45b).
# 56: a section whose text opens by describing its heading with a pronoun ("It models ...",
# "They extend ...", "This approach fits ...") defines it (read46), but not under a heading
# of a page's parts only ("Method", "Experimental setup": review46a).
# 56 (also): a paper note's author line is no part of its summary, an acronym's capitals are
# initials of its words, a callout's title is a paragraph of its own, "To Read" names no concept
# (qa46).
# 57: a term-hash glossary (".txt" of "Term#" lines) is titled by its file name, not by its
# first letter heading (faces47, applied by the lead).
# 57: a year glued to a name ("ResNet(2015): ...", "Diffusion Models(2020s)") is no part of
# it; a Chinese page's references and summary headings are parts of a page (qa47).
# 58: " -- " is a dash; a Korean "X이란" heading names X and a connection heading is a part
# of a page; DEPENDENCIES.md is a project file; "Seminar N: X" names X (qa48). An R
# notebook's `x.nb.html` (a rendered `x.html`) beside its `x.Rmd` / `x.qmd` is a built
# copy; a notebook of code alone names no concept; a Bootstrap dropdown menu is hidden;
# "Learning Objectives" is a generic heading (qa48b).
# 60: nbconvert's `x.html` / `x.slides.html` beside `x.ipynb` is a built copy; a note tagged
# only `index` / `moc` is a hub, no page; Japanese summary / overview / "why read X" headings
# and "X との関係" are parts of a page, and two runs of Japanese sharing their first
# characters are not one word's forms; "Problem set" is a page part; a Quarto `pagetitle`
# heading the title before its colon names the page; "(May 2025)" after a name is its date;
# "X の手法" (X's method) and other Japanese parts after "の" are parts of a page
# (qa49); a note named for the index or hub its tag says is no hub, a page beside a
# notebook that nbconvert did not write is read (review49a).
# 60 (also): a display formula's passage spans to its last line; a deck's slides are entries only
# when their text defines their title; "Review of X", "X Summary", "Intro Question",
# "Administrative" are parts of a page; a titled LaTeX document's sections sit under its
# title; "**Term** -- ..." leads a paragraph; a label defined twice in a file (LaTeX, MyST)
# is a problem (read49).
# 61: Chinese section headings that are questions, sentences, instructions, "X 的 <part>" or
# "本章小结" name no concept, a run of Chinese counts a word per two characters, and "什么是
# X" names X; a page titled "Subject: a question?" is named by the subject, and the question
# left after "Part 2:" names nothing; "== ==" (a pair of a tokenizer's merge list) is no
# MediaWiki heading; a page part's word with a letter typed twice ("Inttroduction") is that
# part (qa50); a Chinese name opening with 没有 / 一次 / 逐层 / 重新 / 手动 and ending as a
# theorem's, a network's ... name does ("没有免费午餐定理"), its twin in parentheses is not
# counted among its words, and a unit's number or a label the page never says ("Module 3",
# "Case Study") before a title's question names no subject (review50a).
# 61: LaTeX: a reference to an equation or a float reads as its number (or label), to a
# theorem as its title (or label), never its section; math in a text box in math, LyX quotes
# and lyxcode as typeset, algorithm floats and pseudocode, formulas kept in titles; "The
# Kernel Trick" defined by its text is an entry; a titled page's section named as its title is
# its subject; a Typora export beside or apart from its Markdown is a built copy (read50).
# 62: LaTeX's `\\ref` to a section or an enumerate's item reads as its number (or label),
# as LaTeX prints it; a callout's title and a hash glossary's gloss end in a stop; a wiki
# export's unescaped `<math>` is a formula; a test's fixture text and Quarto's `_environment`
# are no notes; a Chinese "X是..." defines X; a title "Name: what it does" is named by the
# name, the title an alias (read51); not by a label ("Update", "注意", "第三章" before the
# colon), the title without its number an alias too; 即使/是怎么 define nothing; a `\\ref` to
# a section after an `\\input` or of another file reads as its title; "式(3.27)的推导" is no
# concept (review51a).
# 62: Nikola's `.. title:` comments title a reST page (a Markdown one in `<!-- -->`),
# Pelican's `Title:` lines a Markdown one; `x/index.html` beside `x/index.rst` (or `.md` ...)
# is a built copy; a chapter number joined to a name ("I.2.Linear Algebra"), a part after it
# (", Part II") and a venue with the year ("(CVPR 2018)") are no part of it (qa51); only
# Pelican's keys make that block, its summary stays text; a page beside `x/index.md` is
# built only when a generator says so; "(Mikolov et al. 2013)" goes too (review51c).
# 63: a subtitle after a comma ("KL divergence, slowly") and "Name, ACR" name by the name; an
# article's definition list of names is a glossary (reST); a generator's listing pages, a
# lower-case "title:/tags:" block, "Windows (Server 2019)", an `\\input` of a table and
# "X也是一种" (after "同Y,") read as they should (read52); only a manner after the comma, "ACR,
# Name" too, a listing mostly links, a glossary's items definitions (review52a); the `x.pdf`
# TeX made beside `x.tex` and the notebook ox-ipynb exported beside `x.org` are built copies;
# "Part 1, Name" is named "Name"; a copy "x-Copy1.ipynb", "x - Copy.md" is titled as x; a text
# file whose first line is a Python import is a program, no page; an Org display over several
# lines (`\\[` / `$$` on a line, closed on a later one) is one formula (qa52); not "Part 2,
# explained", an import over prose, a PDF whose source lacks most of its inputs, a `\\]` in a
# code block (review52c).
# 64: a file named by an order number and an acronym (`3_fitting_NN.md`) says its first H1's name;
# a slide's `---` front matter is no heading; front matter after a blank line; "Name [Author et
# al., 2012]" is named "Name"; "Supplementary slides" names nothing; a Beamer frame in a file of
# its own names no page, its options no text; a PDF a plotting library drew is a figure; markup
# with no text under a title is a page; Quarto's `{{< meta key >}}` (qa53); Markdown's inline `$`
# by the faces' rule (`$ x \\times y$`); "Notes, mostly" no entry; "Name over name, NoN" a name
# and its section an entry; a reST list's one item that defines; a TeX PDF beside an undecodable
# `.tex` read; a chapter takes its main file's macros; a notebook beside `x.org` a copy by its
# cells' words, not by a mark (read53); a lone frame whose file names its concept is it, a PDF's
# own /Info alone says a plot, front matter after blank lines only in `.qmd`/`.rmd` or with a
# title (review53c).
# 65: a Distill citation written as words keeps its words in the sentence (lead, round 53).
# 66: "Chapter 13 Spectral Clustering" / "Part 4 Classification" named without the unit's number,
# a heading's one-letter formula a letter of its name ("$L_1$ Regression"), Sphinx's built site
# and sphinx-apidoc pages skipped (qa54); R's `df$col and df$other` no formula; a greeting, an
# event ("... Summer School"), a title slide, a quiz and a German sheet's parts no concept; a deck
# titled by the course named by its subtitle; `x-handout.pdf`, `x43.pdf` TeX builds of `x.tex`; a
# main file beside the chapter's folder gives it its macros, and they are in its hash (read54,
# round 54).
# 67: a built page's site name its logo heading states dropped from its title; "$\epsilon$-greedy"
# named "\u03b5-greedy"; x.rst / x.md exported from x.org, a test's input text beside its code
# skipped; x-notes.pdf a build of a Beamer deck with notes only; a Sphinx project's rst_prolog
# macros written out, and in a page's hash (read55); "Site - Post" under a banner <h1> the
# post's, "\u03b5-greedy" also "epsilon-greedy", an edited export and a test folder's notes read,
# a plain-string prolog unescaped, German articles in German only (review55a); Typst notes
# (`.typ`) read, and the PDF Typst made beside its `x.typ` a built copy (qa55, review55c).
# 68: a Typst heading made by a function the note defines or imports (`#hd3("VAE")`), unreadable
# PDF pages, figure PDFs and preamble files skipped, Chinese part headings no concepts (read56);
# AsciiDoc notes read, vendored gems skipped, Brewfile/Podfile/justfile tool files (qa56).
# 69: Czech definitions with the subject dropped (a glossary's `Term::` items); generic headings
# and title labels ("Proyecto: ...", "Anwendung: ...") in Czech, German, Spanish, Portuguese,
# French; "X 详解" named X; a blog's "[Category] " before a post's title dropped; a Beamer
# subtitle's duration no part number; a Typst import of named heading functions only, a table's
# `[---]` cell no heading underline; JSON data and TensorFlow's checkpoint state in files of no
# extension, a Play app's views and routes no notes (read57).
# 69 (also): AsciiDoc `include::` a link, header and CSV/DSV tables as tables, `<<page#id>>` a link,
# a file of only `{{ toc }}` no note; TiddlyWiki `.tid` tiddlers read (qa57).
READ_VERSION = b"grimoire-read-69\x00"
METADATA_REASON = "a SOURCE or LICENSE file: metadata, not a note (--format reads it)"
# Below this many files to read, a second worker costs more than it saves.
PARALLEL_THRESHOLD = 64

Progress = Callable[[int, int, str], None]
DEFAULT_OPTIONS = ReadOptions()


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What one ingest did, file by file.

    `kept` counts records of a folder that is now missing or empty, kept because `prune` was
    not given; `notices` are lines for the user (kept folders, odd names, binary notes).
    """

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: int = 0
    skipped: int = 0
    attachments: int = 0
    problems: int = 0
    kept: int = 0
    failures: tuple[SourceRecord, ...] = ()
    notices: tuple[str, ...] = ()

    @property
    def read(self) -> int:
        """Files parsed in this run (new or changed)."""
        return self.added + self.updated


@dataclass(slots=True)
class _Tally:
    counts: dict[str, int] = field(default_factory=dict)
    failures: list[SourceRecord] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    # the PDFs whose `.tex` last failed: read after it, if it fails again (`_built_of_failed`)
    after_source: list[_Job] = field(default_factory=list)

    def add(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    def report(self) -> IngestReport:
        return IngestReport(**self.counts, failures=tuple(self.failures),
                            notices=tuple(self.notices))


@dataclass(frozen=True, slots=True)
class _Job:
    """One file to check and, when changed, read: small to send to a worker (no bytes).

    The worker reads the file, hashes it, and stops there when the hash is `known` (the
    file is unchanged); otherwise it detects the format and parses.
    """

    path: str  # the name stored and shown (see `storable`)
    root: str
    file: str  # the name to open
    size: int  # from the walk's stat: orders the jobs and sets a streamed file's budget
    existed: bool
    known: str | None = None  # the sha256 of the file's stored, readable version
    forced: str | None = None  # the format the user gave
    problems: tuple[Problem, ...] = ()
    # A file too large to read whole may be a format its reader streams (an XML dump): the
    # worker then reads it in pieces and writes its documents to the file `spool`, one at a
    # time.
    spool: str = ""
    # Whether `file` was a symlink when listed (one inside the folder, so followed); a file
    # that was not is opened without following one, or a swap between the walk and the read
    # (note.md -> ~/.ssh/id_rsa) would be read.
    link: bool = False
    # The real folder the walk started from ("" for a file named by the user): what is opened
    # must lie inside it, or a folder on the path swapped for a symlink out of it after the
    # walk (notes/sub -> ~/.ssh) would be followed.
    inside: str = ""
    # The record (path, root) of this file stored under a root ingested apart by another name
    # (`root_names`): removed in the transaction that writes this one, kept when it fails.
    moves: tuple[str, str] | None = None

    def __reduce__(self) -> tuple[type[_Job], tuple[object, ...]]:
        # Pickled once a file (to its worker): a tuple of the fields pickles in C, where a
        # slotted dataclass's state goes through `dataclasses.fields` both ways.
        return _Job, (self.path, self.root, self.file, self.size, self.existed, self.known,
                      self.forced, self.problems, self.spool, self.link, self.inside,
                      self.moves)


class _Read(NamedTuple):
    """What a worker found for one file.

    `outcome` is "ok" (`record` and its `documents` are to be stored; a streamed file's are
    in the job's spool file), "unchanged", "failed" or "skipped" (`record` says why).
    `notice` is a line for the user.
    """

    outcome: str
    record: SourceRecord | None = None
    documents: list[Document] | list[DocumentRows] = []  # noqa: RUF012 - never mutated
    notice: str | None = None
    spooled: bool = False  # the documents are in the job's spool file
    # A failure that removes what was stored for the file (`check`: over the size limit).
    drop: bool = False


# What a SQLite store keeps beside its file: the journal, the vector index, the background
# embedder's lock and log, the record of its last damage check (`store/sqlite_checked.py`).
# `grimoire ingest .` in a notes folder puts the database there.
_REBUILDING = re.compile(r"\.(.+)\.rebuild-[0-9]+")
_OWN_SUFFIXES = ("", "-wal", "-shm", "-journal", "-vectors", ".embed.lock", ".embed.log",
                 ".checked")


# The copies `grimoire rebuild` keeps beside the store (`store/sqlite_health.py`): the file
# it replaced as NAME.old, or NAME.damaged, the next ones numbered (NAME.old.2), with the
# -wal, -shm or -journal such a copy may carry. Read as notes, each was a skipped source
# ("binary file, not a note") of a notes folder holding the store (round 52).
_KEPT_COPY = re.compile(r"\.(?:old|damaged)(?:\.[0-9]+)?(?:-wal|-shm|-journal)?")


@dataclass(frozen=True, slots=True)
class OwnFiles:
    """The store's own files (`own_files`): `path in own` for an absolute path as the walk
    joins it. A walk asks only of the files of a folder that `holds` them (a test a folder,
    not a call a file: 3% of a 20,000-note walk's CPU), by `named`.

    The folder is known by its spelling and by its device and inode: a walk through a
    symlink to it (`~/vault` to `/data/vault`), or a store named from a working folder
    inside the link (`cd ~/vault; grimoire --db kb.db ingest .`: the working folder is
    the resolved one), read the store's files as skipped sources (review52b)."""

    names: frozenset[str]  # the names of its files
    stems: tuple[str, ...]  # each store's name: its kept copies are this and a `_KEPT_COPY`
    folders: frozenset[str] = frozenset()  # the folder holding them, as spelled
    ids: frozenset[tuple[int, int]] = frozenset()  # and that folder's device and inode

    def holds(self, folder: str) -> bool:
        """Whether `folder` (absolute) is the one holding the store's files."""
        if folder in self.folders:
            return True
        if not self.ids:
            return False
        try:
            info = os.stat(folder)  # noqa: PTH116 - as spelled
        except OSError:
            return False
        return (info.st_dev, info.st_ino) in self.ids

    def named(self, name: str) -> bool:
        """Whether `name` is one of the store's files' names, in the folder that `holds` it."""
        if name in self.names:
            return True
        return name.startswith(self.stems) and any(
            name.startswith(stem) and _KEPT_COPY.fullmatch(name, len(stem)) is not None
            for stem in self.stems)

    def __contains__(self, path: object) -> bool:
        if not isinstance(path, str) or not self.stems:
            return False
        folder, name = os.path.split(path)
        return self.named(name) and self.holds(folder)


def own_files(store: Store) -> OwnFiles:
    """The store's own files: never input, even inside an ingested folder."""
    url = store.url
    if "://" in url or url == ":memory:" or url.startswith("file:"):
        return OwnFiles(frozenset(), ())
    db = os.path.abspath(url)  # noqa: PTH100 - symlinks kept, as the walk keeps them
    folder, name = os.path.split(db)
    # `rebuild` ingests into `.NAME.rebuild-PID` beside NAME, the store it replaces: NAME's
    # files are the store's own too (a store inside its notes folder listed them as skipped
    # sources, "binary file, not a note"; round 51).
    replaced = _REBUILDING.fullmatch(name)
    stores = (name,) if replaced is None else (name, replaced[1])
    try:
        info = os.stat(folder)  # noqa: PTH116 - as spelled
        ids = frozenset({(info.st_dev, info.st_ino)})
    except OSError:
        ids = frozenset()
    return OwnFiles(frozenset(stem + suffix for stem in stores for suffix in _OWN_SUFFIXES),
                    stores, frozenset({folder}), ids)


def ingest(
    store: Store,
    paths: Sequence[str | os.PathLike[str]],
    *,
    format: str | None = None,
    options: ReadOptions = DEFAULT_OPTIONS,
    progress: Progress | None = None,
    workers: int | None = None,
    prune: bool = False,
    root: str | os.PathLike[str] | None = None,
) -> IngestReport:
    """Read files and folders into `store`; see the module docstring for the rules.

    A folder ingested before that is now missing or empty (an unmounted drive) keeps its
    records, with a notice, unless `prune` is given.

    With `root`, `paths` are files and folders inside that ingested folder (what a watcher saw
    change): their records keep `root` as their root, and a path that no longer exists removes
    what was stored for it and under it.
    """
    if format is not None:
        readers.by_name(format)  # fail before any work on an unknown name
    tally = _Tally()
    jobs: list[_Job] = []
    if root is not None:
        _changed_under(store, paths, root, format, tally, jobs)
        # a file inside a folder also given is read once
        jobs = list({job.path: job for job in reversed(jobs)}.values())[::-1]
        _read_all(store, jobs, tally, progress, workers, options)
        return tally.report()
    if any(not os.fspath(given) for given in paths):  # Path("") is the working folder
        raise GrimoireError("an empty path names no file or folder")
    spelled = _spelled(store, paths)
    done: set[Path] = set()
    for given, root in zip(paths, spelled, strict=True):
        if root in done:  # a path given twice is read once
            continue
        done.add(root)
        root_key = storable(str(root))
        if not root.exists():
            known = store.sources(root=root_key)
            if not known:
                raise GrimoireError("no such file or folder", storable(os.fspath(given)))
            _vanished(store, known, root_key, "is missing", prune, tally)
            continue
        if not root.is_dir():
            file_key = root_key
            size = _regular(store, str(root), file_key, root_key, tally)
            if size is not None:
                job = _plan(store, str(root), file_key, root_key, size, format, tally,
                            link=root.is_symlink())  # a file named by the user: followed
                if job is not None:
                    jobs.append(job)
            continue
        seen: set[str] = set()
        stored = _known_under(store, root_key)
        inside = str(root.resolve())
        # Another path given inside this folder reads what is under it, under its own name
        # (the nearest root): each file was read under both, counted twice (round 53).
        apart = frozenset(str(r) for r in spelled if r != root and r.is_relative_to(root))
        for file, key, size, link, beside in _walk(root, root_key, tally, store, seen, apart):
            job = _plan(store, file, key, root_key, size, format, tally, stored, link=link,
                        inside=inside, beside=beside)
            if job is not None:
                jobs.append(job)
        jobs = _respelled(store, root, root_key, seen, tally, jobs)
        # A record under another root given is that root's to judge, while its file is there:
        # one gone is removed here, as this walk would have (review53b: the files of `sub` read
        # by `ingest notes` before keep `notes` as their root; one deleted was kept for good).
        gone = [r for r in store.sources(root=root_key) if r.path not in seen and not (
            _under_any(r.path, apart) and os.path.lexists(path_of(r.path)))]
        if gone and not seen:
            _vanished(store, gone, root_key, "is empty", prune, tally)
            continue
        for record in gone + _gone_inside(store, root_key, seen, apart):
            store.remove_source(record.path)
            tally.add("removed")
    _read_all(store, jobs, tally, progress, workers, options)
    return tally.report()


def _read_all(store: Store, jobs: list[_Job], tally: _Tally, progress: Progress | None,
              workers: int | None, options: ReadOptions) -> None:
    """The planned jobs read and stored, then the PDFs of a `.tex` that failed among them
    (`_built_of_failed`)."""
    _read_and_store(store, jobs, tally, progress, workers, options)
    _read_and_store(store, _built_of_failed(store, jobs, tally), tally, progress, workers, options)


def _gone_inside(store: Store, root_key: str, seen: set[str],
                 apart: frozenset[str]) -> list[SourceRecord]:
    """The records of folders ingested apart inside the folder stored as `root_key` (`ingest
    notes notes/sub` reads `sub` under its own name) and not given now, whose file is gone
    while that folder is there and holds something: deletions, which the walk of `root_key`
    would not remove (they are not its records), kept for good (review53b; `watch` removes
    them, `_stored_elsewhere`). A folder gone or empty keeps its records (an unmounted drive)."""
    inside = root_key.rstrip(os.sep) + os.sep
    return [record for other in store.source_roots()
            if other.startswith(inside) and not _under_any(other, apart)
            and gone_from_present(other)
            for record in store.sources(root=other)
            if record.path not in seen and not os.path.lexists(path_of(record.path))]


def _changed_under(
    store: Store, paths: Sequence[str | os.PathLike[str]], root: str | os.PathLike[str],
    format: str | None, tally: _Tally, jobs: list[_Job],
) -> None:
    """Triage paths inside an ingested folder; see `ingest(root=...)`."""
    root_key = storable(os.path.abspath(root))  # noqa: PTH100 - absolute, symlinks kept
    real_root = Path(root).resolve()
    with store.transaction():  # removals in one commit: a folder of 1,000 notes, or its files
        _removed_under(store, paths, root_key, tally)
    for given in paths:
        path = Path(os.path.abspath(given))  # noqa: PTH100 - absolute, symlinks kept
        key = storable(str(path))
        if not path.exists() and not path.is_symlink():
            continue  # removed above
        if _in_export(path, Path(os.path.abspath(root))):  # noqa: PTH100 - as root_key
            continue
        # A watcher names what changed: a link made there (or a path through one) is checked
        # as the walk checks a link, or a link to /etc/passwd or ~/.ssh would be read.
        if (path.is_symlink() or not path.resolve().is_relative_to(real_root)) and \
                not _link_to_file(store, str(path), key, root_key, real_root, tally):
            continue
        if path.is_dir():
            seen: set[str] = set()
            for file, file_key, size, link, beside in _walk(path, root_key, tally, store, seen):
                job = _plan(store, file, file_key, root_key, size, format, tally, link=link,
                            inside=str(real_root), beside=beside)
                if job is not None:
                    jobs.append(job)
            for record in store.sources(root=root_key):
                if record.path.startswith(key + os.sep) and record.path not in seen:
                    store.remove_source(record.path)
                    tally.add("removed")
            continue
        file_size = _regular(store, str(path), key, root_key, tally)
        if file_size is not None:
            job = _plan(store, str(path), key, root_key, file_size, format, tally,
                        link=path.is_symlink(), inside=str(real_root))
            if job is not None:
                jobs.append(job)


def _in_export(path: Path, root: Path) -> bool:
    """Whether `path` lies in a folder `grimoire export site` wrote, below `root`."""
    folder = path if path.is_dir() and not path.is_symlink() else path.parent
    while folder != root and folder.is_relative_to(root):
        if (folder / EXPORT_MARKER).is_file():
            return True
        folder = folder.parent
    return False


def _known_under(store: Store, root_key: str) -> dict[str, SourceRecord] | None:
    """The records of the files under a folder, read in one query instead of one per file;
    None when another ingested root overlaps it (its files may be stored under that root)."""
    inside = root_key.rstrip(os.sep) + os.sep  # "/" for the root folder itself
    for other in store.source_roots():
        if other != root_key and (other.startswith(inside)
                                  or root_key.startswith(other.rstrip(os.sep) + os.sep)):
            return None
    return {r.path: r for r in store.sources(root=root_key)}


def _removed_under(store: Store, paths: Sequence[str | os.PathLike[str]], root_key: str,
                   tally: _Tally) -> None:
    """Remove the records of the `paths` that no longer exist, and of everything under them."""
    stored: list[str] | None = None  # sorted, so that a folder's files are one range
    for given in paths:
        path = Path(os.path.abspath(given))  # noqa: PTH100 - absolute, symlinks kept
        if path.exists() or path.is_symlink():
            continue
        key = storable(str(path))
        if stored is None:
            stored = sorted(r.path for r in store.sources(root=root_key))
        start = bisect_left(stored, key)
        end = bisect_left(stored, key + chr(ord(os.sep) + 1))
        gone = {p for p in stored[start:end] if p == key or p.startswith(key + os.sep)}
        for record_path in sorted(gone):
            store.remove_source(record_path)
            tally.add("removed")
        stored[start:end] = [p for p in stored[start:end] if p not in gone]


def _respelled(store: Store, root: Path, root_key: str, seen: set[str], tally: _Tally,
               jobs: list[_Job]) -> list[_Job]:
    """The records of a folder inside `root` ingested apart by another name (`root_names`):
    each file the walk of `root` saw is stored under `root`'s name alone, and one gone from a
    folder that is there is removed; the rest (a folder gone or empty, an unmounted drive; a
    file the walk passes over) keep their records under their own root. `jobs`, with the
    record each file to read replaces (`_Job.moves`).

    A file to read keeps its old record until its new one is written, in the same transaction
    (`_stored_item`): removed at once, a file that then failed to read lost its last good
    version, and a kill during the read left the folder's notes out of the store (review51b).
    """
    planned = {job.path: i for i, job in enumerate(jobs)}
    moved = spelled_apart(store, root, root_key)
    # A root gone altogether that held these files (a symlink to `root`, deleted): its
    # records are `root`'s, each file's moved as `root`'s is written, one deleted since removed.
    gone = gone_link_of(store, root_key)
    for other, count in gone:
        moved += [(record.path, other, root_key + record.path[len(other):])
                  for record in store.sources(root=other)]
        held = "its record of 1 file is" if count == 1 else f"its records of {count:,} files are"
        tally.notices.append(f"{other} is gone and held the same files as {root_key} (a "
                             f"symlink to it, deleted?): {held} {root_key}'s now")
    links = {other for other, _ in gone}
    for path, other, named in moved:
        if named in planned and jobs[planned[named]].known is None:
            i = planned[named]
            jobs[i] = dataclasses.replace(jobs[i], moves=(path, other))
        elif named in seen:  # stored under `root`'s name already (a store of main's), or not read
            now = store.source(named)
            if now is not None and now.status == "failed":  # kept, as a failed read keeps it
                store.remove_source(named)
                store.mark_source(dataclasses.replace(now, path=path, root=other))
            else:
                store.remove_source(path)
        elif other in links or (not os.path.lexists(path_of(path)) and gone_from_present(other)):
            store.remove_source(path)
            tally.add("removed")
    return jobs


def _vanished(
    store: Store, known: list[SourceRecord], root: str, state: str, prune: bool, tally: _Tally
) -> None:
    """A folder that held notes and now is missing or empty: keep its records unless pruning."""
    if prune:
        for record in known:
            store.remove_source(record.path)
        tally.add("removed", len(known))
        return
    tally.add("kept", len(known))
    if [r.path for r in known] == [root]:
        # A note ingested by its own path, since deleted or renamed (round 34: "kept its 1
        # files' records (an unmounted drive?)" for one note renamed in place).
        tally.notices.append(f"{root} {state}; kept what was read from it (moved or deleted?). "
                             "Ingest it with --prune to remove it.")
        return
    count = f"{len(known)} file's record" if len(known) == 1 else f"{len(known)} files' records"
    tally.notices.append(f"{root} {state}; kept its {count} "
                         f"(an unmounted drive?). Ingest it with --prune to remove "
                         f"{'it' if len(known) == 1 else 'them'}.")


def _spelled(store: Store, paths: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """The roots `paths` name, absolute, each as the store knows it (`known_spelling`), and one
    that is, resolved, inside another given folder (a symlink to a folder of it, or to it) as
    a path under that folder's name, so that the folder's walk leaves it apart and it is read
    once, under the nearest root (review53b: `ingest notes link`, `link -> notes/sub`, stored
    each of its files twice and read them again at every run)."""
    spelled = [known_spelling(store, Path(os.path.abspath(g))) for g in paths]  # noqa: PTH100
    real: dict[int, Path] = {}
    for i, root in enumerate(spelled):
        with contextlib.suppress(OSError, RuntimeError):  # not there: said by the caller
            real[i] = root.resolve(strict=True)
    # Outermost first, so that a holder is named as it will be read before what it holds; by
    # the nearest folder given above each (its parents looked up: `ingest *.md` gives 10,000).
    given: dict[Path, int] = {}
    for i in sorted(real, key=lambda i: (len(str(real[i])), i)):
        j = given.get(real[i])  # the same folder or file given before by another name
        if j is None:
            j = next((given[p] for p in real[i].parents if p in given), None)
        if j is not None and not spelled[i].is_relative_to(spelled[j]):
            spelled[i] = spelled[j].joinpath(real[i].relative_to(real[j]))
        given.setdefault(real[i], i)
    return spelled


def _under_any(key: str, paths: frozenset[str]) -> bool:
    """Whether the stored name `key` is one of `paths` (as given) or lies under one."""
    return any(key == storable(p) or key.startswith(storable(p) + os.sep) for p in paths)


def _walk(
    root: Path, root_key: str, tally: _Tally, store: Store, seen: set[str],
    apart: frozenset[str] = frozenset(),
) -> Iterator[tuple[str, str, int, bool, frozenset[str]]]:
    """Regular files under `root` with their stored names, sizes, whether each is a symlink
    (to a file inside the folder) and the names of its folder's files
    (`readers.folder_names`, for `_plan`), sorted, skipping hidden and tool folders, the store's own
    files, outward symlinks and anything that is not a regular file, and the files and
    folders of `apart` (paths given in the same ingest, read under their own name).

    Skipped files are recorded (and added to `seen`, so that they stay listed in `sources`).
    A file's name is joined as text, not built as a `Path` (two `Path`s a file were most of
    the walk's time before the first file could be read: issue 14).
    """
    real_root = root.resolve()
    own = own_files(store)

    def unlisted(error: OSError) -> None:
        _unlisted(store, root_key, str(error.filename), error, seen, tally)

    for dirpath, dirnames, filenames in walk_folder(root, onerror=unlisted):
        if EXPORT_MARKER in filenames and dirpath != os.fspath(root):
            # A site `grimoire export` wrote into the notes: its pages are our own output,
            # and read back each concept would come back twice more.
            dirnames[:] = []
            tally.notices.append(f"skipped {storable(dirpath)}: a site grimoire export wrote")
            continue
        dirnames[:] = sorted(d for d in dirnames if not skipped_dir(dirpath, d))
        if apart:
            dirnames[:] = [d for d in dirnames if os.path.join(dirpath, d) not in apart]  # noqa: PTH118
        mine = own.holds(dirpath)
        beside = readers.folder_names(filenames)
        for name in sorted(filenames):
            if name.startswith(".") or (mine and own.named(name)):
                continue
            path = os.path.join(dirpath, name)  # noqa: PTH118 - see the docstring
            if apart and path in apart:
                continue
            key = storable(path)
            seen.add(key)
            # One `lstat` says both whether it is a symlink and, for a plain file, its size
            # (a `stat` after `islink` asked the same of every file twice).
            try:
                info: os.stat_result | None = os.lstat(path)
            except OSError:
                info = None  # `_regular` records why it cannot be read
            is_link = info is not None and stat.S_ISLNK(info.st_mode)
            if is_link and not _link_to_file(store, path, key, root_key, real_root, tally):
                continue
            if info is not None and stat.S_ISREG(info.st_mode):
                size: int | None = info.st_size
            else:
                size = _regular(store, path, key, root_key, tally)
            if size is not None:
                yield path, key, size, is_link, beside


def _link_to_file(store: Store, path: str, key: str, root_key: str, real_root: Path,
                  tally: _Tally) -> bool:
    """Whether the symlink `path` is to be read: a link to a file inside the folder. A broken
    or looping one, or one out of the folder (to /etc/passwd, ~/.ssh), is recorded as
    skipped; one to a folder is passed over (the walk reaches that folder itself)."""
    try:
        target = Path(path).resolve(strict=True)
    except (OSError, RuntimeError):
        _skip(store, key, root_key, "broken or looping symlink", tally)
        return False
    if not target.is_relative_to(real_root):
        _skip(store, key, root_key, "symlink points outside the folder; not followed", tally)
        return False
    return not target.is_dir()


def _unlisted(store: Store, root_key: str, folder: str, error: OSError, seen: set[str],
              tally: _Tally) -> None:
    """A folder the walk cannot list (no permission, an I/O error) is not a deletion: the
    records of the files under it are kept, as `seen`, with a notice."""
    inside = storable(folder).rstrip(os.sep) + os.sep
    kept = [r.path for r in store.sources(root=root_key) if r.path.startswith(inside)]
    seen.update(kept)
    tally.add("kept", len(kept))
    tally.notices.append(f"{storable(folder)}: cannot be listed ({error.strerror}); kept its "
                         f"{len(kept)} files' records")


def _regular(store: Store, path: str, key: str, root: str, tally: _Tally) -> int | None:
    """The size of a regular file, or None: FIFOs and devices are skipped and reported, never
    opened (a FIFO blocks the reader forever, /dev/zero never ends)."""
    try:
        info = os.stat(path)  # noqa: PTH116 - a name as text (`_walk`)
    except OSError as e:
        _fail(store, SourceRecord(path=key, root=root, status="failed",
                                  reason=f"cannot read: {e.strerror or e}"), tally)
        return None
    mode = info.st_mode
    if stat.S_ISREG(mode):
        return info.st_size
    kind = ("a FIFO" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode)
            or stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode) else "not a file")
    _skip(store, key, root, f"not a regular file ({kind}); not read", tally)
    tally.notices.append(f"skipped {key}: {kind}, not a regular file")
    return None


def _skip(store: Store, path: str, root: str, reason: str, tally: _Tally) -> None:
    store.mark_source(SourceRecord(path=path, root=root, status="skipped", reason=reason))
    tally.add("skipped")


def _plan(
    store: Store,
    file: str,
    path: str,
    root: str,
    size: int,
    forced: str | None,
    tally: _Tally,
    known: dict[str, SourceRecord] | None = None,
    *,
    link: bool = False,
    inside: str = "",
    beside: frozenset[str] | None = None,
) -> _Job | None:
    """What to do with one file: record an attachment, or a job for a reader worker (which
    reads the file and tells whether it changed, `check`).

    `known` holds every record stored under the file's root, when the caller read them;
    `beside` the names of the files in its folder, when the caller listed it (`_walk`).
    """
    previous = known.get(path) if known is not None else store.source(path)
    suffix = suffix_of(file).lower()
    if forced is None and (suffix in ATTACHMENT_EXTENSIONS or _drawing(file)):
        if previous is None or previous.status != "attachment":
            if previous is not None and previous.status == "ok":
                store.remove_source(path)  # read as a note before this rule: its pages go
            store.mark_source(SourceRecord(path=path, root=root, status="attachment",
                                           size=size, format=suffix[1:]))
        tally.add("attachments")
        return None
    reason = None if forced is not None else METADATA_REASON if readers.metadata_file(file) \
        else readers.TOOL_REASON if readers.tool_file(file) \
        else readers.BUILT_REASON if readers.built_copy(file, inside, beside) \
        else readers.INCLUDED_REASON if suffix == ".pdf" and readers.included_figure(file, beside) \
        else None
    if reason == readers.BUILT_REASON and _source_failed(store, path):
        # its source failed last time: this PDF is read after it, only if it fails again
        # (review54a: read at once, it was kept, its text twice, the ingest the source read)
        tally.after_source.append(_Job(
            path=path, root=root, file=file, size=size,
            existed=previous is not None and previous.sha256 is not None,
            known=previous.sha256 if previous is not None and previous.status == "ok" else None,
            link=link, inside=inside))
        return None
    if reason is not None:
        if previous is None or previous.reason != reason:
            if previous is not None and previous.status == "ok":
                store.remove_source(path)  # read as a note before this rule: its pages go
            _skip(store, path, root, reason, tally)
        else:
            tally.add("skipped")
        return None
    readable = previous is not None and previous.status == "ok"
    return _Job(path=path, root=root, file=file, size=size,
                existed=previous is not None and previous.sha256 is not None,
                known=previous.sha256 if readable and previous is not None else None,
                forced=forced, problems=_name_problems(file, path, tally), link=link,
                inside=inside)


def _source_failed(store: Store, path: str) -> bool:
    """Whether the PDF `path` (stored name), built of the `.tex` beside it, has a source whose
    last read failed and that never read: the PDF is then the only copy of its text, and read
    (read54). A source that read before keeps that reading when it fails (`_fail`): its PDF
    stays its copy (review54a: read54 read it, the text twice)."""
    stem, dot, ext = path.rpartition(".")
    if not dot or ext.lower() != "pdf":
        return False
    renamed = readers.renamed_build_of(path)  # `x-handout.pdf` of `x.tex`
    return any((record := store.source(s + source)) is not None and record.status == "failed"
               and not record.documents
               for s in (stem, *([renamed] if renamed else [])) for source in readers.TEX_SOURCES)


def _built_of_failed(store: Store, jobs: list[_Job], tally: _Tally) -> list[_Job]:
    """The PDFs skipped as built of a `.tex` that has just failed in its reader (one that
    decodes and fails later: too large, a reader's bug, out of time): their jobs, to read
    them now. `built_copy` asks only whether the source decodes, before any read; round 53
    left such a PDF skipped and its text nowhere. And the PDFs read while their source failed
    (`_Tally.after_source`, or stored so and not walked): read again if it still fails, its
    copies again, their pages gone, once it reads (review54a)."""
    again = []
    for job in tally.after_source:  # planned after their source: it failed last time
        if _source_failed(store, job.path):
            again.append(job)
        else:  # it reads now: the PDF is its copy again, its pages go
            previous = store.source(job.path)
            if previous is not None and previous.status == "ok":
                store.remove_source(job.path)
            _skip(store, job.path, job.root, readers.BUILT_REASON, tally)
    planned = {job.path for job in tally.after_source}
    tally.after_source.clear()
    failed = {record.path for record in tally.failures}
    listed: dict[str, list[str]] = {}  # a folder's names, listed once for all its sources
    for job in jobs:
        stem, dot, ext = job.file.rpartition(".")
        if job.forced or not dot or f".{ext}".lower() not in readers.TEX_SOURCES \
                or (job.known is not None and job.path not in failed):
            continue  # a source stored readable before and not failing now: its PDFs as planned
        for pdf in _builds_of(stem, listed):
            key = os.path.join(os.path.dirname(job.path), os.path.basename(pdf))  # noqa: PTH118, PTH119, PTH120
            built = store.source(key)
            if key in planned:
                continue
            if built is not None and built.status == "ok" and not _source_failed(store, key) \
                    and readers.built_copy(pdf, job.inside):
                # read while its source failed, not walked this time (a watcher's batch
                # of the source alone): its copy again
                store.remove_source(key)
                _skip(store, key, job.root, readers.BUILT_REASON, tally)
                continue
            if built is None or built.reason != readers.BUILT_REASON \
                    or not _source_failed(store, key):
                continue
            try:
                size = os.stat(pdf).st_size  # noqa: PTH116 - a text path
            except OSError:
                continue
            tally.add("skipped", -1)  # counted as a copy by the walk, read now
            again.append(_Job(path=key, root=job.root, file=pdf, size=size, existed=False,
                              link=job.link, inside=job.inside))
    return again


def _builds_of(stem: str, listed: dict[str, list[str]]) -> list[str]:
    """The PDFs TeX may have built of the source `stem`.tex beside it: `stem`.pdf and those
    renamed for their use (`readers.renamed_build_of`: `stem`-handout.pdf). `listed` keeps
    each folder's names, listed once for all its sources."""
    folder, _, name = stem.rpartition(os.sep)
    names = listed.get(folder)
    if names is None:
        try:
            names = listed[folder] = os.listdir(folder or ".")  # noqa: PTH208 - a text path
        except OSError:
            names = listed[folder] = []
    found = [f"{stem}.pdf"] if f"{name}.pdf" in names else []
    return found + [os.path.join(folder, n) for n in sorted(names)  # noqa: PTH118
                    if n.lower().endswith(".pdf") and n.startswith(name) and n != f"{name}.pdf"
                    and readers.renamed_build_of(os.path.join(folder, n)) == stem]  # noqa: PTH118


class _Loaded(NamedTuple):
    data: bytes  # empty for a file read as a stream
    sha256: str
    reader: readers.Reader
    stream: readers.StreamReader | None = None


def check(job: _Job, max_bytes: int) -> _Read | _Loaded:
    """Read and hash one file; detect its format. Runs in a worker.

    Returns the file's bytes, hash and reader, or what to record instead (unchanged, not a
    note, unreadable).
    """
    path, root = job.path, job.root
    stream: readers.StreamReader | None = None
    try:
        if job.size > max_bytes:  # only a format read as a stream may be this large
            with open_regular(job.file, follow=job.link, inside=job.inside or None) as f:
                stream = readers.streaming_reader(path, f.read(readers.SNIFF_BYTES), job.forced)
        if stream is None:
            data = read_capped(job.file, max_bytes, follow=job.link, inside=job.inside or None)
            # a chapter's hash covers the macros it takes from its main file: when they
            # change the chapter is read again (read54; round 53 kept its old reading)
            sha = hashlib.sha256(_read_as(job) + data
                                 + readers.taken_from_others(data, job.path)).hexdigest()
        else:
            data, sha = b"", _file_sha256(job)
    except OSError as e:
        return _Read("failed", SourceRecord(path=path, root=root, status="failed",
                                            reason=f"cannot read: {e.strerror or e}"))
    except TooLargeError as e:
        # What was stored for a file now over the limit is dropped, not kept as its last good
        # version: it may be a read of the file half-written (watch saw a 39.6 MiB note at
        # a few MiB, qa40), which no later read could replace.
        return _Read("failed", SourceRecord(path=path, root=root, status="failed",
                                            reason=e.message, size=job.size), drop=True)
    except ReadError as e:
        return _Read("failed", SourceRecord(path=path, root=root, status="failed",
                                            reason=e.message, size=job.size))
    if sha == job.known:
        return _Read("unchanged")
    if stream is not None:
        return _Loaded(data, sha, stream, stream)
    suffix = suffix_of(job.file)
    binary = None if job.forced else readers.binary_reader(path, data)  # a PDF is binary by design
    if binary is not None and readers.drawn_figure(data):
        return _Read("skipped", SourceRecord(path=path, root=root, status="skipped",
                                             reason=readers.FIGURE_REASON))
    if binary is None and looks_binary(data):
        notice = None
        if any(suffix.lower() in f.extensions for f in readers.FORMATS):
            notice = f"skipped {path}: binary data under a note's extension"
        return _Read("skipped", SourceRecord(path=path, root=root, status="skipped",
                                             reason="binary file, not a note"), notice=notice)
    reader: readers.Reader | None
    try:
        if job.forced:
            reader = readers.by_name(job.forced)
        else:
            reader = binary
            if reader is None:  # a binary format's head is no text (a PDF)
                head = readers.sniff_head(data, path)
                if why := readers.not_a_note(path, data, head):
                    return _Read("skipped", SourceRecord(path=path, root=root,
                                                         status="skipped", reason=why))
                reader = readers.detect(path, head)
    except ReadError as e:
        return _Read("failed", SourceRecord(path=path, root=root, status="failed",
                                            reason=e.message))
    if reader is None:
        reason = f"not a note format ({suffix or 'no extension'})"
        return _Read("skipped", SourceRecord(path=path, root=root, status="skipped",
                                             reason=reason))
    return _Loaded(data, sha, reader)


def _name_problems(file: str, path: str, tally: _Tally) -> tuple[Problem, ...]:
    if path == file:
        return ()
    message = "file name is not valid UTF-8; stored with \\xNN escapes"
    tally.notices.append(f"{path}: {message}")
    return (Problem(message, Span(path, 1, 1)),)


def _read_as(job: _Job) -> bytes:
    """What a file's hash covers besides its bytes: the reading's version and a format the
    user forced. A note once read with a wrong `--format` was "unchanged" to every later
    ingest, detecting or forced to another format, and kept the wrong reading for good."""
    return READ_VERSION + (f"{job.forced}\x00".encode() if job.forced else b"")


def _file_sha256(job: _Job) -> str:
    """The content hash of a file read in chunks (the same as of its bytes read whole)."""
    digest = hashlib.sha256(_read_as(job))
    with open_regular(job.file, follow=job.link, inside=job.inside or None) as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _fail(store: Store, record: SourceRecord, tally: _Tally) -> None:
    # mark_source keeps the documents stored for this file before: the last good state stays.
    store.mark_source(record)
    tally.add("failed")
    tally.failures.append(record)


def read_job(job: _Job, rows: bool = False, max_bytes: int = DEFAULT_OPTIONS.max_bytes) -> _Read:
    """Check one file (`check`) and parse it when it changed. Runs in a worker.

    With `rows`, documents come as the rows the store writes (`DocumentRows`), built here so
    that the one writer process only inserts. A streamed file's documents go to its spool
    file instead, and its warnings are those of its documents.
    """
    try:
        checked = check(job, max_bytes)
    except MemoryError:
        return _failed(job, "reading needed more memory than the per-file budget; stopped",
                       size=job.size)
    except Exception as e:  # a bug in format detection costs this file only
        return _failed(job, f"could not tell the format: {type(e).__name__}: {e}", size=job.size)
    if isinstance(checked, _Read):
        return checked
    data, sha, reader, stream = checked
    size = job.size if stream is not None else len(data)
    try:
        if stream is not None:
            notes = _spool(job, stream, rows)
            return _Read("ok", SourceRecord(path=job.path, root=job.root, status="ok",
                                            format=reader.name, sha256=sha, size=size,
                                            problems=job.problems + notes), spooled=True)
        documents = readers.read_file(reader.name, data, job.path)
    except GrimoireError as e:
        reason = str(e).removeprefix(f"{job.path}:").lstrip(" :") or e.message
        return _failed(job, reason, reader.name, size)
    except RecursionError:
        return _failed(job, "input nested too deeply to read", reader.name, size)
    except MemoryError:
        return _failed(job, "reading needed more memory than the per-file budget; stopped",
                       reader.name, size)
    except Exception as e:  # a reader bug must not stop the batch; report it per file
        return _failed(job, f"reader {reader.name} failed: {type(e).__name__}: {e}",
                       reader.name, size)
    # A binary format (PDF) is never decoded as text, so no text-encoding warning applies.
    warning = None if getattr(reader, "binary", False) else decode_warning(data, job.path)
    notes = () if warning is None else (Problem(warning[1], Span(job.path, *(warning[0],) * 2)),)
    problems = job.problems + notes + tuple(p for d in documents for p in d.problems)
    record = SourceRecord(path=job.path, root=job.root, status="ok", format=reader.name,
                          sha256=sha, size=size, problems=problems)
    if rows:
        return _Read("ok", record, [document_rows(d) for d in documents])
    return _Read("ok", record, list(documents))


def _failed(job: _Job, reason: str, format: str | None = None, size: int = 0) -> _Read:
    return _Read("failed", SourceRecord(path=job.path, root=job.root, status="failed",
                                        format=format, reason=reason, size=size))


def _spool(job: _Job, reader: readers.StreamReader, rows: bool) -> tuple[Problem, ...]:
    problems: list[Problem] = []
    with open_regular(job.file, follow=job.link, inside=job.inside or None) as f, \
            open(job.spool, "wb") as out:  # noqa: PTH123
        for document in readers.stream_file(reader, f, job.path):
            pickle.dump(document_rows(document) if rows else document, out,
                        protocol=pickle.HIGHEST_PROTOCOL)
            problems.extend(document.problems)
    return tuple(problems)


def _spooled(spool: str) -> Iterator[Document | DocumentRows]:
    """The documents a worker wrote to `spool` (our own file, in our own temporary folder)."""
    with open(spool, "rb") as f:  # noqa: PTH123
        while True:
            try:
                # written by our worker, never by a user
                yield pickle.load(f)
            except EOFError:
                return


def _stopped(job: _Job, reason: str) -> _Read:
    return _failed(job, reason, job.forced, job.size)


class _Batches:
    """Results waiting to be stored, written every `files` files or `seconds` seconds.

    A batch is one transaction and one statement per table (`Store.replace_sources`): SQLite
    and FTS5 pay for a commit and a statement once per batch instead of once per file, which
    was most of the cost of storing small notes. A file is still all-or-nothing, and so is
    the batch. While the readers are busy the batch waits at most `seconds` (`idle`), so
    results never wait long on a slow parse; no write lock is held between batches: a 9 s
    parse must not make another process's ingest fail on "database is locked".
    A kill loses the files read but not yet written (at most a batch); the next ingest sees
    them as changed and redoes them. The readers go on with the jobs queued to them while a
    batch is written (`ReadPool`'s depth).

    100 files a batch: against 50, the writer's system time a note is a fifth lower (a page
    that several files' rows share, an index's or the log tables', goes to the WAL once a
    commit: 25 KB written a note instead of 31) and its instructions 2.5% fewer (FTS5 merges
    fewer, larger segments). A batch (25-30 ms) takes less time than a reader needs for the
    64 jobs it has queued, and the results it sends meanwhile fit its send buffer; before
    those two (round 20), 100 left the readers blocked twice as long as 50 (issue 14).

    2 s at most a batch: with 0.5 s, readers slowed by a busy machine (about 100 notes/s)
    made batches of 8-18 files, and each commit's fixed part (a full-text segment a table,
    the ids, the marks) cost the writer a third more CPU a note than batches of 100 (round
    47: 0.29 against 0.22 ms a note at 10 files a batch). What a kill then loses is what
    was read in the last 2 s and not yet written, which the next ingest reads again;
    nothing stored is lost.
    """

    def __init__(self, store: Store, tally: _Tally, progress: Progress | None, total: int,
                 files: int = 100, seconds: float = 2.0) -> None:
        self.store, self.tally, self.progress, self.total = store, tally, progress, total
        self.files, self.seconds = files, seconds
        self.pending: list[tuple[_Job, _Read]] = []
        self.started = 0.0
        self.done = 0

    def add(self, job: _Job, result: _Read) -> None:
        self.done += 1
        if result.notice is not None:
            self.tally.notices.append(result.notice)
        if result.outcome == "unchanged":
            self.tally.add("unchanged")
        else:
            if not self.pending:
                self.started = time.monotonic()
            self.pending.append((job, result))
        if self.progress is not None:  # each file as it is read; stored with its batch
            self.progress(self.done, self.total, job.path)
        if self.pending and (len(self.pending) >= self.files
                             or time.monotonic() - self.started > self.seconds):
            self.flush()

    def idle(self) -> float | None:
        """Write the batch if it is due; else the seconds until it is."""
        if not self.pending:
            return None
        left = self.seconds - (time.monotonic() - self.started)
        if left > 0:
            return left
        self.flush()
        return None

    def flush(self) -> None:
        if not self.pending:
            return
        pending, self.pending = self.pending, []
        try:
            try:
                self._write(pending)
            except RefusedValue:
                # The database refused a value of one file (a constraint, a form it does not
                # take): the batch is stored file by file, and a file refused fails with the
                # database's reason, as one that cannot be read does; the rest goes on.
                for one in pending:
                    try:
                        self._write([one])
                    except RefusedValue as e:
                        job, result = one
                        assert result.record is not None
                        _fail(self.store, dataclasses.replace(
                            result.record, status="failed", reason=e.message, sha256=None,
                            documents=0, entries=0), self.tally)
        finally:
            for job, _ in pending:
                if job.spool:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(job.spool)  # noqa: PTH108

    def _write(self, pending: list[tuple[_Job, _Read]]) -> None:
        """`pending` in one transaction; the tally counts them only once it commits."""
        counts, failures = dict(self.tally.counts), len(self.tally.failures)
        try:
            with self.store.transaction():
                items = [item for job, result in pending
                         if (item := _stored_item(self.store, job, result, self.tally))]
                self.store.replace_sources(items)
        except BaseException:
            self.tally.counts = counts
            del self.tally.failures[failures:]
            raise


def _read_and_store(
    store: Store,
    jobs: list[_Job],
    tally: _Tally,
    progress: Progress | None,
    workers: int | None,
    options: ReadOptions,
) -> None:
    """Check and parse in worker processes; store the results in batches as they come."""
    if not jobs:
        return
    n = workers if workers is not None else min(2, os.cpu_count() or 1)
    if len(jobs) < PARALLEL_THRESHOLD:
        n = 1
    # A streamed file gets the time of one capped file for each cap's worth of bytes. Each
    # worker has up to 64 files (1 MiB) queued, so that it reads on while a batch is written:
    # with 8 (5 ms of small notes) each worker sat blocked for 1.7-2.1 s of a 10k-note ingest
    # waiting for jobs, with 32 it still ran out 9-22 times (0.24-0.42 s), with 64 2-6 times
    # (0.02-0.24 s; issue 14). Their results, about 4 KB a note, fit in the pipe's send
    # buffer (`_readpool._SEND_BUFFER`), so a worker does not block on sending them either.
    extensions = frozenset(suffix_of(j.path).lower() for j in jobs)
    pool = ReadPool(functools.partial(read_job, rows=store.takes_rows,
                                      max_bytes=options.max_bytes),
                    _stopped, Budget(options.max_seconds, options.max_memory), n,
                    seconds=lambda j: options.max_seconds * max(1.0, j.size / options.max_bytes),
                    depth=64, cost=lambda j: j.size, queued=1 << 20,
                    prepare=functools.partial(readers.import_readers, extensions))
    # With two workers the largest files go first (a slow one starts early); with one, the
    # walk's order stays (stored in path order, as an in-process read would).
    ordered = sorted(jobs, key=lambda j: -j.size) if n > 1 else jobs
    with ExitStack() as stack:
        if any(j.size > options.max_bytes for j in ordered):  # perhaps read as a stream
            spools = stack.enter_context(tempfile.TemporaryDirectory(prefix="grimoire-spool-"))
            ordered = [dataclasses.replace(j, spool=str(Path(spools) / f"{i}.pickle"))
                       if j.size > options.max_bytes else j for i, j in enumerate(ordered)]
        batches = _Batches(store, tally, progress, len(jobs))
        results = stack.enter_context(closing(pool.run(ordered, idle=batches.idle)))
        for job, result in results:
            batches.add(job, result)
        batches.flush()


def _stored_item(store: Store, job: _Job, result: _Read, tally: _Tally) -> SourceItem | None:
    """What to write for one file read: its record and documents, or None once its failure
    (or that it is not a note) is recorded."""
    record = result.record
    assert record is not None  # an unchanged file never reaches a batch
    if job.moves is not None:
        if result.outcome == "failed" and not result.drop:
            # its last good version stays, under the name it was stored by (`_respelled`)
            _fail(store, dataclasses.replace(record, path=job.moves[0], root=job.moves[1]),
                  tally)
            return None
        store.remove_source(job.moves[0])
    if result.outcome == "failed":
        if result.drop:
            store.remove_source(record.path)
        _fail(store, record, tally)
        return None
    if result.outcome == "skipped":
        if job.known is not None:
            store.remove_source(record.path)  # read as a note before a rule said it is none
        store.mark_source(record)
        tally.add("skipped")
        return None
    tally.add("updated" if job.existed else "added")
    tally.add("problems", len(record.problems))
    # A spooled file is stored as it is read back, in the same single transaction.
    return record, (_spooled(job.spool) if result.spooled else result.documents)
