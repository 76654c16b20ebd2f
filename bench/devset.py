"""The description dev set: references into ../shared/corpora, turned into query text at run time.

`bench/queries/descriptions.jsonl` holds no corpus sentence, only where to find one: the source
collection, file and line span of a definition (or a formula), the names to mask, and the target
concept in another collection. `query_text` reads those lines from ../shared, strips markup,
keeps the opening sentences and masks every name, so the query is rebuilt the same way on every
machine. `bench/make_queries.py` writes the file; `bench/search.py` reads it.
"""

from __future__ import annotations

import html
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPORA = Path(os.environ.get("GRIMOIRE_SHARED", ROOT.parent / "shared")) / "corpora"
DESCRIPTIONS = ROOT / "bench" / "queries" / "descriptions.jsonl"
OWN_WORDS = ROOT / "bench" / "queries" / "own_words.jsonl"


def require_corpora(corpora: Path = CORPORA) -> None:
    """Stop, saying where to point, when ../shared/corpora is not there: a bench run from a git
    worktree elsewhere read no corpus and printed figures of examples/ alone (round 50: three
    helpers' first runs; `own_words_check` passed a query that copied seven corpus words)."""
    if not corpora.is_dir():
        raise SystemExit(f"{corpora}: no such folder; set GRIMOIRE_SHARED to the folder that "
                         "holds corpora/ (../shared beside the clone)")
MASK = "___"
# How a held-out set may hide the names: a blank, BERT's mask token, a phrase, nothing, or X.
MASK_STYLES = {"blank": "___", "token": "[MASK]", "phrase": "this term", "deleted": "",
               "x": "X"}
# Which names are hidden: "all" (every name and alias of both sides, any case, hyphen or space,
# plural) or "source" (the source's own names only, as it spells them: a case-sensitive
# replace, the way a held-out harness that knows only the source's names masks; the name then
# slips through in another case or spelling, "AdaDelta" for "ADADELTA", "Q Learning" for
# "Q-learning", about 20% of the queries; bench/README.md, round 19).
HIDE = ("all", "source")
COLLECTIONS = ("distill-articles", "google-ml-glossary-vault", "hf-docs", "ml-cheatsheet-rst",
               "ml-glossary-terms")

_TAG = re.compile(r"<[^>]+>")
_MD_LINK = re.compile(r"!?\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])")
_WIKI = re.compile(r"!?\[\[(?:[^\]|]*\|)?([^\]]*)\]\]")
_RST_ROLE = re.compile(r":[\w:-]+:`([^`<]*?)\s*(?:<[^>]*>)?`")
_RST_REF = re.compile(r"`([^`<]+?)\s*(?:<[^>]*>)?`_{1,2}")
_EMPH = re.compile(r"(\*{1,3}|_{2}|`{1,2})(?=\S)(.+?)(?<=\S)\1")
_SPACE = re.compile(r"\s+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'$\\])")


@dataclass(frozen=True, slots=True)
class DevQuery:
    """One reverse-dictionary query, with its text built from ../shared."""

    id: str
    kind: str  # "description" or "formula"
    split: str  # "tune" or "report"
    source: str  # source collection
    target: str  # target collection: the only one ingested when this query runs
    text: str
    expected: tuple[str, ...]  # names of the target concept


def clean(raw: str) -> str:
    """Inline markup of Markdown, HTML, wikitext and reStructuredText removed."""
    text = _TAG.sub(" ", raw)
    text = html.unescape(text)
    text = _WIKI.sub(r"\1", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _RST_ROLE.sub(r"\1", text)
    text = _RST_REF.sub(r"\1", text)
    text = _EMPH.sub(r"\2", text)
    text = text.replace("**", "").replace("==", "")
    return _SPACE.sub(" ", text).strip()


def opening(text: str, min_words: int = 12, max_words: int = 60) -> str:
    """The opening sentences: at least `min_words` words when the text has them, at most 2."""
    out: list[str] = []
    for sentence in _SENTENCE.split(text):
        out.append(sentence)
        if len(" ".join(out).split()) >= min_words or len(out) == 2:
            break
    words = " ".join(out).split()
    return " ".join(words[:max_words])


def mask(text: str, names: list[str] | tuple[str, ...], token: str = MASK) -> str:
    """Every name (any case, hyphen or space, plural) replaced by `token`, longest first."""
    for name in sorted({n for n in names if n.strip()}, key=len, reverse=True):
        parts = [re.escape(p) for p in re.split(r"[\s\-_]+", name.strip()) if p]
        if not parts:
            continue
        body = r"[\s\-_]*".join(parts)
        pattern = re.compile(rf"(?<![\w]){body}(?:s|es|'s)?(?![\w])", re.IGNORECASE)
        text = pattern.sub(token.replace("\\", "\\\\"), text)
    return _SPACE.sub(" ", text).strip() if not token else text


def mask_exact(text: str, names: list[str] | tuple[str, ...], token: str = MASK) -> str:
    """Each name replaced by `token` where it is spelled exactly so (case-sensitive), longest
    first."""
    for name in sorted({n for n in names if n.strip()}, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", token.replace("\\", "\\\\"), text)
    return _SPACE.sub(" ", text).strip()


def source_names(ref: dict) -> list[str]:
    """The names a reference masks that are the source's own: the mask list is the source's
    names, then the target's that the source does not spell the same."""
    names = list(ref["mask"])
    k = len(names)
    while k > 1 and names[k - 1] in ref["target"]["names"]:
        k -= 1
    return names[:k]


def read_lines(collection: str, file: str, lines: tuple[int, int]) -> str:
    path = CORPORA / collection / file
    all_lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(all_lines[lines[0] - 1 : lines[1]])


def build_text(
    kind: str, raw: str, names: list[str] | tuple[str, ...], token: str = MASK,
    exact: bool = False,
) -> str:
    """The query a reference stands for: a definition's opening, or a formula, masked (with
    `exact`, only where a name is spelled exactly so)."""
    hide = mask_exact if exact else mask
    if kind == "formula":
        text = raw.replace("$$", " ").replace(".. math::", " ")
        text = _TAG.sub(" ", html.unescape(text))
        return _SPACE.sub(" ", hide(text, names, token)).strip()
    return hide(opening(clean(raw)), names, token)


def content_words(text: str) -> int:
    return sum(1 for w in re.findall(r"[A-Za-z]{3,}", text))


def load(path: Path = DESCRIPTIONS, style: str = "blank", hide: str = "all") -> list[DevQuery]:
    """The dev set with its query texts, read from ../shared/corpora; names hidden in `style`
    (one of `MASK_STYLES`), all of them or the source's own as it spells them (`HIDE`)."""
    token = MASK_STYLES[style]
    if hide not in HIDE:
        raise ValueError(f"hide is one of {', '.join(HIDE)}, not {hide!r}")
    out = []
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        ref = json.loads(line)
        src = ref["source"]
        raw = read_lines(src["collection"], src["file"], tuple(src["lines"]))  # type: ignore[arg-type]
        out.append(DevQuery(
            id=ref["id"], kind=ref["kind"], split=ref["split"], source=src["collection"],
            target=ref["target"]["collection"],
            text=(build_text(ref["kind"], raw, ref["mask"], token) if hide == "all" else
                  build_text(ref["kind"], raw, source_names(ref), token, exact=True)),
            expected=tuple(ref["target"]["names"]),
        ))
    return out


def own_words(path: Path = OWN_WORDS) -> list[DevQuery]:
    """Concepts described in a reader's own words, written from the concept's name alone (its
    definitions in the corpora unread), each searched in its one collection."""
    out = []
    for line in path.read_text().splitlines():
        if line.strip():
            ref = json.loads(line)
            out.append(DevQuery(id=ref["id"], kind="own-words", split=ref["split"],
                                source="", target=ref["target"], text=ref["query"],
                                expected=tuple(ref["expected"])))
    return out


def paired_names(path: Path = DESCRIPTIONS) -> list[DevQuery]:
    """Each paired concept's names as the dev set's pairs spell them, searched in the target
    collection: "same" when the target has that name too, "respelled" when only
    the other collection writes it so ("Long Short-Term Memory" for an "LSTM" entry). One
    query per (target collection, name), in the split of its first pair."""
    from grimoire.names import normalize  # bench/search.py puts src/ on the path

    out: list[DevQuery] = []
    seen: set[tuple[str, str]] = set()
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        ref = json.loads(line)
        target = ref["target"]
        own = {normalize(n) for n in target["names"]}
        for name in ref["mask"]:
            key = (target["collection"], normalize(name))
            if key in seen:
                continue
            seen.add(key)
            kind = "same" if key[1] in own else "respelled"
            out.append(DevQuery(id=f"n:{key[0]}:{key[1]}", kind=kind, split=ref["split"],
                                source=ref["source"]["collection"], target=key[0], text=name,
                                expected=tuple(target["names"])))
    return out
