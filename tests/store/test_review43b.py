"""The typo lookup gives the same corrections on both engines (review43b). The word shown and
searched is a form of the nearest term read from the first passages that hold it; on
PostgreSQL those passages were found by the term stemmed again ("decis", the stem of
"decision", is "deci" to the stemmer: no passage) and in whatever order the plan read them
(a row rewritten in place comes last), so "dexision" and "radient" were left as typed there
and corrected on SQLite. A typo whose stem was near a term of the first prefix ranges whose
words are not near it ("rmbedding": "rmse") was left as typed, the later ranges never read."""

from __future__ import annotations

from pathlib import Path

from grimoire.ingest import ingest
from grimoire.search import Searcher
from grimoire.store import Store

NOTES = {
    "a.md": "# Slopes\n\nThe gradient points uphill.\n",
    "b.md": "# Losses\n\nTheir gradients are summed over the batch.\n",
    "c.md": "# Steps\n\nSmall gradients make small steps.\n",
    "d.md": "# Clipping\n\nLarge gradients are clipped first.\n",
    "e.md": "# Trees\n\nA decision tree splits the data at each node.\n",
    "f.md": "# Errors\n\nThe RMSE of a model with an embedding layer.\n",
    "g.md": "# Faces\n\nEach emotion is a label; an edit changes it.\n",
}


def test_both_engines_correct_a_typo_into_the_same_word(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    for name, text in NOTES.items():
        (folder / name).write_text(text, encoding="utf-8")
    ingest(store, [folder], workers=1)
    with store.transaction() as conn:
        # The one passage that spells it "gradient" rewritten as it was: on PostgreSQL its
        # row's new version is read after the others' by a scan of the table.
        conn.execute("UPDATE passages SET text = text WHERE text LIKE '%gradient points%'")
    searcher = Searcher(store)
    # A stem the engine's stemmer cuts again ("decis" -> "deci").
    assert searcher.searched_for("dexision tree") == "decision tree"
    assert searcher.searched_for("ecision tree") == "decision tree"  # the first letter
    # The passages read in id order on both: the one holding "gradient" is among them.
    assert searcher.searched_for("radient") == "gradient"
    assert searcher.searched_for("gradeint") == "gradient"
    # A term near the typed word's stem in the first ranges ("rmse" for "rmbed") whose words
    # are not near the typed word: the later ranges are read ("embed", the first letter).
    assert searcher.searched_for("rmbedding layer") == "embedding layer"
    # A short word is another word more often: "emit" (near "emot" of "emotion") was read
    # as "edit" in the next ranges.
    assert searcher.searched_for("emit") is None
