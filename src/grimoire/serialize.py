"""One JSON shape for every record, shared by the CLI's `--json` and the web UI's `/api/…`.

Every record is its dataclass as plain data (`codec.to_data`), so a place in a file is always a
nested `"span": {"path", "start_line", "end_line"}`, whichever command or page hands it out.
A few records gain computed fields a reader needs (a concept's `sources`, an ingest's `read`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from grimoire.codec import to_data

if TYPE_CHECKING:
    from grimoire.duplicates import DuplicateOf
    from grimoire.errors import NotFound
    from grimoire.graph import Graph
    from grimoire.ingest import IngestReport
    from grimoire.lint import LintReport
    from grimoire.resolve import Concept
    from grimoire.showing import Said

__all__ = ["NOTHING_MATCHED", "NO_WORD", "concept", "dumps", "graph_view", "ingest_report",
           "lint_report", "not_found", "record", "search_notice"]

NOTHING_MATCHED = ("no word of the query is in your notes: these results are only the nearest "
                   "in meaning")
NO_WORD = ("the query has no word to search by, only punctuation or symbols: nothing was "
           "searched")


def record(value: Any) -> Any:
    """A dataclass, or a list or mapping of them, as JSON-able data."""
    return to_data(value)


def graph_view(g: Graph, centre: str | None, depth: int, *, whole: bool = False,
               truncated: bool = False,
               positions: Mapping[str, tuple[float, float]] | None = None) -> dict[str, Any]:
    """A graph as `graph --json` and /api/graph give it: its nodes and edges, the concept at
    its centre (None for the whole graph), the depth asked, and whether it was cut at the
    limit (`graph --depth 6` stopped at 500 concepts and said nothing, round 43); the web's
    drawing positions too."""
    placed = {} if positions is None else {"positions": {
        k: [round(x, 1), round(y, 1)] for k, (x, y) in positions.items()}}
    return {**to_data(g), **placed, "centre": centre, "depth": depth, "whole": whole,
            "truncated": truncated}


def concept(c: Concept, duplicates: Sequence[DuplicateOf] = (),
            said: Sequence[Said] = ()) -> dict[str, Any]:
    """A concept with the files it draws on and the passages that nearly repeat it. With
    `said` (`Grimoire.said`), what it says as every face shows it: an entry with no definition
    (a page named by its title) gains `"opening"`, its note's opening words and their `span`,
    and `"preview"` is the one text to show (`Grimoire.preview`: `{text, span, kind,
    entry_id}`, kind "definition", "section" or "opening"; null when nothing says anything).
    `names` are the names a note wrote (`Concept.shown_names`); the spellings resolve makes
    only to match ("Selfattention" for "Self-attention") are `matched_names`."""
    from grimoire.showing import preview

    data = to_data(c)
    data["names"] = to_data(c.shown_names)
    openings = {s.entry_id: s for s in said if s.kind == "opening"}
    for entry in data["entries"]:
        found = openings.get(entry["id"])
        if found is not None:
            entry["opening"] = {"text": found.text, "span": to_data(found.span)}
    return {**data, "matched_names": [n.name for n in c.matched_names],
            "sources": list(c.sources), "near_duplicates": to_data(duplicates),
            "preview": to_data(preview(said))}


def lint_report(report: LintReport, groups: Sequence[str] = ()) -> dict[str, Any]:
    """Findings by group (only `groups` when given), each `{group, message, span}`."""
    by_group = report.by_group()
    return {g: to_data(fs) for g, fs in by_group.items() if not groups or g in groups}


def ingest_report(report: IngestReport) -> dict[str, Any]:
    """An ingest's counts, with the total read."""
    return {**to_data(report), "read": report.read}


def search_notice(nothing_matched: bool = False,
                  filters: str | None = None, *, no_word: bool = False,
                  searched_for: str | None = None,
                  cut: tuple[int, int, str] | None = None,
                  filters_offered: bool = True) -> dict[str, Any] | None:
    """What must be said beside a search's hits, one shape for every face (the CLI's stderr,
    `/api/search`'s `Grimoire-Notice` header, the MCP result, the search page): None, or
    `{"nothing_matched": true, "notice": ...}` when no word of the query is in the notes, or
    `{"filters": true, "notice": ...}` when no note passes the search's filters
    (`Grimoire.filters_problem`), or `{"no_word": true, "notice": ...}` when the query has no
    letter or digit (`?!.`), so nothing was searched; or `{"searched_for": "gaussian
    splatting", "notice": "showing results for gaussian splatting"}` when words of the query
    are in no note and the nearest words that are were searched instead; or `{"cut": 78,
    "notice": "78 hits, not 1,000: ..."}` when `cut` = (hits, k, mode): fewer hits than asked
    because the search ranks only each list's best candidates (`Searcher.cut`), narrowed by
    "a filter (source, format, tag) or more words", or by more words alone where the face
    offers no filter (`filters_offered` False: MCP's search tool)."""
    if no_word:
        return {"no_word": True, "notice": NO_WORD}
    if filters:
        return {"filters": True, "notice": filters}
    if nothing_matched:
        return {"nothing_matched": True, "notice": NOTHING_MATCHED}
    if searched_for:
        return {"searched_for": searched_for, "notice": f"showing results for {searched_for}"}
    if cut:
        from grimoire.search import CANDIDATES

        hits, k, mode = cut
        by = {"lexical": "by words", "semantic": "by meaning"}.get(mode, "by words and by meaning")
        narrow = ("a filter (source, format, tag) or more words narrow it" if filters_offered
                  else "more words narrow it")
        return {"cut": hits, "notice": (
            f"{hits:,} hits, not {k:,}: a search ranks only the {CANDIDATES} best matches {by}, "
            f"and more notes hold its words; {narrow}")}
    return None


def not_found(e: NotFound) -> dict[str, Any]:
    """A name nothing answers to: the message, "did you mean", and when the name belongs to
    several concepts each one's label and id (what `concept_id` and `?id=` take)."""
    return {"error": str(e), "suggestions": list(e.suggestions),
            "choices": [{"concept": label, "concept_id": concept_id}
                        for label, concept_id in e.choices]}


def dumps(value: Any, *, indent: int | None = 2) -> str:
    """JSON text of `value` (records converted first); non-ASCII kept as is."""
    return json.dumps(to_data(value), ensure_ascii=False, indent=indent, default=str)
