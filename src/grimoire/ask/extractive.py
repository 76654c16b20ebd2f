"""The extractive answer: pick the sentences of the notes that answer, in a readable order.

Each sentence of each candidate passage is scored against the question:
- coverage: the share of the question's content words (IDF-weighted over the store's passages)
  that the sentence holds, counting words of its concept name, title and heading at a discount
  (in a LoRA entry, "it emulates a [N, M] matrix" is about LoRA without naming it);
- meaning: cosine similarity of sentence and question vectors, for the best few by coverage,
  when an embedder is at hand (the hybrid search loaded it anyway);
- prior: how directly retrieval found the passage.
Sentences are ranked by a score that weighs meaning as much as words; the notes answer when
the best confidence (the same signals in the mix the threshold was calibrated with on the
development set, `bench/ask.py`) clears that threshold; then up to two more sentences join the
best one when they add words of the question, continue it or nearly tie with it. A heading,
a bare term, a "See also" line or a list of links is never an answer.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from grimoire.ask.retrieve import Candidate
from grimoire.ask.sentences import Sentence, mask, split_sentences, strip_list_marker
from grimoire.names import normalize

_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?%?")
_STOPWORD_TEXT = """
a about above after again all also am an and any are as at be because been before being
below between both but by can could did do does doing done during each even ever few for from
further had has have having he her here hers him his how i if in into is it its itself just
let like ll make makes many may me might more most much must my no nor not now of off on once
only or other our out over own per please s same say says shall she should so some such t
tell than that the their them then there these they this those through to too under until up
us use used uses using very was we were what when where whether which while who whom whose why
will with would you your yours describe explain define definition meaning mean means
notes note according give difference differ compare versus vs work works kind type thing
stand something anything someone get gets got happen happens happened
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
# A line that points elsewhere or lists sources does not answer anything.
_NOT_ANSWER = re.compile(
    r"^\s*(?:see also|see:?\s|see \[|more at|contrast with|related|references?|sources?|"
    r"from:|\(from|image:|\[image|click the icon|"
    # A placeholder under a heading with no text yet ("Be the first to contribute!").
    r"be the first to (?:contribute|write)|to ?do\b|tbd\b|coming soon|"
    r"this (?:page|section|article) is a stub)", re.IGNORECASE)
_URLISH = re.compile(r"https?://\S+")
# A section that lists sources or reading ("Further reading", "References") names things to
# read about the subject; it says nothing about it.
_SOURCES_HEADING = re.compile(
    r"^\s*(?:further reading|references?|see also|(?:external )?links|sources|bibliography"
    r"|footnotes|citations?)\s*$", re.IGNORECASE)
# A heading line or a list of links is never joined to the sentence after it.
_LEADER = re.compile(r"^\s*(?:#|see\b|\[)", re.IGNORECASE)


# Letters a stem keeps. Round 43 tried 7 ("author" apart from "authority", qa38's "who is the
# author?"): tune fact 596/762 unchanged, file 740 -> 739, refused 6 -> 7; report unchanged.
STEM = 6


def stem(word: str) -> str:
    """A crude stem: enough for "trains"/"training" to meet."""
    return _stem(word, STEM)


# Round 54: "What does PCA colour augmentation use principal component analysis for?" was
# refused twice (fresh42, fresh43): the notes write "color", and the question's British
# spelling named the page "PCA Color Augmentation" by two words of three, so the title-only
# "Principal Component Analysis (PCA)" it names in four read as the subject the notes are
# silent on. A British spelling meets the American one (`BRITISH`; False: off): "-our" of
# the words below, "analyze" ("analyse", and so "analysis", already met), and the doubled
# "l" before "-ing"/"-ed" ("modelling", "labelled"). The rest ("normalise", "optimise")
# meet already in six letters.
BRITISH = True
_OUR = {"colour": "color", "favour": "favor", "labour": "labor", "honour": "honor",
        "humour": "humor", "flavou": "flavor", "odour": "odor", "vapour": "vapor",
        "rumour": "rumor", "armour": "armor", "harbou": "harbor", "analyz": "analys"}


@lru_cache(maxsize=1 << 16)
def _stem(word: str, keep: int) -> str:
    w = word.casefold()
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ied", "es", "ed", "ly", "s"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            w = w[: -len(suffix)]
            if BRITISH and suffix in ("ings", "ing", "ed") and len(w) > 5 and w.endswith("ll"):
                w = w[:-1]  # "modell(ing)", "labell(ed)"
            break
    if BRITISH and w[:6] in _OUR:
        w = _OUR[w[:6]] + w[6:]
    # "encode" meets "encoded" and "encoding" ("encod").
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]
    if word.casefold() in _OWN_SENSE:
        return w[:keep]
    return _SAME.get(w[:6], w[:keep])


# Words an outsider uses for the notes' word: "what kinds of logistic regression are there?"
# for the heading "Types of logistic regression"; "what are the advantages of ReLU?" for its
# "Pros", "the drawbacks of the sigmoid" for its "Cons".
_SAME = {"kind": "type",
         "advant": "pros", "benefi": "pros", "streng": "pros",
         "disadv": "cons", "drawba": "cons", "weakne": "cons", "downsi": "cons",
         "shortc": "cons"}
# A word whose singular means something else: "the strengths of L2" are its pros, "the L2
# regularization strength" is how much it weighs.
_OWN_SENSE = frozenset(["strength"])


# A name joined by a hyphen to a letter ("k-means", "n-gram", "t-SNE"): its parts are words of
# the name, also a lone letter or a word that is a stopword elsewhere ("what does X mean?").
_LETTER_COMPOUND = re.compile(r"(?<![\w-])(?:[A-Za-z]-\w+|\w+-[A-Za-z])(?![\w-])")


def content_words(text: str) -> list[str]:
    """The words of `text` that carry meaning (raw form, in order, without repeats)."""
    out: list[str] = []
    named = {w.casefold() for m in _LETTER_COMPOUND.finditer(text) for w in _WORD.findall(m[0])}
    for w in _WORD.findall(text):
        c = w.casefold()
        if c not in named and (c in STOPWORDS or (len(c) == 1 and not w.isupper())
                               or (c.isdigit() and len(c) > 6)):
            continue
        if c not in (o.casefold() for o in out):
            out.append(w)
    return out


# Round 52: "What is metalearning?" and "What is multihead self attention?" (review49d's
# probes, vault) were refused: the notes write "meta-learning" and "multi-head", two words
# each, so no sentence held the question's word and the best one did not name the subject.
# A word written with a hyphen inside also counts joined ("metalearning") where a sentence's
# or a passage's words are looked up (`HYPHEN_COVER`; False: off).
HYPHEN_COVER = True
_HYPHENATED = re.compile(r"(?<![\w-])[^\W\d_]+(?:-[^\W\d_]+)+(?![\w-])")


def joined_stems(text: str) -> set[str]:
    """The stems of `text`'s hyphenated words written joined ("metalearn" for
    "meta-learning"); empty when HYPHEN_COVER is off."""
    if not HYPHEN_COVER or "-" not in text:
        return set()
    return {stem(m[0].replace("-", "")) for m in _HYPHENATED.finditer(text)}


# Round 52 (review52e): the other way round, "What is warm-starting?" was refused where the
# notes write "warmstarting", and hf-docs' "What is pre-training?" answered from the IA3 page,
# not the glossary's "pretrained model": a word the question writes with a hyphen inside is
# held by a sentence, label or name that holds it joined (`HYPHEN_SPLIT`; False: off).
HYPHEN_SPLIT = True


def hyphen_parts(question: str) -> list[tuple[str, frozenset[str]]]:
    """The question's hyphenated words, each as its joined stem and its parts' stems
    ("warmstart", {"warm", "start"} for "warm-starting"); empty when HYPHEN_SPLIT is off."""
    if not HYPHEN_SPLIT or "-" not in question:
        return []
    out = []
    for m in _HYPHENATED.finditer(question):
        parts = m[0].split("-")
        joined = stem("".join(parts))
        # A stem is cut short: "Programmer-Interpreter" joined is "Programmer"'s stem, and a
        # sentence that holds "Programmer" alone holds no "Interpreter".
        if joined != stem(parts[0]):
            out.append((joined, frozenset(stem(p) for p in parts)))
    return out


def parts_held(parts: Sequence[tuple[str, frozenset[str]]], words: set[str]) -> set[str]:
    """The part stems of each hyphenated question word whose joined stem `words` hold."""
    out: set[str] = set()
    for joined, each in parts:
        if joined in words:
            out |= each
    return out


@dataclass(frozen=True, slots=True)
class Scored:
    """A sentence of a candidate passage, with its scores."""

    candidate: Candidate
    index: int  # position among the passage's sentences
    text: str  # as written (whitespace folded), list marker removed
    raw: str  # the passage text it was cut from, exactly
    start: int
    end: int
    coverage: float
    meaning: float
    score: float
    terms: frozenset[str]  # question stems it holds
    about: bool = False  # its passage's concept, title or heading is named in the question
    # How sure the notes answer, from this sentence: its score under the mix the abstention
    # threshold was calibrated with (CONFIDENCE_*), which weighs meaning less than `score`.
    confidence: float = 0.0


@dataclass(frozen=True, slots=True)
class Question:
    """The question's content words and their weights."""

    text: str
    stems: dict[str, float]  # stem -> IDF weight

    @property
    def total(self) -> float:
        return sum(self.stems.values()) or 1.0


def weigh(question: str, counts: Callable[[list[str]], dict[str, int]], total: int) -> Question:
    """The question's content words with IDF weights from passage counts."""
    words = content_words(question)
    df = counts([w.casefold() for w in words]) if words else {}
    stems: dict[str, float] = {}
    for w in words:
        n = df.get(w.casefold(), 0)
        idf = math.log((total + 1) / (n + 0.5)) if total else 1.0
        s = stem(w)
        stems[s] = max(stems.get(s, 0.0), max(idf, 0.1))
    return Question(question, stems)


# A line of code read as a sentence ("def early_stopping(theta0, ...): ..."): a question in
# words is not answered by a signature or a call, even when it names the question's words.
# So is the assignment of a list, dict or string, as typed at an interpreter or not
# (">>> completions = [" blue.", " in the sky."]": the reader keeps ">>" of the prompt).
_CODE_START = re.compile(r"^(?:(?:def|class|import|from\s+[\w.]+\s+import|return|lambda)\s"
                         r"|(?:>+\s*)?[A-Za-z_]\w*\s*=\s*[\[{\"'])")
_CODE_MARKS = re.compile(r"[()\[\]{}=_,:;<>]")
CODE_SHARE = 0.12  # code marks per character from which a sentence is code


# Code a comment makes look like prose ("sq_error = (predictions - targets)**2 # Return average
# squared error among predictions", "Coding-specific reward function def coding_reward_func(
# prompts, completions, ...):"): an assignment followed by a comment, or a function defined.
# A docstring's quotes (`"""`) or its section rules ("Parameters ---------- inputs :
# array-like", "Returns: -------- float Output of the perceptron") never stand in prose: such
# a sentence is a function's documentation inside code, which answered "Who invented the
# perceptron?" on a public collection (round 24).
_CODE_INSIDE = re.compile(r"(?:^|\s)[A-Za-z_][\w.]*\s*[-+*/]?=\s*[^=\s][^#\n]*\s#\s"
                          r"|\bdef\s+[A-Za-z_]\w*\s*\(|\"\"\"|\'\'\'|(?:^|\s)(?:-{4,}|={4,})(?:\s|$)")
CODE_INSIDE = True
# Round 38 (qa37's notebook cheat sheet): "x.cuda() #new tensor in GPU x.cpu() #new tensor in
# CPU", "net.to(device) #copy all params / buffers of module to cpu/gpu" answered "what GPU
# did the author train on?": a call followed by a comment written with no space after its
# "#" is code too (`CODE_COMMENT`), and so is a one-line `if ...: break` ("if
# np.linalg.norm(old_means - self.means) < 1e-6: break" answered "how do I choose K for
# k-means?").
_CODE_COMMENT = re.compile(r"\w\([^()\n]*\)\s*#\s?[A-Za-z]"
                           r"|^(?:if|elif|while|for)\s[^:\n]*:\s*(?:break|continue|return|pass"
                           r"|raise)\b")
CODE_COMMENT = True


# Round 49 (qa48b's R book): "what does a sparse autoencoder add to the loss?" was answered
# with R code: "reconstructed_digits_25 <- predict(sparse_25, ...)" and "ggplot(codings,
# aes(...)) + geom_vline(xintercept = avg_activation$avg, ...)". An R assignment (`<-`) is
# code, and so is a pipe (`%>%`) or a plot's layer added (`) + geom_point(`); a "$" between two
# words (`avg_activation$avg`, a column of a data frame) opens no formula, so the marks of such
# a sentence count as code's (`R_CODE`; False: off). A comment of the code ("get best models
# for each level of sparsity") stays a sentence: a comment can answer (the cheat sheet's "We
# subtract because the derivatives point in direction of steepest ascent", fresh16).
R_CODE = True
# An assignment that opens the sentence, or one that assigns a call ("fit <- lm(...)"): in
# prose an arrow may be pseudocode ("the weights are updated as w <- w - lr * grad, ...",
# review49d: refused), and such a sentence answers.
_R_ASSIGN = re.compile(r"^\s*[A-Za-z_][\w.$]*\s*<<?-\s*[^\s-]"
                       r"|(?:^|\s)[A-Za-z_][\w.$]*\s*<<?-\s*[A-Za-z_][\w.$]*\(")
_R_MEMBER = re.compile(r"[A-Za-z_][\w.]*\$[A-Za-z_]")
# a pipe, or a layer added to a plot ("...) + geom_point(")
_R_CHAIN = re.compile(r"%>%|\)\s*(?:\+|\|>)\s*[A-Za-z]\w*_\w*\(")


def _code(body: str) -> bool:
    # Math is written with the same marks ("$\\sigma(z)_i$"): only text without it counts.
    if R_CODE and (_R_ASSIGN.search(body) or _R_MEMBER.search(body)):
        assigns = _R_ASSIGN.search(body) is not None  # "bill$total <- ..." holds its "$"
        body = body.replace("$", " ")
        if assigns or _R_ASSIGN.search(body):
            return True
    if R_CODE and "$" not in body and _R_CHAIN.search(body):
        return True
    if CODE_INSIDE and "$" not in body and _CODE_INSIDE.search(body):
        return True
    if CODE_COMMENT and "$" not in body and _CODE_COMMENT.search(body):
        return True
    return bool(_CODE_START.match(body)) or ("$" not in body and "\\" not in body and len(
        body) >= 40 and len(_CODE_MARKS.findall(body)) > CODE_SHARE * len(body))


# A sentence that only points elsewhere ("Excellent overview below [6] and [10].", "See the
# table below.", "Here is an overview:") answers nothing: take away the pointing words and
# the words that praise or name what is pointed at, and nothing is left.
_POINTER = re.compile(r"\b(?:below|above|as follows|the following|here (?:is|are)|here's|see)\b",
                      re.IGNORECASE)
_POINTING_TEXT = """
a an the and or of in on at to this these those that is are be for with its their our your
below above follows following here see shown described listed discussed given found
excellent good great nice useful helpful detailed short brief full quick thorough
overview overviews summary summaries explanation explanations details detail more further
information info discussion introduction tutorial description link links reference
references article articles post posts paper papers section sections chapter figure figures
page pages table tables example examples list
"""
_POINTING = frozenset(_POINTING_TEXT.split())


def pointer(body: str) -> bool:
    """True when `body` only points elsewhere (see `_POINTER`)."""
    if not _POINTER.search(body):
        return False
    rest = [w for w in _WORD.findall(_URLISH.sub("", body))
            if w.casefold() not in _POINTING and not w.isdigit()]
    return not rest


# A prompt written as an example ("Describe how tides work for a ten-year old.") asks for an
# explanation and gives none; a data record (`{"chosen": "The sky is blue.", ...}`) shows what
# a file holds, not what is so. Neither answers a question about its words.
_REQUEST = re.compile(r"^(?:describe|explain|summari[sz]e|translate|tell me)\b", re.IGNORECASE)
# A record of strings: `model_init_kwargs={"dtype": torch.bfloat16}` in a sentence is an
# argument to pass, which answers "how do I load the model in bfloat16?".
_RECORD = re.compile(r"\{\s*\"[^\"\n]*\"\s*:\s*\"")


def _answerable(text: str) -> bool:
    body = strip_list_marker(text).strip()
    if _NOT_ANSWER.match(body) or _code(body) or pointer(body):
        return False
    if _REQUEST.match(body) or _RECORD.search(body):
        return False
    plain = _URLISH.sub("", body)
    if len(_WORD.findall(plain)) < 4 and "$" not in plain:
        return False
    return not (body.startswith("#") or (body.endswith(":") and not _says_before_list(body)))


LIST_LEAD_WORDS = 8


def _says_before_list(body: str) -> bool:
    """True when a sentence that ends in ':' is a statement of its own before its list ("The
    bias-variance tradeoff refers to the problem of minimizing two different sources of error
    when training a supervised learning model:"), not a lead-in that says nothing until the
    list comes ("The calculation is as follows:", "layers such as:", "the following steps:")."""
    # Round 53: "The temperature $\tau_{i,t}$ is chosen based on the sign of the advantage
    # $\hat{A}_{i,t}$:" (GRPO's SAPO section, before its formula) closed on "t", a stop word
    # inside the formula: its words are read without its formulas (`LEAD_MATH`; False: off).
    ws = _WORD.findall(_MATH.sub(" ", body) if LEAD_MATH else body)
    return (len(ws) >= LIST_LEAD_WORDS and ws[-1].casefold() not in STOPWORDS
            and ws[-1].casefold() not in _POINTING and not _FORWARD.search(body))


LEAD_MATH = True


# Words of a lead-in that point at what comes after it ("both of these goals:", "as follows:").
_FORWARD = re.compile(r"\b(?:these|those|this|both|following|follows|below|such as|here)\b",
                      re.IGNORECASE)


SHORT = 5  # a sentence of fewer words is read with the next one


def _units(text: str, heads: set[str]) -> list[Sentence]:
    """The passage's sentences without its headings (`heads`, normalised), a very short one
    joined to the next: "Also called sensitivity." or a run-in heading ("Social networks as
    graphs.") answers nothing alone."""
    out: list[Sentence] = []
    pending: Sentence | None = None
    for s in split_sentences(text):
        if pending is None and normalize(strip_list_marker(s.text)) in heads:
            continue
        if pending is not None:
            s = Sentence(" ".join(text[pending.start : s.end].split()), pending.start, s.end)
            pending = None
        body = strip_list_marker(s.text)
        if (len(_WORD.findall(body)) < SHORT and "$" not in body and not body.endswith(":")
                and not _LEADER.match(body)):
            pending = s
            continue
        out.append(s)
    if pending is not None:
        out.append(pending)
    return out


def score_sentences(
    q: Question,
    candidates: Sequence[Candidate],
    embed: Callable[[list[str]], np.ndarray] | None = None,
    semantic_top: int | None = None,
) -> list[Scored]:
    """Every answer-worthy sentence of the candidates, best first."""
    scored: list[Scored] = []
    total = q.total
    asked = asked_words(q.text)
    definition = bool(DEFINITION.match(q.text))
    formula = bool(FORMULA.search(q.text))
    # "What does MSE mean?" asks for the definition first: only the answer's lead spells the
    # letters out (`_spelled_by_name`).
    short = stands_for(q.text, means=False)
    why = _cue(q.text)
    maker = bool(MAKER_BONUS and _WHO_MADE.match(q.text))
    subject = asked_subject(q.text)
    instance = bool(EXAMPLE_PENALTY) and not _ASKS_EXAMPLE.search(q.text)
    split = hyphen_parts(q.text)
    for cand in candidates:
        if cand.heading_path and _SOURCES_HEADING.match(cand.heading_path[-1]):
            continue
        label = " ".join([cand.concept or "", cand.title, *cand.heading_path, cand.lead_in])
        context = {stem(w) for w in _WORD.findall(label)} | joined_stems(label)
        context |= parts_held(split, context)
        heads = {normalize(h) for h in (cand.title, cand.concept or "", *cand.heading_path) if h}
        about = names(cand, asked)
        spelled = _spelled_in(q.text, cand)
        if spelled:
            context |= spelled
            about = True
        before: set[str] = set()
        for i, s in enumerate(_units(cand.text, heads)):
            text = strip_list_marker(s.text)
            words = {stem(w) for w in _WORD.findall(text)} | joined_stems(text)
            words |= parts_held(split, words)
            # The sentence before says what this one goes on about ("For the child nodes'
            # impurity, ... in classification. For regression problem, ... are used."), even
            # by its opposite ("... the suboptimal, non-sliding-window strategy").
            previous, before = before, words
            have = words - negated(text, q)
            if not _answerable(text) or normalize(text) in heads:
                continue
            hit = frozenset(t for t in q.stems if t in have)
            ctx = sum(q.stems[t] for t in q.stems if t not in have and t in context)
            ctx_before = sum(q.stems[t] for t in q.stems
                             if t not in have and t not in context and t in previous)
            share = ABOUT_CONTEXT if about else CONTEXT
            cov = min(1.0, (sum(q.stems[t] for t in hit) + share * ctx
                            + BEFORE * ctx_before) / total)
            n_words = len(_WORD.findall(text))
            if n_words > 90:
                cov *= 0.85
            bonus = _about_bonus(about, definition, i)
            bonus += _formula_bonus(formula, text)
            bonus += _expansion_bonus(short, text, cand)
            bonus += _purpose_bonus(why, text)
            bonus += _maker_bonus(maker, text)
            bonus -= _meta_penalty(text)
            score = 0.85 * cov + 0.15 * cand.prior + bonus
            # Whose sentence it is orders the answers, not how sure the notes answer.
            scored.append(Scored(cand, i, text, cand.text, s.start, s.end, cov, 0.0,
                                 score + _subject_bonus(subject, text)
                                 - _example_penalty(instance, text), hit, about, score))
    scored.sort(key=lambda s: -s.score)
    if embed is not None and scored:
        semantic_top = SEMANTIC_TOP if semantic_top is None else semantic_top

        def bonuses(s: Scored) -> float:
            return (_about_bonus(s.about, definition, s.index)
                    + _formula_bonus(formula, s.text)
                    + _expansion_bonus(short, s.text, s.candidate)
                    + _purpose_bonus(why, s.text) - _meta_penalty(s.text)
                    + _maker_bonus(maker, s.text))

        def words_only(s: Scored) -> float:
            return (COVERAGE_WEIGHT * s.coverage + PRIOR_WEIGHT * s.candidate.prior + bonuses(s)
                    + _subject_bonus(subject, s.text) - _example_penalty(instance, s.text))

        def confidence(s: Scored, sim: float) -> float:
            return (CONFIDENCE_COVERAGE * s.coverage + PRIOR_WEIGHT * s.candidate.prior
                    + bonuses(s) + CONFIDENCE_MEANING * max(0.0, sim))

        base = {id(s): words_only(s) for s in scored[:semantic_top]}
        first = max(base.values())
        # A sentence that would trail the best by more than PRUNE even if its meaning matched
        # the question fully is not worth embedding.
        top = [s for s in scored[:semantic_top] if base[id(s)] + PRUNE >= first]
        if NAMED_FIRSTS and (definition or _WHAT_IS.match(q.text)):
            # The first sentence of a passage the question names more closely than the best
            # one's may lead a definition (`definition_lead`), so it is weighed by meaning even
            # when its words rank it below SEMANTIC_TOP (which lexical order, and so which
            # sentences those are, differs a little between SQLite and PostgreSQL).
            named = _named_count(scored[0].candidate, asked)
            firsts = [f for f in scored[semantic_top:] if f.index == 0 and f.about
                      and words_only(f) + PRUNE >= first
                      and _named_count(f.candidate, asked) > named]
            for f in firsts[:NAMED_FIRSTS]:
                base[id(f)] = words_only(f)
                top.append(f)
        vectors = embed([q.text] + [_embed_text(s) for s in top])
        sims = vectors[1:] @ vectors[0]
        rescored = [
            Scored(s.candidate, s.index, s.text, s.raw, s.start, s.end, s.coverage,
                   float(sim), base[id(s)] + MEANING_WEIGHT * max(0.0, float(sim))
                   * (1.0 if formula else _prose_share(s.text)), s.terms, s.about,
                   confidence(s, float(sim)))
            for s, sim in zip(top, sims, strict=True)
        ]
        kept = {id(s) for s in top}
        rest = [Scored(s.candidate, s.index, s.text, s.raw, s.start, s.end, s.coverage, 0.0,
                       words_only(s), s.terms, s.about, confidence(s, 0.0))
                for s in scored if id(s) not in kept]
        scored = sorted(rescored + rest, key=lambda s: -s.score)
    return scored


# A sentence that is a formula and little else ("$$s_{dW} = \beta s_{dW} + ...$$") or a scrap of
# a reference ("(2014), J. Yosinski et al. [pdf]") is embedded with its concept's name in front
# (`_embed_text`), and that name is then most of what its vector says: it matches any question
# about the concept. Its meaning counts in proportion to its words of prose (outside formulas,
# of PROSE_MIN_LETTERS letters or more), up to PROSE_WORDS, unless a formula was asked for.
PROSE_WORDS = 4
PROSE_MIN_LETTERS = 3

# "A non-stationary environment, in contrast, refers to data-generating distributions that do
# change over time." does not say what a stationary environment is: a word a sentence holds
# only after "non-" is the word's opposite, and does not count as the question's word (unless
# the question asks about the opposite: "non").
_NEGATED = re.compile(r"\bnon[-\u2010](\w+)", re.IGNORECASE)
_NON = re.compile(r"\bnon\b", re.IGNORECASE)
NEGATED = True


def negated(text: str, q: Question) -> set[str]:
    """The stems `text` holds only as the opposite of a word ("stationary" of "non-stationary")."""
    if not NEGATED or "non" not in text.casefold() or _NON.search(q.text):
        return set()
    opposite = {stem(w) for w in _NEGATED.findall(text)}
    if not opposite:
        return set()
    plain = {stem(w) for w in _WORD.findall(_NEGATED.sub(" ", text))}
    return opposite - plain


def _prose_share(text: str) -> float:
    if not PROSE_WORDS:
        return 1.0
    words = [w for w in _WORD.findall(_MATH.sub(" ", text)) if len(w) >= PROSE_MIN_LETTERS]
    return min(1.0, len(words) / PROSE_WORDS)


# "what is X", "what does X mean", "define X", "what is X also called": the question asks for
# X's definition or its other name. "also called" is not part of X: "what is deconvolution
# also called?" was refused because no sentence about deconvolution said "called".
DEFINITION = re.compile(
    r"^\s*(?:what\s+(?:is|are)\s+(?:an?\s+|the\s+)?|what's\s+(?:an?\s+|the\s+)?|define\s+"
    r"|what\s+does\s+)(?P<subject>(?:[\w.+/-]+\s+){0,2}?[\w.+/-]+)"
    r"(?<!\bfor)(?<!\bof)(?<!\bto)(?<!\bin)(?<!\bused)"
    r"(?:\s+(?:mean|stand\s+for|(?:(?:also|otherwise)\s+)?(?:called|known\s+as)))?\s*\??\s*$",
    re.IGNORECASE)
ABOUT_BONUS = 0.05  # the passage is about what the question names
# How much a question word found only in the passage's concept, title or heading counts: more
# when the question names that concept (the crash blossom entry's "A sentence or phrase with
# an ambiguous meaning." answers "what is a crash blossom?" without naming it).
CONTEXT = 0.7
ABOUT_CONTEXT = 0.85
FIRST_BONUS = 0.07  # ... and this is its first sentence, asked for a definition
# How much a question word found only in the sentence before (in the same passage) counts.
BEFORE = 0.5


# The question asks for a formula: a sentence that displays one answers it better than one
# that only talks about it.
FORMULA = re.compile(r"\b(?:formula|equation|calculat\w*|comput\w*|update rule)\b",
                     re.IGNORECASE)
_DISPLAYED = re.compile(r"\$\$|\\\[|\$[^$]*=[^$]*\$")
FORMULA_BONUS = 0.1


# "What does PPO stand for?", "what is LoRA short for?", "the full form of SGD?", "RLHF is an
# abbreviation of what?": the sentence that spells the letters out answers it.
_SHORT = r"[\"'`]?(?P<short>[\w-]+)[\"'`]?"
_OF_ACRONYM = r"(?:the\s+|an?\s+)?(?:(?:acronym|abbreviation|initialism)\s+)?"
_STANDS_FOR = [re.compile(p, re.IGNORECASE) for p in (
    rf"\bwhat\s+(?:does|do|did)\s+{_OF_ACRONYM}{_SHORT}\s+stand\s+for\b",
    rf"\bwhat(?:\s+is|\s+was|['\u2019]s)\s+{_SHORT}\s+(?:short\s+for|an?\s+(?:abbreviation|acronym|initialism)"
    rf"\s+(?:of|for))\b",
    rf"\b(?:full\s+(?:form|name)|long\s+form|expansion)\s+of\s+{_OF_ACRONYM}{_SHORT}",
    rf"^\s*{_SHORT}\s+(?:stands\s+for|is\s+(?:short\s+for|an?\s+(?:abbreviation|acronym|initialism)"
    rf"\s+(?:of|for)))\s+what\b",
    rf"\bwhat\s+(?:does|do)\s+(?:the\s+)?(?:acronym|abbreviation|initialism)\s+{_SHORT}\s+mean\b",
    rf"^\s*expand\s+{_OF_ACRONYM}{_SHORT}",
)]
# Round 52 (review52e): "What does DQN abbreviate?", "What is the long name of GAN?" and "What
# do the letters IoU mean?" ask for the letters too; unread, `REDIRECT_TARGET` put the entry
# pointed to in place of the vault's "Abbreviation for Deep Q-Network", the answer
# (`STANDS_FOR_WORDS`; False: off).
STANDS_FOR_WORDS = True
_STANDS_FOR_MORE = [re.compile(p, re.IGNORECASE) for p in (
    rf"\bwhat\s+(?:does|do|did)\s+{_OF_ACRONYM}{_SHORT}\s+abbreviate\b",
    rf"\blong\s+name\s+of\s+{_OF_ACRONYM}{_SHORT}",
    rf"\bwhat\s+(?:does|do)\s+(?:the\s+)?letters\s+(?:(?:in|of)\s+)?{_OF_ACRONYM}{_SHORT}"
    rf"\s+(?:mean|stand\s+for)\b",
)]
# "What does RLHF mean?" asks for the letters only when the word is written as an acronym.
_MEANS = re.compile(
    r"\b(?i:what\s+(?:does|do))\s+(?P<short>[A-Za-z]*[A-Z][a-z]*[A-Z][\w-]*)\s+(?i:mean)\b")
EXPANSION_BONUS = 0.15
EXPANSION_LEAD = 0.4


def stands_for(question: str, *, means: bool = True) -> str | None:
    """The acronym whose letters the question asks to spell out ("LoRA" for "what is LoRA short
    for?"), or None. `means`: "what does MSE mean?" counts too; it asks for the definition as
    well, so only the answer's lead spells the letters out for it (`means=False` leaves it)."""
    more = _STANDS_FOR_MORE if STANDS_FOR_WORDS else []
    for pattern in (*_STANDS_FOR, *more, *([_MEANS] if means else [])):
        m = pattern.search(question)
        if m is not None and len(m.group("short")) <= 8:
            return m.group("short")
    return None


# Small words an expansion may hold without a letter of their own ("area under the curve"
# for AUC), though one may give a letter too ("bag of words" for BoW).
_LINKING = frozenset(["a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "the",
                      "to", "via", "with"])


def spells_out(short: str, text: str) -> bool:
    """True when consecutive words of `text` spell `short` out (see `expansion`)."""
    return expansion(short, text) is not None


def expansion(short: str, text: str) -> str | None:
    """The words of `text` that spell `short` out, as written, or None. Each capital of a
    mixed-case acronym starts a word, with the small letters after it ("Low-Rank Adaptation"
    for LoRA, "Rectified Linear Unit" for ReLU); each letter of a one-case acronym starts a word
    ("Proximal Policy Optimization" for PPO). Linking words may come between ("reinforcement
    learning from human feedback" for RLHF) and give a letter only as a small letter of a
    mixed-case acronym ("bag of words" for BoW; "carry the CC" is not CTC); the first and
    the last word are not linking words ("in a" does not spell IA3). A hyphenated word may
    give one letter or one per part, and the longest spelling wins ("Generative Pre-trained
    Transformer" for GPT, not "Generative Pre-trained"). The words stand apart by spaces or
    hyphens only, and none is an acronym or holds a digit: "Memory (LSTM" does not spell ML,
    nor "MAE (L1" ME."""
    chunks = _chunks(short)
    if len(chunks) < 2:
        return None
    for run in _runs(text, "".join(chunks)):
        words = _Words([m.group().casefold() for m in run],
                       [k > 0 and _HYPHEN.search(text, run[k - 1].end(), m.start()) is not None
                        for k, m in enumerate(run)], {})
        for i, w in enumerate(words.text):
            if w[0] == chunks[0][0] and w not in _LINKING:
                last = words.spelled_from([(c, False) for c in chunks], i)
                if last >= 0:
                    return text[run[i].start() : run[last].end()]
    return None


# What may stand between two words of an expansion: "Low-Rank Adaptation", "**Low-Rank**".
_JOIN = re.compile(r"[\s*]*(?:[-\u2010-\u2014][\s*]*)?")
_HYPHEN = re.compile(r"[-\u2010-\u2014]")
# A word with two capitals is an acronym of its own: "KTO loss" does not spell KL.
_CAPITALS = re.compile(r"[A-Z].*[A-Z]")


def _runs(text: str, itself: str) -> list[list[re.Match[str]]]:
    """The runs of words of `text` that an expansion may span: cut at any other mark
    (parenthesis, colon, comma, slash, underscore) and at a word that gives no letter (the
    acronym itself, another acronym, a word with a digit)."""
    upper = text.upper() == text  # an all-capitals heading: its words are no acronyms
    runs: list[list[re.Match[str]]] = [[]]
    end = 0
    for m in re.finditer(r"[^\W_]+", text):
        w = m.group()
        letter = (w.isalpha() and w.casefold() != itself
                  and (upper or not _CAPITALS.search(w)))
        if not letter or not _JOIN.fullmatch(text, end, m.start()):
            runs.append([])
        if letter:
            runs[-1].append(m)
        end = m.end()
    return [r for r in runs if r]


def _chunks(short: str) -> list[str]:
    """What each word of the expansion starts with: "LoRA" -> lo, r, a; "PPO" -> p, p, o."""
    letters = "".join(c for c in short if c.isascii() and c.isalpha())
    if letters.isupper() or letters.islower():
        return list(letters.casefold())
    return [c.casefold() for c in re.findall(r"^[a-z]+|[A-Z][a-z]*", letters)]


@dataclass(slots=True)
class _Words:
    """A run of words, casefolded; which of them follow a hyphen; and what is known of
    spelling from a word by (letters left, word): runs of linking words would otherwise be
    tried in every way, which grows as a power of their length."""

    text: list[str]
    hyphened: list[bool]
    memo: dict[tuple[int, int], int]

    def spelled_from(self, chunks: list[tuple[str, bool]], i: int) -> int:
        """The index of the last word when word i starts with the first chunk and the words
        after it spell the rest, as far on as they can; -1 when they do not. A chunk is (its
        letters, whether a linking word may give it)."""
        key = (sum(len(c) for c, _ in chunks), i)
        if key not in self.memo:
            self.memo[key] = self._spell(chunks, i)
        return self.memo[key]

    def _spell(self, chunks: list[tuple[str, bool]], i: int) -> int:
        (chunk, linking), rest = chunks[0], chunks[1:]
        word = self.text[i]
        if word in _LINKING and not linking:
            return -1
        if not word.startswith(chunk):
            # "Bo" of BoW: its small letters may start the words after ("bag of words").
            if len(chunk) < 2 or word[0] != chunk[0]:
                return -1
            rest = [(c, True) for c in chunk[1:]] + rest
        if not rest:
            return i if word not in _LINKING else -1
        last = -1
        for j in range(i + 1, len(self.text)):
            if self.text[j][0] == rest[0][0][0]:
                last = max(last, self.spelled_from(rest, j))
            # "trained" of "Pre-trained" may give no letter of its own, as "of" need not.
            if self.text[j] not in _LINKING and not self.hyphened[j]:
                break
        return last


_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]{1,5}\b")


def _spelled_in(question: str, cand: Candidate) -> frozenset[str]:
    """The stems of the question's words that spell out an acronym the passage is named by:
    "mean squared error" for a section headed "MSE (L2)"."""
    names = " ".join([cand.concept or "", cand.title, *cand.heading_path[-1:]])
    return _spelled(question, tuple(dict.fromkeys(_ACRONYM.findall(names))))


@lru_cache(maxsize=1 << 12)
def _spelled(question: str, acronyms: tuple[str, ...]) -> frozenset[str]:
    words = re.findall(r"[^\W\d_]{3,}", question)
    out: set[str] = set()
    for short in acronyms:
        letters = [c.casefold() for c in short if c.isalpha()]
        n = len(letters)
        if n < 2:
            continue
        for i in range(len(words) - n + 1):
            if [w[0].casefold() for w in words[i : i + n]] == letters:
                out |= {stem(w) for w in words[i : i + n]}
    return frozenset(out)


def _expansion_bonus(short: str | None, text: str, cand: Candidate) -> float:
    if not short or not spells_out(short, text):
        return 0.0
    # Spelled out in a passage that writes the acronym itself (or is named by it): that is
    # what the letters stand for there, and it answers the question before anything else.
    around = " ".join([cand.text, cand.concept or "", cand.title, *cand.heading_path])
    return EXPANSION_LEAD if re.search(rf"\b{re.escape(short)}\b", around) else EXPANSION_BONUS


# "Why ...?": a sentence that says what something is for or what it makes possible ("can
# make it easier for machine learning algorithms to ...") answers it better than one that
# only names the same things.
_PURPOSE = re.compile(
    r"\b(?:because|since|so that|in order to|due to|the reason|allows?|allowing|enables?|"
    r"lets|helps?|makes? it (?:easier|possible|harder)|avoids?|prevents?|reduces?)\b",
    re.IGNORECASE)
PURPOSE_BONUS = 0.05
# What a thing is used for is its purpose ("..., used to counter an imbalance between the
# number of desirable and undesirable examples").
_USED_TO = re.compile(r"\bused to\b", re.IGNORECASE)
USED_TO = True
# The cue of a question that asks what X is used for (`_ASKS_PURPOSE`): `_PURPOSE` or "use(d)
# to / for" (a pattern of its own, so that `gives` tells it from a "why" question's).
_PURPOSE_USE = re.compile(_PURPOSE.pattern, re.IGNORECASE)


def gives(cue: re.Pattern[str] | None, text: str) -> bool:
    """True when `text` says what the question's kind asks for (`_cue`)."""
    if cue is None:
        return False
    if cue is _PURPOSE_USE:
        return bool(_PURPOSE.search(text) or _USE_TO.search(text))
    return bool(cue.search(text)) or (USED_TO and cue is _PURPOSE
                                     and _USED_TO.search(text) is not None)


# "When is X a good choice?": a sentence that states a condition ("well suited when ...",
# "can be used whenever ...") answers it better than one that only names X. Not "when was /
# did" (a date) nor "when doing X, ..." (a clause that sets the scene).
_WHEN = re.compile(r"^\s*when\s+(?:is|are|does|do|can|could|should|would|will|must)\b",
                   re.IGNORECASE)
_CONDITION = re.compile(r"\b(?:when|whenever|if|once|until|unless|as soon as)\b",
                        re.IGNORECASE)


# Round 47: "What is X used for?", "What is the point of X?" ask for a purpose as "why" does
# (fresh37: "What are multiple crops at test time used for?" is answered by "... a technique
# that some machine learning researchers use to improve accuracy at test time.", a near tie
# of the entry's other definition); a sentence that says "use(d) to" or "used for" gives it.
PURPOSE_ASKED = True
_ASKS_PURPOSE = re.compile(
    r"\b(?:used|good|useful|needed)\s+for\s*\??\s*$|\bwhat\s+for\s*\??\s*$"
    r"|^\s*what\s+(?:is|are|was|were)\s+the\s+(?:point|purpose|aim|goal|use)s?\s+of\b",
    re.IGNORECASE)
_USE_TO = re.compile(r"\b(?:use|uses|used)\s+(?:to|for)\b", re.IGNORECASE)


def _cue(question: str) -> re.Pattern[str] | None:
    """What a sentence that answers this kind of question says: a reason or purpose for
    "why" (and, PURPOSE_ASKED, for "what is X used for?"), a condition for "when is / does
    ..."."""
    if _WHY.match(question):
        return _PURPOSE
    if PURPOSE_ASKED and _ASKS_PURPOSE.search(question):
        return _PURPOSE_USE
    if _WHEN.match(question):
        return _CONDITION
    return _CONTRAST if CONTRAST_BONUS and _COMPARED.search(question) else None


# A sentence about the text rather than its subject ("We'll walk through a series of simple
# examples to illustrate ...", "In this article, we talk about ...", "The term X comes from the
# paper ...", "With the following interactive figure, we explore ..."): it names the
# question's words and says nothing of them.
_META = re.compile(
    r"\b(?:in this (?:article|post|section|chapter|paper|guide|tutorial|blog)"
    r"|(?:the|this) (?:following|next) (?:\w+ )?(?:figure|diagram|section|example|chapter)"
    r"|interactive (?:figure|diagram|visuali[sz]ation)"
    r"|(?:we'll|we will|let's|let us) (?:walk|look|explore|discuss|talk|dive|take a look)"
    r"|we (?:explore|discuss|talk about|walk through)"
    r"|the term \S+(?: \S+){0,3} comes from|table of contents)\b", re.IGNORECASE)
META_PENALTY = 0.05


# Round 35 (fresh25): "Who came up with the Bayesian optimization acquisition function that
# ...?" was refused: "Mockus propose the following acquisition function ..." holds few of its
# words. A who-made question is answered by a sentence in which a name makes something ("Mockus
# proposed", "Google released"): it weighs MAKER_BONUS more (0: off).
MAKER_BONUS = 0.4
_WHO_MADE = re.compile(
    r"^\s*who\s+(?:first\s+)?(?:invented|created|introduced|proposed|developed|designed|coined"
    r"|came\s+up\s+with|made|wrote|published|built|discovered|released)\b", re.IGNORECASE)
_NAME_MAKES = re.compile(
    r"(?<![.!?]\s)\b(?!(?:It|This|That|They|We|He|She|You|I|These|Those|The|A|An|One|Here"
    r"|There|Which|Who|What)\b)[A-Z][\w.-]+(?:\s+(?:et\s+al\.?|and\s+[A-Z][\w.-]+))?"
    r"\s+(?:first\s+)?(?:propos|introduc|invent|develop|creat|coin|design|publish|releas)\w*\b")


# Round 36: a sentence that gives an instance ("For example, a detector may propose several
# overlapping boxes around one object ...") holds the question's words because it shows a
# case of them; the statement it illustrates ("Only the box with the highest confidence
# survives ...") answers. Unless the question asks about an example ("In the MSE example,
# ..."), such a sentence ranks EXAMPLE_PENALTY lower (0: off). Only the order of the answers
# moves: how sure the notes answer (`Scored.confidence`) does not.
EXAMPLE_PENALTY = 0.05
# `(?!\w)`, not `\b`: "e.g." ends in a full stop, after which no word boundary falls.
_GIVES_EXAMPLE = re.compile(r"^(?:for (?:example|instance)|as an example|e\.g\.|consider"
                            r"|suppose|imagine)(?!\w)", re.IGNORECASE)
_ASKS_EXAMPLE = re.compile(r"\b(?:examples?|instances?|suppose|imagine|consider)\b",
                           re.IGNORECASE)


def gives_example(text: str) -> bool:
    """True when `text` opens by giving an example ("For example, ...", "Suppose ...")."""
    return _GIVES_EXAMPLE.match(text) is not None


def _example_penalty(instance: bool, text: str) -> float:
    return EXAMPLE_PENALTY if instance and _GIVES_EXAMPLE.match(text) else 0.0


def _maker_bonus(maker: bool, text: str) -> float:
    return MAKER_BONUS if maker and _NAME_MAKES.search(text) else 0.0


def _meta_penalty(text: str) -> float:
    return META_PENALTY if _META.search(text) else 0.0


def _purpose_bonus(cue: re.Pattern[str] | None, text: str) -> float:
    if cue is _CONTRAST:
        return CONTRAST_BONUS if _CONTRAST.search(text) else 0.0
    return PURPOSE_BONUS if gives(cue, text) else 0.0


# Round 31: "How does X differ from Y?": a sentence that sets one against the other
# ("Other existing approaches learn a separate soft prompt for each task ...", "Unlike X, ...")
# answers it better than one that only says what X is (0: off).
_COMPARED = re.compile(r"\b(?:differ|differs|difference|different|versus|vs|compare|compared"
                       r"|comparison)\b", re.IGNORECASE)
_CONTRAST = re.compile(r"\b(?:unlike|in contrast|by contrast|whereas|while|instead|rather than"
                       r"|compared|other|others|differs?|difference|opposed|however|but)\b",
                       re.IGNORECASE)
CONTRAST_BONUS = 0.05


def _formula_bonus(formula: bool, text: str) -> float:
    return FORMULA_BONUS if formula and _DISPLAYED.search(text) else 0.0


# The question asks about X ("what does the discriminator of a GAN do?", "how does model
# parallelism differ from data parallelism?", "are the training examples sent to the
# server?"): the sentence whose subject is X says something of X ("A discriminator network
# that distinguishes ..."); one whose subject is something else holds X's words as its object
# or in passing ("The generator can reliably generate data that fools the discriminator.",
# "In contrast to model parallelism, data parallelism ..."). The question's subject is its
# first two words after its verb (fewer at a function word), the sentence's its first three
# after an opening phrase set off by a comma and an article. Only the order of the answers
# moves: how sure the notes answer (`Scored.confidence`) does not.
_ASKED_SUBJECT = re.compile(
    r"(?:^|[,:;]\s+)(?:(?:what|how|why|when|where|which|who)\s+)?"
    r"(?:does|do|did|is|are|was|were|can|could|should|would|will)\s+"
    r"(?:(?:an?|the)\s+)?(?P<words>\w[\w'-]*(?:\s+\w[\w'-]*)?)", re.IGNORECASE)
# An opening phrase set off by a comma ("In contrast to model parallelism, ...", "More
# broadly, ...") and an article come before the subject.
_OPENING = re.compile(
    r"^(?:(?!(?:the|an?|this|these|that|those)\b)(?:[\w'-]+\s+){0,5}[\w'-]+,\s+)?"
    r"(?:(?:the|an?|this|these|that|those|each|every|our|its|their)\s+)?"
    r"(?P<words>\w[\w'-]*(?:\W+\w[\w'-]*){0,2})", re.IGNORECASE)
_POSSESSIVE_S = re.compile(r"['\u2019]s$")
SUBJECT_BONUS = 0.05
SUBJECT_WORDS = 2  # the subject's words that must open the sentence (1: its first word only)


def asked_subject(question: str) -> tuple[str, ...]:
    """The words of what the question asks about (its first SUBJECT_WORDS words, up to a
    function word), or (). Not for a definition ("what is an outlier?", "what does a decoder
    do, in general terms?"): a glossary defines without naming its subject ("An observation
    that deviates ...")."""
    main = question.split(",")[0].rstrip("?") + "?"
    if DEFINITION.match(main) or _WHAT_IS.match(main):
        return ()
    m = _ASKED_SUBJECT.search(question)
    if m is None:
        return ()
    out: list[str] = []
    for word in m.group("words").split()[:SUBJECT_WORDS]:
        if word.casefold() in STOPWORDS or len(word) < 2:
            break
        out.append(_form(word))
    return tuple(out)


def _form(word: str) -> str:
    """A word compared whole, but for a possessive or a plural ("GNNs", "model's"): a stem
    cut to six letters makes "Programmer-Interpreter" the "Programmer" of another sentence."""
    w = _POSSESSIVE_S.sub("", word).casefold()
    return w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w


def sentence_subject(text: str) -> tuple[str, ...]:
    """The sentence's first three words after an opening phrase and an article."""
    m = _OPENING.match(strip_list_marker(text).strip())
    if m is None:
        return ()
    return tuple(_form(w) for w in re.findall(r"\w[\w'-]*", m.group("words")))


def _subject_bonus(subject: tuple[str, ...], text: str) -> float:
    if not SUBJECT_BONUS or not subject:
        return 0.0
    opening = sentence_subject(text)
    if not opening or opening[0] != subject[0] or not set(subject) <= set(opening):
        return 0.0
    return SUBJECT_BONUS


def _about_bonus(about: bool, definition: bool, index: int) -> float:
    if not about:
        return 0.0
    return ABOUT_BONUS + (FIRST_BONUS if definition and index == 0 else 0.0)


def asked_words(question: str) -> str:
    """The question's words, stemmed and padded, for `names` ("overfit" names the
    "overfitting" entry)."""
    return f" {' '.join(_name_stem(w) for w in _WORD.findall(question))} "


def _name_stem(word: str) -> str:
    return stem(normalize(word) or word)


def names(cand: Candidate, asked: str) -> bool:
    """True when the question (`asked_words`) names the passage's concept, title or heading."""
    return named_words(cand, asked) > 0


def named_words(cand: Candidate, asked: str) -> int:
    """The words of the longest of the passage's names that the question names (0: none);
    "Nesterov momentum" names its own heading more closely than the "Momentum" one."""
    return max((len(n.split()) for n in _name_forms(cand) if f" {n} " in asked), default=0)


def _name_forms(cand: Candidate) -> frozenset[str]:
    """The names a passage goes by (normalised, each word stemmed): its concept, title and
    last heading, and for `Low-Rank Adaptability (LoRA)` also `Low-Rank Adaptability` and
    `LoRA`."""
    return name_forms(cand.concept, cand.title,
                      cand.heading_path[-1] if cand.heading_path else None)


def named_in(asked: str, *names: str | None) -> int:
    """How many of the question's words (`asked_words`) a passage's names name together: its
    concept, title and last heading ("Planning" under the page "Reinforcement Learning" names
    three words of "what does planning mean in reinforcement learning?", the page's other
    sections two)."""
    covered: set[str] = set()
    for form in name_forms(*names):
        if f" {form} " in asked:
            covered |= set(form.split())
    return len(covered)


def _named_count(cand: Candidate, asked: str) -> int:
    return named_in(asked, cand.concept, cand.title, *cand.heading_path[-1:])


@lru_cache(maxsize=1 << 12)
def name_forms(*names: str | None) -> frozenset[str]:
    forms: set[str] = set()
    for name in names:
        if not name:
            continue
        for part in (name, *re.split(r"[()]", name)):
            n = normalize(part)
            if n and len(n) > 2:
                forms.add(" ".join(_name_stem(w) for w in n.split()))
            if HYPHEN_COVER and "-" in part:
                # "meta-learning" is named by "metalearning" too (`HYPHEN_COVER`)
                joined = normalize(_HYPHENATED.sub(lambda m: m[0].replace("-", ""), part))
                if joined and len(joined) > 2:
                    forms.add(" ".join(_name_stem(w) for w in joined.split()))
    return frozenset(forms)


# The best sentences by words are compared with the question by meaning. Embedding them is
# most of an answer's time (0.4 ms per token on two quiet cores, 1-2 ms under load), so only
# the best SEMANTIC_TOP, cut to their first EMBED_WORDS words, and only those that could still
# come first if their meaning matched the question fully (within PRUNE of the best). Round 7,
# with meaning weighed as much as the words: 12 gave fact tune +3 and report +0 over 8 for
# 240 words embedded per question instead of 163 (ask p50 / search p50 9-10x instead of 6-7x
# at load 5-6), so 8 stays.
SEMANTIC_TOP = 8
NAMED_FIRSTS = 3
EMBED_WORDS = 40  # 0: whole sentences
# How a sentence's score mixes its signals (after the bonuses): the share of the question's
# weighted words it holds, its passage's prior (how directly search found it) and the cosine
# of its vector with the question's. Round 7 weighs meaning as much as words (was 0.6 / 0.1 /
# 0.3): near ties between sentences of the right passage were settled by a coverage or prior
# difference of 0.01 against a meaning difference of 0.05 or more, and meaning was the better
# guide (bench/questions/README.md, round 7: fact tune 136 -> 141 of 165, report 121 -> 126 of
# 155, with the round's other changes). A logistic fit of the three weights on the tune halves'
# sentences picked the fact sentence first no more often on the report halves than this
# hand-set mix, so it was not kept.
COVERAGE_WEIGHT = 0.5
PRIOR_WEIGHT = 0.1
MEANING_WEIGHT = 0.5
PRUNE = MEANING_WEIGHT  # the weight of meaning: a bound, not a guess
# Whether the notes answer at all is judged with the mix the abstention threshold
# (ask.ABSTAIN_BELOW) was calibrated with, rounds 1-6: with meaning at 0.5, a sentence that
# only shares a topic with a question the notes do not answer ("Prompt tuning ... text
# generation task" for "how does speculative decoding speed up text generation?") scores
# above an answerable one whose words match it ("Who wrote the YOLO paper, You only look once?").
CONFIDENCE_COVERAGE = 0.6
CONFIDENCE_MEANING = 0.3


def _embed_text(s: Scored) -> str:
    about = s.candidate.concept or s.candidate.title
    text = f"{about}: {s.text}" if about else s.text
    if EMBED_WORDS:
        text = " ".join(text.split()[:EMBED_WORDS])
    return text


MAX_WORDS = 40  # an answer longer than this buries its fact
MIN_PIECE = 8  # a clipped sentence keeps at least this many words
_CLAUSE_END = re.compile(
    r"[,;:)](?=\s)|\s(?=\()|\s(?=(?:where|which|whereas|while|and|but|so|because)\s)")
ELLIPSIS = "\u2026"


# "What is another name for chunking?" is answered by the clause that gives the other name
# ("Also called shallow parsing, chunking aims at ..."), which holds none of the question's
# words: a clip that keeps the most of the question cut it off and kept the rest. For a
# question that asks for another name, a run that gives one ("also called", "known as") is
# kept first, even below MIN_PIECE words ("Also called shallow parsing ...").
ALIAS_CLIP = True
_ASKS_ALIAS = re.compile(r"\b(?:another|other|different)\s+names?\b|\balso\s+(?:called|known)\b"
                         r"|\bsynonyms?\b", re.IGNORECASE)
_GIVES_ALIAS = re.compile(r"\b(?:also|sometimes|often|commonly)\s+(?:called|known\s+as"
                          r"|referred\s+to\s+as|named)\b|\ba\.k\.a\.|\bsynonym\b",
                          re.IGNORECASE)


def clip(s: Scored, q: Question, budget: int) -> Scored | None:
    """`s` cut to the run of its clauses (at `,;:` and brackets, never inside a formula) that
    holds the most of the question within `budget` words, marked with an ellipsis; `s` itself
    when it fits; None when no run of at least MIN_PIECE words fits."""
    if len(s.text.split()) <= budget:
        return s
    if budget < MIN_PIECE:
        return None
    rows = _formula_rows(s.text, q, budget) if FORMULA_ROWS else None
    if rows is not None:
        return Scored(s.candidate, s.index, rows, s.raw, s.start, s.end, s.coverage, s.meaning,
                      s.score, s.terms, s.about, s.confidence)
    masked = mask(s.text)
    cuts = [0, *(m.end() for m in _CLAUSE_END.finditer(masked)), len(s.text)]
    # A space between two cuts is kept: "capacity, so" must not become "capacity,so".
    pieces = [s.text[a:b] for a, b in itertools.pairwise(cuts) if b > a]
    alias = ALIAS_CLIP and _ASKS_ALIAS.search(q.text) is not None
    means = _means_weight(q)
    cause = CAUSE_SHARE * q.total if CLIP_CAUSE and _WHY_ASKED.search(q.text) else 0.0
    best: tuple[float, int, str] | None = None
    start = -1
    for i in range(len(pieces)):
        # A run cut before "and" / "but" opens with that word, which joins it to the clause
        # left out and says nothing of its own: the run goes without it (CLIP_JOINER).
        joiner = 1 if CLIP_JOINER and i > 0 and _JOINER.match(pieces[i]) else 0
        n = -joiner
        for j in range(i, len(pieces)):
            n += len(pieces[j].split())
            if n > budget:
                break
            text = "".join(pieces[i : j + 1]).strip()
            if joiner:
                text = _JOINER.sub("", text, count=1)
            gives_alias = alias and _GIVES_ALIAS.search(text) is not None
            if n < MIN_PIECE and not gives_alias:
                continue
            have = {stem(w) for w in _WORD.findall(text)}
            weight = sum(w for t, w in q.stems.items() if t in have)
            if gives_alias:
                weight += q.total  # the clause that gives the other name is the answer
            if means and _GIVES_MEANS.search(text):
                weight += means
            if cause and weight > 0 and _GIVES_CAUSE.search(text):
                weight += cause
            if best is None or weight > best[0] or (weight == best[0] and n > best[1] and (
                    not CLIP_FIRST or i == start)):
                best, start = (weight, n, text), i
    if CLIP_MIDDLE and best is not None:
        middle = _without_middle(pieces, q, budget, means)
        if middle is not None and middle[0] > best[0]:
            return Scored(s.candidate, s.index, middle[1], s.raw, s.start, s.end, s.coverage,
                          s.meaning, s.score, s.terms, s.about, s.confidence)
    if best is None or best[0] <= 0:
        return None
    text = best[2].rstrip(",;: ")
    if not s.text.startswith(text):
        text = f"{ELLIPSIS} {text}"
    if not s.text.rstrip().endswith(best[2].rstrip()):
        text = f"{text} {ELLIPSIS}"
    return Scored(s.candidate, s.index, text, s.raw, s.start, s.end, s.coverage, s.meaning,
                  s.score, s.terms, s.about, s.confidence)


# A displayed formula of several rows ("$$v = \beta v + ... \\ s = ... \\ W = ...$$", an
# optimizer's update in five equations) is one sentence that `clip` cannot cut (a formula is
# never cut inside), and it was quoted whole: 49 words (fresh19, Adam's bias correction). Its
# rows are cut apart at their breaks ("\\"), never inside a matrix or an environment: the
# run of rows within the budget that holds the most of the question, else the first rows.
FORMULA_ROWS = True
_DISPLAY = re.compile(r"\$\$(?P<body>[^$]+)\$\$")
_ROW_BREAK = re.compile(r"\s*\\\\\s*")


def _formula_rows(text: str, q: Question, budget: int) -> str | None:
    """`text`, a displayed formula alone, cut to a run of its rows within `budget` words and
    marked with ellipses where rows were left out; None when it is not one or nothing fits."""
    m = _DISPLAY.fullmatch(text.strip())
    if m is None or "\\begin" in m.group("body"):
        return None
    rows = [r for r in _ROW_BREAK.split(m.group("body").strip()) if r.strip()]
    if len(rows) < 2:
        return None
    best: tuple[float, int, int] | None = None
    for i in range(len(rows)):
        for j in range(i, len(rows)):
            n = len(" \\\\ ".join(rows[i : j + 1]).split()) + 2  # the ellipses: a word each
            if n > budget:
                break
            have = {stem(w) for w in _WORD.findall(" ".join(rows[i : j + 1]))}
            weight = sum(w for t, w in q.stems.items() if t in have)
            # The most of the question, then the most rows, then the first.
            if best is None or weight > best[0] or (
                    weight == best[0] and j - i > best[2] - best[1]):
                best = (weight, i, j)
    if best is None:
        return None
    _, i, j = best
    out = "$$" + " \\\\ ".join(rows[i : j + 1]) + "$$"
    return (f"{ELLIPSIS} " if i > 0 else "") + out + (f" {ELLIPSIS}" if j < len(rows) - 1 else "")


# A sentence too long for the answer may keep its opening and its end and leave out a clause
# between ("Stride 1 deconvolutions -- which we often see as the last layer ... -- are quite
# effective at dampening artifacts"): its subject and what is said of it, when together they
# hold more of the question than any run of its clauses.
CLIP_MIDDLE = True
_LEFT_OPEN = " ,;:-\u2013\u2014("
_LEFT_CLOSE = " ,;:-\u2013\u2014)"


# Round 35 (fresh25): "When two tokenized sentences differ in length, how can they still go
# into one tensor?" kept the second clause of "The first sequence needs to be padded up to
# the length of the second one, or the second one needs to be truncated ..." (both hold as
# much of the question; the longer won): of runs that hold as much, the first is kept, then
# the longest from its start (`CLIP_FIRST`). "How can a small codebook still produce an
# enormous number of outputs?" lost its answer's "but by having the model emit a sequence
# ..." to the clauses around it: for a "how" question, a run that says by what means
# ("by having", "by using") weighs MEANS_SHARE of the question more (`CLIP_MEANS`).
CLIP_FIRST = True
CLIP_MEANS = True
# Round 36 (fresh26): a sentence of two clauses joined by "and" ("memory has many layers of
# caches, and reading the records in stored order speeds a program up ..."), clipped to the
# room left, kept its first clause: the second, which answers, was one word over the room with
# its "and". A run cut before "and" / "but" goes without that word (False: off).
CLIP_JOINER = True
_JOINER = re.compile(r"^\s*(?:and|but)\s+", re.IGNORECASE)
MEANS_SHARE = 0.25
# Round 56: "Why is perplexity worse when I score a text in separate chunks?" was answered by
# the first 36 words of a 50-word sentence, cut before its last clause, the one that gives the
# reason (it opens on "because"): the run from the start held as much
# of the question as the run that ends on the reason, and the first was kept. For a "why"
# question, a run that gives a reason ("because", "due to") weighs CAUSE_SHARE of the question
# more, as a run that says by what means does for a "how" question; only a run that holds a
# word of the question, so no sentence joins that did not (`CLIP_CAUSE`; False: off).
CLIP_CAUSE = True
CAUSE_SHARE = 0.25
_WHY_ASKED = re.compile(r"\bwhy\b", re.IGNORECASE)
_GIVES_CAUSE = re.compile(r"\b(?:because|due\s+to|owing\s+to)\b", re.IGNORECASE)
_GIVES_MEANS = re.compile(r"\b(?:by|through|via)\s+\w+ing\b", re.IGNORECASE)


def _means_weight(q: Question) -> float:
    return MEANS_SHARE * q.total if CLIP_MEANS and _HOW_ASKED.match(q.text) else 0.0


def _without_middle(pieces: Sequence[str], q: Question, budget: int,
                    means: float = 0.0) -> tuple[float, str] | None:
    """The sentence's opening and end, a run of its clauses left out between them: (the
    question's weight it holds, the text), or None when nothing fits `budget`."""
    best: tuple[float, str, int] | None = None
    for i in range(1, len(pieces) - 1):
        head_text = "".join(pieces[:i]).rstrip(_LEFT_OPEN)
        for j in range(i + 1, len(pieces)):
            tail_text = "".join(pieces[j:]).lstrip(_LEFT_CLOSE)
            if not head_text or not tail_text:
                continue
            text = f"{head_text} {ELLIPSIS} {tail_text}"
            n = len(text.split())
            if n > budget or n < MIN_PIECE:
                continue
            have = {stem(w) for w in _WORD.findall(text)}
            weight = sum(w for t, w in q.stems.items() if t in have)
            if means and _GIVES_MEANS.search(text):
                weight += means
            # The shorter on a tie: the whole aside goes ("(eg. ) --" is no part of either).
            if best is None or weight > best[0] or (weight == best[0] and n < best[2]):
                best = (weight, text, n)
    return None if best is None else best[:2]


# A sentence that fits whole in the words left joins whole: the two words kept back for
# ellipses (`clip` marks a cut at either end) are kept back only when it is cut. "Imputation
# means replacing missing data values with substitute values." (9 words) and the next
# sentence, which names the ways (31), make 40: held to 38, the second was left out.


def _fit(s: Scored, q: Question, room: int) -> Scored | None:
    """`s` whole when it fits in `room` words, else clipped with room for its ellipses."""
    if len(s.text.split()) <= room:
        return s
    return clip(s, q, room - 2)  # an ellipsis counts as a word


# "Doing this is called beam search.", "This is known as dropout.": the sentence names what
# the sentence before it says, and is no answer without it (a public course's notes answered
# "how does beam search work?" with the name alone).
_POINTS_BACK = re.compile(
    r"^(?:doing\s+(?:this|that|so)|(?:this|that|such\s+an?\s+\w+)\s+(?:is|was)\s+"
    r"(?:called|known\s+as|named|referred\s+to\s+as|what\s+we\s+call))\b", re.IGNORECASE)


# Round 44: "Which two computations does the CTC article insist must be done efficiently?" was
# answered by "We'll require that CTC do both of these efficiently." without the sentence
# before it, which names the two (fresh34, tune). A sentence that speaks of "both of these",
# "each of those", "these two" leans on the one before as much as one that opens "This is
# called"; not when it points ahead ("each of these three representations below")
# (`BOTH_BACK`; False: off).
_BOTH_BACK = re.compile(r"\b(?:(?:both|each|all|either|neither)\s+of\s+(?:these|those)"
                        r"|these\s+two|those\s+two)\b", re.IGNORECASE)
_AHEAD = re.compile(r"\b(?:below|following|as\s+follows|here)\b|:\s*$", re.IGNORECASE)
BOTH_BACK = True


def _antecedent(scored: Sequence[Scored], s: Scored) -> Scored | None:
    """The sentence before `s` in its passage when `s` only names what that one says."""
    leans = _POINTS_BACK.match(s.text) or (
        BOTH_BACK and _BOTH_BACK.search(s.text) and not _AHEAD.search(s.text))
    if s.index == 0 or not leans:
        return None
    return next((o for o in scored if o.candidate.passage_id == s.candidate.passage_id
                 and o.index == s.index - 1), None)


# Round 46: "where: $n$ is the number of examples." and the items after it ("$y$ is the actual
# value of the label.") say what a formula's symbols stand for: without the formula they say
# nothing. `NEAR` joined two of them to "What does MSE mean?" (the glossary's MSE entry) after
# the definition, the formula left out. Such a legend joins an answer only after the formula
# it follows, the sentence before its "where" (`LEGEND`; False: off).
_LEGEND = re.compile(r"^where\b\s*[:,]?", re.IGNORECASE)
_SYMBOL_IS = re.compile(r"^\$[^$]+\$\s*(?:,|is|are|denotes|represents|stands)\b", re.IGNORECASE)
LEGEND = True


def legend_formula(scored: Sequence[Scored], s: Scored) -> tuple[int, int] | None:
    """When `s` is a formula's legend (see `_LEGEND`), (passage id, index) of the formula it
    follows (index -1: none in its passage); None when it is no legend."""
    if not LEGEND:
        return None
    if not _LEGEND.match(s.text):
        if not _SYMBOL_IS.match(s.text):
            return None
        siblings = {o.index: o.text for o in scored
                    if o.candidate.passage_id == s.candidate.passage_id}
        at = s.index - 1
        while at >= 0 and at in siblings and not _LEGEND.match(siblings[at]):
            if not _SYMBOL_IS.match(siblings[at]):
                return None
            at -= 1
        if at < 0 or at not in siblings:
            return None
        return s.candidate.passage_id, at - 1
    return s.candidate.passage_id, s.index - 1


# Round 55: a sentence that joins the best one is clipped to the words the best leaves, and
# the clip keeps its clauses that hold the question, not always the one that answers: "… and
# take another step in the direction it specifies" beside a whole "We continue this process
# iteratively ..." (fresh44: "Next we recalculate the negative gradient" cut off), "… a RNN
# where each neuron has a memory cell …" (fresh29: "and three gates" cut off). Of the bench's
# misses whose fact's sentence is in the answer, 38 are such clips. A near tie (TIE of the
# best) that would be clipped is quoted whole and the best clipped to the words left, when
# the two quoted that way hold more of the question's words than the best whole beside the
# near tie clipped (`NEAR_WHOLE`; False: off). Off (the lead, round 55): it gained one answer
# of each half (fresh44's gradient descent, fresh29's LSTM gates) but lost round 36's statement
# before its example (tests/ask/test_round36: "Only the box with the highest confidence
# survives" clipped away so that the near tie naming "non-max suppression", the question's
# topic, was whole): the words it counts are the topic's as much as the answer's.
# Round 56: on again, narrowed: the best sentence is clipped for the near tie only when the
# clip keeps its opening (its subject and what is said of it, where a statement answers:
# "Only the box ... survives" is the opening the round-36 clip cut away, to keep "… and the
# boxes that overlap it ..."); a clip that opens on an ellipsis leaves the best whole
# (`NEAR_WHOLE_OPENING`; False: the round-55 form).
NEAR_WHOLE = True
NEAR_WHOLE_OPENING = True


def _near_whole(best: Scored, s: Scored, q: Question, max_words: int,
                piece: Scored) -> list[Scored] | None:
    """[best clipped, `s` whole] when `s` is a near tie of `best` and the two hold more of
    the question that way; None to keep `best` whole and `piece` (`s` clipped)."""
    if s.score < TIE * best.score:
        return None
    room = max_words - len(s.text.split())
    if room < MIN_PIECE + 2:
        return None
    cut = _fit(best, q, room)
    if cut is None or (NEAR_WHOLE_OPENING and cut.text.startswith(ELLIPSIS)):
        return None

    def held(parts: Sequence[Scored]) -> float:
        have = {stem(w) for p in parts for w in _WORD.findall(p.text)}
        return sum(w for t, w in q.stems.items() if t in have)

    if held([cut, s]) <= held([best, piece]):
        return None
    return [cut, s]


def choose(scored: Sequence[Scored], q: Question, most: int = 3,
           max_words: int = MAX_WORDS) -> list[Scored]:
    """The best sentence, and up to `most - 1` more that add to it, within `max_words` words
    (a long sentence is clipped to its clauses that answer); in reading order."""
    if not scored:
        return []
    lead = definition_lead(scored, q)
    if lead is not None:
        scored = [lead, *(s for s in scored if s is not lead)]
    best = _fit(scored[0], q, max_words) or scored[0]
    chosen = [best]
    intro = list_intro(scored, q)
    if intro is not None:
        # The sentence that introduces the list comes first, the item after it when it fits.
        item = _fit(scored[0], q, max_words - len(intro.text.split()))
        first = _fit(intro, q, max_words)
        if first is not None:
            chosen = [first] if item is None or first is not intro else [first, item]
    partner = None if intro is not None else _partner(scored, q)
    if partner is not None:
        lead = _fit(scored[0], q, max_words - len(partner.text.split()))
        if lead is not None:
            chosen = [lead, partner]
        elif _asks_about_example(scored[0]):
            # The question asks about an example ("In the phone keyboard example, what does
            # perplexity roughly correspond to?") whose set-up and what it shows do not fit
            # together: what it shows answers ("Perplexity, P, for this task is
            # approximately the number of guesses ...").
            chosen = [_fit(partner, q, max_words) or partner]
        else:
            piece = _fit(partner, q, max_words - len(best.text.split()))
            chosen = [best] if piece is None else [best, piece]
    if len(chosen) == 1:
        before = _antecedent(scored, chosen[0])
        if before is not None:
            piece = _fit(before, q, max_words - len(chosen[0].text.split()))
            if piece is not None:
                chosen = [piece, chosen[0]]
    covered = set().union(*(c.terms for c in chosen))
    length = sum(len(c.text.split()) for c in chosen)
    pool = [s for s in scored[1:] if s.score >= 0.55 * best.score]
    # A sentence as good as the best one (a near tie, TIE) that holds words of the question
    # first, the better of two first, wherever it is: which of the two holds the answer is a
    # coin toss that nearness to the best one should not settle. (A tie by its passage's names
    # and its meaning alone, "$\epsilon$ - very small value to avoid dividing by zero", is not
    # one.) Then the sentences next to the best one: a definition often runs on; one that fits
    # whole before one that would be clipped to fill the answer's words.
    room = max_words - length - 2

    def turn(s: Scored) -> tuple[int, float]:
        if s.score >= TIE * best.score and s.terms:
            return 0, -s.score
        beside = abs(s.index - best.index) == 1
        near = s.score >= NEAR * best.score
        if s.candidate.passage_id == best.candidate.passage_id and (beside or near):
            # a near neighbour, then a near sentence further on, then a neighbour
            return (1 if len(s.text.split()) <= room else 2), (
                0.0 if beside and near else 1.0 if near else 2.0)
        return 2, 0.0

    pool.sort(key=turn)

    def fill() -> None:
        for s in pool:
            if len(chosen) >= most:
                break
            take(s)

    def take(s: Scored) -> None:
        nonlocal covered, length, best
        if any(s.candidate.passage_id == c.candidate.passage_id and s.index == c.index
               for c in chosen) or any(_similar(s.text, c.text) for c in chosen
                                       if not _beside(s, c)):
            return
        formula = legend_formula(scored, s)
        if formula is not None and formula not in {
                (c.candidate.passage_id, c.index) for c in chosen}:
            return
        same = [c for c in chosen if c.candidate.passage_id == s.candidate.passage_id]
        follows = any(abs(c.index - s.index) == 1 for c in same)
        new_terms = set(s.terms) - covered
        adds = sum(q.stems[t] for t in new_terms) / q.total
        whole = len(s.text.split()) <= max_words - length
        near_best = (s.candidate.passage_id == best.candidate.passage_id
                     and s.score >= NEAR * best.score)
        if (follows and s.score >= FOLLOWS * best.score) or near_best or (
            adds >= 0.15 and s.score >= 0.7 * best.score
        ) or s.score >= 0.95 * best.score or (
            FILL and length < FILL_WORDS and whole and s.score >= FILL * best.score):
            piece = _fit(s, q, max_words - length)
            if (NEAR_WHOLE and piece is not None and piece is not s and len(chosen) == 1
                    and chosen[0] is best):
                swapped = _near_whole(best, s, q, max_words, piece)
                if swapped is not None:
                    # The best sentence clipped is still the best (`_claim_first` reads it).
                    chosen[:] = swapped
                    best = swapped[0]
                    covered |= s.terms
                    length = _words(chosen)
                    return
            if piece is None or (piece is not s and cuts_definition(piece.text, s.text, q)):
                return
            chosen.append(piece)
            covered |= s.terms
            length += len(piece.text.split())

    fill()
    if EXAMPLE_CLAIM and chosen[0] is best:
        chosen = _claim_first(chosen, scored, q, max_words)
    if ANSWERED_AFTER:
        unreplied = list(chosen)
        chosen = _with_replies(chosen, scored, q, max_words)
        if REPLY_REFILL and any(c not in chosen for c in unreplied):
            # The reply took the place of sentences chosen before it: the words they leave go
            # to the sentences that would have joined, as they join (`fill`), one that fits
            # whole first; a question of the notes, whose reply is not there, does not.
            covered = set().union(*(c.terms for c in chosen))
            length = _words(chosen)
            room = max_words - length
            pool = sorted((s for s in pool if not _asks(s.text)), key=turn)
            fill()
    if LIST_PASSAGE:
        chosen = _with_lists(chosen, scored, q, max_words)
    order = {c.candidate.passage_id: i for i, c in reversed(list(enumerate(chosen)))}
    return sorted(chosen, key=lambda s: (order[s.candidate.passage_id], s.start))


# Round 52: an entry that only points to another ("Abbreviation for Low-Rank Adaptability.",
# the vault's LoRA page) said so in the answer beside, or instead of, the entry it points to:
# "What is LoRA?" closed on it, "What is the half-life of a TPU?" opened with "Abbreviation for
# Tensor Processing Unit". When the entry pointed to was found, its first sentence takes the
# pointer's place, and the pointer is left out, unless the question asks what the letters
# stand for (`REDIRECT_TARGET`; False: off).
REDIRECT_TARGET = True
_REDIRECT = re.compile(r"^\s*(?:an?\s+)?(?:abbreviation|acronym|synonym|short)\s+for\s+"
                       r"(?P<to>[^.;:!?]+?)\s*\.?\s*$", re.IGNORECASE)
# Round 52 (review52e): "Abbreviation for the Learning Interpretability Tool (LIT), which was
# previously known as the Language Interpretability Tool." (the vault's LIT page) says more
# than where it points, and that was lost: a pointer names its target and stops, no comma
# (`REDIRECT_BARE`; False: off).
REDIRECT_BARE = True


def _redirects_followed(scored: Sequence[Scored], q: Question) -> list[Scored]:
    """`scored` with each pointer to an entry whose first sentence was found left out, that
    sentence in the pointer's place."""
    out = list(scored)
    if stands_for(q.text) is not None:
        return out
    for s in scored:
        m = _REDIRECT.match(s.text)
        if m is None or (REDIRECT_BARE and "," in m.group("to")):
            continue
        forms = name_forms(m.group("to"))
        target = next((t for t in out if t.index == 0
                       and t.candidate.passage_id != s.candidate.passage_id
                       and forms & name_forms(t.candidate.concept, t.candidate.title)), None)
        if target is None:
            continue
        at, to = out.index(s), out.index(target)
        if to > at:
            out[at] = out.pop(to)
        else:
            out.pop(at)
    return out


# Round 50: a chosen sentence that ends in ':' ("... it is common to break up the dataset into
# three parts:", the terms' page on data splits) says nothing until its list, and a reader
# made the list a passage of its own, found as the passage after it (`retrieve`, its
# `lead_in`). The list's first item joins right after it, as a reply joins a question of the
# notes: the sentences chosen after the lead-in make room, the last first, else the item is
# clipped to the room left (`LIST_PASSAGE`; False: off).
LIST_PASSAGE = True


def _with_lists(chosen: list[Scored], scored: Sequence[Scored], q: Question,
                max_words: int) -> list[Scored]:
    """`chosen` with the first item of the list each lead-in in it introduces."""
    out = list(chosen)
    for c in chosen:
        said = " ".join(c.raw[c.start : c.end].split())
        if not said.endswith(":"):
            continue
        item = next((s for s in scored if s.index == 0 and s.candidate.lead_in == said
                     and s.candidate.passage_id != c.candidate.passage_id), None)
        if c not in out or item is None or any(
                o.candidate.passage_id == item.candidate.passage_id for o in out):
            continue  # an earlier lead-in's item took this one's place, or it is quoted
        at = out.index(c)
        kept = list(out)
        removable = list(reversed(out[at + 1 :]))
        while removable and _words(kept) + len(item.text.split()) + 2 > max_words:
            kept.remove(removable.pop(0))
        piece = (item if _words(kept) + len(item.text.split()) + 2 <= max_words
                 else _fitted(item, q, max_words - _words(kept) - 2))
        if piece is None:
            continue
        position = kept.index(c) + 1
        out = [*kept[:position], piece, *kept[position:]]
    return out


# "..., a weak learner, which is a model slightly better than random guessing": the clause after
# a name says what the name is. A sentence clipped to join the answer that ends on the
# question's word right before such a clause ("Specifically, you explored: The definition of a
# weak learner ...", on a public collection) says the question again and cuts the answer off
# its subject: it does not join.
_DEFINES = re.compile(r"[\s,;:(\u2013\u2014-]*(?:which|who|that is|i\.e\.|namely)\b",
                      re.IGNORECASE)


def cuts_definition(piece: str, whole: str, q: Question) -> bool:
    """True when the clipped `piece` of `whole` ends on a word of the question and `whole`
    goes on with a clause that says what it is (see `_DEFINES`)."""
    body = piece.replace(ELLIPSIS, " ").strip().rstrip(",;: ")
    at = whole.find(body)
    last = _WORD.findall(body)[-1:]
    return (at >= 0 and bool(last) and stem(last[0]) in q.stems
            and _DEFINES.match(whole, at + len(body)) is not None)


# A question the notes ask ("Since perplexity 50 gave us a good picture in this example, can
# we always set perplexity to 50 ...?") is answered by the sentence after it ("Sadly, no. If
# we add more points to each cluster, the perplexity has to increase to compensate."): the
# question holds the asker's words, its reply often none of them.
ANSWERED_AFTER = True
# Round 41: a question of the notes chosen after the best sentence, scoring REPLY_TIE of it,
# whose reply fits neither after it nor in its place, takes the room of the sentences chosen
# before it (the best one last): "How much of a difference do those values make?" was quoted
# after a 30-word sentence with no room left for its reply ("In our experience, the most
# important thing is to iterate until reaching a stable configuration."), and a question of
# the notes without its reply answers nothing.
REPLY_ROOM = True
REPLY_TIE = 0.9
# Round 48: when a reply took the place of a sentence chosen before it (the question of the
# notes itself, or a sentence after it), the words left go to the sentences that would have
# joined the answer (fresh38: "Sadly, no. If we add more points ..." replaced a 25-word
# question; the near sentence of its passage that says what perplexity 100 does, 23 words,
# then fits) (`REPLY_REFILL`; False: off).
REPLY_REFILL = True


def _asks(text: str) -> bool:
    return text.rstrip().endswith("?")


def _fitted(s: Scored, q: Question, room: int) -> Scored | None:
    """`s` within `room` words: whole, its clauses that hold the question, or its first
    clauses (a reply need not repeat the question's words); None when nothing fits."""
    if room < MIN_PIECE:
        return None
    if len(s.text.split()) <= room:
        return s
    return clip(s, q, room) or head(s, room - 1)  # the ellipsis: a word


def _with_replies(chosen: list[Scored], scored: Sequence[Scored], q: Question,
                  max_words: int) -> list[Scored]:
    """`chosen` with the reply to each question of the notes in it: the next sentence of its
    passage (not itself a question) joins after it, clipped to the room left; without room,
    the reply takes the place of a sentence chosen after the question (the last first), or of
    the question itself."""
    out = list(chosen)
    for c in chosen:
        if not _asks(c.text):
            continue
        reply = next((s for s in scored if s.candidate.passage_id == c.candidate.passage_id
                      and s.index == c.index + 1), None)
        if reply is None or _asks(reply.text) or any(
                o.candidate.passage_id == reply.candidate.passage_id and o.index == reply.index
                for o in out):
            continue
        at = out.index(c)
        # The reply whole, making room if need be: the sentences chosen after the question
        # go, the last first, then the question itself. Else the reply clipped to the room.
        removable = [*reversed(out[at + 1 :]), c]
        kept = list(out)
        while removable and _words(kept) + len(reply.text.split()) + 2 > max_words:
            kept.remove(removable.pop(0))
        piece: Scored | None = reply
        if (REPLY_ROOM and at > 0 and c.score >= REPLY_TIE * out[0].score
                and _words(kept) + len(reply.text.split()) + 2 > max_words):
            # A question of the notes as good as the best sentence, with its reply, is the
            # answer: the sentences chosen before it go, the last first, to make room.
            before = list(reversed(out[:at]))
            kept = [*out[:at], c]
            while before and _words(kept) + len(reply.text.split()) + 2 > max_words:
                kept.remove(before.pop(0))
            if _words(kept) + len(reply.text.split()) + 2 > max_words:
                kept = list(out)
        if _words(kept) + len(reply.text.split()) + 2 > max_words:
            kept = list(out)
            piece = _fitted(reply, q, max_words - _words(kept) - 2)
        if piece is None:
            continue
        position = kept.index(c) + 1 if c in kept else min(at, len(kept))
        out = [*kept[:position], piece, *kept[position:]]
    return out


# Two sentences side by side in one passage that share most of their words say two things, not
# one twice: "Model parallelism is where multiple computing nodes evaluate the same model with
# the same data, but using different parameters or hyperparameters." and "In contrast to model
# parallelism, data parallelism where the different computing nodes have the same parameters
# but different data." (`_similar` is for a sentence another passage repeats.)


def _beside(a: Scored, b: Scored) -> bool:
    return a.candidate.passage_id == b.candidate.passage_id and abs(a.index - b.index) == 1


def _words(chosen: Sequence[Scored]) -> int:
    return sum(len(c.text.split()) for c in chosen)


TIE = 0.95
# Round 48: the best sentence gives an example ("For example, the following multi-class
# classification dataset is also class-imbalanced because ...: 1,000,000 labels ...", 36
# words) of the sentence right before it, which scores CLAIM_TIE of it and says the claim
# ("Multi-class datasets can also be class-imbalanced."): the claim answers, the example
# follows it clipped to the room left (fresh38: it did not fit after the example). Not when
# the question asks about an example, or quotes a number the example holds and the claim
# does not (`EXAMPLE_CLAIM`; False: off).
EXAMPLE_CLAIM = True
CLAIM_TIE = 0.9


def _claim_first(chosen: list[Scored], scored: Sequence[Scored], q: Question,
                 max_words: int) -> list[Scored]:
    """`chosen`, or the claim the best one (`chosen[0]`) gives an example of first, the
    example clipped after it (see `EXAMPLE_CLAIM`)."""
    best = chosen[0]
    if not gives_example(best.text) or _ASKS_EXAMPLE.search(q.text) or best.index == 0:
        return chosen
    claim = next((s for s in scored if s.candidate.passage_id == best.candidate.passage_id
                  and s.index == best.index - 1), None)
    if (claim is None or claim.score < CLAIM_TIE * best.score or not claim.terms
            or any(c.candidate.passage_id == claim.candidate.passage_id
                   and c.index == claim.index for c in chosen)
            or numbers(q.text) & (numbers(best.text) - numbers(claim.text))):
        # (the question quotes the example's own number: "With epsilon at 0.9, how often
        # ...?" asks about "For example, if epsilon is 0.9, ...")
        return chosen
    n = len(claim.text.split())
    if n > max_words - MIN_PIECE - 2:
        return chosen
    out = [claim]
    piece = _fitted(best, q, max_words - n - 2)
    if piece is not None:
        out.append(piece)
    for c in chosen[1:]:
        if _words(out) + len(c.text.split()) <= max_words:
            out.append(c)
    return out


# Round 45: a sentence of the best one's passage that scores NEAR of it is read with the
# sentences next to the best one (after a neighbour as near, before one that is not) and joins
# as they do (above 1: off): "To combine multiple losses, specify the loss types and
# corresponding weights as lists:", two sentences after the best, lost its place to the
# sentence between them and to another passage's.
NEAR = 0.85
FOLLOWS = 0.6  # a sentence next to a chosen one joins it when it scores this near the best
# Round 31: an answer of fewer than FILL_WORDS words so far takes a sentence that scores FILL
# of the best and fits whole, though it adds none of the question's words (0: off).
FILL = 0.85
FILL_WORDS = 20

# A sentence that leans on the one before it ("In this sense, matrix multiplication is a form
# of traversing over a graph.") says little alone; the one before says what "this" is.
_BACK = re.compile(
    r"^(?:in this (?:sense|way|case)|(?:this|that) (?:is (?:why|because|how)|means|way)|"
    r"thus|therefore|hence|as a result|consequently|for this reason)\b", re.IGNORECASE)
# "This makes training a speech recognizer harder than it might at first seem.", "This choice
# is motivated by ...": a sentence whose subject is what the one before it says.
_THIS_BACK = re.compile(
    r"^(?:(?:this|that)\s+(?:makes|allows|lets|enables|leads|causes|results|explains|gives)"
    r"|(?:this|these)\s+(?:choice|choices|approach|method|technique|step|process|idea|trick"
    r"|procedure|design|problem|issue|observation|result|property)\b)", re.IGNORECASE)
THIS_BACK = True
# "Why ...?": the sentence after the best that gives its reason ("This is because policy
# gradient algorithms extract roughly ~1 bit of information per episode").
_WHY = re.compile(r"^\s*why\b", re.IGNORECASE)
# A sentence that sets up an example ("For example, consider a model that predicts ...") says
# what the example is about; the next one says what it shows.
_SETUP = re.compile(r"^(?:for (?:example|instance),?\s+)?(?:consider|suppose|imagine)\b",
                    re.IGNORECASE)
_REASON = re.compile(r"^(?:(?:this|that|it) is (?:because|due to|since)|because|since|"
                     r"the reason)\b", re.IGNORECASE)


# "Why combine the predictions of several models?": the sentence after the best that says
# what comes of it ("As a result, a loss aggregator can reduce the variance of the
# predictions ...") gives the reason to do it.
_RESULT = re.compile(r"^(?:as a result|therefore|thus|hence|consequently)\b", re.IGNORECASE)
WHY_RESULT = True
# Round 31: "How is X done?": the sentence after the best that says by what means it is done
# ("This can be done by ...", "This is achieved through ...", "To do so, ...") is its answer.
_HOW_ASKED = re.compile(r"^\s*how\s+(?:is|are|was|were|does|do|did|can|could|should|would"
                        r"|will|to)\b", re.IGNORECASE)
_BY_MEANS = re.compile(
    r"^(?:(?:this|that|it|these|they)\s+(?:can|could|may|is|are|was|were)\s+(?:be\s+|being\s+)?"
    r"(?:usually\s+|typically\s+|often\s+|then\s+|also\s+)?(?:done|achieved|accomplished"
    r"|implemented|performed|obtained|computed|calculated|solved|handled|made|carried\s+out)"
    r"\s+(?:by|through|via|with|using|in)\b|to\s+do\s+(?:this|so|that)\b)", re.IGNORECASE)
HOW_MEANS = True


def _asks_about_example(s: Scored) -> bool:
    """True when `s` sets up an example (`_SETUP`) and holds words of the question that its
    passage's names do not: the question is about this example, not about the subject."""
    if not _SETUP.match(s.text):
        return False
    c = s.candidate
    names = {stem(w) for w in _WORD.findall(" ".join([c.concept or "", c.title,
                                                       *c.heading_path]))}
    return bool(s.terms - names)


# A list item read alone lacks what its list is about: "Advantage: Prevents neurons from dying
# during training" is one item under "Leaky ReLU addresses the dying ReLU problem by allowing a
# small gradient when the input is negative:", which a reader may keep as the passage before
# (`Candidate.lead_in`). When the best sentence is such an item and the sentence that
# introduces its list holds words of the question the item lacks (the list's subject) and
# scores nearly as well, the introduction answers and the item follows it.
LIST_INTRO = 0.8


def list_intro(scored: Sequence[Scored], q: Question) -> Scored | None:
    """The sentence that introduces the best sentence's list (see LIST_INTRO), or None."""
    best = scored[0] if scored else None
    if best is None or not best.candidate.lead_in:
        return None
    lead = " ".join(strip_list_marker(best.candidate.lead_in).split())
    intro = next((s for s in scored[1:] if s.candidate.passage_id != best.candidate.passage_id
                  and s.candidate.span.path == best.candidate.span.path
                  and s.text.endswith(lead)), None)
    if (intro is None or intro.score < LIST_INTRO * best.score or not (intro.terms - best.terms)
            or _COUNTS_ITEMS.search(intro.text)):
        return None
    return intro


# "We can understand the intuition behind Thompson sampling by two observations:" says that
# items follow and how many, not what they say: the item answers alone.
_COUNTS_ITEMS = re.compile(r"\b(?:two|three|four|five|six|seven|eight|nine|ten|several|a few"
                           r"|\d+)\s+(?:\w+\s+)?\w+\s*:\s*$", re.IGNORECASE)


def _partner(scored: Sequence[Scored], q: Question) -> Scored | None:
    """The sentence the best one cannot do without: the one before it when it opens by
    pointing back (`_BACK`), or, for a why-question, the one after it when that one gives the
    reason (`_REASON`)."""
    best = scored[0]

    def beside(step: int) -> Scored | None:
        return next((s for s in scored if s.candidate.passage_id == best.candidate.passage_id
                     and s.index == best.index + step), None)

    if _BACK.match(best.text) or (THIS_BACK and _THIS_BACK.match(best.text)):
        return beside(-1)
    after = beside(1)
    if after is None:
        return None
    if _SETUP.match(best.text):
        return after
    if _WHY.match(q.text) and (_REASON.match(after.text)
                               or (WHY_RESULT and _RESULT.match(after.text))):
        return after
    if HOW_MEANS and _HOW_ASKED.match(q.text) and _BY_MEANS.match(after.text):
        # "How are tokens turned into IDs?": "These tokens can then be converted into IDs
        # ..." says that it is done, the next one how ("This can be done by directly feeding
        # the sentence to the tokenizer, ...").
        if len(best.text.split()) + len(after.text.split()) <= MAX_WORDS - 2:
            return after
        return head(after, MAX_WORDS - len(best.text.split()) - 3)
    # A best sentence that only names its subject ("Another important operation for
    # Gaussian processes is conditioning.") and the next one that goes on about it ("It is
    # used to determine ..."), when both fit in the answer.
    if (_GOES_ON.match(after.text) or (OPENS_WITH_SUBJECT and _opens_with(after.text, q))) and (
            len(best.text.split()) + len(after.text.split()) <= MAX_WORDS - 2):
        return after
    # One that goes on about it ("It tries to maintain the same cosine similarity ...") but
    # is too long to join whole joins with its first clauses: they say what "it" does.
    if _GOES_ON.match(after.text):
        return head(after, MAX_WORDS - len(best.text.split()) - 3)  # the ellipsis: a word
    return None


def head(s: Scored, budget: int) -> Scored | None:
    """`s` cut to its first clauses within `budget` words (at least MIN_PIECE), marked with an
    ellipsis; None when its first clause alone is longer."""
    masked = mask(s.text)
    cuts = [m.end() for m in _CLAUSE_END.finditer(masked)]
    text = next((s.text[:c].rstrip(",;: ") for c in reversed(cuts)
                 if MIN_PIECE <= len(s.text[:c].split()) <= budget), None)
    if text is None:
        return None
    return Scored(s.candidate, s.index, f"{text} {ELLIPSIS}", s.raw, s.start, s.end, s.coverage,
                  s.meaning, s.score, s.terms, s.about, s.confidence)


OPENS_WITH_SUBJECT = True


def _opens_with(text: str, q: Question) -> bool:
    """True when `text` opens with two of the question's words ("Continuous batching removes
    finished sequences ..." for "how does continuous batching make generation faster?")."""
    first = _WORD.findall(text)[:2]
    return len(first) == 2 and all(
        w.casefold() not in STOPWORDS and stem(w) in q.stems for w in first)


_GOES_ON = re.compile(r"^(?:it|they|its|their)\s", re.IGNORECASE)
LEAD = 0.85  # the entry's first sentence leads a definition when it scores this near the best


def definition_lead(scored: Sequence[Scored], q: Question) -> Scored | None:
    """For "what is X?", the first sentence of X's entry when the best sentence is a later
    one of that entry and the first scores nearly as well: glossaries define in their first
    sentence ("A mechanism used in a neural network that indicates the importance of ..."),
    and later sentences that repeat the question's words elaborate on it."""
    if not LEAD or not scored or stands_for(q.text, means=False) or not (
            DEFINITION.match(q.text) or _WHAT_IS.match(q.text)
            or (LEAD_DOES and _DOES_TO.match(q.text))):
        return None
    best = scored[0]
    asked = asked_words(q.text)
    # A passage the question names more closely than the best one's ("Linear" on the page
    # "Activation Functions" for "what does a linear activation function do?", over a page
    # on activation functions in general): its first sentence leads when nearly as good.
    # A first sentence about the text ("The term X comes from the paper ...") defines nothing.
    closer = [s for s in scored[1:LEAD_POOL]
              if s.index == 0 and s.score >= LEAD * best.score and not _meta_penalty(s.text)
              and _named_count(s.candidate, asked) > _named_count(best.candidate, asked)]
    if closer:
        return max(closer, key=lambda s: _named_count(s.candidate, asked))
    if not best.about:
        return None
    # The best may open a later passage of the entry ("The confusion matrix for a multi-class
    # problem ..." opens its second section): the entry's own opening, above it, still leads.
    firsts = [s for s in scored[1:LEAD_POOL]
              if s.about and s.index == 0 and s.score >= LEAD * best.score
              and not _meta_penalty(s.text)
              and _same_entry(s.candidate, best.candidate)
              and (_above(s.candidate, best.candidate) or (best.index > 0 and (
                  not LEAD_ABOVE or s.candidate.passage_id == best.candidate.passage_id
                  or s.candidate.span.path != best.candidate.span.path
                  or _named_section(s.candidate, best.candidate, asked))))]
    # The entry's opening passage: its first sentence says what the thing is; the first
    # sentence of a later section ("Cons") does not.
    first = min(firsts, key=lambda s: (s.candidate.span.path != best.candidate.span.path,
                                       s.candidate.span.start_line), default=None)
    led = _subject_led(scored, q, best) if SUBJECT_LEAD else None
    if led is not None and _place(led, best) < _place(best, best) and (
            first is None or _place(led, best) < _place(first, best)
            or _REFERS_BACK.match(first.text)):
        return led
    return first


# Round 35: "what does dropout do?" on a book's section "Dropout" of four paragraphs was
# answered by "The only gotcha is that we still want the weights to be properly scaled.", the
# first sentence of its second paragraph, not "Dropout solves this by reducing the model's
# dependency on ..." above it (a new user's notes): the sentence whose subject is the thing
# asked about says what it is or does. It leads when it scores nearly as well as the best,
# in the best's entry, above the best, and above the first sentence that would lead otherwise
# (or that one refers back). A glossary's definition opens its entry without naming it
# ("Values distant from most other values."): a later "Outliers are often caused by ..."
# does not lead it (dev set, tune and report).
SUBJECT_LEAD = True
_DEFINED = re.compile(
    r"^\s*what\s+(?:is|are|does|do)\s+(?:an?\s+|the\s+)?(?P<x>[\w.+/-]+(?:\s+[\w.+/-]+)??)"
    r"(?:\s+do)?\s*\??\s*$", re.IGNORECASE)


# A first sentence that refers back ("Like weight decay, this trick is only on while ...",
# "It is ...") goes on from what came before: it says what the thing is less than a sentence
# that names it.
_REFERS_BACK = re.compile(r"^(?:[^,.]{0,40},\s+)?(?:this|these|that|those|it|they)\b",
                          re.IGNORECASE)


def _place(s: Scored, best: Scored) -> tuple[bool, int, int]:
    c = s.candidate
    return (c.span.path != best.candidate.span.path, c.span.start_line, s.index)


def _subject_led(scored: Sequence[Scored], q: Question, best: Scored) -> Scored | None:
    """The first sentence (in file order) of the best's entry that opens with what the
    question asks about ("Dropout solves ..." for "what does dropout do?") and scores within
    LEAD of the best; None when the best opens so itself."""
    m = _DEFINED.match(q.text)
    if m is None:
        return None
    want = tuple(_form(w) for w in re.findall(r"\w[\w'-]*", m.group("x")))
    if not want or any(w in STOPWORDS for w in want):
        return None

    def opens(s: Scored) -> bool:
        return sentence_subject(s.text)[: len(want)] == want and not s.text.endswith("?")

    if opens(best):
        return None
    led = [s for s in scored[1:LEAD_POOL]
           if s.about and s.score >= LEAD * best.score and not _meta_penalty(s.text)
           and _same_entry(s.candidate, best.candidate) and opens(s)]
    return min(led, key=lambda s: _place(s, best), default=None)


LEAD_POOL = 20
# The entry's opening is above its later sentences: in one file, the first sentence of a
# passage below the best one ("> Textual entailment can be illustrated with examples ...",
# a quote after "Textual entailment refers to drawing a relation ...") opens an aside, unless
# that passage is a section the question names (`_named_section`).
LEAD_ABOVE = True


def _named_section(a: Candidate, b: Candidate, asked: str) -> bool:
    """Passage `a` is a section of its own (a heading path other than `b`'s) that the question
    names by its heading: "Pros" under "ReLU" for "what are the advantages of ReLU?"."""
    if a.heading_path == b.heading_path or not a.heading_path:
        return False
    # Each word as the question's words are stemmed ("Pros" is "pros", which "advantages"
    # is too; its normalised name form is "pro").
    words = [w for w in _WORD.findall(a.heading_path[-1]) if w.casefold() not in STOPWORDS]
    return bool(words) and all(
        f" {stem(w)} " in asked or f" {_name_stem(w)} " in asked for w in words)
# "what is attention in a neural network?", "what is a model's backbone?", "what does the
# sigmoid activation do?"
_WHAT_IS = re.compile(
    r"^\s*(?:what\s+(?:is|are)\s+(?:an?\s+|the\s+)?(?:[\w.+/-]+\s+){0,2}?[\w.+/-]+"
    r"(?:'s\s+[\w-]+|\s+in\s+(?:an?\s+|the\s+)?(?:[\w-]+\s+){0,2}[\w-]+)"
    r"|what\s+does\s+(?:an?\s+|the\s+)?(?:[\w.+/-]+\s+){0,2}?[\w.+/-]+\s+do"
    # "what does it mean when a generative model hallucinates?"
    r"|what\s+does\s+it\s+mean\s+(?:when|if|that|to|for)\s+[^?]+)\s*\??\s*$",
    re.IGNORECASE)


# "What does Z-score normalization turn a raw value into?", "what does EMD measure?": what a
# thing does to its input is what its entry's first sentence says.
_DOES_TO = re.compile(
    r"^\s*what\s+does\s+(?:an?\s+|the\s+)?(?:[\w.+/-]+\s+){0,2}?[\w.+/-]+\s+(?:turn|turns"
    r"|convert|map|replace|measure|compute|calculate|return|produce|output|transform|represent"
    r"|describe|capture)\b", re.IGNORECASE)
LEAD_DOES = True


def _above(a: Candidate, b: Candidate) -> bool:
    """Whether passage `a` starts above passage `b` in the same file."""
    return a.span.path == b.span.path and a.span.start_line < b.span.start_line


def _same_entry(a: Candidate, b: Candidate) -> bool:
    """Two passages of one entry: one concept, or one section of one file."""
    if a.passage_id == b.passage_id:
        return True
    if a.concept_id is not None and a.concept_id == b.concept_id:
        return True
    return a.span.path == b.span.path and bool(a.heading_path) and (
        a.heading_path == b.heading_path)


TWIN = 0.9  # a sentence of another file this near the best that says the same is its twin
TWIN_POOL = 12


def prefer_named(scored: Sequence[Scored], q: Question) -> list[Scored]:
    """When two files say the same thing (the best sentence and a near-equal twin from another
    file), the one the question is about leads: the one whose concept, title or heading the
    question names ("GAN" over "mode collapse" for a sentence both entries copy), then the
    one it names first ("is face verification easier than face recognition?"). Otherwise
    the order stands: a longer name ("bias term" over "bias") is no reason to move. An entry
    that only points to another found gives way to it (`REDIRECT_TARGET`)."""
    out = _redirects_followed(scored, q) if REDIRECT_TARGET else list(scored)
    if len(out) < 2:
        return out
    best = out[0]
    twins = [s for s in out[1:TWIN_POOL]
             if s.candidate.span.path != best.candidate.span.path
             and s.score >= TWIN * best.score and _similar(s.text, best.text)]
    if not twins:
        return out
    asked = asked_words(q.text)

    # Named at the same place, the entry whose own name (concept or title) it is leads the
    # file that has it as a section ("Stride (convolution)" over "Convolution" > "Stride").
    def rank(s: Scored) -> tuple[bool, int, int]:
        c = s.candidate
        return (not names(c, asked), _named_at(c, asked),
                _at(name_forms(c.concept, c.title), asked))

    lead = min([best, *twins], key=rank)  # min keeps the first (the best) on a tie
    if lead is best:
        return out
    return [lead, *(s for s in out if s is not lead)]


def _named_at(cand: Candidate, asked: str) -> int:
    """Where in the question (`asked_words`) the passage's name first occurs (large: never)."""
    return _at(_name_forms(cand), asked)


def _at(forms: frozenset[str], asked: str) -> int:
    at = [asked.find(f" {n} ") for n in forms]
    return min((i for i in at if i >= 0), default=len(asked))


def _similar(a: str, b: str) -> bool:
    wa = {w.casefold() for w in _WORD.findall(a)}
    wb = {w.casefold() for w in _WORD.findall(b)}
    if not wa or not wb:
        return False
    return len(wa & wb) / min(len(wa), len(wb)) >= 0.7


_MATH = re.compile(r"\$\$.+?\$\$|\$[^$]+\$", re.DOTALL)


def numbers(text: str) -> set[str]:
    """The values a sentence states in prose (0.999, 5%, 1,000), not digits inside formulas
    or lone small integers ("to 0", "step 2")."""
    prose = _MATH.sub(" ", text)
    return {m.group(0).rstrip("%") for m in _NUMBER.finditer(prose)
            if len(m.group(0).rstrip("%")) > 1}


def conflict(a: Scored, b: Scored, q: Question) -> str | None:
    """"value" when two sources give different numbers for the same thing, "definition" when
    they define the asked concept in unrelated words, else None."""
    if a.candidate.span.path == b.candidate.span.path:
        return None
    shared = a.terms & b.terms
    if len(shared) < min(2, len(q.stems)):
        shared = frozenset()
    na, nb = numbers(a.text), numbers(b.text)
    if shared and na and nb and not (na & nb) and len(na) <= 3 and len(nb) <= 3:
        return "value"
    wa = {stem(w) for w in content_words(a.text)}
    wb = {stem(w) for w in content_words(b.text)}
    if wa and wb and len(wa & wb) / len(wa | wb) < 0.08:
        return "definition"
    return None
