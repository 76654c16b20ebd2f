"""Round 53 (read53): the faults round 52 left in reading real notes, each on notes written
here in this test's own words. Readers called directly (no store): milliseconds a test."""

from __future__ import annotations

from grimoire.showing import INLINE_MATH
from tests.readers.test_read51 import _md

DOLLAR_LINES = (
    "The input is padded to $ n + p \\times n + p$ pixels on each side.",
    "A pair $ a + b $ with blanks and no command stays prose.",
    "It costs $5 and $y more, and $x$ is a formula.",
    "A 10$\\times$ speedup, and $z$2 is no formula.",
    "Both $\\alpha$ and $ \\beta $ are rates.",
)


def test_the_markdown_readers_inline_formulas_are_the_ones_every_face_draws() -> None:
    # round 52 taught the faces Pandoc's rule (`INLINE_MATH`): a blank just inside the
    # dollars is a formula's when a TeX command is there. The reader kept the plugin's rule
    # (no blank at all, no digit on either side), so `$ x \times y$` was text in the store,
    # and search, ask and lint read it so, while every face drew a formula. One rule now.
    for line in DOLLAR_LINES:
        doc = _md(f"# Dollars\n\n{line}\n", "notes/dollars.md")
        read = [m.tex for p in doc.passages for m in p.math]
        drawn = [m.group(1).strip() for m in INLINE_MATH.finditer(line)]
        assert read == drawn, (line, read, drawn)
    doc = _md(f"# Dollars\n\n{DOLLAR_LINES[0]}\n", "notes/dollars.md")
    assert [m.tex for p in doc.passages for m in p.math] == ["n + p \\times n + p"]
