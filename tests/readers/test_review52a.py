"""Round 52 (review52a): a second look at read52's reading rules, each fault on notes written
here in this test's own words. Readers called directly (no store): milliseconds a test."""

from __future__ import annotations

from tests.readers.test_read51 import _page


def test_a_comma_before_a_qualifier_or_a_second_name_is_no_subtitle() -> None:
    # read52 named "X, <-ly word> ..." X: an adverb that qualifies the next word ("weakly
    # supervised", "Fully Convolutional"), a frequency ("usually used for") or a noun in -ly
    # ("Firefly") is no way of treating X; the page is not X's
    body = ("{head} is what this page is about, and {rest} is what it adds to it, with a "
            "worked example and a short list of papers.")
    for title in ("Object detection, weakly supervised", "Fusion layer, usually used for fusion",
                  "Metaheuristics, Firefly algorithm", "Dense, Fully-Connected layers"):
        head, rest = title.split(", ")
        term, _ = _page(title, body.format(head=head, rest=rest), "blog/post.md")
        assert term == title, (title, term)
    # an acronym before the comma and its spelling after it: named by the spelling, no
    # longer by the acronym alone
    term, aliases = _page("LLE, Locally Linear Embedding",
                          "LLE rebuilds each point from its neighbours; locally linear "
                          "embedding keeps those weights in fewer dimensions.", "blog/lle.md")
    assert term == "Locally Linear Embedding" and "LLE" in aliases, (term, aliases)
    # read52's subtitles still name their subject
    for title in ("Backprop, slowly", "Backprop, slowly and carefully",
                  "Backprop, intuitively explained", "Backprop, explained without the maths"):
        term, _ = _page(title, "Backprop carries the error back through the layers.",
                        "blog/bp.md")
        assert term == "Backprop", (title, term)
