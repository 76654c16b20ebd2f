"""Merge entries into concepts, on evidence only, and say why for each merge.

Evidence, strongest first:

1. the same normalised term (`L1 Regularization` in two glossaries), written with the same
   operators (`C++` is not `C#`, nor `-> operator` `Operator`);
2. a name one source states for its entry: the acronym or the expansion in a heading
   (`Low-Rank Adaptation (LoRA) Fine-Tuning`), an expansion a definition opens with
   (`Mechanistic Interpretability (MI) is ...`), front-matter aliases, a wikilink label that
   abbreviates its target (`[[Abstraction and Reasoning Corpus|ARC]]`);
3. a redirect entry (`See X`, `Abbreviation for [[X]]`): it joins an entry of the same name
   elsewhere, or else becomes a name of X;
4. the user's `[[join]]` in grimoire.toml (and `[[split]]` forbids a merge).

Never merged: two entries of one document on a stated name (a glossary with both `Long
Short-Term Memory (LSTM) Cell` and `... Network` means two concepts), and an acronym whose
expansions disagree (`LDA` for Latent Dirichlet Allocation and Linear Discriminant Analysis):
such a name stays a name of each, and a link to it is "ambiguous". Derived names (a term
without its kind word: `LangChain` from `LangChain Python Module`) find concepts but never
merge them.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

from grimoire.names import (
    definition_expansion,
    english_name,
    is_abbreviation,
    keeps_kind,
    looks_like_acronym,
    normalize,
    parse_term,
    term_names,
)
from grimoire.resolve.overrides import Overrides, Rule
from grimoire.resolve.types import (
    ConceptRecord,
    EntryRow,
    LinkRow,
    MergeRecord,
    NameRecord,
)

_SHORT_REASONS = frozenset({"acronym", "short form", "link label"})
ENGLISH_NAME = "English name"  # "CNN" of "CNN卷积神经网络" (`english_name`)
_ENTRY_AT = re.compile(r"^(?P<path>.+):(?P<line>\d+)$")
# Expansions closer than this (rapidfuzz ratio, 0-100) are spellings of one long form:
# "Low-Rank Adaptation" and "Low-Rank Adaptability" both expand LoRA.
SAME_EXPANSION = 85
# An alias notes of more titles than this list (in front matter) is a word they share, not
# one concept's name: none joins the page it titles. Two vaults' notes on Adam listing
# "Adaptive Moment Estimation" and a glossary's page of that title are one concept
# (review47a); 10,000 notes listing it and the page were one concept of 10,001 (round 49);
# four notes titled "Adam" listing it are one title (review49c).
ALIAS_NOTES = 3


@dataclass(frozen=True, slots=True)
class Claim:
    """One entry's claim to a name."""

    norm: str
    name: str
    reason: str
    strength: int
    entry: int
    document: int
    link_id: int | None = None


class Components:
    """Union-find over entry ids, refusing unions that a `[[split]]` forbids (none unless
    tagged: `view.wanted_pages` joins the spellings of a missing page with it too)."""

    def __init__(self, ids: Iterable[int]) -> None:
        self.parent = {i: i for i in ids}
        self.tags: dict[int, dict[int, set[int]]] = {}  # root -> rule -> sides present
        self.merges: list[MergeRecord] = []
        self.refused: list[tuple[int, int, str]] = []

    def find(self, i: int) -> int:
        parent = self.parent
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
        return root

    def tag(self, entry: int, rule: int, side: int) -> None:
        self.tags.setdefault(self.find(entry), {}).setdefault(rule, set()).add(side)

    def union(self, a: int, b: int, name: str, reason: str) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        ta, tb = self.tags.get(ra), self.tags.get(rb)
        if ta and tb:
            for rule in ta.keys() & tb.keys():
                if len(ta[rule] | tb[rule]) > 1:
                    self.refused.append((a, b, reason))
                    return False
        self.parent[rb] = ra
        if tb:
            merged = self.tags.setdefault(ra, {})
            for rule, sides in tb.items():
                merged.setdefault(rule, set()).update(sides)
            del self.tags[rb]
        self.merges.append(MergeRecord(a, b, name, reason))
        return True


# "Kullback-Leibler (KL) divergence": an acronym inside a lower-case phrase, which `parse_term`
# keeps whole ("bias (math) or bias term" is a phrase too; only initials in the brackets count).
_INNER_ACRONYM = re.compile(
    r"^(?P<long>[A-Z][\w'-]*(?: [\w'-]+){0,4}) \((?P<short>[^()\s]{2,10})\)"
    r"(?P<tail>(?: [a-z][\w-]*){1,3})$"
)


def inner_acronym_names(term: str) -> list[tuple[str, str]]:
    """`X (ACR) tail` states `ACR tail` and `X tail` as names, when ACR abbreviates X.

    >>> inner_acronym_names("Kullback-Leibler (KL) divergence")
    [('KL divergence', 'acronym'), ('Kullback-Leibler divergence', 'expansion')]
    """
    m = _INNER_ACRONYM.match(" ".join(term.split()))
    if m is None or not looks_like_acronym(m["short"]) or not is_abbreviation(m["short"],
                                                                                m["long"]):
        return []
    return [(f"{m['short']}{m['tail']}", "acronym"), (f"{m['long']}{m['tail']}", "expansion")]


# "self-attention (also called self-attention layer)": the brackets hold another name.
_ASIDE = re.compile(r"^(?:also called|also known as|a\.?k\.?a\.?|or)\s+(?P<name>.+)$", re.I)
# "pre-trained model" / "pretrained model": a hyphen between two letters is optional spelling.
_INNER_HYPHEN = re.compile(r"(?<=[A-Za-z])-(?=[A-Za-z])")
# "supervised machine learning" / "supervised learning": one word before "machine learning".
_MACHINE_LEARNING = re.compile(r"^(?P<word>[\w-]+) machine (?P<tail>learning)$", re.I)


def spelling_names(term: str) -> list[tuple[str, str]]:
    """Names a term states by the way it is written, beside those `term_names` finds.

    >>> spelling_names("pre-trained model")
    [('pretrained model', 'spelling')]
    >>> spelling_names("supervised machine learning")
    [('supervised learning', 'spelling')]
    >>> spelling_names("pre-trained model (PTM)"), spelling_names("LoRA (Low-Rank Adaptation)")
    ([('pretrained model', 'spelling')], [])
    >>> spelling_names("self-attention (also called self-attention layer)")
    [('self-attention', 'name before the brackets'), ('self-attention layer', 'also called'), \
('selfattention', 'spelling')]
    """
    parsed = parse_term(term)
    found: list[tuple[str, str]] = []
    aside = _ASIDE.match(parsed.qualifier or "")
    if aside is not None:
        found += [(parsed.base, "name before the brackets"), (aside["name"], "also called")]
    # The name before any brackets: "LoRA (Low-Rank Adaptation)" was also "LoRA (LowRank
    # Adaptation)", shown as a name nobody wrote.
    base = parsed.base if aside is not None or "(" in term else " ".join(term.split())
    if _INNER_HYPHEN.search(base):
        found.append((_INNER_HYPHEN.sub("", base), "spelling"))
    ml = _MACHINE_LEARNING.match(base)
    if ml is not None:
        found.append((f"{ml['word']} {ml['tail']}", "spelling"))
    return found


def shown_label(term: str) -> str:
    """The label a term shows as: without an `(also called ...)` aside, and without its kind
    word when that is a glossary's note of what the name is (`labelled`)."""
    return labelled(term)[0]


def labelled(term: str) -> tuple[str, str | None]:
    """The label a term shows as, and the kind word it dropped, if any.

    A kind word is dropped after a name (`LangChain Python Module`, `GPT-4 Model`,
    `Low-Rank Adaptation (LoRA) Fine-Tuning`), not where it heads the name: round 35's new
    user saw "Generative Model" shown as `Generative`, "Loss Function" as `Loss` and the paper
    "A Neural Conversational Model" as `A Neural Conversational`. One rule with the names a
    term states (`names.keeps_kind`): a term whose label keeps its kind word states no name
    without it."""
    parsed = parse_term(term)
    label = parsed.base if _ASIDE.match(parsed.qualifier or "") else parsed.label
    if parsed.kind is not None and keeps_kind(parsed):
        return f"{label} {parsed.kind}", None
    return label, parsed.kind


def entry_claims(entry: EntryRow) -> tuple[list[Claim], str | None]:
    """The names an entry states, and the normalised long form of its acronym, if any.

    A short form with no long form (`Sequence to Sequence Learning (seq2seq)`) gives the
    name it stands beside as its long form, so that two sources stating it can agree.
    """
    claims = [
        Claim(normalize(n.name), n.name, n.reason, n.strength, entry.id, entry.document_id)
        for n in term_names(entry.term, entry.definition, entry.aliases)
    ]
    known = {c.norm: c for c in claims}
    for name, reason in [*inner_acronym_names(entry.term), *spelling_names(entry.term)]:
        norm = normalize(name)
        old = known.get(norm)
        if old is None or old.strength < 2:
            if old is not None:
                claims.remove(old)
            known[norm] = Claim(norm, name, reason, 2, entry.id, entry.document_id)
            claims.append(known[norm])
    if (english := english_name(entry.term)) is not None and normalize(english) not in known:
        claims.append(Claim(normalize(english), english, ENGLISH_NAME, 1, entry.id,
                            entry.document_id))
    parsed = parse_term(entry.term)
    expansion = parsed.expansion or definition_expansion(entry.term, entry.definition)
    if expansion is None and parsed.acronym and parsed.base != parsed.acronym:
        expansion = parsed.base
    return [c for c in claims if c.norm], normalize(expansion) if expansion else None


def same_long_form(a: str, b: str) -> bool:
    """Whether two normalised long forms of one acronym are spellings of one name.

    Close spellings (`low rank adaptation`, `low rank adaptations`), the same words but for
    endings on a shared stem of six letters or more (a glossary that expands LoRA as
    `Low-Rank Adaptability`), or one the other plus trailing words (`sequence to sequence`,
    `sequence to sequence learning`).
    """
    if a == b or fuzz.ratio(a, b) >= SAME_EXPANSION:
        return True
    wa, wb = a.split(), b.split()
    n = min(len(wa), len(wb))
    if n >= 2 and wa[:n] == wb[:n]:
        return True
    return len(wa) == len(wb) >= 2 and all(_same_stem(x, y) for x, y in zip(wa, wb, strict=True))


def _same_stem(x: str, y: str) -> bool:
    # "adaptation"/"adaptability" share "adapta"; "recurrent"/"recursive" only "recur".
    if x == y:
        return True
    shorter = min(len(x), len(y))
    common = next((i for i, (a, b) in enumerate(zip(x, y, strict=False)) if a != b), shorter)
    return common >= max(6, shorter - 4)


def label_claims(links: list[LinkRow], owners: dict[str, list[Claim]]) -> list[Claim]:
    """Names from `[[target|label]]`: the label is a name of the target's entry.

    Only a label that abbreviates its target is strong enough to merge on; other labels
    ("nucleus sampling" for Top-P Sampling) only help find the concept. A link into a section
    (`[[Evasion Attack#Known defenses|most defenses against evasion attacks]]`) labels the
    section, not the page (qa49b: the label was a name of the vault's note).
    """
    found: list[Claim] = []
    for link in links:
        if link.kind not in ("wikilink", "embed") or not link.label:
            continue
        if link.fragment and normalize(link.fragment) != normalize(link.target):
            continue
        label = " ".join(link.label.split())
        norm = normalize(label)
        if not norm or not any(c.isalpha() for c in label) or len(label.split()) > 8:
            continue
        terms = owners.get(normalize(link.target))
        if not terms or norm == terms[0].norm:
            continue
        short = looks_like_acronym(label) and is_abbreviation(label, link.target)
        for owner in terms:
            found.append(Claim(norm, label, "link label", 2 if short else 1, owner.entry,
                               owner.document, link.id))
    return found


def merge_entries(
    entries: list[EntryRow], links: list[LinkRow], overrides: Overrides
) -> tuple[Components, dict[int, list[Claim]], dict[int, str | None]]:
    """Union the non-redirect entries on stated names; returns components, claims, expansions."""
    real = [e for e in entries if not e.redirect]
    parts = Components(e.id for e in entries)
    by_norm: dict[str, list[Claim]] = defaultdict(list)
    by_entry: dict[int, list[Claim]] = defaultdict(list)
    expansions: dict[int, str | None] = {}
    terms: dict[int, str] = {}
    # "CNN卷积神经网络" over a part "CNN训练原理" (how CNNs train): the page names what its
    # English name stands for, not each part about it. The first entry of a document to
    # claim one keeps it (a name by `english_name`).
    first: dict[tuple[int, str], tuple[int, int]] = {}
    for e in real:
        if (english := english_name(e.term)) is not None:
            key = (e.document_id, normalize(english))
            first[key] = min(first.get(key, (e.line, e.id)), (e.line, e.id))
    for e in real:
        claims, expansions[e.id] = entry_claims(e)
        claims = [c for c in claims if c.reason != ENGLISH_NAME
                  or first[(e.document_id, c.norm)][1] == e.id]
        terms[e.id] = e.term
        for c in claims:
            by_norm[c.norm].append(c)
            by_entry[e.id].append(c)
    owners = {n: [c for c in cs if c.strength == 3] for n, cs in by_norm.items()}
    owners = {n: cs for n, cs in owners.items() if cs}
    for c in label_claims(links, owners):
        by_norm[c.norm].append(c)
        by_entry[c.entry].append(c)

    _apply_splits(parts, overrides.of("split"), entries, by_norm)
    rows = {e.id: e for e in real}
    for norm in sorted(by_norm):
        _merge_on(parts, by_norm[norm], expansions, terms)
        _join_qualified(parts, by_norm[norm], rows)
    for rule in overrides.of("join"):
        groups = [_rule_entries(name, entries, by_norm) for name in rule.names]
        firsts = [g[0] for g in groups if g]
        for other in firsts[1:]:
            parts.union(firsts[0], other, " + ".join(rule.names),
                        f"joined in {rule.path}" + (f": {rule.reason}" if rule.reason else ""))
    return parts, by_entry, expansions


# "C++" and "C#", "`->` operator" and "Operator": one key (`normalize` keeps letters and
# digits), but the operator is the name. Two names of one key are the same name only when they
# write the same operators (qa42: the arrow of a C++ note was linear algebra's "Operator").
# A single `+` is one only at a word's end ("A+"): between words it joins them, as a space does
# ("CNN+LSTM" is "CNN + LSTM").
_OPERATOR = re.compile(r"(?<=\w)(?:\+\+|\+(?!\w)|#)|->|=>|<<|>>|[=!<>]=|::")


def operators(name: str) -> tuple[str, ...]:
    """The operators `name` writes, which its key does not hold: `C++` ('++',)."""
    return tuple(_OPERATOR.findall(name))


def _merge_on(
    parts: Components, claims: list[Claim], expansions: dict[int, str | None],
    terms: dict[int, str],
) -> None:
    named = [c for c in claims if c.strength == 3]
    first: dict[tuple[str, ...], Claim] = {}
    for c in named:
        same = first.setdefault(operators(c.name), c)
        if same is not c:
            parts.union(same.entry, c.entry, c.name, "same name")
    stated = [c for c in claims if c.strength == 2]
    if not stated:
        return
    per_doc: dict[int, set[int]] = defaultdict(set)
    for c in stated:
        per_doc[c.document].add(c.entry)
    named_docs = {c.document for c in named}
    usable = [c for c in stated if len(per_doc[c.document]) == 1 and c.document not in named_docs]
    listing = [c for c in usable if c.reason == "alias"]
    # Counted by title: four vaults' notes titled "Adam" are one concept's pages (review49c).
    listers = len({normalize(terms[c.entry]) for c in listing})
    if len({c.document for c in listing}) > 1 and (not named or listers > ALIAS_NOTES):
        # Notes that each list the name among their front-matter aliases: a keyword they
        # share, no sign that they are one concept (qa47: an interview vault's "skip
        # connections" on U-Net's note and on the residual block's made `show U-Net` print
        # the residual block). It stays a name of each; an alias that is another note's
        # title (a named claim) still joins the notes that list it: two vaults' "Adam" notes
        # both listing "Adaptive Moment Estimation", a glossary's page of that title (three
        # concepts for Adam without `not named`, review47a), unless notes of more than
        # ALIAS_NOTES titles list it (round 49).
        usable = [c for c in usable if c.reason != "alias"]
    if not usable:
        return
    if any(c.reason in _SHORT_REASONS for c in usable):
        usable = _one_expansion(usable, named, expansions, terms)
        if not usable:
            return
        if not named and len({c.document for c in usable}) < 2:
            return
    anchor = named[0] if named else usable[0]
    for c in usable:
        if c.entry != anchor.entry:
            why = f"{c.name!r} is the {c.reason} in {terms[c.entry]!r}"
            if c.reason == "definition":
                why = f"{terms[c.entry]!r} opens its definition with {c.name!r}"
            parts.union(anchor.entry, c.entry, c.name, why)


_WORD = re.compile(r"[a-z]+")


def _join_qualified(parts: Components, claims: list[Claim], rows: dict[int, EntryRow]) -> None:
    """`Stride (convolution)` is the `stride` of another source whose definition speaks of
    convolution.

    A disambiguator in brackets names the field a term belongs to, not another name, so the
    bare name alone never merges (`Kernel (convolution)` is not an SVM's `Kernel`). It joins
    the entries of that bare name when their definition opens with words of the qualifier's
    field, and its own folder has no other sense of the name (the vault's `node (decision
    tree)` beside `node (neural network)`, or `Facet (visualization tool)` beside `Facet`).
    """
    named = [c for c in claims if c.strength == 3]
    qualified = [c for c in claims if c.reason == "without qualifier" and c.entry in rows]
    if not named or not qualified:
        return

    def folder(c: Claim) -> str:
        row = rows.get(c.entry)
        return posixpath.dirname(row.path) if row is not None else ""

    for c in qualified:
        here = folder(c)
        if sum(folder(o) == here for o in qualified) > 1 or any(folder(n) == here
                                                                for n in named):
            continue
        term = rows[c.entry].term
        field = [w for w in _WORD.findall((parse_term(term).qualifier or "").casefold())
                 if len(w) >= 4]
        if not field:
            continue
        for n in named:
            row = rows.get(n.entry)
            said = set(_WORD.findall(row.definition.casefold())) if row is not None else set()
            if row is not None and all(any(d.startswith(w) or _same_stem(w, d) for d in said)
                                       for w in field):
                parts.union(n.entry, c.entry, c.name,
                            f"{term!r} is {c.name!r} in the field {row.term!r}'s definition "
                            "speaks of")
                break


def _one_expansion(
    usable: list[Claim], named: list[Claim], expansions: dict[int, str | None],
    terms: dict[int, str],
) -> list[Claim]:
    """The claims of an acronym that agree on one long form, or [] when it is ambiguous.

    An entry that states no long form is its own: a link `[[recurrent neural network|RNN]]`
    says that the entry `recurrent neural network` is RNN's long form.
    """
    clusters: list[tuple[str, list[Claim]]] = []
    for c in usable:
        key = expansions.get(c.entry) or (
            normalize(parse_term(terms[c.entry]).base) if c.reason == "link label" else ""
        ) or f"\0{c.entry}"
        for ckey, members in clusters:
            if ckey == key or (ckey[0] != "\0" and key[0] != "\0"
                               and same_long_form(ckey, key)):
                members.append(c)
                break
        else:
            clusters.append((key, [c]))
    if len(clusters) == 1:
        return clusters[0][1]
    wanted = {w for c in named if (w := expansions.get(c.entry)) is not None}
    fitting = [m for k, m in clusters if any(same_long_form(k, w) for w in wanted)]
    return fitting[0] if len(fitting) == 1 else []


def _rule_entries(name: str, entries: list[EntryRow], by_norm: dict[str, list[Claim]]) -> list[int]:
    """The entries a name in grimoire.toml means: "file:line", else by term, else by alias."""
    m = _ENTRY_AT.match(name)
    if m:
        line = int(m["line"])
        return [e.id for e in entries
                if e.line == line and (e.path == m["path"] or e.path.endswith("/" + m["path"]))]
    claims = by_norm.get(normalize(name), [])
    for strength in (3, 2, 1):
        found = [c.entry for c in claims if c.strength == strength]
        if found:
            return sorted(set(found))
    norm = normalize(name)
    return [e.id for e in entries if e.redirect and normalize(e.term) == norm]


def _apply_splits(
    parts: Components, rules: list[Rule], entries: list[EntryRow],
    by_norm: dict[str, list[Claim]],
) -> None:
    for i, rule in enumerate(rules):
        for side, name in enumerate(rule.names):
            for entry in _rule_entries(name, entries, by_norm):
                parts.tag(entry, i, side)


def page_of(path: str) -> str:
    """A page file's path without its extension: the address a site serves it at."""
    return posixpath.splitext(path)[0]


def redirect_page(e: EntryRow) -> str | None:
    """The page file a redirect names by its address, beside its own file, or None: a
    Jekyll page's `destination: backpropagation` is `backpropagation.md` next to it (round
    36: `destination: yolov2-object-detection`, whose page is titled "YOLOv2 (object
    detection algorithm)", led nowhere)."""
    slug = (e.redirect or "").strip().strip("/").rsplit("/", 1)[-1]
    if not slug or any(c.isspace() for c in slug):
        return None
    return posixpath.join(posixpath.dirname(e.path), page_of(slug))


def attach_redirects(
    parts: Components, entries: list[EntryRow], by_entry: dict[int, list[Claim]]
) -> dict[int, str]:
    """Put each redirect entry with its concept; returns entry id -> role ("entry"/"redirect").

    A redirect whose own name is another source's term joins that entry as an entry of its
    own (a glossary that says "Lasso Regression: see L1" beside one that defines it); else it
    becomes a name of its target, following redirect chains; a redirect to nothing known
    stays a concept of its own, and its link is wanted.
    """
    roles = {e.id: "entry" for e in entries}
    index: dict[str, dict[int, int]] = defaultdict(dict)  # norm -> root -> best strength
    term_docs: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for entry_id, claims in by_entry.items():
        for c in claims:
            best = index[c.norm]
            root = parts.find(entry_id)
            best[root] = max(best.get(root, 0), c.strength)
            if c.strength == 3:
                term_docs[c.norm].append((c.document, entry_id))
    pending = [e for e in entries if e.redirect]
    # a page's own entry (its title, from its first line) by the page's address
    pages = {page_of(e.path): e.id for e in entries if e.line == 1 and not e.redirect}
    done: set[int] = set()
    for e in pending:
        same = [eid for doc, eid in term_docs.get(normalize(e.term), []) if doc != e.document_id]
        if same and len({parts.find(s) for s in same}) == 1:
            parts.union(same[0], e.id, e.term, f"same name ({e.term!r} says only: see "
                                               f"{e.redirect!r})")
            done.add(e.id)
    pending = [e for e in pending if e.id not in done]
    for _ in range(8):  # redirect chains: A -> B -> C
        progress = False
        left = []
        for e in pending:
            target = _best(parts, index.get(normalize(e.redirect or ""), {}))
            if target is None and (page := redirect_page(e)) in pages:
                target = parts.find(pages[page])
            if target is None:
                left.append(e)
                continue
            parts.union(target, e.id, e.term, f"{e.term!r} is a redirect to {e.redirect!r}")
            roles[e.id] = "redirect"
            index[normalize(e.term)].setdefault(parts.find(target), 2)
            progress = True
        pending = left
        if not progress:
            break
    return roles


def _best(parts: Components, candidates: dict[int, int]) -> int | None:
    if not candidates:
        return None
    top = max(candidates.values())
    roots = {parts.find(r) for r, s in candidates.items() if s == top}
    return roots.pop() if len(roots) == 1 else None


def build_concepts(
    parts: Components, entries: list[EntryRow], by_entry: dict[int, list[Claim]],
    roles: dict[int, str], overrides: Overrides,
) -> tuple[list[ConceptRecord], dict[int, int]]:
    """One record per component, with label, kind, names and merge reasons.

    Returns the records and entry id -> index in the list.
    """
    members: dict[int, list[EntryRow]] = defaultdict(list)
    for e in entries:
        members[parts.find(e.id)].append(e)
    merges_of: dict[int, list[MergeRecord]] = defaultdict(list)
    for m in parts.merges:
        merges_of[parts.find(m.entry_id)].append(m)
    records: list[ConceptRecord] = []
    where: dict[int, int] = {}
    keys: set[str] = set()
    roots = sorted(members, key=lambda r: min(e.id for e in members[r]))
    labels = {root: _label(members[root], roles) for root in roots}
    shown: dict[str, list[int]] = defaultdict(list)
    for root, (label, _, _) in labels.items():
        shown[normalize(label)].append(root)
    for root, (label, _, dropped) in labels.items():
        if dropped and len(shown[normalize(label)]) > 1:
            # Two concepts would show one label (`Linear` for the seeds' `Linear Activation
            # Function` and the cheat sheet's `Linear`; the LSTM `Cell` and `Network` beside
            # `LSTM`): the one whose kind word was dropped keeps it.
            labels[root] = (f"{label} {dropped}", labels[root][1], dropped)
    # Two concepts with one label: the one whose first entry comes first in file order (path,
    # then line) keeps the label as its key, the next takes " 2", and so on. Not by entry
    # ids, which follow the order a parallel ingest wrote the files: which of two "Attention"
    # concepts `/c/attention` opened changed from one ingest to the next (round 39).
    given: dict[int, str] = {}
    for root in sorted(roots, key=lambda r: min((e.path, e.line, e.id) for e in members[r])):
        key = normalize(labels[root][0]) or f"concept {root}"
        if key in keys:
            n = 2
            while f"{key} {n}" in keys:
                n += 1
            key = f"{key} {n}"
        keys.add(key)
        given[root] = key
    for root in roots:
        group = members[root]
        label, kind, _ = labels[root]
        key = given[root]
        names: dict[str, NameRecord] = {}
        # Which spelling (and entry) a name keeps does not follow entry ids, which follow the
        # order a parallel ingest wrote the files: "hinge loss" (a vault's page) and "Hinge
        # loss" (a glossary's), claimed alike, kept whichever came first, and the combined
        # store's name changed case from run to run (round 38). The strongest claim wins; on
        # a tie the spelling the label shows, then the entry first in file order, then the
        # spelling itself.
        at = {e.id: (e.path, e.line) for e in group}
        for e in sorted(group, key=lambda e: (e.path, e.line, e.id)):
            claims = by_entry.get(e.id, [])
            if roles[e.id] == "redirect" or not claims:
                claims = [Claim(normalize(e.term), e.term, "redirect" if roles[e.id] ==
                                "redirect" else "term", 2 if roles[e.id] == "redirect" else 3,
                                e.id, e.document_id)]
                if roles[e.id] == "redirect":
                    # what its term states finds it too, never merges: `show yolo9000` for
                    # "YOLO9000 (object detection algorithm)", a redirect (round 36)
                    claims += [Claim(normalize(n.name), n.name, n.reason, 1, e.id,
                                     e.document_id) for n in term_names(e.term)[1:]]
            for c in claims:
                old = names.get(c.norm)
                if c.norm and (old is None or _name_rank(c, label, at) < _name_rank(Claim(
                        old.norm, old.name, old.reason, old.strength, old.entry_id or 0, 0),
                        label, at)):
                    names[c.norm] = NameRecord(c.name, c.norm, c.reason, c.strength, c.entry,
                                               c.link_id)
        index = len(records)
        records.append(ConceptRecord(key=key, label=label, kind=kind,
                                     entries=[(e.id, roles[e.id]) for e in group],
                                     names=list(names.values()), merges=merges_of.get(root, []),
                                     sections=[]))
        for e in group:
            where[e.id] = index
    return records, where


def _name_rank(c: Claim, label: str, at: dict[int, tuple[str, int]]
               ) -> tuple[int, bool, bool, bool, bool, tuple[str, int], str, str]:
    """How a claim to a name ranks against another to the same name (lowest wins): the
    strongest; then the spelling the concept's `label` shows, else one that opens in the
    label's case ("Coadaptation" of "Co-adaptation"); then a claim of one of the concept's own
    entries over a redirect page's ("DQN" the acronym of "Deep Q-Network (DQN)", not of
    `DQN.md`), and what a term says over another note's link label ("node" without the
    qualifier of "node (neural network)"); then the entry first in file order (`at`: entry
    id -> path and line); then the spelling and reason themselves."""
    return (-c.strength, c.name != label, c.name[:1].isupper() != label[:1].isupper(),
            c.reason == "redirect", c.reason == "link label", at.get(c.entry, ("", 0)),
            c.name, c.reason)


def _label(group: list[EntryRow], roles: dict[int, str]
           ) -> tuple[str, str | None, str | None]:
    """The name most sources use; on a tie the one that spells out its acronym.

    Returns the label, the concept's kind, and the kind word the label dropped (if any).
    """
    own = [e for e in group if roles[e.id] == "entry"] or group
    # A page that only says "see X" under the concept's short name (a vault's `RNN.md`:
    # "Abbreviation for recurrent neural network") joins as an entry, but does not vote.
    own = [e for e in own if not e.redirect] or own
    # In file order, not entry-id order: ids follow the order a parallel ingest wrote the
    # files, and a tie must not flip the label (`softmax` / `Softmax`) from one ingest to the
    # next.
    own = sorted(own, key=lambda e: (e.path, e.line, e.id))
    counts: dict[str, int] = defaultdict(int)
    spellings: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    shown: dict[str, tuple[str, bool, int, str | None]] = {}
    kind = None
    for order, e in enumerate(own):
        parsed = parse_term(e.term)
        label, dropped = labelled(e.term)
        kind = kind or e.kind or dropped
        norm = normalize(label)
        counts[norm] += 1
        spellings[norm][label] += 1
        if norm not in shown:
            shown[norm] = (label, bool(parsed.acronym and parsed.expansion), order, dropped)
    best = max(counts, key=lambda n: (counts[n], shown[n][1], -shown[n][2]))
    # The spelling most of them use (`Softmax` three times, `softmax` once); on a tie one that
    # opens with a capital but is not all capitals (`Adadelta`, not `adadelta` or `ADADELTA`),
    # then the first in file order.
    written = spellings[best]
    first = {w: i for i, w in enumerate(written)}
    label = min(written, key=lambda w: (-written[w], w.isupper(), not w[:1].isupper(), first[w]))
    return label, kind, shown[best][3]
