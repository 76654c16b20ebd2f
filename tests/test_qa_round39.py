"""Round 39 (qa39): what a new user met on a public repository of a course's lecture notes
(Markdown with MathJax, a few notebooks and PDFs, a Jekyll site's layouts beside them), rebuilt
in our own words on a real store, through the real faces."""

from __future__ import annotations

from grimoire.lint.arithmetic import wrong_claims


def test_a_round_count_before_a_magnitude_suffix_is_rounded_not_wrong() -> None:
    """A lecture's memory table writes 112*112*32 (401,408) as "400K": the zeros before the
    suffix are the rounding. lint flagged every such row ("= 400K, but it computes to 401408")
    while it let "3.2M" for 3,211,264 pass."""
    table = ("POOL: memory: 112*112*32=400K\n"
             "CONV: memory: 14*14*512=100K\n"
             "FC: memory: 56*56*64=200K\n")
    assert wrong_claims(table) == []
    # Half a unit of the last digit that is not zero, no more: these are still wrong.
    assert len(wrong_claims("memory: 112*112*32=300K")) == 1
    assert len(wrong_claims("2*2 = 10K")) == 1
    assert len(wrong_claims("3 * 7 = 20")) == 1
