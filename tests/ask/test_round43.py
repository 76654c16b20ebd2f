"""Round 43: a stem keeps seven letters, so "author" no longer meets "authority" (qa38's
"who is the author?" was answered from a sentence about a transit authority)."""

from __future__ import annotations

from grimoire.ask.extractive import stem


def test_a_stem_keeps_a_word_s_forms_together_and_longer_words_apart() -> None:
    assert stem("trains") == stem("training") == stem("trained") == stem("train")
    assert stem("optimizer") == stem("optimize") == stem("optimizing")
    assert stem("classifier") == stem("classification")
    assert stem("author") == stem("authors")
    assert stem("author") not in (stem("authority"), stem("authorization"))
    assert stem("normal") != stem("normalization")
    # the outsider's words still meet the notes' ("kinds" of a heading's "Types")
    assert stem("kinds") == stem("type") and stem("advantages") == stem("pros")
