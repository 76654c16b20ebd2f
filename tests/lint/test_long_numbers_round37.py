"""A claim about numbers longer than a float holds is not checked by digits it never read."""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire.lint.arithmetic import find_claims
from tests.conftest import ingested, write_notes


def test_a_claim_with_a_number_of_thousands_of_digits_is_not_quoted_cut(tmp_path: Path) -> None:
    # A passage cuts a very long line in pieces, and a piece opened inside the number: lint
    # said "9999999999999999 + 1 = 2, but it computes to 1e+16", digits the note never wrote
    # alone. Past what a float holds exactly, the sum cannot be checked: no finding.
    notes = write_notes(tmp_path / "notes", {
        "huge.md":
        "# Huge sums\n\nA sum we wrote on purpose: " + "7" * 5000 + " + 1 = 2, and more words.\n"
        "\nAnd a short one that is wrong: $3 + 4 = 8$.\n",
    })
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        found = kb.lint().by_group().get("arithmetic", [])
    assert [f.message.split(",")[0] for f in found] == ["3 + 4 = 8"], found


@pytest.mark.no_store
def test_numbers_past_a_float_s_precision_are_not_checked() -> None:
    assert [c.expression for c in find_claims("so $77777777777777777 + 1 = 2$, then")] == []
    assert [c.expression for c in find_claims("so $2 + 1 = 77777777777777777$, then")] == []
    # fifteen digits still are
    assert [c.wrong for c in find_claims("so $777777777777777 + 1 = 2$, then")] == [True]
