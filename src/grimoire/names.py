"""Names: the lookup key of a name, and the aliases a term states about itself.

`normalize` folds what does not change a name's meaning: case, accents, hyphens and
punctuation, and a plural `s` on the last word (`MOE` = `MoE`, `L1-regularization` =
`l1 regularization`, `Transformers` = `transformer`).

`parse_term` splits a glossary heading into what it states: `Low-Rank Adaptation (LoRA)
Fine-Tuning` is the acronym `LoRA` of the expansion `Low-Rank Adaptation`, of kind
`Fine-Tuning`. `term_names` lists every name a term and its definition state, each with the
reason, so that a merge made on one of them can say why.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_NON_WORD = re.compile(r"[^\w]+")
_ASCII_WORD = re.compile(r"[a-z0-9]+")
# Words whose final "s" is not a plural: "bias" is not "bia" and "series" is not "sery".
_NOT_PLURAL = frozenset({"series", "species", "news", "physics", "statistics", "mathematics",
                         "analytics", "economics", "ethics", "robotics", "linguistics",
                         "semantics", "dynamics", "optics", "genomics", "kinematics",
                         "bayes", "lens", "pandas", "keras"})


@lru_cache(maxsize=1 << 16)
def normalize(name: str) -> str:
    """The lookup key of a name.

    >>> normalize("Mixture-of-Experts") == normalize("mixture of expert") == "mixture of expert"
    True
    """
    if name.isascii():
        # The same words as below: in ASCII a word character is a letter, a digit or `_`,
        # and `_` parts words. One pass, a third of the time on a long line (issue 14).
        words = _ASCII_WORD.findall(name.lower())
    else:
        text = unicodedata.normalize("NFKD", name)
        text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
        words = _NON_WORD.sub(" ", text.replace("_", " ")).split()
    if words:
        words[-1] = _singular(words[-1])
    return " ".join(words)


def _singular(word: str) -> str:
    # Only the safe plural: "losses" and "ss"/"us"/"is"/"as" endings stay as they are.
    if word in _NOT_PLURAL:
        return word
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "as")):
        if word.endswith("ies") and len(word) > 4:
            return word[:-3] + "y"
        return word[:-1]
    return word


# -- what a term states ----------------------------------------------------------------------

# Trailing words that say what kind of thing a term names, longest first, as glossaries write
# them after the name ("LangChain Python Module", "Leopold Aschenbrenner Person").
KIND_WORDS: tuple[str, ...] = (
    "Python Module", "Python Library", "Python Package", "JavaScript Library", "Model Family",
    "Activation Function", "Fine-Tuning", "Benchmark",
    "Dataset", "Algorithm", "Function", "Model", "Company", "Person", "Framework",
    "Architecture", "Application", "Library", "Module", "Package", "Technique", "Method",
    "Metric", "Startup", "Organization", "Conference", "Competition", "Challenge", "Product",
    "Platform", "Service", "Serving", "Tool", "Toolkit", "Paper", "Book", "Course",
    "Institute", "University", "Lab", "Hardware", "Chip", "Processor", "Project",
)
# last word -> kinds ending in it, longest first
_KINDS_BY_LAST: dict[str, list[str]] = {}
for _kind in sorted(KIND_WORDS, key=len, reverse=True):
    _KINDS_BY_LAST.setdefault(_kind.split()[-1].casefold(), []).append(_kind)

# "Expansion (ACR) Kind" or "ACR (Expansion)": one parenthesised group, text around it.
_PAREN = re.compile(r"^(?P<before>[^()]*?)\s*\((?P<inside>[^()]+)\)\s*(?P<after>[^()]*)$")
_FULL_WIDTH = str.maketrans("\uff08\uff09", "()")
# A definition that opens by spelling the term out: "Mixture Of Experts (MOE) is ..."
_DEF_PAREN = re.compile(r"^\s*(?P<long>[^()\n.;:]{3,100}?)\s*\((?P<short>[^()\s]{2,20})\)")
# "Named entity recognition - Mark each word ..." : a spelled-out acronym before a dash.
_DEF_DASH = re.compile(
    r"^\s*(?P<long>[A-Za-z][\w'-]*(?:\s+[\w'-]+){1,8}?)\s*(?:\s[-\u2013\u2014:]\s|[.:])"
)


@dataclass(frozen=True, slots=True)
class TermName:
    """What a heading says about the concept it names.

    `label` is the term without its kind word; `base` also without the acronym.
    """

    term: str
    label: str
    base: str
    acronym: str | None = None
    expansion: str | None = None
    kind: str | None = None
    qualifier: str | None = None  # a disambiguator such as "(architecture)"
    halves: tuple[str, ...] = ()  # "Eigenvector / Eigenvalue": each half finds the term


@dataclass(frozen=True, slots=True)
class StatedName:
    """One name for a concept, and why: "term", "acronym", "expansion", "short form",
    "definition", "without kind", "without qualifier".

    `strength` 3 is the term itself, 2 a name the source states (may merge concepts), 1 a name
    derived by us (used to find a concept, never to merge two).
    """

    name: str
    reason: str
    strength: int


@lru_cache(maxsize=1 << 14)
def parse_term(term: str) -> TermName:
    """Split a heading into label, acronym, expansion and kind.

    >>> t = parse_term("Low-Rank Adaptation (LoRA) Fine-Tuning")
    >>> (t.acronym, t.expansion, t.kind, t.label)
    ('LoRA', 'Low-Rank Adaptation', 'Fine-Tuning', 'Low-Rank Adaptation (LoRA)')
    """
    text = " ".join(term.split())
    paired = _paired(text)
    if paired is not None:
        return paired
    # Each pattern here needs its own mark in the text; a lazy group tried at every length
    # fails slowly on a term without it, as most are (issue 14: every heading of a note).
    # CJK text writes its brackets full-width: "Adam\uff08Adaptive Moment Estimation\uff09"
    # (qa49b: a Chinese course's notes, and `show Adam` found nothing).
    shape = text.translate(_FULL_WIDTH) if "\uff08" in text else text
    m = _PAREN.match(shape) if "(" in shape else None
    if m is None:
        base, kind = _split_kind(text)
        return TermName(term=text, label=base, base=base, kind=kind)
    before, inside, after = m["before"].strip(), m["inside"].strip(), m["after"].strip()
    if not before:
        base, kind = _split_kind(text)
        return TermName(term=text, label=base, base=base, kind=kind)
    if after and not after[0].isupper():
        # "bias (math) or bias term": the brackets sit inside a phrase; take it whole.
        return TermName(term=text, label=text, base=text)
    kind = after or None
    label = f"{before} ({inside})"
    # "AUC (Area under the ROC curve)": a short name, then its long form in brackets.
    # A lower-case aside that does not spell the name out is a disambiguator: "YOLOv2 (object
    # detection algorithm)" and "YOLO (object detection algorithm)" stated one long form and
    # were merged (round 36); "ReLU (rectified linear unit)" spells it out.
    if " " not in before and len(inside.split()) > 1 and looks_like_acronym(before) \
            and (is_abbreviation(before, inside) or not re.fullmatch(r"[a-z _]+", inside)):
        return TermName(term=text, label=label, base=before, acronym=before, expansion=inside,
                        kind=kind)
    acronymish = looks_like_acronym(inside) or (
        len(inside.split()) <= 3
        and all(looks_like_acronym(w) or w.isupper() for w in inside.split())
    )
    if (acronymish and is_abbreviation(inside, before)) or _shared_head(before, inside):
        return TermName(term=text, label=label, base=before, acronym=inside, expansion=before,
                        kind=kind)
    if re.fullmatch(r"[a-z _]+", inside):
        # "Transformer (architecture)": a disambiguator, not another name.
        return TermName(term=text, label=label, base=before, kind=kind, qualifier=inside)
    # A name in another script is a translation, told apart as a qualifier is:
    # "Adagrad (\u81ea\u9002\u5e94...)" is found as "Adagrad" (qa49b).
    if " " not in inside and not _qualifies_title(before, inside) and inside.isascii():
        # "Dataset API (tf.data)": a short form that is not the initials.
        return TermName(term=text, label=label, base=before, acronym=inside, kind=kind)
    return TermName(term=text, label=label, base=before, kind=kind, qualifier=inside)


def _shared_head(before: str, inside: str) -> bool:
    """Whether the bracket repeats the title's first words and abbreviates the rest:
    "1-bit Stochastic Gradient Descent (1-bit SGD)" (round 36: `show "1-bit SGD"` found
    nothing, the bracket read as a qualifier)."""
    words, short = before.split(), inside.split()
    k = 0
    while k < min(len(words), len(short)) - 1 and words[k].casefold() == short[k].casefold():
        k += 1
    rest = short[k:]
    return k > 0 and len(words) - k >= 2 and len(rest) == 1 \
        and (looks_like_acronym(rest[0]) or rest[0].isupper()) \
        and is_abbreviation(rest[0], " ".join(words[k:]))


# A title and its subtitle: "DSA — A to Z", "Week 3: CNNs", "Attention - the basics"; two
# hyphens are a dash as a typewriter writes one ("CLIP -- Contrastive Language-Image
# Pre-training", round 48: a Korean wiki's titles).
SUBTITLE = re.compile(r"\s+(?:--|[\u2014\u2013-])\s+|:\s+")


def _qualifies_title(before: str, inside: str) -> bool:
    """Whether the word in brackets after a title with a subtitle says what the page is
    written in or for ("DSA — A to Z (Python)", "Week 3: CNNs (PyTorch)"), not another name
    of it: read as a short form, a course's index page merged with the language's own note
    (round 31, a public repository of course notes). A short form of one of the title's
    parts stays one ("Regression: Mean Squared Error (MSE)")."""
    parts = [p.strip() for p in SUBTITLE.split(before)]
    return len(parts) > 1 and not any(p and is_abbreviation(inside, p) for p in parts)


# "PCA - Principal Component Analysis", "PCA: Principal Component Analysis", "Leaky ReLU / LReLU"
_PAIR = re.compile(
    r"^(?P<a>[^()/:]+?)\s*(?P<sep>\s(?:--|[-\u2013\u2014])\s|:\s|\s/\s|/)\s*(?P<b>[^()/:]+)$"
)
# With one colon or slash in the text, only it can be the separator (neither side may hold
# one): each dash before it had `b` scanned to it and failed, quadratic on a link target of
# many " - " (8,000: 3.3 s in ingest's resolve, no reader budget there; audit30).
_PAIR_AT_ONE = re.compile(
    r"^(?P<a>[^()/:]+?)\s*(?P<sep>:\s|\s/\s|/)\s*(?P<b>[^()/:]+)$"
)


def _paired(text: str) -> TermName | None:
    """Two names joined by a dash, colon or slash, when one is plainly the other's acronym;
    a slash between two names that are not ("Eigenvector / Eigenvalue") keeps the whole as
    the term and lets each half find it (issue 10, defects 9 and 11)."""
    if "/" not in text and ":" not in text and "-" not in text and "\u2013" not in text \
            and "\u2014" not in text:
        return None  # no separator `_PAIR` could match
    if "(" in text or ")" in text:
        return None  # neither side may hold one
    marks = text.count(":") + text.count("/")
    if marks > 1:
        return None  # the separator holds one at most, neither side any
    m = (_PAIR_AT_ONE if marks else _PAIR).match(text)
    if m is None:
        return None
    a, b, sep = m["a"].strip(), m["b"].strip(), m["sep"].strip()
    if not a or not b:
        return None
    for short, long in ((a, b), (b, a)):
        if " " not in short and (looks_like_acronym(short) or short.isupper()) \
                and len(long.split()) >= 2 and is_abbreviation(short, long):
            return TermName(term=text, label=text, base=long, acronym=short, expansion=long)
    if sep == "/" and len(a.split()) <= 4 and len(b.split()) <= 4:
        return TermName(term=text, label=text, base=text, halves=(a, b))
    return None


_POSSESSIVE = ("'s", "\u2019s", "s'", "s\u2019")


def _split_kind(text: str) -> tuple[str, str | None]:
    # Case matters: "LangChain Python Module" ends in a kind, "large language model" does not.
    for kind in _KINDS_BY_LAST.get(text.rsplit(" ", 1)[-1].casefold(), ()):
        k = kind
        if text.endswith(" " + k) and len(text) > len(k) + 1:
            base = text[: -len(k)].rstrip(" -")
            # "Newton's Method", "Lloyd's Algorithm": a possessive is not a name on its own.
            if base and not base.endswith(_POSSESSIVE):
                return base, text[-len(k):]
    return text, None


def _generic_word(text: str) -> bool:
    """A single plain word ("Loss", "Learning"): too general to stand for a longer term."""
    return " " not in text and text[1:].islower() and not any(c.isdigit() for c in text)


def looks_like_acronym(text: str) -> bool:
    """A short token with capitals or digits: `LoRA`, `GPT-4`, `KSVMs`, `tf.data`."""
    t = text.strip()
    if not t or " " in t or len(t) > 16:
        return False
    return sum(c.isupper() for c in t) >= 2 or (t[0].isupper() and any(c.isdigit() for c in t)) \
        or "." in t


def is_abbreviation(short: str, long: str) -> bool:
    """Whether `short` can be read off `long`, its first letter starting a word.

    Schwartz & Hearst (2003): match the short form's characters right to left in the long
    form, the first one at a word start. `LoRA` fits `Low-Rank Adaptation`, `LLaMA` fits
    `Large Language Model Meta AI`; `tf.data` does not fit `Dataset API`.
    """
    s = [c for c in short.casefold() if c.isalnum()]
    lf = long.casefold()
    if not s or not lf:
        return False
    if s[-1] == "s" and len(s) > 2 and short[-1] == "s" and short[:-1].isupper():
        s = s[:-1]  # a plural acronym: KSVMs
    li = len(lf) - 1
    for si in range(len(s) - 1, -1, -1):
        c = s[si]
        while li >= 0 and (lf[li] != c or (si == 0 and li > 0 and lf[li - 1].isalnum())):
            li -= 1
        if li < 0:
            return False
        li -= 1
    return lf.split()[0][0] == s[0] if lf.split() else False


def initials_match(short: str, long: str) -> bool:
    """Whether `short` is exactly the initials of the words of `long` (`NER`, `Named entity
    recognition`); stricter than `is_abbreviation`, for unbracketed spellings."""
    words = [w for w in re.split(r"[\s-]+", long) if w]
    s = "".join(c for c in short.casefold() if c.isalnum())
    return len(words) >= 2 and "".join(w[0].casefold() for w in words) == s


# Resolve asks twice for each entry, one call after the other (`term_names`, then
# `merge.entry_claims` for the entry's long form): 18,000 runs for 10k notes' 9,000
# definitions, 14,000 remembered (issue 14).
@lru_cache(maxsize=256)
def definition_expansion(term: str, definition: str) -> str | None:
    """The long form a definition opens with, when it spells out the term.

    >>> definition_expansion("MOE", "Mixture Of Experts (MOE) is a mechanism ...")
    'Mixture Of Experts'
    """
    key = normalize(term)
    if not key or len(term) > 24:
        return None
    head = definition.lstrip()[:200]
    m = _DEF_PAREN.match(head) if "(" in head else None
    if m and normalize(m["short"]) == key and is_abbreviation(m["short"], m["long"]):
        return " ".join(m["long"].split())
    if looks_like_acronym(term) or term.isupper():
        d = _DEF_DASH.match(head)
        if d and initials_match(term, d["long"]):
            return " ".join(d["long"].split())
    return None


# "ADAM, or Adaptive Moment Estimation, is ...": a definition opening with the first word of
# its term, an acronym, and what it stands for.
_DEF_OR = re.compile(
    r"^\s*(?P<short>[^\s,()]{2,16}),?\s+(?:or|\(or)\s+(?P<long>[^()\n.;:,]{3,100}?)\s*[,)]")


def definition_short_form(term: str, definition: str) -> tuple[str, str] | None:
    """The acronym a term starts with and its long form, when the definition opens by
    spelling it out: the term "ADAM Optimizer" and "ADAM, or Adaptive Moment Estimation, is
    ..." (round 36: `show ADAM` found nothing). Names that find the concept, never merge it.

    >>> definition_short_form("ADAM Optimizer", "ADAM, or Adaptive Moment Estimation, is a")
    ('ADAM', 'Adaptive Moment Estimation')
    >>> definition_short_form("ADAM Optimizer", "ADAM, or any other method, is a")
    """
    head = definition.lstrip()[:200]
    m = _DEF_OR.match(head) if " or " in head else None
    if m is None:
        return None
    short, long = m["short"], " ".join(m["long"].split())
    first = term.split(None, 1)
    if len(first) < 2 or first[0] != short or not (looks_like_acronym(short) or short.isupper()):
        return None
    return (short, long) if initials_match(short, long) or (is_abbreviation(short, long) \
        and len(long.split()) >= 2) else None


# The kind words that are also the head of many a name in machine learning ("Generative
# Model", "Loss Function", "Genetic Algorithm", "Learning Method"): dropped only after a coined
# name (`GPT-4 Model`, `LLMGraphTransformer Model`, `REINFORCE Policy Gradient Algorithm`).
# The other kinds follow a name in a glossary ("LangChain Python Module", "Liquid AI Company",
# "Ludwig Framework") and are dropped as before.
_HEAD_KINDS = frozenset({
    "Model", "Function", "Activation Function", "Algorithm", "Method", "Technique",
    "Architecture", "Metric",
})
# Kinds that only say what the name before them is (a person, a company, a Python module).
_ANNOTATIONS = frozenset({
    "Python Module", "Python Library", "Python Package", "JavaScript Library", "Model Family",
    "Person", "Company", "Startup", "Organization", "University", "Institute", "Lab",
})
# A word that makes a coined name of the words before a kind: a capital inside it
# (`LangChain`, `LiveBench`), a digit (`GPT-4`), or two capitals or more (`LM`, `REINFORCE`).
_NAME_WORD = re.compile(r"\w[A-Z]|\d|^[A-Z]{2,}")


# The reason of the words before a kind word the label keeps (`keeps_kind`): a name resolve
# matches by and no face shows (`concept_records.MATCHING_ONLY`).
HEADLESS = "without head word"


_ARTICLE = re.compile(r"(?:The|An?)\s")


def keeps_kind(parsed: TermName) -> bool:
    """Whether a term's kind word is part of its name: where it heads the name ("Generative
    Model", "Loss Function", the paper "A Neural Conversational Model", "Labeling Service"),
    or after a bracketed acronym that leaves the name without a head ("Kullback-Leibler (KL)
    Divergence"); not after a coined name (`GPT-4 Model`, `LangChain Python Module`) or one a
    kind annotates (a person, a company). The one rule of the label (`merge.labelled`) and of
    the names a term states (`term_names`: the name without a kept kind is `HEADLESS`,
    matched, never shown)."""
    kind = parsed.kind
    if kind is None:
        return False
    label = parsed.label
    if _ARTICLE.match(label):
        # "The Lean Startup", "The PPO Algorithm": after an article the words are one title
        # (labelled "The Lean" and "The PPO" until round 47), as "A Neural Conversational
        # Model" is.
        return True
    if kind in _ANNOTATIONS:
        return False
    if "(" in label:
        if parsed.acronym is None:
            # Words after an aside that are no kind word go on with the name: a paper's title
            # "A Sensitivity Analysis of (and Practitioners' Guide to) Convolutional Neural
            # Networks for Sentence Classification" lost its second half (round 36).
            return kind not in KIND_WORDS
        return _tail_named(parsed, kind)
    coined = any(_NAME_WORD.search(w) for w in label.replace("-", " ").split())
    # a head of the name, or a kind after one plain word ("Labeling Service": `Labeling`)
    return not (coined or (kind not in _HEAD_KINDS and not _plain_word(label)))


# The last word of a long form that is a noun of action: Generation, Encoding, Adjustment.
_ACTION_NOUN = re.compile(r"(?:tion|sion|ing|ment)$", re.IGNORECASE)


def _tail_named(parsed: TermName, tail: str) -> bool:
    """Whether the words after a bracketed acronym belong to the name: words that are not a
    kind word after a long form that needs a head ("Kullback-Leibler (KL) Divergence",
    "Receiver Operating Characteristic (ROC) Curve", "Part-of-Speech (POS) Tagging" were
    labelled `Kullback-Leibler (KL)` ...), and a kind word the acronym spells with the words
    before it ("Large Language (LLM) Model"); not a kind word the acronym leaves out
    ("Low-Rank Adaptation (LoRA) Fine-Tuning")."""
    acronym, long = parsed.acronym or "", parsed.expansion or parsed.base
    if tail not in KIND_WORDS:
        # A long form headed by a noun of action is a whole name: what follows says what uses
        # it ("Retrieval-Augmented Generation (RAG) System", "Byte-Pair Encoding (BPE)
        # Tokenizer"). One headed by a name or an adjective needs the tail as its head.
        return not _ACTION_NOUN.search(long)
    return bool(long) and not is_abbreviation(acronym, long) \
        and is_abbreviation(acronym, f"{long} {tail}")


def _plain_word(text: str) -> bool:
    """One word, capitalised at most: "Labeling", "Iris"; not "LangChain" or "AI"."""
    return " " not in text and text[1:].islower()


# An English name, then a Chinese or Japanese one (two characters or more).
_ENGLISH_THEN_CJK = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*(?: [A-Za-z][A-Za-z0-9+.-]*)*)"
                               r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]{2,})")


def english_name(term: str) -> str | None:
    """The English name a term written in Chinese opens with, run into the Chinese one:
    "CNN卷积神经网络", "Few-shot Learning小样本学习" (qa47: a wiki in Chinese titled its notes
    so, and `show CNN` found nothing). Not a word that only modifies the noun after it
    ("Logistic回归"), nor the subject of a part about it ("PCA的优缺点", with the possessive
    的). A name for finding the concept, not for what a heading is: the readers never ask.

    >>> english_name("CNN卷积神经网络"), english_name("Logistic回归"), english_name("PCA的优缺点")
    ('CNN', None, None)
    """
    m = None if term.isascii() else _ENGLISH_THEN_CJK.fullmatch(term)
    if m is None or "\u7684" in m[2] or not (looks_like_acronym(m[1]) or " " in m[1]):
        return None
    return m[1]


def term_names(term: str, definition: str = "", aliases: tuple[str, ...] = ()) -> list[StatedName]:
    """Every name a term states, with its reason and strength; the term itself first.

    >>> [(n.name, n.reason) for n in term_names("LangChain Python Module")]
    [('LangChain Python Module', 'term'), ('LangChain', 'without kind')]
    """
    parsed = parse_term(term)
    found: list[StatedName] = [StatedName(parsed.term, "term", 3)]
    if parsed.acronym:
        reason = "acronym" if is_abbreviation(parsed.acronym, parsed.base) or parsed.expansion \
            else "short form"
        found.append(StatedName(parsed.acronym, reason, 2))
    if parsed.expansion:
        found.append(StatedName(parsed.expansion, "expansion", 2))
        if parsed.acronym and parsed.kind:
            found.append(StatedName(f"{parsed.acronym} {parsed.kind}", "acronym with kind", 1))
    if parsed.qualifier:
        # with the words after the aside when they go on with the name (`keeps_kind`)
        kept = parsed.kind is not None and keeps_kind(parsed)
        found.append(StatedName(f"{parsed.base} {parsed.kind}" if kept else parsed.base,
                                "without qualifier", 1))
    for half in parsed.halves:
        found.append(StatedName(half, "half of a slash name", 1))
    if parsed.kind:
        # A kind word the label keeps heads the name: the words before it find the concept
        # (a link `[[Gradient Descent Algorithm]]` finds "Gradient Descent") but are no name
        # of it any face shows ("A Neural Conversational" for the paper: `MATCHING_ONLY`).
        found.append(StatedName(parsed.label, HEADLESS if keeps_kind(parsed) else "without kind",
                                1))
        if parsed.label != parsed.base and not parsed.expansion:
            found.append(StatedName(parsed.base, found[-1].reason, 1))
        elif parsed.label == parsed.base and _generic_word(parsed.base):
            found.pop()  # "Learning Method" is not the concept "Learning"
    for alias in aliases:
        found.append(StatedName(alias, "alias", 2))
    expansion = definition_expansion(term, definition) if definition else None
    if expansion:
        found.append(StatedName(expansion, "definition", 2))
    elif definition and (opened := definition_short_form(term, definition)):
        found.extend(StatedName(n, "definition", 1) for n in opened)
    best: dict[str, StatedName] = {}
    for n in found:
        key = normalize(n.name)
        if key and (key not in best or best[key].strength < n.strength):
            best[key] = n
    return list(best.values())


# A Notion export names a page `Attention 8a1b...f9` (32 hex digits after the name): the id is
# no part of the name (the readers' file stems, resolve's link targets). Tried only where a run
# of blanks starts: from each place inside a long run it scanned the rest of the run, and a
# link of 100,000 blanks kept ingest's resolve busy for minutes (audit30).
NOTION_ID = re.compile(r"(?<!\s)\s+[0-9a-f]{32}$")
