"""Every reader, in one ordered registry; the order is the detection priority.

A new format is one module here and one line in `FORMATS`. Format families that need several
modules are subpackages (`html/`, `rst/`, `mediawiki/`, `markdown/`, which holds Obsidian too);
the package itself is the reader. A reader's module is imported when a file needs it (its
extension makes it a candidate, or a file of no telling extension is sniffed that far), not
when this package is: every reader at once cost a cold command 2.1 s of imports (issue 14),
and most commands read no file at all.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import stat
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from html import unescape
from typing import TYPE_CHECKING, BinaryIO, Protocol, cast

from grimoire.errors import ReadError
from grimoire.model import Document, Link, LinkKind
from grimoire.readers import sniffs
from grimoire.readers.base import Reader, ReadOptions, decode, stem_of, suffix_of


@dataclass(frozen=True, slots=True)
class Format:
    """A reader as known before its module is imported: its name, where it lives, the
    extensions it claims (its module's `extensions`, which a test compares), whether it reads
    bytes (`binary_reader`) and, for a module slow to import, its `sniff` (`sniffs`)."""

    name: str
    module: str
    extensions: tuple[str, ...]
    binary: bool = False
    sniff: Callable[[str, str], bool] | None = None

    def reader(self) -> Reader:
        """The reader's module, imported on first use."""
        return _module(self.module)

    def matches(self, head: str, path: str) -> bool:
        """The reader's `sniff`, without importing a module slow to import."""
        return (self.sniff or self.reader().sniff)(head, path)


@cache
def _module(module: str) -> Reader:
    return cast(Reader, importlib.import_module(module))


_MARKDOWN_EXTENSIONS = (".md", ".markdown", ".mdx", ".mdown", ".qmd", ".rmd")
# org before obsidian: `#+TITLE:` is stronger evidence than `[[links]]`, which both share.
# latex (`.tex`, `.ltx`; a `.txt` by `\documentclass` or `\section{` opening a line) before
# html and text, which take any text.
FORMATS: tuple[Format, ...] = (
    Format("pdf", "grimoire.readers.pdf", (".pdf",), binary=True),
    Format("notebook", "grimoire.readers.notebook", (".ipynb",), sniff=sniffs.notebook),
    Format("org", "grimoire.readers.org", (".org",), sniff=sniffs.org),
    Format("obsidian", "grimoire.readers.markdown.obsidian", (".md",), sniff=sniffs.obsidian),
    Format("markdown", "grimoire.readers.markdown", _MARKDOWN_EXTENSIONS,
           sniff=sniffs.markdown),
    Format("mediawiki", "grimoire.readers.mediawiki",
           (".wiki", ".mediawiki", ".wikitext", ".xml")),
    Format("glossary", "grimoire.readers.glossary", (".glossary",)),
    Format("rst", "grimoire.readers.rst", sniffs.RST_EXTENSIONS, sniff=sniffs.rst),
    Format("latex", "grimoire.readers.latex", (".tex", ".ltx"), sniff=sniffs.latex),
    Format("typst", "grimoire.readers.typst", (".typ",), sniff=sniffs.typst),
    Format("asciidoc", "grimoire.readers.asciidoc", (".adoc", ".asciidoc", ".asc", ".ad"),
           sniff=sniffs.asciidoc),
    Format("tiddlywiki", "grimoire.readers.tiddlywiki", (".tid",), sniff=sniffs.tiddlywiki),
    Format("html", "grimoire.readers.html", (".html", ".htm", ".xhtml"), sniff=sniffs.html),
    Format("text", "grimoire.readers.text",
           (".txt", ".text", "", ".eml", ".mbox", ".mbx", ".ini", ".cfg", ".conf")),
)
_BY_NAME = {f.name: f for f in FORMATS}


if TYPE_CHECKING:
    READERS: tuple[Reader, ...]  # every reader's module, in `FORMATS`' order
else:
    def __getattr__(name: str) -> tuple[Reader, ...]:
        """`READERS`, which imports every reader: for what lists them all (tests)."""
        if name == "READERS":
            return tuple(f.reader() for f in FORMATS)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Formats that are binary by design (PDF): `binary_reader`.
_BINARY = tuple(f for f in FORMATS if f.binary)

# Extensions that say nothing about the format: every reader's sniff is tried, in order.
GENERIC_EXTENSIONS = frozenset({".txt", ".text", ""})

SNIFF_BYTES = 16384

# Files that travel beside notes to say where they came from or under what terms (a corpus's
# SOURCE.txt, a LICENSE, `hf-docs.LICENSE.txt`): metadata, not notes. Their "Source: ..." or
# licence text showed up as pages in search, the type-ahead and ask's nearest concepts. A
# README stays a note: in a notes folder it is usually written by the note-taker (an index, a
# home page). `--format` still reads any of them.
# SOURCE and NOTICE only in capitals, as such files are named: `source.md` may be a note.
METADATA_NAMES = frozenset({"SOURCE", "SOURCES", "NOTICE", "license", "licence", "copying",
                            "copyright"})
_METADATA_EXTENSIONS = GENERIC_EXTENSIONS | {".md", ".rst"}
# A licence text named by the licence, as a book beside its notes keeps one for its code and
# one for its text (round 37: `MIT-License.txt`, `CC-BY-NC-SA-4.0.txt`, two concepts named by
# their first lines): "NAME-License" with a version or none, or a Creative Commons licence's
# short name.
_NAMED_LICENCE = re.compile(
    r"[\w.]+[-_ ]licen[cs]e(?:[-_ ]v?\d+(?:\.\d+)*)?"
    r"|cc0(?:[-_ ]v?1\.0)?|cc[-_ ]by(?:[-_ ](?:nc|nd|sa))*(?:[-_ ]v?\d\.\d)?", re.IGNORECASE)


def metadata_file(path: str) -> bool:
    """Whether a file's name says it is provenance or licence text beside the notes.

    >>> metadata_file("corpora/hf-docs/SOURCE.txt"), metadata_file("LICENSES/x.LICENSE.md")
    (True, True)
    >>> metadata_file("notes/source.md"), metadata_file("README.md")
    (False, False)
    >>> metadata_file("LICENSE-MIT"), metadata_file("notes/License-free data.md")
    (True, False)
    >>> metadata_file("MIT-License.txt"), metadata_file("CC-BY-NC-SA-4.0.txt")
    (True, True)
    >>> metadata_file("notes/Creative Commons.md"), metadata_file("notes/CCA-analysis.md")
    (False, False)
    """
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    ext = suffix_of(name).lower()
    if ext not in _METADATA_EXTENSIONS:
        return False
    stem = name[: len(name) - len(ext)] if ext else name
    word = stem.rsplit(".", 1)[-1]
    # `LICENSE-MIT`, `LICENSE-APACHE`, a vendored library's `LICENSE-BSD-NAVGOCO.txt` (round
    # 34: a site's `licenses/` folder): a licence text, named in capitals, then what it covers
    head = word.split("-", 1)[0].split("_", 1)[0]
    return word in METADATA_NAMES or word.casefold() in METADATA_NAMES \
        or (head != word and head in ("LICENSE", "LICENCE", "COPYING")) \
        or _NAMED_LICENCE.fullmatch(stem) is not None


# Files a code repository keeps beside its notes to build, test or package it (round 27: public
# note repositories). Read as text, a Makefile's first line ("CFLAGS = -Wall") or a
# Dockerfile's name became a concept, one "Dockerfile" a folder. Compared case-folded.
_TOOL_NAMES = frozenset({
    "makefile", "gnumakefile", "cmakelists.txt", "cmakecache.txt", "dockerfile",
    "containerfile", "vagrantfile", "jenkinsfile", "procfile", "gemfile", "rakefile",
    "kptfile", "mlproject", "mlmodel", "owners", "codeowners", "setup.cfg", "setup.py",
    "tox.ini", "pytest.ini", "mypy.ini", "noxfile.py", "manifest.in", "pyproject.toml",
    "package.json", "package-lock.json", "tsconfig.json", "go.mod", "go.sum", "cargo.toml",
    ".pre-commit-config.yaml", ".gitignore", ".gitattributes", ".dockerignore",
    ".editorconfig", "gdbinit",
    # Homebrew's, CocoaPods' and just's (round 56: a book's Brewfile was a concept)
    "brewfile", "podfile", "justfile",
    # an R package's own files (round 40: a book's DESCRIPTION was a concept "Type: Package")
    "description", "namespace",
    # Quarto's environment variables for the build (read51: a book's was a concept)
    "_environment",
})
# Numbered or suffixed copies (`Dockerfile2`, `Dockerfile.gpu`, `Makefile.am`), lock files;
# a program's run-control file, named by the program and "rc" with no extension (`latexmkrc`,
# a Perl script LaTeX builds with: round 39, qa39, a course's was a concept "latexmkrc").
_TOOL_NAME = re.compile(
    r"(?:dockerfile|containerfile|makefile)(?:[\w.-]*)|[\w.-]+\.(?:dockerfile|lock)"
    r"|[a-z][a-z0-9_-]{2,30}rc|rprofile|_environment[.-][\w.-]+",
    re.IGNORECASE)
TOOL_REASON = ("a build or tool file (Makefile, Dockerfile, a test's fixture, ...): not a note "
               "(--format reads it)")
# A folder of a test suite's inputs and expected outputs (`tests/.../fixtures/`, Jest's
# `__snapshots__`, Go's `testdata`): its text files are what a program reads, no notes (read51:
# a book's package kept a tokenizer's test corpora and merge lists, each an entry).
_FIXTURE_FOLDERS = frozenset({"fixtures", "fixture", "snapshots", "__snapshots__", "testdata",
                              "test_data", "test-data"})
_TEST_FOLDERS = frozenset({"test", "tests", "testing", "__tests__", "spec"})
SCRIPT_REASON = "a script (it starts with #!): not a note (--format reads it)"
# What a clone without Git LFS holds in place of a large file: three lines naming it (round
# 31: a Logseq graph's 45 PDFs each "failed: damaged or not a PDF").
LFS_REASON = "a Git LFS pointer, not the file itself (`git lfs pull` fetches it): not read"
_LFS_POINTER = b"version https://git-lfs.github.com/spec/v1"


def tool_file(path: str) -> bool:
    """Whether a file's name says it builds, tests or packages a repository, not a note.

    >>> tool_file("src/Makefile"), tool_file("app/Dockerfile2"), tool_file("poetry.lock")
    (True, True, True)
    >>> tool_file("notes/Docker.md"), tool_file("Dockerfile.md")
    (False, False)
    >>> tool_file("thesis/latexmkrc"), tool_file("notes/arc"), tool_file("notes/npmrc.md")
    (True, False, False)
    """
    folders, _, name = path.replace("\\", "/").rpartition("/")
    if name.casefold() in _TOOL_NAMES:
        return True
    if folders and suffix_of(name).lower() in GENERIC_EXTENSIONS and (
            _fixture_folder(folders) or _read_by_test_code(folders, name)):
        return True
    if _TOOL_NAME.fullmatch(name) is None:
        return False
    # `Dockerfile.md` is a note about Dockerfiles: an extension of a reader of its own.
    ext = suffix_of(name).lower()
    return ext in GENERIC_EXTENSIONS or not _candidates(ext)


# A test's own code: `test_x.py`, `x_test.go`, `x.test.ts`, `x_spec.rb`, pytest's conftest.
_TEST_CODE = re.compile(r"test_\w+\.py|conftest\.py|\w+_test\.(?:py|go)"
                        r"|[\w.-]+\.(?:test|spec)\.[jt]sx?|\w+_spec\.rb")


_TEST_FILES, _TEST_BYTES = 20, 1 << 18  # the test files beside it read, and of each


def _read_by_test_code(folders: str, name: str) -> bool:
    """Whether the text file `name` in the folder `folders` (on disk) lies in a test tree
    (`test/`, `tests/`) and a test's code beside it names it: it is what the test reads
    (read55; round 54, a course's library kept `test/autograd/text/test_text.txt` beside the
    `test_tokenizer.py` that opens it, a concept "test_text"). A test folder of notes is read,
    with code beside it that names no note of it (review55a: exam notes `tests/midterm.txt`
    beside a student's `test_1.py` answers were skipped)."""
    if not any(p.casefold() in _TEST_FOLDERS for p in folders.split("/")):
        return False
    try:
        names = os.listdir(folders or ".")  # noqa: PTH208 - a text path
    except OSError:
        return False
    said = name.encode("utf-8", "surrogateescape")
    for code in [n for n in names if _TEST_CODE.fullmatch(n)][:_TEST_FILES]:
        try:
            if said in _regular_bytes(os.path.join(folders, code), _TEST_BYTES):  # noqa: PTH118
                return True
        except OSError:
            continue
    return False


def _fixture_folder(folders: str) -> bool:
    """Whether a folder path holds a test suite's inputs: Go's `testdata`, or a `fixtures`
    (snapshots, `test_data`) folder inside a `tests` one (a note's folder "fixtures" or
    "test_data" alone is no test's: review51a, a notes folder on held-out data)."""
    parts = [p.casefold() for p in folders.split("/")]
    for k, part in enumerate(parts):
        if part in _FIXTURE_FOLDERS and (part == "testdata"
                                         or any(p in _TEST_FOLDERS for p in parts[:k])):
            return True
    return False


BUILT_REASON = ("a page built from the note beside it (x/index.html beside x.md or x/index.md,"
                " x.nb.html beside x.Rmd, x.html Asciidoctor made of x.adoc,"
                " an editor's HTML export of x.md, the x.pdf TeX made"
                " of x.tex or Typst of x.typ, the x.ipynb, x.rst or x.md exported from x.org):"
                " not a note"
                " (--format reads it)")
# The sources a static site builds `x/index.html` from, beside the folder `x/` (MkDocs with
# directory URLs, Hugo, Jekyll's permalinks): a wiki that keeps its built site next to its
# notes has every page twice (round 38, a static wiki's `docs/x.md` and `docs/x/index.html`:
# 7 pairs, each read as two pages of one concept).
_BUILT_FROM = (".md", ".markdown", ".rst", ".ipynb", ".qmd", ".rmd", ".Rmd", ".org", ".adoc")
# The pages a document renders to beside itself: R Markdown's `x.html` and R notebook
# `x.nb.html` from `x.Rmd`, Quarto's `x.html` from `x.qmd` (round 48, qa48b: an R book kept
# 11 chapters' notebooks as both, each chapter two entries of one concept). Not beside `x.md`:
# a saved web page and a note of one name are two notes. nbconvert's `x.html` and its slides
# `x.slides.html` from `x.ipynb` (round 49, qa49: a course's demo notebook and its page, two
# concepts, the page's named with the pilcrow of its heading's anchor).
TEX_SOURCES = (".tex", ".ltx")  # the sources of a PDF TeX makes beside them
# and Typst's (round 55, qa55: lecture notes and cheat sheets kept each `x.pdf` beside `x.typ`)
# Asciidoctor's page `x.html` beside `x.adoc` (round 56, qa56), when its generator says so.
ASCIIDOC_SOURCES = (".adoc", ".asciidoc", ".asc", ".ad")
_RENDERED = {".html": (".Rmd", ".rmd", ".qmd", ".ipynb", *ASCIIDOC_SOURCES),
             ".nb.html": (".Rmd", ".rmd"),
             ".slides.html": (".ipynb",), ".pdf": (*TEX_SOURCES, ".typ"),
             ".ipynb": (".org",), ".rst": (".org",), ".md": (".org",)}


def built_copy(path: str, within: str = "", beside: Container[str] | None = None) -> bool:
    """Whether `path` (a file on disk) is `x/index.html` and a note `x.md` (or `.rst`, `.ipynb`,
    ...) lies beside the folder `x` or in it (`x/index.rst`): the page a site generator built
    from that note; or the page `x.html` (`x.nb.html`, `x.slides.html`) rendered beside its
    `x.Rmd`, `x.qmd` or `x.ipynb`, the PDF TeX or Typst made beside its `x.tex` or `x.typ`,
    the notebook ox-ipynb exported beside its `x.org` (`_made_by_its_tool`); or an editor's
    HTML export of a Markdown note in its folder or, when `within` (the ingested folder,
    resolved) holds both, in a folder beside it (`_exported_copy`).

    `beside`, when given, holds the case-folded names of the files in `path`'s folder (the
    walk's listing, `folder_names`): a source named in none of them is not looked for on disk
    (issue 14: the `x.org` of every `x.md` was one more `stat` a note in the writer)."""
    folder, _, name = path.replace("\\", "/").rpartition("/")
    for built, sources in _RENDERED.items():
        if name.endswith(built) and len(name) > len(built):
            stem = path[: len(path) - len(built)]
            named = name[: len(name) - len(built)]
            found = [ext for ext in sources if _listed_file(stem + ext, named + ext, beside)]
            if found and _made_by_its_tool(path, built, found):
                return True
    if name.casefold().endswith((".html", ".htm")) and _exported_copy(path, within):
        return True
    if name.casefold().endswith(".pdf") and (source := renamed_build_of(path)) is not None \
            and _tex_build(path, source, [e for e in TEX_SOURCES
                                          if os.path.isfile(source + e)]):  # noqa: PTH113
        return True
    if name.casefold() not in ("index.html", "index.htm") or "/" not in folder:
        return False
    # Beside the folder `x/` (`x.md`), or in it (`x/index.rst`: Nikola copies each page's
    # source into the folder of the page it builds; round 51, qa51: a site's repository read
    # its 69 pages twice, each concept once from either). In it, only a page a generator
    # says it built: a page written by hand beside a folder's note is a note of its own, and
    # `index.html` beside `index.ipynb` nbconvert's alone, as `x.html` beside `x.ipynb` is
    # (review51c: both were skipped).
    if any(os.path.isfile(folder + ext) for ext in _BUILT_FROM):  # noqa: PTH113 - text paths
        return True
    inside = [ext for ext in _BUILT_FROM if os.path.isfile(f"{folder}/index{ext}")]  # noqa: PTH113
    return bool(inside) and (_generated_page(path) if inside != [".ipynb"]
                             else _nbconvert_page(path))


def folder_names(names: Iterable[str]) -> frozenset[str]:
    """The names of a folder's files as `built_copy`'s `beside` takes them: case-folded, so
    that a name a case-insensitive disk would find is among them."""
    return frozenset(n.casefold() for n in names)


def _listed_file(path: str, name: str, beside: Container[str] | None) -> bool:
    """`os.path.isfile(path)`, where `name` is the last part of `path`: False at once when
    `beside` (the folder's names, `folder_names`) holds no such name. A name of other than
    ASCII, or with a `~` (a Windows short name), is always looked for: a disk may find it under
    another spelling (Unicode's two normal forms on macOS, `NOTES~1.ORG`)."""
    if beside is not None and name.isascii() and "~" not in name \
            and name.casefold() not in beside:
        return False
    return os.path.isfile(path)  # noqa: PTH113 - a text path


def _made_by_its_tool(path: str, built: str, sources: list[str]) -> bool:
    """Whether the page or file `path` (`x.html`, `x.pdf`, `x.ipynb`) rendered beside its
    sources `x.<source>` says the tool that renders them made it: nbconvert a page beside
    only a notebook, TeX or Typst a PDF (`_tex_pdf`, `_typst_pdf`), ox-ipynb a notebook
    (`_org_notebook`)."""
    if built == ".pdf":
        tex = [ext for ext in sources if ext in TEX_SOURCES]
        return (bool(tex) and _tex_build(path, path[: len(path) - len(built)], tex)) \
            or (".typ" in sources and _typst_pdf(path))
    if built == ".ipynb":
        return _org_notebook(path, path[: len(path) - len(built)] + ".org")
    if built in (".rst", ".md"):
        return _org_export(path, path[: len(path) - len(built)] + ".org")
    if built == ".html" and all(ext in ASCIIDOC_SOURCES for ext in sources):
        return _ASCIIDOCTOR_MARK in _head_bytes(path, 1 << 16)
    return sources != [".ipynb"] or built != ".html" or _nbconvert_page(path)


_ASCIIDOCTOR_MARK = b'<meta name="generator" content="Asciidoctor'


def _tex_build(pdf: str, stem: str, sources: list[str]) -> bool:
    """Whether the PDF `pdf` is TeX's build of the sources `stem` + each of `sources`
    (`.tex`) beside it: they read in the files they name, TeX made it, they decode."""
    return bool(sources) and all(_inputs_here(stem + ext) for ext in sources) \
        and _tex_pdf(pdf) and all(_source_reads(stem + ext) for ext in sources)


# A TeX build of `x.tex` renamed for its use (read54; round 53, a course kept `clustering43.pdf`
# beside `clustering.tex` and `clustering.pdf`, the deck printed 4:3): Beamer's handouts and
# notes, a print, an aspect ratio, its pages two or four up.
_BUILD_NAME = re.compile(r"(.+?)(?:[-_.]?(?:43|169|1610)|[-_.](?:(?P<beamer>handouts?|notes|article"
                         r"|trans)|print|compressed|[24]-?up|final))", re.IGNORECASE)
# ... a build only Beamer makes (handouts, notes pages, transparencies, article mode) is of a
# deck, and its notes pages of a deck with notes: `x-notes.pdf` beside an article `x.tex` is a
# PDF of its own (read55; read54 hid it as a build).
_BEAMER_CLASS = re.compile(rb"\\documentclass\s*(?:\[[^\]]{0,300}\])?\s*\{beamer\}")
_BEAMER_NOTE = re.compile(rb"\\note\s*[\[<{]")


def renamed_build_of(pdf: str) -> str | None:
    """The stem `x` (its path, no extension) of the `.tex` source whose renamed build the
    PDF at `pdf` is (`x-handout.pdf`, `x43.pdf` beside `x.tex`), when no source of its own
    name lies beside it; None else."""
    stem = pdf[: len(pdf) - 4]
    if any(os.path.isfile(stem + ext) for ext in TEX_SOURCES):  # noqa: PTH113 - a text path
        return None
    found = _BUILD_NAME.fullmatch(stem)
    if found is None or found[1].endswith(("/", "\\")):
        return None
    source = found[1]
    tex = [source + ext for ext in TEX_SOURCES if os.path.isfile(source + ext)]  # noqa: PTH113
    if not tex:
        return None
    if found["beamer"] is not None:
        head = _head_bytes(tex[0], 1 << 20)
        if _BEAMER_CLASS.search(head) is None or (
                found["beamer"].casefold() == "notes" and _BEAMER_NOTE.search(head) is None):
            return None
    return source


# What TeX's PDF writers (pdfTeX, XeTeX's xdvipdfmx, LuaTeX, dvipdfm) put in the /Info
# dictionary: `/Producer (pdfTeX-1.40.25)`, `/Creator (LaTeX with hyperref)`.
_TEX_PRODUCER = re.compile(rb"/(?:Producer|Creator)\s*\([^()]{0,120}?(?:TeX|dvipdfm)")


def _tex_pdf(path: str) -> bool:
    """Whether the PDF `x.pdf` beside `x.tex` says TeX made it (round 52, qa52: an
    instructor's LaTeX notes kept each PDF beside its source, every chapter read twice); a
    handout another program made, or scanned, beside a `.tex` of its name is read. pdfTeX
    writes /Info at the end of the file, some writers at its start; XeTeX's xdvipdfmx keeps
    it in a compressed object stream, and some write its strings in hex: then pypdf reads it
    (`_info_says`; review52c: a cheat sheet's 135-page PDF beside its source was read)."""
    head = _head_bytes(path, 1 << 16)
    if _TEX_PRODUCER.search(head):
        return True
    try:
        with open(path, "rb") as f:  # noqa: PTH123 - a text path
            f.seek(max(0, f.seek(0, os.SEEK_END) - (1 << 16)))
            tail = f.read()
    except OSError:
        return False
    if _TEX_PRODUCER.search(tail):
        return True
    return _PLAIN_PRODUCER.search(head) is None and _PLAIN_PRODUCER.search(tail) is None \
        and _info_says(path, "TeX", "dvipdfm")


_TYPST_PRODUCER = re.compile(rb"/(?:Producer|Creator)\s*\(Typst\b|<xmp:CreatorTool>Typst\b")


def _typst_pdf(path: str) -> bool:
    """Whether the PDF `x.pdf` beside `x.typ` says Typst made it: in its first 64 KB, else
    in its /Info as pypdf reads it (Typst writes /Info near the end, before its fonts' last
    objects)."""
    return _TYPST_PRODUCER.search(_head_bytes(path, 1 << 16)) is not None \
        or _info_says(path, "Typst")


# An /Info entry written as a literal string, read by `_TEX_PRODUCER` as it stands.
_PLAIN_PRODUCER = re.compile(rb"/(?:Producer|Creator)\s*\(")


def _info_says(path: str, *makers: str) -> bool:
    """Whether the PDF's /Info, as pypdf reads it, names one of `makers` (TeX) as its
    producer or creator."""
    from pypdf import PdfReader  # only for a PDF beside its source (`.tex`, `.typ`)

    try:
        info = PdfReader(path, strict=False).metadata
        said = f"{info.get('/Producer', '')} {info.get('/Creator', '')}" if info else ""
    except Exception:  # a damaged PDF is read, and fails, as any other
        return False
    return any(maker in said for maker in makers)


# A file a LaTeX source reads in, on a line not commented out: `\input{sections/intro}`,
# `\include{ch1}`, `\subfile{x}`.
_TEX_INPUT = re.compile(rb"^[^%\n]*?\\(?:input|include|subfile)\s*\{([^{}\\#\n]{1,200})\}", re.M)


def _inputs_here(tex: str) -> bool:
    """Whether most files the LaTeX source `tex` reads in are on disk (by the name or with
    `.tex` added, from the source's folder, as TeX looks): a paper's main file kept without
    its sections leaves the PDF beside it the only copy of their text (review52c). One
    chapter of seven renamed since the build is no such case."""
    folder = os.path.dirname(tex)  # noqa: PTH120 - a text path
    here = gone = 0
    for m in _TEX_INPUT.finditer(_head_bytes(tex, 1 << 20)):
        target = os.path.join(folder, m.group(1).strip().decode("utf-8", "replace"))  # noqa: PTH118
        if os.path.isfile(target) or os.path.isfile(target + ".tex"):  # noqa: PTH113
            here += 1
        else:
            gone += 1
    return gone <= here or gone == 0


_SOURCE_BYTES = 16 << 20  # of a source read to know whether it decodes; a larger one is taken


def _source_reads(source: str) -> bool:
    """Whether the note `source` (`x.tex` beside the PDF built of it) is text the readers
    can decode: one that fails ("not UTF-8, and its encoding cannot be told", binary data)
    leaves the PDF the only copy of its text, so the PDF is read (round 52 left it skipped,
    its text nowhere). One that decodes and fails later, in its reader, is told after the
    read (`ingest._built_of_failed`; read54)."""
    data = _head_bytes(source, _SOURCE_BYTES + 1)
    if len(data) > _SOURCE_BYTES:
        return True
    try:
        decode(data, source)
    except ReadError:
        return False
    return True


# A notebook's cell comes from the Org note beside it when this share of its runs of three
# words is there, in that order (the export changes markup, `*x*` to `**x**`, `[[u][x]]` to
# `[x](u)`, never the words); a cell of fewer words when they all are
_FROM_ORG = 0.9
_RUN = 3
_WORD = re.compile(r"\w+")
_ALT_TEXT = re.compile(r"!\[[^\[\]\n]{0,200}\]")  # an image's words the export made up ("img")
# A link's address, in Org (`[[u][`) or Markdown (`](u)`): the export moves it past its words
_LINK_TARGET = re.compile(r"\[\[[^\[\]\n]{1,2000}\]\[|\]\([^()\s]{1,2000}\)"
                          r"|<[^<>\s]{1,2000}>`_{1,2}|:[a-z]{1,20}:(?=`)|^\.\. [a-z-]{1,20}::",
                          re.MULTILINE)  # ... or reST's (`x <u>`__), and its roles and directives


def _words(text: str) -> list[str]:
    return _WORD.findall(_LINK_TARGET.sub(" ", _ALT_TEXT.sub(" ", text)).casefold())


def _runs(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + _RUN]) for i in range(len(words) - _RUN + 1)}


def _org_notebook(path: str, org: str) -> bool:
    """Whether the notebook `x.ipynb` beside `x.org` is an export of it, judged by its
    content (`_copied_from_org` of its cells). Round 52 (qa52) judged by ox-ipynb's "org"
    metadata key alone: a notebook the user went on editing in Jupyter keeps the key, and the
    cells added there were skipped with the copy; pandoc's `org -> ipynb` export writes no
    mark, and its copy was read twice (read53: by the cells)."""
    try:
        with open(path, "rb") as f:  # noqa: PTH123 - a text path
            notebook = json.load(f)
    except (OSError, ValueError, RecursionError):
        return False
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        return False
    texts = []
    for cell in cells:
        source = cell.get("source") if isinstance(cell, dict) else None
        text = "".join(source) if isinstance(source, list) else source
        if isinstance(text, str):
            texts.append(text)
    return _copied_from_org(texts, org)


_BLANK_LINES = re.compile(r"\n[ \t]*\n")


def _org_export(path: str, org: str) -> bool:
    """Whether the page `x.rst` or `x.md` beside `x.org` is an export of it (Org's own, or
    pandoc's by way of LaTeX), judged by its paragraphs' words (`_copied_from_org`): a wiki
    kept in Org and exported to reST for a site read every page twice, lint calling each pair
    near-duplicates (read55; qa54 left it)."""
    try:
        text = decode(_regular_bytes(path), path)
    except (OSError, ReadError):
        return False
    return _copied_from_org(_BLANK_LINES.split(text), org)


_ORG_BYTES = 4 << 20  # of an Org note, an include or an export read to compare them


def _regular_bytes(path: str, limit: int = _ORG_BYTES) -> bytes:
    """The bytes of the regular file at `path`, of at most `limit` (OSError else): an
    `#+INCLUDE:` may name any path (`/dev/zero`, a FIFO), and is never opened then."""
    info = os.stat(path)  # noqa: PTH116 - a text path
    if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
        raise OSError(f"not a regular file of at most {limit} bytes: {path}")
    with open(path, "rb") as f:  # noqa: PTH123
        return f.read(limit)


_INCLUDES = 50  # the files an Org note's `#+INCLUDE:` lines name, at most, read for its words
_ORG_INCLUDE = re.compile(r'^[ \t]*#\+include:[ \t]*"([^"\n]{1,300})"',
                          re.IGNORECASE | re.MULTILINE)


def _org_words(org: str) -> list[str]:
    """The words of the Org note `org` and of the files its `#+INCLUDE:` lines name (an
    export holds theirs too), in order; an include that cannot be read adds none."""
    todo, seen, words = [org], set[str](), list[str]()
    while todo and len(seen) < _INCLUDES:
        name = todo.pop(0)
        if name in seen:
            continue
        seen.add(name)
        try:
            text = decode(_regular_bytes(name), name)
        except (OSError, ReadError):
            if name == org:
                raise
            continue
        words += _words(text)
        folder = os.path.dirname(name)  # noqa: PTH120 - a text path
        todo += [os.path.join(folder, m[1]) for m in _ORG_INCLUDE.finditer(text)]  # noqa: PTH118
    return words


def _copied_from_org(blocks: list[str], org: str) -> bool:
    """Whether the blocks (a notebook's cells, an export's paragraphs) are the Org note
    `org`'s: each block's words are the note's, in its order (`_FROM_ORG` of its runs of
    `_RUN` words; a shorter block's words all), and all the blocks hold fewer than `_RUN`
    words the note never says. A block the Org note does not hold makes the file a note of
    its own (read whole, its copied blocks with it). By runs, not a set of words (review53a): a
    notebook written beside a long Org journal of the same work holds its words, not its
    sentences. A file with no block of words is no copy."""
    try:
        note = _org_words(org)
    except (OSError, ReadError, RecursionError):
        return False
    words, runs = set(note), _runs(note)
    told, stray = False, set()
    for text in blocks:
        mine = _words(text)
        if len(mine) >= _RUN:
            ok = len(_runs(mine) & runs) >= _FROM_ORG * len(_runs(mine))
        else:
            ok = set(mine) <= words
        if ok and mine:
            told = True
        elif not ok and len(mine) >= _RUN:
            return False
        # a word the note never says, in a block that is its copy or not: a sentence the user
        # added to a long paragraph of the export (its runs still 90% the note's) was lost with
        # the copy (review55a)
        stray |= set(mine) - words
        if len(stray) >= _RUN:
            return False
    return told


# What a site generator writes into the head of every page it builds: Nikola, Hugo, Jekyll's
# SEO tag, MkDocs, Pelican's themes, pandoc.
_GENERATOR_MARK = re.compile(rb"<meta\s[^<>]{0,80}?\bname\s*=\s*[\"']?generator\b", re.IGNORECASE)


def _generated_page(path: str) -> bool:
    """Whether the page at `path` says a generator built it (`<meta name="generator">`)."""
    return _GENERATOR_MARK.search(_head_bytes(path, 1 << 16)) is not None


# What nbconvert writes into every page it makes of a notebook: JupyterLab's class names
# (`jp-Notebook`, `jp-Cell`), the classic template's "jupyter" / "ipython" styles and cells
# (`text_cell_render`).
_NBCONVERT_MARKS = (b"jp-", b"jupyter", b"ipython", b"nbconvert", b"text_cell")


def _nbconvert_page(path: str) -> bool:
    """Whether the page `x.html` beside `x.ipynb` is nbconvert's: a report written by hand
    beside the notebook it reports on is a note of its own (round 49, review49a)."""
    head = _head_bytes(path, 1 << 20).lower()
    return any(mark in head for mark in _NBCONVERT_MARKS)


def _head_bytes(path: str, size: int) -> bytes:
    """The first `size` bytes of the file at `path`; none when it cannot be read."""
    try:
        with open(path, "rb") as f:  # noqa: PTH123 - a text path
            return f.read(size)
    except OSError:
        return b""


# Typora's export: `<body class='typora-export ...'>`, titled by the Markdown file's stem
_EXPORT_MARK = b"typora-export"
_EXPORT_TITLE = re.compile(rb"<title>([^<>]{1,200})</title>", re.IGNORECASE)
_EXPORTED_FROM = (".md", ".markdown")
_FOLDERS_BESIDE = 200  # the folders beside an export's that are looked in, at most


def _exported_copy(path: str, within: str) -> bool:
    """Whether `path` is Typora's HTML export of a Markdown note named by its `<title>`, that
    note in the same folder or, when the folder above is inside `within`, in a folder beside
    (`ML-notes-html/x.html` of `ML-notes-md/x.md`; round 50: a course's notes and their
    export in two folders read every chapter twice, 55 entries and 23 lint near-duplicates).
    An export whose note is not among the notes ingested is the only copy: read."""
    head = _head_bytes(path, 1 << 16)
    title = _EXPORT_TITLE.search(head) if _EXPORT_MARK in head else None
    if title is None:
        return False
    stem = unescape(title.group(1).decode("utf-8", "replace")).strip()
    if not stem or stem.startswith(".") or "/" in stem or "\\" in stem:
        return False
    folder = os.path.dirname(path)  # noqa: PTH120 - a text path
    places = [folder]
    parent = os.path.dirname(folder)  # noqa: PTH120
    above = os.path.realpath(parent) if within and parent and parent != folder else ""
    if above and (above == within or above.startswith(within.rstrip(os.sep) + os.sep)):
        try:
            names = sorted(os.listdir(parent))[:_FOLDERS_BESIDE]  # noqa: PTH208 - text paths
        except OSError:
            names = []
        places += [os.path.join(parent, n) for n in names  # noqa: PTH118
                   if n != os.path.basename(folder)]  # noqa: PTH119
    return any(os.path.isfile(os.path.join(p, stem + ext))  # noqa: PTH113, PTH118
               for p in places for ext in _EXPORTED_FROM)


def built_pages(path: str) -> list[str]:
    """The pages `built_copy` would take for copies of the note at `path` (`x/index.html`
    for `x.md` or `x/index.rst`) that are on disk: a note written or deleted changes whether
    they are read (watch looks at them with it; review40b)."""
    stem, dot, ext = path.rpartition(".")
    if not dot or "/" in ext or os.sep in ext or ("." + ext not in _BUILT_FROM and not any(
            "." + ext in sources for sources in _RENDERED.values())):
        return []
    rendered = [stem + built for built, sources in _RENDERED.items() if "." + ext in sources]
    folder, _, base = stem.replace("\\", "/").rpartition("/")
    beside = [f"{folder}/index.html", f"{folder}/index.htm"] if base == "index" and folder else []
    return [page for page in (*(os.path.join(stem, name)  # noqa: PTH118
                                for name in ("index.html", "index.htm")), *rendered, *beside)
            if os.path.isfile(page)]  # noqa: PTH113


def not_a_note(path: str, data: bytes, head: str) -> str | None:
    """Why a file that a reader would take is no note, from its content, or None: a script
    (`#!/bin/sh`, a repository's `bin/build`), a Git LFS pointer in place of the file, or XML
    that is not a MediaWiki export dump (a Maven `pom.xml`, an OpenCV cascade), which no
    reader reads."""
    if data.startswith(b"#!"):
        return SCRIPT_REASON
    if data.startswith(_LFS_POINTER):
        return LFS_REASON
    if suffix_of(path).lower() in GENERIC_EXTENSIONS and (why := _data_file(data, head)):
        return why
    if _PLAY_FILE.search(path.replace("\\", "/")) is not None \
            and (head.lstrip()[:1] == "@" or _PLAY_ROUTE.search(head) is not None):
        return PLAY_REASON
    html = suffix_of(path).lower().startswith(".htm")
    if line := template_line(head, markdown=not html):
        return f"{TEMPLATE_REASON} (line {line})"
    # A theme's text file is a layout too (round 44: Hugo's `layouts/robots.txt`, a Go
    # template, was a concept "User-agent: *"), by its lines of tags alone: a plain-text note
    # about templates writes a tag and what it does on one line (review44a).
    if (html or suffix_of(path).lower() == ".txt") \
            and (line := html_template_line(head, tags_alone=not html)):
        return f"{HTML_TEMPLATE_REASON} (line {line})"
    if line := archetype_line(head):
        return f"{ARCHETYPE_REASON} (line {line})"
    if _NOT_FOUND_PAGE.fullmatch(path.replace("\\", "/").rsplit("/", 1)[-1]) \
            and _FRONT_MATTER.match(head):
        return NOT_FOUND_REASON
    # "lorem" first, lowered: no other character matches one of its letters under
    # IGNORECASE (as U+017F does `s`), so a head without it holds no match. The pattern,
    # case-blind from every place, was 20 us of every note (issue 14); this is 2.
    if "lorem" in head[:SNIFF_BYTES].lower() \
            and len(_FILLER.findall(head, 0, SNIFF_BYTES)) >= 2:
        return FILLER_REASON
    if ".. automodule::" in head and suffix_of(path).lower() in sniffs.RST_EXTENSIONS \
            and _apidoc_page(head):
        return APIDOC_REASON
    if suffix_of(path).lower() in TEX_SOURCES and _preamble_part(data):
        return PREAMBLE_REASON
    if suffix_of(path).lower() == ".xml" and not _streams_dump(head):
        root = _XML_ROOT.search(head)
        what = f"whose root is <{root.group(1)}>" if root else "that is"
        return f"XML {what} not a MediaWiki export dump: not a note"
    return None


# A Play web app's Twirl view (`app/views/main.scala.html`, opening on its parameters
# `@(title: String)(content: Html)`) and its `conf/routes` (`GET / controllers.Home.index`):
# the app's code, where its HTML title "@title" and the routes file were concepts (read57).
PLAY_REASON = "a Play app's Twirl view or routes file: code, not a note"
_PLAY_FILE = re.compile(r"\.scala\.(?:html|txt|xml)$|(?:^|/)conf/routes$")
_PLAY_ROUTE = re.compile(r"^(?:GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS|->)[ \t]+/\S*[ \t]+\S",
                         re.MULTILINE)


# Data a program wrote, in a file with no extension or `.txt` (read57: a repository's API
# responses saved as `champs`, `match`, `summoner`, each one line of JSON, were five concepts;
# TensorFlow's `checkpoint` beside a model's weights, `model_checkpoint_path: "model.ckpt"`,
# was the concept '"model.ckpt"').
JSON_REASON = "JSON data (the whole file is one JSON value): not a note (--format reads it)"
CHECKPOINT_REASON = "TensorFlow's checkpoint state (model_checkpoint_path: ...): not a note"
_JSON_BYTES = 16 << 20  # larger files are not parsed to tell


def _data_file(data: bytes, head: str) -> str | None:
    """Why a file of a generic extension is data a program wrote (JSON, TensorFlow's
    checkpoint state), or None."""
    opening = head.lstrip("\ufeff \t\r\n")[:1]
    if opening in ("{", "[") and len(data) <= _JSON_BYTES:
        try:
            value = json.loads(data.decode("utf-8-sig"))
        except (ValueError, UnicodeDecodeError, RecursionError):
            # (RecursionError: brackets nested past Python's limit, "[[[[...", which failed
            # the file as "could not tell the format" where main read it; review57a)
            return None
        # (a list of numbers or words, "[1, 2, 3]", could be a note's one line; a JSON
        # object, or a list of objects or lists, is a program's)
        if isinstance(value, dict) or (isinstance(value, list) and value
                                       and all(isinstance(v, dict | list) for v in value)):
            return JSON_REASON
        return None
    if head.startswith("model_checkpoint_path:"):
        return CHECKPOINT_REASON
    return None


# A site generator's archetype: the page a new post starts from, its front matter filled by
# Go template actions when the post is made (Hugo's `archetypes/default.md`: `date: {{ .Date
# }}`, `title: "{{ replace .Name "-" " " | title }}"`; round 44, a blog's was read as a note,
# with an "invalid front matter" warning). No generator runs a template in a page's own front
# matter, so a value that is an action marks a template wherever the file is.
ARCHETYPE_REASON = "a site generator's archetype (front matter of Go template actions): " \
                   "not a note"
_FRONT_MATTER_FENCE = re.compile(r"\A\ufeff?(---|\+\+\+)[ \t]*\r?\n")
# The value is the action(s) alone, quoted or not: a note showing a template in a value
# ("{{ user.name }} prints a field", LaTeX's "{{n}\choose{k}}") is a note (review45a).
_ACTION_VALUE = re.compile(r"[ \t]*[\w.-]+[ \t]*[:=][ \t]*([\"']?)(?:\{\{[^{}\\]*\}\}[ \t]*)+\1"
                           r"[ \t\r]*(?:#.*)?$")
_FRONT_MATTER_LINES = 200


def archetype_line(head: str) -> int | None:
    """The line of the first front-matter value that is a Go template action, or None.

    >>> archetype_line("---\\ntitle: x\\ndate: {{ .Date }}\\n---\\n")
    3
    >>> archetype_line("---\\ntitle: the {{ and }} of Go\\n---\\n")
    """
    fence = _FRONT_MATTER_FENCE.match(head)
    if fence is None or "{{" not in head:
        return None
    lines = head[fence.end():].split("\n", _FRONT_MATTER_LINES)[:_FRONT_MATTER_LINES]
    for number, line in enumerate(lines, start=2):
        if line.rstrip("\r \t") == fence[1]:
            return None
        if _ACTION_VALUE.match(line):
            return number
    return None


# A site generator's template page (round 36: a Jekyll glossary's `acronyms.html`,
# `meta/unfinished.html`): front matter, then Liquid tags that loop over or assign from the
# site's pages. Read as a note it was "--- layout: page ... {% assign pages = site.pages %}".
# A note that uses a tag or two in its prose (`{% link %}`, `{% include %}`) is still a note.
TEMPLATE_REASON = "a site template page (Liquid `{% for %}` / `{% assign %}` tags): not a note"
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n")
# A capture closed on its own line is a value a note builds (round 42: a Jekyll site's pages
# each built a figure's caption so, `{% capture img_desc %}...{% endcapture %}`, and eight of
# them were skipped as templates, their prose unread); one left open gathers the page.
_LIQUID_LOGIC = re.compile(r"^([ \t]*)\{%-?\s*(?:for|assign|tablerow"
                           r"|capture(?![^\n]*\{%-?\s*endcapture\b))\s", re.MULTILINE)
# `{% raw %} ... {% endraw %}`: Liquid shown, not run (a note about Jekyll quoting a loop).
_LIQUID_RAW = re.compile(r"\{%-?\s*raw\s*-?%\}.*?(?:\{%-?\s*endraw\s*-?%\}|\Z)", re.DOTALL)
# A site's page-not-found page (`404.md`, `404.html` with front matter, as GitHub Pages and
# Jekyll name it): the glossary's was a concept "404 Error".
_NOT_FOUND_PAGE = re.compile(r"404\.(?:md|markdown|html?)", re.IGNORECASE)
NOT_FOUND_REASON = "a site's page-not-found page (404): not a note"
# A LaTeX preamble kept in a file of its own (`preamble.tex`, `commands.tex`), which each deck
# of a course reads in before its `\begin{document}`: `\usepackage` is allowed only there, so a
# file loading a package, with no document of its own, is settings, not text (read56: a
# course's two such files were concepts "preamble" and "commands", their passages the
# arguments of `\definecolor`, `\lstdefinestyle`, `\setbeamercolor`).
PREAMBLE_REASON = ("a LaTeX preamble (packages and settings, `\\usepackage` with no "
                   "`\\begin{document}`), read in by the documents that use it: not a note")
_LOADS_PACKAGE = re.compile(rb"^[ \t]*\\(?:usepackage|RequirePackage|usetheme)\b", re.M)
# What a preamble never holds: a chapter's sectioning (review56a: a LaTeX tutorial's
# chapter shows `\usepackage{amsmath}` in a `verbatim` block on a line of its own, and the
# whole chapter was skipped as settings); and the blocks that show code as written.
_DOCUMENT_PART = re.compile(
    rb"^[ \t]*\\(?:part|chapter|section|subsection|subsubsection)\*?[ \t]*[\[{]", re.M)
_SHOWN_CODE = re.compile(
    rb"\\begin\{(verbatim\*?|Verbatim|lstlisting|minted|comment|filecontents\*?)\}.*?"
    rb"(?:\\end\{\1\}|\Z)", re.S)


def _preamble_part(data: bytes) -> bool:
    """Whether a `.tex` file's bytes are a preamble's: a package loaded on a line of its own
    (not in a block of code shown as written), no `\\documentclass` or `\\begin{document}`
    anywhere, and no sectioning or slide of a document's body."""
    if b"\\begin{document}" in data or b"\\documentclass" in data \
            or _LOADS_PACKAGE.search(data) is None:
        return False
    if b"\\begin{" in data:
        data = _SHOWN_CODE.sub(b"", data)
    return _LOADS_PACKAGE.search(data) is not None and _DOCUMENT_PART.search(data) is None
# A site theme's sample page, its text the typesetters' filler ("Lorem ipsum dolor sit
# amet, ..." in its description and again in its body): no one's note (round 38: a Hugo
# theme's six sample projects and a draft post were concepts "Book hardcover", "Autumn
# Cartoon Fun", "Inline HTML"). A note that quotes the filler once is still a note, as is one
# about it that names "lorem ipsum dolor" twice: the filler runs on past its first words
# ("... sit amet, consectetur adipiscing", "consectetuer" in some themes; review38b).
FILLER_REASON = "placeholder text (lorem ipsum): a site theme's sample page, not a note"
# The page `sphinx-apidoc` writes for each package: "<package> package", "Submodules", "<module>
# module" headings over `.. automodule::` directives (and their options) alone, "Subpackages"
# over a `toctree` of them; Sphinx fills
# them from the code's docstrings. No one's note (round 54, qa54: a course library's docs gave
# concepts "autograd package", "autograd.text package" of no text). A page with a line of its
# own beside its `automodule` is a note: an option is a field, a space or nothing after its
# name (`:members:`, `:maxdepth: 4`); a line that opens on a role (":class:`SGD` steps ...") is
# a sentence (review54c: a hand-written API page's sentences were lost).
APIDOC_REASON = ("sphinx-apidoc's page of a package's modules (`.. automodule::` alone): not a"
                 " note (--format reads it)")
_APIDOC_LINE = re.compile(r"[ \t]*(?:\.\. auto\w+:: \S+|\.\. toctree::|:[\w-]+:(?:[ \t].*)?"
                          r"|[=\-~^\"'`#*+]{3,}|)|[ \t]+[\w.]+")
_UNDERLINE = re.compile(r"([=\-~^\"'`#*+])\1{2,}")


def _apidoc_page(head: str) -> bool:
    """Whether an rST page (its head) is `sphinx-apidoc`'s (`APIDOC_REASON`): every line a
    heading over its underline, an `auto...` directive, a `toctree`, an option or an entry of
    one, or blank."""
    lines = head.splitlines()
    for k, line in enumerate(lines):
        if _APIDOC_LINE.fullmatch(line) is None and not (
                k + 1 < len(lines) and _UNDERLINE.fullmatch(lines[k + 1])):
            return False
    return True
_FILLER = re.compile(r"\blorem\s+ipsum\s+dolor\s+sit\s+amet\W{1,3}consectetu", re.IGNORECASE)
_FENCE = re.compile(r"^[ \t]*(?:```|~~~)", re.MULTILINE)


def template_line(head: str, markdown: bool = True) -> int | None:
    """The line of the first Liquid logic tag of a page with front matter, or None: a line
    that starts with `{% for %}`, `{% assign %}`, `{% capture %}` is the template's, not the
    note's. A tag quoted by a note about Jekyll does not count: inside a fenced code block,
    between `{% raw %}` and `{% endraw %}`, or (in Markdown) indented as code.

    >>> template_line("---\\ntitle: x\\n---\\n<ul>\\n{% for p in site.pages %}")
    5
    >>> template_line("---\\ntitle: x\\n---\\nSee [it]({% link a.md %}).")
    >>> template_line("---\\ntitle: x\\n---\\n```liquid\\n{% for p in site.pages %}\\n```")
    >>> template_line("---\\ntitle: x\\n---\\nLoop:\\n\\n    {% for p in site.pages %}")
    """
    if _FRONT_MATTER.match(head) is None or "{%" not in head:
        return None
    # Quoted Liquid blanked out, line ends kept, so that the line counted is the file's.
    shown = _LIQUID_RAW.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), head)
    for m in _LIQUID_LOGIC.finditer(shown):
        if markdown and len(m.group(1).expandtabs(4)) >= 4:
            continue
        if len(_FENCE.findall(shown, 0, m.start())) % 2 == 0:
            return head.count("\n", 0, m.start()) + 1
    return None


# A site generator's layout written as HTML: Hugo's Go templates (`{{ partial "head.html" . }}`,
# `{{ block "main" . }}`, `{{ range .Pages }}`), Jinja's as MkDocs, Sphinx and Pelican themes
# write them (`{% extends "base.html" %}`, `{% block content %}`). The page a site builds from
# it is the note, not the layout (round 38: a Hugo site's theme, 46 layout files; its
# `baseof.html` was a concept "baseof"). Such tags shown on a page about them sit in `<pre>`
# or `<code>`, which are not looked in; two lines of them at least make a layout.
HTML_TEMPLATE_REASON = "a site generator's layout (Go or Jinja template tags): not a note"
_HTML_TEMPLATE_TAG = re.compile(
    r"^[ \t]*(?:\{\{-?\s*(?:define|block|partial|partialCached|template|range|with|if|else"
    r"|end)\b|\{%-?\s*(?:extends|block|endblock|include|import|from|macro|for|endfor|if"
    r"|endif|set)\b"
    # a theme's comments (`{{- /* ... */ -}}`, Jinja's `{# ... #}`): round 44, a Hugo theme's
    # `extend_head.html`, comments only, was a concept "extend_head"
    r"|\{\{-?\s*/\*|\{#)", re.MULTILINE)
# A line of a text file and whether it holds template tags and nothing else (`not_a_note`).
_TAG_LINE = re.compile(r"^[ \t]*((?:(?:\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\})[ \t]*)+)?(.*)$",
                       re.MULTILINE)


def _tags_only(m: re.Match[str]) -> str:
    """A line of template tags alone as it is; any other line blanked."""
    return m.group() if m.group(1) and not m.group(2).strip() else ""


_HTML_QUOTED = re.compile(r"<(pre|code|textarea|xmp)\b.*?(?:</\1\s*>|\Z)",
                          re.IGNORECASE | re.DOTALL)


def html_template_line(head: str, tags_alone: bool = False) -> int | None:
    """The line of the first template tag of an HTML file that two lines of Go or Jinja
    template tags, outside `<pre>` and `<code>`, show to be a layout; else None. With
    `tags_alone` (a text file) only lines of tags and nothing else count.

    >>> html_template_line('<html>\\n{{ partial "head.html" . }}\\n<b>{{ block "main" . }}')
    >>> html_template_line('<html>\\n  {{ partial "head.html" . }}\\n  {{ block "main" . }}')
    2
    >>> html_template_line('<pre>\\n{% extends "a.html" %}\\n{% block x %}\\n</pre>')
    """
    if "{{" not in head and "{%" not in head:
        return None
    shown = _TAG_LINE.sub(_tags_only, head) if tags_alone \
        else _HTML_QUOTED.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), head)
    tags = _HTML_TEMPLATE_TAG.finditer(shown)
    first = next(tags, None)
    if first is None or next(tags, None) is None:
        return None
    return shown.count("\n", 0, first.start()) + 1  # `shown` keeps the line ends


# The first element of an XML document, after its declaration, comments and DOCTYPE.
_XML_ROOT = re.compile(r"<([A-Za-z_][\w.:-]*)[\s/>]")


def by_name(name: str) -> Reader:
    """The reader called `name`; raises KeyError listing the known ones."""
    found = _BY_NAME.get(name)
    if found is None:
        raise KeyError(f"unknown format {name!r}; known: {', '.join(f.name for f in FORMATS)}")
    return found.reader()


def detect(path: str, head: str) -> Reader | None:
    """The reader for a file, from its extension and the start of its decoded text.

    None means the file is not a note (an image, an archive, an unknown extension). Of the
    readers, only the one chosen is imported, and those whose sniff is in their module.
    """
    ext = suffix_of(path).lower()
    if ext in _MARKDOWN_EXTENSIONS and sniffs.wikitext_outweighs_markdown(head):
        return by_name("mediawiki")  # wikitext saved as `.md`: the content outweighs its name
    candidates = _candidates(ext)
    for format in candidates:
        if format.matches(head, path):
            return format.reader()
    return candidates[-1].reader() if candidates else None


@lru_cache(maxsize=256)
def _candidates(ext: str) -> tuple[Format, ...]:
    """The formats whose sniff `detect` tries for a lower-case extension, in order."""
    if ext in GENERIC_EXTENSIONS:
        return FORMATS
    return tuple(f for f in FORMATS if ext in f.extensions)


def import_readers(extensions: Iterable[str]) -> None:
    """Import the readers these lower-case extensions name (a generic extension's, chosen by
    sniffing the file, is left to its read). A reader worker does so before its memory budget
    is set: imported under it, a reader's modules (compiled, when their bytecode was stale)
    counted against the first file's budget, and every file of a test's 8 MiB budget failed
    (round 51: the Markdown reader's imports take 4-5 MiB)."""
    for ext in set(extensions) - GENERIC_EXTENSIONS:
        for format in _candidates(ext):
            try:
                format.reader()
            except Exception:  # said as the failure of each file it reads
                continue


class StreamReader(Reader, Protocol):
    """A reader that can also read a file too large to hold whole, as a stream of documents."""

    def streams(self, head: str) -> bool:
        """Whether a file starting with `head` is one this reader streams."""
        ...

    def stream(self, file: BinaryIO, path: str) -> Iterator[Document]:
        """The file's documents, read from `file` in chunks, one at a time."""
        ...


# Formats whose readers stream files over the size cap (MediaWiki XML dumps, issue 11 item 12).
STREAMING: tuple[Format, ...] = (_BY_NAME["mediawiki"],)


def _streams_dump(head: str) -> bool:
    from grimoire.readers import mediawiki

    return mediawiki.streams(head)


def streaming_reader(path: str, head: bytes, forced: str | None = None) -> StreamReader | None:
    """The reader that streams this file (known by the start of its bytes), or None."""
    text = head.decode("utf-8", errors="replace")
    for format in STREAMING:
        if forced in (None, format.name):
            reader = cast(StreamReader, format.reader())
            if reader.streams(text):
                return reader
    return None


def read_file(format: str, data: bytes, path: str) -> list[Document]:
    """The documents of one file read by the reader called `format`, each findable by its
    title (`sections.add_page_entry`)."""
    return [_named(doc) for doc in by_name(format).read(data, path)]


def taken_from_others(data: bytes, path: str) -> bytes:
    """What reading the file `path` of bytes `data` takes from other files, for its hash
    (`ingest.check`): a LaTeX chapter's main file's macros (`latex.taken_from`), so that the
    chapter is read again when they change though its own bytes do not (read54), a Sphinx
    page's project's `rst_prolog` (read55), a Typst note's imported heading functions
    (read56); b"" for a file read on its own."""
    if suffix_of(path).lower() == ".typ":
        from grimoire.readers import typst

        return typst.taken_from(data, path)
    if suffix_of(path).lower() == ".rst":
        from grimoire.readers.rst import hashed_prolog

        return hashed_prolog(data, path).encode("utf-8", "surrogatepass")
    if suffix_of(path).lower() not in TEX_SOURCES:
        return b""
    from grimoire.readers import latex

    return latex.taken_from(data, path)


def stream_file(reader: StreamReader, file: BinaryIO, path: str) -> Iterator[Document]:
    """`read_file` for a file read as a stream (`StreamReader.stream`)."""
    for doc in reader.stream(file, path):
        yield _named(doc)


def _named(doc: Document) -> Document:
    from grimoire.readers.sections import add_page_entry, clean_names, drop_long_names

    if project_file(doc.path):
        return replace(doc, entries=())
    doc = _no_pages(_without_slots(_without_bidi(doc)))
    greeting = _GREETING.fullmatch(doc.title)
    if (_COLLECTION_TITLE.search(doc.title) or (_REPOSITORY_NAME.fullmatch(doc.title)
                                                and not _opens_with_title(doc))
            or (greeting and not (greeting[1] and _opens_with_title(doc, greeting[1])))) \
            and stem_of(doc.path).casefold() in _FRONT_PAGES:
        # "Deep Learning Notes", "Machine learning notes": a README titles the collection,
        # no concept in it (round 28: five public repositories' READMEs)
        own = [e for e in doc.entries if e.term != doc.title]
        return clean_names(drop_long_names(replace(doc, entries=tuple(own))))
    if _caption_readme(doc):
        return clean_names(drop_long_names(doc))
    return clean_names(drop_long_names(add_page_entry(doc)))


def _opens_with_title(doc: Document, name: str = "") -> bool:
    """Whether the text under `doc`'s title opens by naming it (or `name`, what a greeting
    title greets: "Welcome to Gridmetric" over "Gridmetric is ..."; review54a): "# k-means" over
    "k-means moves each centre ..." in a folder of one algorithm is a note about k-means, not a
    repository's front page titled by its name (review39b: "k-means", "t-sne" READMEs lost
    their concept)."""
    key = " ".join(_NAME_JOINS.split(name or doc.title)).casefold()
    for p in doc.passages:
        if p.text.strip().lstrip("#").strip().casefold() == doc.title.casefold():
            continue  # the title's own line
        text = " ".join(_NAME_JOINS.split(p.text[:len(key) + 40])).casefold().lstrip("# ")
        return text.startswith(key) and (len(text) == len(key) or not text[len(key)].isalnum())
    return False


_NAME_JOINS = re.compile(r"[-_.\s]+")


def _caption_readme(doc: Document) -> bool:
    """Whether `doc` is a README of one line and nothing else ("Images generated by the
    notebooks" in each of a book's 16 image folders, round 38): a caption of the folder it
    lies in, no page about a thing. A README with text under its title is a note."""
    if stem_of(doc.path).casefold() != "readme" or doc.entries or len(doc.passages) != 1:
        return False
    text = doc.passages[0].text.strip()
    return "\n" not in text and " ".join(text.lstrip("#").split()) == " ".join(doc.title.split())


# Links by name, which resolve may call "wanted" (a file link to no note is "dead" anyway; a
# label, an API or a web link is never wanted).
_NAMED_KINDS = frozenset({LinkKind.WIKILINK, LinkKind.BRACKET, LinkKind.SEE_ALSO,
                          LinkKind.CONTRAST, LinkKind.RELATED, LinkKind.REF})


def _no_pages(doc: Document) -> Document:
    """`doc` with its links by name that ask for no page marked (`Link.no_page`: `[[Source]]`,
    `[[See here]]`, `[[@smith2019]]`), here where every reader's documents pass, not in
    resolve (round 38; `resolve.view` applied it to every wanted-page list before)."""
    from grimoire.readers.conventions import no_page

    def mark(links: tuple[Link, ...]) -> tuple[Link, ...]:
        why = [no_page(x.target) if x.kind in _NAMED_KINDS else None for x in links]
        if not any(why):
            return links
        return tuple(replace(x, no_page=w) if w else x for x, w in zip(links, why, strict=True))

    links = [*(x for p in doc.passages for x in p.links),
             *(x for e in doc.entries for x in (*e.links, *e.see_also))]
    if not any(x.kind in _NAMED_KINDS and no_page(x.target) for x in links):
        return doc
    return replace(
        doc, passages=tuple(replace(p, links=mark(p.links)) for p in doc.passages),
        entries=tuple(replace(e, links=mark(e.links), see_also=mark(e.see_also))
                      for e in doc.entries))


def _unfilled(link: Link) -> bool:
    return "{{" in link.target or "{%" in link.target


# Bidi embeddings, overrides (U+202A-202E) and isolates (U+2066-2069): in a name or a heading
# they turn the rest of a title around wherever it is drawn (round 37: a heading's U+202E read
# "Evil eltiT" on its web page and in the site). Names and headings are read without them, at
# this one place for every reader; a note's text keeps them (the terminal shows them escaped).
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def _without_bidi(doc: Document) -> Document:
    """`doc` with no bidi control in its title, its entries' names and its headings."""
    def bare(text: str) -> str:
        return " ".join(_BIDI.sub("", text).split()) if _BIDI.search(text) else text

    def heads(path: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(bare(h) for h in path)

    names = "\n".join((doc.title, *(e.term for e in doc.entries),
                       *(a for e in doc.entries for a in e.aliases),
                       *(h for p in doc.passages for h in p.heading_path)))
    if not _BIDI.search(names):
        return doc
    return replace(
        doc, title=bare(doc.title),
        entries=tuple(replace(e, term=bare(e.term), aliases=tuple(bare(a) for a in e.aliases))
                      for e in doc.entries),
        passages=tuple(replace(p, heading_path=heads(p.heading_path)) for p in doc.passages))


def _without_slots(doc: Document) -> Document:
    """`doc` without the links whose address is a template's unfilled slot (`{{ post.url }}`,
    `{{folderitem.url | remove: "/"}}`: a static site's Liquid loop over its pages, read from
    an index page or a config's text; round 34): no page anyone would write, never a dead
    link."""
    if not any(_unfilled(x) for p in doc.passages for x in p.links) \
            and not any(_unfilled(x) for e in doc.entries for x in e.links):
        return doc
    return replace(
        doc,
        passages=tuple(replace(p, links=tuple(x for x in p.links if not _unfilled(x)))
                       if any(_unfilled(x) for x in p.links) else p for p in doc.passages),
        entries=tuple(replace(e, links=tuple(x for x in e.links if not _unfilled(x)))
                      if any(_unfilled(x) for x in e.links) else e for e in doc.entries))


# ... and "Machine Learning Notes by <author>" (round 30: a Sphinx site's README and index);
# a front page titled by what its pages are, "The seed documents", "Machine Learning
# Glossary" (round 45: ../shared's seeds README and the Sphinx cheat sheet's `index.rst`), but
# not a topic's ("Ranking documents", a page bundle's "TF-IDF: weighting words across
# documents", "Building a glossary": review45a).
_COLLECTION_TITLE = re.compile(r"\bnotes(?:\s+(?:by|from)\s+\w[\w.' -]{0,40})?\W*$"
                               r"|^the\s+(?:[\w-]+\s+){0,3}documents\W*$"
                               r"|^(?:[\w-]+\s+){0,4}(?<!\ba )(?<!\ban )glossary\W*$",
                               re.IGNORECASE)
# A front page that greets its reader ("Welcome to Slidev!", a deck template's README;
# "Willkommen zum Modul ...", a course site's `index.qmd`; read54): the repository's or the
# site's door, no concept. A note greeting its subject stays ("Welcome to Kubernetes" in
# `k8s.md`, review42d), so does a front page whose text opens by naming what it greets
# ("Welcome to Gridmetric" over "Gridmetric is a library ...": a library's README), and a
# name that starts with the word ("Welcome-cone sampling"; review54a). Group 1: what is greeted.
_GREETING = re.compile(r"(?:welcome|willkommen|bienvenue|bienvenid[oa]s?|benvenut[oi])(?![\w-])"
                       r"(?:\s+(?:to|zu[mr]?|à|au|a|al)\s+(.+?))?\W*", re.IGNORECASE)
_FRONT_PAGES = frozenset({"readme", "index", "_index", "home"})
# ... or by the repository's own name, as GitHub spells it ("# zettelkasten-content", "#
# ml_notes"; round 39): a name of words joined by hyphens or underscores, in lower case.
_REPOSITORY_NAME = re.compile(r"[a-z0-9]+(?:[-_.][a-z0-9]+)+")


# What a repository says about itself, under the names GitHub gives such files: how to
# contribute, its code of conduct, its changes, how to report a hole. Searchable, but they
# name no concept: a public repository's CONTRIBUTING.md gave "Contribution guidelines",
# "Pull requests" and "Design Documents". A note named in lower case (`security.md` on a
# container's security) is a note.
_PROJECT_FILES = frozenset({
    "CONTRIBUTING", "CODE_OF_CONDUCT", "CHANGELOG", "CHANGES", "SECURITY", "AUTHORS",
    "CONTRIBUTORS", "MAINTAINERS", "SUPPORT", "GOVERNANCE", "PULL_REQUEST_TEMPLATE",
    "ISSUE_TEMPLATE",
})
# What a repository tells coding assistants (round 29: "AGENT", "Repository Guidelines"),
# only as these tools name the file: `Agents.md` is a note on agents. So too a list of the
# licenses of a site's pieces (round 48, qa48: a Jekyll glossary's DEPENDENCIES.md), where
# `Dependencies.md` is a note on a project's packages (review48b: it was left unread).
_ASSISTANT_FILES = frozenset({"AGENTS", "AGENT", "CLAUDE", "GEMINI", "DEPENDENCIES"})


def project_file(path: str) -> bool:
    """Whether `path` is a repository's file about the project (`CONTRIBUTING.md`,
    `CODE_OF_CONDUCT.rst`, `Changelog.md`), not a note.

    >>> project_file("repo/CONTRIBUTING.md"), project_file("Changelog.md")
    (True, True)
    >>> project_file("docker/security.md"), project_file("notes/Contributing factors.md")
    (False, False)
    >>> project_file("AGENTS.md"), project_file("LLMs/Agents.md")
    (True, False)
    >>> project_file("repo/DEPENDENCIES.md"), project_file("build/Dependencies.md")
    (True, False)
    """
    stem = stem_of(path)
    return (not stem.islower() and stem.upper().replace("-", "_") in _PROJECT_FILES) \
        or stem in _ASSISTANT_FILES


def sniff_head(data: bytes, path: str) -> str:
    """The decoded start of a file, for `detect`.

    The cut may fall inside a UTF-16 character (an emoji's surrogate pair): then the head
    ends one code unit sooner, as the whole file decodes it."""
    head = data[:SNIFF_BYTES]
    try:
        return decode(head, path)
    except ReadError:
        if len(data) <= SNIFF_BYTES:
            raise
        return decode(head[:-2], path)


# A plotting library's PDF writer, as it names itself in the /Info dictionary: matplotlib
# (`/Producer (matplotlib pdf backend 3.8.0)`), R's pdf() device, gnuplot, MATLAB.
_PLOT_PRODUCER = re.compile(
    rb"/(?:Producer|Creator)\s*\((?:matplotlib|Matplotlib|R \d|R Graphics|gnuplot|MATLAB)")
FIGURE_REASON = ("a figure a plotting library drew (matplotlib, R, gnuplot, MATLAB), saved as "
                 "a PDF for a document to include: an image, not a note (--format reads it)")


# The file's own /Info, as its trailer (or its cross-reference stream) names it.
_INFO_REF = re.compile(rb"/Info\s+(\d{1,10})\s+(\d{1,5})\s+R")


def drawn_figure(data: bytes) -> bool:
    """Whether the PDF `data` says a plotting library made it: a plot saved for a deck or a
    paper to include (round 53, qa53: a course's Beamer decks kept 100 frames of an animation
    as `img/boosting/gif/000.pdf` ..., each read as a page: "Iteration: 0000" and 99 more).

    Only the file's own /Info counts, the object its trailer names: pdfTeX copies the /Info
    of every PDF figure it includes (`/PTEX.InfoDict`), so a deck or a paper with a plot
    holds "/Producer (matplotlib ...)" too (review53c: the course's `naive_bayes.pdf`, four
    times; a short handout was skipped as a figure). That object lies near the end of such a
    file (matplotlib) or at its start (R's pdf())."""
    head, tail = data[: 1 << 14], data[max(0, len(data) - (1 << 14)):]
    refs = list(_INFO_REF.finditer(tail)) or list(_INFO_REF.finditer(head))
    if not refs:
        return False
    number, generation = refs[-1].groups()
    opening = re.compile(rb"(?<![0-9])" + number + rb"\s+" + generation + rb"\s+obj\b")
    for part in (tail, head):
        if (found := opening.search(part)) is not None:
            end = part.find(b"endobj", found.end())
            return _PLOT_PRODUCER.search(part[found.end() : end if end >= 0 else None]) \
                is not None
    return False


INCLUDED_REASON = ("a figure a LaTeX document near it includes (\\includegraphics), or an "
                   "Inkscape drawing beside its .pdf_tex: an image, not a note (--format "
                   "reads it)")
# `\includegraphics[width=...]{pics/hyperplane}`, `\includegraphics{hyperplane.pdf}`
_INCLUDES_GRAPHICS = re.compile(r"\\includegraphics\*?\s*(?:\[[^\]\n]*\])?\s*\{([^{}\n]{1,300})\}")
_FIGURE_UP = 2  # the folders above a PDF whose LaTeX documents are asked whether they show it
_FIGURE_TEX = 40  # the `.tex` files of a folder read for that, at most
_FIGURE_TEX_BYTES = 1 << 20


_GRAPHICS_PATH = re.compile(r"\\graphicspath\s*\{((?:\s*\{[^{}\n]{0,300}\})*)\s*\}")
_GRAPHICS_DIR = re.compile(r"\{([^{}\n]{0,300})\}")


def _figure_path(name: str) -> str:
    """An included figure's path as written, its slashes forward, no `./`, no `.pdf`."""
    name = name.strip().replace("\\", "/")
    while name.startswith("./"):
        name = name[2:]
    return name[:-4] if name.casefold().endswith(".pdf") else name


@lru_cache(maxsize=256)
def _graphics_of(tex: str, mtime: int, size: int) -> tuple[frozenset[str], tuple[str, ...]]:
    """The figures the LaTeX document `tex` includes (`pics/hyperplane.pdf` and
    `pics/hyperplane` both "pics/hyperplane"), and the folders its `\\graphicspath` names,
    while its mtime and size stay."""
    try:
        text = decode(_regular_bytes(tex, _FIGURE_TEX_BYTES), tex)
    except (OSError, ReadError):
        return frozenset(), ()
    names = frozenset(_figure_path(m.group(1)) for m in _INCLUDES_GRAPHICS.finditer(text))
    folders = tuple(_figure_path(d).rstrip("/") for m in _GRAPHICS_PATH.finditer(text)
                    for d in _GRAPHICS_DIR.findall(m.group(1)))
    return names, folders


@lru_cache(maxsize=64)
def _folder_texs(folder: str, mtime: int) -> tuple[str, ...]:
    """The LaTeX documents of `folder` (`_FIGURE_TEX` at most), while its mtime stays: listed
    once, not once a PDF (review56a: a folder of 3,000 papers was listed 9,000 times, 13 s)."""
    try:
        with os.scandir(folder) as found:
            texs = sorted(e.path for e in found if e.name.casefold().endswith(TEX_SOURCES))
    except OSError:
        return ()
    return tuple(texs[:_FIGURE_TEX])


@lru_cache(maxsize=64)
def _folder_figures(
        texs: tuple[tuple[str, int, int], ...]) -> tuple[frozenset[str], frozenset[str]]:
    """The figures the LaTeX documents `texs` (path, mtime, size) of a folder include, by their
    paths from it (`pics/hyperplane`, and from each `\\graphicspath` folder of any of them: a
    book's main file names it, its chapters beside it include the figures), and the paths
    of folders a chapter names them by from its book's main folder, matched by their tail."""
    names: set[str] = set()
    folders: set[str] = set()
    for tex, mtime, size in texs:
        named, within = _graphics_of(tex, mtime, size)
        names.update(named)
        folders.update(within)  # a main file's, for the chapters beside it
    exact = names | {os.path.normpath(f"{folder}/{name}")
                     for folder in folders if folder for name in names}
    tails = {name for name in names if "/" in name and ".." not in name.split("/")}
    return frozenset(exact), frozenset(tails)


@lru_cache(maxsize=8)
def _lists_tex(names: frozenset[str]) -> bool:
    """Whether a folder's case-folded names (`folder_names`) hold a LaTeX document's: once a
    listing, not once a PDF of it."""
    return any(n.endswith(TEX_SOURCES) for n in names)


def _includes(folder: str, relative: str) -> bool:
    """Whether a LaTeX document of `folder` includes the figure at `relative` (its path from
    the folder, no `.pdf`): by that path, from a folder its `\\graphicspath` names, or by a
    path of folders its tail (a chapter's figure named from its book's main folder). A figure
    of the same name elsewhere is not it (review56a: `\\includegraphics{figs/attention}`
    skipped the paper `papers/attention.pdf` beside it)."""
    try:
        texs = _folder_texs(folder, os.stat(folder).st_mtime_ns)  # noqa: PTH116
    except OSError:
        return False
    if not texs:
        return False
    stats = []
    for tex in texs:
        try:
            info = os.stat(tex)  # noqa: PTH116
        except OSError:
            continue
        stats.append((tex, info.st_mtime_ns, info.st_size))
    exact, tails = _folder_figures(tuple(stats))
    if relative in exact:
        return True
    parts = relative.split("/")
    return any("/".join(parts[k:]) in tails for k in range(1, len(parts) - 1))


def included_figure(path: str, beside: Container[str] | None = None) -> bool:
    """Whether the PDF at `path` (on disk) is a figure: a `.tex` file in its folder or up to
    `_FIGURE_UP` above includes it (`\\includegraphics{pics/hyperplane}`, `_includes`), or an
    Inkscape export `x.pdf_tex` lies beside it (read56: a course's decks kept 100 drawings in
    `pics/`, eight of them entries named by a label of the drawing: "x[n]", "Input",
    "PowerPoint Presentation").

    `beside`, when given, holds the case-folded names of the files in `path`'s folder
    (`built_copy`'s): an `x.pdf_tex` it does not name is not looked for on disk, and a folder
    it names no LaTeX document in is not listed again."""
    folder, _, name = path.replace("\\", "/").rpartition("/")
    if _listed_file(path + "_tex", name + "_tex", beside):  # `x.pdf_tex`
        return True
    relative = name[:-4] if name.casefold().endswith(".pdf") else name
    for level in range(_FIGURE_UP + 1):
        if not folder:
            return False
        if (level or not isinstance(beside, frozenset) or _lists_tex(beside)) \
                and _includes(folder, relative):
            return True
        up, _, step = folder.rpartition("/")
        if not up or up == folder:
            return False
        folder, relative = up, step + "/" + relative
    return False


def binary_reader(path: str, data: bytes) -> Reader | None:
    """The reader of a format that is binary by design (PDF), when the file is one of it.

    Such a reader has `binary = True`; its `sniff` sees the head as Latin-1, byte for byte.
    """
    ext = suffix_of(path).lower()
    for format in _BINARY:
        if ext in format.extensions:
            reader = format.reader()
            if reader.sniff(data[:SNIFF_BYTES].decode("latin-1"), path):
                return reader
    return None


__all__ = [
    "FIGURE_REASON",
    "FORMATS",
    "GENERIC_EXTENSIONS",
    "INCLUDED_REASON",
    "LFS_REASON",
    "READERS",
    "SCRIPT_REASON",
    "STREAMING",
    "TOOL_REASON",
    "Format",
    "ReadOptions",
    "Reader",
    "StreamReader",
    "binary_reader",
    "by_name",
    "detect",
    "html_template_line",
    "metadata_file",
    "not_a_note",
    "read_file",
    "sniff_head",
    "stream_file",
    "streaming_reader",
    "template_line",
    "tool_file",
]
