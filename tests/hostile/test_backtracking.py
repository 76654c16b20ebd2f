"""Patterns that backtracked without end on a short hostile line (audit30).

Each pattern was rewritten so that a run of blanks or `!` is matched one way only; the new
pattern is checked against the old one on many short strings (where the old one is quick), and
its cost is checked to grow linearly (`ratio`, as tests/hostile/test_linear.py). The old
patterns took 2^n steps or more: a short input never ended, so a deadline far above the new
cost stops the test instead of letting it hang.
"""

from __future__ import annotations

import itertools
import random
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from grimoire import readers
from grimoire.lint import _see_only
from grimoire.names import NOTION_ID
from grimoire.readers import text
from grimoire.resolve.links import link_key
from tests.conftest import write_notes
from tests.hostile.test_linear import MAX_RATIO, ratio

DEADLINE = 60  # seconds; the new patterns take milliseconds on these inputs


@contextmanager
def _deadline(what: str) -> Iterator[None]:
    def stop(signum: int, frame: object) -> None:
        raise AssertionError(f"{what}: not done within {DEADLINE} s")

    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(DEADLINE)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


# The patterns as they were, to check that the new ones say the same.
_OLD_REQUIREMENT = re.compile(
    r"[A-Za-z0-9][\w.-]*\s*(?:\[[\w,\s-]*\])?\s*(?:[<>=!~]=?\s*[\w.*+!-]+\s*,?\s*)*"
    r"(?:;.*)?|-{1,2}[a-z][\w-]*(?:[ =]\S+)?|#.*|(?:git|hg|svn|bzr)\+\S+")
_OLD_SEE_ONLY = r"^\s*(?:see(?: also)?|synonym (?:of|for)|abbreviation for|same as|→)\s*:?\s*" \
    r"\[{0,2}[^\]\n.]{1,80}\]{0,2}\s*\.?\s*$"
_OLD_NOTION_ID = re.compile(r"\s+[0-9a-f]{32}$")


def test_a_line_of_bangs_is_read_as_text_at_once() -> None:
    # `A!!!...!x#` (200 `!`) in a .txt file: the requirements pattern tried 2^200 ways to cut
    # the `!` into version pins; the reader worker spent its whole 120 s budget and the file
    # "failed" (a 3 KB glossary line did it).
    data = ("A" + "!" * 200 + "x#\nThe meaning.\n").encode()
    with _deadline("a line of 200 '!'"):
        docs = readers.read_file("text", data, "a.txt")
    assert docs[0].title == "A" + "!" * 200 + "x#"


def test_the_requirements_pattern_says_what_it_said() -> None:
    # Exhaustively up to 8 characters after a package's first letter, and at random up to
    # 14: the same answer, except for two `!` apart by blanks alone (`1!a!! a`: either may
    # be the operator), which no requirements file holds.
    def same(s: str) -> bool:
        return (text._REQUIREMENT.fullmatch(s) is None) == (_OLD_REQUIREMENT.fullmatch(s) is None)

    for length in range(8):
        for chars in itertools.product("a1!= ,-<", repeat=length):
            s = "1" + "".join(chars)
            assert same(s) or re.search(r"!\s*!", s), s
    rng = random.Random(2)
    alphabet = list("a1_.-!=<~* ,;[]x\t")
    for _ in range(50_000):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        assert same(s) or re.search(r"!\s*!", s), s


def test_requirements_pattern_cost_is_linear() -> None:
    for make in (lambda n: "A" + "!" * n + "x#", lambda n: "A" + " " * n + "x",
                 lambda n: "A=" + "1! " * n + ",x", lambda n: "A" + "!=" * n + " #"):
        with _deadline(make(3)):
            r = ratio(make, text._REQUIREMENT.fullmatch)
        assert r <= MAX_RATIO, f"{make(3)!r}: 2n costs {r:.1f}x n"


def test_a_see_only_definition_with_blanks_is_checked_at_once() -> None:
    # "See also", 300 blanks, ".x" as a glossary entry's definition: `grimoire lint`, the web's
    # health page and MCP's lint ran for minutes (each blank run split every way: 100 blanks
    # 0.7 s, 200 blanks 19 s).
    for make in (lambda n: "See also" + " " * n + ".x", lambda n: "See also" + " \n" * n + ".x",
                 lambda n: "see:" + "\t" * n + ":" + " " * n + "]x"):
        with _deadline(make(3)):
            assert not _see_only(make(300))
            r = ratio(make, _see_only)
        assert r <= MAX_RATIO, f"{make(3)!r}: 2n costs {r:.1f}x n"
    assert _see_only("See also" + " " * 300 + "[[Attention]].")


def test_see_only_says_what_the_old_pattern_said() -> None:
    # Short strings of the characters the pattern tells apart, and blank runs around the
    # longest a target can hold (80), where the cut starts.
    old = re.compile(_OLD_SEE_ONLY, re.IGNORECASE)
    rng = random.Random(3)
    parts = [" ", "\t", "\n", ":", "[", "]", ".", "x", "see", " also", "→", "same as", "[[X]]"]
    for _ in range(30_000):
        s = rng.choice(["", "See also", "→ ", " same as", "see:"]) + "".join(
            rng.choice(parts) for _ in range(rng.randint(0, 10)))
        assert _see_only(s) == (old.match(s) is not None), repr(s)
    for n in (79, 80, 81, 82, 90):
        for s in ("see" + " " * n, "see:" + " " * n, "see " + " " * n + "x.",
                  "see " + "x" + " " * n + "]", "see\n" + " " * n + "\n", "see [" + " " * n):
            assert _see_only(s) == (old.match(s) is not None), (n, repr(s))


def test_a_link_of_blanks_resolves_in_linear_time() -> None:
    # `[[b` + 100,000 blanks + `c]]` (or `%20` in a Markdown link): resolving its name in
    # ingest's own process (no reader budget there) took minutes; NOTION_ID scanned the rest
    # of the run from each of its places.
    r = ratio(lambda n: "b" + " " * n + "c", link_key)
    assert r <= MAX_RATIO, f"2n costs {r:.1f}x n"
    rng = random.Random(5)
    parts = [" ", "\t", "\n", "a", "f", "0", "x", "0123456789abcdef0123456789abcdef"]
    for _ in range(50_000):
        s = "".join(rng.choice(parts) for _ in range(rng.randint(0, 8)))
        assert NOTION_ID.sub("", s) == _OLD_NOTION_ID.sub("", s), repr(s)


def test_a_name_of_many_dashes_is_split_in_linear_time() -> None:
    # A link target `a - - - ... - :` (8,000 " - ": 3.3 s a call, in ingest's resolve): at each
    # dash the rest was scanned for a colon or slash, which neither side of a pair may hold.
    from grimoire.names import _paired

    for make in (lambda n: "a" + " - " * n + ":", lambda n: "a" + " - " * n + ":(",
                 lambda n: "a" + " - " * n + "/x"):
        r = ratio(make, _paired)
        assert r <= MAX_RATIO, f"{make(2)!r}: 2n costs {r:.1f}x n"
    assert _paired("PCA - Principal Component Analysis") is not None
    assert _paired("PCA: Principal Component Analysis") is not None
    assert _paired("a: b: c") is None and _paired("a - b (c)") is None


def test_a_heading_of_underscores_is_named_in_linear_time() -> None:
    # `x___...___: y` as a heading: the citation-key pattern (org-roam-bibtex's
    # `hjelm_learning_2019: ...`) was quadratic, 0.5 s at 6,400 `_`, two minutes at 100,000.
    from grimoire.readers.conventions import _drop_citekey, bare_name

    for make in (lambda n: "x" + "_" * n + ": y", lambda n: "x_a" + "_" * n + "1: y"):
        r = ratio(make, bare_name)
        assert r <= MAX_RATIO, f"{make(2)!r}: 2n costs {r:.1f}x n"
    old = re.compile(r"^[a-z][\w-]*?(?:(?:19|20)\d\d[a-z]?|_[\w-]*\d{2}[\w-]*"
                     r"|_[a-z][\w-]*_[\w-]+):\s+(?=\S)")
    rng = random.Random(12)
    parts = ["a", "Z", "_", "-", "1", "9", "0", "2", "19", "20", "\u0663", "\u00e9", ":", " ",
             "\n", "x_y_z", "2019", "_a"]
    for _ in range(50_000):
        s = rng.choice(["", "h", "x_", "a_b"]) + "".join(
            rng.choice(parts) for _ in range(rng.randint(0, 10)))
        assert _drop_citekey(s) == old.sub("", s, count=1), repr(s)
    assert bare_name("hjelm_learning_2019: Learning deep") == "Learning deep"


# --- audit31: a heading of many `:code:`, and passages the asking process cuts into sentences.
# The old patterns took minutes at these sizes (quadratic: 58 s at a fifth of the heading, 78 s
# at a quarter of the brackets, 106 s at half the blanks); the new ones take seconds, so a
# subprocess that does not finish within SUBPROCESS_LIMIT means the old cost is back.
SUBPROCESS_LIMIT = 600  # seconds


def _grimoire(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    exe = str(Path(sys.executable).parent / "grimoire")
    try:
        return subprocess.run([exe, "--db", str(db), *args], capture_output=True, text=True,
                              timeout=SUBPROCESS_LIMIT)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"grimoire {args[0]}: not done within {SUBPROCESS_LIMIT} s") from e


def test_a_heading_of_many_shortcodes_is_read_at_once(tmp_path: Path) -> None:
    # "## x :ab: :ab: ... :ab: y": the pattern for emoji codes at a heading's end was tried
    # from each code and scanned the rest of the run: 20,000 codes took 58 s to ingest, 40,000
    # spent the reader's 120 s budget and the file failed.
    notes = write_notes(tmp_path / "notes", {
        "a.md":
                "# Glossary\n\n## x" + " :ab:" * 200_000 + " y\n\nx is a thing."
                "\n\n## :rocket: Prompt Engineering :studio_microphone:\n\n"
                "Prompt engineering is the craft of writing prompts for a "
                "language model.\n",
    })
    done = _grimoire(tmp_path / "kb.db", "ingest", str(notes), "--no-embed")
    assert done.returncode == 0 and "failed 0" in done.stdout, done.stdout + done.stderr
    listed = _grimoire(tmp_path / "kb.db", "list", "--json")
    assert '"term": "Prompt Engineering"' in listed.stdout, listed.stdout[:2000]


def test_shortcodes_are_removed_as_the_old_pattern_removed_them() -> None:
    from grimoire.readers.conventions import _without_shortcodes

    old = re.compile(r"^(?:\s*:[a-z0-9_+-]{2,40}:)+\s*|(?:\s*:[a-z0-9_+-]{2,40}:)+\s*$")
    for length in range(9):
        for chars in itertools.product(" :ab\nX", repeat=length):
            s = "".join(chars)
            assert _without_shortcodes(s) == old.sub("", s), repr(s)
    rng = random.Random(31)
    for _ in range(20_000):  # codes around the longest one (40)
        s = rng.choice(["", "x", " "]) + "".join(
            rng.choice(["", " ", "\n", "x"]) + ":" + "a" * rng.choice([1, 2, 39, 40, 41]) + ":"
            for _ in range(rng.randint(0, 5))) + rng.choice(["", " ", "y", ":"])
        assert _without_shortcodes(s) == old.sub("", s), repr(s)


@pytest.mark.parametrize("line", [
    pytest.param("Foo is a thing. " + "\\( " * 200_000, id="unclosed-parens"),
    pytest.param("Foo is a thing. " + "\\[ " * 200_000, id="unclosed-brackets"),
    pytest.param("- Foo is" + " " * 200_000 + "x\nmore words about foo", id="blank-run-in-item"),
    # Not a pattern: the citation's span widened by comparing every length of a line's words
    # with the quote's, quadratic in words (20,000 "a-": 6 s, 40,000: 20 s).
    pytest.param("- Foo is " + "a-" * 300_000 + " x\nmore words\nFoo is " + "a-" * 300_000 + ".",
                 id="lines-of-300000-words"),
])
def test_ask_cuts_a_hostile_passage_into_sentences_at_once(tmp_path: Path, line: str) -> None:
    # In the asking process (`ask`, the web's /ask, MCP: no reader budget there). Masking
    # formulas scanned to the end of the passage from every `\(` or `\[` with no closing after
    # it (50,000: 78 s); "does the item stop mid-sentence" was searched for from each blank of
    # a long run (100,000: 106 s).
    notes = write_notes(tmp_path / "notes", {
        "a.text": f"Foo\n\nFoo is a thing.\n{line}\n",
    })
    assert _grimoire(tmp_path / "kb.db", "ingest", str(notes), "--no-embed").returncode == 0
    done = _grimoire(tmp_path / "kb.db", "ask", "what is Foo?")
    assert done.returncode == 0, done.stderr
    assert "Foo is" in done.stdout and "a.text:3" in done.stdout, done.stdout + done.stderr


def test_masking_and_the_open_line_say_what_the_old_patterns_said() -> None:
    from grimoire.ask import sentences

    old_mask = re.compile(r"\$\$.+?\$\$|(?<![\\$])\$(?!\s)[^$\n]+?(?<!\s)\$(?!\d)|\\\(.+?\\\)"
                          r"|\\\[.+?\\\]|`[^`\n]+`", re.DOTALL)
    old_open = re.compile(r"[^.!?:;]\s*$")
    for length in range(7):
        for chars in itertools.product("\\()[]$ a`\n1", repeat=length):
            s = "".join(chars)
            assert sentences.mask(s) == old_mask.sub(lambda m: "x" * len(m.group(0)), s), s
    rng = random.Random(32)
    tokens = ["\\(", "\\)", "\\[", "\\]", "$", "$$", " ", "a", "\n", "`", "1", "\\"]
    for _ in range(50_000):
        s = "".join(rng.choice(tokens) for _ in range(rng.randint(0, 25)))
        assert sentences.mask(s) == old_mask.sub(lambda m: "x" * len(m.group(0)), s), s
    for length in range(8):
        for chars in itertools.product(" .a:\t\n;", repeat=length):
            s = "".join(chars)
            assert sentences._stops_open(s) == (old_open.search(s) is not None), repr(s)


def test_a_quotes_overlap_with_a_line_is_found_as_before() -> None:
    from grimoire.ask.cite import _overlaps

    def old(ending: list[str], opening: list[str]) -> list[int]:
        return [j for j in range(min(len(ending), len(opening)), 0, -1)
                if ending[-j:] == opening[:j]]

    rng = random.Random(33)
    for _ in range(100_000):
        letters = ["a", "b", "c"][: rng.randint(1, 3)]
        ending = [rng.choice(letters) for _ in range(rng.randint(0, 9))]
        opening = [rng.choice(letters) for _ in range(rng.randint(0, 9))]
        assert list(_overlaps(ending, opening)) == old(ending, opening), (ending, opening)


# --- review32: two patterns of round 32, quadratic in a run of blanks or a word's length.


def test_a_wikilink_heading_with_a_long_blank_run_is_read_in_linear_time() -> None:
    # "# [[Text Preprocessing]]" + 20,000 blanks + "x": the closing-`#` part (`\s*#*\s*`) cut
    # the run in two every way before it failed on the "x": 1.3 s, 100,000 blanks half a
    # minute, in the reader of every markdown note whose heading is a link.
    from grimoire.readers.markdown import _LINK_HEADING

    reader = readers.by_name("markdown")
    r = ratio(lambda n: "# [[Text Preprocessing]]" + " " * n + "x\n\nText is cleaned.\n",
              lambda text: reader.read(text.encode(), "NLP.md"))
    assert r <= MAX_RATIO, f"2n costs {r:.1f}x n"
    old = re.compile(r"\s{0,3}#{1,6}\s+\[\[[^\]|#]+(?:\|[^\]]*)?\]\]\s*#*\s*")
    for length in range(7):
        for chars in itertools.product(" #x]|", repeat=length):
            s = "# [[a" + "".join(chars)
            assert bool(_LINK_HEADING.fullmatch(s)) == bool(old.fullmatch(s)), repr(s)
            s = "## [[a]]" + "".join(chars)
            assert bool(_LINK_HEADING.fullmatch(s)) == bool(old.fullmatch(s)), repr(s)


def test_a_long_word_in_the_answering_passage_is_unpathed_in_linear_time() -> None:
    # `ask`: the first sentence of the best sentence's passage loses its paths (`_PATH`) on
    # every question; `\S*/\S*` tried from each character of a word with no `/`: 20,000
    # characters took 0.6 s, 100,000 about 15 s, in the asking process.
    from grimoire.ask import _PATH

    for make in (lambda n: "a" * n, lambda n: "x " + "ab" * n + " /y z"):
        r = ratio(make, lambda s: _PATH.sub(" ", s))
        assert r <= MAX_RATIO, f"{make(2)!r}: 2n costs {r:.1f}x n"
    old = re.compile(r"\S*/\S*")
    for length in range(8):
        for chars in itertools.product("a /\n", repeat=length):
            s = "".join(chars)
            assert _PATH.sub(" ", s) == old.sub(" ", s), repr(s)


def test_a_long_bracketed_paragraph_of_an_rst_file_is_read_in_linear_time() -> None:
    # Review of round 36: Markdown's `[text][ref]` inside RST needed two letters in its text,
    # found by runs that could split a long bracketed paragraph in n^2 ways (an .rst file of
    # one "[word word ... ](url)" paragraph took 18 s to ingest). The runs now stop at their
    # letter: one way to split.
    from grimoire.readers.rst._tree import _MD_REFERENCE
    with _deadline("_MD_REFERENCE"):
        r = ratio(lambda n: "[" + "word " * n + "](http://example.com)", _MD_REFERENCE.search)
    assert r <= MAX_RATIO, f"2n costs {r:.1f}x n"
    old = re.compile(r"(?<![\w\]])(!?)\[((?:[^\[\]\n]*[A-Za-z]){2}[^\[\]\n]{0,300}|)\]"
                     r"\[([A-Za-z][\w .:-]{0,60}|)\]")
    for length in range(7):
        for chars in itertools.product("a ]1[", repeat=length):
            s = "[" + "".join(chars) + "][r]"
            assert (_MD_REFERENCE.search(s) is None) == (old.search(s) is None), repr(s)
            if (m := _MD_REFERENCE.search(s)) is not None:
                assert m.groups() == old.search(s).groups(), repr(s)  # type: ignore[union-attr]
