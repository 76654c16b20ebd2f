"""Ask the notes: retrieve, answer with numbered citations to file and line, or abstain.

The default answer is extractive (no model to install): sentences of the notes, chosen and
ordered to answer, each cited with the exact lines it sits on and checked against the file
(`verify_citation`). With a chat model (`grimoire.llm`), the model writes the answer over the
same numbered passages and its citations are checked the same way. Either way the notes'
silence is reported as such ("Your notes do not cover this.") with the nearest concepts, two
sources that disagree are both cited, and a quoted sum that lint finds wrong is marked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from grimoire.ask.cite import SourceLines, locate, verify_citation, words
from grimoire.ask.extractive import (
    _LINKING,
    DEFINITION,
    MAX_WORDS,
    STOPWORDS,
    Question,
    Scored,
    _code,
    asked_words,
    choose,
    clip,
    conflict,
    content_words,
    expansion,
    gives_example,
    hyphen_parts,
    joined_stems,
    name_forms,
    parts_held,
    prefer_named,
    score_sentences,
    spells_out,
    stands_for,
    stem,
    weigh,
)
from grimoire.ask.generate import SafeStream, cited_numbers, keep_citations
from grimoire.ask.retrieve import Candidate, retrieve
from grimoire.ask.sanitize import sanitize, urls_in
from grimoire.ask.sentences import line_of, mask, split_sentences
from grimoire.ask.unasked import unasked
from grimoire.ask.vectors import SENTENCE_VECTORS, question_vector
from grimoire.lint.arithmetic import wrong_claims
from grimoire.model import Answer, Citation, ConceptId, Hit, Span
from grimoire.names import normalize
from grimoire.store.base import Store

if TYPE_CHECKING:
    from grimoire.llm import ChatModel
    from grimoire.search import Searcher

_WORD_RE = re.compile(r"\w+")
NOT_COVERED = "Your notes do not cover this."
NO_WORDS = "The question has no words to look for."
# Below this confidence (`Scored.confidence`) the best sentence is too weak to answer
# (calibrated with bench/ask.py on bench/questions/dev.jsonl, whose unanswerable questions must
# abstain).
ABSTAIN_BELOW = 0.38
LLM_PASSAGES = 6

_DEFINITION = re.compile(
    r"^\s*(?:what\s+(?:is|are)\s+(?:an?\s+|the\s+)?\S+(?:\s+\S+)?\s*\??\s*$|what's\b|define\b"
    r"|definition of\b|meaning of\b)",
    re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the question found in the notes, before any answer is written."""

    question: Question
    hits: tuple[Hit, ...]
    candidates: tuple[Candidate, ...]
    sentences: tuple[Scored, ...]

    @property
    def best(self) -> float:
        """How sure the notes answer: the highest confidence of a sentence (the sentences
        are ordered by score, which weighs meaning more)."""
        return max((s.confidence for s in self.sentences), default=0.0)

    @property
    def closest(self) -> float:
        """How near in meaning the question's nearest sentence lies (the highest cosine of a
        sentence weighed by meaning; 0.0 when none was)."""
        return max((s.meaning for s in self.sentences), default=0.0)

    def nearest(self, limit: int = 5) -> tuple[str, ...]:
        """The concepts of the hits, best first: each opens with `show` and the web's link
        to it. Not a hit's document title when it has no concept (round 38: "Notation", the
        title of a cheatsheet page no concept is named after, which `show` could not open
        and whose web link said no note defines it)."""
        return tuple(dict.fromkeys(h.concept for h in self.hits if h.concept))[:limit]


# The words of "what is X short for / an abbreviation of / the full form of X" (see `gather`).
_PHRASING = frozenset(["short", "full", "long", "form", "name", "abbreviation", "acronym",
                       "initialism", "expansion", "expand", "stands", "stand", "mean"])


def gather(searcher: Searcher, question: str, k: int = 8, *, semantic: bool = True) -> Evidence:
    """Retrieve and score: the hits, candidate passages and their sentences, best first."""
    store = searcher.store
    short = stands_for(question, means=False)
    if short is not None and {w.casefold() for w in content_words(question)} <= {
            short.casefold(), *_PHRASING}:
        # "What is LoRA short for?" asks what "what does LoRA stand for?" asks; the words of
        # its phrasing ("short", "full form") are no part of the answer, and passages that use
        # them ("a short sequence", "the more general form") would be found for them. A
        # question with more to it ("in a TensorFlow graph, what do the nodes stand for?")
        # keeps its words.
        question = f"What does {short} stand for?"
    embed = None
    vector = None
    if semantic:
        embedder = searcher.embedder
        # Embedded once, for search and for the sentences' scores alike, while the words
        # are weighed and the lexical half of search runs.
        vector = question_vector(embedder, question)

        def embed(texts: list[str]) -> np.ndarray:
            return SENTENCE_VECTORS.embed(embedder, texts)

    q = weigh(question, lambda ws: store.term_passage_counts(ws), store.passage_total())
    hits, candidates = retrieve(searcher, question, k=k, terms=content_words(question),
                                vector=vector)
    sentences = score_sentences(q, candidates, embed)
    return Evidence(q, tuple(hits), tuple(candidates), tuple(sentences))


_NAME_LIKE = re.compile(r"^(?:[A-Z][\w-]*|\w*[A-Z]\w*|\w*\d\w*)$")


_WORKS = re.compile(r"^\s*how\s+(?:does|do)\s+(?P<subject>(?:[\w.+/-]+\s+){0,2}?[\w.+/-]+)"
                    r"\s+work\b", re.IGNORECASE)
# "Who invented the transformer?": who made a thing; the answer names the thing or sits in its
# page. A worked example's "Who invented the telephone?" (a public vault's page on multi-hop
# questions) is no answer.
_WHO = re.compile(r"^\s*who\s+(?:first\s+)?(?:invented|created|introduced|proposed|developed"
                  r"|designed|coined|came\s+up\s+with)\s+(?:the\s+)?"
                  r"(?P<subject>(?:[\w.+/-]+\s+){0,2}?[\w.+/-]+)\s*\??\s*$", re.IGNORECASE)


def unknown_names(store: Store, question: str, texts: Sequence[str] = ()) -> tuple[str, ...]:
    """The names in `question` (capitalised after its first word, acronyms, words with digits)
    that no passage holds anywhere: the question is about something the notes lack. A name
    that `texts` (the passages found) hold as the start of an identifier (`in_identifier`) is
    held."""
    words = content_words(question)
    first = question.split()[0] if question.split() else ""
    names = [w for w in [*words, *_capital_stopwords(question)]
             if _NAME_LIKE.match(w) and w != first and len(w) > 1
             and not _spelled_out_in(w, question)]
    if not names:
        return ()
    counts = store.term_passage_counts(names, anywhere=True)
    # A question all in capitals ("WHAT IS AN EPOCH?") says nothing by its capitals.
    cased = ACRONYM_CASE and question.upper() != question
    return tuple(w for w in names if (counts.get(w, 0) == 0
                                      or (cased and _only_as_word(w, texts)
                                          and not _stressed(store, w, counts.get(w, 0))))
                 and not any(in_identifier(w, t) for t in texts)
                 and not (ACRONYM_SPELLED and _spelled_in(w, texts)))


# Round 50: "What is CLIP used for in practice?" was answered from the vault's clipping page
# ("Clip all values over 60 ...") and "What is HER used for in practice?" from any sentence
# with "used" and "practice" (review49d's probe): an acronym that is also a word ("clip",
# "her", "ode") counted as held wherever the word is, and "HER", a stop word in small letters,
# was no word of the question at all. An acronym the question writes in capitals that the
# passages found hold only as the plain word (in small letters, or capitalised only where a
# sentence or a list item opens) is a name the notes lack (`ACRONYM_CASE`; False: off).
ACRONYM_CASE = True
_CAPS_WORD = re.compile(r"[A-Z]{2,6}")
_OPENS_HERE = re.compile(r"(?:^|[.!?:;\n(\[\"'*>|]|^\s*(?:[-*+\u2022]|\d+[.)]))\s*$")


# Round 51: "What is an EPOCH?" was refused (review50c): a word written in capitals for stress
# in a question otherwise in small letters read as an acronym the notes lack, since they
# write "epoch". A word of five letters or more in capitals that the notes hold only as the
# plain word, and that names a concept of theirs ("epoch"), is that word stressed
# (`STRESSED_WORD`; False: off). "CLIP" (four letters, the vault's clipping page is
# "clipping") and "HER" stay acronyms the notes lack.
STRESSED_WORD = True
STRESSED_LETTERS = 5
# review51e: "Why is tanh BETTER than sigmoid?", "Which activation is FASTER to compute?" and
# "Is a LARGE learning rate bad?" (cheatsheet, vault) were still refused: the stressed word
# is a plain word, no concept. One the notes write in STRESSED_PASSAGES passages or more is
# a word of their language, no acronym they lack (`STRESSED_COMMON`; False: concepts only).
STRESSED_COMMON = True
STRESSED_PASSAGES = 3


def _stressed(store: Store, word: str, passages: int) -> bool:
    """True when `word`, in capitals, is a word stressed, not an acronym: a concept of the
    notes, or a word `passages` of theirs hold (see STRESSED_WORD)."""
    return (STRESSED_WORD and len(word) >= STRESSED_LETTERS
            and ((STRESSED_COMMON and passages >= STRESSED_PASSAGES)
                 or bool(store.concepts_named(normalize(word)))))


def _capital_stopwords(question: str) -> list[str]:
    """The acronyms the question writes in capitals that are stop words in small letters
    ("HER", "IT"), which `content_words` leaves out; none when the whole question is in
    capitals."""
    if not ACRONYM_CASE or question.upper() == question:
        return []
    first = question.split()[0] if question.split() else ""
    return [w for w in _WORD_RE.findall(question)
            if w != first and _CAPS_WORD.fullmatch(w) and w.casefold() in STOPWORDS]


def _only_as_word(name: str, texts: Sequence[str]) -> bool:
    """True when `name` is an acronym in capitals and `texts` hold it only as a plain word:
    in small letters at least once (or a word it opens: "clipping"), and otherwise only
    capitalised where a sentence or list item opens ("Clip all values ..."). A word the texts
    never write in small letters is a name wherever it stands ("Adam, which stands for ...").
    """
    if not _CAPS_WORD.fullmatch(name) or name.upper() != name:
        return False
    small = False
    plain = re.compile(rf"(?<![\w-]){re.escape(name.lower())}[a-z]*(?![\w-])")  # "clipping"
    for t in texts:
        small = small or plain.search(t) is not None
        for m in re.finditer(rf"(?<![\w-]){re.escape(name)}s?(?![\w-])", t, re.IGNORECASE):
            word = m.group(0)
            if word.islower():
                small = True
            elif not (word[0].isupper() and word[1:].islower()
                      and _OPENS_HERE.search(t[max(0, m.start() - 12):m.start()])):
                return False
    return small


# Round 49: "What is the problem with basic RNNs that LSTMs fix?" (fresh2, report) was refused
# for "LSTMs", which the article writes only spelled out ("long short-term memory" networks),
# and "How might a kernel SVM deal with ...?" (fresh32, report) for "SVM", which the vault
# writes "Kernel Support Vector Machines (KSVMs)". An acronym (a plural "s" after it taken
# off) that a passage found spells out is a name the notes hold (`ACRONYM_SPELLED`; False:
# off).
ACRONYM_SPELLED = True
# Three letters at least, and no digit (a digit spells nothing, so "A2C" was "as a custom"),
# in words none of which is a stop word: the passages found spell short ones by chance
# ("What is BPE used for?" was answered from "... be parameter-efficient ...", review49d).
_ACRONYM_PLURAL = re.compile(r"(?P<short>[A-Z]{3,})s?")


def _spelled_in(name: str, texts: Sequence[str]) -> bool:
    """True when `name` is an acronym (or its plural) that one of `texts` spells out in
    words that are no stop words."""
    m = _ACRONYM_PLURAL.fullmatch(name)
    if m is None:
        return False
    spelled = (expansion(m.group("short"), t) for t in texts)
    return any(e is not None and not STOPWORDS & set(_WORD_RE.findall(e.casefold())) - _LINKING
               for e in spelled)


IDENTIFIER_NAME = 3  # letters and digits a name needs to be looked for inside an identifier


def in_identifier(name: str, text: str) -> bool:
    """True when `text` holds `name` as the start of a longer identifier written in camel case
    or with digits or underscores ("XLNet" in "XLNetModel", "GPT2" in "GPT2Tokenizer"): the
    words of an index are whole identifiers, so the name alone is not among them."""
    if len(name) < IDENTIFIER_NAME or not any(c.isupper() for c in name[1:]):
        return False
    return re.search(rf"(?<!\w){re.escape(name)}[A-Z0-9_]\w*", text) is not None


def _spelled_out_in(name: str, question: str) -> bool:
    """True when the question itself spells the acronym out ("the YOLO paper, You only look
    once?"): the notes may hold the words without the acronym."""
    letters = [c for c in name if c.isalpha()]
    rest = re.sub(rf"\b{re.escape(name)}\b", " ", question)
    return len(letters) >= 2 and name.upper() == name and spells_out(name, rest)


# "What are the advantages of LoRA?", "the idea behind dropout", "the motivation for X":
# the aspect words of a question about X need not be the notes' words.
_ASPECT = re.compile(
    r"^(?:advantages?|benefits?|strengths?|pros|disadvantages?|drawbacks?|weakness(?:es)?"
    r"|downsides?|shortcomings?|cons|limitations?|uses?|applications?|purpose|goals?|aims?"
    r"|role|intuition|idea|ideas|premise|motivation|rationale|reasoning|reason|logic|point"
    r"|principle|concept)\s+(?:of|behind|for)\s+", re.IGNORECASE)


def subject_missing(question: str, best: Scored) -> bool:
    """A definition was asked for ("what is X?", "how does X work?") and the best sentence is
    not about X: X's words are neither in it nor in its concept, title or heading. Or who made
    X was asked, and the best sentence holds none of X's words (a page on Adam answers "who
    proposed the Adam optimizer?" without saying "optimizer")."""
    who = _WHO.match(question)
    m = (DEFINITION.match(question) or _WORKS.match(question) or who
         or (_DOES_A_DO.match(question) if DOES_ARTICLE else None))
    if m is None:
        return False
    # "What are the advantages of LoRA?" is about LoRA: the notes need not say "advantages".
    subject = _ASPECT.sub("", m.group("subject"))
    if DOES_VERB and _DOES.match(question) and not _DOES_NAME.search(question):
        # "What does prediction bias measure?": the last word is what X does, not X's; a
        # sentence that says what it measures need not write "measure" (refused on fresh19).
        subject = " ".join(subject.split()[:-1]) or subject
    want = {stem(w) for w in content_words(subject)}
    if not want:
        return False
    c = best.candidate
    said = " ".join([best.text, c.concept or "", c.title, *c.heading_path])
    have = {stem(w) for w in re.findall(r"\w+", said)} | joined_stems(said)
    have |= parts_held(hyphen_parts(question), have)
    # "deep convolutional GAN" is "Deep Convolutional Generative Adversarial Network (DCGAN)"
    have |= {stem(w) for w in _acronym_words(subject, c.concept, c.title, *c.heading_path)}
    return not want & have if m is who else not want <= have


# Round 50: "What does a nonautoregressive decoder do?" was answered from the vault's decoder
# page (review49d): DEFINITION takes no article after "what does", so the subject went
# unread. "What does a/an/the X do?" asks what X is for: X's words must be in the best
# sentence or its names, as for "what is X?" (`DOES_ARTICLE`; False: off).
DOES_ARTICLE = True
_DOES_A_DO = re.compile(r"^\s*what\s+does\s+(?:an?|the)\s+"
                        r"(?P<subject>(?:[\w.+/-]+\s+){0,2}?[\w.+/-]+)\s+do\s*\??\s*$",
                        re.IGNORECASE)


# "what does X <verb>?" (DEFINITION takes up to three words after "does" as X): the verb
# closes the question unless it asks what X means, stands for or is called.
_DOES = re.compile(r"^\s*what\s+does\s", re.IGNORECASE)
_DOES_NAME = re.compile(r"\b(?:mean|stand\s+for|called|known\s+as)\s*\??\s*$", re.IGNORECASE)
DOES_VERB = True


def named_but_empty(question: str, evidence: Evidence,
                    stubs: Sequence[str] = ()) -> bool:
    """The passages whose heading or concept the question names most closely hold no
    answer (a heading with nothing under it, or only "Be the first to contribute!"): the
    notes name the subject but say nothing about it."""
    asked = asked_words(question)
    # A passage counts as named only when its own name (concept or heading) is: the page's
    # title alone ("training" in "... if training error keeps falling ...", on the page
    # "Training" whose sections are empty) names the page, not the section.
    named = [(_named_section(asked, c), c.passage_id) for c in evidence.candidates]
    # A title-only entry (a stub) is a hit with no passage: named, and with nothing to say.
    best = evidence.sentences[0] if evidence.sentences else None
    said = (asked_words(_PATH.sub(" ", _first_sentence(best.candidate.text)))
            if best is not None and STUB_SPOKEN else "")
    if (STUB_IN_BEST and best is not None and not _LIST_ITEM.match(best.raw, best.start)
            and not catalogue_item(best.raw, best.start)
            and any(words and pid == best.candidate.passage_id for words, pid in named)):
        said += asked_words(_PATH.sub(" ", best.text))
    named += [(frozenset(_covered(asked, name_forms(h.concept, h.title))
                         | set(asked_words(" ".join(_acronym_words(question, h.concept,
                                                                     h.title))).split())), -1)
              for h in evidence.hits if not h.passage_id
              and not _spoken_of(said, name_forms(h.concept, h.title))]
    # Title-only entries the question names that search did not return (`unfound_stubs`).
    named += [(frozenset(_covered(asked, name_forms(n))), -1) for n in stubs
              if not _spoken_of(said, name_forms(n))]
    named = [(words, pid) for words, pid in named if words]
    if not named:
        return False
    if CODE_NAME_HELD and best is not None and _holds_code_name(question, best.text):
        # "What distribution does np.random.randn draw its numbers from?": the best sentence
        # quotes the function the question names; an empty "Distribution" section elsewhere
        # says nothing of the notes' silence.
        return False
    if (best is not None and best.coverage >= ANSWERS_ALL
            and any(pid == best.candidate.passage_id for _, pid in named)):
        # "What does ADADELTA do about the learning rate?": the best sentence holds every
        # word of the question and its passage is named ("ADADELTA"); that a stub the
        # question also names ("Learning rate", two words to one) says nothing is no silence.
        return False
    if _COMPARES.search(question):
        # "How does X differ from Y?" asks about two things: the notes are silent only when
        # neither says anything, however many words of the question each name covers (a
        # title-only X named in three words beside a Y that says how they differ).
        closest = [w for w, _ in named if not any(w < other for other, _ in named)]
    else:
        most = max(len(w) for w, _ in named)
        closest = [w for w, _ in named if len(w) == most]
    how = bool(_HOW.match(question))
    # An item of a list of tools says what a named tool is: no text, unless the question asks
    # for such a tool ("Which ... library ... ships with a Matlab toolbox?", `CATALOGUE_ASKED`).
    listed = CATALOGUE_ASKED and not how and _asks_resource(question)
    with_text = {s.candidate.passage_id for s in evidence.sentences
                 if (listed or not catalogue_item(s.raw, s.start))
                 and not (how and title_item(s.raw, s.start))}
    if PAGE_SECTIONS:
        # The page's own passage (its title, no heading above it) says nothing, and the
        # sections under its title do: the page is not silent.
        sectioned = {s.candidate.span.path for s in evidence.sentences
                     if s.candidate.passage_id in with_text and s.candidate.heading_path}
        with_text |= {c.passage_id for c in evidence.candidates
                      if not c.heading_path and c.span.path in sectioned}
    if CODE_SECTION:
        # A section that holds code is no empty heading when its page says something.
        spoken = {s.candidate.span.path for s in evidence.sentences
                  if s.candidate.passage_id in with_text}
        with_text |= {c.passage_id for c in evidence.candidates
                      if c.span.path in spoken and c.text.strip() and _code(c.text)}
    return all(pid not in with_text for w, pid in named if w in closest)


# Round 51: "How does the GRPO trainer combine the scores of several reward functions?"
# (fresh19, report) was refused: the section it names most closely ("Rewards" under "Agent
# Training") holds only code, which yields no sentence, so it read as a heading with nothing
# under it, though the page's "Logged metrics" say how the rewards are summed. A section of
# code on a page whose passages found hold text is not silent (`CODE_SECTION`; False: off).
CODE_SECTION = True


# Round 51: two answerable questions were refused by `named_but_empty` (report half):
# - "What distribution does np.random.randn draw its numbers from?" (fresh18): the question
#   names the cheatsheet's empty "Distribution" section, and the best sentence quotes
#   `np.random.randn(rows, cols)`. A best sentence that holds a dotted or underscored name of
#   code the question writes (`np.random.randn`, `max_depth`) is about it: the notes are not
#   silent (`CODE_NAME_HELD`; False: off).
# - "Which open, portable computer vision library listed in the cheatsheet ships with a
#   Matlab toolbox?" (fresh33): the sections it names hold only list items of libraries,
#   which counted as no text. A question that asks for a library, a tool or a dataset is
#   answered by such an item (`CATALOGUE_ASKED`; False: off).
CODE_NAME_HELD = True
CATALOGUE_ASKED = True
# Two parts at least, each of two characters or more ("e.g." is none), joined by dots or
# underscores: `np.random.randn`, `tf.data`, `max_depth`.
_CODE_NAME = re.compile(r"(?<![\w.])[A-Za-z_][A-Za-z0-9_]+(?:[._][A-Za-z0-9_]{2,})+(?![\w])")


def _holds_code_name(question: str, text: str) -> bool:
    """True when `text` holds verbatim a name of code that `question` writes (see
    CODE_NAME_HELD)."""
    wanted = {m.group(0).casefold() for m in _CODE_NAME.finditer(question)
              if "." in m.group(0) or "_" in m.group(0).strip("_")}
    return bool(wanted) and bool(wanted & {m.group(0).casefold()
                                           for m in _CODE_NAME.finditer(text)})


def _asks_resource(question: str) -> bool:
    """True when the question asks for a library, a tool, a dataset or a source, not for
    who made one."""
    return not _WHO_ASKED.match(question) and bool(
        _ASKS_RESOURCE.search(question) or _ASKS_FOR_DATA.search(question)
        or (WHERE_TO_GET and _WHERE_TO_GET.match(question)))


# Round 40 (qa39's cs231n notes): "who introduced the transformer?" was refused though the
# section "Transformer Overview" of the page "transformers" answers it ("Vaswani et al.
# introduced the Transformer"): the question names the page, whose own passage (its title
# line) holds no sentence, and the section's heading, "Transformer Overview", is not named
# whole. A page's own passage is not silent when a section of the same file holds text
# (`PAGE_SECTIONS`; False: off).
PAGE_SECTIONS = True


# Round 40 (fresh30): "What does feature learning replace in a machine learning pipeline?" was
# answered by the data augmentation entry ("Machine learning algorithms typically become more
# resistant to overfitting ..."): "Feature learning" is a title-only entry, but search did not
# return it among the question's hits, so `named_but_empty` never saw it. A run of two to four
# of the question's words that is the name of a concept with no passage is a title-only entry
# the question names, found or not (`STUB_UNFOUND`; False: off).
STUB_UNFOUND = True


def unfound_stubs(store: Store, question: str) -> list[str]:
    """The names of title-only entries (concepts without a passage) that a run of two to four
    of the question's words spells (see STUB_UNFOUND)."""
    if not STUB_UNFOUND:
        return []
    tokens = _WORD_RE.findall(question)
    out: list[str] = []
    for n in (2, 3, 4):
        for i in range(len(tokens) - n + 1):
            run = tokens[i : i + n]
            if run[0].casefold() in STOPWORDS or run[-1].casefold() in STOPWORDS:
                continue
            phrase = " ".join(run)
            norm = normalize(phrase)
            if norm and any(not store.concept_passages(m.concept_id, limit=1)
                            for m in store.concepts_named(norm)):
                out.append(phrase)
    return out


# Round 32: "How are the preset boxes of an object detector chosen?" was refused: it names the
# title-only "Object detection", while the passage of the best sentence opens "Anchor boxes are
# a technique used in some computer vision object detection algorithms ...": the entry that
# answers says it belongs to object detection. A stub whose name of two or more words the first
# sentence of the best sentence's passage writes is not silent (fresh22). Only the first: a
# list of kinds further down ("- $k$-Max Pooling and ...") names a stub without saying
# anything of it, and a link's target ("/terms/k-max-pooling/") names a page.
STUB_SPOKEN = True
# Round 48: "Why is dropout likened to model averaging?" was refused: it names the title-only
# "Model averaging" in two words, the dropout entry in one, and the best sentence, further down
# the dropout entry, says it ("Dropout can be considered analogous to model-averaging because
# ..."). A stub the best sentence itself writes is spoken of too, when the question also
# names the best sentence's passage ("dropout"; "What is the learning rate?" names only the
# stub, which "ADADELTA sets the learning rate by itself" mentions in passing) and the
# sentence is no item of a list ("- $k$-Max Pooling and the closely-related Dynamic $k$-Max
# Pooling, which have found applications ...": a list of kinds names a stub without saying
# anything of it) (`STUB_IN_BEST`; False: off).
STUB_IN_BEST = True
_LIST_ITEM = re.compile(r"[ \t]*(?:[-*+\u2022]|\d+[.)])[ \t]+")
_PATH = re.compile(r"(?<!\S)\S*/\S*")  # from a word's start: `\S*` from each of a long word's
# characters was quadratic (a 20,000-character token: 0.6 s)


def _first_sentence(text: str) -> str:
    first = next(iter(split_sentences(text)), None)
    return first.text if first is not None else ""


def _spoken_of(said: str, forms: frozenset[str]) -> bool:
    """True when `said` (`asked_words` of a sentence) holds one of `forms` of two words or
    more."""
    return bool(said) and any(" " in f and f" {f} " in said for f in forms)


# The best sentence's share of the question's words (`Scored.coverage`) that says it answers.
ANSWERS_ALL = 0.99


_COMPARES = re.compile(r"\b(?:differ|differs|difference|different|versus|vs|compare|compared"
                       r"|comparison)\b", re.IGNORECASE)
# "On-Policy vs. Off-Policy Learning": a heading of two sides names each of them.
_SIDES = re.compile(r"\s+(?:vs\.?|versus)\s+", re.IGNORECASE)
# Words of a section's page or parent headings that the question writes this close after the
# section's own named words name it too: "hierarchical clustering" is the section
# "Hierarchical" of the page "Clustering Algorithms", more closely than the glossary's
# "Clustering".
BESIDE = 2


_ACRONYM = re.compile(r"\(([A-Za-z]*[A-Z][A-Za-z]*)\)")


def _acronym_words(question: str, *names: str | None) -> set[str]:
    """The question's words that name an entry by the end of its
    acronym and the words its other letters stand for: "temporal GAN" for "Temporal
    Generative Adversarial Network (TGAN)", "deep convolutional GAN" for "(DCGAN)"."""
    tokens = _WORD_RE.findall(question)
    out: set[str] = set()
    for acronym in {m for n in names if n for m in _ACRONYM.findall(n)}:
        for i, t in enumerate(tokens):
            if len(t) < 2 or not acronym.casefold().endswith(t.casefold()):
                continue
            lead = acronym[: len(acronym) - len(t)]
            before = tokens[max(0, i - len(lead)) : i]
            if lead and len(before) == len(lead) and all(
                    w[0].casefold() == c.casefold() for w, c in zip(before, lead, strict=True)):
                out |= {*before, t}
    return out


def _covered(asked: str, forms: frozenset[str]) -> set[str]:
    words: set[str] = set()
    for form in forms:
        if f" {form} " in asked:
            words |= set(form.split())
    return words


def _named_section(asked: str, c: Candidate) -> frozenset[str]:
    """The question's words (`asked_words`) that a passage's names cover: its own name
    (concept or last heading, one side of an "A vs. B" heading, a name without its closing
    "approaches" or "methods") must be among them; its page's title and the headings above
    it add the words the question writes right after those (`BESIDE`)."""
    own = _covered(asked, _forms(c.concept, *c.heading_path[-1:]))
    if not own:
        return frozenset()
    words = own | _covered(asked, _forms(c.title))
    tokens = asked.split()
    # Only a section has a page above it: an entry's title is its own name.
    above = {w for f in _forms(c.title, *c.heading_path[:-1]) for w in f.split()
             } if c.heading_path and c.title != c.heading_path[-1] else set()
    at = [i for i, t in enumerate(tokens) if t in own]
    words |= {t for i, t in enumerate(tokens)
              if t in above and any(0 < i - j <= BESIDE for j in at)}
    return frozenset(words)


# "Model-Based Approaches", "Clustering Algorithms": the kind of thing a name ends with need
# not be written ("model-based reinforcement learning", "hierarchical clustering").
_KIND_TAIL = re.compile(r"\s+(?:approach(?:es)?|methods?|techniques?|algorithms?)\s*$",
                        re.IGNORECASE)


def _forms(*names: str | None) -> frozenset[str]:
    """`name_forms` of the names, of each side of an "A vs. B" name, and of each of those
    without a closing kind word (`_KIND_TAIL`)."""
    parts = [side for n in names if n for side in {n, *_SIDES.split(n)}]
    parts += [_KIND_TAIL.sub("", p) for p in parts]
    return name_forms(*parts)


# "- Kaldi - Kaldi is a toolkit for speech recognition ...": an item of a list of tools,
# papers or links, a name and what it is. Under a heading ("Speech Recognition") it says
# what each item is, not how the heading's subject works.
_CATALOGUE = re.compile(r"[ \t]*[-*+][ \t]+[^\s-][^\n]{0,60}?\s[-\u2013\u2014]\s?\S")


def catalogue_item(raw: str, start: int) -> bool:
    """True when the sentence at `start` of the passage text `raw` is on a list item of the
    form "- Name - what it is" (a name of at most six words)."""
    line_start = raw.rfind("\n", 0, start) + 1
    m = _CATALOGUE.match(raw, line_start)
    if m is None:
        return False
    name = raw[line_start:m.end()].lstrip(" \t-*+").rsplit(" -", 1)[0]
    return len(name.split()) <= 6


# "- UC Riverside Time Series Dataset": an item of a list of links that names a dataset, a
# paper or a tool (the reader keeps the link's title, not its address). Its words are a
# title (capitalised, but for short joining words). It may answer "which ...?" ("Binary
# (Pass/Fail)" is one of the types of logistic regression), never how something is done.
_TITLE_ITEM = re.compile(r"[ \t]*[-*+][ \t]+(?P<title>[^\n]+)")
_JOINING = frozenset(("a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "or", "the",
                      "to", "with"))
TITLE_WORDS = 12
_HOW = re.compile(r"^\s*how\b", re.IGNORECASE)


def title_item(raw: str, start: int) -> bool:
    """True when the sentence at `start` of the passage text `raw` is on a list item that is
    a title alone."""
    item = _TITLE_ITEM.match(raw, raw.rfind("\n", 0, start) + 1)
    if item is None:
        return False
    text = item.group("title")
    words = re.findall(r"[^\W\d_][\w'-]*", text)
    return 2 <= len(words) <= TITLE_WORDS and not text.rstrip().endswith(".") and all(
        w[0].isupper() or w.casefold() in _JOINING for w in words)


# "how does X <verb> ...": X is the run of words before the verb, and the verb is the word
# before the first function word (or the question's last word). Only "how does/do/is/are":
# after "what is", "why do" or "how can" the guess took a verb or an adjective for a name
# (calibrated on the tune half of bench/questions/ask_dev.jsonl).
_OPENER = re.compile(r"^\s*how\s+(?:does|do|is|are)\s+(?:(?:an?|the)\s+)?", re.IGNORECASE)
_FUNCTION = frozenset((
    "a", "an", "the", "its", "their", "his", "her", "our", "my", "your", "this", "that",
    "these", "those", "to", "into", "onto", "in", "on", "at", "of", "for", "from", "with", "by",
    "as", "than", "where", "when", "how", "whether", "if", "before", "after", "about",
    "between"))
_TOKEN = re.compile(r"\w[\w'-]*")
# Other words that may sit among a name's words in the notes ("Vision-based Transformers").
NEAR = 2


def subject_phrase(question: str) -> tuple[str, ...]:
    """The subject of "how does X <verb> ...?", up to its first two words: "rotary position"
    for "how does rotary position embedding encode token positions?", ("Adagrad",) for "how
    does Adagrad choose the learning rate?"."""
    return _subject(question)[0]


_POSSESSIVE = re.compile(r"['\u2019]s$")


def _subject(question: str) -> tuple[tuple[str, ...], bool]:
    """`subject_phrase`, and whether a function word after the verb placed it ("split AN
    image"); without one ("how does dropout prevent overfitting?") the verb is a guess."""
    m = _OPENER.match(question)
    if m is None:
        return (), False
    # A possessive names its owner ("t-SNE's perplexity" is t-SNE and perplexity).
    tokens = [_POSSESSIVE.sub("", t) for t in _TOKEN.findall(question[m.end() :])]
    end = next((i for i, t in enumerate(tokens) if t.casefold() in _FUNCTION), None)
    subject = tokens[: max(0, (len(tokens) if end is None else end) - 1)]
    if not subject or any(t.casefold() in STOPWORDS for t in subject):
        return (), False
    plural_verb = m.group(0).split()[1].casefold() in ("do", "are")
    if (PLURAL_SUBJECT and plural_verb and len(subject) >= 2 and _plural(subject[0])
            and not _plural(subject[1])):
        # "how do practitioners tune hyperparameters when ...": a name of two words puts its
        # plural on the last ("how do rotary position embeddings ..."); after "do" or "are"
        # a plural first word followed by a singular one is the subject, and the word after
        # it the verb, whose object came before the function word. After "does" the subject
        # is one thing, and a word ending in "s" a name ("k-means").
        return tuple(subject[:1]), True
    return tuple(subject[:2]), end is not None


PLURAL_SUBJECT = True


def _plural(word: str) -> bool:
    w = word.casefold()
    return len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is"))


def _together(want: Sequence[str], stems: Sequence[str]) -> bool:
    """True when every stem of `want` occurs in `stems` within one window around the first."""
    width = len(want) + NEAR
    for i, s in enumerate(stems):
        if s == want[0] and set(want) <= set(stems[max(0, i - width) : i + width + 1]):
            return True
    return False


def neighbour(question: str, evidence: Evidence) -> bool:
    """The question's subject is a name of two or more words ("rotary position embedding",
    "vision transformer") that no passage found holds with its words together: the notes
    cover a neighbouring concept ("positional encoding", "transform"), not this one.

    When the verb is a guess ("how does dropout prevent overfitting?" may be about
    "dropout"), only a first word that no passage found holds at all ("rotary") counts.
    """
    subject, placed = _subject(question)
    if len(subject) < 2 or (DOC_SUBJECT and _names_the_notes(question)):
        return False
    texts = [(c.text, " ".join([c.concept or "", c.title, *c.heading_path]))
             for c in evidence.candidates]
    words = [[stem(w) for w in _WORD_RE.findall(t)] for pair in texts for t in pair]
    if OWNER_THING and _unowned(question, subject, words):
        return True
    if HYPHEN_JOINED:
        # "autoregressive model" is the vault's "auto-regressive model" (fresh, report).
        words += [[stem(w) for w in _WORD_RE.findall(_INNER_HYPHEN.sub("", t))]
                  for pair in texts for t in pair if _INNER_HYPHEN.search(t)]
    if OWNER_APART and _owned(question, subject, words):
        return False
    # An identifier ("apo_zero_unpaired" in "how does the apo_zero_unpaired loss differ
    # ...?") is a whole name: the word after it says what kind of thing it is, and the notes
    # need not write the two together ("apo_zero_unpaired" | "... the APO-zero loss").
    identifiers = {stem(t) for t in subject if "_" in t.strip("_")}
    if identifiers:
        return not any(identifiers <= set(ws) for ws in words)
    if not placed:
        first = {stem(w) for w in _WORD_RE.findall(subject[0])}
        return not any(first <= set(ws) for ws in words)
    if _names_a_passage(subject[0], evidence) and not _in_a_name(subject[1], evidence):
        # "how does dropout prevent overfitting in ...": the first word names a passage by
        # itself and the second is in no passage's name, so it may be the verb, its object
        # placed before the function word; "dropout prevent" is no name the notes lack.
        return False
    want = [stem(w) for t in subject for w in _WORD_RE.findall(t)]
    return not any(_together(want, ws) for ws in words)


# Round 55: "How does Q-learning update its action-value estimates?" (fresh44, Distill) was
# answered with active learning's "estimates" and a policy gradient's "actions": "Q-learning"
# is one word to `neighbour` (a name of two words is looked for), and "Q" and "learning" are
# each held somewhere. "How many pages would the ml-cheatsheet fill if printed?" was answered
# with another cheat sheet's "10-page reference". A word joined by a hyphen to a part of one or
# two letters ("Q-learning", "t-SNE", "k-means", "ml-cheatsheet") is a name: when no passage
# found holds its parts side by side (or joined: "tSNE"), in its text or its names, the notes
# lack it (`SHORT_PART_NAME`; False: off).
SHORT_PART_NAME = True
_SHORT_PART = re.compile(r"(?<![\w-])(?:[A-Za-z]{1,2}-[A-Za-z]\w*|[A-Za-z]\w*-[A-Za-z]{1,2})"
                         r"(?![\w-])")


def unheld_compound(question: str, evidence: Evidence) -> bool:
    """True when a hyphenated name of the question with a short part (`_SHORT_PART`) is held
    by no passage found with its parts side by side: the notes cover its parts apart."""
    if not SHORT_PART_NAME:
        return False
    # "add-on", "runner-up": a part of two letters that is a stop word is a particle, no name.
    names = [[stem(w) for w in parts] for parts in (m[0].split("-")
                                                    for m in _SHORT_PART.finditer(question))
             if any(len(w) == 1 or (len(w) == 2 and w.casefold() not in STOPWORDS)
                    for w in parts)]
    if not names:
        return False
    texts = [t for c in evidence.candidates
             for t in (c.text, c.concept or "", c.title, *c.heading_path)]
    seqs = [[stem(w) for w in _WORD_RE.findall(t)] for t in texts]
    return any(not any(_side_by_side(parts, ws) for ws in seqs) for parts in names)


def _side_by_side(parts: Sequence[str], stems: Sequence[str]) -> bool:
    """True when `stems` hold `parts` in a row, or joined into one word."""
    joined = stem("".join(parts))
    n = len(parts)
    return joined in stems or any(list(stems[i : i + n]) == list(parts)
                                  for i in range(len(stems) - n + 1))


# Round 51: "What are the emission probabilities of a hidden Markov model?" (fresh41, tune)
# was answered from the vault's "Markov property" and "Markov decision process" pages: the
# vault never writes "hidden Markov model", and `neighbour` reads only "how does X ...". In
# "what is/are the Y of a/the X?" that closes on a name X of two or three words, X is the
# subject; when no passage found holds its words together, the notes cover a neighbour of it
# (`OF_NEIGHBOUR`; False: off).
OF_NEIGHBOUR = True
_OF_NAME = re.compile(r"^\s*what\s+(?:is|are)\s+(?:the\s+)?(?:[\w-]+\s+){1,3}?of\s+(?:an?|the)\s+"
                      r"(?P<name>[\w-]+(?:\s+[\w-]+){1,2})\s*\??\s*$", re.IGNORECASE)


_OF_TAIL = frozenset(("called", "named", "known", "based", "equal", "equals", "used", "mean",
                      "means", "made", "defined", "trained", "computed", "given", "set"))


def of_neighbour(question: str, evidence: Evidence) -> bool:
    """True when "what is the Y of a X?" names an X of two or three words that no passage
    found holds together (see OF_NEIGHBOUR), or an X of one word and a Y that no passage
    found holds (see OF_THING)."""
    if OF_THING and _of_thing_missing(question, evidence):
        return True
    m = _OF_NAME.match(question) if OF_NEIGHBOUR else None
    if m is None:
        return False
    name = _WORD_RE.findall(m.group("name"))
    if any(w.casefold() in STOPWORDS or w.casefold() in _OF_TAIL for w in name):
        return False  # "What is the code of an autoencoder also called?": no name closes it
    want = [stem(w) for w in name]
    if OF_HELD_APART and want[-1] in _OF_KIND:
        want = want[:-1]  # "a softmax layer": the notes need not say softmax is a layer
    texts = [t for c in evidence.candidates
             for t in (c.text, " ".join([c.concept or "", c.title, *c.heading_path]))]
    texts += [_INNER_HYPHEN.sub("", t) for t in texts if _INNER_HYPHEN.search(t)]
    if any(_together(want, [stem(w) for w in _WORD_RE.findall(t)]) for t in texts):
        return False
    return not (OF_HELD_APART and any(_held_apart(want, c) for c in evidence.candidates))


# Round 52: "What is the half-life of a TPU?" (review51e's probe) was answered with the TPU
# pages' first sentences: `OF_NEIGHBOUR` reads names of two or three words only. When "what
# is/are the Y of a/an/the X?" closes on a name X of one word, Y is the thing asked: when no
# passage found holds Y's words together (hyphens joined or apart), the notes lack it, as
# `OWNER_THING` reads "How does X's Y ...?". A Y that asks for what X is or does in general
# ("the purpose of", "the output of", `_OF_ASPECT`) is no thing the notes must name
# (`OF_THING`; False: off).
OF_THING = True
_OF_ONE = re.compile(r"^\s*what\s+(?:is|are)\s+(?:the\s+)?(?P<thing>(?:[\w-]+\s+){1,3}?)of\s+"
                     r"(?:an?|the)\s+(?P<name>[\w-]+)\s*\??\s*$", re.IGNORECASE)
_OF_ASPECT = frozenset(stem(w) for w in (
    "purpose", "goal", "aim", "role", "use", "uses", "point", "meaning", "definition", "idea",
    "intuition", "advantage", "benefit", "disadvantage", "drawback", "limitation", "function",
    "job", "task", "output", "input", "result", "effect", "importance", "significance",
    "difference", "type", "kind", "example", "name", "value", "size", "shape", "formula"))


def _of_thing_missing(question: str, evidence: Evidence) -> bool:
    m = _OF_ONE.match(question)
    if m is None or m.group("name").casefold() in STOPWORDS | _OF_TAIL:
        return False
    thing = [stem(w) for w in _WORD_RE.findall(m.group("thing"))
             if w.casefold() not in STOPWORDS]
    if not thing or any(t in _OF_ASPECT for t in thing):
        return False
    texts = [t for c in evidence.candidates
             for t in (c.text, " ".join([c.concept or "", c.title, *c.heading_path]))]
    texts += [_INNER_HYPHEN.sub("", t) for t in texts if _INNER_HYPHEN.search(t)]
    joined = [stem(w) for w in _WORD_RE.findall(_INNER_HYPHEN.sub("", m.group("thing")))
              if w.casefold() not in STOPWORDS]
    return not any(_together(thing, ws) or _together(joined, ws)
                   for ws in ([stem(w) for w in _WORD_RE.findall(t)] for t in texts))


# Round 51 (review51e): "What is the output of a softmax layer?" (vault) and "What is the size
# of an MNIST image?" were refused by `of_neighbour`, main answering both from the right page:
# "layer" says what kind of thing softmax is, which its page need not write, and the MNIST page
# holds "MNIST" in its title and "image" in its text, never side by side. A last word that
# names a kind of thing (`_OF_KIND`) may go unsaid, and a passage whose title or headings hold
# the name's first words and whose text holds the rest holds the name (`OF_HELD_APART`; False:
# off). "hidden Markov model" and "capsule network" still name what the notes lack.
OF_HELD_APART = True
# Not "model" or "network": "a Markov model", "a capsule network" name a kind of their own.
_OF_KIND = frozenset(stem(w) for w in ("layer", "function", "unit", "activation", "optimizer",
                                       "algorithm", "method", "operation"))


def _held_apart(want: Sequence[str], candidate: Candidate) -> bool:
    """True when `candidate`'s title or headings hold the first stems of `want` together and
    its text the others (see OF_HELD_APART)."""
    label = [stem(w) for w in _WORD_RE.findall(
        " ".join([candidate.concept or "", candidate.title, *candidate.heading_path]))]
    text = [stem(w) for w in _WORD_RE.findall(_INNER_HYPHEN.sub("", candidate.text))]
    return any(_together(want[:k], label) and _together(want[k:], text)
               for k in range(1, len(want)))


# Round 49: "How does TRL's truncated importance sampling differ from the clipping in the
# original TIS paper?" (fresh19, report) was refused as a neighbour: its subject was read as
# "TRL truncated", which no passage writes together, though "TRL's" names the owner of the
# thing asked ("Truncated Importance Sampling (TIS)"). A possessive first word that a passage
# found holds is an owner: the words after it are the subject, and they are looked for
# together (`OWNER_APART`; False: off). A word written with a hyphen inside is also looked for
# joined ("auto-regressive" for "autoregressive", `HYPHEN_JOINED`; False: off).
OWNER_APART = True
HYPHEN_JOINED = True
_INNER_HYPHEN = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")


# Round 50: "How does BERT's tokenizer treat emoji?" was answered from the vault's BERT page,
# which says nothing of a tokenizer (review49d): the owner ("BERT's") is held, the thing it
# owns is in no passage found. A possessive first word of "how does X's Y ...?" whose next
# word no passage found holds asks about a part of X the notes lack (`OWNER_THING`; False:
# off).
OWNER_THING = True


def _unowned(question: str, subject: Sequence[str], words: Sequence[Sequence[str]]) -> bool:
    """True when "how does X's Y ...?" names an owner X that `words` hold and a Y they do
    not hold at all."""
    m = _OPENER.match(question)
    first = None if m is None else _TOKEN.match(question, m.end())
    if m is None or first is None or not _POSSESSIVE.search(first.group()):
        return False
    owner = {stem(w) for w in _WORD_RE.findall(subject[0])}
    thing = {stem(w) for w in _WORD_RE.findall(subject[1])}
    held = set().union(*map(set, words)) if words else set()
    return bool(thing) and owner <= held and not thing & held


def _owned(question: str, subject: Sequence[str], words: Sequence[Sequence[str]]) -> bool:
    """True when the subject of "how does X's Y ...?" opens with an owner (`subject[0]`
    written with "'s") that `words` (stemmed passages) hold, and the words after it are held
    together there: the notes hold the thing asked."""
    m = _OPENER.match(question)
    first = None if m is None else _TOKEN.match(question, m.end())
    if m is None or first is None or not _POSSESSIVE.search(first.group()):
        return False
    owner = {stem(w) for w in _WORD_RE.findall(subject[0])}
    if not any(owner <= set(ws) for ws in words):
        return False
    rest, _ = _subject(m.group() + question[first.end():])
    want = [stem(w) for t in rest for w in _WORD_RE.findall(t)]
    return len(rest) >= 2 and any(_together(want, ws) for ws in words)


# Round 44: "How does the GNN article bring its high-dimensional embeddings down to two
# dimensions ...?" (tune) was refused as a neighbour: its subject, "GNN article", names the
# notes themselves (an article, a page, the docs), not a concept they may lack, and no passage
# writes "GNN article". A subject that holds such a word is left to the other rules and the
# threshold (`DOC_SUBJECT`; False: off).
DOC_SUBJECT = True
# Nouns only, never a verb ("guide", "post") nor a plural ("web pages").
_DOC_WORDS = frozenset(["article", "page", "blog", "docs", "documentation", "tutorial", "paper",
                        "glossary", "cheatsheet", "chapter"])


def _names_the_notes(question: str) -> bool:
    """True when the words before the first function word of "how does X ...?" name a
    document ("the GNN article", "the DPO trainer's docs")."""
    m = _OPENER.match(question)
    if m is None:
        return False
    tokens = [_POSSESSIVE.sub("", t).casefold() for t in _TOKEN.findall(question[m.end():])]
    end = next((i for i, t in enumerate(tokens) if t in _FUNCTION), len(tokens))
    return any(t in _DOC_WORDS for t in tokens[:end])


def _in_a_name(word: str, evidence: Evidence) -> bool:
    """True when `word` is a word of the name of a passage found."""
    # Round 52 (review52e): a hyphenated word has two forms ("meta learn", "metalearn",
    # `HYPHEN_COVER`); joined by a space they were no name, and "How does the Q-learning agent
    # behave ...?" (fresh10, report) was refused as a neighbour.
    forms = name_forms(word)
    return any(form in f.split() for c in evidence.candidates
               for f in name_forms(c.concept, c.title, *c.heading_path[-1:]) for form in forms)


def _names_a_passage(word: str, evidence: Evidence) -> bool:
    """True when `word` alone is the name (concept, title or last heading) of a passage
    found."""
    forms = name_forms(word)
    return any(forms & name_forms(c.concept, c.title, *c.heading_path[-1:])
               for c in evidence.candidates)


_CAPITALISED = re.compile(r"[A-Z][\w'-]*")
# A word capitalised as a name is ("Sky", "Bone"), not an acronym ("GAN", "KTO", "LoRA"): an
# acronym holds no plain word, and a question types it in small letters ("what is a gan?").
_TITLE_WORD = re.compile(r"[A-Z][a-z]*")


# A question that asks for data ("is there a dataset of road networks?", "where can I find
# images of dogs?") is answered by a name: the title of a dataset ("DIMACS Road Networks
# Collection", "Stanford Dogs Dataset") on a list of them.
_ASKS_FOR_DATA = re.compile(
    r"\b(?:data(?:sets?|bases?)?|corpus|corpora|benchmarks?|images?|pictures?|photos?"
    r"|photographs?|videos?|recordings?|records|statistics|collections?)\b", re.IGNORECASE)


def names_data(question: str, best: Scored) -> bool:
    """True when the question asks for data and the best sentence is a list item that is a
    title alone (`title_item`): a name is what it asks for."""
    return bool(_ASKS_FOR_DATA.search(question)) and title_item(best.raw, best.start)


_ALIAS = re.compile(r"\((\w[\w-]*)\)")  # one word in brackets: a name given for the words before


# Round 40: "What GPU did the GNN article's authors train their playground models on?" was
# answered by "Code for the Neural GPU publication was open sourced ..." (fresh29's report
# leak; fresh28's had the same shape): an acronym the question asks about ("GPU") that the
# sentence holds only inside a longer name ("Neural GPU") is no more the thing asked than
# "Sky" of "Sloan Digital Sky Survey" is the sky (`ACRONYM_IN_NAME`; False: off). A question
# can write an acronym no other way, so its capitals do not make it a name.
ACRONYM_IN_NAME = True
# Round 42 (qa41): "who won the 2022 world cup?" was answered by "The Wind AI utilizes the KDD
# Cup 2022 SDWPF Dataset ...": a number the question writes (a year) that the sentence holds
# only inside a name ("KDD Cup 2022 SDWPF") is no more the thing asked than the name's other
# words are (`NUMBER_IN_NAME`; False: a number was a name in the question too, and never a
# word of a longer name in the sentence).
NUMBER_IN_NAME = True
_ACRONYM_WORD = re.compile(r"[A-Z]{2,6}")
# Round 47: "What is the Metrics API, tf.metrics, for?" (fresh37, tune) was refused: its
# entry's "A TensorFlow API for evaluating models." holds "API" only after "TensorFlow", and
# the question's acronym counted as a plain word. An acronym the question writes beside a
# capitalised word of its own (not the question's first) is a word of a name there too
# ("Metrics API"), as a capitalised word is (`ACRONYM_NAMED`; False: off).
ACRONYM_NAMED = True


def _in_asked_name(words: Sequence[str], i: int) -> bool:
    """True when the i-th word of the question has a capitalised word beside it that is not
    the question's first word nor a function word."""
    return any(0 < j < len(words) and _CAPITALISED.fullmatch(words[j]) is not None
               and words[j].casefold() not in STOPWORDS for j in (i - 1, i + 1))


def only_in_names(question: str, best: Scored) -> bool:
    """True when every question word the best sentence holds is there only as part of a name
    and the question writes it as a plain word: "sky" in "Sloan Digital Sky Survey" (a run of
    capitalised words the question does not hold) for "why is the sky blue?", "Bone" (a PEFT
    method, a name: never plural) for "how many bones are in the human body?". Not when the
    question asks for data and the sentence is a dataset's title (`names_data`)."""
    if not best.terms or names_data(question, best):
        return False
    asked = _WORD_RE.findall(question)
    asked_stems = {stem(w) for w in asked}
    plain: dict[str, set[str]] = {}
    for i, w in enumerate(asked):
        if w.islower() or (NUMBER_IN_NAME and w.isdigit()):
            plain.setdefault(stem(w), set()).add(w)
        elif ACRONYM_IN_NAME and _ACRONYM_WORD.fullmatch(w) and stem(w) not in plain and not (
                ACRONYM_NAMED and _in_asked_name(asked, i)):
            plain[stem(w)] = {w.casefold()}  # an acronym: see ACRONYM_IN_NAME
        else:
            plain[stem(w)] = set()  # written as a name in the question too: it is one
    found = list(_WORD_RE.finditer(best.text))
    tokens = [m.group() for m in found]
    # "(Adam)" after "Adaptive Moment Estimation": a name the sentence gives on its own, the
    # one the question asks about when it writes "adam" (no part of a longer name)
    aliases = {m.casefold() for m in _ALIAS.findall(best.text)}
    for t in best.terms:
        written = plain.get(t)
        at = [i for i, word in enumerate(tokens) if stem(word) == t]
        if not written or not at:
            return False
        for i in at:
            word = tokens[i]
            if not (_TITLE_WORD.fullmatch(word) or (NUMBER_IN_NAME and word.isdigit()) or (
                    ACRONYM_IN_NAME and word.casefold() in written
                    and _ACRONYM_WORD.fullmatch(word))):
                return False
            plural_of_name = any(f in (word.casefold() + "s", word.casefold() + "es")
                                 for f in written)
            # "The" of "The Hadamard product refers to ..." is capitalised for starting the
            # sentence: a function word is no part of a name.
            # An acronym is a word of a longer name only with no mark between them: "Unlike
            # GPT, BERT reads ..." names two things side by side (review40b).
            acronym = not _TITLE_WORD.fullmatch(word)
            beside = [tokens[j] for j in (i - 1, i + 1) if 0 <= j < len(tokens)
                      and tokens[j].casefold() not in STOPWORDS
                      and not (acronym and best.text[found[min(i, j)].end():
                                                    found[max(i, j)].start()].strip())]
            in_longer_name = i > 0 and word.casefold() not in aliases and any(
                _CAPITALISED.fullmatch(b) and stem(b) not in asked_stems for b in beside)
            if not (plural_of_name or in_longer_name):
                return False
    return True


def silent(searcher: Searcher, question: str, evidence: Evidence,
           threshold: float = ABSTAIN_BELOW) -> bool:
    """True when the notes do not answer: the best sentence scores too low, the question
    names something no passage holds, the best sentence holds its words only inside names,
    it asks what X is and the best sentence is not about X, or the notes name X with nothing
    under it."""
    sure, bar = evidence.best, threshold
    if MEANING_LIFT:
        sure += MEANING_LIFT * max(0.0, evidence.closest)
        bar += LIFT_BAR
    if not evidence.sentences or (sure < bar
                                  and not holds_identifier(question, evidence.sentences[0])):
        return True
    if unknown_names(searcher.store, question, [c.text for c in evidence.candidates]):
        return True
    return (only_in_names(question, evidence.sentences[0])
            or subject_missing(question, evidence.sentences[0])
            or named_but_empty(question, evidence, unfound_stubs(searcher.store, question))
            or neighbour(question, evidence) or of_neighbour(question, evidence)
            or unheld_compound(question, evidence)
            or undated(question, evidence) or uncounted(question, evidence)
            or untimed(question, evidence) or unranked(question, evidence)
            or uncosted(question, evidence) or unversioned(question, evidence)
            or unpriced(question, evidence) or unlicensed(question, evidence)
            or unfunded(question, evidence)
            or unattributed(question, evidence, searcher.store)
            or unlisted(question, evidence.sentences[0]))


# Round 39: "What is the tallest mountain in Africa?" was answered by the cheat sheet's list of
# datasets ("- Open Data for Africa"), "Should I tune hyperparameters with a grid search or a
# random search?" by its list of libraries ("- XGBoost.R Library", "- Optunity - A library
# dedicated to automated hyperparameter optimization ..."). An item of a list of tools, data
# or links (`catalogue_item`, `title_item`) says what one named thing is: it answers a question
# that names the item (half or more of the words of its name) or its list (its heading), or
# asks for such a thing (a library, a dataset, a tool), not a question that shares a word with
# it ("Who created the spaCy library?" answered by "- Factory Miner - Automatically creates
# ...").
CATALOGUE_NAMED = True
_ASKS_RESOURCE = re.compile(
    r"\b(?:librar(?:y|ies)|toolkits?|toolbox(?:es)?|frameworks?|packages?|tools?|software"
    r"|implementations?|wrappers?|ports?|bindings?|apis?|modules?|projects?|repositor(?:y|ies)"
    r"|tutorials?|courses?|books?|lists?|resources?|services?|platforms?)\b", re.IGNORECASE)
_ITEM = re.compile(r"[ \t]*[-*+][ \t]+(?P<name>[^\n]*)")
# Round 40 (review39b): "Where do I get pretrained checkpoints for audio?" was refused its
# answer, "- Hugging Face Transformers - pretrained checkpoints for text, vision and audio":
# a question that asks where to get or find something asks for a source, which is what an
# item of such a list names (`WHERE_TO_GET`; False: off).
WHERE_TO_GET = True
_WHERE_TO_GET = re.compile(
    r"^\s*where\s+(?:do|can|could|should|would|might|may)\s+(?:i|we|you|one)\s+"
    r"(?:get|find|download|obtain|grab|fetch|look\s+for)\b", re.IGNORECASE)
_WHO_ASKED = re.compile(r"^\s*who\b", re.IGNORECASE)


def unlisted(question: str, best: Scored) -> bool:
    """True when the best sentence is an item of a list of tools, data or links whose name the
    question does not give (half of its words or more) and the question asks for no such
    thing: the item shares a word with the question by chance."""
    if not CATALOGUE_NAMED or not (catalogue_item(best.raw, best.start)
                                   or title_item(best.raw, best.start)):
        return False
    if not _WHO_ASKED.match(question) and (_ASKS_RESOURCE.search(question)
                                           or _ASKS_FOR_DATA.search(question)
                                           or (WHERE_TO_GET and _WHERE_TO_GET.match(question))):
        # "Which library ...?", "is there a dataset of ...?": the item is what is asked for.
        # Not "who created the spaCy library?": a maker is asked for, not a library.
        return False
    item = _ITEM.match(best.raw, best.raw.rfind("\n", 0, best.start) + 1)
    if item is None:
        return False
    have = {stem(w) for w in content_words(question)}

    def given(name: str) -> bool:
        want = {stem(w) for w in content_words(name)}
        return bool(want) and 2 * len(want & have) >= len(want)

    c = best.candidate
    if not _HOW.match(question) and any(
            given(n) for n in (c.concept, *c.heading_path[-1:]) if n):
        # "Which types of logistic regression are there?": the list's own heading ("Types of
        # logistic regression") is asked about; its items ("- Binary (Pass/Fail)") answer.
        # Not how something is done: "How does a support vector machine choose its margin?"
        # is not answered by "- $\gamma$ -- modifies the behavior of the SVM's kernel." under
        # "Example 1 -- Support Vector Machine (SVM)" (as `title_item` says no how).
        return False
    name = re.split(r"\s[-\u2013\u2014]\s?", item.group("name"), maxsplit=1)[0]
    # "- Long Short-Term Memory (LSTM) - ...": "What is an LSTM?" names it by its short name
    return not any(given(n) for n in (name, *_BRACKETED.findall(name))) \
        and bool(content_words(name))


_BRACKETED = re.compile(r"\(([^()\n]{1,40})\)")


# Round 33 (measured, see bench/README.md): a paraphrase shares few words with the sentence
# that answers it, so its confidence (mostly words) falls under the threshold; the meaning of
# the nearest sentence lifts it by MEANING_LIFT times its cosine, against a bar raised by
# LIFT_BAR (0.0: off).
MEANING_LIFT = 0.15
LIFT_BAR = 0.04


# Round 32: "what does max_depth do in a decision tree?" was refused by notes whose line
# "max_depth — the most direct overfitting control" never says "decision tree": the question's
# other words, missing, kept the best sentence under ABSTAIN_BELOW. An identifier (a word
# joined by underscores) is a name nobody writes by chance: a best sentence that holds it
# verbatim is about it, however few of the question's other words it holds.
IDENTIFIER_HELD = True
_IDENTIFIER = re.compile(r"(?<![\w.])[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+(?![\w])")


def holds_identifier(question: str, best: Scored) -> bool:
    """True when the question names an identifier (`max_depth`, `sync_ref_model`) that the
    best sentence holds verbatim."""
    if not IDENTIFIER_HELD:
        return False
    wanted = {m.group(0).casefold() for m in _IDENTIFIER.finditer(question)}
    return bool(wanted) and bool(wanted & {
        m.group(0).casefold() for m in _IDENTIFIER.finditer(best.text)})


# "In what year was the confusion matrix first used?", "When was X introduced?": a date is
# asked for. Notes that define X and never date it answered with the definition.
_ASKS_DATE = re.compile(
    r"^\s*(?:in\s+(?:what|which)\s+year|what\s+year|when\s+(?:was|were|did)\b)", re.IGNORECASE)
# A number inside a name, a path or a link ("?tag=pr-1540", "trl/pr-1540/ppo", "v2019") is no
# year: "When was the PPO trainer first added to TRL?" was answered by a benchmark command
# whose tag reads "pr-1540" (fresh30, round 42).
_DATE = re.compile(r"(?<![A-Za-z]-)(?<![\w/=_.])(?:1[5-9]\d\d|20\d\d)s?(?![\w/]|\.\d)"
                   r"|\bcentur(?:y|ies)\b|\bdecades?\b",
                   re.IGNORECASE)


def undated(question: str, evidence: Evidence) -> bool:
    """True when the question asks for a date and none of the sentences the answer would
    quote holds a year (or a century): the notes name the subject but do not say when."""
    if not evidence.sentences or not _ASKS_DATE.match(question):
        return False
    return not any(_DATE.search(s.text) and not (EXAMPLE_UNDATED and gives_example(s.text))
                   for s in _answer_sentences(evidence))


# Round 45: "In what year was hallucination added to Google's machine learning glossary?" was
# answered by the entry's example, "For example, a generative AI model that claims that Barack
# Obama died in 1865 is hallucinating." (fresh32, tune): the year of a sentence that gives an
# example is the example's, not the subject's (`EXAMPLE_UNDATED`; False: off).
EXAMPLE_UNDATED = True


# "How much of my data should I hold out for the validation set?", "What value is the
# momentum coefficient usually set to?": an amount is asked for. Notes that define the
# validation set and never give its share answered with the definition.
_ASKS_AMOUNT = re.compile(
    r"^\s*(?:how\s+(?:much|many)\b|what\s+(?:value|fraction|share|percentage|proportion"
    r"|portion|ratio)\b)", re.IGNORECASE)
_COUNT_WORDS = r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty"
_AMOUNT = re.compile(
    rf"\d|\b(?:{_COUNT_WORDS}|hundreds?|thousands?|millions?|billions?|half|halves|thirds?"
    r"|quarters?|percent|dozens?|single|double|twice|few|several)\b", re.IGNORECASE)


# Round 31: "How large is the vocabulary of the BERT tokenizer?", "How big is the dataset ...?":
# a size is an amount too. The tokenizer's `from_pretrained` line answered it (fresh21).
_ASKS_SIZE = re.compile(r"^\s*how\s+(?:large|big)\b", re.IGNORECASE)
SIZE_ASKED = True


# Round 33: "How long does t-SNE take to run on a million points?", "How long does fine-tuning
# with IA3 take on a single GPU?" ask for a duration; notes that describe the method and never
# time it answered with its description (fresh23). A sentence the answer quotes must hold an
# amount of time: a number or number word beside a unit of time.
_ASKS_DURATION = re.compile(
    r"^\s*(?:how\s+long\s+(?:does|do|did|will|would|should|can|could|is|are)\b.*\btakes?\b"
    r"|how\s+much\s+time\b)", re.IGNORECASE)
_DURATION = re.compile(
    rf"(?:\d|\b(?:{_COUNT_WORDS}|a|an|few|several|hundreds?|thousands?|millions?|half"
    r"|a\s+couple\s+of)\b)[\s~-]*(?:of\s+)?"
    r"(?:nanoseconds?|microseconds?|milliseconds?|seconds?|secs?|minutes?|mins?|hours?|hrs?"
    r"|days?|weeks?|months?|years?|ms|s|h)\b", re.IGNORECASE)
DURATION_ASKED = True


def untimed(question: str, evidence: Evidence) -> bool:
    """True when the question asks how long something takes and none of the sentences the
    answer would quote holds an amount of time: the notes name the thing but do not time it."""
    return _unstated(DURATION_ASKED, _ASKS_DURATION, _DURATION, question, evidence)


# Round 34: "Which algorithm finds the convex hull of points in the plane fastest?" asks which
# is fastest; notes that define the convex hull and never compare algorithms answered with its
# definition (fresh24). A sentence the answer quotes must speak of speed, cost or time.
_ASKS_SPEED_RANK = re.compile(
    r"\b(?:fastest|quickest|slowest|cheapest|most\s+efficient(?:ly)?)\b", re.IGNORECASE)
_SPEED = re.compile(
    r"\b(?:fast(?:er|est)?|quick(?:er|est|ly)?|slow(?:er|est|ly)?|cheap(?:er|est|ly)?"
    r"|efficient(?:ly)?|efficiency|speed(?:s|up|ups)?|times?|runtime|complexity|costs?"
    r"|linear|quadratic|logarithmic)\b|\bO\(", re.IGNORECASE)
RANK_ASKED = True
# Round 52: "Which activation function is cheapest to compute?" (review51e's probe) was
# refused though the cheatsheet's ReLU page says "ReLu is less computationally expensive than
# tanh and sigmoid": "expensive" speaks of cost as "cheap" does (`RANK_EXPENSIVE`; False: off).
RANK_EXPENSIVE = True
_SPEED_OR_PRICE = re.compile(rf"{_SPEED.pattern}|\b(?:(?:in)?expensive|costly)\b", re.IGNORECASE)


def unranked(question: str, evidence: Evidence) -> bool:
    """True when the question asks which is fastest (quickest, cheapest, ...) and none of the
    sentences the answer would quote speaks of speed, cost or time."""
    return _unstated(RANK_ASKED, _ASKS_SPEED_RANK, _SPEED_OR_PRICE if RANK_EXPENSIVE else _SPEED,
                     question, evidence)


# Round 54: "Which activation function is fastest to compute?" was still refused (cheatsheet):
# the answer's sentences ("Continuously differentiable -- ...") speak of no speed, and "ReLu
# is less computationally expensive than tanh and sigmoid ...", fourth at 0.91 of the best,
# does, comparing. Round 53's try, the speed cue as a bonus for every sentence, promoted "The
# network ... is drastically slow" instead: a sentence that speaks of speed or cost is no
# ranking unless it compares speed or cost ("faster", "cheapest", "less computationally
# expensive"; "greater than" beside "linear" is none). Such a sentence within RANK_NEAR of the
# best leads when the answer's would not rank (`unranked`); 0: off.
RANK_NEAR = 0.85
_COMPARING = re.compile(r"\b(?:fast|quick|slow|cheap)(?:er|est)\b|\b(?:less|more|most|least)\s+"
                        r"(?:\w+ly\s+)?(?:expensive|costly|efficient(?:ly)?)\b", re.IGNORECASE)


def ranked_first(question: str, evidence: Evidence) -> Evidence:
    """`evidence` with the near-best sentence that compares speed or cost first, when the
    question asks which is fastest and the sentences the answer would quote rank nothing."""
    if not RANK_NEAR or not unranked(question, evidence):
        return evidence
    top = evidence.sentences[0].score
    for s in evidence.sentences[1:]:
        if s.score < RANK_NEAR * top:
            break
        if _COMPARING.search(s.text):
            return replace(evidence, sentences=(s, *(o for o in evidence.sentences
                                                     if o is not s)))
    return evidence


# Round 40: "How does the cost of Gaussian process regression grow with the number of training
# points?" was answered by "... the uncertainty of the prediction is small in regions close to
# the training data and grows as we move further away" (a tune leak since fresh19): a question
# about how a cost grows was answered by a sentence that says something else grows. A
# sentence the answer quotes must speak of cost, time, memory or an order of growth
# (`COST_ASKED`; False: off).
_ASKS_COST = re.compile(
    r"\b(?:cost|costs|time|runtime|memory|complexity|compute|computation)\b[^?]*"
    r"\b(?:grows?|scales?|increases?|rises?|goes\s+up)\b|\bhow\s+(?:expensive|costly)\b",
    re.IGNORECASE)
_COST = re.compile(
    r"\b(?:costs?|costly|expensive|cheap(?:er|est)?|complexity|linear(?:ly)?|quadratic(?:ally)?"
    r"|cubic(?:ally)?|exponential(?:ly)?|polynomial|logarithmic|times?|runtime|memory|compute"
    r"|computation(?:al|ally)?|fast(?:er|est)?|slow(?:er|est)?|efficient(?:ly)?)\b|\bO\(",
    re.IGNORECASE)
COST_ASKED = True


def uncosted(question: str, evidence: Evidence) -> bool:
    """True when the question asks how a cost grows and none of the sentences the answer
    would quote speaks of cost, time, memory or an order of growth."""
    return _unstated(COST_ASKED, _ASKS_COST, _COST, question, evidence)


# Round 45: "Which NumPy version does the cheatsheet's linear regression code require?",
# "Which Python version was the cheatsheet's backpropagation code tested with?" ask for a
# version; notes that never give one answered with "... from section 4.4.3 of Deep Learning
# for Python ..." and "Inspired by the original Python version." (fresh34, fresh35). A
# sentence the answer quotes must give a version: a number after "v" or "version", or after
# the name the question asks the version of ("Python 3.8", "numpy>=1.20"); a section number
# is none (`VERSION_ASKED`; False: off).
_ASKS_VERSION = re.compile(
    r"\b(?:which|what)\s+(?:(?P<before>[\w.+-]+)\s+)?versions?\b"
    r"(?:\s+of\s+(?:the\s+)?(?P<after>[\w.+-]+))?", re.IGNORECASE)
VERSION_ASKED = True


def unversioned(question: str, evidence: Evidence) -> bool:
    """True when the question asks which version of something and none of the sentences the
    answer would quote gives a version number of it."""
    m = _ASKS_VERSION.search(question)
    if not VERSION_ASKED or m is None or not evidence.sentences:
        return False
    name = m.group("after") or m.group("before")
    own = rf"|{re.escape(name)}\s*(?:[<>=~!]=?\s*)?" if name else ""
    gives = re.compile(rf"(?:\bv|\bversions?\s*{own})\d", re.IGNORECASE)
    return not any(gives.search(s.text) for s in _answer_sentences(evidence))


def _unstated(on: bool, asks: re.Pattern[str], needs: re.Pattern[str], question: str,
              evidence: Evidence) -> bool:
    """True when `question` asks for what `asks` finds and no sentence the answer would quote
    holds what `needs` finds (a duration, a speed): the notes name the thing, not that."""
    if not on or not evidence.sentences or not asks.search(question):
        return False
    return not any(needs.search(s.text) for s in _answer_sentences(evidence))


# Round 50: "How much does a TPU slice cost per hour?" was answered with what a slice is, and
# "Under which licence is the UltraFeedback dataset released?" with the sentence that trains
# on it (fresh40's two leaks; fresh38's reward model licence was the same). A question that
# asks a price needs a sentence that gives one (an amount of money, a rate per hour or
# month, "free"), and one that asks a licence a sentence that names one (`PRICE_ASKED`,
# `LICENCE_ASKED`; False: off).
# "cost" is the verb that closes the question or takes a rate or purpose ("cost per hour",
# "cost to rent"): "How much did the MSE cost drop?" asks about a loss, not a price.
_ASKS_PRICE = re.compile(r"\bhow\s+much\b[^?]*\bcosts?\b(?!\s+(?!(?:per|to|for|in|a|an|each|"
                         r"on|at|me|us|you|them)\b)\w)|\bhow\s+many\s+(?:dollars|euros|cents)\b"
                         r"|\b(?:price|pricing)\b", re.IGNORECASE)
_PRICE = re.compile(r"[$\u20ac\u00a3]\s?\d|\b\d[\d,.]*\s*(?:dollars?|euros?|usd|eur|cents?)\b"
                    r"|\bfree\b|\bpric(?:e|es|ed|ing)\b|\bper\s+(?:hour|month|year)\b",
                    re.IGNORECASE)
PRICE_ASKED = True
# Round 51: "free" gave a price anywhere: "feel free to open an issue" (hf-docs), "free
# parameters", "hyperparameter-free" would do. It gives one only where it is what something
# costs: "for free", "is/are free", "free of charge", "free tier/plan/version/trial", "free
# to use", "freely available" (`PRICE_FREE`; False: off, any "free").
PRICE_FREE = True
_PRICE_NO_FREE = re.compile(_PRICE.pattern.replace(r"|\bfree\b", ""), re.IGNORECASE)
_FREE_PRICE = re.compile(
    r"\b(?:for|is|are|be|it's|costs?\s+(?:nothing|you\s+nothing))\s+(?:completely\s+|entirely\s+)?"
    r"free\b(?![-\w])|\bfree\s+(?:of\s+charge|tier|plan|version|trial|account|to\s+use)\b"
    r"|\bfreely\s+available\b|\bno\s+(?:cost|charge)\b|\bat\s+no\s+cost\b", re.IGNORECASE)
_PRICE_GIVEN = re.compile(f"{_PRICE_NO_FREE.pattern}|{_FREE_PRICE.pattern}", re.IGNORECASE)
# "Is X free to use commercially?" asks a licence too (review50c: AlexNet's, answered with
# what AlexNet is).
_ASKS_LICENCE = re.compile(r"\blicen[cs]e[sd]?\b|\bfree\s+to\s+use\b|\bfor\s+commercial\s+"
                           r"(?:use|purposes?)\b|\b(?:use|used|using)\s+(?:\w+\s+){0,2}?"
                           r"commercially\b", re.IGNORECASE)
_LICENCE = re.compile(r"\blicen[cs]\w*|\bapache\b|\bMIT\b|\bGPL\b|\bcreative\s+commons\b"
                      r"|\bCC[- ]BY\b|\bpublic\s+domain\b", re.IGNORECASE)
LICENCE_ASKED = True


# Round 51: "Which company funded the development of the KTO trainer?" (fresh41, tune) was
# answered with a chat example's "Java: Known for its object-oriented programming ...": a
# capitalised word passes for a maker, and the notes never say who paid for anything. A
# question that asks who funded, sponsored or financed something needs a sentence that speaks
# of funding (`FUNDER_ASKED`; False: off).
# review51e: "finance" is a verb only after "who", "to" or a helping verb ("fraud in finance",
# "finance datasets" ask of a field), "supported by" is as often a program's ("frameworks
# supported by PEFT") as a funder's, and a funding sentence of another page says nothing of
# who paid for this one's subject ("Who sponsors the IA3 method?"): `FUNDER_STRICT` (False:
# round 51's words, any page).
FUNDER_STRICT = True
_FINANCE_ASKED = (r"financ(?:es|ed|ing)|(?:(?<=who\s)|(?<=to\s)|(?<=do\s)|(?<=does\s)"
                  r"|(?<=did\s)|(?<=will\s)|(?<=would\s)|(?<=could\s)|(?<=can\s))finance")
_ASKS_FUNDER = re.compile(r"\b(?:fund(?:s|ed|ing)?|sponsor(?:s|ed|ing)?|financ(?:e|es|ed|ing)|"
                          r"bankroll(?:s|ed)?|paid\s+for|pays\s+for)\b", re.IGNORECASE)
_ASKS_FUNDER_WORDS = re.compile(_ASKS_FUNDER.pattern.replace(r"financ(?:e|es|ed|ing)",
                                                             _FINANCE_ASKED), re.IGNORECASE)
_FUNDING = re.compile(r"\b(?:fund\w*|sponsor\w*|financ\w*|grants?|donat\w*|backed\s+by"
                      r"|supported\s+by|paid\s+(?:for\s+)?by)\b", re.IGNORECASE)
_FUNDING_WORDS = re.compile(_FUNDING.pattern.replace(r"|supported\s+by", ""), re.IGNORECASE)
FUNDER_ASKED = True


# A sentence found that speaks of funding answers however low it scores ("Which body paid for
# the work behind the Gaussian process article?", fresh38, report: the thanks to a research
# foundation "for financial support" scored 0.2 of the best, and the intro was quoted).


def unfunded(question: str, evidence: Evidence) -> bool:
    """True when the question asks who funded something and no sentence the answer would
    quote speaks of funding."""
    return _unstated(FUNDER_ASKED, _ASKS_FUNDER_WORDS if FUNDER_STRICT else _ASKS_FUNDER,
                     _FUNDING_WORDS if FUNDER_STRICT else _FUNDING, question, evidence)


def funded_first(question: str, evidence: Evidence) -> Evidence:
    """`evidence` with the best sentence that speaks of funding first, when the question asks
    who funded something and the sentences the answer would quote do not (see
    FUNDER_ASKED)."""
    if not unfunded(question, evidence):
        return evidence
    funding = _FUNDING_WORDS if FUNDER_STRICT else _FUNDING
    page = evidence.sentences[0].candidate.span.path if evidence.sentences else None
    s = next((o for o in evidence.sentences if funding.search(o.text)
              and not (FUNDER_STRICT and o.candidate.span.path != page)), None)
    if s is None:
        return evidence
    return replace(evidence, sentences=(s, *(o for o in evidence.sentences if o is not s)))


# review51e: "Is Keras free?" and "Is TensorFlow free?" (vault) were answered with what each
# is: a question that closes on "free" ("free of charge") asks a price or a licence, and needs
# a sentence that gives one, or says "open source" (`FREE_ASKED`; False: off).
FREE_ASKED = True
_ASKS_FREE = re.compile(r"^\s*(?:is|are)\b[^?]*(?<![\w-])free(?:\s+of\s+charge)?\s*\??\s*$",
                        re.IGNORECASE)
_FREE_GIVEN = re.compile(f"{_PRICE_GIVEN.pattern}|{_LICENCE.pattern}|\\bopen[- ]source\\b",
                         re.IGNORECASE)


def unpriced(question: str, evidence: Evidence) -> bool:
    """True when the question asks a price and no sentence the answer would quote gives
    one."""
    return (_unstated(PRICE_ASKED, _ASKS_PRICE, _PRICE_GIVEN if PRICE_FREE else _PRICE,
                      question, evidence)
            or _unstated(FREE_ASKED, _ASKS_FREE, _FREE_GIVEN, question, evidence))


def unlicensed(question: str, evidence: Evidence) -> bool:
    """True when the question asks a licence and no sentence the answer would quote names
    one."""
    return _unstated(LICENCE_ASKED, _ASKS_LICENCE, _LICENCE, question, evidence)


def uncounted(question: str, evidence: Evidence) -> bool:
    """True when the question asks for an amount and none of the sentences the answer would
    quote holds a number or a number word: the notes name the thing but do not count it."""
    if not evidence.sentences or not (
            _ASKS_AMOUNT.match(question) or (SIZE_ASKED and _ASKS_SIZE.match(question))):
        return False
    thing = _things(question)
    # "How many layers does the Inception network have?" answered by "... the CVPR 2015 paper
    # ...": a number that counts something else (a year, "$1 \times 1$"). The number must sit
    # in a sentence that names what is counted, as a noun ("molecules", not "molecular").
    return not any(_counts(s.text, thing) for s in _answer_sentences(evidence))


def _counts(text: str, thing: frozenset[str] | None) -> bool:
    """True when `text` holds a number and names `thing` (one of its words; any thing when
    None), also as a part of an identifier (`--num_sample_generations 10` names samples)."""
    return bool(_AMOUNT.search(text)) and (thing is None or not thing.isdisjoint(
        _one(w) for w in _WORD_RE.findall(text.replace("_", " ") if COUNT_PARTS else text)))


# Round 37: "How many sample completions does the PPO trainer generate for logging by
# default?" was refused: the sentences the answer quotes introduce the logged completions,
# and the one with the number ("By default we generate `--num_sample_generations 10` ...",
# third by score) was not among them. When the quoted sentences count nothing (the question
# would be refused as `uncounted`), a sentence that scores within COUNT_NEAR of the best and
# holds a number naming what is counted leads instead (0.0: off). Only questions that would
# be refused move; an identifier's parts name things (COUNT_PARTS).
COUNT_NEAR = 0.85
COUNT_PARTS = True


def counted_first(question: str, evidence: Evidence) -> Evidence:
    """`evidence` with the sentence that counts what the question asks about first, when the
    sentences the answer would quote count nothing (see COUNT_NEAR)."""
    if not COUNT_NEAR or not uncounted(question, evidence):
        return evidence
    thing = _things(question)
    top = evidence.sentences[0].score
    for s in evidence.sentences[1:]:
        if s.score < COUNT_NEAR * top:
            break
        if _counts(s.text, thing):
            return replace(evidence, sentences=(s, *(o for o in evidence.sentences
                                                     if o is not s)))
    return evidence


def _one(word: str) -> str:
    """`word` in small letters, singular: "layers" -> "layer", "classes" -> "class"."""
    w = word.casefold()
    if not COUNTED_SINGULAR:
        return stem(w)
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("sses", "xes", "ches", "shes")):
        return w[:-2]
    return w[:-1] if w.endswith("s") and not w.endswith(("ss", "us", "is")) else w


# Round 44: "How many real-world features are ...?" (fresh34, tune) was refused: the thing
# counted was taken to be "real-world", which "very few features exhibit stationarity" does
# not write. A hyphenated word before another word qualifies it; the word after is the thing
# (`COUNTED_HEAD`; False: off).
_COUNTED = re.compile(r"^\s*how\s+many\s+(?P<thing>[^\W\d_][\w-]*)", re.IGNORECASE)
_COUNTED_HEAD = re.compile(
    r"^\s*how\s+many\s+[^\W\d_]+(?:-[^\W\d_]+)+\s+(?P<thing>[^\W\d_][\w-]*)", re.IGNORECASE)
COUNTED_HEAD = True


def _counted(question: str) -> re.Match[str] | None:
    """The match whose `thing` is what "how many ...?" counts (see COUNTED_HEAD)."""
    head = _COUNTED_HEAD.match(question) if COUNTED_HEAD else None
    return head or _COUNTED.match(question)


# Round 46: "How many closing equations does the cheatsheet say form the basis of
# backpropagation?" (fresh36, tune) was refused: the thing counted was taken to be "closing",
# which "Here are the final 3 equations ..." does not write. The words between "how many" and
# the verb name the thing together: a sentence that names any of them counts it
# (`COUNTED_PHRASE`; False: the first word alone, or the word after a hyphenated one). Two
# things joined by "and" / "or" are counted as before.
_COUNTED_PHRASE = re.compile(
    r"^\s*how\s+many\s+(?P<phrase>(?:[^\W\d_][\w-]*\s+){0,3}?[^\W\d_][\w-]*)\s+(?:does|do|did"
    r"|is|are|was|were|can|could|will|would|should|has|have|had|must|might|may)\b",
    re.IGNORECASE)
COUNTED_PHRASE = True


def _things(question: str) -> frozenset[str] | None:
    """The words that name what "how many ...?" counts (None: any thing, see COUNTED_THING)."""
    counted = _counted(question)
    if counted is None or not COUNTED_THING:
        return None
    phrase = _COUNTED_PHRASE.match(question) if COUNTED_PHRASE else None
    words = [] if phrase is None else phrase.group("phrase").casefold().split()
    if "and" in words or "or" in words:
        # "How many inputs and outputs ...?" counts two things: the first must be counted
        # ("... one or more dense layers, before being sent to the output layer" counts none).
        words = []
    return frozenset([_one(counted.group("thing")),
                      *(_one(w) for w in words if w not in STOPWORDS)])


COUNTED_THING = True
COUNTED_SINGULAR = True


# "Who invented the transformer?": a maker is asked for. Notes that define the transformer and
# never say who made it answered with the definition ("A transformer stacks attention
# layers ..."). Every maker the dev set's answers name is a capitalised name the question does
# not hold (Kingma, Hinton et al., Facebook Research, the Stanford NLP group).
_ASKS_MAKER = re.compile(
    r"^\s*who\s+(?:first\s+)?(?:invented|created|introduced|proposed|developed|designed|coined"
    r"|came\s+up\s+with|made|wrote|published|built|discovered|founded|is\s+behind)\b",
    re.IGNORECASE)
# Round 31: "Who first used capture-recapture ...?", "Who proved ...?": "who" before a verb in
# the past asks for whoever did it as much as "who invented" does (`MAKER_PAST`).
_ASKS_DOER = re.compile(r"^\s*who\s+(?:first\s+|originally\s+)?[a-z]{2,}ed\b", re.IGNORECASE)
MAKER_PAST = True
_NAME_WORD = re.compile(r"\b[A-Z][\w.+-]*")
# What a capitalised word in a quoted sentence is when it is no maker's name (`MAKER_NAMES`):
# a letter of a formula ("$m = n_2 \cdot \frac{n_1}{N}$"), a number word opening a clause
# ("Support Vector Machine: Two different categories ..."), or the question's own words in
# capitals ("SVM" for "who invented the support vector machine?").
_MATH = re.compile(r"\$[^$]*\$|\\\(.*?\\\)")
# Round 38: "Who invented the chain rule?" was answered by "... higher-order functions like:
# $$f(x) = A(B(C(x)))$$": `_MATH` took "$$" for an empty formula, and the letters of the
# formula passed for makers' names (fresh28). A display formula goes whole (`MAKER_DISPLAY`).
_DISPLAY_MATH = re.compile(r"\$\$.*?\$\$|\\\[.*?\\\]", re.DOTALL)
MAKER_DISPLAY = True
# Round 38 (qa37): "who invented the transformer?" over MCP was answered "Implementation of CPU
# transformer kernels" from a notebook listing a source tree under headings such as
# "/onnxruntime/featurizers_ops": "CPU" passed for a maker. A sentence under a heading that is
# a path describes a folder, and names no maker (`MAKER_TREE`).
_TREE_HEADING = re.compile(r"\s*(?:/\S+|\S+/)\s*")
MAKER_TREE = True
# Round 38: "Who first came up with the R-squared metric?" was answered by R-squared's
# definition, "the square of the Pearson correlation coefficient": a name between "the" and
# a word in small letters names a thing after someone, not its maker (`MAKER_EPONYM`)...
_EPONYM_BEFORE = re.compile(r"\b(?:the|a|an)\s+$", re.IGNORECASE)
# Not "the Vaswani et al. paper", "the Hochreiter lab": the name of a work's authors (review38b).
_EPONYM_AFTER = re.compile(
    r"\s+(?!et\s+al\b|(?:paper|papers|article|study|thesis|group|lab|team)\b)[a-z]")
# ... unless "by" comes before it: "proposed by a Toronto group" names the maker (round 26).
_BY_BEFORE = re.compile(r"\bby\s+(?:the|a|an)\s+$", re.IGNORECASE)
MAKER_EPONYM = True
# Round 38 (qa37): "who wrote the elements of statistical learning?" was answered by a list of
# book titles ("The Elements of Statistical Learning: Data Mining, Inference, and
# Prediction"): the title's other words passed for makers' names. A run of capitalised words
# (joined by "of", "and", "to", ..., a colon, a dash, "+", and after a colon commas) that
# holds two of the question's words capitalised is a title: its words name no maker
# (`MAKER_TITLE`).
MAKER_TITLE = True
_TITLE_TOKEN = re.compile(r"[A-Za-z][\w'-]*|[:,+&\u2013\u2014-]")
_TITLE_JOINS = frozenset({"of", "and", "in", "to", "the", "with", "for", "a", "an", "on", "-",
                          ":", "+", "&", "\u2013", "\u2014"})


def _title_words(text: str, asked: set[str]) -> set[int]:
    """The start offsets of the capitalised words of `text` that stand in a title run holding
    two or more of the `asked` stems capitalised (see MAKER_TITLE)."""
    out: set[int] = set()
    run: list[re.Match[str]] = []
    subtitle = False

    def close() -> None:
        held = {stem(m.group(0).lower()) for m in run if m.group(0)[0].isupper()} & asked
        if len(held) >= 2:
            out.update(m.start() for m in run if m.group(0)[0].isupper())

    end = 0
    for m in _TITLE_TOKEN.finditer(text):
        tok = m.group(0)
        gap = text[end:m.start()]
        end = m.end()
        joined = not gap.strip()
        if joined and (tok[0].isupper() or tok.lower() in _TITLE_JOINS
                       or (tok == "," and subtitle)) and (run or tok[0].isupper()):
            run.append(m)
            subtitle = subtitle or tok == ":"
            continue
        close()
        run, subtitle = ([m], False) if tok[0].isupper() else ([], False)
    close()
    return out


_NUMBER_WORDS = frozenset({
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "both", "no",
    "none", "several", "any", "such", "other", "another", "each", "either", "neither"})
MAKER_NAMES = True
# Round 32: "Who first proposed chain-of-thought prompting?" was answered with "Chain-of-thought
# prompting forces the LLM to ...": "LLM", the name of a note, and "Chain-of-thought", the
# question's own words joined by hyphens, passed for a maker's name (fresh22).
MAKER_CONCEPT = True
_OPENERS = frozenset({
    "a", "an", "the", "this", "that", "these", "those", "it", "its", "in", "on", "at", "for",
    "to", "of", "as", "by", "with", "when", "while", "if", "we", "you", "i", "they", "he", "she",
    "there", "here", "one", "each", "every", "some", "most", "many", "all", "first", "then",
    "also", "but", "and", "or", "so", "thus", "however", "note", "see", "unlike", "like",
})


def unattributed(question: str, evidence: Evidence, store: Store | None = None) -> bool:
    """True when the question asks who made something and none of the sentences the answer
    would quote holds a name the question does not (a person, a group, a company): the notes
    name the thing but not its maker. A name that is a concept of the notes (`store`: "LLM",
    "TensorFlow") is a thing, not its maker."""
    if not evidence.sentences or not (
            _ASKS_MAKER.match(question) or (MAKER_PAST and _ASKS_DOER.match(question))):
        return False
    asked = {stem(w) for w in _WORD_RE.findall(question.lower())}
    initials = _initials(question) if MAKER_NAMES else set()
    texts = [c.text for c in evidence.candidates]
    for s in _answer_sentences(evidence):
        if MAKER_TREE and any(_TREE_HEADING.fullmatch(h) for h in s.candidate.heading_path[-1:]):
            continue  # a folder's description in a file tree names no maker
        text = s.text
        if MAKER_DISPLAY:
            text = _DISPLAY_MATH.sub(" ", text)
        text = _MATH.sub(" ", text) if MAKER_NAMES else text
        titled = _title_words(text, asked) if MAKER_TITLE else set()
        for m in _NAME_WORD.finditer(text):
            word = m.group(0).rstrip(".")
            if word.lower() in _OPENERS or stem(word.lower()) in asked:
                continue
            if m.start() in titled:
                continue  # a word of the asked work's own title
            if MAKER_CONCEPT and "-" in word and all(
                    stem(p) in asked for p in word.lower().split("-") if p):
                continue  # "Chain-of-thought": the question's own words, joined
            if MAKER_NAMES and (word.lower() in _NUMBER_WORDS or word.lower() in initials):
                continue
            if MAKER_CONCEPT and store is not None and store.concepts_named(normalize(word)):
                continue
            if MAKER_OPENING and _plain_opening(text, m, texts):
                continue
            if (MAKER_EPONYM and _EPONYM_BEFORE.search(text[:m.start()])
                    and not _BY_BEFORE.search(text[:m.start()])
                    and _EPONYM_AFTER.match(text[m.end():])):
                continue  # "the Pearson correlation coefficient": a name in a thing's name
            return False
    return True


# Round 35: "who invented transformers?" was answered by "The process of masking in
# transformers is used in the decoder part. Essentially, we can apply a boolean mask ..."
# (a new user's notes): "Essentially", capitalised for opening its sentence, passed for a
# maker's name, and so did "FFNs", a plural of an acronym. A sentence's first word is a name
# only when another capitalised word or "et al." follows it, a verb of making follows it
# ("Mockus proposed ..."), or it is capitalised where it does not open a sentence; an
# acronym with a plural "s" is a kind of thing, not its maker.
MAKER_OPENING = True
_MAKING = re.compile(
    r"\s+(?:et\s+al\b|(?:first\s+)?(?:invent|creat|introduc|propos|develop|design|coin"
    r"|publish|wr[io]t|buil|discover|found|releas|present|describ|suggest|devis|pioneer"
    r"|formul|came\s+up|made|make)\w*)", re.IGNORECASE)
_PLURAL_ACRONYM = re.compile(r"[A-Z]{2,}s")
_OPENS = re.compile(r"^[\W\d_]*$")


def _plain_opening(text: str, m: re.Match[str], texts: Sequence[str]) -> bool:
    """True when the capitalised word `m` of the sentence `text` is no name: a plural
    acronym ("FFNs"), or the sentence's first word with no sign of a name (`MAKER_OPENING`)
    in the sentence or in the passages found (`texts`)."""
    word = m.group(0).rstrip(".")
    if _PLURAL_ACRONYM.fullmatch(word):
        return True
    if not _OPENS.match(text[: m.start()]) or word.isupper():
        return False
    after = text[m.end():]
    if _MAKING.match(after) or re.match(r"\s+[A-Z]", after):
        return False
    inside = re.compile(rf"[a-z0-9,;(]\s+{re.escape(word)}\b")
    return not any(inside.search(t) for t in texts)


def _initials(question: str) -> set[str]:
    """The initials of each run of two to five of the question's words, in small letters:
    "svm" and "vm" for "who invented the support vector machine?"."""
    tokens = [w.casefold() for w in _WORD_RE.findall(question)]
    return {"".join(w[0] for w in tokens[i:j]) + tail
            for i in range(len(tokens)) for j in range(i + 2, min(i + 5, len(tokens)) + 1)
            for tail in ("", "s")}


def _answer_sentences(evidence: Evidence) -> list[Scored]:
    """The sentences the extractive answer would quote."""
    return choose(prefer_named(evidence.sentences, evidence.question), evidence.question)


def ask(
    searcher: Searcher,
    question: str,
    *,
    k: int = 8,
    llm: ChatModel | None = None,
    on_text: Callable[[str], None] | None = None,
    semantic: bool = True,
    threshold: float = ABSTAIN_BELOW,
) -> Answer:
    """Answer `question` from the notes with checked citations, or abstain.

    >>> kb.ask("what does LoRA replace an N x M weight update with?").citations[0].span
    """
    if not question.strip():
        return Answer(question, NOT_COVERED, abstained=True)
    if not content_words(question):
        # "?!", "what is it?": nothing to look for, so no nearest names either (round 49: "?!"
        # listed five unrelated ones, the nearest to nothing).
        return Answer(question, NO_WORDS, abstained=True)
    # One space between words: the question's patterns (`\s*\??\s*$` and the like) tried
    # every split of a long run of spaces, 18 s of CPU for 19,000 of them (round 48).
    question = " ".join(question.split())
    evidence = ranked_first(question, funded_first(question, counted_first(
        question, gather(searcher, question, k, semantic=semantic))))
    if silent(searcher, question, evidence, threshold) or unasked(question, evidence):
        return _abstain(question, evidence)
    if llm is not None:
        return _generated(searcher, question, evidence, llm, on_text)
    answer = _extractive(question, evidence)
    if on_text is not None:
        on_text(answer.answer)
    return answer


def _abstain(question: str, evidence: Evidence) -> Answer:
    near = evidence.nearest()
    # "; " between the names when one holds a comma: "Word vector, Embed, encode, attend,
    # predict" read as five names, of which four open nothing (round 38).
    joined = ("; " if any("," in n for n in near) else ", ").join(near)
    text = NOT_COVERED + (f" Nearest in your notes: {joined}." if near else "")
    return Answer(question, text, abstained=True, nearest=near)


def _cite(s: Scored, sources: SourceLines) -> Span | None:
    span = s.candidate.span
    first = span.start_line + line_of(s.raw, s.start)
    last = span.start_line + line_of(s.raw, max(s.start, s.end - 1))
    return locate(sources, span, first, last, s.text)


# A reference of the notes' own ("Excellent overview below [6] and [10].") would read as one
# of the answer's citations: it is shown in parentheses (the citation keeps the quote as is).
_SOURCE_MARK = re.compile(r"\[(\d{1,3})\]")


def _own_marks(text: str) -> str:
    """`text` with the notes' own reference marks in parentheses; never inside a formula or
    code span (`$\\sqrt[2]{x}$` read `$\\sqrt(2){x}$`, another formula)."""
    out: list[str] = []
    pos = 0
    for m in _SOURCE_MARK.finditer(mask(text)):
        out.append(f"{text[pos:m.start()]}({m.group(1)})")
        pos = m.end()
    return "".join(out) + text[pos:]


def _with_marker(text: str, n: int) -> str:
    if text.endswith(".") and not text.endswith("..."):
        return f"{text[:-1]} [{n}]."
    return f"{text} [{n}]"


def _arithmetic_note(text: str) -> str:
    wrong = wrong_claims(text)
    if not wrong:
        return ""
    c = wrong[0]
    return (f" (lint: the sum `{c.expression} = {c.stated_text}` is wrong; "
            f"it gives {c.computed:.6g})")


def _citable(scored: list[Scored], q: Question,
             sources: SourceLines) -> tuple[list[Scored], list[Scored]]:
    """The sentences without those the answer would quote but cannot cite, and the answer's
    sentences chosen from the rest. A sentence read from markup the file does not hold as
    words (a formula of an HTML page, "$$0<\\alpha\\lambda_{i}<2+2\\beta$$") cannot be checked
    against the file; chosen alone, it left no citation and the question was refused though
    the next sentence answered it."""
    chosen = choose(scored, q)
    for _ in range(RECHOOSE):
        unchecked = {id(s) for s in chosen if _cite(s, sources) is None}
        if len(unchecked) < len(chosen):
            break  # a sentence left to cite: the answer quotes what it can check
        scored = [s for s in scored if id(s) not in unchecked
                  and not any(s.candidate.passage_id == c.candidate.passage_id
                              and s.index == c.index for c in chosen if id(c) in unchecked)]
        chosen = choose(scored, q)
    return scored, chosen


RECHOOSE = 3  # rounds of choosing again, each without the sentences that could not be cited


def _extractive(question: str, evidence: Evidence) -> Answer:
    sources = SourceLines()
    scored, chosen = _citable(prefer_named(evidence.sentences, evidence.question),
                              evidence.question, sources)
    if not scored:
        return _abstain(question, evidence)
    best = scored[0]
    if MAKER_AUTHORS:
        chosen = _with_authors(question, chosen, evidence)
    # Disagreement: the best sentence from another source about the same concept.
    lead = ""
    # Two sentences that both answer the question well are about the same thing even when
    # neither belongs to a glossary entry (free text has no concept).
    # Two entries of different concepts ("equalized odds", "equality of opportunity") that
    # give different figures for their own examples do not disagree.
    rival = next((s for s in scored[1:40]
                  if s.candidate.span.path != best.candidate.span.path
                  and (_same_concept(s.candidate, best.candidate)
                       or (min(s.coverage, best.coverage) >= 0.6
                           and not _other_concept(s.candidate, best.candidate)))
                  and s.score >= 0.6 * best.score), None)
    kind = conflict(best, rival, evidence.question) if rival else None
    if kind == "definition" and not (
        rival is not None and _same_concept(rival.candidate, best.candidate)
    ):
        kind = None
    if kind == "definition" and not (
        _DEFINITION.match(question) and best.index == 0 and rival is not None
        and rival.index == 0 and rival.score >= 0.8 * best.score
    ):
        kind = None
    if rival is not None and kind is not None:
        name = best.candidate.concept or (rival.candidate.concept if rival else None) or "this"
        lead = (f"Your notes disagree about {name}. " if kind == "value"
                else f"Your sources define {name} differently. ")
        # Both sides within the answer's 40 words, the lead included.
        room = (MAX_WORDS - len(lead.split())) // 2 - 1
        pair = [clip(best, evidence.question, room), clip(rival, evidence.question, room)]
        if None in pair:
            lead = ""
        else:
            chosen = [p for p in pair if p is not None]
    parts: list[str] = []
    citations: list[Citation] = []
    for s in chosen:
        span = _cite(s, sources)
        if span is None:
            continue  # the file no longer holds these words: never cite what cannot be checked
        n = len(citations) + 1
        citation = Citation(n, span, s.text, s.candidate.concept, s.candidate.passage_id,
                            _concept_id(s.candidate))
        if not verify_citation(citation, sources):
            continue
        citations.append(citation)
        parts.append(_with_marker(_own_marks(s.text), n)
                     + _arithmetic_note(s.text))
    if not citations:
        return _abstain(question, evidence)
    named = None if lead else _spelled_by_name(question, chosen, citations)
    if named is not None:
        lead = f"{named[0]} "
        # Within MAX_WORDS with the name in front: the last sentences go, never the one whose
        # passage names it.
        while (len(citations) > named[1] and len(lead.split()) + sum(
                len(c.quote.split()) for c in citations) > MAX_WORDS):
            citations.pop()
            parts.pop()
    text = (lead if len(citations) == 2 or named else "") + " ".join(parts)
    allowed = urls_in(c.quote for c in citations)
    return Answer(question, sanitize(text, allowed), tuple(citations), False,
                  evidence.nearest())


# Round 38 (qa37): "who wrote the elements of statistical learning?" quoted a reference up to
# "2n Edition, Springer Series in Statistics." and stopped: the authors ("Hastie, T.,
# Tibshirani, R., and Friedman ,J. (2016).") are a sentence of their own on the same line that
# holds none of the question's words. When a maker is asked for, a sentence within
# AUTHORS_AFTER sentences after the quoted sentence that holds most of the question's words,
# in its passage and on its line, that lists authors ("Surname, I." or "et al.") ends the
# answer: that sentence, the quoted ones between, then the authors (the others give way).
MAKER_AUTHORS = True
AUTHORS_AFTER = 3
_AUTHORS = re.compile(r"\b[A-Z][\w'-]+\s*,\s*(?:[A-Z]\.\s*)+|\b[A-Z][\w'-]+\s+et\s+al\b")


def _with_authors(question: str, chosen: list[Scored], evidence: Evidence) -> list[Scored]:
    """`chosen` with the authors of the quoted sentence that holds most of the question's
    words after it (see MAKER_AUTHORS)."""
    if not chosen or not (_ASKS_MAKER.match(question)
                          or (MAKER_PAST and _ASKS_DOER.match(question))):
        return chosen
    first = max(chosen, key=lambda o: len(o.terms))
    if _AUTHORS.search(first.text):
        return chosen
    for s in evidence.sentences:
        if (s.candidate.passage_id == first.candidate.passage_id and s.raw == first.raw
                and first.index < s.index <= first.index + AUTHORS_AFTER
                and "\n" not in first.raw[first.end:s.start] and _AUTHORS.search(s.text)):
            between = [o for o in chosen if o.candidate.passage_id == s.candidate.passage_id
                       and first.index < o.index < s.index]
            out = [first, *sorted(between, key=lambda o: o.index), s]
            while len(out) > 2 and sum(len(o.text.split()) for o in out) > MAX_WORDS:
                out.pop(-2)
            return out
    return chosen


def _spelled_by_name(question: str, chosen: Sequence[Scored],
                     citations: Sequence[Citation]) -> tuple[str, int] | None:
    """For "what does SGD stand for?" answered by sentences that never spell it out: the
    letters as the name of a cited passage spells them ("stochastic gradient descent (SGD)",
    a note's title; "Low-Rank Adaptation (LoRA)", a heading), cited as that passage; with the
    number of that citation."""
    short = stands_for(question)
    if short is None or any(spells_out(short, c.quote) for c in citations):
        return None
    for citation in citations:
        cand = next((s.candidate for s in chosen
                     if s.candidate.passage_id == citation.passage_id), None)
        if cand is None:
            continue
        for name in (cand.concept, *cand.heading_path[-1:], cand.title):
            spelled = expansion(short, name) if name else None
            if spelled:
                return f"{short} stands for {spelled} [{citation.n}].", citation.n
    return None


def _other_concept(a: Candidate, b: Candidate) -> bool:
    """Both passages belong to concepts, and not to the same one."""
    return a.concept_id is not None and b.concept_id is not None and not _same_concept(a, b)


def _same_concept(a: Candidate, b: Candidate) -> bool:
    if a.concept_id is not None and a.concept_id == b.concept_id:
        return True
    return bool(a.concept and b.concept and a.concept.casefold() == b.concept.casefold())


# -- with a chat model ----------------------------------------------------------------------


def _prompt_passages(evidence: Evidence) -> list[Candidate]:
    seen: dict[int, Candidate] = {}
    for s in evidence.sentences:
        if s.candidate.passage_id not in seen:
            seen[s.candidate.passage_id] = s.candidate
        if len(seen) >= LLM_PASSAGES:
            break
    return list(seen.values())


def _generated(searcher: Searcher, question: str, evidence: Evidence, llm: ChatModel,
               on_text: Callable[[str], None] | None) -> Answer:
    from grimoire.llm import NOT_COVERED as MODEL_SAYS_NOT_COVERED
    from grimoire.llm import NumberedPassage, build_messages, prompt_source

    passages = _prompt_passages(evidence)
    roots = searcher.store.source_roots()
    numbered = [NumberedPassage(i, prompt_source(c.span.path, c.span.start_line,
                                                 c.span.end_line, roots), c.text, c.concept)
                for i, c in enumerate(passages, 1)]
    valid = set(range(1, len(passages) + 1))
    stream = SafeStream(on_text, valid, urls_in(c.text for c in passages))
    for piece in llm.stream(build_messages(question, numbered)):
        stream.feed(piece)
    stream.close()
    raw = stream.text.strip()
    if not raw or MODEL_SAYS_NOT_COVERED in raw.upper():
        return _abstain(question, evidence)
    text = keep_citations(raw, valid)
    used = [n for n in cited_numbers(text) if n in valid]
    if not used:
        return _abstain(question, evidence)  # an answer that cites nothing is not from the notes
    sources = SourceLines()
    citations: list[Citation] = []
    for n in used:
        cand = passages[n - 1]
        claim = " ".join(_sentences_citing(text, n))
        citations.append(_passage_citation(n, cand, claim, sources))
    allowed = urls_in(c.text for c in (passages[n - 1] for n in used))
    text = _mark_unsupported(text, {n: passages[n - 1].text for n in used})
    return Answer(question, sanitize(text, allowed), tuple(citations), False, evidence.nearest())


def _sentences_citing(text: str, n: int) -> list[str]:
    return [s.text for s in split_sentences(text) if n in cited_numbers(s.text)]


def _passage_citation(n: int, cand: Candidate, claim: str, sources: SourceLines) -> Citation:
    """Cite the sentence of the passage that best supports `claim` (else the whole passage)."""
    claim_words = set(words(claim))
    best: tuple[float, Span, str] | None = None
    for s in split_sentences(cand.text):
        overlap = len(claim_words & set(words(s.text))) / (len(set(words(s.text))) or 1)
        if best is not None and overlap <= best[0]:
            continue
        first = cand.span.start_line + line_of(cand.text, s.start)
        last = cand.span.start_line + line_of(cand.text, max(s.start, s.end - 1))
        span = locate(sources, cand.span, first, last, s.text)
        if span is not None:
            best = (overlap, span, s.text)
    if best is None:
        return Citation(n, cand.span, " ".join(cand.text.split())[:300], cand.concept,
                        cand.passage_id, _concept_id(cand))
    return Citation(n, best[1], best[2], cand.concept, cand.passage_id, _concept_id(cand))


def _concept_id(candidate: Candidate) -> ConceptId | None:
    return None if candidate.concept_id is None else ConceptId(str(candidate.concept_id))


def _mark_unsupported(text: str, cited: dict[int, str]) -> str:
    """Mark an answer sentence whose words its cited passages mostly lack."""
    out: list[str] = []
    for s in split_sentences(text):
        nums = [n for n in cited_numbers(s.text) if n in cited]
        claim = {w for w in words(re.sub(r"\[[\d,\s]+\]", "", s.text)) if len(w) > 3}
        if nums and claim:
            have = set(words(" ".join(cited[n] for n in nums)))
            if len(claim & have) / len(claim) < 0.4:
                out.append(s.text + " (not found in the cited notes)")
                continue
        out.append(s.text)
    return " ".join(out)


def answer_from(question: str, candidates: Sequence[Candidate], q: Question) -> Answer:
    """An extractive answer from given passages (no retrieval): for tests and other callers."""
    sentences = score_sentences(q, candidates)
    evidence = Evidence(q, (), tuple(candidates), tuple(sentences))
    if evidence.best < ABSTAIN_BELOW:
        return _abstain(question, evidence)
    return _extractive(question, evidence)


__all__ = [
    "ABSTAIN_BELOW", "NOT_COVERED", "NO_WORDS", "Evidence", "SourceLines", "answer_from", "ask",
    "gather", "sanitize", "verify_citation",
]
