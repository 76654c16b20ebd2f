"""Resolve each link to a concept, by any of its names, or record it as wanted.

A link to an alias is a link to the concept, so backlinks and broken-link detection agree.
Links out to the web, and code references into API documentation that the notes do not
define, are "external"; a link to a heading of its own page is "section"
(the letter index of a glossary, `[[#Heading]]`); a name that two concepts claim equally
(`LDA`) is "ambiguous" unless the linking page itself defines one of them. A file link
(`[x](path.md)`) that leads to no note is "dead" (a path to fix, as lint says), or
"elsewhere" when its folder holds none of the notes (the page is in a part of the site the
notes were copied from: `NoteFolders`); only a name nobody defines is "wanted" (a page to
write). Every face reads these statuses from the store: lint, show, the web, MCP, exports.
"""

from __future__ import annotations

import posixpath
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Container, Iterable, Mapping
from urllib.parse import unquote

from grimoire.days import is_date_title
from grimoire.names import NOTION_ID, normalize, term_names
from grimoire.resolve.addresses import AddressTable
from grimoire.resolve.labels import LabelTable
from grimoire.resolve.merge import operators
from grimoire.resolve.types import (
    ConceptRecord,
    HeadingRow,
    LinkRow,
    LinkTarget,
    SectionRecord,
)

# `[ChatGPT](chat.openai.com/)`, `(www.kaggle.com)`: a web address written without its
# scheme is a path next to the note to a browser, and to GitHub: a dead link to fix (lint says
# to add the scheme), also when its "folder" (the host) holds no note.
BARE_HOST = re.compile(
    r"^(?:www\.)?(?:[a-z0-9-]+\.)+(?:com|org|net|io|ai|dev|edu|gov|co|me|app|info)(?:[/:?#]|$)",
    re.IGNORECASE)

_SCHEME = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|www\.|//)")
_INDEX_STEM = re.compile(r"^(?:index|_index|readme)\.[a-z]+$", re.IGNORECASE)
_NOTE_EXT = re.compile(r"\.(?:md|markdown|mdx|txt|rst|html?|wiki|mediawiki)$", re.IGNORECASE)


class NoteFolders:
    """The folders the ingested files are in (each with its parents), to tell a file link into
    a folder of the notes (a dead link when no note answers) from one into a part of the site
    that is not here ("elsewhere": `../developer_guides/checkpoint` from a copy of a few PEFT
    pages, `/machine-learning/practica/...` in an export of Google's glossary; round 23's
    audit: 42 of 43 drawn dead links of the vault and hf-docs)."""

    def __init__(self, paths: Iterable[str]) -> None:
        self._paths: Iterable[str] | None = paths
        self._folders: set[str] = set()
        self._tails: set[str] = set()

    @property
    def folders(self) -> set[str]:
        """Built on first use: most resolves meet no file link to a missing note (an
        incremental one after an edit, 10 ms of 10k paths)."""
        if self._paths is not None:
            self._build(self._paths)
            self._paths = None
        return self._folders

    @property
    def tails(self) -> set[str]:
        self.folders  # noqa: B018 (built with the folders)
        return self._tails

    def _build(self, paths: Iterable[str]) -> None:
        self._folders = set()
        for path in paths:
            folder = posixpath.dirname(path)
            while folder not in self._folders:
                self._folders.add(folder)
                parent = posixpath.dirname(folder)
                if parent == folder:
                    break
                folder = parent
        # A site-absolute address (`/terms/zero-pad/`) names its folder from the site's root,
        # which may be the ingested folder or one inside it: any folder ending so matches.
        self._tails = set()
        for folder in self._folders:
            parts = folder.strip("/").split("/")
            self._tails.update("/".join(parts[k:]) for k in range(len(parts)))

    def outside(self, address: str, path: str) -> bool:
        """True when `address`, written in the file `path`, leads into a folder that holds
        none of the notes."""
        if not address or not self.folders:
            return False
        # Org writes a file link `file:../deployment/kafka.org` (its `::*Heading` a search).
        address = unquote(address.removeprefix("file:").partition("::")[0]
                          .partition("#")[0].partition("?")[0]).rstrip("/")
        folder = posixpath.dirname(address)
        if not folder or folder == "/":
            return False
        if address.startswith("/"):
            return posixpath.normpath(folder).strip("/") not in self.tails
        here = posixpath.dirname(path)
        return posixpath.normpath(posixpath.join(here, folder)) not in self.folders

    def leads_elsewhere(self, link: LinkRow) -> bool:
        """Whether a file link that finds no note leads outside the notes: into a folder that
        holds none of them, and not a web address written without its scheme (a mistake to
        fix). Else it is a dead link."""
        written = link.href or link.target
        return (link.kind in FILE_LINKS and self.outside(written, link.path)
                and not BARE_HOST.match(unquote(written)))


class NameIndex:
    """Normalised name -> the concepts that claim it, at the strongest claim's strength."""

    def __init__(self, concepts: list[ConceptRecord]) -> None:
        self.best: dict[str, tuple[int, list[int]]] = {}
        # the operators a concept's names of one key write (`C++` and `C#` share "c")
        self.written: dict[tuple[str, int], set[tuple[str, ...]]] = defaultdict(set)
        for i, c in enumerate(concepts):
            for n in c.names:
                if ops := operators(n.name):
                    self.written[n.norm, i].add(ops)
                top = self.best.get(n.norm)
                if top is None or n.strength > top[0]:
                    self.best[n.norm] = (n.strength, [i])
                elif n.strength == top[0] and i not in top[1]:
                    top[1].append(i)

    def lookup(self, norm: str, prefer: Container[int] | None = None, min_strength: int = 1,
               written: str = "") -> tuple[str, int | None]:
        """("resolved", concept), ("ambiguous", None) or ("missing", None).

        `written` (the name as the link writes it) breaks a tie by its operators (`[[C++]]`
        means "C++", not "C#"); then `prefer` (the linking page's own concepts); it is only
        asked when there is one, so incremental resolve can pass a page it has not read yet.
        """
        found = self.best.get(norm)
        if found is None or found[0] < min_strength:
            return "missing", None
        concepts = found[1]
        if len(concepts) > 1 and written:
            ops = operators(written)
            same = [c for c in concepts if ops in self.written.get((norm, c), {()})]
            concepts = same or concepts
        if len(concepts) == 1:
            return "resolved", concepts[0]
        if prefer is not None:
            mine = [c for c in concepts if c in prefer]
            if len(mine) == 1:
                return "resolved", mine[0]
        return "ambiguous", None


def attach_sections(
    concepts: list[ConceptRecord], headings: list[HeadingRow], index: NameIndex,
    concept_docs: Mapping[int, Container[int]],
) -> None:
    """A heading that states a concept's name makes that page section a source for it.

    Only a name a source states (strength 2 or 3), claimed by one concept, and only on a page
    with no entry of that concept: a rendered wiki page's "Mechanistic Interpretability"
    section joins the glossary's `MI`; a heading never creates a concept by itself.
    Nor a section whose text is all part of another entry that began above its heading
    (`HeadingRow.inside`): it says what that entry's term is or does in the heading's setting
    ("## Neural networks" of the page "Zero padding": zero padding in neural networks, not
    what a neural network is; "### Model" under "## Autoencoder").
    """
    spans: dict[tuple[int, tuple[str, ...]], list[int]] = {}
    # The entries that hold each heading's text and its subsections' (None: not one entry);
    # only a heading with text of its own under it is told so (`HeadingRow.inside` compares
    # with its own first line: an entry may begin at a subheading).
    inside: dict[tuple[int, tuple[str, ...]], set[int | None]] = defaultdict(set)
    for h in headings:
        inside[(h.document_id, h.heading_path)].add(h.inside)
    for h in headings:
        for depth in range(1, len(h.heading_path) + 1):
            key = (h.document_id, h.heading_path[:depth])
            if depth < len(h.heading_path) and key in inside:
                inside[key].add(h.inside)
            span = spans.get(key)
            if span is None:
                spans[key] = [h.start_line, h.end_line]
            else:
                span[0] = min(span[0], h.start_line)
                span[1] = max(span[1], h.end_line)
    for (doc, path), (start, end) in sorted(spans.items(), key=lambda kv: (kv[0][0], kv[1][0])):
        if len(held := inside.get((doc, path), {None})) == 1 and None not in held:
            continue  # a part of another term's entry
        status, concept = index.lookup(normalize(path[-1]), min_strength=2)
        if status != "resolved" or concept is None or concept in concept_docs.get(doc, ()):
            continue
        if any(s.document_id == doc and s.start_line <= start and end <= s.end_line
               for s in concepts[concept].sections):
            continue
        concepts[concept].sections.append(SectionRecord(doc, path[-1], start, end))


def heading_names(headings: Iterable[HeadingRow]) -> dict[int, set[str]]:
    """document id -> the normalised names of its headings (a link to one is a "section")."""
    out: dict[int, set[str]] = defaultdict(set)
    for h in headings:
        out[h.document_id].update(normalize(p) for p in h.heading_path)
    return out


def resolve_links(
    links: list[LinkRow], concepts: list[ConceptRecord], index: NameIndex,
    entry_concept: Mapping[int, int], own_headings: Mapping[int, Container[str]],
    documents: Mapping[str, int], doc_first: Mapping[int, int],
    doc_concepts: Mapping[int, Container[int]], note_folders: NoteFolders | None = None,
    labels: LabelTable | None = None, addresses: AddressTable | None = None,
) -> list[LinkTarget]:
    """Where every link leads, and which concept it leaves from.

    `own_headings` holds each document's heading names (`heading_names`); `doc_first` maps a
    document to the concept of its first entry (the target of a link to that file);
    `doc_concepts` the concepts each document defines (preferred when ambiguous);
    `note_folders` the folders of every ingested file (else those of `documents`);
    `labels` the labels of every file, for a reference to another file's (`resolve.labels`);
    `addresses` the addresses pages are published at (`resolve.addresses`).
    """
    if note_folders is None:
        note_folders = NoteFolders(documents)
    # Sections of one span (a heading whose only text is its sub-heading's) are told apart by
    # their concept's key, not by the concepts' order, which an incremental resolve does not
    # keep: the link then leaves from the same concept whichever way the store was resolved.
    section_starts: dict[int, list[tuple[int, int, str, int]]] = defaultdict(list)
    for i, c in enumerate(concepts):
        for s in c.sections:
            section_starts[s.document_id].append((s.start_line, s.end_line, c.key, i))
    for spans in section_starts.values():
        spans.sort()
    # A link to a note that defines no concept (a blog post, a page) is a good link, not a
    # wanted page: the reader keeps only the linked file's name, so match on that.
    file_names = {posixpath.basename(p) for p in documents}
    note_names = {link_key(name)[1] for name in file_names}
    # ... and by its name without the extension a reader keeps no link's name from: a
    # notebook's `[part 1](#section1)` to its own anchor is `exercise1` (round 29: 96 dead
    # links in a course's notebooks).
    note_names |= {normalize(posixpath.splitext(name)[0]) for name in file_names}
    # A folder's index page answers to the folder's name (`other/index.md` is `other/`).
    note_names |= {link_key(posixpath.basename(posixpath.dirname(p)))[1] for p in documents
                   if _INDEX_STEM.match(posixpath.basename(p))}
    note_names.discard("")
    # The folders that hold notes, also as every tail of their path: a site generator lists a
    # folder at its address (Hugo's `/posts/`), a page that no file is.
    folders = {posixpath.dirname(p) for p in documents}
    # ... and the folders above them: `/posts/` lists `posts/daily/` and `posts/concepts/`
    # (round 35: a Quarto site's 404 page linked there).
    # Not above the folder all the notes share: that holds no page of theirs.
    top = posixpath.commonpath(folders) if len(folders) > 1 and len(
        {f.startswith("/") for f in folders}) == 1 else None
    for folder in list(folders) if top is not None else ():
        while top is not None and len(folder := posixpath.dirname(folder)) >= len(top) \
                and folder not in folders:
            folders.add(folder)
    folder_tails = {"/".join(parts[k:]) for f in folders
                    for parts in [f.strip("/").split("/")] for k in range(len(parts))}
    # A Zettelkasten links a note by the id its file name opens with: `[[202303051215]]` is
    # `202303051215 Dropout.md` (Foam, Zettlr, The Archive; org-roam's `20230305121500-x.org`).
    zettel_ids: dict[str, int] = {}
    for p, doc in documents.items():
        m = ZETTEL_FILE.match(posixpath.basename(p))
        if m is not None:
            zettel_ids.setdefault(m.group(1), doc)
    # Obsidian finds `[[cosine-annealing]]` by that file name in any folder of the vault:
    # the note it names, when a name two notes share leaves the link ambiguous (qa47: two
    # notes listing the alias "cosine annealing", one of them cosine-annealing.md).
    by_stem: dict[str, list[int]] = defaultdict(list)
    for p, doc in documents.items():
        by_stem[posixpath.splitext(posixpath.basename(p))[0].casefold()].append(doc)
    out: list[LinkTarget] = []
    for link in links:
        source = entry_concept.get(link.entry_id) if link.entry_id is not None else None
        if source is None:
            source = _section_at(section_starts.get(link.document_id), link.line)
        target = link.target.strip()
        if link.kind == "url" or _SCHEME.match(target):
            out.append(LinkTarget(link.id, "external", None, source, target, ""))
            continue
        name, norm = link_key(target)
        if not norm:
            out.append(LinkTarget(link.id, "section", None, source, target, ""))
            continue
        # The address as written: a reader keeps the name of `[x](appendix/derivation.md)`
        # ("derivation") as the target and the address beside it (`LinkRow.href`), by which
        # the link finds the note's concept when its name alone does not (round 36:
        # `appendix/derivation.md` was "document" while that note defined "Dropout
        # Derivation"), and tells whether its folder holds notes.
        address = link.href or target
        if address.startswith("#") and link.fragment and link.kind in FILE_LINKS:
            anchored = _own_anchor(link, index, own_headings, doc_concepts)
            if anchored is not None:
                out.append(LinkTarget(link.id, "resolved", anchored, source, name, norm))
                continue
        by_path = _by_path(link, target, documents, doc_first, file_names)
        if by_path is None and address != target and not address.startswith("#"):
            by_path = _by_path(link, address, documents, doc_first, file_names)
        if by_path is not None:
            out.append(LinkTarget(link.id, "resolved", by_path, source, name, norm))
            continue
        if addresses is not None and link.kind in FILE_LINKS and (
                published := addresses.resolve(link, address, doc_first)):
            out.append(LinkTarget(link.id, published[0], published[1], source, name, norm))
            continue
        status, concept = index.lookup(norm, doc_concepts.get(link.document_id), written=name)
        if labels is not None and (hit := labels.resolve(link, index, doc_concepts, doc_first)):
            status, concept = hit  # a label another file defines (`resolve.labels`)
        if status == "ambiguous" and link.kind == "wikilink" and len(
                docs := by_stem.get(target.casefold(), [])) == 1 and docs[0] in doc_first:
            status, concept = "resolved", doc_first[docs[0]]
        if status == "missing":
            status, concept = _by_stated_names(name, index, doc_concepts.get(link.document_id))
        if status == "missing" and norm in own_headings.get(link.document_id, ()):
            status = "section"
        if status == "missing" and link.kind == "label":
            # A reference to a label (`:ref:`sec_dropout``) points at a labelled section or
            # equation, never at a page; a label of another file is found by its words
            # (`sec_dropout` -> "dropout") or, failing that, stays a reference to a section.
            status, concept = index.lookup(normalize(_label_words(name)),
                                           doc_concepts.get(link.document_id))
            if status == "missing":
                status = "section"
        if status == "missing" and link.kind == "api":
            # A code reference ([`BertModel`], [`~Trainer.train`]) points into a library's API
            # documentation: it resolves to a concept of its name or its class when the notes
            # define one (a `## DPOTrainer` section), and is otherwise external, never wanted.
            owner = name.partition(".")[0]
            if owner != name:
                status, concept = index.lookup(normalize(owner), doc_concepts.get(link.document_id))
            if status == "missing":
                status = "external"
        if status == "missing" and link.fragment and link.kind in FILE_LINKS:
            # A link into a page the notes do not hold (`/glossary#word-embedding`) names
            # its section by the anchor: the anchor's words find the concept the notes define.
            status, concept = index.lookup(normalize(_label_words(link.fragment)),
                                           doc_concepts.get(link.document_id))
        if status == "missing" and norm in zettel_ids:
            doc = zettel_ids[norm]
            status, concept = ("resolved", doc_first[doc]) if doc in doc_first else (
                "document", None)
        if status == "missing" and (_ATTACHMENT.search(name) or (
                link.kind in FILE_LINKS and _PROJECT_FILE.fullmatch(name))):
            # `[[draws/2022-04-04.excalidraw]]`, `[[paper.pdf]]`: a file beside the notes (a
            # drawing, a PDF), which no one writes up as a concept.
            status = "document"
        if status == "missing" and is_date_title(name):
            # A link to a day (`[[Mar 5th, 2023]]`) leads to a journal page, which Logseq
            # and Obsidian make on demand: a day names no concept for anyone to write up.
            status = "document"
        if status == "missing" and link.exists_hint is True and link.kind == "wikilink":
            # A link its reader knows leads to a note (org-roam's `[[id:...][label]]`), under
            # a label that is not the note's name ("Zettelkasten" for "The Zettelkasten
            # Method"): a page that exists, not one to write.
            status = "document"
        if status == "missing" and link.kind in FILE_LINKS and _listed_folder(
                address, link.path, folders, folder_tails):
            status = "document"
        if status == "missing" and norm in note_names:
            # A note that exists is a page, whatever kind of link names it (issue 10, 7).
            status = "document"
        if status == "missing" and link.no_page:
            # `[[Source]]`, `[[See here]]`, `[[@smith2019]]` to no note (its reader marked it:
            # `Link.no_page`): a part of a page, "here" or a citation, never a page anyone
            # would write; a dead link, as lint reports it (round 38: stored "wanted", and
            # left out of the wanted pages only by each face's rule).
            status = "dead"
        if status == "missing" and link.kind in FILE_LINKS:
            # A file link to no note: a path to fix, or a page of a part of the site that is
            # not here; never a page to write (`grimoire show` listed `[x](missing.md)` as
            # wanted while lint called it a dead link; round 35).
            status = "elsewhere" if note_folders.leads_elsewhere(link) else "dead"
        out.append(LinkTarget(link.id, "wanted" if status == "missing" else status, concept,
                              source, name, norm))
    return out


# Where a relative link to a page can lead: the file as written, with a note extension, or
# the index of a folder (Jekyll and Hugo "pretty URLs": `../other/` is `other/index.md`).
_PAGE_FILES = ("", ".md", ".markdown", ".rst", ".html", "/index.md", "/index.markdown",
               "/_index.md", "/README.md", "/index.rst", "/index.html")


# A file's extension at the end of a link's name: a drawing, a document, media, and (round
# 28: a research vault linked `[[afl-compiler-rt.o.c]]` beside its notes) code, data, a
# model's weights. Not `.js`: "Node.js" and "D3.js" are names. An Obsidian Bases view
# (`![[Unit Preview.base]]`, a table of notes kept as YAML; round 49, qa49: a course vault's
# hubs embedded two, six dead links in lint).
_ATTACHMENT = re.compile(
    r"\.(?:excalidraw|canvas|base|drawio|pdf|png|jpe?g|gif|svg|webp|bmp|tiff?|avif|mp4|webm|mov"
    r"|mp3|wav|ogg|m4a|zip|gz|tgz|csv|tsv|xlsx?|docx?|pptx?|epub"
    r"|py|ipynb|c|h|cc|cpp|hpp|rs|java|sh|json|jsonl|ya?ml|toml|tex|bib|sql|txt"
    r"|onnx|pt|pth|ckpt|safetensors|h5|pkl|npy|npz|parquet)$", re.IGNORECASE)
# A project's own file by its fixed name, with no extension: a build or a container's recipe,
# its licence (round 43: a course's README linked `./Dockerfile`, `LICENSE`; lint listed each
# as a dead link, though the file was there, as an image or a script beside the notes is).
_PROJECT_FILE = re.compile(
    r"(?:Dockerfile|Containerfile|Makefile|GNUmakefile|Procfile|Vagrantfile|Gemfile|Jenkinsfile"
    r"|Pipfile|LICEN[CS]E|COPYING|NOTICE|CODEOWNERS)(?:\.txt)?")
ZETTEL_FILE = re.compile(r"(\d{12,14})(?:[ _-]|\.[A-Za-z]+$)")

_LABEL_PREFIX = re.compile(r"^(?:sec|subsec|chap|chapter|fig|eq|eqn|tab|table|lst|app|def)[_:-]",
                           re.IGNORECASE)


# Links that name a file: one that leads nowhere is a dead link (a path to fix), not a
# wanted page (a concept nobody wrote up): `[guide](dataset_formats)` wants no concept.
FILE_LINKS = frozenset(["markdown", "doc", "embed"])


def _label_words(label: str) -> str:
    """The words of a label: `sec_dropout` -> "dropout", `activation-elu` -> "activation elu"."""
    return _LABEL_PREFIX.sub("", label).replace("_", " ").replace("-", " ")


def link_key(target: str) -> tuple[str, str]:
    """The name a link target stands for, and its lookup key.

    `notes/Low-Rank Adaptation.md#Math` -> "Low-Rank Adaptation"; `#Math` -> "" (own page).
    """
    name = target.split("#", 1)[0].strip()
    if "%" in name:
        name = unquote(name)
    name = name.rstrip("/")
    if "/" in name and " / " not in name:
        # a path (`notes/LoRA.md`); "Eigenvector / Eigenvalue" is one name with a slash
        name = name.rsplit("/", 1)[1]
    name = _NOTE_EXT.sub("", name).strip()
    if len(name) > 33:
        # A Notion export names a page `Attention 8a1b...f9` (32 hex digits): the id is no
        # part of its name.
        name = NOTION_ID.sub("", name)
    return name, normalize(name)


def _by_stated_names(name: str, index: NameIndex, prefer: Container[int] | None
                     ) -> tuple[str, int | None]:
    """A link written `parameter-efficient fine-tuning (PEFT)` or `LoRA Exchange Serving`
    finds its concept by the names it states itself: its acronym, expansion, or base."""
    for stated in term_names(name)[1:]:
        status, concept = index.lookup(normalize(stated.name), prefer, min_strength=2)
        if status == "resolved":
            return status, concept
    return "missing", None


def _own_anchor(link: LinkRow, index: NameIndex, own_headings: Mapping[int, Container[str]],
                doc_concepts: Mapping[int, Container[int]]) -> int | None:
    """The concept an anchor into the link's own page names (`[encoder models](#encoder-models)`
    in a glossary of many terms), by the anchor's words; None to take the page's concept.

    A concept this page holds is taken; one of another page only when this page has no heading
    of those words (a glossary split into one page a term keeps its anchors: `#precision` on
    the page of accuracy means the page of precision). A heading of this page whose name is
    another page's concept is a part of this page (`#rewards` of a trainer's page)."""
    words = normalize(_label_words(link.fragment or ""))
    if not words:
        return None
    mine = doc_concepts.get(link.document_id)
    status, concept = index.lookup(words, mine)
    if status != "resolved" or concept is None:
        return None
    if mine is not None and concept in mine:
        return concept
    return None if words in own_headings.get(link.document_id, ()) else concept


def _by_path(link: LinkRow, target: str, documents: Mapping[str, int],
             doc_first: Mapping[int, int], file_names: Container[str]) -> int | None:
    """The concept of the file a link names by its path, if that file is one of `documents`
    (`file_names`: their last names)."""
    # `related`: a Jekyll page's `related_terms` are its sibling pages' file names
    # (`convolutional-neural-network-cnn` for "Convolutional Neural Networks (CNN)": 45
    # links of a public glossary led to no concept, round 36)
    if link.kind not in ("markdown", "wikilink", "embed", "doc", "related") or not documents:
        return None
    rel = unquote(target.split("#", 1)[0])
    if not rel:
        return None
    stem = rel.rstrip("/")
    # A path's last name survives `normpath` unless it is "." or "..": a candidate whose
    # last name no document has is passed over without building its path (22 paths a link,
    # most leading nowhere, were a sixth of resolving the links of 10k notes: issue 14).
    exts = [ext for ext in _PAGE_FILES
            if (last := (stem + ext).rsplit("/", 1)[-1]) in file_names or last in ("", ".", "..")]
    if not exts:
        return None
    folder = posixpath.dirname(link.path)
    # A site serves `a.md` as `/a/`, so its relative links start from a folder named after it.
    served = posixpath.splitext(link.path)[0]
    for base in (folder, served):
        for ext in exts:
            doc = documents.get(posixpath.normpath(posixpath.join(base, stem + ext)))
            if doc is not None and doc in doc_first:
                return doc_first[doc]
    return None


def _listed_folder(target: str, path: str, folders: Container[str],
                   tails: Container[str]) -> bool:
    """Whether a file link names a folder of the notes (`/posts/`, `../papers/`, kept as
    "posts" and "papers"), whose page a site generator makes by listing it."""
    address = unquote(target.split("#", 1)[0]).rstrip("/")
    if not address or _NOTE_EXT.search(address):
        return False
    if address.startswith("/"):
        return address.strip("/") in tails
    return posixpath.normpath(posixpath.join(posixpath.dirname(path), address)) in folders \
        or address in tails


def _section_at(spans: list[tuple[int, int, str, int]] | None, line: int) -> int | None:
    if not spans:
        return None
    i = bisect_right(spans, (line, 1 << 62, "", 0)) - 1
    while i >= 0:
        start, end, _, concept = spans[i]
        if start <= line <= end:
            return concept
        i -= 1
        if i >= 0 and spans[i][1] < line and spans[i][0] < start:
            break
    return None
