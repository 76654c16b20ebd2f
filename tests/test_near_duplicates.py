"""`kb.near_duplicates`: copies of a concept's definitions found anywhere, not mere neighbours."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ingested, write_notes

DEFINITION = (
    "Gradient clipping rescales the gradient whenever its norm exceeds a chosen threshold, "
    "which keeps a single unlucky batch from throwing the weights far away and makes training "
    "of recurrent networks much steadier on long sequences."
)


def test_a_copy_is_found_and_a_neighbour_is_not(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "clipping.md": f"# Gradient Clipping\n\n{DEFINITION}\n",
    })
    # A copy with two words changed, inside another page.
    copied = DEFINITION.replace("much steadier", "far steadier")
    (notes / "tricks.md").write_text(f"# Training Tricks\n\n## Clipping\n\n{copied}\n")
    # Shares most words, copies no sentence.
    neighbour = ("A threshold on the gradient norm is one choice; weights of recurrent "
                 "networks on long sequences also need a batch of tricks, and training "
                 "keeps steadier when every gradient is rescaled by hand.")
    (notes / "rnn.md").write_text(f"# Recurrent Networks\n\n{neighbour}\n")
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        found = kb.near_duplicates("Gradient Clipping")
    assert [Path(d.other.path).name for d in found] == ["tricks.md"]
    assert found[0].span.path.endswith("clipping.md") and 0.7 <= found[0].similarity < 1
    assert found[0].other.start_line == 5
