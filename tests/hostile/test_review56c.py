"""Round 56 (review56c): an AsciiDoc line of many macros left open (`footnote:[`, `https://x[`,
`xref:p.adoc[`, `stem:[`, `pass:[`, `image:x.png[`, `indexterm:[`) was read in quadratic
time: each opening scanned the rest of the line for its `]` (40 KB of `footnote:[` took 22 s
in the pattern alone)."""

from __future__ import annotations

import pytest

from grimoire import readers
from tests.hostile.test_linear import MAX_RATIO, ratio

_OPENINGS = ["footnote:[", "https://example.org/a[", "xref:page.adoc[", "a stem:[x",
             "pass:[", "image:a.png[", "indexterm:[", "link:a.pdf[b ", "latexmath:[y "]


@pytest.mark.parametrize("opening", _OPENINGS)
def test_a_line_of_unclosed_asciidoc_macros_reads_in_linear_time(opening: str) -> None:
    def read(text: str) -> object:
        return readers.read_file("asciidoc", text.encode(), "open.adoc")

    r = ratio(lambda n: "= Open\n\n" + (opening + " ") * (n // len(opening)) + "\n", read,
              n=2000)
    assert r <= MAX_RATIO, f"{opening!r}: 2n costs {r:.1f}x n"
