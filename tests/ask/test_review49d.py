"""Round 49 (review49d): an acronym the passages found spell only by chance ("be
parameter-efficient" for BPE, "as a custom" for A2C) is still a name the notes lack; an arrow
in prose is pseudocode, not R. `R_CODE` takes an R
assignment for code only when it opens the sentence or assigns a call; "the counter is bumped
with i <- i + 1 after every batch" answers, "fit <- lm(...)" and "bill$total <- ..." do not."""

from __future__ import annotations

from pathlib import Path

import grimoire.ask as ask_module
from tests.conftest import ingested, write_notes

# Our own words: a hand-written gradient descent with arrows in its prose, and an R chunk.
NOTES = {
    "descent.md": "# Gradient descent by hand\n\nIn pseudocode, the counter is bumped with "
                  "i <- i + 1 after every batch, and training stops once it reaches the epoch "
                  "budget.\n\nEach step updates the weights as w <- w - lr * grad, moving them "
                  "a little downhill on the loss.\n",
    "adapters.md": "# Adapters\n\nSmall adapters let a fine-tune be parameter-efficient: "
                   "each task trains its own head as a custom layer, and the frozen base model "
                   "is shared by every task.\n",
    "bill.md": "# Costs of a cloud bill\n\nThe total of the bill adds the compute and the "
               "storage charges of the month.\n\n```r\nbill <- read.csv(\"bill.csv\")\n"
               "bill$total <- bill$compute + bill$storage\n"
               "fit <- lm(total ~ month, data = bill)\n```\n",
}


def test_review49d_chance_acronyms_and_prose_arrows(tmp_path: Path) -> None:
    with ingested(tmp_path / "kb.db", write_notes(tmp_path / "notes", NOTES)) as kb:
        for question in ("What is BPE used for in adapters?",
                         "How does an A2C agent train a custom adapter layer?"):
            said = kb.ask(question)
            assert said.abstained, (question, said.answer)
        said = kb.ask("When does training stop in the pseudocode?")
        assert not said.abstained and "i <- i + 1" in said.answer, said.answer
        said = kb.ask("How does each step update the weights?")
        assert "w <- w - lr * grad" in said.answer, said.answer
        texts = [s.text for s in ask_module.gather(
            kb.searcher, "How is the total of the cloud bill computed?").sentences]
        assert any(t.startswith("The total of the bill") for t in texts), texts
        assert not any(t.startswith(("bill", "fit <-")) for t in texts), texts
