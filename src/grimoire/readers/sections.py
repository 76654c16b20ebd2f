"""A section that defines a term is an entry of its page, in every format (issue 10, defect 12).

In documentation and books most concepts are sections of longer pages: "Sigmoid" under an
Activation Functions page, "Adam" under Optimizers. A reader gives passages with their heading
paths; `add_section_entries` turns a section into an `Entry` when all of these hold, and
writes which of them decided it into `Entry.reason`:

- its heading names a thing: at most six words, not a part of a page ("Introduction",
  "Code", "References", see `conventions.is_generic_heading`), not a question, an
  instruction ("Load a dataset") or a sentence (a trailing ':' or '.', an article inside);
- it is not the page's own title, and lies outside every entry the reader already found;
- prose sits directly under it (paragraphs or math, at least `MIN_PROSE` characters; a
  section holding only a list is an index of links, not a definition);
- and the evidence that it defines its heading is one of: a sentence of its lead opens with
  the heading as its subject ("Weights are ...", "The chain rule is ...", "In a graph-level
  task, ..."), or the lead states it as a name ("called X", "X (ACR)", "(X)"); or it is one
  of at least three parallel sections of one parent of which most define their heading so,
  and its own lead does not mention the heading without defining it ("Huber" over "Typically
  used for regression" is a definition in a list of loss functions; "Random" over "we can
  make a random acquisition function" is about something else).

Two more kinds of section are entries: one of at least three parallel sections of a topic,
at least one of which defines its heading ("Early Stopping" beside "Ensembling ... combine"
on a Regularization page), unless the page repeats the heading elsewhere ("Model", "Cost
function" under each part of a tutorial) or its lead uses it in passing; and a section with
only a placeholder under it ("Be the first to contribute!", "TODO"), a title-only entry:
a concept the page names but has not written yet.

A heading merely mentioned in passing ("Rewards" over "trainer-owned rewards are ...",
"Agent Training" over "GRPO supports agent training"), or used as a word of another phrase
("Random" over "a random acquisition function"), is a part of a page, not a definition.

An entry covers its section up to the next section that is an entry, so "Pros"/"Cons" and
"Code" subsections belong to the entry above them. A section entry's links are its
passages' links, since the store files each passage under the entry whose lines hold it.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from grimoire.fences import fenced
from grimoire.model import (
    PAGE_REASON,
    PAGE_REASONS,
    VAULT_PAGE_REASON,
    Document,
    Entry,
    Image,
    Link,
    Math,
    Passage,
    Problem,
    Span,
)
from grimoire.names import initials_match, is_abbreviation, normalize, term_names
from grimoire.readers.base import folder_of
from grimoire.readers.conventions import (
    CACHED_HEADING_CHARS,
    MATH_ONLY,
    WORD,
    bare_name,
    greek_spelled,
    heading_key,
    is_course_admin,
    is_generic_heading,
    is_generic_title,
    is_see_also_heading,
    is_statement,
    letters_plain,
    names_a_part_only,
    names_no_concept,
    names_nothing,
    reads_as_part,
)

MAX_WORDS = 6
MAX_CHARS = 60
MIN_PROSE = 40
LEAD_CHARS = 400  # how far into the prose the heading must be named
DEFINE_CHARS = 600  # how far into the prose a sentence may define it
MIN_PARALLEL = 3

# Lists do not count as prose: a section holding only a list of links or papers is an index.
_PROSE_KINDS = frozenset({"text", "math", "quote"})
# Words that make a heading a phrase about something rather than the name of it.
_PHRASE_WORDS = frozenset(
    {"a", "an", "the", "your", "our", "my", "this", "these", "those", "with", "from", "into",
     "using", "how", "what", "why", "when", "where", "which", "who", "vs", "versus", "is",
     "are", "can", "do", "does", "should", "will", "you", "we", "i", "it", "let's", "lets",
     "over", "in", "on", "behind", "about", "between", "for", "to", "at"}
)
# First words that judge or sort rather than name ("Useful properties", "Common parameters").
_EVALUATIVE = frozenset(
    {"useful", "common", "other", "some", "more", "basic", "important", "additional",
     "further", "general", "key", "main", "final", "simple", "advanced", "practical", "larger",
     "smaller", "bigger", "better", "best", "new", "old", "first", "second", "next", "last",
     "few", "many", "several", "various", "different", "similar", "typical", "quick"}
)
# First words of instructions, as documentation headings write them ("Load the model").
_IMPERATIVES = frozenset(
    {"add", "apply", "build", "choose", "compute", "configure", "convert", "create", "define",
     "deploy", "download", "evaluate", "export", "fine-tune", "finetune", "get", "import",
     "initialize", "install", "load", "make", "merge", "prepare", "push", "read", "run",
     "save", "select", "set", "share", "start", "train", "update", "use", "write", "try",
     "see", "check", "go", "learn", "understand", "implement", "visualize", "plot", "test"}
)
# A colon, stop, question or exclamation mark, semicolon or comma at the end, full-width ones
# as Chinese and Japanese write them too (a question "Muon 适合所有参数吗" closed by a
# full-width mark; round 50, qa50).
_SENTENCE_END = re.compile(r"[:.?!;,\uff1a\u3002\uff1f\uff01\uff1b\uff0c]\s*$")
# Hiragana, katakana and the CJK ideographs: a script written without spaces between words.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
# A question in Japanese: opening with "なぜ" (why), or ending in the particle か after
# hiragana or 何 ("なぜ X を読むべきか", why read X; "X とは何か", what X is): a name writes
# katakana カ or a kanji there (round 49, qa49: a Quarto book's "why read this" sections).
# "なぜなぜ分析" (five-whys analysis) is a method's name (review49a).
_JA_QUESTION = re.compile(r"なぜ(?!なぜ).*|.*(?:[\u3041-\u309f]|何)か[?\uff1f]?")
# Chinese headings a book writes for its sections rather than names (round 50, qa50: a
# bilingual Quarto book's Chinese half had 228 section concepts whose English twins were none):
# a question ("为什么需要 X", why X; "X 如何 ...", how; "什么", "哪些", "是否", a closing 吗 or
# 呢), a sentence (a full-width comma or stop inside, "不是" / "并不" / "没有", not; "我们",
# we; "一个", "一种", one; "到底", at all; "仍然", still; "通常", usually; "可以", can;
# "需要", need; "应该", should; "中的", in), "从 X 到 Y" (from X to Y), and an action on a
# thing ("把 X ...", the 把 that puts an object before its verb). "什么是 X" asks what X is,
# and X names the section as in English ("What is X?").
_ZH_QUESTION = re.compile(r"为什么|为何|如何|怎么|怎样|什么(?!是)|哪些|哪里|哪个|哪种|是否|多少"
                          r"|.*[吗呢][?\uff1f]?$")
_ZH_SENTENCE = re.compile(r"[\uff0c\u3002]|不是|并不|不只|没有|我们|一个|一种|一次|一张|到底|仍然"
                          r"|通常|可以|需要|应该|中的|^把|从.+到")
# An instruction as a Chinese section heads a step: a verb, then the thing in Latin letters
# ("加载 checkpoint", load a checkpoint; "计算 Accuracy"; "用 TorchMetrics ...", use), or an
# adverb no name opens with ("重新创建 ...", create again; "逐层检查 ...", layer by layer;
# "手动计算 ...", by hand). Run into Chinese the verb may open a name ("计算图", the
# computation graph; "选择性搜索", selective search).
_ZH_INSTRUCTION = re.compile(r"(?:准备|加载|保存|检查|计算|选择|使用|用|固定|创建|定义|构建|训练"
                             r"|实现|比较|设置|安装|导入|运行)\s*[A-Za-z]|重新|逐层|手动")
# The derivation, proof or reading of a numbered formula, theorem or example: "式(3.27)的推导"
# (the derivation of formula 3.27), "定理2的证明", "式(7.16)和式(7.17)的解释", as "Derivation
# of Eq. (3.27)" names a part of a page (review51a: a book's were concepts through their
# siblings' definitions).
_ZH_ABOUT_NUMBERED = re.compile(r"(?:^|\s)(?:公式|等式|式|定理|引理|命题|推论|例题|例|习题)\s*"
                                r"[(\uff08]?\d[\d.-]*[)\uff09]?.*的(?:推导|解释|证明|说明|理解"
                                r"|求解|补充)$")
# A name and what it does after a full-width colon, the one or the other said with "的" (of,
# 's): "AutoModel", the colon, "Transformer 的主体" (the Transformer's body).
_ZH_GLOSSED = re.compile(r".*(?:\uff1a.*\u7684|\u7684.*\uff1a).*")
# A name that opens with one of those words and ends as a name of a theorem, an algorithm, a
# kind of learning or training, a trick, a network, a model, a mechanism or an encoding does:
# "没有免费午餐定理" (the no free lunch theorem), "一次性学习" (one-shot learning), "逐层预训练"
# (layer-wise pretraining), "重新参数化技巧" (the reparameterization trick); round 50,
# review50a. Its English twin may follow in parentheses.
_ZH_NAMED = re.compile(r"(?:没有|一次|逐层|重新|手动)[^\s\u7684\uff0c\u3002]{0,10}"
                       r"(?:定理|定律|算法|学习|训练|技巧|网络|模型|机制|编码)"
                       r"(?:\s*[(\uff08][^()\uff08\uff09]{1,60}[)\uff09])?")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_ZH_PARENTHESIZED = re.compile(r"[(\uff08][^()\uff08\uff09]*[)\uff09]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HAS_LETTER = re.compile(r"[^\W\d_]")
_PARENTHESIZED = re.compile(r"\([^()]*\)")
# The letter of a part of an exercise ("A", "(b)", "c)", "E (missing)"): when two sections
# of one question are headed so, each is a part, never the name of a thing (round 45: a
# Quarto book's exercise chapters gave 60 concepts "A" to "J" and seven conflicts in lint).
_PART_LETTER = re.compile(r"\(?[^\W\d_][).]?(?:\s+\([^()]*\))?")


@dataclass
class _Section:
    path: tuple[str, ...]
    first: int  # index of its first passage
    passages: list[int]


def name_shaped(heading: str) -> str | None:
    """Why a heading is not the name of a thing, or None when it can be one."""
    if len(heading) > CACHED_HEADING_CHARS:
        return _name_shaped.__wrapped__(heading)
    return _name_shaped(heading)


@lru_cache(maxsize=8192)  # headings recur from note to note (`heading_key`)
def _name_shaped(heading: str) -> str | None:
    text = " ".join(heading.split())
    words = text.split()
    if not words or not _HAS_LETTER.search(text):
        return "no words"
    if not _HAS_LETTER.search(_PARENTHESIZED.sub("", text)):
        # A question's number and a remark on it ("10 (missing)", "3 (optional)"; round 45:
        # a Quarto book's exercise chapters): the remark is no name either.
        return "a number"
    if len(words) > MAX_WORDS or len(text) > MAX_CHARS or _zh_words(text, words) > MAX_WORDS:
        return "too long for a name"
    if is_generic_heading(text) or is_see_also_heading(text):
        return "names a part of a page"
    if "=" in text and _SETTING.search(text):
        return "a setting of a parameter"
    if _SENTENCE_END.search(text):
        return "ends like a sentence"
    if _JA_QUESTION.fullmatch(text):
        return "a question, not a name"
    if _HAN.search(text) and not _KANA.search(text):
        if _ZH_QUESTION.search(text):
            return "a question, not a name"
        named = _ZH_NAMED.fullmatch(text) is not None
        if not named and (_ZH_SENTENCE.search(text) or _ZH_GLOSSED.fullmatch(text)):
            return "a phrase, not a name"
        if not named and _ZH_INSTRUCTION.match(text):
            return "an instruction"
        if _ZH_ABOUT_NUMBERED.search(text):
            return "names a part of a page"
    lowered = [w.casefold().strip("()[]\"'`*") for w in words]
    if any(w in _PHRASE_WORDS for w in lowered) and not initialled(text):
        return "a phrase, not a name"
    if len(words) > 1 and lowered[0] in _IMPERATIVES:
        return "an instruction"
    if len(words) > 1 and lowered[0] in _EVALUATIVE:
        return "a description, not a name"
    if "$" in text or "\\(" in text:
        return "holds a formula"
    return None


# A name and its letters after it: "Intersection over Union (IoU)", "Intersection over union,
# IoU", "Return on Investment - ROI"
_INITIALLED = re.compile(r"(?P<name>[^(),]+?)\s*(?:\(\s*(?P<bracketed>[A-Za-z]{2,8}s?)\s*\)"
                         r"|[,\u2013\u2014-]\s*(?P<after>[A-Za-z]{2,8}s?))\s*")


def initialled(text: str) -> bool:
    """Whether a heading is a name of two words or more and the initials of all its words
    after it, in brackets or after a comma or a dash, its small words' among them
    ("Intersection over Union (IoU)", "Learning to Rank, LTR", "Non-Maximum Suppression,
    NMS"): the writer abbreviated it, so it names one thing (round 52 left vlee's "##
    Intersection over union, IoU" "a phrase, not a name", for its "over", and no entry).

    >>> initialled("Intersection over union, IoU"), initialled("Learning to Rank (LTR)")
    (True, True)
    >>> initialled("Attention over time, AT"), initialled("Training on the cluster")
    (False, False)
    >>> initialled("Frequently Asked Questions (FAQ)"), initialled("Today I Learned (TIL)")
    (False, False)
    """
    m = _INITIALLED.fullmatch(text)
    if m is None or is_generic_title(m["name"]) or any(
            w.casefold() in _NOT_IN_A_NAME for w in m["name"].split()):
        return False  # "Frequently Asked Questions (FAQ)", "Today I Learned (TIL)" (review53a)
    letters = m["bracketed"] or m["after"]
    return any(initials_match(short, m["name"]) for short in (letters, letters.removesuffix("s")))


# Of `_PHRASE_WORDS`, those a name spelled out with its initials never holds: a pronoun, a
# question word, a verb ("Today I Learned (TIL)", "Do It Yourself (DIY)" are sentences); its
# small words of place and relation ("over", "to", "on", "of") it may
_NOT_IN_A_NAME = _PHRASE_WORDS - {"a", "an", "the", "with", "from", "into", "over", "in", "on",
                                  "behind", "about", "between", "for", "to", "at", "vs",
                                  "versus"}


def _zh_words(text: str, words: list[str]) -> int:
    """How many words `text` is when Chinese (`words`, split at spaces, counts a run of Chinese
    as one): each run as a word per two characters, as a Chinese word averages under two, so
    that "Adadelta" and "连学习率也想少依赖一点" after a colon (a section's sentence) is
    seven words, not one,
    and "随机梯度下降" (stochastic gradient descent) three (round 50, qa50). Japanese, its
    kana among the characters, is counted as written."""
    if not _HAN.search(text) or _KANA.search(text):
        return len(words)
    # A name's twin or its letters in parentheses ("长短期记忆网络 (Long Short-Term Memory)")
    # are the name again, not more of it: counted apart, by `words` (round 50, review50a).
    text = _ZH_PARENTHESIZED.sub(" ", text)
    latin = len(_HAN.sub(" ", text).split())
    return latin + sum((len(run) + 1) // 2 for run in _HAN.findall(text))


# A parameter set to a value in a heading: "Decision tree with max_depth=3", "Boundary for k = 5"
# (round 41: a course's notebooks drew one model per setting, five concepts so): one run of an
# experiment, no name.
_SETTING = re.compile(r"(?<![\w=<>!])[^\W\d]\w*\s?=\s?[-+]?[\w.]+")


def _names_of(heading: str) -> list[str]:
    return [n.name for n in term_names(heading) if n.strength >= 2] or [heading]


# Words that may open a defining sentence before the name: "The chain rule", "In a task".
# Not "this" or "our": "This GNN playground ..." refers back to something already introduced.
# German's articles lead a name as English's do: "Die Faltung ist eine Operation, ..." under
# "Faltung", "Ein rezeptives Feld ist ..." (read55; read54 left a German course's sections
# unread as definitions).
_LEADERS = frozenset({"the", "a", "an", "in"})
_DE_LEADERS = frozenset({"der", "die", "das", "ein", "eine", "im"})
# ... in a German sentence only, one that says a word of German's own: "Die casting ..." or
# "Die roll ..." (a die, English) under "Casting" or "Roll" defines neither (review55a)
_GERMAN = frozenset({"ist", "sind", "wird", "werden", "bezeichnet", "bedeutet", "beschreibt",
                     "und", "oder", "nicht", "einer", "einem", "eines", "f\u00fcr", "durch",
                     "auf", "wenn", "dass"})
_ALL_LEADERS = _LEADERS | _DE_LEADERS
_ARTICLES = frozenset({"the", "a", "an"})
# "what we call a Nearest Neighbor Classifier", "called an autoencoder" (round 39, qa39: a
# course's H3 "Nearest Neighbor Classifier" opened so and was no entry).
_NAMING = (("called",), ("named",), ("termed",), ("known", "as"), ("aka",), ("stands", "for"),
           ("short", "for"), ("call",), ("calls",), ("call", "a"), ("call", "an"),
           ("called", "a"), ("called", "an"))
# What follows a name that a clause defines: "..., the partial derivative is ..."
_DEFINING = frozenset({"is", "are", "was", "refers", "means", "denotes", "describes",
                       "represents", "consists", "stands", "measures", "computes",
                       "ist", "sind", "bezeichnet", "bedeutet", "beschreibt"})
_SENTENCES = re.compile(r"(?<=[.!?:;])\s+|\n+")
# Where `_SENTENCES` may cut: a mark or a line end, with the spaces after it. A pattern that
# starts with one character class is tried only where such a character is; the look-behind
# alternation was tried at every position, a fifth of a short note's section rules (issue 14).
_SENTENCE_MARK = re.compile(r"[.!?:;\n]\s*")


def _sentences_of(text: str) -> list[str]:
    """`_SENTENCES.split(text)`: cut after a mark followed by spaces (the spaces go), and at
    a run of line ends (the run goes, not the spaces after it)."""
    out: list[str] = []
    last = pos = 0
    while (m := _SENTENCE_MARK.search(text, pos)) is not None:
        at = m.start()
        if text[at] != "\n":
            if m.end() == at + 1:  # a mark with no space after it: no cut
                pos = at + 1
                continue
            out.append(text[last:at + 1])
            last = pos = m.end()
            continue
        run = at + 1
        while run < len(text) and text[run] == "\n":
            run += 1
        out.append(text[last:at])
        last = pos = run
    out.append(text[last:])
    return out


_ACRONYM = re.compile(r"^[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*s?$")
# What any word `_ACRONYM` matches holds.
_TWO_CAPITALS = re.compile(r"[A-Z][A-Za-z0-9]*[A-Z]")


def _tokens(text: str) -> list[str]:
    """Words, casefolded; an identifier (`reward_weights`, `environment_factory`) stays one
    word, so that code named in a sentence never reads as the heading's name."""
    return WORD.findall(text.casefold())


def _same_word(name: str, seen: str) -> bool:
    """One word of a name as a sentence writes it: plural, possessive or a shared stem
    ("ensembling" / "ensemble")."""
    if name == seen:
        return True
    short, long = sorted((name, seen), key=len)
    if long in (short + "s", short + "es"):
        return True
    common = len(short) if long.startswith(short) else next(
        i for i, (x, y) in enumerate(zip(short, long, strict=False)) if x != y)
    if common < len(short) and not short.isascii() and _CJK.search(short):
        # Japanese and Chinese write no spaces: a "word" is a run of a phrase, and two runs
        # sharing their first characters are two phrases ("サンプリング戦略の比較", comparing
        # sampling strategies, is not "サンプリング戦略の概観", an overview of them; round
        # 49, qa49). The name and a particle after it ("過学習は") still match.
        return False
    return common >= 5 and common >= len(short) - 2 and len(long) - common <= 3


def _matches(words: list[str], k: int, name: list[str], *, stem: bool = True) -> bool:
    if k < 0 or k + len(name) > len(words):
        return False
    last = words[k + len(name) - 1]
    return all(a == b for a, b in zip(name[:-1], words[k:k + len(name) - 1], strict=True)) and \
        (_same_word(name[-1], last) if stem else normalize(last) == normalize(name[-1]))


def _starts(words: list[str], name: list[str]) -> list[int]:
    """Where in `words` the name may start: its first word there, or for a one-word name a
    word with its first letter (`_same_word` needs a shared first letter)."""
    if len(name) > 1:
        return [k for k, w in enumerate(words) if w == name[0]]
    letter = name[0][:1]
    return [k for k, w in enumerate(words) if w[:1] == letter]


def _opens_with(words: list[str], name: list[str]) -> bool:
    """The words open with the name, after at most two leaders ("In a") and one modifier
    after a leader ("The VAE loss function"). After a modifier the name is its own word or
    its plural, not a word of its stem: "The loop terminates when ..." names the loop, and
    defines no "Termination" (round 38's leftover: a loop invariant's three parts became
    concepts through the last one)."""
    starts, skip = [0], 0
    # (the German test only when a German article opens it: it scans every word, issue 14)
    leaders = _ALL_LEADERS if not _DE_LEADERS.isdisjoint(words[:2]) \
        and not _GERMAN.isdisjoint(words) else _LEADERS
    while skip < len(words) - 1 and skip < 2 and words[skip] in leaders:
        skip += 1
        starts.append(skip)
    if skip and _matches(words, skip + 1, name, stem=False):
        return True
    return any(_matches(words, k, name) for k in starts)


# What follows a name that a Chinese (or Japanese) sentence opens by defining, with no space
# between: "梯度下降是一种..." (is), "...是指" / "指的是" / "就是" / "即" (means, that is), "称为"
# / "又称" (is called), Japanese "とは"; the name's twin in brackets may come first
# ("动量法(Momentum)是...", full-width brackets too), a "所谓" (so-called) before it. Not
# "是否" (whether) nor "是不是", nor the words these open: 是怎么 / 是如何 (asks how), 即使 /
# 即便 (even if), 即可 (will do), 即将 (about to), 即时 / 即刻 (at once), Japanese とはいえ
# (even so), とは限らない (not always) (review51a).
# Read as one word by `_tokens`, "Adam是把..." opened with no name (read51).
# "也是一种" (is also a kind of) defines too, and the sentence may open by comparing the name
# with another ("同梯度下降法\uff0c牛顿法也是一种...", "与X类似\uff0c": `_ZH_LIKE`; read52:
# pumpkin-book's 牛顿法 was lost).
_ZH_LIKE = re.compile(r"(?:同|与|和|跟|像|如)[^\uff0c,\u3002\n]{1,24}?(?:一样|类似|相似|相同)?"
                      r"\s*[\uff0c,]\s*")
_ZH_DEFINED = re.compile(r"(?:\s*[\uff08(][^\uff08\uff09()\n]{1,60}[\uff09)])?\s*\uff0c?\s*"
                         r"(?:是指|指的是|就是|是(?!否|不是|不|什么|怎|如何)|即(?!使|便|可|将|时|刻)"
                         r"|也是(?=一[种类个项门])"
                         r"|称为|又称|又叫|也叫|とは(?!いえ|言え|限))")
_ZH_DEFINING_MARKS = re.compile(r"[是即称叫指]|とは")


def _zh_defines(named: list[str], lead: str) -> bool:
    """Whether a sentence of `lead` opens with one of the names and a Chinese copula after
    it, no space between (`_ZH_DEFINED`)."""
    for line in lead.split("\n"):
        text = line.lstrip(" \t*_#>\u300c\u201c\"'").removeprefix("所谓").casefold()
        # the line as it stands first: a name may open with 像 or 同 itself (像素, 同态滤波;
        # review52a: both lost when `_ZH_LIKE` took "像素是...\uff0c" for a comparison)
        like = _ZH_LIKE.match(text)
        for form in (text, text[like.end():]) if like is not None else (text,):
            for name in named:
                key = name.casefold()
                if key and form.startswith(key) and _ZH_DEFINED.match(form, len(key)):
                    return True
    return False


# Czech drops the subject a definition is about: under its term, a glossary's item or a
# section opens "Je rozklad vrcholů ..." (is a partition of vertices), "Označuje ..." (denotes),
# or names the kind of thing it is and says which ("Funkce f taková, že ..." a function f such
# that; "Číslo, které udává ..." a number that gives; "Strom, kde ..." a tree where; "Něco, co
# ..." something that), the kind in three words at most ("Obvykle podle toho, co ...", usually
# by what, says no kind). The
# English rule needs the term's name in the lead, which a Czech glossary never repeats: qa56's
# Czech exam notes had hundreds of `Term::` items, none an entry (read57). Only in a text with
# a letter with a mark only Czech (and its neighbours) writes: ě, ř, ů, č, š, ž, ť, ď, ň; not
# French's or Spanish's é, á ("Je crée un modèle ..." is French's "I"), nor English. Never a
# question.
_CZECH_LETTER = re.compile(r"[ěřůčšžťďňĚŘŮČŠŽŤĎŇ]")
_CS_DEFINING = re.compile(
    r"\s*(?:(?:Je|Jsou)\s(?!to\s+(?:pravda|možné|jasné|třeba))"
    r"|(?:Označuje|Znamená|Popisuje|Vyjadřuje|Udává|Určuje|Reprezentuje|Představuje|Měří)\s"
    r"|Něco,?\s+co\s"
    r"|(?P<kind>[^\W\d_][\w-]*(?:\s+[^\s,.:;]+){0,2}?)(?:,\s*|\s+)"
    r"(?:který|která|které|kteří|jenž|jež|kde|takový|taková|takové|takových)(?=[\s,]))")
# ... but not the copula of a remark ("Je důležité si uvědomit, že ...", it is important to
# note; "Je potřeba ...", "Jsou dva způsoby ...", "Je v grafu ..."), nor a kind that is a clause
# with a verb or a pointer in it ("Zde je místo, kde ...", "Máme graf, kde ...", "Tento text,
# který ...", "Pak použijeme algoritmus, který ..."): a lead of a diary's "Čtvrtek 3. října" or
# of "Implementace v Pythonu" (review57a: each was an entry, as no English lead of the kind is)
_CS_REMARK = frozenset({
    "tu", "zde", "tam", "také", "též", "tedy", "proto", "totiž", "ale", "však", "si",
    "potřeba", "třeba", "nutno", "nutné", "možné", "důležité", "jasné", "zřejmé", "vidět",
    "dobré", "vhodné", "lepší", "horší", "známo", "snadné", "těžké", "dáno", "dán", "dána",
    "dva", "dvě", "tři", "čtyři", "pět", "několik", "mnoho", "více", "méně", "hodně",
    "v", "ve", "na", "s", "se", "z", "ze", "k", "ke", "u", "o", "při", "po", "za", "pro",
    "od", "do", "nad", "pod", "před", "mezi", "bez", "podle", "tady", "tak", "jen", "jenom"})
_CS_NOT_KIND = _CS_REMARK | frozenset({
    "byl", "byla", "bylo", "byly", "bude", "budou", "má", "mají", "máme",
    "mějme", "mám", "máte", "tento", "tato", "toto", "ten", "ta", "ty", "tyto", "tenhle",
    "pak", "potom", "poté", "nyní", "teď", "když", "pokud", "protože", "a", "i", "jak",
    "co", "kdy", "použijeme", "uvažujme", "vezmeme", "vezměme", "hledáme", "chceme",
    "existuje", "existují", "každý", "každá", "každé", "náš", "naše", "můj", "moje"})


def _cs_defines(lead: str) -> bool:
    """Whether a Czech lead's first sentence defines the term above it with the subject
    dropped (`_CS_DEFINING`, not a remark's copula nor a clause's `_CS_NOT_KIND`)."""
    first = _sentences_of(lead.lstrip(" \t*_>"))[0].strip()
    if not first or first.endswith("?") or (m := _CS_DEFINING.match(first)) is None:
        return False
    if m["kind"] is not None:
        return not any(w.strip(",").casefold() in _CS_NOT_KIND for w in m["kind"].split())
    words = first.split(None, 2)
    return not (words[0] in ("Je", "Jsou") and len(words) > 1
                and words[1].strip(",:;").casefold() in _CS_REMARK)


def _defines(heading: str, prose: str) -> bool:
    """Whether the lead of `prose` defines the heading (see the module docstring): a sentence
    opens with it; a clause opens with it and defines it ("..., the partial derivative is");
    a sentence ends on it after "is" ("Another one is Thompson Sampling."); or the lead states
    it as a name ("called X", "stands for X", "X (ACR)", "(X)", an acronym and its expansion).
    A heading "Name, ACR" names both as "Name (ACR)" does (read52).
    """
    if "," in heading and (pair := _comma_acronym(heading)) is not None:
        heading = f"{pair[0]} ({pair[1]})"
    named = term_names(heading)
    lead = prose[:DEFINE_CHARS]
    if "$" in lead:
        lead = letters_plain(lead)  # "An $\\epsilon$-greedy policy" under "\u03b5-greedy" (read55)
    # (`isascii` first: the marks are not ASCII, and the search scans the whole lead, issue 14)
    if not lead.isascii() and _ZH_DEFINING_MARKS.search(lead) \
            and _zh_defines([n.name for n in named], lead):
        return True
    if not lead.isascii() and _CZECH_LETTER.search(lead) and _cs_defines(lead):
        return True
    folded = lead.casefold()
    # Only a name the lead may hold is looked for, sentence by sentence (most are not there).
    names = [t for n in named if (t := _tokens(n.name)) and _may_hold(folded, t)]
    acronyms = [w for n in named for w in n.name.split() if _ACRONYM.match(w)]
    # With no name and no acronym to look for, a sentence can only define the heading by
    # opening with an acronym of it, which needs two capitals in one word (`_ACRONYM`):
    # most leads have none, and are not cut into sentences (issue 14).
    sentences = _sentences_of(lead) if names or acronyms or _TWO_CAPITALS.search(lead) else []
    for sentence in sentences:
        if not names:
            if _acronym_defined(sentence, heading, acronyms):
                return True
            continue
        words = _tokens(sentence)
        if not words:
            continue
        clauses = [(clause, _tokens(clause)) for clause in sentence.split(",")[1:]]
        for name in names:
            if _opens_with(words, name):
                return True
            for clause, cw in clauses:
                if _opens_with(cw, name) and (len(cw) == len(name) or any(
                        w in _DEFINING for w in cw[len(name):len(name) + 3])
                        or _proper(heading, clause)):
                    return True
            for k in _starts(words, name):
                if not _matches(words, k, name):
                    continue
                before = tuple(words[max(0, k - 2):k])
                if any(before[-len(cue):] == cue for cue in _NAMING):
                    return True
                tail = words[k + len(name):]
                if not tail and (before[-1:] in (("is",), ("are",)) or (
                        before[-1:] and before[-1] in _ARTICLES and before[:1] in (("is",),
                                                                                  ("are",)))):
                    return True
        if _acronym_defined(sentence, heading, acronyms):
            return True
    # The heading itself in brackets after its expansion: "Hidden Markov Model (HMM)"
    own = _tokens(heading)
    return any(
        len(inner) == len(own) and _matches(inner, 0, own)
        for inner in (_tokens(m) for m in re.findall(r"\(([^()]{1,60})\)", lead))
    )


# A section's first sentence about its heading by a pronoun, as a book's chapter goes on from
# a heading (round 46, qa45's Quarto book: "## Logistic Regression" over "It models the
# probability ...", "## Generalized Additive Models" over "They provide ..."): "It" and a
# verb of the present ("It models", "It has"), "They" and one ("They extend"), "It is" or
# "They are" and an article ("It is a method ..."), "This approach" or "These models" and a
# verb. Not an impersonal "it" ("It is worth ...", "It turns out", "It can be shown"), and
# not a modal or a past ("It was", "They may").
_PRONOUN_LEAD = re.compile(
    r"(?:(?P<it>It)|They|(?P<this>This|These)\s+(?:approach|method|model|technique|algorithm"
    r"|estimator|procedure)(?:e?s)?)\s+(?:(?:also|often|usually|simply|basically)\s+)?"
    r"(?P<verb>[a-z]+)\s+(?P<next>[a-z]+)")
# Nor a verb that says how something does rather than what it is: under an aspect of a topic
# ("### Complexity" of "## Bucket sort": "It runs in linear time"; "### Memory": "It needs
# ...") the pronoun is the topic (qa45's "It has the same steps as k-means" is lost so).
_NOT_DESCRIBING = frozenset({
    "was", "were", "can", "could", "may", "might", "will", "would", "should", "must", "seems",
    "seem", "appears", "appear", "turns", "turn", "follows", "makes", "takes", "depends",
    "means", "happens", "looks", "does", "do", "did", "had", "goes", "gets", "helps", "has",
    "have", "contains", "contain", "runs", "run", "achieves", "achieve", "performs",
    "perform", "works", "work", "gives", "give", "returns", "return", "shows", "show",
    "requires", "require", "needs", "need", "includes", "include", "supports", "support",
    "lets", "let", "allows", "allow", "comes", "come", "costs", "cost", "scales", "scale"})
_ARTICLE_AFTER = frozenset({"a", "an", "the", "one"})


def _refers_back(prose: str) -> str | None:
    """ "it" when a section's text opens by describing its heading with "It" or "They"
    (`_PRONOUN_LEAD`), "this" with "This approach", "These models" (which may mean the
    method of the section above), None when it does not."""
    m = _PRONOUN_LEAD.match(prose.lstrip("*_ "))
    if m is None or (verb := m["verb"]) in _NOT_DESCRIBING:
        return None
    if verb in ("is", "are"):
        if m["next"] not in _ARTICLE_AFTER:
            return None
    elif m["it"] and not verb.endswith("s"):
        return None
    return "this" if m["this"] else "it"


def defines(heading: str, prose: str) -> bool:
    """Whether the lead of `prose` defines `heading` (`_defines`), for the readers' rules on
    parts of a page that are not sections (a paragraph led by a name in bold)."""
    return _defines(heading, prose)


def _may_hold(folded: str, name: list[str]) -> bool:
    """Whether casefolded text may hold `name` as `_matches` finds it: a name of several
    words by its first word exactly; a word by the start it shares with any form
    `_same_word` takes (a plural drops up to two letters; a shared stem is five or more)."""
    if len(name) > 1:
        return name[0] in folded
    word = name[0]
    return word[:min(5, len(word) - 2)] in folded


def _proper(heading: str, clause: str) -> bool:
    """A clause that opens with the heading as the heading writes it, capitals and all
    (", Momentum takes past gradients into account"): a name as the subject."""
    return heading != heading.lower() and clause.lstrip().startswith(heading)


def _acronym_defined(sentence: str, heading: str, acronyms: list[str]) -> bool:
    """A sentence that opens with the heading's acronym ("OLS is ..." under "Ordinary Least
    Squares"), or with the expansion of the acronym that is the heading ("Mean Absolute Error,
    or L1 loss" under "MAE"; "... stands for Rectified Linear Units" under "ReLU")."""
    if not acronyms:  # only the first word matters
        first = WORD.search(sentence)
        raw = [first.group()] if first else []
    else:
        raw = WORD.findall(sentence)
    if not raw:
        return False
    if _ACRONYM.match(raw[0]) and len(heading.split()) > 1 and is_abbreviation(raw[0], heading) \
            and len(raw[0].rstrip("s")) >= len(heading.split()) - 1 \
            and _initials_fit(raw[0], heading):
        return True
    low = [w.casefold() for w in raw]
    for acronym in acronyms:
        n = len(acronym.rstrip("s"))
        starts = [0] + [k + 2 for k in range(len(low) - 1)
                        if (low[k], low[k + 1]) in (("stands", "for"), ("short", "for"))]
        for k in starts:
            for j in range(2, n + 2):
                run = raw[k:k + j]
                if len(run) == j and run[0][:1].casefold() == acronym[0].casefold() and \
                        is_abbreviation(acronym, " ".join(run)) and \
                        _initials_fit(acronym, " ".join(run)):
                    return True
    return False


_INITIAL_WORDS = re.compile(r"[^\W_]+")


def _initials_fit(acronym: str, long: str) -> bool:
    """Whether the capitals of `acronym` are initials of the words of `long`, in order (a
    word's capitals count as initials too: "WGAN" of "Wasserstein GAN", "QLoRA" of
    "Quantized LoRA"): "LoRA" of "Low-Rank Adaptation", "BERT" of "Bidirectional Encoder
    Representations from Transformers".
    `names.is_abbreviation` also reads letters inside words, which a sentence's first word
    fits by chance: "ToT mimics ..." under "Theoretical Foundation", "Maintain context across
    multiple" spelling out the "MCP" of "MCP Solution Approach" (round 46: two sections of a
    MkDocs site's notes were concepts so).

    >>> _initials_fit("ToT", "Theoretical Foundation"), _initials_fit("CoT", "Chain-of-Thought")
    (False, True)
    """
    capitals = [c.casefold() for c in acronym if c.isupper()]
    initials = "".join(w[0] + "".join(c for c in w[1:] if c.isupper())
                       for w in _INITIAL_WORDS.findall(long)).casefold()
    k = 0
    for c in capitals:
        k = initials.find(c, k) if k or c == initials[:1] else -1
        if k < 0:
            return False
        k += 1
    return True


def _named_in(heading: str, prose: str) -> bool:
    """Whether the lead of `prose` names the heading (any name it states), word for word."""
    lead = f" {normalize(prose[:LEAD_CHARS])} "
    return any(
        (key := normalize(name)) and f" {key} " in lead for name in _names_of(heading)
    ) or any(
        # "Sigmoids ..." or "sigmoid's": the plural/possessive fold of normalize covers
        # only the last word of a phrase; a one-word name is compared by its stem too.
        len(name.split()) == 1 and len(name) > 3 and f" {normalize(name)}" in lead
        for name in _names_of(heading)
    )


# "# 1 Architecture", "# 2 FAQ": a note app's numbered headings (Obsidian's Number Headings
# plugin writes no dot). A number alone before a name is no numbering ("3 Body Problem"), so
# it is dropped only where the page numbers two headings or more from 0 or 1.
_HEADING_NUMBER = re.compile(r"^(\d{1,2}) (?=[^\W\d])")


def _numbers_headings(paths: Iterable[tuple[str, ...]]) -> bool:
    """Whether the headings of a page's sections (their paths) are numbered "1 Name"."""
    numbers = {int(m.group(1)) for path in paths for h in path
               if (m := _HEADING_NUMBER.match(h))}
    return len(numbers) >= 2 and min(numbers) <= 1


def _bare(path: tuple[str, ...], numbered: bool = False) -> str:
    """A section's heading as the name it gives (`conventions.bare_name`): "Approach 1:
    Matching Logits" is judged, and named, as "Matching Logits"; on a page that numbers its
    headings (`_numbers_headings`), "1 Leftist Heap" as "Leftist Heap"."""
    name = bare_name(path[-1]) or path[-1]
    if numbered and (number := _HEADING_NUMBER.match(name)) is not None:
        return name[number.end():]
    return name


# Why an entry is one: a LaTeX `definition` environment (`readers.latex`).
DEFINITION_ENVIRONMENT = "a definition environment, named by its title or the term it sets in bold"


def add_section_entries(doc: Document, *,
                        marked: Sequence[tuple[str, int]] = (),
                        coded: Sequence[tuple[str, int]] = (),
                        tabs: Collection[tuple[str, ...]] = (),
                        slides: Collection[tuple[str, ...]] = ()) -> Document:
    """`doc` with an entry for every section that defines its heading (see module doc).
    `marked` holds the terms the text marks for a book's index, each with its line: a
    section whose text marks its own heading so defines it (round 40: a Quarto book marks
    "`r index('acquisition function')`" where it introduces each term). `coded` holds the
    code spans of the text that are one identifier of a program ("`TaskSurv`"), each with its
    line: a section headed by exactly that identifier whose text shows it as code is about
    it (round 41: an R book's class sections, whose text names the class mid-sentence).
    `tabs` holds the heading paths of a Quarto tab set's tabs ("R", "Python"): labels of the
    section they stand in, never entries (round 40's leftover). `slides` holds the heading
    paths of a deck's slides (a Beamer frame's title): a slide is an entry only when its text
    defines its title, never as one of its neighbours, which are moments of one talk ("Intro
    Question", "Intro Solution", "Elastic Net Summary"; round 49: a course's LaTeX decks)."""
    passages = doc.passages
    if not passages or journal_note(doc.meta):
        return doc
    taken = [(e.span.start_line, e.span.end_line) for e in doc.entries]
    # The page's own names, its title's acronym and expansion among them: "What is MCP?" on a
    # page titled "Model Context Protocol (MCP)" is the page's lead under a question, not a
    # concept apart from the page's (round 46: a MkDocs site's protocol pages).
    own = {normalize(doc.title), *(normalize(e.term) for e in doc.entries),
           *(normalize(n.name) for n in term_names(doc.title)
             if n.reason in ("acronym", "expansion"))}
    sections: dict[tuple[str, ...], _Section] = {}
    for i, p in enumerate(passages):
        if not p.heading_path:
            continue
        sec = sections.get(p.heading_path)
        if sec is None:
            sections[p.heading_path] = _Section(p.heading_path, i, [i])
        else:
            sec.passages.append(i)

    _open_with_parts(passages, sections)
    numbered = _numbers_headings(sections)

    # The lines the reader's entries cover, as disjoint sorted ranges: a lookup is a bisection,
    # so a glossary page with thousands of entries stays linear.
    covered: list[list[int]] = []
    for start, end in sorted(taken):
        if covered and start <= covered[-1][1] + 1:
            covered[-1][1] = max(covered[-1][1], end)
        else:
            covered.append([start, end])
    starts = [c[0] for c in covered]

    def inside_entry(p: Passage) -> bool:
        k = bisect_right(starts, p.span.start_line) - 1
        return k >= 0 and p.span.start_line <= covered[k][1]

    # A definition environment stands in its section as a theorem does: a section holding two
    # is still the section its own text makes it (round 49: a titled lecture's "Hinge Loss",
    # whose text defines it, then defines "Margin" and "support vector" in environments).
    entry_starts = sorted(e.span.start_line for e in doc.entries
                          if e.reason != DEFINITION_ENVIRONMENT)

    def holds_entries(mine: list[Passage]) -> bool:
        # A section whose text holds two of the reader's entries or more ("**Sigmoid.** ...",
        # "**Tanh.** ..." under "Commonly used activation functions") is their list, not a
        # thing of its own.
        if len(entry_starts) < 2 or not mine:
            return False
        lo, hi = mine[0].span.start_line, max(p.span.end_line for p in mine)
        return bisect_right(entry_starts, hi) - bisect_left(entry_starts, lo) >= 2

    # Sections whose heading can name a thing and that have prose directly under them.
    candidates: dict[tuple[str, ...], str] = {}  # path -> its prose
    code: dict[tuple[str, ...], int] = {}  # path -> the characters of its code
    stubs: set[tuple[str, ...]] = set()  # headings over a placeholder ("TODO") only
    repeated = _repeated_headings(sections)
    steps: dict[tuple[str, ...], list[tuple[str, ...]]] = defaultdict(list)  # parent -> steps
    course_page = any(is_course_admin(_bare(path, numbered), on_course_page=False)
                      for path in sections)
    lettered = Counter(path[:-1] for path in sections if _PART_LETTER.fullmatch(path[-1]))
    articled: dict[tuple[str, ...], str] = {}  # "The Kernel Trick" -> "Kernel Trick"
    for path, sec in sections.items():
        heading = _bare(path, numbered)
        article = _after_article(heading)
        if article is not None and normalize(article) not in own and path not in tabs \
                and path not in slides:
            mine = [passages[i] for i in sec.passages]
            if not any(inside_entry(p) for p in mine) and not holds_entries(mine) and \
                    _defines(article, "\n\n".join(p.text for p in mine
                                                  if p.kind in _PROSE_KINDS)):
                articled[path] = article
            continue
        if normalize(heading) in own or name_shaped(heading) is not None or path in tabs \
                or (course_page and is_course_admin(heading)) \
                or (lettered[path[:-1]] > 1 and _PART_LETTER.fullmatch(path[-1])):
            continue
        if len(path) > 1 and normalize(heading) == normalize(_bare(path[:-1], numbered)):
            # "Dropout" > "What is Dropout?": the section's own lead, under a question
            continue
        mine = [passages[i] for i in sec.passages]
        if any(inside_entry(p) for p in mine) or holds_entries(mine):
            continue
        prose = "\n\n".join(p.text for p in mine
                              if (p.kind in _PROSE_KINDS and not _links_only(p)) or _sentences(p))
        if len(prose.strip()) >= MIN_PROSE:
            candidates[path] = prose
            code[path] = sum(len(p.text) for p in mine if p.kind == "code")
            if _step_of(heading, prose):
                steps[path[:-1]].append(path)
        elif mine and all(_PLACEHOLDER.match(p.text) for p in mine) and \
                normalize(heading) not in repeated:
            stubs.add(path)
    # The steps of one procedure, each called so by its text ("Divide", "Conquer", "Combine"),
    # and a section so called under a heading such steps have elsewhere on the page (a second
    # "Divide" whose "Conquer" says no "step"); one section whose text calls it a stage ("The
    # pretraining stage trains ...") is a thing of its own (review39b).
    stepped = {normalize(p[-1]) for parts in steps.values() if len(parts) > 1 for p in parts}
    for parts in steps.values():
        for path in parts:
            if len(parts) > 1 or normalize(path[-1]) in stepped:
                del candidates[path], code[path]

    defined = {path for path, prose in candidates.items() if _defines(_bare(path, numbered), prose)}
    for path in [p for p in candidates if p not in defined and reads_as_part(_bare(p, numbered))]:
        # "AdaBoost Review", "Intro Question": a part of the page, as a lecture's moments are
        # (round 49), unless its text defines it ("Code review is the practice of ...";
        # review49b), and so no sibling of the page's topics either
        del candidates[path], code[path]
    by_pronoun: set[tuple[str, ...]] = set()
    for path, prose in candidates.items():
        # "It models ...", "This approach fits ..." under the heading; "This method" under a
        # section of its own is that section's method ("### Pre-processing" of a "## Naive
        # Bayes": "This method works better with categories").
        # Under a part of the page ("Method", "Experimental setup") it is the page's subject.
        pronoun = _refers_back(prose) if path not in defined \
            and not names_a_part_only(_bare(path, numbered)) else None
        if pronoun == "it" or (pronoun == "this" and path[:-1] not in candidates):
            by_pronoun.add(path)
    defined |= by_pronoun
    if marked or coded:
        marks: dict[str, list[int]] = defaultdict(list)
        for term, line in marked:
            marks[normalize(term)].append(line)
        for term, line in coded:  # compared as written: "TaskSurv", not "Task Surv"
            marks[term].append(line)
        for path in candidates:
            bare = _bare(path, numbered)
            lines = marks.get(normalize(bare), []) + marks.get(bare, [])
            spans = [passages[i].span for i in sections[path].passages]
            if lines and any(sp.start_line <= ln <= sp.end_line for ln in lines for sp in spans):
                defined.add(path)
    siblings: dict[tuple[str, ...], list[tuple[str, ...]]] = defaultdict(list)
    for path in candidates:
        siblings[path[:-1]].append(path)

    aspects = _aspects(candidates, repeated, numbered)
    # How many sections under each parent define their heading, counted once: counted per
    # section over its siblings, a page of 4,000 sibling sections took 16 million steps.
    defining_under = Counter(path[:-1] for path in defined)
    reasons: dict[tuple[str, ...], str] = {}
    for path in candidates:
        heading = _bare(path, numbered)
        n = len(heading.split())
        parent = f" of {path[-2]!r}" if len(path) > 1 else ""
        shape = f"section{parent} headed by a name ({n} word{'s' if n > 1 else ''})"
        if path in defined:
            if normalize(heading) not in aspects:
                how = "opens by describing it" if path in by_pronoun else "defines it"
                reasons[path] = f"{shape}, whose text {how}"
            continue
        if initialled(heading) and normalize(heading) not in aspects \
                and code[path] <= 2 * len(candidates[path]):
            # "Intersection over union, IoU" over what it measures: a name the writer spelled
            # out with its letters is a term, whatever its first sentence does (round 53:
            # vlee's section was no entry, its text opening "consider area of ..."); not
            # over twice as much code as words, a worked example's step ("Supervised
            # Fine-Tuning (SFT)" over the commands that run it)
            reasons[path] = f"{shape} and its initials"
            continue
        group = siblings[path[:-1]]
        defining = defining_under[path[:-1]]
        if len(group) < MIN_PARALLEL or _gerund_phrase(heading) or not defining:
            continue
        mentioned = _named_in(heading, candidates[path])  # only where it can decide
        if defining * 2 > len(group) and not mentioned:
            reasons[path] = (
                f"{shape}, one of {len(group)} parallel sections of which {defining} "
                "define their heading"
            )
        elif any(g in defined and g not in by_pronoun for g in group) \
                and normalize(heading) not in repeated and not mentioned \
                and code[path] <= 2 * len(candidates[path]) \
                and not (code[path] and _instructs(candidates[path])):
            # Parallel sections of a topic ("Early Stopping", "L1 Regularization" on a
            # Regularization page), one of which at least defines its heading: each is a
            # topic of its own. A heading the page repeats ("Model", "Cost function" under
            # each of its parts) is a part of the page, and a heading its lead only uses
            # in passing ("supports agent training") is not what the section defines. A
            # section of twice as much code as words is a step of a worked example (round
            # 33: a notebook's "Debugging", "Prediction" beside its "Gradient Descent"; a
            # cheat sheet's "Early Stopping", a page of prose and its code, stays). So is one
            # of code whose text opens with an instruction (round 34: "Calculation", "Define
            # the features matrix as ..." over the code that builds it). One that describes
            # its heading by a pronoun only makes no topics of its siblings (round 46: a
            # "Weibull model" over "This method ..." made "Lineal approach" one).
            reasons[path] = (
                f"{shape}, one of {len(group)} topics of the page of which {defining} "
                "define their heading"
            )
    for parent_path, group in siblings.items():
        # A family of names ("Input Layer", "Hidden Layer", "Output Layer"): when most of
        # the group are entries, a member named like one of them is one too, even if its
        # lead uses its name in passing ("each neuron in the input layer ...").
        made = [g for g in group if g in reasons]
        if len(group) < MIN_PARALLEL or len(made) * 2 <= len(group):
            continue
        # Judged by the name each heading gives (`_bare`): "16.1.1. Defining Boosting" is
        # "Defining Boosting", an activity (round 34: a course book numbers every heading).
        heads = {_head_word(_bare(g, numbered)) for g in made} - {""}
        for path in group:
            bare = _bare(path, numbered)
            if path in reasons or _gerund_phrase(bare) or reads_as_part(bare) or \
                    normalize(path[-1]) in repeated or _head_word(bare) not in heads:
                continue
            n = len(bare.split())
            parent = f" of {parent_path[-1]!r}" if parent_path else ""
            reasons[path] = (
                f"section{parent} headed by a name ({n} word{'s' if n > 1 else ''}), one of "
                f"{len(group)} parallel names of one kind of which {len(made)} are entries"
            )
    _lead_by_first_part(passages, sections, candidates, reasons, stubs, own)
    for path in stubs:
        n = len(path[-1].split())
        parent = f" of {path[-2]!r}" if len(path) > 1 else ""
        reasons[path] = (f"section{parent} headed by a name ({n} word{'s' if n > 1 else ''}), "
                         "with only a placeholder under it")

    if slides:
        reasons = {p: r for p, r in reasons.items() if p in defined or p not in slides}
    for path, name in articled.items():
        n = len(name.split())
        parent = f" of {path[-2]!r}" if len(path) > 1 else ""
        reasons[path] = (f"section{parent} headed by a name after \"the\" ({n} word"
                         f"{'s' if n > 1 else ''}), whose text defines it")
    subject = _subject_section(doc, sections, reasons)
    if subject is not None:
        articled[subject] = subject[0]  # named by the section, not by its first slide
    if not reasons:
        return doc
    order = sorted((sections[path].first, path) for path in reasons)
    new: list[Entry] = []
    for k, (first, path) in enumerate(order):
        stop = order[k + 1][0] if k + 1 < len(order) else len(passages)
        run: list[Passage] = []
        for p in passages[first:stop]:
            if p.heading_path[: len(path)] != path or inside_entry(p):
                break
            run.append(p)
        if path == subject:  # a section named as the title: its lead or its first slide
            run = [p for p in run if p.heading_path == run[0].heading_path]
        if run:  # two sections that open at one passage: the first one ends before it
            new.append(_entry(articled.get(path, path[-1]), run, reasons[path], len(path)))
    entries = sorted((*doc.entries, *new), key=lambda e: e.span.start_line)
    return replace(doc, entries=tuple(entries))


# The last words of a page's own parts: "The Model", "The Loss Function", "The Training
# Data" under a page's title are that page's model, loss and data, never a concept apart
_OWN_PART_WORDS = frozenset({
    "model", "models", "data", "dataset", "datasets", "loss", "function", "functions",
    "architecture", "rate", "pass", "network", "encoder", "decoder", "optimizer", "objective",
    "setup", "pipeline", "algorithm", "method", "approach", "problem", "idea", "output",
    "outputs", "input", "inputs", "layer", "layers", "parameters", "weights", "results",
    "training", "step", "steps", "process", "framework", "system", "code", "implementation",
    "solution", "update", "formula", "gradient", "gradients",
    "estimator", "classifier", "regressor", "predictor", "cost", "score", "metric",
    "baseline", "task", "goal", "question", "answer", "example", "case", "features", "target",
    "targets", "labels", "intuition", "setting", "story", "end", "beginning", "basics",
})


def _after_article(heading: str) -> str | None:
    """The name "The X" gives ("Kernel Trick" of "The Kernel Trick"), when X is two words or
    more that are a name and no part of the page ("The Loss Function", "The Training Data"
    are the page's own; "The Model" one word, its page's model). None otherwise: the heading
    is judged as written (round 50: a titled lecture's "The Kernel Trick", whose text says
    "The kernel trick is ...", was no entry)."""
    words = heading.split()
    if len(words) < 3 or words[0].casefold() != "the":
        return None
    rest = " ".join(words[1:])
    if name_shaped(rest) is not None or reads_as_part(rest) or \
            words[-1].casefold().strip("()") in _OWN_PART_WORDS:
        return None
    return rest


# A course's numbered meeting: "Recitation 1", "Lecture 3", "Week 5" name no subject
_SESSION = re.compile(r"(?:recitation|lecture|lect?|lesson|week|day|module|unit|session"
                      r"|tutorial|lab|seminar|part|chapter|homework|hw|assignment|exam"
                      r"|quiz|problem set|ps)\s*\d{1,3}[a-z]?", re.IGNORECASE)


def _subject_section(doc: Document, sections: Mapping[tuple[str, ...], _Section],
                     reasons: dict[tuple[str, ...], str]) -> tuple[str, ...] | None:
    """A top section named as the page's title (a title apart from its headings: LaTeX's
    `\\title`, front matter's), beside other top sections, on a page with no entry of that
    name: the page's subject is there (round 50: a deck titled "Gaussian Mixture
    Models" whose second section is named so had only an empty page entry). Its first slide
    or lead is its text: the path of that returned, its name the title's."""
    key = normalize(doc.title)
    if not key or not isinstance(doc.meta.get("title"), str):
        return None
    # The section first: most pages have none named as their title, and the title's tests
    # below were a sixth of a generated post's section entries (issue 14).
    first = min(((sec.first, path) for path, sec in sections.items()
                 if path and normalize(path[0]) == key), default=None)
    if first is None or first[1] in reasons or all(normalize(p[0]) == key for p in sections):
        return None  # one section under the title (a Markdown note's H1) is the page itself
    if any(normalize(n) == key for e in doc.entries for n in (e.term, *e.aliases)) \
            or name_shaped(doc.title) is not None or _title_names_nothing(doc, doc.title) \
            or is_course_admin(doc.title, on_course_page=False) \
            or _SESSION.fullmatch(doc.title.strip()):
        return None
    reasons[first[1]] = "a section named as the page's title: the page's subject"
    return first[1]


def _step_of(heading: str, prose: str) -> bool:
    """Whether a section's lead names its heading as a step of what the section above does:
    "The divide step splits ...", "In the **conquer** stage ..." under "Divide", "Conquer",
    "Combine" (round 38's leftover: a course site's merge sort and median search gave each a
    concept). A step of one procedure is no thing to look up."""
    words = heading.split()
    if not words or len(words) > 2:
        return False
    said = prose[:LEAD_CHARS].casefold().replace("*", "").replace("_", " ")
    # Each place the heading is said, tried with patterns compiled once: one pattern per
    # heading overflowed re's cache on a page of thousands of sections and compiled each anew
    # (a 32,000-section Org file read at 0.64 ms a section against 0.17 ms at 500).
    name = heading.casefold()
    at = said.find(name)
    while at >= 0:
        if _WORD_EDGE.match(said, at) and _STEP_WORD.match(said, at + len(name)):
            return True
        at = said.find(name, at + 1)
    return False


_WORD_EDGE = re.compile(r"\b")
_STEP_WORD = re.compile(r"\s+(?:step|stage|phase)s?\b(?!\s+(?:by|after)\s+(?:step|stage|phase))")


def _lead_by_first_part(passages: tuple[Passage, ...], sections: dict[tuple[str, ...], _Section],
                        candidates: dict[tuple[str, ...], str],
                        reasons: dict[tuple[str, ...], str], stubs: set[tuple[str, ...]],
                        own: set[str]) -> None:
    """A section with no text of its own whose first part is not an entry, and whose text
    defines the section's heading ("Numpy" > "Dot product": "Numpy uses the function
    np.dot ..."), is an entry from that part on: the part is how the page opens it. Adds to
    `reasons` and `sections` in place."""
    firsts: dict[tuple[str, ...], tuple[str, ...]] = {}  # text-less section -> its first part
    for p in passages:
        path = p.heading_path
        for n in range(1, len(path)):
            parent = path[:n]
            if parent not in sections and parent not in firsts:
                firsts[parent] = path[:n + 1]
    for parent, part in firsts.items():
        heading = parent[-1]
        if part in reasons or part in stubs or part not in sections or \
                normalize(heading) in own or name_shaped(heading) is not None:
            continue
        prose = candidates.get(part, "")
        if not prose or not _defines(heading, prose):
            continue
        n = len(heading.split())
        above = f" of {parent[-2]!r}" if len(parent) > 1 else ""
        reasons[parent] = (f"section{above} headed by a name ({n} word{'s' if n > 1 else ''}), "
                           f"with no text of its own, whose first part ({part[-1]!r}) defines it")
        sections[parent] = _Section(parent, sections[part].first, list(sections[part].passages))


# "grt - The Gesture Recognition Toolkit.", "Keras: a library ...": an item of an index.
_LABELLED = re.compile(r"^[^\s.]+(?:\s+[^\s.]+){0,3}\s*(?:\s[-\u2013\u2014]|:)\s")
_ITEM = re.compile(r"^\s*(?:[-*+\u2022]|\d+[.)])\s+", re.MULTILINE)


def _sentences(p: Passage) -> bool:
    """A list of sentences ("- Bagging stands for bootstrap aggregation.") is prose; a list
    of links, names or papers is an index."""
    if p.kind != "list":
        return False
    items = [i.strip() for i in _ITEM.split(p.text) if i.strip()]
    return bool(items) and all(
        len(i.split()) >= 6 and i.rstrip().endswith((".", "!", "?", ":"))
        and not _LABELLED.match(i) for i in items)


def _links_only(p: Passage) -> bool:
    """A paragraph of links, one a line (`[Paper A](a.md)  ` and `[Paper B](b.md)`, broken by
    trailing blanks; `[[K-Nearest Neighbors]]` under `[[Hyperparameters]]` in a vault), is an
    index, as a list of them is, also with a few words of its own between them ("Data-driven
    approach", "Batch Normalization:"): a README's "## Efficiency" over four papers' links,
    and a course overview's "# CNN Architectures" over links into its notes (round 30),
    defined nothing."""
    if p.kind != "text" or not p.links:
        return False
    shown = {normalize(x) for link in p.links for x in (link.label, link.target) if x}
    lines = [ln.strip() for ln in p.text.split("\n") if ln.strip()]
    linked = sum(1 for ln in lines if normalize(ln) in shown)
    if linked and linked * 2 >= len(lines) and all(
            normalize(ln) in shown or (len(ln.split()) <= 5 and not ln.endswith((".", "!", "?")))
            for ln in lines):
        return True
    rest = p.text
    for link in p.links:
        rest = rest.replace(link.label or link.target, " ", 1)
    return _HAS_LETTER.search(rest) is None


# Sub-headings that open a section's own text: "Decision Trees" holds nothing but its parts,
# and the first, "Intuitions", says what a decision tree is.
_OPENING_PARTS = frozenset({"introduction", "intro", "overview", "intuition", "intuitions",
                            "definition", "definitions", "description", "basics", "main idea",
                            "key idea", "key ideas", "idea", "concept", "explanation",
                            # "### Numba" > "#### Introducción" (round 31: a Spanish wiki)
                            "introducción", "introduccion",
                            # "== Robustness Verification" > "=== 问题定义" (problem statement);
                            # motivation, core idea, intuition, definition, introduction,
                            # overview, principle as a Chinese writer heads them (read56: a
                            # master's notes lost the section's concept when its part
                            # became no entry of its own)
                            "problem statement", "problem definition", "motivation",
                            "core idea", "问题定义", "核心思想", "基本思想", "核心问题", "动机",
                            "动机与直觉", "直觉", "直观理解", "定义", "简介", "概述", "引言",
                            "介绍", "原理"})


_WHAT_IS = re.compile(r"^what\s+(?:is|are)\s+(?:(?:a|an|the)\s+)?(.+?)\s*\?*$")


def _opening(path: tuple[str, ...]) -> bool:
    """Whether the last heading of `path` introduces the section above it: an introducing
    word ("Intuitions"), or the question of what the section's heading is ("Dropout" >
    "What is Dropout?", an rst rubric)."""
    key = heading_key(path[-1])
    if key in _OPENING_PARTS:
        return True
    asked = _WHAT_IS.match(" ".join(path[-1].split()).casefold())
    return asked is not None and len(path) > 1 and \
        normalize(asked.group(1)) == normalize(path[-2])


def _open_with_parts(passages: tuple[Passage, ...], sections: dict[tuple[str, ...], _Section]
                     ) -> None:
    """A section with no text of its own that opens with an introducing part ("Decision
    Trees" > "Intuitions", "K-Nearest Neighbor" > "Introduction", "Dropout" > "What is
    Dropout?") has that part's text as its own: the section is a candidate like any other,
    and an entry covers all its parts."""
    wanted = {path[:-1] for path in sections
              if len(path) > 1 and _opening(path)} - sections.keys()
    if not wanted:
        return
    first: dict[tuple[str, ...], int] = {}  # where each wanted section's passages begin
    for i, p in enumerate(passages):
        for n in range(1, len(p.heading_path)):
            prefix = p.heading_path[:n]
            if prefix in wanted and prefix not in first:
                first[prefix] = i
    for path, sec in list(sections.items()):
        parent = path[:-1]
        if parent in wanted and first.get(parent) == sec.first and _opening(path):
            sections[parent] = _Section(parent, sec.first, list(sec.passages))


# Text that stands in for a section not written yet: such a section is a title-only entry.
_PLACEHOLDER = re.compile(
    r"^\s*(?:be the first to contribute|todo|tbd|tba|wip|coming soon|to be (?:written|added|"
    r"done|completed)|work in progress|under construction|placeholder)\W*$", re.IGNORECASE)


def _aspects(candidates: dict[tuple[str, ...], str], repeated: set[str],
             numbered: bool) -> set[str]:
    """Headings the page repeats, each time under a section whose text says it is the
    heading *of* that section ("Estimate" under "Expectation": "an estimate of the
    expectation is ..."; under "Covariance": "an estimate of the covariance ..."): an aspect
    of each topic, no topic of its own (round 37: three concepts "Estimate" of one
    notebook). A name repeated where one of its texts defines it plainly ("Hadamard product
    is ...", then "Hadamard product of matrices is ...") stays."""
    said: dict[str, list[bool]] = defaultdict(list)
    for path, prose in candidates.items():
        key = normalize(path[-1])
        if key not in repeated:
            continue
        if len(path) < 2:
            said[key].append(False)
            continue
        head = normalize(_bare(path, numbered))
        parent = normalize(_bare(path[:-1], numbered))
        text = normalize(prose)
        # "an estimate of the pearson correlation" under "Correlation": a few words between.
        # The pattern is new for each section (its parent's name): compiled only when the
        # text holds its three literal parts, which a match needs (a page of 4,000 "Model"
        # sections compiled 4,000 patterns, and flushed re's cache of every other).
        said[key].append(head in text and " of " in text and parent in text and re.search(
            rf"\b{re.escape(head)}s? of (?:\w+ ){{0,3}}{re.escape(parent)}\b", text) is not None)
    return {key for key, flags in said.items() if len(flags) > 1 and all(flags)}


def _repeated_headings(sections: dict[tuple[str, ...], _Section]) -> set[str]:
    """Headings a page uses more than once ("Model", "Cost function" under each of its parts):
    parts of the page's layout, not names of things."""
    seen: dict[str, int] = defaultdict(int)
    for path in sections:
        seen[normalize(path[-1])] += 1
    return {key for key, count in seen.items() if count > 1}


def _head_word(heading: str) -> str:
    """The last word of a name of two or more words, folded ("Hidden Layers" -> "layer"), or
    "" for a one-word name: names that share it name things of one kind."""
    words = heading.split()
    return normalize(words[-1]) if len(words) > 1 else ""


def _instructs(prose: str) -> bool:
    """Whether a section's text opens with an instruction ("Define the matrix $X$ as",
    "Initialize the weights with zeros"): a step of a worked example, not a topic."""
    words = prose.lstrip("*_ ").split(maxsplit=2)
    return len(words) > 1 and words[0][:1].isupper() and words[0].casefold() in _IMPERATIVES


def _gerund_phrase(heading: str) -> bool:
    """ "Computing probabilities", "Formalizing Bayesian Optimization": an activity over a
    thing, not a name, unless the text defines it as one ("Learning rate is ...")."""
    words = heading.split()
    return len(words) > 1 and words[0].casefold().endswith("ing") and len(words[0]) > 5


def _with_subheadings(run: list[Passage], depth: int) -> list[str]:
    """The texts of an entry's passages, each sub-heading of the section (a heading below the
    entry's, or an rst rubric: "Pros", "Cons", "Dot product") on a line of its own before
    the first text under it, as a reader of the page sees it, and a code passage fenced
    (`fences`: a notebook's code cell read as prose on the card). A sub-heading before the
    entry's first text is not written (the definition opens with text: "Intuitions" over a
    section's opening part), nor one over a placeholder only."""
    out: list[str] = []
    last: tuple[str, ...] = run[0].heading_path if run else ()
    for p in run:
        if not p.text.strip() or _PLACEHOLDER.match(p.text):
            continue
        path = p.heading_path
        if out and path != last:
            shared = 0
            while shared < min(len(path), len(last)) and path[shared] == last[shared]:
                shared += 1
            out.extend(h for h in path[max(shared, depth):] if h.strip())
        out.append(fenced(p.text, p.language) if p.kind == "code" else p.text)
        last = path
    return out


def _entry(term: str, run: list[Passage], reason: str, depth: int) -> Entry:
    span = Span(run[0].span.path, run[0].span.start_line, max(p.span.end_line for p in run))
    links: tuple[Link, ...] = tuple(dict.fromkeys(x for p in run for x in p.links))
    math: tuple[Math, ...] = tuple(x for p in run for x in p.math)
    images: tuple[Image, ...] = tuple(x for p in run for x in p.images)
    return Entry(
        term=term,
        definition="\n\n".join(_with_subheadings(run, depth)),
        span=span,
        links=links,
        math=math,
        images=images,
        references=tuple(r for p in run for r in p.references),
        reason=reason,
    )


MAX_TITLE_WORDS = 14
# An address, a list of clauses, or a sentence that opens with a pronoun and its verb ("We
# need to split data to test model's performance", a text file's first line; not "You Only
# Look Once").
# A line of code at a prompt (">>> a[0, 3:5]", a figure of a REPL saved as a PDF; round 40)
_NOT_A_TITLE = re.compile(r"://|www\.|;|^(?:I|We|You|They|He|She|It|This|There|These|Those)"
                          r" [a-z]|^\s*(?:>>>|In \[\d*\]:)")
# Why an entry stands for a whole page or note, not for a definition in it: such an entry may
# have no text of its own.
_ID_TITLE = re.compile(r"[0-9a-f]{8,}|^\d{6,}$|^[\W\d_]*$", re.IGNORECASE)


# A template's placeholders: Obsidian's core plugin (`{{title}}`, `{{date:YYYY-MM-DD}}`),
# Templater (`<% tp.date.now() %>`).
_TEMPLATE_MARK = re.compile(r"\{\{\s*(?:title|date|time)\b|<%[-_*]?\s*tp\.")
# A value that is only a placeholder, in the writer's language (`title: "{{TITEL}}"`).
_PLACEHOLDER_VALUE = re.compile(r"\{\{\s*\w[\w:.-]*\s*\}\}")


def is_placeholder(text: str) -> bool:
    """`{{TITEL}}`, `{{ title }}`: a template's slot, in the writer's language."""
    return "{{" in text and _PLACEHOLDER_VALUE.fullmatch(text.strip()) is not None


def is_template(meta: Mapping[str, object]) -> bool:
    """Front matter of a note template (`created: {{date}}`, `title: "{{TITEL}}"`, or tagged
    `template`): the shape of notes to come. Its links are placeholders (`[[page-1]]`) that
    a note made from it will fill in, no pages anyone wants."""
    if not meta:
        return False
    for v in meta.values():
        if isinstance(v, str) and ("{{" in v or "<%" in v) and (
                _TEMPLATE_MARK.search(v) or is_placeholder(v)):
            return True
    # A note its writer tags as a template (`tags:: template`, a Logseq graph's four templates
    # for paper notes, round 31).
    tags = meta.get("tags", meta.get("tag"))
    tags = [tags] if isinstance(tags, str) else tags
    return isinstance(tags, list) and any(
        isinstance(t, str) and t.strip().lstrip("#").casefold() in ("template", "templates")
        for t in tags)


def journal_note(meta: Mapping[str, object]) -> bool:
    """A Dendron journal note (`traitIds: [journalNote]`, what its "create journal note"
    writes): a day's log, whose headings are what the day held ("AI", "Consciousness"), not
    things it explains (round 36: a Dendron wiki's days gave five section concepts)."""
    traits = meta.get("traitIds") if meta else None
    return isinstance(traits, list) and "journalNote" in traits


def not_a_page(meta: Mapping[str, object], title: str = "") -> bool:
    """Front matter of a file that is no page about a thing: a Dendron workspace's root note
    (`id: root`, the top of its hierarchy), an Obsidian Excalidraw drawing
    (`excalidraw-plugin:`, whose text is the labels of its shapes), a note template
    (`created: {{date}}`, or tagged `template`: the shape of notes to come), a list of packages
    (`text.package_list`),
    a mail or news message (`text.message`), a program's settings (`text.settings`) or data
    (`text.data_rows`), a note in a vault's templates folder (`obsidian.in_templates_folder`),
    a piece of an HTML page (`html`: no `<html>`, `<title>` or heading), an HTML page that
    only redirects (`<meta http-equiv="refresh">`), a node of a Dendron hierarchy
    (`_apps.dendron_node`), a Quarto file other pages include (`_apps.quarto_partial`), a
    notebook with no title but its file's name (`notebook.read`), a vault's hub note tagged
    only `index` or `moc` (`_hub_by_tags`; `title`, the note's, says whether the tag names its
    subject)."""
    # A plain loop, and nothing at all for a file without front matter: asked two or three
    # times of every note (issue 14).
    if not meta:
        return False
    if meta.get("id") == "root" or "excalidraw-plugin" in meta:
        return True
    if meta.get("package_list") is True or meta.get("message") is True \
            or meta.get("settings") is True or meta.get("data") is True \
            or meta.get("vault_template") is True or meta.get("fragment") is True \
            or meta.get("hierarchy_node") is True or meta.get("redirect") is True \
            or meta.get("partial") is True or meta.get("untitled") is True:
        return True
    # The page's own front matter says it is an index, a log or a template (`type: index`,
    # as a wiki an LLM keeps writes its catalogue and its change log; round 33).
    kind = meta.get("type")
    if isinstance(kind, str) and kind.strip().casefold() in _NOT_A_PAGE_TYPES:
        return True
    if _hub_by_tags(meta, title):
        return True
    # A static site's page its own search leaves out: a 404 page, a tag's archive, made of a
    # Liquid include (`search: exclude` in Jekyll's documentation theme, `search_exclude:
    # true` in Just the Docs; round 34: "Page Not Found", "Documentation pages").
    search = meta.get("search")
    if (isinstance(search, str) and search.strip().casefold() == "exclude") \
            or meta.get("search_exclude") is True or meta.get("exclude_from_search") is True:
        return True
    # A Quarto listing page: its body is the list of the posts under it, which Quarto fills
    # in (round 35: a site's "Concepts", "Readings", "Daily ML Logs" were concepts).
    if isinstance(meta.get("listing"), (dict, list, str)):
        return True
    # A Jekyll page its theme fills with a list of posts (`layout: archive`, `categories`,
    # `tags`, `collection`, `posts`; Minimal Mistakes and most themes name them so): round
    # 39, a blog's "Posts by Category", "Posts by Tag" and its greeting home page "Hi!" were
    # concepts. A post (`layout: post`, `single`) is a page.
    # A list page whose own text opens by naming its title (`own_text`, the Markdown reader's
    # mark: a tag page that defines its tag) is a page about it.
    layout = meta.get("layout")
    if isinstance(layout, str) and layout.strip().casefold() in LIST_LAYOUTS \
            and meta.get("own_text") is not True:
        return True
    return is_template(meta)


_NOT_A_PAGE_TYPES = frozenset({"index", "log", "changelog", "moc", "template", "home"})
_HUB_TAGS = frozenset({"index", "moc", "hub", "map-of-content", "maps-of-content"})
# The last word of a note's name that says a hub tag names its subject ("Inverted index").
_HUB_TAG_SUBJECTS = frozenset({"index", "indexes", "indices", "hub", "hubs"})


def _hub_by_tags(meta: Mapping[str, object], title: str) -> bool:
    """A vault's hub note by its tags alone (`tags: index`, `tags: [moc]`): the course's home
    and each lecture's page, listing the notes of one idea each (round 49, qa49: a course
    vault's 8 hubs were concepts "CS229 Lecture 1" ...). A note with a tag of its subject
    too (`tags: [databases, index]`) may be about indexes; so is one whose name ends in the
    tag's word ("Inverted index" tagged `index`, "Hugging Face Hub" tagged `hub`: round 49,
    review49a)."""
    tags = meta.get("tags", meta.get("tag"))
    tags = [tags] if isinstance(tags, str) else tags
    if not isinstance(tags, list) or not tags or not all(
            isinstance(t, str) and t.strip().lstrip("#").casefold() in _HUB_TAGS for t in tags):
        return False
    words = title.casefold().split()
    return not words or words[-1] not in _HUB_TAG_SUBJECTS
LIST_LAYOUTS = frozenset({"archive", "archive-taxonomy", "categories", "tags", "collection",
                           "posts", "category", "tag", "blog-index", "paginate"})


# A page named by a dated file name, with no title of its own ("2020-02-20-vae" of a blog's
# notebook, "2023-03-05-standup" of a journal): the name says when the file was written; the
# page is a day's log or the draft of a post that has its own title (round 39's leftover: a
# Jekyll blog's 22 notebooks were concepts named so). Dropping the date would make a concept
# "standup" of a journal day (read39 tried it), so the page names none.
_DATED_NAME = re.compile(r"(?:19|20)\d\d-[01]?\d-[0-3]?\d[-_ ]\S.*")
# A dated name whose rest is a title written as one, with spaces and in capitals ("2017-06-12
# Attention Is All You Need"): the rest names the page (round 40's leftover: such a paper note
# named no concept). A slug ("2021-04-11-gaussian-mixtures") or one word ("2023-03-05
# Standup") still names none.
_DATED_TITLE = re.compile(r"(?:19|20)\d\d-[01]?\d-[0-3]?\d ([A-Z0-9]\S*(?: \S+)+)")


def _dated_title(title: str) -> str | None:
    """The title after the date of a dated name (`_DATED_TITLE`), or None: more than half of
    its words open with a capital or a digit."""
    m = _DATED_TITLE.fullmatch(title)
    if m is None:
        return None
    words = m.group(1).split()
    if any(w.casefold().strip(".,:;()[]'\"") in _DIARY_WORDS for w in words):
        return None
    return m.group(1) if 2 * sum(w[0].isupper() or w[0].isdigit() for w in words) > len(words) \
        else None


# A dated file whose title names what the day held, a meeting or a log ("2024-01-09 Team
# Sync", "2024-01-15 Weekly Review", "2024-01-11 Meeting with Alice"): one of a series, the
# same title on many days, no name of a thing (review41b: each such series was one concept,
# "Weekly Review" with an entry per week).
_DIARY_WORDS = frozenset({
    "notes", "note", "recap", "log", "journal", "diary", "review", "update", "updates",
    "meeting", "meetings", "sync", "standup", "stand-up", "retro", "retrospective", "1:1",
    "1-1", "check-in", "checkin", "kickoff", "kick-off", "planning", "call", "agenda",
    "minutes", "catch-up", "interview", "reflection", "reflections", "todo", "todos",
})


def add_page_entry(doc: Document) -> Document:
    """`doc` with an entry named by its title when no entry of it has that name (round 2,
    item 3): `show TITLE` finds every page, an HTML article, an rst page, a notebook or a PDF,
    and a link to the page by its title leads to it.

    The entry has no text of its own: a whole page is not a definition, and its text stays in
    its passages, where search finds it as before (an entry's text weighs more there). It spans
    the page's lead (its text before the first section), or line 1 when the page opens with a
    section, so that it never swallows the page's section entries; lint does not call such an
    entry empty. Titles that name no
    thing are left alone: a part of a page ("Glossary"), a sentence (ending in ':' or '.',
    holding ';' or an address, or stating something: `conventions.is_statement`), an id, or
    over `MAX_TITLE_WORDS` words.
    """
    title = " ".join(doc.title.split())
    if _DATED_NAME.fullmatch(title):
        title = _dated_title(title) or title
    key = normalize(title)
    if not key or not doc.passages:
        return doc
    short = _pagetitle_head(doc.meta, title)
    asked = _subject_asked(title, doc.passages)
    if asked is None and (numbered := bare_name(title)) != title:
        # the subject and its subtitle after a part's number ("Part 4, Backpropagation,
        # slowly": review52c, named "Backpropagation, slowly")
        asked = _subject_asked(numbered, doc.passages)
    if asked is not None:
        whole = normalize(bare_name(title))
        named = normalize(bare_name(asked))
        # the title as written and without its number ("4.5 Adam: ...", "Adam: ..."), as
        # people look it up (review51a: only the numbered one was kept, and `show "Adam:
        # Combining ..."` found nothing where it had before read51)
        titles = tuple(dict.fromkeys((title, bare_name(title))))
        if same := [e for e in doc.entries if normalize(bare_name(e.term)) == named]:
            # A section is the subject's entry already ("What Is an AutoEncoder" under
            # "AutoEncoder: Starting with ..."): the title a name of it, no second entry
            return replace(doc, entries=tuple(
                replace(e, aliases=(*e.aliases, *titles)) if e is same[0] else e
                for e in doc.entries))
        if any(normalize(bare_name(e.term)) == whole for e in doc.entries):
            # The reader's own entry, named by the whole title (a page of no sections): named
            # by the subject, the title a name of it still (read51)
            return replace(doc, entries=tuple(
                replace(e, term=asked, aliases=tuple(dict.fromkeys((*e.aliases, e.term,
                                                                     *titles))))
                if normalize(bare_name(e.term)) == whole else e for e in doc.entries))
        title, key, short = asked, normalize(asked), (*short, *titles)
    if any(normalize(n) == key for e in doc.entries for n in (e.term, *e.aliases)):
        return replace(doc, entries=tuple(
            replace(e, aliases=(*e.aliases, *short)) if short and normalize(e.term) == key
            else e for e in doc.entries))
    if _title_names_nothing(doc, title):
        return doc
    taken = [(e.span.start_line, e.span.end_line) for e in doc.entries]

    top = {(), (title,), (doc.title,), ("p. 1",)}  # a PDF's passages sit under their page
    lead: list[Passage] = []
    opening: list[Passage] = []
    for p in doc.passages:
        if p.heading_path not in top or any(s <= p.span.start_line <= e for s, e in taken):
            break
        opening.append(p)
        if p.kind in _PROSE_KINDS and p.text.strip():
            lead.append(p)  # code, lists and tables before the first section are not its text
    first = doc.passages[0].span
    # No text of its own: the lead stays the page's passages (found by search as they were),
    # and the entry only makes the page findable by its title.
    span = Span(first.path, lead[0].span.start_line, max(p.span.end_line for p in lead)) \
        if lead else Span(first.path, 1, 1)
    # The links of the page's opening text are the page's: without them a page that opens
    # with "builds on [Softmax](softmax.md)" linked nowhere, and Softmax was mentioned nowhere.
    # A table of contents' links to the page's own sections (`[Tasks](#tasks)`) are not.
    links = tuple(dict.fromkeys(
        x for p in opening for x in p.links
        if not (x.href or "").startswith("#") and normalize(x.target) != key))
    entry = Entry(term=title, definition="", span=span, links=links, reason=PAGE_REASON,
                  aliases=short)
    entries = sorted((*doc.entries, entry), key=lambda e: e.span.start_line)
    return replace(doc, entries=tuple(entries))


# A title's colon before its subtitle: ": " or the full-width one (U+FF1A) of Chinese and Japanese.
_SUBTITLE_COLON = re.compile(r":\s+|\s*\uff1a\s*")
# A title's comma before a subtitle that says how the page treats its subject: an adverb
# ("slowly", "visually"), a participle of explaining ("explained", "revisited",
# "demystified") or a phrase of the kind ("from scratch", "in pictures", "the hard way").
# Nouns and adjectives in "-ly" ("Anomaly", "Family", "Weekly") are no such adverbs.
_SUBTITLE_COMMA = re.compile(r",\s+")
_EXPLAINING = (r"explained|revisited|demystified|illustrated|visuali[sz]ed|simplified|unpacked"
               r"|decoded|dissected|derived|annotated|reimplemented|implemented|untangled"
               r"|unraveled|unravelled|reconsidered|summari[sz]ed")
_LY = (r"(?!(?:family|assembly|anomaly|anomalies|butterfly|firefly|dragonfly|supply|reply|only"
       r"|italy|july|monopoly|ally|rally|jelly|holy|poly|fly|apply|multiply|early|daily|weekly"
       r"|monthly|yearly|quarterly|hourly|nightly|friendly|likely|unlikely|kelly|bully|curly"
       r"|ugly|silly|costly)\b)[a-z]{3,}ly")
# An adverb counts alone, at the end, before a second one ("slowly and carefully") or before a
# participle of explaining ("intuitively explained"); before any other word it qualifies that
# word ("weakly supervised", "Fully Convolutional Networks", "usually used for"): no subtitle,
# the page is no page on X (review52a). A participle, likewise, at the end or before what
# says how ("explained without the hype", "derived by hand"), not before a noun ("derived
# distributions").
_MANNER = re.compile(
    rf"{_LY}(?:\s+(?:and|or|&)\s+{_LY})?(?:\s+(?:{_EXPLAINING}|put|speaking)\b|[\s.!?]*$)"
    rf"|(?:{_EXPLAINING})(?=[\s.!?]*$|\s+(?:without|with|in|for|from|by|through|using|via|again"
    r"|once|step|and|or|like|at|on|to|the|a|an|[a-z]{3,}ly)\b)"
    r"|(?:in pictures|in plain english|in a nutshell|in practice|in depth|in detail|from scratch"
    r"|step by step|by hand|by example|the hard way|the easy way|for beginners|for dummies"
    r"|made simple|made easy)\b",
    re.IGNORECASE)
# Two things in a head ("Softmax and Cross Entropy", "Class Token 与 Positional Embedding",
# "RMSprop / Adadelta"): a chapter on both, named by neither alone.
_TWO_THINGS = re.compile(r"\s(?:and|&|vs\.?|versus|or)\s|[,/\u4e0e\u548c\u53ca\u3001]|\s[+]\s",
                         re.IGNORECASE)


def _subject_asked(title: str, passages: Sequence[Passage]) -> str | None:
    """The name before the colon of a title that goes on with the question its page answers
    ("1.2 Loss Function: How Does a Model Know How Wrong It Is?"): a question is no name, and
    the page had no entry (round 50, qa50: two of a bilingual Quarto book's English chapters,
    `show "Loss Function"` found nothing while the Chinese twin was a concept). A part of a
    course ("Part 2: How Do Networks Learn?") or a phrase ("DDPM from a Derivation: ...")
    before the colon names nothing.

    So does one that goes on with what its subject does or is made of (`_describes`): "4.5
    Adam: Combining Momentum and RMSprop", "Adam\uff1aMomentum 与 RMSprop 的结合" are Adam's
    chapters (read51: named by the whole title, `show Adam` only suggested them, and a
    bilingual book's two chapters on Adam were two concepts).

    A subtitle after a comma that says how the page treats its subject ("KL divergence,
    slowly", "Mixture of Experts, explained without the hype", `_MANNER`) is one too (read52:
    a blog's two posts were concepts of those names beside the vault's KL Divergence and
    Mixture of Experts); two names after each other ("Precision, Recall") are not."""
    m = _SUBTITLE_COLON.search(title)
    comma = m is None
    if m is None and ((m := _SUBTITLE_COMMA.search(title)) is None
                      or _MANNER.match(title, m.end()) is None):
        return None
    head, rest = title[:m.start()].strip(), title[m.end():].strip()
    if not rest or len(head.split()) > 4 or _labels(head):
        return None
    if comma:
        if len(rest.split()) > 6 or "," in rest:
            return None
    elif not rest.endswith(("?", "\uff1f")) and not _describes(head, rest):
        return None
    if name_shaped(head) is not None or is_generic_title(head) or names_no_concept(head) \
            or _UNIT_NUMBERED.fullmatch(head) or not _said(bare_name(head), passages):
        return None
    return head


# A label a writer puts before a title's colon, no thing the page is about ("Update: ...",
# "TL;DR: ...", "Q: ...", "Case Study: ...", "注意\uff1a...", "笔记\uff1a..."). Compared after
# `heading_key`. With the label said in the page, read51's rule named the page by it
# (review51a: "Update", "Tip", "第三章").
_TITLE_LABELS = frozenset({
    "update", "edit", "aside", "bonus", "note", "tip", "tips", "hint", "warning", "caution",
    "important", "takeaway", "takeaways", "key takeaway", "tl;dr", "tldr", "q", "a", "q&a",
    "faq", "question", "answer", "todo", "to do", "wip", "status", "idea", "theorem", "lemma",
    "corollary", "proposition", "definition", "proof", "example", "examples", "case study",
    "demo", "problem", "solution", "reminder", "disclaimer", "caveat", "fyi", "til", "news",
    "注意", "提示", "警告", "更新", "笔记", "例子", "例", "示例", "问", "答", "问题", "答案",
    "练习", "习题", "定理", "引理", "定义", "证明", "总结", "小结", "思考", "备注", "补充",
    "前言", "导读", "摘要", "作业", "实验", "注", "例题",
    # a project, an application, an example, an exercise, a task, a case study, a note, a
    # theorem, a definition, a proof, as a Spanish, German, Czech, Portuguese or French writer
    # labels a page (read57: an Antora site's four "Proyecto: ..." pages were each the concept
    # "Proyecto", a German course's notebook "Anwendung: ..." the concept "Anwendung")
    "proyecto", "projekt", "projeto", "projet", "anwendung", "aplicación",
    "aplicação", "ejemplo", "ejercicio", "beispiel", "aufgabe", "übung",
    "fallstudie", "příklad", "cvičení", "úloha", "exemplo",
    "exercício", "exemple", "exercice", "caso de estudio", "estudo de caso",
    "étude de cas", "nota", "poznámka", "remarque", "hinweis", "teorema", "satz",
    "věta", "théorème", "definición", "definição", "definice",
    "définition", "demostración", "beweis", "důkaz", "práctica",
    "tarea"})
# A Chinese book's or course's unit and its number: "第三章" (chapter 3), "第2讲" (lecture 2)
_ZH_UNIT = re.compile(r"第\s*[\d一二三四五六七八九十百零\u3007两]+\s*[章节讲课周部篇回卷期天]")


def _labels(head: str) -> bool:
    """Whether a title's head before its colon is a label or a document's kind, no name."""
    key = heading_key(head)
    return key in _TITLE_LABELS or key in _DOCUMENT_KINDS or _ZH_UNIT.match(head) is not None


def _describes(head: str, rest: str) -> bool:
    """Whether a title's subtitle says what the thing its head names does or is made of: a
    phrase of three words or more ("Decoupled Weight Decay", "Reducing Overfitting through
    Random Deactivation"), or of four Chinese characters or more ("解耦权重衰减"). Not after a
    head naming two things, a programming language ("Python: Lists and Tuples" is about
    lists) or a course's part, nor a subtitle that opens with an article or a possessive ("a
    survey", "my notes from ...": a document about the head, whose title names it whole)."""
    key = heading_key(head)
    if _TWO_THINGS.search(head) or key in _LANGUAGES or key in _DOCUMENT_KINDS \
            or _COURSE_PART.fullmatch(key) or _UNIT_IN_HEAD.search(head) \
            or _OPENS_WITH_ARTICLE.match(rest) or is_generic_title(rest):
        return False
    if _LISTED.search(rest) and not _SAYS_HOW.match(rest) and "\u7684" not in rest:
        # "Dalvik and ART", "Pretraining and Fine-Tuning", "概率建模与重参数化技巧": the parts
        # of the head the page covers, no saying what it is (a Chinese 的 phrase does)
        return False
    return len(rest.split()) >= 3 or sum(map(len, _HAN.findall(rest))) >= 4


# A document's kind as a title's head ("Survey: Li et al. 2025", "Notes: ..."): the page is
# that document, about what follows. Compared after `heading_key`.
_DOCUMENT_KINDS = frozenset({
    "survey", "review", "notes", "note", "summary", "overview", "tutorial", "paper", "lecture",
    "reading", "recap", "cheatsheet", "cheat sheet", "primer", "guide", "introduction", "intro",
    "assignment", "homework", "project", "exercise", "exercises", "quiz", "exam", "slides",
    "talk", "report", "essay", "thesis", "draft", "appendix", "reference", "references"})
# A list of parts after the colon, and what opens a phrase that says how or what instead
# ("Combining Momentum and RMSprop", "From Gradients to Parameter Updates").
_LISTED = re.compile(r",|\s(?:and|&)\s|[\u3001\u4e0e\u548c\u53ca\uff0c]")
_SAYS_HOW = re.compile(r"[A-Za-z]{2,}ing\b|(?:from|why|how|what|when|where|which|with|without"
                       r"|via|through|beyond|toward|towards|into|for)\b|从|为什么|如何|通过|让|把",
                       re.IGNORECASE)


def _title_names_nothing(doc: Document, title: str) -> bool:
    """Whether a page's title names no thing (`add_page_entry`)."""
    key = normalize(title)
    return is_generic_title(title) or _SENTENCE_END.search(title) is not None \
        or _ID_TITLE.search(title) is not None or len(title.split()) > MAX_TITLE_WORDS \
        or _NOT_A_TITLE.search(title) is not None or len(key) < 2 or names_no_concept(title) \
        or not_a_page(doc.meta, title) or MATH_ONLY.fullmatch(title) is not None \
        or is_statement(title) or doc.meta.get("topics") is True \
        or _DATED_NAME.fullmatch(title) is not None or manner_of_nothing(title)


def manner_of_nothing(title: str) -> bool:
    """Whether a title is a head that names nothing and a subtitle saying how the page
    treats it (`_MANNER`): "Notes, mostly", "Homework, explained", "Summary, briefly" name
    no more than "Notes", "Homework" or "Summary" alone; the whole title was a concept of its
    own (round 52 left it: `_subject_asked` declines a generic head, and the title stood).

    >>> manner_of_nothing("Notes, mostly"), manner_of_nothing("Backprop, slowly")
    (True, False)
    """
    m = _SUBTITLE_COMMA.search(title)
    if m is None or _MANNER.match(title, m.end()) is None:
        return False
    head = title[:m.start()].strip()
    return is_generic_title(head) or names_no_concept(head) or _labels(head) \
        or _UNIT_NUMBERED.fullmatch(head) is not None


# A course's or a book's unit and its number ("Module 3", "Section 2.1", "Ch. 4"): the
# course's order before a title's question, no subject (round 50, review50a).
_UNITS = (r"part|chapter|ch|section|sec|module|unit|lecture|lesson|week|day|session|tutorial"
          r"|lab|seminar|step|stage|topic|episode")
_UNIT_NUMBER = r"\.?\s*(?:\d{1,3}(?:\.\d{1,3})*|[ivx]{1,5})"
_UNIT_NUMBERED = re.compile(rf"(?:{_UNITS}){_UNIT_NUMBER}", re.IGNORECASE)
# ... or a course's work and its number anywhere in a title's head ("CS336 Assignment 1",
# "HW 3"): the work's page, whatever its subtitle says (read51)
_UNIT_IN_HEAD = re.compile(rf"\b(?:{_UNITS}|assignment|homework|hw|exercise|problem set|pset"
                           rf"|project|quiz|exam){_UNIT_NUMBER}\b", re.IGNORECASE)


def _said(name: str, passages: Sequence[Passage]) -> bool:
    """Whether the page's text says `name`: a page about a thing names it ("the loss
    function"), where a label before a title's question ("Case Study", "Bonus", "Thought
    Experiment") is said by the title alone (round 50, review50a)."""
    key = name.casefold()
    return any(key in p.text.casefold() for p in passages)


def _pagetitle_head(meta: Mapping[str, object], title: str) -> tuple[str, ...]:
    """Quarto's `pagetitle` (the name a browser tab and a sidebar give the page) when the
    page's title opens with it before a colon ("MDLM" over "# MDLM: Simple and Effective
    Masked Diffusion Language Models"): the short name of the page's subject, the paper's
    title after it (round 49, qa49: a Quarto book's paper chapters; `show MDLM` found only
    the book's Japanese chapter, titled "MDLM"). A tab's name that is not the title's head
    ("Overview" over "Olmo 3 Technical Report Summary"), or that names a part of a page
    ("Applications: Domain-Specific Use Cases"), is only the tab's."""
    short = meta.get("pagetitle") if meta else None
    if not isinstance(short, str) or not short.strip() or is_generic_heading(short):
        return ()
    head, colon, rest = title.partition(":")
    return (short.strip(),) if colon and rest.strip() and normalize(head) == normalize(short) \
        else ()


def clean_names(doc: Document) -> Document:
    """`doc` with each entry named as `conventions.bare_name` gives it: without the section
    number or step label its heading opens with ("1. Sentiment Analysis", "Approach 1: Test
    and Set"), a citation in it (`[cite:@key]`), a citation key before a paper's title, or the
    symbols that decorate it (`Neuroscience ⭐`): found and merged by the name. A page keeps
    the name as written as an alias: a link may name the page as its file or title does. An
    entry left with no name (`[cite:key]`), or named by a web address, is no entry."""
    entries = []
    numbered: bool | None = None
    for e in doc.entries:
        term = e.term
        if term[:1] == "[" and (e.reason in PAGE_REASONS or term == doc.title) \
                and (tag := _CATEGORY_TAG.match(term)) is not None \
                and tag["tag"].strip().casefold() not in _SPECIAL_TOKENS \
                and _HAS_LETTER.search(tag["tag"]) is not None \
                and _HAS_LETTER.search(term, tag.end()) is not None \
                and not is_generic_title(rest := bare_name(term[tag.end():])) \
                and not is_generic_heading(rest):
            # (a rest of no letter, "[Programmers] 2016", a problem named by its number, keeps
            # its tag: "2016" alone would be a year; so does a part of a course, "[Lecture 1]
            # Introduction", "[ML] Summary": "Introduction" alone would be every course's,
            # review57a)
            term = term[tag.end():]
        term = bare_name(term)
        if not term or names_nothing(term) or (term != e.term and term.endswith(("?", "\uff1f"))):
            # "Part 2: How Do Networks Learn?": the question after a part's number names
            # nothing, as the title itself did not (round 50, qa50)
            continue
        if ": " in term and (e.reason in PAGE_REASONS or e.term == doc.title):
            term = _without_folder_label(term, doc.path)
        if (bare := _HEADING_NUMBER.match(term)) is not None:
            if numbered is None:
                numbered = _numbers_headings(p.heading_path for p in doc.passages)
            if numbered:
                term = term[bare.end():]
        acronym = None
        if (pair := _comma_acronym(term)) is not None:
            term, acronym = pair
        spelled = greek_spelled(term)
        twin = _english_twin(term)
        if term == e.term and spelled == term and twin is None:
            entries.append(e)
            continue
        # So does a note named by its title ("2017 - Attention Is All You Need.md", which
        # opens with text that defines it).
        aliases = (e.term, *e.aliases) if e.reason in PAGE_REASONS or e.term == doc.title \
            else e.aliases
        if acronym is not None:
            aliases = (acronym, *aliases)
        if spelled != term:
            # "\u03b5-greedy" is "epsilon-greedy" too (review55a), "\u03c72 Test" also
            # "chi-squared Test", as notes and searches write it in words (read56)
            aliases = tuple(dict.fromkeys((*aliases, spelled)))
            if (squared := _CHI_SQUARED.sub("chi-squared", spelled)) != spelled:
                aliases = tuple(dict.fromkeys((*aliases, squared)))
        if twin is not None:
            aliases = tuple(dict.fromkeys((*aliases, twin)))
        entries.append(replace(e, term=term, aliases=aliases))
    return replace(doc, entries=tuple(entries)) if entries != list(doc.entries) else doc


# A name in Korean, Chinese, Japanese or Russian with its English name in brackets after it,
# "경사하강법(Gradient Descent)", "逻辑回归 (Logistic Regression)" (read57: a Korean blog's
# posts were found by `show Backpropagation`, a one-word twin read as a short form, but not by
# `show "Gradient Descent"`: a twin of several words was read as a qualifier, no name).
_TWIN = re.compile(r"(?P<native>[^A-Za-z()\uff08\uff09]+?)\s*[(\uff08]"
                   r"(?P<twin>[A-Z][A-Za-z0-9'-]*(?: [A-Za-z0-9'&-]+){1,5})[)\uff09]")


def _english_twin(term: str) -> str | None:
    """The English name in brackets after a name in another script (`_TWIN`), or None."""
    if term[-1:] not in (")", "\uff09") or term.isascii():
        return None
    m = _TWIN.fullmatch(term)
    if m is None or m["native"].isascii() or not _HAS_LETTER.search(m["native"]):
        return None
    # a number in it says which lecture, part or paper, not what the concept is called:
    # "梯度下降 (Lecture 3)", "Линейная регрессия (Part 2)" (review57a: every note of a course
    # so titled had the alias "Lecture 3" of another course's note)
    if any(w.isdigit() or _ROMAN.fullmatch(w) for w in m["twin"].split()[1:]):
        return None
    # nor a part of a page in English ("核心思想 (Main Idea)", "相关工作 (Related Work)"): a
    # name every such post would share
    return None if is_generic_heading(m["twin"]) else m["twin"]


_ROMAN = re.compile(r"[IVX]{1,5}")


# A blog's category in brackets before a post's title: "[Deep Learning] 역전파(Backpropagation)",
# "[Machine Learning] 경사하강법(Gradient Descent)", "[ML] Gradient Descent" (read57: a Korean
# Jekyll blog titled its 133 posts so, and `show "Gradient Descent"` found none of them). The
# post is on what follows; the title as written stays a name of it. A model's special token
# opens a name ("[CLS] Token", "[MASK] Prediction") and stays.
_CATEGORY_TAG = re.compile(r"\[(?P<tag>[^\[\]\n]{1,40})\]\s+(?=\S)")
_SPECIAL_TOKENS = frozenset({"cls", "sep", "mask", "pad", "unk", "eos", "bos", "sos", "start",
                             "end", "s", "/s", "eot", "sep/cls"})


# A name and its acronym after a comma ("Non-Maximum Suppression, NMS", "Intersection over
# union, IoU"), as a Sphinx site of paper notes heads its sections (round 51, qa51): one
# word after the last comma, two capitals in it; or the acronym first ("LLE, Locally Linear
# Embedding", review52a).
_COMMA_ACRONYM = re.compile(r",\s*([A-Za-z][A-Za-z0-9-]{0,11})\s*$")
_ACRONYM_COMMA = re.compile(r"^\s*([A-Za-z][A-Za-z0-9-]{0,11})\s*,\s*")


_CHI_SQUARED = re.compile(r"(?<![A-Za-z])[Cc]hi(?:2|\u00b2)(?![0-9])")


def _comma_acronym(term: str) -> tuple[str, str] | None:
    """The name and the acronym of a term written "Name, ACR" or "ACR, Name" when the acronym
    abbreviates the name (`names.is_abbreviation`), else None: the entry is named by the
    name, the acronym an alias (read52: `show NMS` only suggested "Non-Maximum Suppression,
    NMS").

    >>> _comma_acronym("Non-Maximum Suppression, NMS"), _comma_acronym("Weights, Biases")
    (('Non-Maximum Suppression', 'NMS'), None)
    >>> _comma_acronym("LLE, Locally Linear Embedding"), _comma_acronym("AE, AutoEncoder")
    (('Locally Linear Embedding', 'LLE'), ('AutoEncoder', 'AE'))
    """
    if "," not in term:
        return None
    pairs = []
    if (m := _COMMA_ACRONYM.search(term)) is not None:
        pairs.append((term[:m.start()].strip(), m.group(1)))
    if (m := _ACRONYM_COMMA.match(term)) is not None:
        pairs.append((term[m.end():].strip(), m.group(1)))
    for long, short in pairs:
        if long and sum(c.isupper() for c in short) >= 2 and "," not in long \
                and is_abbreviation(short, long) and (" " in long or _spells(short, long)):
            return long, short
    return None


def _spells(short: str, word: str) -> bool:
    """Whether `short` abbreviates one word as its capitals ("AE" of "AutoEncoder") or its
    first letters ("ENC" of "Encoder") do: letters read off it at random ("ML" of "Models",
    "AI" of "Alignment") name a second thing (review52a).

    >>> _spells("AE", "AutoEncoder"), _spells("ENC", "Encoder"), _spells("ML", "Models")
    (True, True, False)
    """
    key = short.casefold().removesuffix("s") if short[:-1].isupper() else short.casefold()
    capitals = "".join(c for c in word if c.isupper() or c.isdigit()).casefold()
    return key == capitals or word.casefold().startswith(key)


def _without_folder_label(title: str, path: str) -> str:
    """A page's title without the label before its colon when the label is its folder's
    name, or the first words of it: a course filed by level titles each note so ("Beginner:
    3. RNN" in `04. Beginner/`, "Famous network: VGG" in `09. Famous Network Architecture/`;
    round 37: 40 of a lecture set's pages were named with their folder). The folder says
    where the page is, the rest what it is about.

    >>> _without_folder_label("Beginner: 3. RNN", "notes/04. Beginner/rnn.md")
    'RNN'
    >>> _without_folder_label("Famous network: VGG", "n/09 Famous Network Architecture/v.md")
    'VGG'
    >>> _without_folder_label("Attention: a survey", "notes/papers/attention.md")
    'Attention: a survey'

    What follows a page's subject is no name of its own: "Regularization: an overview" in
    `Regularization/`, "Loss: Summary" in `Loss/` stay whole (review37b: they were named
    "an overview" and "Summary").

    >>> _without_folder_label("Regularization: an overview", "notes/Regularization/r.md")
    'Regularization: an overview'

    So is a course's part as a label, in any folder (`_COURSE_PART`):

    >>> _without_folder_label("Mathematical Fundamentals: Norms", "notes/02. Maths/norms.md")
    'Norms'
    """
    label, _, rest = title.partition(": ")
    folder = heading_key(folder_of(path).replace("\\", "/").rsplit("/", 1)[-1])
    key = heading_key(label)
    course = _COURSE_PART.fullmatch(key)
    if not rest.strip() or not key or (folder != key and not folder.startswith(key + " ")
                                       and not course) \
            or _OPENS_WITH_ARTICLE.match(rest) or is_generic_title(rest):
        return title
    if not course and _DESCRIBES.match(rest) and len(rest.split()) >= _DESCRIPTION_WORDS:
        return title  # the folder's subject, described after the colon
    name = bare_name(rest)
    subject = key.split()[0] if course and len(key.split()) == 2 else ""
    if name and subject in _LANGUAGES and not any(
            w.casefold() in _LANGUAGES for w in name.split()):
        # "Python Basics: Lists", "Haskell Basics: Lists": the course's language is part of
        # what the page is about; "Lists" alone made one concept of both (review39b).
        word = next((w for w in label.split() if w.casefold() == subject), subject)
        return f"{word} {name}"
    return name or title


# ... or with a possessive: "RAG Introduction: Your AI's Perfect Memory System" pitches the page
# (round 46: a MkDocs site's page was the concept "Your AI's Perfect Memory System").
_OPENS_WITH_ARTICLE = re.compile(r"\s*(?:a|an|the|your|our|my)\s", re.IGNORECASE)
# What follows a folder's subject in lower case describes the subject, and names nothing of
# its own: "NumPy: creating and manipulating numerical data" in `numpy/` is NumPy's chapter,
# named by its whole title (round 40: a lecture book's chapters were concepts "plotting",
# "image processing"; the label alone would name "Beginner: linear models" "Beginner").
# A lower-case name with a mark ("k-means") is a name.
_DESCRIBES = re.compile(r"\s*(?:[a-z]{2,}(?:-[a-z]+)*\s|[a-z]+$)")
# A description is a phrase: "Deep Learning: backpropagation" in `deep-learning/`, "ML: gradient
# descent" in `ml/` name a concept in lower case, as people write their notes (review40b: both
# kept their label, and "backpropagation" was no concept).
_DESCRIPTION_WORDS = 4
# Programming languages and the libraries a course teaches as one: a course's part named by
# one of them ("Python Basics", "PyTorch Fundamentals") says whose lists, arrays or tensors
# its pages are about. Compared after `heading_key`.
_LANGUAGES = frozenset({
    "python", "r", "julia", "haskell", "java", "javascript", "typescript", "scala", "rust",
    "go", "golang", "c", "c++", "cpp", "c#", "sql", "matlab", "octave", "ruby", "kotlin",
    "swift", "bash", "shell", "lua", "perl", "php", "ocaml", "elixir", "erlang", "clojure",
    "lisp", "scheme", "prolog", "fortran", "dart", "numpy", "pandas", "pytorch", "tensorflow",
    "keras", "jax", "spark", "pyspark", "polars", "excel", "git", "docker", "linux"})
# A course's part as the label of each of its pages, whatever folder they sit in: "Mathematical
# Fundamentals: Norms", "Python Basics: Tuples", "Dataset Introduction: MNIST Dataset" (round
# 37's leftover: 17 pages of a lecture set kept the label in their name). Compared after
# `heading_key`; a label of at most three words ending in the part's word.
_COURSE_PART = re.compile(r"(?:[\w-]+ ){0,2}(?:fundamentals|basics|essentials|primer|introduction"
                          r"|preliminaries)")


# A name longer than this is a line of text, never a name: the longest term in
# ../shared/corpora has 64 characters, the longest title 119.
MAX_NAME_CHARS = 200


def drop_long_names(doc: Document) -> Document:
    """`doc` without the entries named by more than `MAX_NAME_CHARS` characters, each with a
    warning at its line; a title that long gets a warning too. Without one, a page whose
    heading ran on for 15,000 characters had no entry, and nothing said why."""
    long = [e for e in doc.entries if len(e.term) > MAX_NAME_CHARS]
    problems = [Problem(f"a name of {len(e.term):,} characters is too long to be one "
                        f"(over {MAX_NAME_CHARS}): not an entry; its text is searched as usual",
                        Span(e.span.path, e.span.start_line, e.span.start_line)) for e in long]
    if len(doc.title) > MAX_NAME_CHARS and all(e.term != doc.title for e in long):
        # A file's title is at its top; a page of a dump starts where its text does.
        line = doc.passages[0].span.start_line if doc.page is not None and doc.passages else 1
        problems.append(Problem(
            f"the title has {len(doc.title):,} characters, too long to be a name (over "
            f"{MAX_NAME_CHARS}): the page has no entry by its title; its text is searched as "
            "usual", Span(doc.path, line, line)))
    if not problems:
        return doc
    return replace(doc, entries=tuple(e for e in doc.entries if len(e.term) <= MAX_NAME_CHARS),
                   problems=(*doc.problems, *problems))


__all__ = [
    "LIST_LAYOUTS", "MAX_NAME_CHARS", "PAGE_REASON", "PAGE_REASONS", "VAULT_PAGE_REASON",
    "add_page_entry", "add_section_entries", "clean_names", "defines", "drop_long_names",
    "initialled", "is_placeholder", "is_template", "manner_of_nothing", "name_shaped", "not_a_page",
]
