"""Lint: what a careful editor would fix, grouped, each finding with file and line.

Groups: wanted pages, dead links, empty entries, entries that only say "see X", broken math,
wrong arithmetic, near-duplicate passages, and concepts that sources define differently.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from grimoire.duplicates import DuplicatePair, near_duplicates
from grimoire.lint.arithmetic import find_claims, math_at
from grimoire.lint.elsewhere import listed_elsewhere
from grimoire.lint.latex import latex_problems
from grimoire.model import PAGE_REASONS, Math, Span
from grimoire.resolve.links import BARE_HOST, FILE_LINKS
from grimoire.resolve.types import Concept, DeadLink, WantedPage
from grimoire.store.base import Store
from grimoire.store.concept_records import LinkUse
from grimoire.store.records import StoredEntry

if TYPE_CHECKING:
    import numpy as np

GROUPS = (
    "wanted",
    "dead-link",
    "empty",
    "see-only",
    "broken-math",
    "arithmetic",
    "near-duplicate",
    "conflict",
)
# Blanks are matched one way each (`\s*(?::\s*)?`, not `\s*:?\s*`), and `_see_only` cuts a
# long run of blanks to what the pattern can tell apart: "See also", 300 blanks and ".x" took
# minutes in `lint`, `/health` and MCP (each blank run split every way; audit30).
_SEE_ONLY = re.compile(
    r"^\s*+(?:see(?: also)?|synonym (?:of|for)|abbreviation for|same as|→)\s*(?::\s*)?"
    r"\[{0,2}[^\]\n.]{1,80}\]{0,2}\s*+(?:\.\s*+)?+$",
    re.IGNORECASE,
)
_BLANKS = re.compile(r"\s+")
_TARGET_CHARS = 80  # the most a see-only target holds, blanks included


def _see_only(definition: str) -> bool:
    """Whether `definition` only points elsewhere ("See also [[X]]."), as `_SEE_ONLY` says.

    A run of blanks longer than a target can hold is cut: only its first and last line (each
    as long as a target can use) and whether a line between holds a blank that is no line
    break can change the answer."""

    def cut(m: re.Match[str]) -> str:
        run = m.group()
        if len(run) <= _TARGET_CHARS + 1:
            return run
        lines = run.split("\n")
        if len(lines) == 1:
            return run[: _TARGET_CHARS + 1]
        between = "".join(lines[1:-1])[:1] + "\n" if len(lines) > 2 else ""
        return (lines[0][: _TARGET_CHARS + 1] + "\n" + between
                + lines[-1][: _TARGET_CHARS + 1])

    return _SEE_ONLY.match(_BLANKS.sub(cut, definition)) is not None


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing to fix: its group, what is wrong, and where."""

    group: str
    message: str
    span: Span
    concept: str | None = None  # the name it is about (a wanted page, a concept), to open
    # Which concept called `concept` (two may share a label: /health's "compare" opened the
    # one the name finds, not the one in conflict).
    concept_id: str | None = None
    # The other place a finding compares with (a near-duplicate's first copy, the other
    # definition of a conflict): in the message as a short path, here whole for scripts.
    other: Span | None = None
    # Every other place a conflict names (its entries that disagree with another), for scripts
    others: tuple[Span, ...] | None = field(default=None, metadata={"omit_none": True})

    def __str__(self) -> str:
        return f"{self.span}: [{self.group}] {self.message}"


@dataclass(frozen=True, slots=True)
class LintReport:
    """Every finding, in group order, then by file and line (wanted pages most wanted first)."""

    findings: tuple[Finding, ...]

    def by_group(self) -> dict[str, list[Finding]]:
        groups: dict[str, list[Finding]] = {g: [] for g in GROUPS}
        for f in self.findings:
            groups.setdefault(f.group, []).append(f)
        return {g: fs for g, fs in groups.items() if fs}

    @property
    def clean(self) -> bool:
        return not self.findings


def entry_findings(store: Store) -> Iterator[Finding]:
    """Empty entries and entries whose definition only points elsewhere."""
    for stored in store.entries():
        e = stored.entry
        if e.redirect:
            continue
        if not e.definition.strip() and not e.glosses:
            if e.reason in PAGE_REASONS:
                continue  # a page or note that opens with a section: its sections speak
            yield Finding("empty", f"entry {e.term!r} has no definition", e.span)
        elif _see_only(e.definition):
            yield Finding(
                "see-only", f"entry {e.term!r} only says {e.definition.strip()!r}", e.span
            )


def _claim_line(span: Span, text: str, offset: int, maths: Sequence[Mapping[str, Any]]) -> int:
    """The line a claim is written on. A passage joins each paragraph's lines into one, so
    counting its line breaks lands on the paragraph's first line, or a paragraph too early;
    the reader kept each formula's own line."""
    found = math_at(text, offset)
    if found is not None:
        nth, tex, tex_at = found
        same = [m for m in maths if str(m["tex"]).strip() == tex]
        if nth < len(same):
            return int(same[nth]["span"]["start_line"]) + text.count("\n", tex_at, offset)
    return span.start_line + text.count("\n", 0, offset)


def passage_findings(store: Store, threshold: float = 0.7, *,
                     duplicates: bool = True) -> Iterator[Finding]:
    """Broken math, wrong arithmetic and near-duplicates (unless not `duplicates`), from the
    stored passages."""
    texts: list[tuple[int, str]] = []
    spans: dict[int, Span] = {}
    for passage in store.passages():
        pid, span, text, marks = passage.id, passage.span, passage.text, passage.marks
        if passage.kind != "code":
            # Code repeats by design: a notebook's setup cell of imports opens every notebook
            # of a course, a helper is pasted where it is used (round 37: 51 of a notebook
            # repository's 75 near-duplicate pairs were code cells, none a copied note).
            texts.append((pid, text))
        spans[pid] = span
        for raw in marks.get("math", ()):
            math = Math(raw["tex"], raw["display"], Span(**raw["span"]))
            for problem in latex_problems(math.tex):
                yield Finding("broken-math", f"{problem} in ${_short(math.tex)}$", math.span)
        if span.path[-4:].casefold() == ".pdf":
            # A PDF's text layer lays its formulas flat: "0.5²" is "0.52", "(1/0.10)·(a + b)"
            # is "1 0.10 (a + b)", and every claim read from it was false (round 31: an exam's
            # worked solutions, 14 findings of 14).
            continue
        for claim in find_claims(text):
            if claim.wrong:
                line = _claim_line(span, text, claim.offset, marks.get("math", ()))
                yield Finding(
                    "arithmetic",
                    f"{_short(claim.expression)} = {claim.stated_text}, "
                    f"but it computes to {claim.computed:.6g}",
                    Span(span.path, line, line),
                )
    if duplicates:
        pairs = [p for p in near_duplicates(texts, threshold)
                 if not _one_work(spans[p.first], spans[p.second])]
        yield from _duplicate_findings(pairs, spans)


_RENDERED = (".pdf", ".html", ".htm")  # what a note is rendered to: slides, a site's page
_SOLUTION = re.compile(r"[-_ ]?(?:solutions?|answers?|solved)$")


def _one_work(a: Span, b: Span) -> bool:
    """Whether two passages that repeat each other are one work, no copy to remove: a PDF
    against its own pages (a deck shows a slide again with each new point, a paper every page
    with its download stamp: round 45, 9 findings in three repositories); a note against the
    PDF or HTML page it renders to, of the same name (`pdfs/04-loss.pdf` beside
    `04-loss/04-loss.md`: 12 of a course's 23); an exercise against its solution
    (`03_diy.ipynb`, `03_diy_solution.ipynb`; `practice.pdf`, `practice-solutions.pdf`)."""
    stem_a, ext_a = posixpath.splitext(posixpath.basename(a.path.casefold()))
    stem_b, ext_b = posixpath.splitext(posixpath.basename(b.path.casefold()))
    if a.path == b.path:
        return ext_a == ".pdf"
    if (ext_a in _RENDERED) != (ext_b in _RENDERED) and stem_a == stem_b:
        return True
    bare_a, bare_b = _SOLUTION.sub("", stem_a), _SOLUTION.sub("", stem_b)
    return (bare_a != stem_a) != (bare_b != stem_b) and bare_a == bare_b


def _duplicate_findings(pairs: Iterable[DuplicatePair],
                        spans: Mapping[int, Span]) -> Iterator[Finding]:
    """One finding for each pair of files that repeat each other, at the first copy: a site
    built from Markdown repeats each page paragraph by paragraph, a course its template in
    every lesson, and a finding per passage ran to 3,654 lines on a public course's notes
    (204 on a GitBook site, each page against its source). The first copy is named; the
    message counts the others."""
    pairs = list(pairs)
    yield from _template_findings(pairs, spans)
    by_files: dict[tuple[str, str], list[DuplicatePair]] = {}
    for pair in pairs:
        one, two = spans[pair.first].path, spans[pair.second].path
        by_files.setdefault((min(one, two), max(one, two)), []).append(pair)
    for group in by_files.values():
        pair = min(group, key=lambda p: (spans[p.second].start_line, spans[p.first].start_line))
        a, b = spans[pair.first], spans[pair.second]
        message = f"{pair.similarity:.0%} the same as {_seen_from(a, b)}"
        if more := len(group) - 1:
            whose = "others of this file" if a.path == b.path else "that file"
            counted = f"{more} more passages repeat" if more > 1 else "1 more passage repeats"
            message += f"; {counted} {whose}"
        yield Finding("near-duplicate", message, b, other=a)


# A paragraph repeated in this many files or more is one finding, not one a pair of files.
TEMPLATE_FILES = 3


def _template_findings(pairs: list[DuplicatePair],
                       spans: Mapping[int, Span]) -> Iterator[Finding]:
    """One finding for each paragraph repeated across TEMPLATE_FILES files or more, at its
    first copy; its pairs are taken out of `pairs`. A book's 19 chapter notebooks each open
    with the same two sentences on where the figures are saved: one finding a pair of files
    made most of the repository's 89 (13 chapters share it: 78 pairs; round 38)."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for pair in pairs:
        parent[find(pair.first)] = find(pair.second)
    members: dict[int, set[int]] = {}
    for pid in parent:
        members.setdefault(find(pid), set()).add(pid)
    spread = {root: ids for root, ids in members.items()
              if len({spans[i].path for i in ids}) >= TEMPLATE_FILES}
    if not spread:
        return
    kept = [p for p in pairs if find(p.first) not in spread]
    # Paragraphs repeated in the same files are one finding: pages that copy each other
    # paragraph by paragraph (TRL's trainer pages) are one set of files, said once.
    by_files: dict[frozenset[str], list[int]] = {}
    for root, ids in spread.items():
        by_files.setdefault(frozenset(spans[i].path for i in ids), []).append(root)
    for files, roots in sorted(by_files.items(), key=lambda item: min(
            (spans[i].path, spans[i].start_line) for r in item[1] for i in members[r])):
        where = sorted((spans[i] for r in roots for i in members[r]),
                       key=lambda sp: (sp.path, sp.start_line))
        similar = [p.similarity for p in pairs if find(p.first) in roots]
        low, high = min(similar), max(similar)
        alike = f"{high:.0%}" if f"{low:.0%}" == f"{high:.0%}" else f"{low:.0%}-{high:.0%}"
        first, second = where[0], next(sp for sp in where if sp.path != where[0].path)
        what = "a paragraph" if len(roots) == 1 else f"{len(roots)} paragraphs"
        yield Finding("near-duplicate",
                      f"{alike} the same as {_seen_from(second, first)}: {what} repeated in "
                      f"{len(files)} files ({len(where)} passages)",
                      first, other=second)
    pairs[:] = kept


_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "for",
        "and",
        "or",
        "is",
        "are",
        "be",
        "by",
        "with",
        "as",
        "that",
        "this",
        "it",
        "its",
        "from",
        "at",
        "which",
        "when",
        "into",
        "than",
        "then",
        "can",
        "used",
        "use",
        "using",
        "such",
        "each",
        "any",
        "all",
        "not",
        "no",
        "more",
        "most",
        "other",
        "also",
    ]
)
_CONTENT = re.compile(r"[a-z][a-z0-9]+")


def _gist(text: str) -> set[str]:
    # Word stems (first five letters) without stop words: enough to tell "same idea, other
    # words" from "another idea", which is all a reviewer's queue needs.
    return {w[:5] for w in _CONTENT.findall(text.casefold()) if w not in _STOP}


# A text that says what its page is, not what its term is (round 46, wanted45's false
# conflicts): a tutorial's "We will implement ...", after its authors' byline; a book's
# README, "This material is the basis of a course ..."; "In this notebook ...".
_ABOUT_THE_PAGE = re.compile(
    r"(?:by\s[^\n]{1,80}\n\s*\n\s*)?(?:(?:We|I)\s|(?:In\s+)?(?:this|these)\s+(?:material|book"
    r"|notebook|tutorial|course|repository|repo|page|post|site|notes|collection|chapter|lesson"
    r"|document)s?\b)", re.IGNORECASE)
_LIST_LINE = re.compile(r"\s*(?:[-*+\u2022]|\d+[.)])\s")


def _states_what_it_is(definition: str) -> bool:
    """Whether an entry's text can say what its term is, and so say it differently from
    another: not one about its page (`_ABOUT_THE_PAGE`), nor an outline, every line of it a
    list item (a course's summary page: "- Basics", "  - Transpose", ...)."""
    text = definition.strip()
    if len(text.split()) < 8 or _ABOUT_THE_PAGE.match(text):
        return False
    lines = [line for line in text.splitlines() if line.strip()]
    return not all(_LIST_LINE.match(line) for line in lines)


def concept_findings(
    wanted: Iterable[WantedPage],
    dead_links: Iterable[DeadLink],
    multi_source: Iterable[Concept],
    *,
    overlap: float = 0.06,
    uses: Iterable[LinkUse] = (),
    label_places: Callable[[str], Sequence[Span]] | None = None,
    discussed: Callable[[WantedPage], Sequence[Span]] | None = None,
    vectors: Callable[[Sequence[int]], Mapping[int, np.ndarray]] | None = None,
    close: float = 0.5,
) -> Iterator[Finding]:
    """Wanted pages, dead links with a likely intended target, and conflicting definitions.

    Given the wanted links (`uses`), a name its source marks as a page it has is left out
    (`lint.elsewhere`); a file link into a folder that holds no note is no dead link: resolve
    gave it the status "elsewhere" (`resolve.links.NoteFolders`), as every face reads it.
    `label_places` (`Store.label_places`) says where a label is defined, for a reference to a
    label that two files define; `discussed` (`sections_about`) where sections are about a
    wanted page's name; `vectors` (`Store.entry_vectors`) the entries' vectors: two
    definitions of one concept with few words in common conflict unless their vectors' cosine
    is `close` or more (None for a store with no vectors, --no-embed: the words alone decide;
    given, a conflict the words alone judged says so)."""
    # Imported here: `ask` imports this module for its arithmetic check, which needs none of
    # the readers' rules.
    from grimoire.readers.conventions import is_generic_heading
    from grimoire.resolve.view import cites, names_a_part

    wanted = list(wanted)
    elsewhere = listed_elsewhere(wanted, uses)
    for page in wanted:
        if page.norm in elsewhere:
            continue
        places = f"{page.count} place{'s' if page.count != 1 else ''}"
        if names_a_part(page.name):
            # `[[Source]]`, `[[Notes]]`, `[[See here]]` after a sentence (round 30: a public
            # vault): a link its writer meant for an address, no page anyone would write;
            # `kb.wanted()` leaves such a page out, `kb.lint()` asks for them (`include_parts`).
            yield Finding("dead-link", f"{page.name!r} (linked from {places}) leads to no "
                          "note; it names a part of a page, not a page to write",
                          page.spans[0])
            continue
        if cites(page.name):
            # `[[@Paper Title]]`: a reference manager's literature note, not in these notes
            yield Finding("dead-link", f"{page.name!r} (linked from {places}) leads to no "
                          "note; it cites a source, not a page to write", page.spans[0])
            continue
        hint = f"; did you mean {', '.join(page.suggestions)}?" if page.suggestions else ""
        sections = discussed(page) if discussed is not None else ()
        if sections:
            # No entry defines it, but sections are about it (round 41: "Cross-Validation"
            # was "defined nowhere" beside three sections headed by it, none opening with a
            # definition): a page to write from them, not a gap.
            where = ", ".join(_seen_from(s, page.spans[0]) for s in sections[:_NAMED])
            more = f" and {len(sections) - _NAMED} more" if len(sections) > _NAMED else ""
            yield Finding("wanted", f"{page.name!r} is linked from {places} and has no page "
                          f"of its own; sections are about it at {where}{more}",
                          page.spans[0], page.name, other=sections[0],
                          others=tuple(sections))
            continue
        yield Finding(
            "wanted",
            f"{page.name!r} is linked from {places} but defined nowhere{hint}",
            page.spans[0],
            page.name,
        )
    for link in dead_links:
        # A name nobody defines is a wanted page (above); a link to a file that is not there,
        # or to a name two concepts share, is a dead link.
        defined_at: Sequence[Span] = label_places(link.target) if (
            label_places is not None and link.status == "ambiguous" and link.kind == "label"
        ) else ()
        if len({p.path for p in defined_at}) > 1:
            # A label two files of a book define (`resolve.labels`): the link leads to neither.
            # Named with where each defines it (round 38: the message named no file, and was
            # given too for a label no file defines whose words name two concepts).
            named = ", ".join(_seen_from(p, link.span) for p in defined_at[:_NAMED])
            more = f" and {len(defined_at) - _NAMED} more" if len(defined_at) > _NAMED else ""
            yield Finding("dead-link", f"the label {link.target!r} is defined in "
                          f"{len(defined_at)} files ({named}{more}); rename all but one so the "
                          "reference leads to one heading", link.span,
                          other=defined_at[0], others=tuple(defined_at))
        elif link.status == "ambiguous":
            yield Finding("dead-link", f"{link.target!r} names more than one concept", link.span)
        elif link.status == "dead" and link.kind not in FILE_LINKS:
            # `[[Source]]`, `[[See here]]`, `[[@smith2019]]` to no note: its reader marked it as
            # asking for no page, and resolve called it dead (`Link.no_page`, round 38).
            why = ("it cites a source" if cites(link.target) else "it names a part of a page")
            yield Finding("dead-link", f"{link.target!r} leads to no note; {why}, not a page "
                          "to write", link.span)
        elif link.status == "dead":
            hint = f"; did you mean {', '.join(link.suggestions)}?" if link.suggestions else ""
            # The address as the store keeps it from the ingest (`/docs/foo/bar#x`, not the
            # name `bar` it resolves by); never read again from a file that may have changed.
            # `LLM%20as%20a%20Judge` (as a note app writes a file link) reads as the name.
            shown = unquote(link.written)
            written = f" (written {link.written})" if shown != link.written else ""
            if not hint and BARE_HOST.match(shown):
                hint = f"; a web address needs its scheme: https://{shown}"
            yield Finding("dead-link", f"{shown!r}{written} leads to no note{hint}", link.span)
    # Each concept's entries that say what it is, and the pairs of them in two files whose
    # words differ; then one read of their vectors for all (round 48: a read per concept).
    judged: list[tuple[Concept, list[StoredEntry], list[tuple[int, int]]]] = []
    for concept in multi_source:
        if is_generic_heading(concept.label):
            # Pages a vault names "Installation" in two tools' folders share a word, not a
            # concept: their texts differ because their subjects do.
            continue
        stated = [e for e in concept.entries if _states_what_it_is(e.entry.definition)]
        gists = [_gist(e.entry.definition) for e in stated]
        apart = [(i, j) for i, a in enumerate(stated) for j in range(i + 1, len(stated))
                 if a.entry.span.path != stated[j].entry.span.path
                 and len(gists[i] & gists[j]) / max(1, len(gists[i] | gists[j])) < overlap]
        if apart:
            judged.append((concept, stated, apart))
    found = vectors([e.id for _, stated, _ in judged for e in stated]) if (
        vectors is not None and judged) else {}
    unit = {k: v / (float(v @ v) ** 0.5 or 1.0) for k, v in found.items()}
    for concept, stated, apart in judged:
        # Few shared words is also one meaning in other words (round 47: a glossary's line
        # "Percentage of correct predictions" against a page of 90 stems on "Accuracy"; 30 of
        # 37 conflicts on a store of six sources): what the vectors of the two entries say
        # decides, where the store has them; a pair without them is judged by its words.
        apart = [(i, j) for i, j in apart if stated[i].id not in unit
                 or stated[j].id not in unit
                 # `not >=`: vectors that are no numbers (NaN) say nothing, as none (round 48)
                 or not float(unit[stated[i].id] @ unit[stated[j].id]) >= close]
        defined = [e.entry.span for e in stated]
        disagree: dict[int, set[int]] = {}  # an entry's place in `defined`: those it differs from
        for i, j in apart:
            disagree.setdefault(i, set()).add(j)
            disagree.setdefault(j, set()).add(i)
        if disagree:
            h = max(disagree, key=lambda i: (len(disagree[i]), i))
            # The message names the places that differ from `here`: with two meanings in two
            # notes each, a note that says what `here` says was named as differing from it.
            # Judged without vectors in a store that has some (a folder added `--no-embed`, an
            # embed that stopped: 6 -> 30 conflicts on round 47's store half embedded,
            # review47a): say so, as search does, or the paraphrases it calls conflicts read
            # as the vectors' verdict. (A store with none: the words judge every pair.) The
            # store's, not these entries': a folder added `--no-embed` whose two files alone
            # define a concept said nothing (review48b).
            words_only = vectors is not None and any(stated[i].id not in unit
                                                     for i in (h, *disagree[h]))
            yield _conflict(concept, [defined[i] for i in sorted(disagree[h])],
                            [defined[i] for i in sorted(disagree) if i != h
                             and i not in disagree[h]], defined[h], words_only=words_only)


_NAMED = 3  # the other places a conflict's message names; `others` has them all


def _conflict(concept: Concept, against: Sequence[Span], rest: Sequence[Span],
              here: Span, *, words_only: bool = False) -> Finding:
    """One finding for a concept whose entries disagree, at the entry that differs from the
    most others (the later one of a pair), naming those it differs from (`against`, in the
    concept's order); `others` has them first, then the `rest` that differ from another: a
    finding per pair gave n(n-1)/2 for a name n notes use for different things (round 31: one
    heading in 59 course notes, 1,193 findings), the reviewer's queue drowned by one reading
    mistake."""
    others = [*against, *rest]
    shown = [_seen_from(s, here) for s in against[:_NAMED]]
    if len(against) > _NAMED:
        named = (f"{len(against)} other places: {', '.join(shown)} and "
                 f"{len(against) - _NAMED} more")
    else:
        named = " and ".join(filter(None, [", ".join(shown[:-1]), shown[-1]]))
    why = " (judged by words alone: an entry has no vector; run `grimoire embed`)" if (
        words_only) else ""
    return Finding(
        "conflict",
        f"{concept.label!r} is defined differently here and in {named}{why}",
        here,
        concept.label,
        concept.id,
        other=others[0],
        others=tuple(others),
    )


_QUALIFIER = re.compile(r"\s*\([^()\n]{1,80}\)$")


def sections_about(store: Store, page: WantedPage) -> list[Span]:
    """Where sections begin whose heading names `page` (as a link to it is normalised), once
    its number, decoration and a qualifier in brackets are dropped ("## 3. Cross-Validation
    (Robust Evaluation)", "### **Cross-Validation**"), by file and line; found by the words of
    the headings (`Store.sections_headed`), not among the passages that best hold the name's
    words anywhere (round 43: the 200 best of a log naming it in every entry hid its section).
    A name of one letter has none."""
    from grimoire.names import normalize
    from grimoire.readers.conventions import bare_name

    words = re.findall(r"\w+", page.name)
    if not words or len(page.norm) < 2:
        return []  # "C": a glossary's letter heads the words that begin with it
    # Its words of three letters or more, which both engines read alike (PostgreSQL's parser
    # reads "A/B" as one token); a name of short words only ("RL") by all of them
    # (review42a). The headings are checked below.
    long = [w for w in words if len(w) >= 3]
    first: dict[tuple[str, tuple[str, ...]], int] = {}
    for path, heading_path, line in store.sections_headed(long or words):
        for depth, heading in enumerate(heading_path, 1):
            name = bare_name(heading).strip("*_ ")
            if page.norm in (normalize(name), normalize(_QUALIFIER.sub("", name))):
                key = (path, heading_path[:depth])
                first[key] = min(first.get(key, line), line)
    return sorted({Span(path, line, line) for (path, _), line in first.items()},
                  key=lambda s: (s.path, s.start_line))


def label_findings(store: Store) -> Iterator[Finding]:
    """A label a file defines twice (its reader's problem): a reference to it leads to the
    first definition, which may not be the one meant (LaTeX and Sphinx warn of it)."""
    # here, not at the top: `grimoire.ask` imports lint (`tests/test_cold_start.py`)
    from grimoire.readers.labels import defined_twice

    for record in store.sources():
        for problem in record.problems:
            twice = defined_twice(problem.message)
            if twice is None:
                continue
            key, first = twice
            # docutils' targets are labels, footnotes and citations alike
            what = "label" if first is not None else "target"
            where = f" (first on line {first})" if first is not None else ""
            yield Finding("dead-link", f"the {what} {key!r} is defined twice in this file{where}; "
                          "a reference to it leads to the first: rename one", problem.span,
                          other=Span(problem.span.path, first, first) if first else None)


def lint(store: Store, extra: Iterable[Finding] = (), *, duplicates: bool = True) -> LintReport:
    """Every finding for the store; `extra` adds findings from the concept graph. Not
    `duplicates`: no near-duplicate check (`lint --group arithmetic` imported datasketch,
    scipy and numpy, 0.4-0.6 s, for a group it did not show; issue 14)."""
    findings = [*extra, *entry_findings(store), *passage_findings(store, duplicates=duplicates),
                *label_findings(store)]
    order = {g: i for i, g in enumerate(GROUPS)}
    findings.sort(key=lambda f: (order.get(f.group, 99), *_place(f)))
    return LintReport(tuple(findings))


def _place(finding: Finding) -> tuple[str, int, str, int]:
    """Where a finding sorts in its group: by file and line, then by the other place it
    names (a copy of three files is three findings on one line, in any order the workers
    stored them), except wanted pages, which keep the order they come in (most wanted first,
    as `kb.wanted()` gives them; the sort is stable)."""
    if finding.group == "wanted":
        return ("", 0, "", 0)
    other = finding.other
    return (finding.span.path, finding.span.start_line,
            other.path if other else "", other.start_line if other else 0)


def _seen_from(other: Span, here: Span) -> str:
    """Where `other` is, as seen from the finding's own file: "line 153" in the same file,
    else its path relative to that file's folder (`glossary.rst:153`, `../trl/dpo.md:4`):
    a whole second path pushed the line past any terminal's width (`--json` has it whole,
    in `other`)."""
    lines = str(other).removeprefix(other.path + ":")
    if other.path == here.path:
        return f"line{'s' if '-' in lines else ''} {lines}"
    path = posixpath.relpath(other.path, posixpath.dirname(here.path) or ".")
    return f"{path}:{lines}"


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
