"""Review of round 39's reader rules (review39b): notes a different writer would write, whose
real concepts those rules must not drop. Our own words."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.readers.conftest import terms_of


def test_a_readme_of_one_algorithm_titled_in_lower_case_is_a_note(tmp_path: Path) -> None:
    # "# k-means" has the shape of a repository's name, but its text opens by naming it
    terms = terms_of(tmp_path, {
        "README.md": "# my-ml-notes\n\nWhat I studied this year, one folder a topic.\n",
        "algos/k-means/README.md": "# k-means\n\nk-means alternates between assigning each "
                                   "point to its nearest centroid and moving each centroid to "
                                   "the mean of its points.\n",
        "algos/t-sne/README.md": "# t-sne\n\nt-SNE lays points out in two dimensions so that "
                                 "neighbours stay neighbours, with heavy-tailed similarities.\n",
    })
    assert {"k-means", "t-sne"} <= terms and "my-ml-notes" not in terms


def test_one_section_its_text_calls_a_stage_is_still_a_concept(tmp_path: Path) -> None:
    terms = terms_of(tmp_path, {
        "llm.md": "# Training an LLM\n\n## Pretraining\n\nThe pretraining stage trains the "
                  "model on trillions of tokens of web text with next-token prediction, before "
                  "any instruction data is seen.\n\n## Fine-tuning\n\nFine-tuning adapts the "
                  "pretrained weights to a narrow task with a small labelled set and a low "
                  "learning rate.\n",
        "compilers.md": "# Compilers\n\n## Tokenization\n\nIn the tokenization phase the "
                        "compiler splits the source into tokens such as identifiers, numbers "
                        "and operators.\n",
        "boosting.md": "# Boosting\n\n## Gradient boosting\n\nGradient boosting step by step "
                       "fits each new tree to the residuals of the ensemble so far and adds it "
                       "with a small learning rate.\n",
    })
    assert {"Pretraining", "Tokenization", "Gradient boosting"} <= terms


@pytest.mark.no_store
def test_a_definition_box_titled_by_its_number_is_named_by_its_name() -> None:
    from grimoire.readers import read_file
    text = ("# Chains\n\nWhat follows are the chapter's definitions, boxed as in the book.\n\n"
            "> [!definition] Definition 2.1 (Markov chain)\n> A **Markov chain** is a sequence "
            "of random variables in which each depends only on the one before it.\n\n"
            "> [!definition] Def. 2.2\n> A state is **recurrent** when the chain returns to it "
            "with probability one.\n")
    [doc] = read_file("markdown", text.encode(), "/notes/chains.md")
    terms = [e.term for e in doc.entries]
    assert "Markov chain" in terms
    assert not [t for t in terms if t.lower().startswith("def")], terms


def test_a_step_named_as_a_step_elsewhere_on_the_page_is_still_a_step(tmp_path: Path) -> None:
    terms = terms_of(tmp_path, {"sorting.md": (
        "# Sorting by halves\n\nSplitting a problem in halves and joining the answers.\n\n"
        "## Merge sort\n\n### Divide\n\nThe divide step cuts the array at its middle into two "
        "halves of nearly equal length.\n\n### Conquer\n\nThe conquer step sorts each half by "
        "calling merge sort on it again.\n\n## Its cost\n\n### Divide\n\nIn the divide step the "
        "middle is found in constant time, whatever the length.\n\n### Partition\n\nPartition "
        "moves every item below a pivot to its left and the rest to its right.\n")})
    assert "Partition" in terms and not terms & {"Divide", "Conquer"}, terms


def test_a_front_matter_title_its_text_speaks_of_stays_the_title(tmp_path: Path) -> None:
    # The one H1 names another kind of the title's thing, but the text above it is about the
    # title's: the front matter was not copied from another page.
    terms = terms_of(tmp_path, {"batch-norm.md": (
        "---\ntitle: Batch Normalization\n---\n\nBatch normalization normalizes each feature "
        "over the batch, then scales and shifts it with learned parameters.\n\n"
        "# Layer Normalization\n\nLayer normalization normalizes over the features of each "
        "single example instead, so it works with a batch of one.\n")})
    assert "Batch Normalization" in terms, terms
