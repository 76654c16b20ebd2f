"""Search: lexical (FTS5 bm25), semantic (vectors), and hybrid, which fuses both by concept.

Hybrid adds normalised scores of several lists (a convex combination, not rank fusion), each
first reduced to one place per group (a concept when the resolve stage made concepts, else an
entry, else the document), so that one note cannot fill the page:

- bm25 over passages (names, title and heading weighted up) and over entries (term, aliases,
  definition), for a query whose words are quoted one by one (FTS5's own syntax never leaks
  through: `AND`, `NEAR(`, `title:x`, a lone `"` are searched as words);
- cosine similarity of the query's vector with passage and entry vectors (a group by its best);
- names: a query that is a term or alias (exactly, as a prefix of each word such as `kl div`,
  or with a typo such as `perplexty`) puts that concept first, and the other names of an
  acronym or alias found in the query are added to the lexical query (`RLHF` also searches
  "reinforcement learning from human feedback");
- a title-only concept (a page with its title and no text) gets a share of what the candidate
  passages that link to it earned, so that a description finds it after the pages describing
  it (`STUB_SHARE`).

`Searcher` keeps the vectors and the name index in memory between queries; `search()` is
the plain function the ask stage calls.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from grimoire._embed_store import EmbedReport, embed_store
from grimoire.duplicates import MIN_WORDS, word_triples
from grimoire.errors import GrimoireError
from grimoire.fences import code_lines
from grimoire.model import ConceptId, Hit, Span
from grimoire.names import normalize
from grimoire.search_names import (
    BackgroundLoad,
    NameIndex,
    NameMatch,
    NameMatcher,
    NameQueryStore,
    ReadableNames,
    StoreNames,
)
from grimoire.store.base import Store
from grimoire.store.records import (
    ENTRY_WEIGHTS,
    PASSAGE_WEIGHTS,
    Filters,
    PassageRow,
    Scored,
    StoredEntry,
    TextQuery,
)

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor  # on first hybrid query (cold start)

    from grimoire.embed import Embedder

Mode = Literal["lexical", "semantic", "hybrid"]
MODES: tuple[str, ...] = ("lexical", "semantic", "hybrid")

# Highlight marks around matched words in `Hit.snippet`; rare in notes, so unambiguous.
MARK_OPEN, MARK_CLOSE = "«", "»"
MARKED = re.compile(f"{MARK_OPEN}(\\w+){MARK_CLOSE}")  # one marked word; group 1 the word

CANDIDATES = 60  # taken from each list before fusion
SPARE = 2  # groups past the k-th kept for a group that shows another's passage
SNIPPET_WORDS = 32
_ITEM_MARK = re.compile(r"[-*+•]|(\d{1,3})([.)])")  # a list item's marker, as a snippet's token
SNIPPET_LOOKBACK = 8  # words a snippet may step back to start at its sentence's start
NO_PASSAGE = 0  # `Hit.passage_id` of an entry with no text (a title-only page); ids start at 1


@dataclass(frozen=True, slots=True)
class _Weights:
    """How the fused score is made for one kind of query."""

    semantic: float  # the cosine's share of the fused score; bm25 has the rest
    # bm25 column weights: passages (names, title, heading, body), entries (names, body)
    passage_columns: tuple[float, float, float, float] = PASSAGE_WEIGHTS
    entry_columns: tuple[float, float] = ENTRY_WEIGHTS
    expand_phrases: bool = True  # add the other names of a multi-word name in the query


# The fused score of a group is a convex combination of normalised scores (Bruch et al. 2022,
# "An Analysis of Fusion Functions for Hybrid Retrieval"): the group's best cosine, min-max
# normalised over the candidates, and its bm25 over passages and over entries, each divided
# by the best of its list. Unlike rank fusion it keeps how far ahead the first candidate is,
# and a list that finds nothing good adds little (bench/README.md has the figures).
# A name, an acronym, a typo or a few words: bm25 and the vectors count the same.
NAME_LIKE = _Weights(semantic=0.5)
# A long description in someone's own words (a definition from another source, names left
# out): its words are rarely the note's, and the notes it shares words with are mostly the
# neighbours it mentions ("a layer that ..."), so bm25 counts less. bm25 still helps a little
# (dropping it costs both halves of the description dev set and the short descriptions of
# dev.jsonl).
# Its bm25 weighs every column alike: a description hides the name of what it describes, so its
# words found in a page's names, title or headings mostly name a neighbour ("a test at an
# internal node of a tree": the pages named test, node or tree), which the name columns'
# tenfold weight put above the page whose text says what the description says. Names,
# acronyms and typos are not descriptions: their weights stay. MRR@10 tune / report,
# descriptions2 `--hide source` 0.519 / 0.479 -> 0.524 / 0.483, every name masked 0.438 /
# 0.423 -> 0.446 / 0.428, own_words10 0.507 / 0.597 -> 0.507 / 0.621, own_words11 0.633 /
# 0.424 -> 0.635 / 0.433; names 0.868 unchanged; a query or two down in five older own-words
# halves (bench/README.md, round 37; rounds 25 and 32 measured the entry list alone flat).
DESCRIPTIVE = _Weights(semantic=0.7, passage_columns=(1.0, 1.0, 1.0, 1.0),
                       entry_columns=(1.0, 1.0))
# ... unless it says the name of what it defines, as its subject ("precision measures ...",
# `_subjects`, a kind closed by "that"/"which" excepted) and hides none: that name in a page's
# name columns is the description's own, and weighs as a name does.
SAYS_ITS_NAME = _Weights(semantic=DESCRIPTIVE.semantic)
# A description names the concepts around the one it describes ("a supervised learning model
# made of conditions and leaves" is not supervised learning): a concept named in it counts
# half. Description dev set, MRR@10 tune / report: 0.371 / 0.403 -> 0.400 / 0.416; the short
# descriptions of dev.jsonl 0.697 -> 0.729 (bench/README.md).
NAMED_IN_DESCRIPTION = 0.5
# ... unless it is what the description defines: the name it opens with, left in by a masking
# that missed a spelling ("AdaDelta belongs to ..." with "ADADELTA" masked; "Cross-validation
# refers to ..."). Only when no blank (`___`, or a mask token, see `_blank_masks`) hides a
# name: then the name hidden is the subject and the ones left are neighbours ("In ___, the
# stride is ..."). Description dev set with only the source's names masked as spelled
# (`bench/search.py --hide source`, 18% of queries keep their name), MRR@10 tune / report:
# 0.439 / 0.444 -> 0.473 / 0.462; every name masked and own words unchanged (bench/README.md,
# round 19).
# ... and unless the vectors put it first and still do with every name of the description
# blanked (`Searcher._still_first`): the rest of the description then says what it is, and
# the name is the target's own, left in mid-sentence by a masking that knew only the source's
# names ("the first layer: each neuron of the input layer holds one feature of an example";
# "here we use gradient_descent to lower the cost"). Only when no blank hides a name, and
# never for a name after "of" ("a type of autoencoder that ...", "the step size of gradient
# descent": the description is of something that belongs to it or is a kind of it).
# It costs one more embedding and vector scan, only for a description that names the vectors'
# first concept. Descriptions with the source's names masked as spelled (`--hide source`),
# MRR@10 tune / report: 0.473 / 0.462 -> 0.497 / 0.467; every name masked 0.419 / 0.427 and
# own words unchanged (bench/README.md, round 20).
# A name in the plural takes its verb in the plural ("the weights consist of ...").
SUBJECT_VERBS = frozenset(["is", "are", "was", "were", "refers", "means", "denotes", "describes",
                           "represents", "belongs", "turns", "computes", "uses", "consists",
                           "can", "has", "have", "provides", "allows", "takes", "maps", "measures",
                           "refer", "mean", "denote", "describe", "represent", "belong", "turn",
                           "compute", "use", "consist", "provide", "allow", "take", "map",
                           "measure", "also", "which", "that", "or", "aka"])
# A head closed by one of these is a kind with a relative clause ("an optimizer that adapts
# ..."), not the name of what is described (`SUBJECT_LIFT`).
RELATIVE_WORDS = frozenset(["that", "which"])
# A description that says what it defines by name ("Decision tree works by ...", "a feature
# represents ...", "precision measures ...") holds the subject's name, but bm25 rarely ranks it
# first among the many notes that share its words (bm25 saturates: a name weighed ten times
# counts about twice), and the neighbours' words outvote it. The concept read as its subject
# (`_subjects`, a head closed by "that"/"which" excepted: "an optimizer that ..." names a kind)
# gets what a first place in one more lexical list would give (SUBJECT_LIFT: the weight of one
# bm25 list of a description), when the vectors have it among their first SUBJECT_TOP groups
# too ("the model states something confidently that is made up" is not about the model), the
# query has SUBJECT_WORDS content words or more, no blank and no name typed in full.
# descriptions2 `--hide source`, MRR@10 tune / report: 0.511 / 0.476 -> 0.517 / 0.480 (5 up /
# 0 down, 2 / 0); every name masked, own_words2-5 unchanged (bench/README.md, round 31).
SUBJECT_LIFT = 0.15
# The vectors' first group stays first when the fused first passed it on bm25 evidence that
# rests on one word of the description: the fused first's best lexical passages (WEAK_PASSAGES
# of them, their headings too) hold WEAK_WORDS or fewer of its content words ("a person who
# hand-assigns the correct answers to examples, for instance ...": label, for "instance", over
# rater). Descriptions and formulas in hybrid only, none naming a concept or quoting a passage.
# Over own_words10-21 and descriptions2 `--hide source` the fused first beats the vectors' first
# in 215 of 1,111 queries, rightly far more often than not (taking the vectors' first in all of
# them: -0.026 / -0.027 own words, -0.021 / -0.018 descriptions2); where the fused first holds
# one query word or none it is wrong more often than right. MRR@10 tune / report: own_words10-21
# pooled 0.5753 / 0.5358 -> 0.5798 / 0.5432, descriptions2 `--hide source` 0.524 / 0.489 ->
# 0.529 / 0.490; names and typos41-43 unchanged; two own-words halves a query lower (ow13
# report, ow16 tune) against six higher (bench/README.md, round 47).
WEAK_WORDS = 1
# The vectors' one list lets a long page's many passages crowd out a concept found by its entry
# vector alone (its definition or title-only page): its group counts once, by its best cosine,
# among the page's sections. For a description or a formula in hybrid, a share (ENTRY_VOTE) of
# the vectors' weight goes to a list of the nearest entry vectors alone, the share scaled by
# how many of the vectors' first ENTRY_TOP groups an entry vector (not a passage) leads: where
# passages lead them all, the entries' list says little. `bench/search.py` on round 49's
# stores, MRR@10 tune / report:
# own_words10-24 pooled 0.5829 / 0.5362 -> 0.5837 / 0.5387, descriptions2 `--hide source`
# 0.529 / 0.489 -> 0.531 / 0.499; names 0.884 and typos42/43 unchanged, typos41 0.676 ->
# 0.672 (one query, "temperature", 9th -> past 10th) (bench/README.md, round 50).
ENTRY_VOTE = 0.4
ENTRY_TOP = 10
WEAK_PASSAGES = 3
WEAK_STEP = 1e-5  # above the fused first still when hits' scores are rounded (to 6 places)
SUBJECT_TOP = 10
SUBJECT_WORDS = 5
# "The term X refers to ...": the word before the name says it is a name, it is not one.
NAME_WORDS = frozenset(["term", "phrase", "word", "expression"])
# "X typically refers to ...": an adverb between a subject and its verb (a list, not "-ly":
# "exponential family", "anomaly").
ADVERBS = frozenset(["typically", "usually", "generally", "commonly", "often", "simply",
                     "basically", "essentially", "mostly", "mainly", "primarily", "broadly",
                     "formally", "informally", "roughly", "loosely", "sometimes", "just"])
# A formula in LaTeX ("\\frac{\\partial J}{\\partial W}"): bm25 matches its commands
# (`frac`, `begin`, `bmatrix`), which every formula of the notes shares, so the vectors count
# more. Description dev set, 32 formulas, MRR@10 tune / report: 0.355 / 0.172 -> 0.371 /
# 0.242 (all queries 0.409 / 0.405 -> 0.411 / 0.408; bench/README.md).
FORMULA = _Weights(semantic=0.85)
FORMULA_COMMANDS = 2  # LaTeX commands from which a query is a formula
NAME_WEIGHT = 2.0  # added per unit of name-match score: a name typed in full wins the page
# A query of one word ("sigmoid") asks for the notes that hold it: the groups bm25 finds it in
# come before those only the vectors find, whose cosine to one word says little (a short
# name's vector: "Polysemy", a title-only page, was second for "sigmoid"; a page section whose
# text never says it first). Added to the fused score of each group of bm25's lists and to
# what their passages earned them (so each is shown by a passage that holds the word), below
# NAME_WEIGHT: the concept the word names stays first.
WORD_HELD = 1.0
DESCRIPTIVE_WORDS = 8  # content words (not stopwords) from which a query is a description
CLOZE_WORDS = 3  # content words besides a mask token from which a query is a sentence
QUESTION_WORDS = frozenset(["what", "how", "why", "which", "when", "who", "whom", "where",
                            "does", "do", "did", "is", "are", "can", "could", "should", "would",
                            "will", "was", "were", "explain", "describe", "define"])
# A long query that is (nearly) a sentence of a passage ranks that passage first: the share of
# its content words the passage holds, among the first EXACT_POOL lexical candidates.
EXACT_MIN_WORDS = 6
EXACT_COVERAGE = 0.85
EXACT_POOL = 20
EXACT_WEIGHT = 2.0  # added per unit of coverage
QUOTE_MIN_WORDS = 6  # a query this long may be a sentence typed from a passage (`_quoted`)
QUOTE_POOL = 100  # passages holding all its words looked at, best by bm25 first
QUOTE_POOL_LARGE = 30  # the same on a large store, holding its three rarest words
# A title-only page (a term with no text: `learning-rate.md` holding only its title) has only
# its name to be found by, and a description never says the name. It is found by what the
# notes say of it instead: the candidate passages that link to it (in their text, or in their
# entry's related terms) give it this share of the sum of what they earned in each list, never
# more than the best of them earned in it; and its fused score stays below (STUB_BELOW) that
# of the best page linking to it, which describes itself first. Description dev set, MRR@10
# tune / report: 0.414 / 0.417 -> 0.419 / 0.427; ml-glossary-terms 0.389 / 0.367 -> 0.403 /
# 0.400 (bench/README.md, round 14).
STUB_SHARE = 0.5
STUB_BELOW = 0.99
# STUB_EARNED: a result must have earned its place. A title-only page owes its lift to what the
# pages linking to it earned before a description's named neighbours were halved: linked from
# a named neighbour, it ranked above every page linking to it with nothing of its own (the
# cheatsheet's Linear Regression first for a description of Adagrad that names gradient descent
# and the learning rate; Representation learning first for a VAE description that names the
# autoencoder). A page raised more by its links than by its own scores stays below the best
# page linking to it as that page finally scores; one that earned most of its score itself
# keeps the cap before halving ("a gradient descent algorithm in which the batch size is one":
# the SGD page, found by its own vector, stays first; capped too, it fell to 2nd).
# descriptions2 `--hide source`, MRR@10 tune / report: 0.519 / 0.480 -> 0.521 / 0.480 (3 up /
# 0 down, 1 / 0); own_words2-9 and names unchanged (bench/README.md, round 35).

# FILLER: a description asks for a concept, and a passage that belongs to no entry of a page of
# several entries, each with its own text, stands for none of them (an introduction, a list of
# papers, a code listing between sections: `Store.filler_passages`). It took a place of its own
# among a description's results, above the concept described ("an optimiser that uses the
# curvature ...": gradient_descent.rst's Introduction before Newton's Method), so a
# description's lists leave it out. A page with a title-only entry keeps its free passages (they
# are that entry's text: hf-docs' trainer pages), as do a page of one entry (it is about that
# entry: backpropagation.rst, ppo_trainer.md) and a page with none. Names, acronyms and typos
# see every passage. MRR@10 tune / report, none down in any half of descriptions2, every name
# masked, own_words2-12: descriptions2 `--hide source` +0.0005 / +0.0004, own_words11 tune
# +0.008, own_words12 +0.001 / +0.007, own_words10 and names unchanged (bench/README.md, round 38).

# COPIES: the same paragraph in many files (a course's assignment page copied for each year,
# a note pasted into two folders) filled the page with one text: cs231n's `search dropout -k 8`
# gave seven "The notebook Dropout.ipynb will help you ..." lines, one per year's copy, and not
# the lecture's Dropout paragraph (qa39). A hit whose passage nearly repeats a better hit's
# passage from another file (word 3-shingles' Jaccard >= 0.7, lint's near-duplicate test, both
# of MIN_WORDS words or more) is folded into that hit: the better hit stays, the copy's place
# is listed in its `copies` ("also in 6 other files"), and the next group takes the freed
# place (up to COPY_ROUNDS more lookups). Short passages (a one-line gloss) are never folded;
# only passages whose word counts are within COPY_SIZES of each other are shingled (a page of
# hits costs about what its snippets do).
COPY_SIMILARITY = 0.7
COPY_ROUNDS = 3
COPY_SIZES = 0.6

# Typo tolerance of the lexical side: a query word in no passage is searched as the nearest
# word the index holds (`Searcher._corrections`): edit distance (a transposition counts one)
# at most 1 for words of up to TYPO_LONG letters, 2 above; the same first letter, or the first
# two swapped; the word in more passages on a tie. Words under TYPO_MIN letters, with digits, or
# in capitals (an acronym the notes do not hold) are left as typed.
TYPO_MIN = 4
TYPO_LONG = 8
_ENDINGS = ("ing", "ed", "s", "es", "e", "er", "ation", "ly")  # a stem's usual inflections
TYPO_REMEMBERED = 64  # queries whose corrections are kept for the faces' notice
# SECOND_LETTER: a typo in a word's second letter ("gtadient", "gadient") put its candidates
# outside the three prefix ranges above; when those hold nothing near, the terms that begin
# with the first letter, any letter, then the typed word's third letter (a substitution) or its
# second (a deletion) are read too: 52 ranges of three letters.
SECOND_LETTER = "abcdefghijklmnopqrstuvwxyz"  # the letters a second letter is tried as
# FIRST_LETTER: a typo in the first letter ("xradient", "radient", "hgradient") was left as
# typed; when the ranges above hold nothing near, the terms that begin with any letter then
# the typed word's second and third letters (a substitution), with any letter then its first
# and second (the first letter gone), or with its second and third (a letter put before) are
# read as well: 53 more ranges, only for a word of FIRST_LETTER_MIN letters or more that still
# has nothing near (a short word with another first letter is often another word: "omit" was
# read as "emit").
FIRST_LETTER = SECOND_LETTER
FIRST_LETTER_MIN = 6
# Words of one query looked up as typos, at most: each is up to 108 range reads with
# FIRST_LETTER (round 43, hostile43: a query of 3,000 words no note holds ran 660,000
# statements, 26 s on five notes). No query of bench/queries has more than 2 such words.
TYPO_WORDS = 16

# LOCAL_LIFT (round 55): the close sibling of the same kind is what a description loses to
# (Adagrad for RMSProp, parameter update for iteration). What sets the one it describes apart is
# a word of the query that its own text says and its siblings' do not: among the fused first
# LOCAL_TOP candidates of a description, each word of the query weighs log(LOCAL_TOP / df), df
# the number of those candidates whose names or first LOCAL_WORDS words hold it (a local IDF,
# not the corpus's: a word every sibling says weighs nothing), and a candidate gains LOCAL_LIFT
# times its words' weight over the best candidate's. A title-only candidate gains none: its name
# is all its text, so a name word of the query lifted it ("a black-box function" put Black-Box
# optimization, empty, before Bayesian optimization: typos41). Pooled own_words10-29 hybrid
# MRR@10 and descriptions2 `--hide source`: bench/README.md, round 55.
LOCAL_LIFT = 0.1
LOCAL_TOP = 20
LOCAL_WORDS = 40
LOCAL_KEPT = 4096  # groups whose local texts are kept (`Searcher._local_texts`)

STOPWORDS = frozenset([
    "a", "about", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for",
    "from", "how", "i", "if", "in", "into", "is", "it", "its", "me", "my", "of", "on", "or",
    "so", "that", "the", "their", "then", "there", "these", "this", "to", "was", "what", "when",
    "where", "which", "who", "why", "with", "you", "your"
])

_WORD = re.compile(r"\w+")
_GroupKey = tuple[str, int]  # ("c", concept id) | ("e", entry id) | ("d", document id)
_Ranked = tuple[_GroupKey, int | None, float]  # group, passage shown (if any), list's score


def _held(text: list[str], query: list[str]) -> int:
    """How many of the words of `query` the run of `text` one word longer that holds most of
    them holds (each as many times as the query has it): all of them for a sentence typed
    from the text, one fewer with a word dropped, added or changed, all with two swapped."""
    need = Counter(query)
    width = len(query) + 1
    have = dict.fromkeys(need, 0)  # the window's words that the query has (others never count)
    held = best = 0  # words of the window the query needs, each up to the query's count
    for i, word in enumerate(text):
        if word in need:
            if have[word] < need[word]:
                held += 1
            have[word] += 1
        if i >= width:
            old = text[i - width]
            if old in need:
                have[old] -= 1
                if have[old] < need[old]:
                    held -= 1
        if held > best:
            best = held
    return best


def _grams(words: list[str]) -> list[str]:
    """The phrases of one to five words of `words`, shortest first, each from left to right."""
    return [" ".join(words[i : i + n]) for n in range(1, min(5, len(words)) + 1)
            for i in range(len(words) - n + 1)]


# -- in-memory indexes ----------------------------------------------------------------------


class Searcher:
    """Search over one store; keeps vectors and names in memory while they do not change."""

    def __init__(self, store: Store, embedder: Embedder | None = None,
                 unreadable: Callable[[], None] | None = None) -> None:
        self.store = store
        self._embedder = embedder
        # Called when a hit's passage cannot be read in the snapshot the index gave it from
        # (damage inside a page hides rows): it raises when the file is damaged.
        self._unreadable = unreadable
        self._cache: dict[str, tuple[tuple[int, ...], Any]] = {}
        self._names = NameIndex()
        self._store_names: StoreNames | None = None  # until the index is loaded
        self._searched = False  # a query has been answered: load the name index
        self._names_loading: BackgroundLoad | None = None
        self._names_loaded = False
        self._pool: ThreadPoolExecutor | None = None
        self._warmed = False  # `prepare` has started loading the model
        self._corrected: dict[tuple[str, tuple[int, ...]], dict[str, str]] = {}
        self._used: dict[tuple[str, str], dict[str, str]] = {}  # (query, mode): searched as
        # (query, mode, filters): a words list held CANDIDATES. The filters are in the key, so
        # a threaded server's two searches of one query with other filters keep their own.
        self._full: dict[tuple[str, str, Filters], bool] = {}
        # LOCAL_LIFT's texts of groups, read at this change counter of the store (one pair,
        # replaced whole: a threaded server's searches never mix two snapshots' texts).
        self._local_memo: tuple[tuple[int, ...] | None, dict[_GroupKey, tuple[str, str]]] = (
            None, {})

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            from grimoire.embed import default_embedder

            self._embedder = default_embedder()
        return self._embedder

    # -- public ---------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        mode: str = "hybrid",
        source: str | None = None,
        format: str | None = None,
        tag: str | None = None,
        query_vector: Future[Any] | None = None,
        fold_copies: bool = False,
    ) -> list[Hit]:
        """The `k` best hits for `query`, one per concept (or entry, or document).

        `query_vector`: the query's vector being computed by the caller, who needs it too
        (ask scores sentences against it): search uses it instead of embedding again.
        `fold_copies`: a passage nearly repeated in other files is one hit, the others its
        `copies` (COPIES; what the faces show, through `Grimoire.search`). Off for ask, which
        weighs each passage itself."""
        if mode not in MODES:
            raise GrimoireError(f"unknown search mode {mode!r}; use one of {', '.join(MODES)}")
        if k <= 0 or not query.strip():
            return []
        with self.store.reading():
            return self._search(query, k, mode, Filters(source=source, format=format, tag=tag),
                                query_vector, fold_copies)

    def _search(
        self, query: str, k: int, mode: str, filters: Filters, query_vector: Future[Any] | None,
        fold_copies: bool = False,
    ) -> list[Hit]:
        query = _blank_masks(_visible(query))
        allowed = self.store.filtered_documents(filters) if filters else None
        if allowed is not None and not allowed:
            return []
        vector = None
        semantic: Future[tuple[list[Scored], list[Scored]]] | None = None
        if mode in ("semantic", "hybrid") and self._has_vectors():
            # Embed the query on a worker thread (onnxruntime releases the GIL) while the
            # lexical half runs here: hybrid then costs the slower half, not their sum. A
            # store whose vector index is in memory (SQLite) is scanned there too.
            index = getattr(self.store, "vector_index", None)
            if query_vector is not None:
                vector = query_vector
            elif index is not None:
                semantic = self._worker().submit(
                    self._embed_and_scan, query, index(self.embedder.name), allowed)
            else:
                vector = self._worker().submit(self._embed_query, query)
        words = _words(query)
        held: list[_Ranked] = []  # a one-word query: where bm25 finds the word (WORD_HELD)
        lists: list[tuple[float, list[_Ranked], _Normalise]] = []
        bonus: dict[_GroupKey, float] = {}
        highlight: set[str] = {w.casefold() for w in words}
        semantic_share = {"lexical": 0.0, "semantic": 1.0}.get(mode, NAME_LIKE.semantic)
        weights = NAME_LIKE
        pinned: tuple[_GroupKey, int] | None = None  # a group's passage to show, whatever else
        named: set[_GroupKey] = set()  # concepts a description names: its neighbours
        named_by: dict[str, set[_GroupKey]] = {}  # the phrase of the query that names each
        defining: dict[_GroupKey, tuple[float, int]] = {}  # a group the query names: its entry
        semantic_ranked: list[_Ranked] = []  # the vectors' list, best first
        # A words (bm25) list was cut at CANDIDATES: notes holding the query's words were not
        # ranked. The vectors' list is not counted: every passage has a cosine, so it is full on
        # any store over CANDIDATES passages, and what it leaves out are only farther
        # neighbours ("einsum", hybrid: "82 hits, not 100" for a word one note holds).
        full = False

        if mode in ("lexical", "hybrid"):
            matches = self._name_matches(query, allowed)
            formula = _formula(query)
            if mode == "hybrid" and (formula or _descriptive(query, words, matches)):
                weights = FORMULA if formula else DESCRIPTIVE
                semantic_share = weights.semantic
                phrases = self._named_in(query, allowed)
                groups = self._entry_groups(e for ids in phrases.values() for e in ids)
                named_by = {gram: {groups[e] for e in ids} for gram, ids in phrases.items()}
                named = {key for keys in named_by.values() for key in keys}
                if named and not _BLANK.search(query):
                    named -= set(self._entry_groups(self._subject_of(query, allowed)).values())
                if (weights is DESCRIPTIVE and not _BLANK.search(query)
                        and self._subject_of(query, allowed, relative=False)):
                    weights = SAYS_ITS_NAME
            # A description or a formula in hybrid is searched as typed: its vectors carry it,
            # and a right correction ("optimiser") added a word on many pages to its bm25
            # list (own-words hybrid 0.5528 / 0.5555 -> 0.5493 / 0.5538 with it). Its
            # corrections are not looked up at all.
            fixed = self._corrections(query) if weights is NAME_LIKE else {}
            if len(self._used) >= TYPO_REMEMBERED:
                self._used.clear()
            self._used[(query, mode)] = fixed
            highlight.update(w for fix in fixed.values() for w in fix.split())
            expansions = self._expansions(query, matches, allowed, weights.expand_phrases)
            highlight.update(w.casefold() for name in expansions for w in _WORD.findall(name))
            groups_of_entries = self._entry_groups([m.entry_id for m in matches])
            for m in matches:
                # A name typed in full (or nearly) puts its concept above everything else.
                key = groups_of_entries[m.entry_id]
                bonus[key] = max(bonus.get(key, 0.0), NAME_WEIGHT * m.score)
                if m.score > defining.get(key, (0.0, 0))[0]:
                    defining[key] = (m.score, m.entry_id)
            kept = self._prune_common(
                [fixed.get(w.casefold(), w) for w in words] if fixed else words)
            match = _text_query(kept, expansions)
            if match:
                lexical = (1.0 - semantic_share) / 2
                found = self.store.fts_passages(match, CANDIDATES, allowed,
                                                weights.passage_columns)
                entries_found = self.store.fts_entries(match, CANDIDATES, allowed,
                                                       weights.entry_columns)
                full = len(found) >= CANDIDATES or len(entries_found) >= CANDIDATES
                passage_list = self._passage_list(self._no_filler(found, weights))
                entry_list = self._entry_list(entries_found)
                lists.append((lexical, passage_list, _by_top))
                lists.append((lexical, entry_list, _by_top))
                if mode == "hybrid" and len(words) == 1:
                    held = passage_list + entry_list
                exact = (self._quoted(words, kept, allowed)
                         or self._sentence_match(words, passage_list))
                if exact is not None:
                    # The query is (nearly) a sentence of this passage: its own passage first.
                    own, own_passage, coverage = exact
                    bonus[own] = max(bonus.get(own, 0.0), EXACT_WEIGHT * coverage)
                    pinned = (own, own_passage)

        # The links of the lexical candidates are read while the worker embeds the query;
        # only the passages the semantic list adds are looked up after it. A query that names
        # a concept lifts none: the title-only pages its page links to came before the pages
        # with text that follow it ("AdaGrad": learning rate and SGD, empty, before ADADELTA).
        lift = not defining
        looked_up: set[int] = set()
        stubs = self._stubs_linked(lists, allowed, looked_up) if lift else {}
        if vector is not None or semantic is not None:
            # One list: a group counts by its best cosine, whether a passage or an entry has
            # it (two lists gave a concept with both a vote more than a title-only entry).
            if semantic is not None:
                passages, entries = semantic.result()
            else:
                assert vector is not None
                passages, entries = self._semantic(vector.result(), allowed)
            entry_list = self._entry_list(entries)
            both = sorted(self._passage_list(self._no_filler(passages, weights)) + entry_list,
                          key=lambda r: -r[2])
            if lists:
                # bm25 cannot see a concept with no text (a title-only page, an empty section):
                # where the vectors' candidates are such pages, the pages with text that share the
                # query's words pass the one it describes ("an energy-based network of random binary
                # units": Hopfield network, which has text, before Boltzmann machine, a title only,
                # that the vectors put first). bm25's share of the fused score is multiplied by the
                # share of the vectors' candidate groups that have text (`Searcher._text_share`);
                # the vectors take the rest. A store whose candidates all have text is unchanged.
                # own_words2, MRR@10 tune / report: 0.575 / 0.608 -> 0.589 / 0.621 (ml-glossary-
                # terms 0.465 / 0.367 -> 0.513 / 0.420); descriptions2 `--hide source` 0.507 / 0.465
                # -> 0.507 / 0.467; dev.jsonl 0.876 -> 0.871, its epoch query 1st -> 2nd behind an
                # empty page (bench/README.md, round 29).
                seen = self._text_share(both)
                lists = [(weight * seen, ranked, normalise) for weight, ranked, normalise in lists]
                semantic_share += (1.0 - semantic_share) * (1.0 - seen)
            # The nearest entry vectors' own list takes this share of the vectors' weight
            # (ENTRY_VOTE): where passages lead the vectors' first groups, little or none.
            vote = (ENTRY_VOTE * _entry_led(both)
                    if mode == "hybrid" and weights is not NAME_LIKE else 0.0)
            lists.append((semantic_share * (1.0 - vote), both, _min_max))
            semantic_ranked = both
            if both and both[0][0] in named and not _BLANK.search(query):
                first = both[0][0]
                if self._still_first(query, first, named, named_by, allowed):
                    named.discard(first)  # what the description is about, not a neighbour
            if lift:
                stubs.update(self._stubs_linked(lists[-1:], allowed, looked_up))
            if vote:
                lists.append((semantic_share * vote, sorted(entry_list, key=lambda r: -r[2]),
                              _min_max))

        if len(self._full) >= TYPO_REMEMBERED:
            self._full.clear()
        self._full[(query, mode, filters)] = full
        fused, shown = _score(lists, stubs, named, bonus)
        for key, passage_id, _ in held:
            if passage_id is not None:
                shown[key][passage_id] += WORD_HELD
        for key in {key for key, _, _ in held}:
            fused[key] += WORD_HELD
        if mode == "hybrid" and semantic_ranked and not bonus:
            for key in self._subject_lifted(query, words, semantic_ranked, allowed):
                if key in fused:
                    fused[key] += SUBJECT_LIFT
        if mode == "hybrid" and weights is not NAME_LIKE and not bonus and pinned is None:
            self._local_lift(words, fused)
        if (mode == "hybrid" and weights is not NAME_LIKE and semantic_ranked and not bonus
                and pinned is None):
            bm25_lists = [entry for entry in lists if entry[2] is _by_top]
            self._keep_semantic_first(fused, semantic_ranked[0][0], bm25_lists, words, named)
        if pinned is not None:
            shown.setdefault(pinned[0], {})[pinned[1]] = math.inf
        ranked = sorted(fused, key=lambda key: -fused[key])
        if pinned is not None:
            defining.pop(pinned[0], None)
        if mode != "semantic":
            self._searched = True  # its names were looked up: the next query loads them
        by_name = {key: entry_id for key, (_, entry_id) in defining.items()}
        order = _window(ranked, fused, k + SPARE)
        hits = self._hits(order, fused, shown, highlight, by_name, allowed)
        if not fold_copies:
            return hits[:k]
        hits = _fold_copies(hits)
        for _ in range(COPY_ROUNDS):
            # Copies folded into one hit (`_fold_copies`) leave room: the next groups fill it.
            if len(hits) >= k or len(order) >= len(ranked):
                break
            order = _window(ranked, fused, len(order) + k - len(hits) + SPARE)
            hits = _fold_copies(self._hits(order, fused, shown, highlight, by_name, allowed))
        return hits[:k]

    def _local_lift(self, words: Sequence[str], fused: dict[_GroupKey, float]) -> None:
        """Lift the fused first LOCAL_TOP groups by the query's words their own texts say and
        the other candidates' do not (LOCAL_LIFT)."""
        top = sorted(fused, key=lambda key: -fused[key])[:LOCAL_TOP]
        asked = {_stem(w) for w in words
                 if len(w) >= 3 and not w.isdigit() and w.casefold() not in STOPWORDS}
        if len(top) < 3 or not asked:
            return
        texts = self._local_texts(top)
        said = {key: {_stem(w) for w in _WORD.findall(names + " " + text)}
                for key, (names, text) in texts.items()}
        weight: dict[str, float] = {}
        for word in asked:
            df = sum(1 for key in top if word in said.get(key, ()))
            if df:
                weight[word] = math.log(len(top) / df)
        score = {key: sum(w for word, w in weight.items() if word in said[key])
                 for key, (_, text) in texts.items() if text}
        best = max(score.values(), default=0.0)
        if best > 0:
            for key, value in score.items():
                fused[key] += LOCAL_LIFT * value / best

    def _local_texts(self, keys: Sequence[_GroupKey]) -> dict[_GroupKey, tuple[str, str]]:
        """Each group's names (its concept's label, its first passage's term) and the first
        LOCAL_WORDS words of its first passage ("" for a group with none). Kept while the
        store does not change (LOCAL_KEPT groups): the next description's candidates are
        mostly the same neighbours, and each read costs a statement or more."""
        counter = self.store.change_counter()
        kept_at, memo = self._local_memo
        if kept_at != counter or len(memo) > LOCAL_KEPT:
            memo = {}
            self._local_memo = (counter, memo)
        missing = [key for key in keys if key not in memo]
        if missing:
            memo.update(self._local_read(missing))
        return {key: memo[key] for key in keys}

    def _local_read(self, keys: Sequence[_GroupKey]) -> dict[_GroupKey, tuple[str, str]]:
        """`_local_texts` read from the store."""
        firsts: dict[_GroupKey, int] = {}
        for kind, found in (
                ("e", self.store.entry_first_passages([k[1] for k in keys if k[0] == "e"])),
                ("d", self.store.document_first_passages([k[1] for k in keys if k[0] == "d"])),
                ("c", self.store.concept_first_passages([k[1] for k in keys if k[0] == "c"]))):
            firsts.update(((kind, owner), pid) for owner, pid in found.items())
        rows = self.store.passage_rows(list(firsts.values()))
        labels = self.store.concept_label_of(k[1] for k in keys if k[0] == "c")
        out: dict[_GroupKey, tuple[str, str]] = {}
        for key in keys:
            row = rows.get(firsts.get(key, -1))
            label = labels.get(key[1]) if key[0] == "c" else None
            names = " ".join(filter(None, [label, row.term if row is not None else None]))
            text = " ".join(row.text.split()[:LOCAL_WORDS]) if row is not None else ""
            out[key] = (names, text)
        return out

    def _keep_semantic_first(
        self, fused: dict[_GroupKey, float], first: _GroupKey,
        lexical: Sequence[tuple[float, list[_Ranked], _Normalise]], words: Sequence[str],
        named: set[_GroupKey],
    ) -> None:
        """Put the vectors' `first` group first in `fused` when the fused first passed it on
        weak bm25 evidence (WEAK_WORDS): few of the query's words in its lexical passages."""
        if first not in fused or first in named:
            return
        top = max(fused, key=lambda key: fused[key])
        if top == first:
            return
        pids = [pid for _, ranked, _ in lexical for key, pid, _ in ranked
                if key == top and pid is not None][:WEAK_PASSAGES]
        query = {w.casefold() for w in words} - STOPWORDS
        held: set[str] = set()
        for row in self.store.passage_rows(pids).values():
            text = f"{row.text} {' '.join(row.heading_path)}"
            held |= query & {w.casefold() for w in _WORD.findall(text)}
        if len(held) <= WEAK_WORDS:
            fused[first] = fused[top] + WEAK_STEP

    def _no_filler(self, scored: list[Scored], weights: _Weights) -> list[Scored]:
        """`scored` without a page's filler (`Store.filler_passages`) for a description or a
        formula (FILLER)."""
        if weights is NAME_LIKE or not scored:
            return scored
        filler = self.store.filler_passages([s.id for s in scored])
        return [s for s in scored if s.id not in filler] if filler else scored

    def _quoted(
        self, words: Sequence[str], rarest: Sequence[str], allowed: set[int] | None
    ) -> tuple[_GroupKey, int, float] | None:
        """The passage that holds the query as it was typed, give or take a word: its words
        within a run of the passage one word longer than the query, all but one of them
        there. Looked for among the passages that hold every word, whatever bm25 thinks of
        them: a short sentence of a long passage ranks low ("These models have an encoder
        and a decoder." in a page of 120 words came after every note on encoders). On a large
        store, the passages looked at are those with the query's rarest words (`rarest`, from
        `_prune_common`): every word of a long query, common ones too, took 17 ms at 1M."""
        query = [w.casefold() for w in words]
        if len(query) < QUOTE_MIN_WORDS:
            return None
        if len(rarest) >= len(words):
            anchor, pool = query, QUOTE_POOL
        else:  # a large store: fewer words, so more passages hold them; fewer looked at
            anchor, pool = [w.casefold() for w in rarest[:3]], QUOTE_POOL_LARGE
        ids = self.store.passages_with_all(anchor, pool, allowed)  # by bm25
        rows = self.store.passage_rows(ids)
        held = {pid: _held(_WORD.findall(rows[pid].text.casefold()), query)
                for pid in ids if pid in rows}
        # The passage that holds most of it (the one it was typed from, not a sibling note
        # that says nearly the same), then bm25's order.
        for pid in sorted((p for p in held if held[p] >= len(query) - 1), key=lambda p: -held[p]):
            for key, _, _ in self._passage_list([Scored(pid, 0.0)]):
                return key, pid, 1.0
        return None

    def _sentence_match(
        self, words: Sequence[str], ranked: Sequence[_Ranked]
    ) -> tuple[_GroupKey, int, float] | None:
        """The lexical candidate that holds (nearly) every word of a long query, if any."""
        query = [w.casefold() for w in words]
        content = set(query) - STOPWORDS
        if len(content) < EXACT_MIN_WORDS or not ranked:
            return None
        ids = [pid for _, pid, _ in ranked[:EXACT_POOL] if pid is not None]
        rows = self.store.passage_rows(ids)
        best: tuple[_GroupKey, int, float] | None = None
        for key, pid, _ in ranked[:EXACT_POOL]:
            row = rows.get(pid if pid is not None else -1)
            if row is None or pid is None:
                continue
            have = {w.casefold() for w in _WORD.findall(row.text)}
            coverage = len(content & have) / len(content)
            if coverage >= EXACT_COVERAGE and (best is None or coverage > best[2]):
                best = (key, pid, coverage)
        return best

    def _prune_common(self, words: Sequence[str]) -> list[str]:
        """On a large store, the rarest words of the query, as many as bm25 can rank quickly.

        bm25 scores every passage that holds any query word (about 1.5 us each): a long
        description of common words matched 100k+ passages of a 100k store (200 ms and more).
        Words found in a large share of passages weigh near nothing, so they are dropped
        when rarer ones remain, and the words kept, rarest first, may match the store's
        `lexical_rows` passages in all (the rarest one is kept whatever it matches).
        """
        terms = list(dict.fromkeys(w.casefold() for w in words if w.casefold() not in STOPWORDS))
        if len(terms) < 2:
            return list(words)
        total = self._cached("passages", self.store.passage_count)
        limit = max(2000, total // 50)
        if total < limit * 2:
            return list(words)
        budget = self.store.lexical_rows
        counts = self.store.term_counts(terms, limit)
        # A word in no passage (a typo) finds nothing: it never counts as the rare one.
        rare = [t for t in terms if 0 < counts[t] < limit]
        if not rare:
            # Every word is common: count them further (reading at most `budget` rowids
            # each, still far cheaper than ranking them) to keep the rarest.
            common = [t for t in terms if counts[t] >= limit]
            counts = self.store.term_counts(common, budget + 1)
            rare = common
        kept: list[str] = []
        rows = 0
        for term in sorted(rare, key=lambda t: counts[t]):
            if kept and rows + counts[term] > budget:
                break
            kept.append(term)
            rows += counts[term]
        return kept or list(words)

    def cut(self, query: str, mode: str = "hybrid", source: str | None = None,
            format: str | None = None, tag: str | None = None) -> bool:
        """Whether the last `search(query, mode=mode, source=..., format=..., tag=...)` took
        CANDIDATES from a words list that held more: it ranked no more than those, so fewer hits
        than a large `k` asked for do not mean the notes hold no more (`-k 1000 learning`: 78)."""
        key = (_blank_masks(_visible(query)), mode, Filters(source=source, format=format, tag=tag))
        return self._full.get(key, False)

    def searched_for(self, query: str, mode: str = "lexical") -> str | None:
        """The query as its lexical side searched it in `mode` when a word of it is in no note
        and a near word is (`_corrections`): "gausian splating" -> "gaussian splatting"; else
        None (a hybrid search of a description searches its words as typed)."""
        if mode == "semantic":
            return None
        plain = _blank_masks(_visible(query))
        fixed = self._used.get((plain, mode))
        if fixed is None:
            fixed = self._corrections(plain)
        if not fixed:
            return None
        # Only the words changed: the rest as typed (a hyphen, quotes), not re-spaced.
        return _WORD.sub(lambda m: fixed.get(m.group().casefold(), m.group()), query).strip()

    def _corrections(self, query: str) -> dict[str, str]:
        """query word (casefolded) -> the word of the notes searched instead, for each word
        of `query` that no passage holds and that has a near word in the index (TYPO_MIN).

        The index's vocabulary is sorted, so the candidates are read as a few prefix ranges
        of it (the stem's first two letters, its first and third, its second and first; then
        SECOND_LETTER's), never the whole of it; a word and its candidates are compared as
        the index's stems ("splating" -> "splate", near "splat" of "splatting")."""
        from rapidfuzz.distance import OSA

        key = (query, self.store.change_counter())
        kept = self._corrected.get(key)
        if kept is not None:
            return kept
        words = [w for w in dict.fromkeys(_words(query)) if len(w) >= TYPO_MIN and w.isalpha()
                 and not w.isupper() and w.casefold() not in STOPWORDS]
        if words:
            english = _english_words()
            words = [w for w in words if w.casefold() not in english]
        out: dict[str, str] = {}
        if words:
            folded = list(dict.fromkeys(w.casefold() for w in words))
            counts = self.store.term_counts(folded, 1)
            # A word in no passage may still be a note's: a title with nothing under it
            # ("maxout" was searched as "mahout"), held by the entries' index alone.
            missing = list(itertools.islice(
                (w for w in folded if counts.get(w, 0) == 0
                 and not self.store.fts_entries(TextQuery((w,)), 1)), TYPO_WORDS))
            stems = self.store.index_stems(missing) if missing else {}
            for word, stem in stems.items():
                for near in self._nearest_terms(word, stem):
                    # Stems are shorter than words: one edit between stems can be many between
                    # the words ("emit" and "emot" of "emotion"). The word of the notes shown
                    # and searched must itself be as near the typed one; if not, the next
                    # ranges are read ("rmbedding": "rmse" first, then "embed"), for a word
                    # of FIRST_LETTER_MIN letters or more ("emit" was read as "edit" next).
                    surface = self._surface(near, word)
                    if OSA.distance(word, surface) <= _most_edits(word):
                        out[word] = surface
                        break
                    if len(word) < FIRST_LETTER_MIN:
                        break
        if len(self._corrected) >= TYPO_REMEMBERED:
            self._corrected.clear()
        self._corrected[key] = out
        return out

    def _nearest_terms(self, word: str, stem: str) -> Iterator[str]:
        """The index's terms nearest `stem` (TYPO_MIN), the nearest of each step in turn: the
        terms that begin with the stem's first two letters, its first and third, or its second
        and first; then a typo in the second letter (SECOND_LETTER), then in the first
        (FIRST_LETTER). A step is read only when the terms before it were not taken."""
        if len(stem) < 3:
            return
        steps: list[list[str]] = [[stem[:2], stem[0] + stem[2], stem[1] + stem[0]]]
        if stem[0].isascii():
            # "gtadient" (a letter in place of the second) and "gadient" (the second gone):
            # the term begins with the first letter, any letter, then the stem's third or
            # second; 52 small ranges.
            steps.append([stem[0] + letter + after for after in (stem[2], stem[1])
                          for letter in SECOND_LETTER])
            if len(word) >= FIRST_LETTER_MIN:
                # "xradient" (another first letter), "radient" (the first gone) and
                # "hgradient" (one put before it).
                steps.append([letter + start for start in (stem[1:3], stem[:2])
                              for letter in FIRST_LETTER] + [stem[1:3]])
        for prefixes in steps:
            near = self._nearest_of(word, stem, prefixes)
            if near is not None:
                yield near

    def _nearest_of(self, word: str, stem: str, prefixes: Iterable[str]) -> str | None:
        """The term nearest `stem` among those that begin with one of `prefixes`, or None."""
        from rapidfuzz.distance import OSA

        most = _most_edits(word)
        best: tuple[int, int, str] | None = None
        shortest = min(len(stem), len(word) - max(map(len, _ENDINGS))) - most
        longest = max(len(stem), len(word)) + most
        ranges = list(dict.fromkeys(prefixes))
        for terms in self.store.index_term_ranges(ranges):  # one read of them all
            for term, n in terms:
                if not shortest <= len(term) <= longest or term == stem or n <= 0:
                    continue
                d = OSA.distance(stem, term, score_cutoff=most)
                if d > most and len(term) >= TYPO_MIN and word.startswith(term):
                    # A typo in the suffix the stemmer takes off ("marchng" is its own stem,
                    # "marching" is "march"): the typed word against the term's inflections
                    # (only past the term: "bell" is no "be" + "ly", "emits" no "emot" + "s").
                    d = min(OSA.distance(word, term + ending, score_cutoff=most)
                            for ending in _ENDINGS)
                if d > most:
                    continue
                if best is None or (d, -n, term) < best:
                    best = (d, -n, term)
        return best[2] if best is not None else None

    def _surface(self, term: str, typed: str) -> str:
        """A word of the notes the index files under `term`: of its forms in the first passages
        that hold it, the nearest the word `typed` (then the commonest); the stem itself reads
        badly ("splat" for "splatting")."""
        from rapidfuzz.distance import OSA

        ids = self.store.passages_holding(term, 3)  # unranked: "neural" is in 20k
        if not ids:
            return term
        head = term[:max(3, len(term) - 1)]
        seen = Counter(w.casefold() for row in self.store.passage_rows(ids).values()
                       for w in _WORD.findall(row.text + " " + row.title)
                       if w.casefold().startswith(head) and w.isalpha())
        if not seen:
            return term
        stems = self.store.index_stems(list(seen))
        forms = [w for w in seen if stems.get(w) == term]
        if not forms:
            return term
        return str(min(forms, key=lambda w: (OSA.distance(typed, w), -seen[w], w)))

    def _cached(self, name: str, compute: Callable[[], Any]) -> Any:
        """A value that only changes when the store does (checked by a cheap counter)."""
        counter = self.store.change_counter()
        hit = self._cache.get(name)
        if hit is not None and hit[0] == counter:
            return hit[1]
        value = compute()
        self._cache[name] = (counter, value)
        return value

    # -- names ----------------------------------------------------------------------------

    def _name_index(self) -> NameMatcher:
        """The names, looked up in the store during this searcher's first query (when it
        can: the index takes every name to load, 5-9 s at 1M passages) and while the index
        loads on a thread of its own (`load_names`: started by a server, or here at the
        second query); from the index after that."""
        if not self._names_loaded and isinstance(self.store, NameQueryStore):
            if self._searched and self._names_loading is None:
                self.load_names()  # loaded now if no other thread can read the store
                if self._names_loaded:
                    return self._names
            loading = self._names_loading
            if not self._searched or (loading is not None and not loading.done.is_set()):
                if self._store_names is None:
                    self._store_names = StoreNames(self.store)
                return self._store_names
            if loading is not None and loading.index is not None:
                self._names = loading.index  # then follows the log from where it read
            self._names_loading = None
        return self._from_index()

    def _from_index(self) -> NameIndex:
        """The in-memory index from now on, brought up to date (loaded whole the first time)."""
        self._names_loaded = True
        self._store_names = None
        self._names.refresh(self.store)
        return self._names

    def load_names(self) -> None:
        """Start loading the name index on a thread of its own, through a connection of its
        own: a server calls this when it starts, so that no query of its waits for every name
        (3 s at 1M passages); queries look names up in the store until it is ready. A store
        no other thread can read (in memory, PostgreSQL) loads the index now."""
        if self._names_loaded or self._names_loading is not None:
            return
        store = self.store
        reader = (store.name_reader() if isinstance(store, ReadableNames)
                  and isinstance(store, NameQueryStore) else None)
        if reader is not None:
            self._names_loading = BackgroundLoad(reader)
        else:
            self._from_index()

    def names_loaded(self, timeout: float | None = None) -> bool:
        """Wait up to `timeout` seconds for a name index loading in the background; True
        when no load is under way (then the next query uses the index, once it loads it)."""
        loading = self._names_loading
        return loading is None or loading.done.wait(timeout)

    def _name_matches(self, query: str, allowed: set[int] | None) -> list[NameMatch]:
        """Entries whose name is the query: exactly, word by word as prefixes, or with a typo."""
        q = normalize(query)
        if not q or len(q) > 80:
            return []
        matches = {m.entry_id: m for m in self._name_index().match(q, allowed)}
        if any(m.score == 1.0 for m in matches.values()):
            return list(matches.values())
        # What a term states besides itself is one of its concept's names, not the entry's
        # own: "CNN" of "Convolutional Neural Networks (CNN)", "padding" of "Padding
        # (convolution)". Typed in full, it names the concept as its term does (a derived
        # name, strength 1, a little less).
        for entry_id, document_id, strength in self.store.entries_by_concept_name(q):
            score = 1.0 if strength >= 2 else 0.9
            if (allowed is None or document_id in allowed) and (
                    entry_id not in matches or matches[entry_id].score < score):
                matches[entry_id] = NameMatch(entry_id, score, q)
        return list(matches.values())

    def _expansions(
        self,
        query: str,
        matches: Sequence[NameMatch],
        allowed: set[int] | None,
        phrases: bool = True,
    ) -> list[str]:
        """Other names of the entries the query names, whole or in part (acronym expansion)."""
        index = self._name_index()
        # The matches are of `allowed` documents already (`_name_matches`): only the entries
        # a name inside the query adds are filtered here, by the documents `named` read with
        # them. Filtering the matches again lost the entries a concept's name matched
        # ("PCA" of "Principal Component Analysis (PCA)") while names were looked up in the
        # store, which knows the documents of the entries it looked up only: a filtered
        # search expanded "PCA" once the index was loaded, not before (round 28).
        entry_ids = {m.entry_id for m in matches}
        words = normalize(query).split()
        # A name inside a longer query ("what does RLHF optimise") expands too, when it is
        # specific: several words, or a short name written in capitals (an acronym).
        capitals = {w.casefold() for w in _WORD.findall(query) if len(w) >= 2 and w.isupper()}
        names = index.named(_grams(words))
        for n in range(1, min(5, len(words)) + 1):
            for i in range(len(words) - n + 1):
                gram = " ".join(words[i : i + n])
                if gram not in names or gram in STOPWORDS:
                    continue
                if (n >= 2 and phrases) or gram in capitals:
                    ids = names[gram]
                    if len(ids) <= 5:
                        entry_ids.update(e for e in ids
                                         if allowed is None or index.document_of(e) in allowed)
        q = normalize(query)
        out: list[str] = []
        for aliases in self.store.entry_aliases(entry_ids).values():
            for name in aliases:
                if normalize(name) != q and name not in out:
                    out.append(name)
        return out[:12]

    def _subject_of(
        self, query: str, allowed: set[int] | None, relative: bool = True
    ) -> list[int]:
        """Entries whose name is what the description defines (`_subjects`)."""
        index = self._name_index()
        found = _subjects(query, relative)
        names = index.named(found)
        out: list[int] = []
        for gram in found:
            if len(gram) >= 3 and gram not in STOPWORDS:
                out.extend(e for e in names.get(gram, ())
                           if allowed is None or index.document_of(e) in allowed)
        return out

    def _subject_lifted(
        self, query: str, words: Sequence[str], semantic: Sequence[_Ranked],
        allowed: set[int] | None,
    ) -> set[_GroupKey]:
        """The groups a description defines by name that the vectors put among their first
        SUBJECT_TOP groups (`SUBJECT_LIFT`)."""
        content = {w.casefold() for w in words} - STOPWORDS
        if len(content) < SUBJECT_WORDS or _BLANK.search(query) or _question(query, words):
            return set()
        subjects = set(self._entry_groups(self._subject_of(query, allowed, relative=False))
                       .values())
        if not subjects:
            return set()
        first: list[_GroupKey] = []
        for key, _, _ in semantic:
            if key not in first:
                first.append(key)
                if len(first) == SUBJECT_TOP:
                    break
        return subjects & set(first)

    def _named_in(self, query: str, allowed: set[int] | None) -> dict[str, list[int]]:
        """Each phrase of the query (normalised) that is a name (a term or alias, 3+ letters),
        with the entries it names."""
        index = self._name_index()
        words = normalize(query).split()
        grams = _grams(words)
        # `normalize` singularises a query's last word only: a phrase inside it is looked up
        # in the singular too ("recurrent neural networks" names recurrent neural network),
        # and `_subjects` reads a subject in the plural. MRR@10 tune / report: every name
        # masked 0.418 / 0.427 -> 0.419 / 0.431, `--hide source` 0.501 / 0.467 -> 0.501 /
        # 0.471, own words 0.704 / 0.580 -> 0.712 / 0.580 (bench/README.md, round 21).
        single = {gram: normalize(gram) for gram in grams}
        names = index.named(list(dict.fromkeys([*grams, *single.values()])))
        out: dict[str, list[int]] = {}
        for gram in grams:
            if len(gram) >= 3 and gram not in STOPWORDS:
                found = [e for e in names.get(gram) or names.get(single[gram]) or []
                         if allowed is None or index.document_of(e) in allowed]
                if found:
                    out[gram] = found
        return out

    def _still_first(
        self, query: str, first: _GroupKey, named: set[_GroupKey],
        named_by: dict[str, set[_GroupKey]], allowed: set[int] | None,
    ) -> bool:
        """Whether the concept the vectors put first, which the description names, is still
        their first with every name the description holds blanked: then the rest of the
        description says what it is, and it is the concept described, not a neighbour
        (see NAMED_IN_DESCRIPTION). A name that follows "of" is never the concept described
        ("the step size of gradient descent", "a type of autoencoder")."""
        phrases = [gram for gram, keys in named_by.items() if keys & named]
        mine = [gram for gram, keys in named_by.items() if first in keys]
        if not mine or any(_after_of(query, gram) for gram in mine):
            return False
        blanked = _blank_phrases(query, phrases)
        if blanked == query:
            return False
        index = getattr(self.store, "vector_index", None)
        if index is not None:
            passages, entries = self._worker().submit(
                self._embed_and_scan, blanked, index(self.embedder.name), allowed).result()
        else:
            passages, entries = self._semantic(self._embed_query(blanked), allowed)
        both = self._passage_list(passages) + self._entry_list(entries)
        return bool(both) and max(both, key=lambda r: r[2])[0] == first

    def _text_share(self, ranked: Sequence[_Ranked]) -> float:
        """The share of the groups of `ranked` that have text: a passage among the candidates,
        or one in the store (a group seen through its entry's vector alone may be a title-only
        page or an empty section, which bm25 cannot see)."""
        has: dict[_GroupKey, bool] = {}
        for key, passage_id, _ in ranked:
            has[key] = has.get(key, False) or passage_id is not None or key[0] == "d"
        unknown = [key for key, seen in has.items() if not seen]
        if unknown:
            found = {("c", c) for c in self.store.concept_first_passages(
                [key[1] for key in unknown if key[0] == "c"])}
            found |= {("e", e) for e in self.store.entry_first_passages(
                [key[1] for key in unknown if key[0] == "e"])}
            has.update((key, key in found) for key in unknown)
        return sum(has.values()) / len(has) if has else 1.0

    def _stubs_linked(
        self, lists: Sequence[tuple[float, list[_Ranked], _Normalise]], allowed: set[int] | None,
        looked_up: set[int],
    ) -> dict[int, list[_GroupKey]]:
        """passage id -> the title-only concepts the candidate passage links to, for the
        passages of `lists` not in `looked_up` (which gains them)."""
        pids = list(dict.fromkeys(pid for _, ranked, _ in lists for _, pid, _ in ranked
                                  if pid is not None and pid not in looked_up))
        looked_up.update(pids)
        return {pid: [("c", c) for c in sorted(concepts)]
                for pid, concepts in self.store.title_only_links(pids, allowed).items()}

    # -- groups ---------------------------------------------------------------------------

    def _entry_groups(self, entry_ids: Iterable[int]) -> dict[int, _GroupKey]:
        # Once resolve has made concepts, an entry belongs to its concept; until then (or for
        # an entry resolve has not seen yet) the entry is its own group.
        ids = list(dict.fromkeys(entry_ids))
        concepts = self.store.concepts_of_entries(ids)
        return {e: ("c", concepts[e]) if e in concepts else ("e", e) for e in ids}

    def _passage_list(self, scored: Sequence[Scored]) -> list[_Ranked]:
        ids = [s.id for s in scored]
        owners = self.store.passage_groups(ids)
        out: list[_Ranked] = []
        for pid, value in ((s.id, s.score) for s in scored):
            if pid not in owners:
                continue
            doc_id, entry_id, concept_id = owners[pid]
            if concept_id is not None:
                key: _GroupKey = ("c", concept_id)
            else:
                key = ("e", entry_id) if entry_id is not None else ("d", doc_id)
            out.append((key, pid, value))
        return out

    def _entry_list(self, scored: Sequence[Scored]) -> list[_Ranked]:
        groups = self._entry_groups(s.id for s in scored)
        return [(groups[s.id], None, s.score) for s in scored]

    # -- semantic -------------------------------------------------------------------------

    def _has_vectors(self) -> bool:
        signature = self._cached("vectors", self.store.vectors_signature)
        return bool(signature[0] or signature[2])

    def prepare(self, mode: str) -> None:
        """Start loading the embedding model on the worker thread, when a search in `mode`
        will embed its query: whatever runs before the search (resolving changed files, the
        name index) then overlaps the model's load (cold start; onnxruntime builds its
        session without the GIL). A model that fails to load fails again in the search."""
        if not self._warmed and mode in ("semantic", "hybrid") and self._has_vectors():
            warm = getattr(self.embedder, "warm", None)
            if warm is not None:
                self._worker().submit(warm)
            # Once: handing the worker an empty task on every search woke it for nothing
            # (a thread switch before each query's own embedding).
            self._warmed = True

    def _worker(self) -> ThreadPoolExecutor:
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="grimoire-embed")
        return self._pool

    def _embed_query(self, query: str) -> Any:
        return self.embedder.embed([query])[0]

    def _embed_and_scan(
        self, query: str, index: Any, allowed: set[int] | None
    ) -> tuple[list[Scored], list[Scored]]:
        found: tuple[list[Scored], list[Scored]] = index.nearest(
            self._embed_query(query), CANDIDATES, allowed)
        return found

    def _semantic(
        self, q: Any, allowed: set[int] | None
    ) -> tuple[list[Scored], list[Scored]]:
        # The store's own index answers: pgvector's HNSW, or SQLite's in-memory scan.
        return self.store.nearest(self.embedder.name, q, CANDIDATES, allowed)

    # -- hits -----------------------------------------------------------------------------

    def _passageless_entry(self, key: _GroupKey, allowed: set[int] | None) -> StoredEntry | None:
        """The entry a group without any passage stands for (a concept's first entry in the
        documents searched: a title-only page of the same name in another source is not one)."""
        if key[0] == "c":
            entries = [c.stored for c in self.store.concept_entries_of(key[1])]
            if allowed is not None:
                documents = self.store.entry_documents(e.id for e in entries)
                entries = [e for e in entries if documents.get(e.id) in allowed]
            return entries[0] if entries else None
        if key[0] != "e":
            return None
        for name in self.store.entry_aliases([key[1]]).get(key[1], []):
            for stored in self.store.entries_named(normalize(name)):
                if stored.id == key[1]:
                    return stored
        return None

    def _hits(
        self,
        order: Sequence[_GroupKey],
        fused: dict[_GroupKey, float],
        shown: dict[_GroupKey, dict[int, float]],
        highlight: set[str],
        defining: dict[_GroupKey, int],
        allowed: set[int] | None,
    ) -> list[Hit]:
        # A group is shown by the passage that earned it the most, unless that passage has no
        # text (a README's row of badges under its title): then by the next that has some.
        candidates = {k: [pid for pid, _ in sorted(shown[k].items(), key=lambda kv: -kv[1])]
                      for k in order if k in shown}
        chosen: dict[_GroupKey, int] = {k: pids[0] for k, pids in candidates.items()}
        # A group whose name is the query is shown by its definition: the first passage of the
        # entry named, not whichever passage earned the most ("softmax" showed the input
        # vector of the note's worked example, a short code block embedded with its name).
        wanted = {key: entry_id for key, entry_id in defining.items() if key in fused}
        firsts = self.store.entry_first_passages(wanted.values())
        rows = self.store.passage_rows(list({*chosen.values(), *firsts.values()}))
        for key, entry_id in wanted.items():
            pid = firsts.get(entry_id)
            if pid is not None and pid in rows and rows[pid].text.strip():
                chosen[key] = pid
        blank = [k for k, pid in chosen.items()
                 if pid in rows and not rows[pid].text.strip() and len(candidates[k]) > 1]
        if blank:
            rows.update(self.store.passage_rows([p for k in blank for p in candidates[k][1:4]]))
            for k in blank:
                chosen[k] = next((p for p in candidates[k] if p in rows and rows[p].text.strip()),
                                 chosen[k])
        need_entries = [key[1] for key in order if key not in chosen and key[0] == "e"]
        need_docs = [key[1] for key in order if key not in chosen and key[0] == "d"]
        need_concepts = [key[1] for key in order if key not in chosen and key[0] == "c"]
        for entry_id, pid in self.store.entry_first_passages(need_entries).items():
            chosen[("e", entry_id)] = pid
        for doc_id, pid in self.store.document_first_passages(need_docs).items():
            chosen[("d", doc_id)] = pid
        for concept_id, pid in self.store.concept_first_passages(need_concepts).items():
            chosen[("c", concept_id)] = pid
        rows.update(self.store.passage_rows([p for p in chosen.values() if p not in rows]))
        # A concept shown by a redirect's passage ("Abbreviation for recurrent neural
        # networks") shows its definition instead: the redirect led the query to it.
        redirects = self.store.redirect_entries(
            row.entry_id for key, pid in chosen.items() if key[0] == "c"
            and (row := rows.get(pid)) is not None and row.entry_id is not None)
        if redirects:
            redirected = [k for k, pid in chosen.items() if k[0] == "c"
                          and (row := rows.get(pid)) is not None and row.entry_id in redirects]
            better = self.store.concept_first_passages(k[1] for k in redirected)
            for key in redirected:
                if key[1] in better:
                    chosen[key] = better[key[1]]
            rows.update(self.store.passage_rows(
                [better[k[1]] for k in redirected if k[1] in better]))
        labels = self.store.concept_label_of(k[1] for k in order if k[0] == "c")
        hits: list[Hit] = []
        for key in order:
            row = rows.get(chosen.get(key, -1))
            concept = labels.get(key[1]) if key[0] == "c" else None
            cid = ConceptId(str(key[1])) if key[0] == "c" else None
            if row is None:
                # A title-only page (a term with no text under it) has an entry but no
                # passage; it is still the concept the query may be looking for.
                stored = self._passageless_entry(key, allowed)
                if stored is not None:
                    hits.append(_entry_hit(stored, fused[key], concept, cid))
                elif key in chosen and self._unreadable is not None:
                    self._unreadable()  # a passage the index found, whose row is gone
                continue
            hits.append(_hit(row, fused[key], concept or row.term, cid, highlight))
        hits = _one_per_passage(hits)
        # Equal scores are ordered by what the hit shows, never by row ids, so a store built
        # incrementally and a fresh one with the same notes list hits in the same order.
        hits.sort(key=lambda h: (-h.score, h.span.path, h.span.start_line, h.concept or ""))
        return hits


def _window(ranked: list[_GroupKey], fused: dict[_GroupKey, float], n: int) -> list[_GroupKey]:
    """The first `n` groups of `ranked` (best first), and every group tied with the last of
    them: which of those make the page is decided on what they show, not on row ids (see
    `Searcher._hits`). A few groups past the k-th stand in for a group whose passage a better
    one already shows (`_one_per_passage`) or that copies a better one's (`_fold_copies`)."""
    if len(ranked) <= n:
        return ranked
    cutoff = round(fused[ranked[n - 1]], 6)
    return [key for key in ranked if round(fused[key], 6) >= cutoff]


def _fold_copies(hits: list[Hit]) -> list[Hit]:
    """`hits` (best first) with each passage that nearly repeats a better hit's passage in
    another file folded into that hit, as one of its `copies` (COPIES)."""
    sizes = [len(h.text.split()) if h.passage_id != NO_PASSAGE else 0 for h in hits]
    made: dict[int, set[tuple[str, ...]]] = {}

    def shingled(i: int) -> set[tuple[str, ...]]:  # only for hits whose sizes could make a copy
        if i not in made:
            made[i] = word_triples(hits[i].text)
        return made[i]

    out: list[Hit] = []
    kept: list[tuple[int, int]] = []  # (index in `hits`, index in `out`) of the foldable
    for j, hit in enumerate(hits):
        into = None
        if sizes[j] >= MIN_WORDS:
            # Sets of Jaccard >= COPY_SIMILARITY differ in size by that ratio at most (counted
            # here in words split at spaces, not in shingles: a looser bound, COPY_SIZES).
            into = next((o for i, o in kept if out[o].span.path != hit.span.path
                         and min(sizes[i], sizes[j]) >= COPY_SIZES * max(sizes[i], sizes[j])
                         and _alike(shingled(i), shingled(j))
                         and not _names_its_own(hit, hits[i])), None)
        if into is None:
            if sizes[j] >= MIN_WORDS:  # too short to call a copy: glosses that agree are two
                kept.append((j, len(out)))
            out.append(hit)
        else:
            out[into] = replace(out[into], copies=(*out[into].copies, hit.span))
    return out


def _names_its_own(copy: Hit, kept: Hit) -> bool:
    """Whether `copy` is another concept's text that names it where `kept`'s does not: one
    template filled in for each of a glossary's terms ("Tanh is an activation function that
    ...", "Softplus is an activation function that ...") is a text per concept, not a copy
    (review40b: three such notes were one result, two concepts hidden in its copies)."""
    if not copy.concept or normalize(copy.concept) == normalize(kept.concept or ""):
        return False
    name = f" {normalize(copy.concept)} "
    return name in f" {normalize(copy.text)} " and name not in f" {normalize(kept.text)} "


def _alike(mine: set[tuple[str, ...]], theirs: set[tuple[str, ...]]) -> bool:
    shared = len(mine & theirs)  # the union's size without making it
    return shared >= COPY_SIMILARITY * (len(mine) + len(theirs) - shared)


def _one_per_passage(hits: list[Hit]) -> list[Hit]:
    """`hits` (best group first) with each passage once. Two groups can show one passage: a
    page named by its title alone (an HTML page whose entry spans its `<title>`) is a concept
    with no passage, shown by its page's first passage, and that passage, which belongs to no
    entry, is a group of its own when its words or its vector find it (round 34, qa34: `search
    softmx` listed one passage first and third). It is one result: the better group's score,
    and the concept either names. Two concepts one passage shows stay two results."""
    out: list[Hit] = []
    at: dict[int, int] = {}
    for hit in hits:
        first = at.get(hit.passage_id) if hit.passage_id != NO_PASSAGE else None
        if first is not None and None not in (out[first].concept_id, hit.concept_id) \
                and out[first].concept_id != hit.concept_id:
            first = None  # two concepts shown by one passage are two results
        if first is None:
            at.setdefault(hit.passage_id, len(out))
            out.append(hit)
        elif out[first].concept_id is None and hit.concept_id is not None:
            out[first] = replace(out[first], concept=hit.concept, concept_id=hit.concept_id)
    return out


def _entry_hit(
    stored: StoredEntry, score: float, concept: str | None, concept_id: ConceptId | None
) -> Hit:
    """A hit for an entry with no passage: its term stands for its text (passage id 0)."""
    entry = stored.entry
    return Hit(
        passage_id=NO_PASSAGE,
        text=entry.term,
        span=entry.span,
        score=round(score, 6),
        title=stored.document_title,
        format=stored.format,
        concept=concept or entry.term,
        concept_id=concept_id,
        entry_id=stored.id,
        snippet=entry.term,
    )


def _hit(
    row: PassageRow,
    score: float,
    concept: str | None,
    concept_id: ConceptId | None,
    words: set[str],
) -> Hit:
    return Hit(
        passage_id=row.id,
        text=row.text,
        span=Span(row.path, row.start_line, row.end_line),
        score=round(score, 6),
        heading_path=row.heading_path,
        title=row.title,
        format=row.format,
        concept=concept,
        concept_id=concept_id,
        entry_id=row.entry_id,
        snippet=snippet(row.text, words),
    )


# -- query text -----------------------------------------------------------------------------


_Normalise = Callable[[Sequence[_Ranked]], list[float]]


def _fuse(
    lists: Sequence[tuple[float, list[_Ranked], _Normalise]], stubs: dict[int, list[_GroupKey]]
) -> tuple[dict[_GroupKey, float], dict[_GroupKey, dict[int, float]]]:
    """`_fuse_lists` with the title-only concepts lifted (`_lift`), no concept halved."""
    fused, shown, lifted = _fuse_lists(lists, stubs)
    return _lift(fused, fused, lifted, set()), shown


_Lifted = dict[_GroupKey, tuple[float, set[_GroupKey]]]  # title-only concept: gain, linkers


def _fuse_lists(
    lists: Sequence[tuple[float, list[_Ranked], _Normalise]], stubs: dict[int, list[_GroupKey]]
) -> tuple[dict[_GroupKey, float], dict[_GroupKey, dict[int, float]], _Lifted]:
    """Each group's fused score, and the passages it could be shown by with what each earned
    it. `stubs`: passage id -> the title-only concepts it links to (see STUB_SHARE)."""
    fused: dict[_GroupKey, float] = {}
    shown: dict[_GroupKey, dict[int, float]] = {}
    linked: dict[_GroupKey, float] = {}  # what a title-only concept's links add
    linkers: dict[_GroupKey, set[_GroupKey]] = {}
    for weight, ranked, normalise in lists:
        best: dict[_GroupKey, float] = {}  # each group's best in this list
        linking: dict[_GroupKey, tuple[float, float]] = {}  # the best and the sum of linkers
        for (key, passage_id, _), value in zip(ranked, normalise(ranked), strict=True):
            best.setdefault(key, value)  # a list comes best first
            if passage_id is None:
                continue
            earned = shown.setdefault(key, {})
            earned[passage_id] = max(earned.get(passage_id, 0.0), weight * value)
            for stub in stubs.get(passage_id, ()):
                if stub != key:
                    top, total = linking.get(stub, (value, 0.0))
                    linking[stub] = (top, total + value)
                    linkers.setdefault(stub, set()).add(key)
        for key, value in best.items():
            fused[key] = fused.get(key, 0.0) + weight * value
        for stub, (top, total) in linking.items():
            gain = min(top, STUB_SHARE * total) - best.get(stub, 0.0)
            linked[stub] = linked.get(stub, 0.0) + weight * max(gain, 0.0)
    return fused, shown, {stub: (gain, linkers[stub]) for stub, gain in linked.items()}


def _score(
    lists: Sequence[tuple[float, list[_Ranked], _Normalise]], stubs: dict[int, list[_GroupKey]],
    named: set[_GroupKey], bonus: dict[_GroupKey, float],
) -> tuple[dict[_GroupKey, float], dict[_GroupKey, dict[int, float]]]:
    """Each candidate group's score, and the passages it could be shown by (`_fuse`): its
    fused score, halved for a concept the description names (NAMED_IN_DESCRIPTION), plus its
    name or exact-sentence bonus. (bench/fusion_fit.py fits a scorer to what this is given:
    round 22 learned no weights that beat these.)"""
    own, shown, lifted = _fuse_lists(lists, stubs)
    fused = {key: value * (NAMED_IN_DESCRIPTION if key in named else 1.0)
             for key, value in own.items()}
    fused = _lift(own, fused, lifted, named)
    for key, b in bonus.items():
        fused[key] = fused.get(key, 0.0) + b
    return fused, shown


def _lift(
    own: dict[_GroupKey, float], fused: dict[_GroupKey, float], lifted: _Lifted,
    named: set[_GroupKey],
) -> dict[_GroupKey, float]:
    """`fused` (each group's score from the lists, `own`, with the named concepts halved)
    with the title-only concepts raised by the candidate passages that link to them."""
    out = dict(fused)
    for stub, (gain, linkers) in lifted.items():
        half = NAMED_IN_DESCRIPTION if stub in named else 1.0
        mine = own.get(stub, 0.0)
        if mine < gain:
            # Raised more by its links than by its own scores: never above the best page
            # linking to it as that page finally scores, a named neighbour halved
            # (STUB_EARNED).
            below = STUB_BELOW * max(fused[k] for k in linkers)
            out[stub] = max(mine * half, min((mine + gain) * half, below))
        else:
            # Never above the best page linking to it, which describes itself first (unless
            # the concept ranks higher on its own name).
            below = STUB_BELOW * max(own[k] for k in linkers)
            out[stub] = max(mine, min(mine + gain, below)) * half
    return out


def _entry_led(ranked: Sequence[_Ranked]) -> float:
    """The share of the first ENTRY_TOP groups of `ranked` (best first) whose best is an entry
    vector, not a passage (ENTRY_VOTE)."""
    led: dict[_GroupKey, bool] = {}
    for key, passage_id, _ in ranked:
        if key not in led:
            led[key] = passage_id is None
            if len(led) >= ENTRY_TOP:
                break
    return sum(led.values()) / len(led) if led else 0.0


def _by_top(ranked: Sequence[_Ranked]) -> list[float]:
    """bm25 scores as a share of the list's best (bm25 has no fixed range)."""
    top = max((r[2] for r in ranked), default=0.0)
    return [r[2] / top if top > 0 else 0.0 for r in ranked]


def _min_max(ranked: Sequence[_Ranked]) -> list[float]:
    """Cosines stretched over the candidates: the best 1, the last of them 0."""
    if not ranked:
        return []
    top = max(r[2] for r in ranked)
    low = min(r[2] for r in ranked)
    return [(r[2] - low) / (top - low) if top > low else 1.0 for r in ranked]


@functools.cache
def _english_words() -> frozenset[str]:
    """Whole words of the embedding model's vocabulary (30k word pieces of English text): a
    query word among them is a word, not a typo, even where the notes do not hold it ("date",
    "hope", "blend" were read as "data", "home", "blind"; "gausian", "kernal", "optimiser" are
    not among them). Read once, about 0.1 s, only when a query word is in no passage."""
    import json
    from pathlib import Path

    # grimoire.embed's MINILM_TOKENIZER; not imported from there (it imports numpy, which a
    # lexical search does without).
    tokenizer = Path(__file__).parent / "embed_data" / "minilm-tokenizer.json"
    vocab = json.loads(tokenizer.read_text(encoding="utf-8"))["model"]["vocab"]
    return frozenset(w for w in vocab if w.isalpha())


def _most_edits(word: str) -> int:
    """The edits a typo of `word` may hold (TYPO_LONG)."""
    return 1 if len(word) <= TYPO_LONG else 2


def _words(query: str) -> list[str]:
    return _WORD.findall(query)


_BLANK = re.compile(r"_{3,}")  # a name hidden (`_blank_masks` turns mask tokens into one)
_CLAUSE = re.compile(r"(?<=[.!?;,])\s+")
_PARENS = re.compile(r"\(([^)]*)\)")


def _subjects(query: str, relative: bool = True) -> list[str]:
    """The names a description may be defining, normalised: the words a clause opens with
    (after an article, and "term" or "phrase") up to a verb of definition ("Cross-validation
    refers to ...", "..., a feature represents ...", "The term bag-of-words usually
    means ..."), a short opening clause ("Q Learning, a model-free RL algorithm"), a
    plural the description opens with ("Activation functions sit in each layer"), and the
    words after "is called" / "known as". An acronym in brackets counts on its own ("A
    generative adversarial network (GAN) is ..."). A formula's is its left-hand side's
    (`_formula_subjects`). Without `relative`, a head closed by "that" or "which" is not one:
    "an optimizer that adapts ..." names its kind, not itself (`SUBJECT_LIFT`)."""
    if _formula(query):
        return _formula_subjects(query)
    verbs = SUBJECT_VERBS if relative else SUBJECT_VERBS - RELATIVE_WORDS
    found: list[str] = []
    for n, clause in enumerate(_CLAUSE.split(query.strip())):
        tokens = clause.split()
        if tokens and tokens[0].casefold() in ("a", "an", "the"):
            tokens = tokens[1:]
        if len(tokens) > 1 and tokens[0].casefold() in NAME_WORDS:  # "The term X refers to"
            tokens = tokens[1:]
        if n == 0:
            # A description that opens with a name in the plural speaks of what it names,
            # whatever its verb ("Activation functions sit in each layer and bend ...").
            found.extend(normalize(" ".join(tokens[:i + 1])) for i, token in enumerate(tokens[:5])
                         if _plural(token))
        verb = next((i for i, token in enumerate(tokens[:6])
                     if i and token.casefold().strip("\"'(") in verbs), None)
        heads: list[list[str]] = []
        if verb is not None:
            heads.append(tokens[:verb])
        elif n == 0 and 0 < len(tokens) <= 5:  # "Q Learning, a model-free ..."
            heads.append(tokens)
        # Any verb in the present tense ends its subject ("Cross-entropy quantifies ...", "In
        # other words, SGD trains on ...", "Gradient descent iteratively adjusts ..."), not
        # only the verbs of definition: the word in -s that first follows the clause's
        # opening words, when no verb of definition (or "that", "which") comes before it. A
        # plural noun read so ("convolution filters") makes a head that is rarely a name, and
        # only a head that is a name counts (`Searcher._subject_of`).
        present = next((i for i, token in enumerate(tokens[:6])
                        if i and _PRESENT_S.match(token)
                        and not tokens[i - 1].endswith((",", ":"))), None)
        if present is not None and (verb is None or present < verb):
            heads.append(tokens[:present])
        for head in heads:
            while len(head) > 1 and _adverb(head[-1]):  # "X typically refers"
                head = head[:-1]
            phrase = " ".join(head)
            found.append(normalize(_PARENS.sub(" ", phrase)))
            found.extend(normalize(m) for m in _PARENS.findall(phrase))
            found.append(normalize(phrase))  # a name that holds its acronym: "Name (ACR)"
    words = normalize(query).split()
    for i in range(len(words) - 1):
        if " ".join(words[i : i + 2]) in ("is called", "known as", "are called"):
            at = i + 3 if i + 2 < len(words) and words[i + 2] in ("a", "an", "the") else i + 2
            found.extend(" ".join(words[at : at + n]) for n in range(1, 6)
                         if at + n <= len(words))
    return [f for f in dict.fromkeys(found) if f]


# A formula names what it defines on its left-hand side (`\text{Precision} = ...`,
# `\mathrm{softmax}(v)_i = ...`, `MSE = ...`: a name in a text command, else the letters
# outside commands, arguments, sub- and superscripts); that name is its subject, not a
# neighbour counting half (NAMED_IN_DESCRIPTION), while the names on its right-hand side are.
# Formula queries of descriptions2 with the source's names masked as spelled (`--hide
# source`), MRR@10 tune 0.331 -> 0.360 (2 up, none down), report 0.304 unchanged; with every
# name masked the left-hand side is a blank and nothing changes (bench/README.md, round 28).
_TEX_TEXT = re.compile(r"\\(?:text|textrm|textit|textbf|mathrm|mathit|operatorname|mbox)\s*"
                       r"\{([^{}]*)\}")
_TEX_NOISE = re.compile(r"\\[A-Za-z]+|[_^](?:\{[^{}]*\}|\\?\w)|\([^()]*\)|[{}]")


def _formula_subjects(query: str) -> list[str]:
    """The name a formula defines, normalised: its left-hand side's words (`_TEX_TEXT`)."""
    lhs, equals, _ = query.partition("=")
    if not equals:
        return []
    names = _TEX_TEXT.findall(lhs) or [_TEX_NOISE.sub(" ", lhs)]
    return [n for n in (normalize(name) for name in names) if n]


# A verb in the present tense, third person ("quantifies", "trains", "adjusts"): lower case,
# four letters or more, ending in -s but not in -ss, -us, -is ("loss", "bias", "basis").
_PRESENT_S = re.compile(r"^[a-z]{3,}(?<!ss)(?<!us)(?<!is)s$")


# An adverb made from an adjective ("iteratively", "gradually", "successively"); not any word
# in -ly, which a name may end with ("exponential family", "anomaly").
_ADVERB_LY = re.compile(r"^[a-z]+(?:ive|al|ous|ent|ant|ing|ed|ate|ful|less|ic)ly$")


def _adverb(token: str) -> bool:
    """Whether a word between a subject and its verb is an adverb ("X typically refers",
    "X iteratively adjusts")."""
    word = token.casefold()
    return word in ADVERBS or _ADVERB_LY.match(word) is not None


def _plural(token: str) -> bool:
    """Whether a word of a query is a plural that `normalize` makes singular ("functions")."""
    word = _WORD.findall(token.casefold())
    return (len(word) == 1 and word[0].endswith("s") and word[0].isalpha()
            and not normalize(word[0]).endswith("s"))


def _after_of(query: str, gram: str) -> bool:
    """Whether a phrase of the query (normalised) follows "of": what the description speaks of
    belongs to it or is a kind of it ("the step size of gradient descent", "a type of
    autoencoder that ..."), it is not the phrase's concept."""
    words = normalize(query).split()
    target = gram.split()
    n = len(target)
    for i in range(len(words) - n + 1):
        if words[i : i + n] == target:
            before = words[max(0, i - 2) : i]
            if before and before[-1] in ("a", "an", "the"):
                before = before[:-1]
            if before and before[-1] == "of":
                return True
    return False


_NAME_WORD = re.compile(r"[^\W_]+")


def _blank_phrases(query: str, phrases: Iterable[str]) -> str:
    """`query` with each of `phrases` (normalised, as `_grams` of `normalize(query)` gives
    them) replaced by a blank, longest first."""
    words = normalize(query).split()
    spans = [(m.start(), m.end()) for m in _NAME_WORD.finditer(query)]
    if len(spans) != len(words):  # a spelling that normalising changed: blank the words
        spans, query = [], " ".join(words)
        for m in _NAME_WORD.finditer(query):
            spans.append((m.start(), m.end()))
    taken = [False] * len(words)
    cut: list[tuple[int, int]] = []
    for gram in sorted(set(phrases), key=lambda g: -len(g.split())):
        target = gram.split()
        n = len(target)
        for i in range(len(words) - n + 1):
            if words[i : i + n] == target and not any(taken[i : i + n]):
                taken[i : i + n] = [True] * n
                cut.append((spans[i][0], spans[i + n - 1][1]))
    for start, end in sorted(cut, reverse=True):
        query = query[:start] + "___" + query[end:]
    return query


def _descriptive(query: str, words: Sequence[str], matches: Sequence[NameMatch]) -> bool:
    """A query that describes rather than names: several content words, and no name matched.

    A question is not a description: it is asked about the notes in their own words (what the
    ask stage sends), where bm25 is a good judge.
    """
    content = {w.casefold() for w in words} - STOPWORDS
    return (len(content) >= DESCRIPTIVE_WORDS and not _question(query, words)
            and not any(m.score >= 0.85 for m in matches))


_TEX_COMMAND = re.compile(r"\\[A-Za-z]+")


def _formula(query: str) -> bool:
    """A query written in LaTeX (two commands or more)."""
    return len(_TEX_COMMAND.findall(query)) >= FORMULA_COMMANDS


def _question(query: str, words: Sequence[str]) -> bool:
    return query.rstrip().endswith("?") or (
        bool(words) and words[0].casefold() in QUESTION_WORDS)


# A model's mask token in a sentence that hides a name ("[MASK] is a function that ...").
# Placeholders that hide a name in a cloze sentence: `[MASK]`, `<mask>`, `[TERM]`, `<term>`,
# `{concept}`, `[BLANK]`, ..., and a run of three or more asterisks.
_MASK_TOKEN = re.compile(
    r"[\[<{](?:mask|masked|term|concept|blank|name|word|answer|entity)[\]>}]|\*{3,}",
    re.IGNORECASE)


# A capital X standing alone for a name ("X is a function that squashes ..."): read as a
# word, it pulled the vectors toward notes about a variable x, and the description was not
# seen as masked (the names it holds then counted as its subject, not as neighbours).
# Description dev set with every name as `X`, MRR@10 tune / report: 0.390 / 0.385 -> 0.416 /
# 0.427 (with `___`: 0.418 / 0.427; bench/README.md, round 20). Not in a formula, not when
# another one-letter capital is in the query (a variable: "maps X to Y", "the matrix W"), and
# not inside a name ("Model X", "X Window System": a capitalised word before or after it).
_X_MASK = re.compile(r"(?<![\w\\{}$^_-])X(?![\w}$^_-])")
_ONE_LETTER = re.compile(r"(?<![\w\\{}$^_-])[B-HJ-WYZ](?![\w}$^_-])")
_WORD_BEFORE = re.compile(r"(?:^|([.!?:;]\s*))?([A-Za-z]+)\W*$")
_WORD_AFTER = re.compile(r"^\s+([A-Z][a-z]+)")


def _x_is_mask(query: str) -> bool:
    """Whether a capital X of `query` stands for a hidden name (`_X_MASK`)."""
    if not _X_MASK.search(query) or _ONE_LETTER.search(query) or _formula(query):
        return False
    for m in _X_MASK.finditer(query):
        before = _WORD_BEFORE.search(query[: m.start()])
        if before and before.group(2)[0].isupper() and before.start(2) > 0 and (
                before.group(1) is None):
            return False  # "Model X": a capitalised word that does not open a sentence
        if _WORD_AFTER.match(query[m.end():]):
            return False  # "X Window"
    return True


# A markdown link or image pasted as its source, `[text](target "title")` or `[text][ref]`:
# the reader keeps only its text, so the target's words ("https", "github", "com") are in no
# passage and make a sentence copied from a note's source miss its own passage.
_MD_LINK = re.compile(r"!?\[([^\[\]\n]*)\](?:\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*"
                      r"(?:\s+\"[^\"\n]*\")?\)|\[[^\[\]\n]*\])")


def _visible(query: str) -> str:
    """The query as a note's reader shows it: markdown links and images by their text."""
    return _MD_LINK.sub(r"\1", query) if "](" in query or "][" in query else query


def _blank_masks(query: str) -> str:
    """A long description's mask tokens as a plain blank (`___`).

    MiniLM reads `[MASK]` as its special token, which pulls the query's vector away from its
    meaning (description dev set, names hidden as `[MASK]`: MRR@10 0.34 / 0.34 against
    0.37 / 0.40 with `___`), and bm25 would search the word "mask". A short query or a
    question may be about the token itself ("what does [MASK] do in BERT"): left as it is.
    A capital X standing alone is a mask too (`_x_is_mask`).
    """
    tokens = _MASK_TOKEN.search(query) is not None
    x_mask = _x_is_mask(query)
    if not tokens and not x_mask:
        return query
    hidden = _MASK_TOKEN.sub(" ", query)
    words = _words(_X_MASK.sub(" ", hidden) if x_mask else hidden)
    content = {w.casefold() for w in words} - STOPWORDS
    if len(content) < CLOZE_WORDS or _question(query, _words(query)):
        return query
    query = _MASK_TOKEN.sub("___", query)
    return _X_MASK.sub("___", query) if x_mask else query


def _text_query(words: Sequence[str], expansions: Sequence[str] = ()) -> TextQuery:
    """Every content word (OR), plus the expanded names as phrases; the store quotes them."""
    terms = [w.casefold() for w in words]
    content = [t for t in terms if t not in STOPWORDS]
    chosen = tuple(dict.fromkeys(content or terms))[:24]
    phrases = [tuple(t.casefold() for t in _WORD.findall(name)) for name in expansions]
    return TextQuery(chosen, tuple(dict.fromkeys(p for p in phrases if p)))


def snippet(text: str, words: set[str], size: int = SNIPPET_WORDS) -> str:
    """About `size` words of `text` around the run that holds the most of the query's words
    (each counted once, so a word repeated does not outweigh a rarer one; the earliest such
    run), marked «like this». A list item on a line of its own begins a line of the snippet
    too: joined by spaces, "… 2r. - Target modules: … - Learning rate: …" ran them together.
    None begins inside a `$$` formula or a code fence (the cheat sheet's "$$ [2 2 2] \\n+\\n 1
    = ..." split at the "+": the search page showed the formula's TeX; review45a), and a
    numbered one only where a list can begin, as in CommonMark: at 1, or after the number
    before it ("For example:\\n2) is the root" is no list). In a passage of prose and code each
    code line begins a line, and so does the prose after it ("… slowed down. # rank 8
    adapters … from peft import LoraConfig …" ran a glossary's code into its definition);
    a passage of code alone runs on as before, a few lines high (round 46)."""
    lines = text.splitlines()
    code = code_lines(lines)
    tokens: list[str] = []
    items: set[int] = set()  # the tokens that begin a line of the snippet
    formula = fence = False  # inside a `$$` formula, a code fence: a "+" or "- 1" line is no item
    numbered: tuple[int, str] | None = None  # the number and delimiter of the list's last item
    after_code = False  # the line before (not blank) is code
    for i, line in enumerate(lines):
        on_line = line.split()
        mark = _ITEM_MARK.fullmatch(on_line[0]) if on_line and not (formula or fence) else None
        if mark and mark[1]:
            number = (int(mark[1]), mark[2])
            mark = mark if number[0] == 1 or numbered == (number[0] - 1, number[1]) else None
            numbered = number if mark or not tokens else numbered
        if on_line and tokens and (mark or (not formula and (i in code or after_code))):
            items.add(len(tokens))
        after_code = i in code if on_line else after_code
        tokens += on_line
        formula ^= line.count("$$") % 2 == 1
        fence ^= line.lstrip().startswith(("```", "~~~"))
    if not tokens:
        return ""
    stems = {_stem(w) for w in words if w.casefold() not in STOPWORDS} or {_stem(w) for w in words}
    seen: dict[str, list[str]] = {}  # a token's matched stems (tokens repeat: computed once)
    found: list[list[str]] = []
    # A word's stem begins its casefolded form: a token holding no stem anywhere holds no
    # match (most tokens), told by one search instead of a stem for each of its words.
    holds = re.compile("|".join(map(re.escape, sorted(stems)))).search
    for token in tokens:
        hits = seen.get(token)
        if hits is None:
            hits = seen[token] = [stem for w in _WORD.findall(token)
                                  if (stem := _stem(w)) in stems] if holds(
                                      token.casefold()) else []
        found.append(hits)
    # A window of `size` tokens slides along; `distinct` counts the stems inside it.
    inside: dict[str, int] = {}
    for hits in found[:size]:
        for stem in hits:
            inside[stem] = inside.get(stem, 0) + 1
    distinct = best = len(inside)
    best_at = 0
    for i in range(1, max(1, len(tokens) - size + 1)):
        entering, leaving = found[i + size - 1], found[i - 1]
        if not entering and not leaving:
            continue
        for stem in entering:
            n = inside.get(stem, 0)
            inside[stem] = n + 1
            distinct += n == 0
        for stem in leaving:
            n = inside[stem] - 1
            inside[stem] = n
            distinct -= n == 0
        if distinct > best:
            best, best_at = distinct, i
    start = lowest = 0
    if best > 0:
        # The best window's matched words, from the first to the last, with two words before
        # them when the last still fits (the earliest best window ends on a match).
        matched = [i for i in range(best_at, min(len(tokens), best_at + size)) if found[i]]
        lowest = max(0, matched[-1] - size + 1)
        start = max(lowest, min(matched[0] - 2, len(tokens) - size))  # a full window
        # Begin where the sentence begins, if it begins a few words before ("… function
        # that squishes" lost only its "A"), unless that drops the last match.
        for back in range(start - 1, start - SNIPPET_LOOKBACK - 2, -1):
            if back < lowest - 1:
                break
            if back < 0 or tokens[back].endswith((".", "?", "!", ":", ";")):
                start = back + 1
                break
    piece = tokens[start : start + size]
    out = [_mark(token, stems) if found[start + j] else token for j, token in enumerate(piece)]
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + size < len(tokens) else ""
    body = "".join(("\n" if start + j in items else " ") + token
                   for j, token in enumerate(out))
    return prefix + body[1:] + suffix


def _mark(token: str, stems: set[str]) -> str:
    def mark(m: re.Match[str]) -> str:
        word = m.group(0)
        return f"{MARK_OPEN}{word}{MARK_CLOSE}" if _stem(word) in stems else word

    return _WORD.sub(mark, token)


def _stem(word: str) -> str:
    # A crude stem is enough to highlight "matrix" for "matrices", "trains" for "training".
    w = word.casefold()
    return w[:5] if len(w) > 5 else w


# -- the plain function ---------------------------------------------------------------------


def search(
    store: Store,
    query: str,
    *,
    k: int = 10,
    mode: str = "hybrid",
    embedder: Embedder | None = None,
    source: str | None = None,
    format: str | None = None,
    tag: str | None = None,
) -> list[Hit]:
    """Search `store` once (for repeated queries keep a `Searcher`, which caches vectors)."""
    return Searcher(store, embedder).search(
        query, k=k, mode=mode, source=source, format=format, tag=tag
    )


__all__ = [
    "MARK_CLOSE", "MARK_OPEN", "MODES", "EmbedReport", "Searcher", "embed_store", "search",
    "snippet",
]
