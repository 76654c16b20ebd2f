"""Round 47 (read47): two glossaries that say one thing in other words do not conflict.

On a store of every collection of ../shared, 37 conflicts, about 30 of them false: a short
glossary line and a long page both defining "Accuracy", "Feature" or "Reinforcement Learning"
share too few word stems for the overlap rule (a line of 5 stems against a page of 90 can never
reach its bar). When the store has the entries' vectors, two texts whose meanings are close are
one definition said twice. Two notes that use one word for two things still conflict. Notes
written here."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ingested, write_notes


def test_a_paraphrase_is_no_conflict_when_the_store_has_vectors(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "short/glossary.md": "# Glossary\n\n## Accuracy\n\nShare of guesses a classifier gets "
                             "right out of everything it was asked.\n\n"
                             "## Reinforcement Learning\n\nAn agent improves by acting, being "
                             "praised or punished, and trying again.\n",
        "long/accuracy.md": "# Accuracy\n\nThe number of correct classification predictions "
                            "divided by the total number of predictions made. A spam filter "
                            "that labels 90 of 100 emails properly scores 0.9. On imbalanced "
                            "data this figure misleads: a detector that always says 'no "
                            "fraud' scores high while catching nothing, so precision and "
                            "recall are reported beside it.\n",
        "long/reinforcement learning.md": "# Reinforcement Learning\n\nA family of methods in "
                                          "which a policy is learned from the return an "
                                          "environment hands back after each step, the goal "
                                          "being to maximise the total reward over an "
                                          "episode; Q-learning and policy gradients belong "
                                          "to it.\n",
        # one word, two meanings: a true conflict
        "stats/variance.md": "# Variance\n\nThe expected squared distance of a random "
                             "variable from its mean, a measure of its spread.\n",
        "models/variance.md": "# Variance\n\nHow far a model's predictions for one input "
                              "scatter when it is refit on fresh training samples; high "
                              "variance means overfitting.\n",
    })
    with ingested(tmp_path / "kb.db", notes) as kb:
        conflicts = {f.concept for f in kb.lint().findings if f.group == "conflict"}
        assert conflicts == {"Variance"}, conflicts
        assert not any("vector" in f.message for f in kb.lint().findings)
        # Round 48 (review47a): a folder added without vectors (`--no-embed`, or an embed
        # that stopped) is judged by its words alone, and the paraphrase conflicts again:
        # the finding says why, and how to have the vectors judge it.
        later = write_notes(tmp_path / "later", {
            "cards/accuracy.md": "# Accuracy\n\nOut of everything a classifier was asked, "
                                 "the fraction of answers it gets right.\n"})
        kb.ingest(later, embed=False)
        found = {f.concept: f.message for f in kb.lint().findings if f.group == "conflict"}
    assert set(found) == {"Variance", "Accuracy"}, found
    assert "vector" not in found["Variance"], found
    assert "judged by words alone" in found["Accuracy"], found
    assert "grimoire embed" in found["Accuracy"], found
