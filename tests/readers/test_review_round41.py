"""Review of round 41's reading and naming rules (review41b): each on notes written here, in
our own words."""

from __future__ import annotations

from pathlib import Path

from tests.readers.conftest import terms_of


def test_a_file_name_s_joined_number_is_taken_only_at_its_start(tmp_path: Path) -> None:
    terms = terms_of(tmp_path, {
        "ml/100 Days of ML.md": "A plan to study machine learning a little every day.\n",
        "ml/1000.Words.md": "A picture says what a long paragraph would.\n",
        "ml/5.The Kernel Trick.md": "The kernel trick computes inner products in a feature "
                                    "space without mapping the points there.\n",
    })
    assert terms == {"100 Days of ML", "1000.Words", "The Kernel Trick"}
