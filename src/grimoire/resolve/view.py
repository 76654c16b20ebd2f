"""Concepts as the API hands them out: looked up by any name, with sources and links.

Functions here read the concept tables through the store; they never resolve by themselves
(the caller makes sure the tables are fresh, see `Grimoire._fresh`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, Levenshtein

from grimoire._api_args import text
from grimoire.errors import NotFound, quoted
from grimoire.model import ConceptId, Span
from grimoire.names import SUBTITLE, normalize, term_names
from grimoire.resolve.links import FILE_LINKS, link_key
from grimoire.resolve.merge import Components, inner_acronym_names, operators, spelling_names
from grimoire.resolve.types import (
    Concept,
    ConceptSummary,
    DeadLink,
    WantedPage,
)
from grimoire.store.base import Store
from grimoire.store.records import TextQuery

# A concept id as the stores keep it (a 64-bit integer): `/c/NAME?id=²` passed `isdigit` and
# 30 digits overflowed the database's integer, both a server error, not the page of the name.
_CONCEPT_ID = re.compile(r"[0-9]{1,18}")


def find_concept(store: Store, name: str, concept_id: str | None = None) -> ConceptId:
    """The id of the concept called `name` (any name or alias; case, hyphens, plurals ignored),
    or else labelled so: a label with its kind stripped ("Labeling" of "Labeling Function"
    and "Labeling Service") is shown by every face but is a name of neither (`show`, `graph`,
    the concept page and MCP said "no concept named 'Labeling'", the page "No note defines
    this yet").

    `concept_id` (a Hit's or a summary's) picks that concept when it is called `name` too:
    two concepts may share a label (`Linear` the activation function and `Linear` the
    glossary term), and the name alone finds only one. An id that names no such concept (one
    from before a rebuild) leaves the name to decide.

    Raises NotFound with "did you mean" suggestions, or listing the candidates when two
    concepts share the name (`LDA`) or the label.
    """
    key = normalize(text(name, "name"))
    if concept_id is not None and _CONCEPT_ID.fullmatch(concept_id):
        cid = int(concept_id)
        row = store.concept_row(cid)
        if row is not None and key in {normalize(row.label), *(
                normalize(n.name) for n in store.concept_names_of(cid))}:
            return ConceptId(str(cid))
    link = link_key(name)[1]
    if not key and not link:
        # Names are looked up by their letters and digits: "???" or "->" has none, and a
        # plain "no concept named" reads as if such a concept might exist.
        raise NotFound(f"no concept named {quoted(name)}: a name is looked up by its letters "
                       "and digits, and this one has none (try `grimoire search`)")
    # The name as typed first ("Fully-connected/Linear" is one name), then as a link reads it
    # (`notes/LoRA.md` -> "LoRA").
    found = store.concepts_named(key)
    if not found and link:
        found = store.concepts_named(link)
    if not found:
        return _labelled(store, name, key)
    top = found[0].strength
    best = [m.concept_id for m in found if m.strength == top]
    if len(best) > 1:
        # `C++` and `C#` share a key: the name as typed picks the one that writes its operators
        ops = operators(name)
        best = [c for c in best if any(
            normalize(n.name) == key and operators(n.name) == ops
            for n in store.concept_names_of(c))] or best
    if len(best) > 1:
        labels = store.concept_labels(best)
        # By label, not by id: ids differ between an incremental store and a fresh one.
        choices = sorted((labels[c][0], str(c)) for c in best if c in labels)
        raise NotFound(f"{quoted(name)} names {len(best)} concepts; say which",
                       suggestions=tuple(label for label, _ in choices), choices=tuple(choices))
    return ConceptId(str(best[0]))


def _labelled(store: Store, name: str, key: str) -> ConceptId:
    """The concept labelled `name` when no concept has it as a name."""
    labelled = _labelled_so(store, key) if key else []
    if not labelled:
        raise NotFound(f"no concept named {quoted(name)}", suggestions=nearest(store, name))
    if len(labelled) > 1:
        raise NotFound(f"{quoted(name)} names {len(labelled)} concepts; say which",
                       suggestions=tuple(f"{label} {kind}" if kind else label
                                         for _, label, kind in labelled),
                       choices=tuple((label, cid) for cid, label, _ in labelled))
    return labelled[0][0]


def _labelled_so(store: Store, key: str) -> list[tuple[ConceptId, str, str | None]]:
    """(id, label, kind) of the concepts whose label is `key` (normalised) but no name of
    theirs, A-Z by key. Such a label is a name with its kind word dropped ("Labeling" of
    "Labeling Function"), so it begins a name of the concept: one run of the index on names,
    shortest first, never every concept (issue 14: a miss read every label)."""
    start = f"{key} "
    ids = {concept for _, _, concept in store.concept_names_from(
        start, _after(start), len(start) + 1, 1000, 20 * NEAREST_RUN)}
    labels = store.concept_labels(ids)
    rows = {cid: store.concept_row(cid) for cid, (label, _) in labels.items()
            if normalize(label) == key}
    found = sorted((row.key, cid) for cid, row in rows.items() if row is not None)
    return [(ConceptId(str(cid)), *labels[cid]) for _, cid in found]


def suggest(store: Store, name: str, limit: int = 5, *, titled: bool = False) -> tuple[str, ...]:
    """The concept names nearest to `name`, for "did you mean" (lint's wanted pages and dead
    links); `titled` adds the names that are `name` with a subtitle (a name asked for by a
    user, not each wanted page's).

    Judged among the names an index finds (`_near_names`), never every name: lint asked
    for every name once per wanted page (issue 14)."""
    query = normalize(text(name, "name"))
    if not query:
        return ()
    names = _names_by_norm((norm, shown) for norm, shown, _ in _near_names(store, query))
    scored = [(norm, fuzz.WRatio(query, norm)) for norm in sorted(names)]
    matches = sorted((m for m in scored if m[1] >= 70), key=lambda m: -m[1])[:limit * 4]
    # WRatio rewards a short name inside a long one ('Bloom Filter' -> 'NER', 'Data
    # Parallelism' -> 'Linux Foundation AI And Data'); offer only what is likely right: a near
    # spelling of the whole name, or the same words in another order (issue 10, defect 11).
    # A spelling made to match ("topp sampling") is judged by the name it spells too: it hid
    # that "top p sampling" is a variant of "top k sampling", not a typo of it.
    likely = [m for m in matches if _likely_meant(query, m[0])
              and not _variant(query, normalize(names[m[0]]))
              and not _other_acronym(name, names[m[0]])]
    # Ties fall back to the name itself, so that every store with the same content suggests
    # the same names (issue 11, item 13), whatever order its rows were written in.
    ranked = sorted(likely, key=lambda m: (-fuzz.ratio(query, m[0]), -m[1], m[0]))
    # A variant of a nearer name is not offered beside it: "Top-K Samplng" is Top-K Sampling
    # misspelt, and Top-P Sampling merely shares its other words.
    kept: list[str] = []
    for norm, *_ in ranked:
        spelt = normalize(names[norm])
        if not any(_variant(a, b) for a in (norm, spelt) for b in kept):
            kept += [norm, spelt]
    found = list(dict.fromkeys(names[m[0]] for m in ranked
                               if m[0] in kept))
    if name.lstrip()[:1].isdigit():
        # `[[5.1 Optical Flow]]` to a page since renamed "Optical Flow": its number is the
        # outline it came from, and the page without it is what was meant (round 31: a
        # Logseq graph; the link is still reported, as the note app would open a new page).
        from grimoire.readers.conventions import unnumbered

        bare = normalize(unnumbered(name))
        written = _names_by_norm((norm, shown) for norm, shown, _ in store.concept_names_from(
            bare, _after(bare), len(bare), len(bare), NEAREST_RUN)) if bare else {}
        if bare in written:
            found.insert(0, written[bare])
    if titled and len(found) < limit:
        start = f"{query} "
        found += _titled(query, _names_by_norm(
            (norm, shown) for norm, shown, _ in store.concept_names_from(
                start, _after(start), len(start) + 1, 1000, NEAREST_RUN)))
    return tuple(dict.fromkeys(found))[:limit]


def _near_names(store: Store, query: str) -> list[tuple[str, str, int]]:
    """(norm, name, concept id) of the names `suggest` judges: a near spelling or a longer
    ending is among the names that start with the query's letter and are about its length
    (one run of the index on names), the same words in another order among the names of
    the entries whose names hold its words (the entries' full-text index)."""
    shortest = max(1, len(query) - len(query) // TYPO_EVERY - INFLECTION)
    longest = len(query) + len(query) // TYPO_EVERY + INFLECTION
    letter = query[0]
    rows = store.concept_names_from(letter, _after(letter), shortest, longest,
                                    20 * NEAREST_RUN)
    words = tuple(dict.fromkeys(query.split()))[:NAME_WORDS]
    if len(words) > 1:
        hits = store.fts_entries(TextQuery(words=words), NEAREST_WORDS, weights=(1.0, 0.0))
        concepts = set(store.concepts_of_entries([h.id for h in hits if h.score > 0]).values())
        rows += store.concept_names_of_concepts(concepts)
    return rows


NEAREST_WORDS = 100  # entries whose names hold a word of the query, looked at for "did you mean"
NAME_WORDS = 32  # a query's words looked up for the names that hold them: no name holds more,
# and PostgreSQL ranks at most 1,664 words in one statement (10,000 typed: "query failed")
NEAREST_RUN = 200  # names of one run of the index (a prefix, a letter) looked at, at most


def nearest(store: Store, name: str, limit: int = 5) -> tuple[str, ...]:
    """The concepts nearest to `name`, for a lookup that found none, each once: a near
    spelling of a whole name (`_likely_meant`), then the longer names: those `name` begins
    ("lasso" -> "Lasso Regression", "kl div" -> "KL divergence", "XGBoost" -> "XGBoost — A
    to Z") and those that hold each of its words ("regression" -> "Lasso Regression"), by
    the words they add, then shorter first.

    Never every name (issue 14; `suggest` read them all, and `show lasso` offered nothing
    beside "Lasso Regression", round 40): the near spellings are looked for among the names
    that start with its letter and are about its length, the longer names by one run of the
    index on names, the words through the entries' full-text index on names."""
    query = normalize(text(name, "name"))
    if not query:
        return ()
    ranked: dict[str, tuple[tuple[int, float, int, str], str, int]] = {}
    # (tier, how near, length, name): near spellings, then the longer names by the words
    # they add ("Linear Regression" before "Regression based latent factors").

    def offer(norm: str, shown: str, concept: int, rank: tuple[int, float, int, str]) -> None:
        if norm == query:
            return  # a name a lookup missed is a label only (`_labelled` says so)
        if norm not in ranked or rank < ranked[norm][0]:
            ranked[norm] = (rank, shown, concept)

    if name.lstrip()[:1].isdigit():
        # `[[5.1 Optical Flow]]` to a page since renamed "Optical Flow": its number is the
        # outline it came from, and the page without it is what was meant (round 31).
        from grimoire.readers.conventions import unnumbered

        bare = normalize(unnumbered(name))
        if bare:
            for norm, shown, concept in store.concept_names_from(
                    bare, _after(bare), len(bare), len(bare), NEAREST_RUN):
                offer(norm, shown, concept, (-1, 0.0, len(norm), norm))
    shortest = max(1, len(query) - len(query) // TYPO_EVERY - INFLECTION)
    longest = len(query) + len(query) // TYPO_EVERY + INFLECTION
    if len(query) >= 3:
        letter = query[0]
        for norm, shown, concept in store.concept_names_from(
                letter, _after(letter), shortest, longest, 20 * NEAREST_RUN):
            # judged by the name shown too: "Top-P Sampling" matched as "topp sampling" is a
            # variant of "top k sampling", not a typo of it (`suggest`)
            if _likely_meant(query, norm) and not _variant(query, normalize(shown)) \
                    and not _other_acronym(name, shown):
                offer(norm, shown, concept, (0, -fuzz.ratio(query, norm), len(norm), norm))
    words = query.split()
    longer = store.concept_names_from(f"{query} ", _after(f"{query} "), len(query) + 1, 1000,
                                      NEAREST_RUN)
    titled = set(_titled(query, {norm: shown for norm, shown, _ in longer}))
    for norm, shown, concept in longer:
        if shown in titled:
            # A page titled by the name and a subtitle ("Adam: Combining Momentum and
            # RMSprop") before a near spelling ("AdamW ..."): the page is about the name asked
            # for (round 50, qa50: a bilingual book titles every chapter so).
            offer(norm, shown, concept, (0, -101.0, len(norm), norm))
    # "lasso" -> "Lasso Regression", "kl div" -> "KL divergence": each word of the query
    # begins the name's word at its place (a word of 3 letters or more, or the whole name's).
    for norm, shown, concept in store.concept_names_from(
            words[0], _after(words[0]), len(query), 1000, NEAREST_RUN):
        nw = norm.split()
        if norm.startswith(f"{query} ") or (
                len(query) >= 3 and len(nw) >= len(words)
                and all(n.startswith(w) for n, w in zip(nw, words, strict=False))):
            offer(norm, shown, concept, (1, len(nw) - len(words), len(norm), norm))
    hits = store.fts_entries(TextQuery(words=tuple(dict.fromkeys(words))[:NAME_WORDS]),
                             NEAREST_WORDS, weights=(1.0, 0.0))
    concepts = set(store.concepts_of_entries([h.id for h in hits if h.score > 0]).values())
    wanted = set(words)
    named = store.concept_names_of_concepts(concepts)
    if len(words[0]) >= 4:
        # A typo in a word of a longer name ("attension" -> "Attention Mechanism"): the names
        # that begin as its first word does (`_word_runs`), each word then judged
        # (`_near_words`); the full-text index finds no misspelt word.
        named += store.concept_names_in(_word_runs(words[0]), len(query) - 1, 1000,
                                        NEAREST_RUN)
    for norm, shown, concept in named:
        nw = norm.split()
        if wanted <= set(nw):
            offer(norm, shown, concept, (1, len(nw) - len(words), len(norm), norm))
        elif len(nw) > len(words) and _near_words(words, nw):
            offer(norm, shown, concept, (2, len(nw) - len(words), len(norm), norm))
    if not ranked and len(query) >= 4 and not store.concepts_named(query):
        # Nothing found: a typo in the first letter ("radient descent" -> "Gradient
        # Descent"), which every look above keeps (they all begin with the query's letter).
        # A name is no typo: "PPO Trainer" typed whole is not offered "DPO Trainer".
        for norm, shown, concept in _first_letter_typos(store, query, shortest, longest):
            if _likely_meant(query, norm) and not _variant(query, normalize(shown)) \
                    and not _other_acronym(name, shown):
                offer(norm, shown, concept, (0, -fuzz.ratio(query, norm), len(norm), norm))
    out: list[str] = []
    seen: set[int] = set()
    kept: list[str] = []
    for norm, (_rank, shown, concept) in sorted(ranked.items(), key=lambda kv: kv[1][0]):
        if concept in seen:  # a concept once, under its nearest name
            continue
        # A variant of a nearer name is not offered beside it: "L1 Regularizaton" is L1
        # Regularization misspelt, and L2 Regularization merely shares its other words.
        spelt = normalize(shown)
        if any(_variant(a, b) for a in (norm, spelt) for b in kept):
            continue
        seen.add(concept)
        kept += [norm, spelt]
        out.append(shown)
    return tuple(dict.fromkeys(out))[:limit]


def _word_runs(word: str) -> list[tuple[str, str]]:
    """The runs of the index on names a name beginning with `word`, a typo in it, is in:
    the names beginning as its first 3 letters do, and as its first 5 (the 3 letters' run,
    cut at NEAREST_RUN, holds the shortest 200 of a common beginning's names: on 40,000
    names "sto" began 1,328, and "stochastci" reached no "Stochastic ..."); and the same
    with its 2nd and 3rd letters swapped ("sotchastic", round 44)."""
    swapped = word[0] + word[2] + word[1] + word[3:]
    starts = {w[:n] for w in (word, swapped) for n in (3, 5)}
    return [(s, _after(s)) for s in sorted(starts)]


def _near_words(words: list[str], name: list[str]) -> bool:
    """Whether each of the query's `words` is a word of the `name`'s or a near spelling of
    one (`_likely_meant`, a word of 4 letters or more), and one of them is: "gradint
    descent" in "Stochastic Gradient Descent"."""
    return any(w not in name for w in words) and all(
        w in name or (len(w) >= 4 and any(_likely_meant(w, n) for n in name if n[:1] == w[:1]))
        for w in words)


def offers(store: Store, name: str, limit: int = 5) -> tuple[str, ...]:
    """The names to offer for `name` typed in a search box, a word perhaps half typed:
    `name` itself when it is one, the names it begins ("lor" -> "LoRA"), shortest first, the
    nearest names (`nearest`), then the names it may be the start of, misspelt ("attensio"
    -> "Attention": a word half typed is no near spelling of the whole word). One run of the
    index on names for each, never every name (issue 14)."""
    query = normalize(text(name, "name"))
    if not query:
        return ()
    begun = _names_by_norm((norm, shown) for norm, shown, _ in store.concept_names_from(
        query, _after(query), len(query), 1000, NEAREST_RUN))
    found = [begun[n] for n in sorted(begun, key=lambda n: (n != query, len(n), n))]
    if len(found) < limit:
        found += nearest(store, name, limit)
    if len(query) >= 4 and len(found) < limit:
        # The run of its first letter, not of its first 3: a typo there ("grpah", "custeri")
        # offered nothing, where scoring every name had offered Graph and Clustering. 1,000
        # names: base42's all.db has at most 270 of a letter; a 40,000-name store ~15 ms.
        most = max(1, len(query) // TYPO_EVERY)
        letter = query[0]
        misspelt: dict[str, tuple[int, str]] = {}
        # With the runs of its beginning (`_word_runs`): a letter's run holds a common
        # letter's shortest 1,000 names only.
        for norm, shown, _ in [*store.concept_names_from(
                letter, _after(letter), len(query) - most, 1000, 5 * NEAREST_RUN),
                *store.concept_names_in(_word_runs(query), len(query) - most, 1000,
                                        NEAREST_RUN)]:
            edits = _begun_misspelt(query, norm, most)
            if edits <= most and (norm not in misspelt or shown < misspelt[norm][1]):
                misspelt[norm] = (edits, shown)
        if not found and not misspelt:
            # A typo in the first letter ("radient desc" -> "Gradient Descent"): the runs
            # of the beginnings it may have had (`_first_letter_typos`).
            for norm, shown, _ in _first_letter_typos(store, query, len(query) - most, 1000):
                edits = _begun_misspelt(query, norm, most)
                if edits <= most and (norm not in misspelt or shown < misspelt[norm][1]):
                    misspelt[norm] = (edits, shown)
        found += [misspelt[n][1] for n in sorted(
            misspelt, key=lambda n: (misspelt[n][0], len(n), n))]
    return tuple(dict.fromkeys(found))[:limit]


FIRST_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789"


def _first_letter_typos(store: Store, query: str, shortest: int,
                        longest: int) -> list[tuple[str, str, int]]:
    """The names `query` may be with a typo in its first letter, which every other look
    misses (each is a run of the index from the query's letter): a first letter dropped
    ("radient" of "gradient": each letter before its first two), replaced ("fradient": each
    letter before its second and third), one too many ("ggradient") and the first two
    swapped ("rgadient"). Runs of 3 letters of the index on names, about 70, read in one
    statement: never every name (issue 14)."""
    starts = {query[1:4], query[1] + query[0] + query[2]}
    for letter in FIRST_LETTERS:
        starts |= {letter + query[:2], letter + query[1:3]}
    return store.concept_names_in([(s, _after(s)) for s in sorted(starts)], shortest, longest,
                                  NEAREST_RUN)


def _begun_misspelt(query: str, norm: str, most: int) -> int:
    """The fewest typos (two letters swapped one) that make `query` the beginning of `norm`,
    a beginning a letter or more shorter or longer ("custeri" of "clustering"); above `most`
    when more."""
    return min(OSA.distance(query, norm[:end], score_cutoff=most)
               for end in range(len(query) - most, len(query) + most + 1))


def _after(prefix: str) -> str:
    """The least string above every string that starts with `prefix`."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _one_per_concept(store: Store, names: tuple[str, ...]) -> tuple[str, ...]:
    """The first of `names` that each concept answers to: "did you mean: Self-attention,
    Selfattention" offered one concept twice, under its label and a spelling of it (round
    34, on every face). A name two concepts share is kept unless both were offered already."""
    seen: set[int] = set()
    out = []
    for shown in names:
        ids = {m.concept_id for m in store.concepts_named(normalize(shown))}
        if ids and ids <= seen:
            continue
        seen |= ids
        out.append(shown)
    return tuple(out)


def _titled(query: str, names: dict[str, str]) -> list[str]:
    """Of `names` (those that begin with `query`'s words), the ones that are `query` with a
    subtitle after it, A-Z: `show xgboost` on notes whose page is titled "XGBoost — A to Z"
    said only "no concept named 'xgboost'" (round 31), on every face; the whole name is no
    near spelling of it, and a shared word alone is not offered (`_likely_meant`)."""
    out = set()
    for shown in names.values():
        m = _SUBTITLED.search(shown)
        if m is not None and normalize(shown[:m.start()]) == query:
            out.add(shown)
    return sorted(out)


# A subtitle after a name, and the full-width colon a Chinese or Japanese title writes before
# one with no space ("Adam\uff1aMomentum 与 RMSprop 的结合"; round 50, qa50).
_SUBTITLED = re.compile(f"{SUBTITLE.pattern}|\uff1a")


TYPO_EVERY = 6  # one edit per this many characters: "Transfomer" -> "Transformer"
WORD_ORDER = 95  # fuzz.token_sort_ratio: the same words in another order
INFLECTION = 4  # a name cut short by a few letters: "zero pad" -> "zero padding"


def _likely_meant(query: str, candidate: str) -> bool:
    """Whether `candidate` is plausibly what `query` meant (both normalised): a near spelling,
    the same words reordered, or the same name with a longer ending. A shared word alone
    ('active learning' / 'feature learning', 'matrix' / 'user matrix') is not enough."""
    if _variant(query, candidate):
        return False
    shorter = min(len(query), len(candidate))
    edits = Levenshtein.distance(query, candidate)
    swapped = OSA.distance(query, candidate)
    # two letters swapped are one typo in a longer name ("tranfsormer"), and in a short one
    # of 4 letters or more ("lroa" -> LoRA, round 48), not in one of 3 ("EUL" is no ELU)
    if swapped <= shorter // TYPO_EVERY or (
            # A short name's one edit: a typo inside it, not another first letter, which in
            # an acronym names a variant ("QLoRA" and "DoRA" are not "LoRA", "SELU" not "ELU").
            (edits == 1 or (swapped == 1 and shorter >= 4)) and query[:1] == candidate[:1]):
        return True
    if fuzz.token_sort_ratio(query, candidate) >= WORD_ORDER:
        return True
    a, b = sorted((query, candidate), key=len)
    return len(a) >= 6 and b.startswith(a) and len(b) - len(a) <= INFLECTION


def _variant(query: str, candidate: str) -> bool:
    """Whether two names (normalised) differ only in one word that is a letter or two, or in
    its number: "top k sampling" / "top p sampling", "l1 regularization" / "l2 ...", "gpt 4" /
    "gpt 4o" name different things, and one edit is no typo there ("did you mean Top-P
    Sampling?" was offered for a wanted "Top-K Sampling", round 38)."""
    words, others = query.split(), candidate.split()
    if len(words) != len(others):
        return False
    differ = [(a, b) for a, b in zip(words, others, strict=True) if a != b]
    if len(differ) != 1:
        return False
    a, b = differ[0]
    return max(len(a), len(b)) <= 2 or (
        any(c.isdigit() for c in a + b) and a.rstrip("0123456789") == b.rstrip("0123456789"))


_FIRST_WORD = re.compile(r"[^\s\-_/]+")


def _other_acronym(name: str, candidate: str) -> bool:
    """Whether two written names begin with acronyms one letter apart at their start
    ("QLoRA Fine-Tuning" / "LoRA", "SELU" / "ELU", "DoRA" / "LoRA"): variants, no typo. A
    public glossary's wanted "QLoRA Fine-Tuning" was offered "did you mean LoRA Fine-Tuning?"
    (round 45): in a longer name one edit is within the typo budget, and the concept's
    spelling "LoRA FineTuning" is no variant of it word by word (`_variant`). A word is an
    acronym when two of its letters are capitals; "ayer norm" may still mean "Layer Norm"."""
    a, b = (m.group() if (m := _FIRST_WORD.search(n)) else "" for n in (name, candidate))
    if not a or not b or a[0].casefold() == b[0].casefold():
        return False
    acronym = any(sum(c.isupper() for c in w) >= 2 for w in (a, b))
    return acronym and Levenshtein.distance(a.casefold(), b.casefold()) == 1


def _names_by_norm(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """One display name per normalised name: the first in sort order, not in row order."""
    out: dict[str, str] = {}
    for norm, shown in pairs:
        if norm not in out or shown < out[norm]:
            out[norm] = shown
    return out


def load_concept(store: Store, concept_id: ConceptId) -> Concept:
    """Everything known about one concept."""
    cid = int(concept_id)
    row = store.concept_row(cid)
    if row is None:
        raise NotFound(f"no concept with id {concept_id}")
    entries = store.concept_entries_of(cid)
    return Concept(
        id=ConceptId(str(cid)), key=row.key, label=row.label, kind=row.kind,
        names=tuple(store.concept_names_of(cid)),
        entries=tuple(e.stored for e in entries if e.role != "redirect"),
        redirects=tuple(e.stored for e in entries if e.role == "redirect"),
        sections=tuple(store.concept_sections_of(cid)),
        merges=tuple(store.concept_merges_of(cid)),
        links=tuple(store.concept_links(cid, incoming=False)),
        backlinks=tuple(store.concept_links(cid, incoming=True)),
    )


def first_entry_span(store: Store, concept_id: ConceptId) -> Span | None:
    """Where the concept's first entry (as `load_concept` orders them) is written."""
    return next((e.stored.entry.span for e in store.concept_entries_of(int(concept_id))
                 if e.role != "redirect"), None)


def summaries(store: Store) -> list[ConceptSummary]:
    """Every concept, A-Z."""
    return store.concept_summaries()


def names_a_part(name: str) -> bool:
    """`readers.conventions.names_a_part` (`[[Source]]`, `[[See here]]`): lint's word for a
    wanted page of a store resolved before readers marked such links (`Link.no_page`)."""
    # Imported here: a command that never reads a file compiles none of the readers' rules.
    from grimoire.readers.conventions import names_a_part as part

    return part(name)


def cites(name: str) -> bool:
    """`readers.conventions.cites` (`[[@hoskins2019]]`), as `names_a_part`."""
    return name.lstrip()[:1] == "@"


def wanted_pages(store: Store, *, suggestions: bool = True,
                 include_parts: bool = False) -> list[WantedPage]:
    """Names linked to but defined nowhere, most wanted first (as a wiki's "wanted pages").

    Spellings that would be one concept if someone wrote it are one page: `supervised
    machine learning` and `Supervised Learning`, or `Mean Squared Error (MSE)` and `Mean
    Squared Error` (the names an entry of that name would state, as `merge` reads them; an
    acronym alone does not join two pages, it may stand for two things).

    A name that names a part of a page (`names_a_part`: `[[Source]]`, `[[See here]]`) or cites
    a paper (`cites`: `[[@Attention Is All You Need]]`) is no page to write: left out, unless
    `include_parts` (lint reports those links as dead links).
    """
    groups: dict[str, tuple[list[str], list[Span]]] = {}
    for use in store.unresolved_links("wanted"):
        if use.kind in FILE_LINKS:
            # a missing file is "dead" (lint), not a page to write; stored "wanted" only by a
            # resolve before round 36, in a store opened read-only since
            continue
        names, spans = groups.setdefault(use.norm, ([], []))
        names.append(use.name)
        spans.append(use.span)
    ordered = sorted(groups)
    parts = Components(range(len(ordered)))  # over the places of the norms in `ordered`
    owner: dict[str, int] = {}
    for i, norm in enumerate(ordered):
        for key in _page_keys(norm, groups[norm][0]):
            parts.union(owner.setdefault(key, i), i, key, "one page")
    members: dict[int, list[str]] = {}
    for i, norm in enumerate(ordered):
        members.setdefault(parts.find(i), []).append(norm)
    pages = []
    for norms in members.values():
        names = [n for norm in norms for n in groups[norm][0]]
        shown = max(set(names), key=lambda n: (names.count(n), n[:1].isupper(), n))
        norm = next(m for m in norms if shown in groups[m][0])
        unique = tuple(dict.fromkeys(s for m in norms for s in groups[m][1]))
        others = tuple(sorted({n for m in norms if m != norm for n in groups[m][0]}))
        pages.append(WantedPage(shown, norm, len(unique), unique,
                                suggest(store, shown, 3) if suggestions else (), others))
    if not include_parts:
        pages = [p for p in pages if not (names_a_part(p.name) or cites(p.name))]
    pages.sort(key=lambda p: (-p.count, -p.sources, p.norm))
    return pages


def _page_keys(norm: str, names: list[str]) -> set[str]:
    keys = {norm}
    for name in set(names):
        keys.update(normalize(n.name) for n in term_names(name)
                    if n.strength >= 2 and n.reason not in ("acronym", "short form"))
        keys.update(normalize(n) for n, reason in [*spelling_names(name),
                                                   *inner_acronym_names(name)]
                    if reason != "acronym")
    return keys - {""}


def dead_links(store: Store, *, suggestions: bool = True) -> list[DeadLink]:
    """Every link that leads to no concept, or to two; with "did you mean" candidates."""
    out: list[DeadLink] = []
    cache: dict[str, tuple[str, ...]] = {}
    # "elsewhere" too: a file link out of the notes leads to no concept of theirs (its status
    # says so; lint lists only "dead" ones, as `show` does).
    for status in ("wanted", "dead", "elsewhere", "ambiguous"):
        for use in store.unresolved_links(status):
            if suggestions and use.norm not in cache:
                cache[use.norm] = suggest(store, use.name, 3)
            out.append(DeadLink(use.span, use.name, use.kind, status,
                                cache.get(use.norm, ()), use.href))
    out.sort(key=lambda d: (d.span.path, d.span.start_line))
    return out
