"""Round 36: false entries found on public notes nobody here wrote (a Dendron wiki, a study
guide with framed interactive figures), fixed by general rules. Files written here, in our
own words; nothing of those repositories is copied."""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire.readers.conventions import is_generic_heading, is_generic_title
from tests.readers.conftest import terms_of

DENDRON_FRONT = ("---\nid: {id}\ntitle: {title}\ndesc: ''\nupdated: 1700000000000\n"
                 "created: 1700000000000\n---\n")


def test_a_dendron_hierarchy_node_root_and_tags_name_no_concept(tmp_path: Path) -> None:
    terms = terms_of(tmp_path, {
        "root.md": DENDRON_FRONT.format(id="r1", title="Root") + "\nMy notes start here.\n",
        "models.md": DENDRON_FRONT.format(id="m1", title="Models"),
        "models.dropout.md": DENDRON_FRONT.format(id="m2", title="Dropout")
        + "\nDropout zeroes random activations while training to curb overfitting.\n",
        "tags.md": DENDRON_FRONT.format(id="t0", title="Tags"),
        "tags.regularisation.md": DENDRON_FRONT.format(id="t1", title="Regularisation"),
        # a note with no text and no children is a stub page, as an empty vault note is
        "models.batchnorm.md": DENDRON_FRONT.format(id="m3", title="Batch Normalization"),
        # a parent with text of its own is a page
        "optim.md": DENDRON_FRONT.format(id="o1", title="Optimisation")
        + "\nOptimisation finds parameters that lower the loss.\n",
        "optim.adam.md": DENDRON_FRONT.format(id="o2", title="Adam")
        + "\nAdam keeps running averages of gradients and their squares.\n",
    })
    assert "Dropout" in terms and "Adam" in terms and "Optimisation" in terms
    assert "Batch Normalization" in terms
    assert not terms & {"Root", "Models", "Tags", "Regularisation"}


def test_an_html_fragment_with_no_title_names_no_concept(tmp_path: Path) -> None:
    widget = ("<style>.card { padding: 4px; }</style>\n<div class=\"card\">\n"
              "<p>Step through the updates of a two-cluster mixture.</p>\n"
              "<button id=\"next\">Next step</button>\n</div>\n<script>let k = 0;</script>\n")
    page = ("<!doctype html>\n<html><head><title>Mixture Models</title></head><body>\n"
            "<p>A mixture model sums weighted component densities.</p>\n</body></html>\n")
    terms = terms_of(tmp_path, {"figs/mixture_stepper.html": widget, "mixture.html": page})
    assert "Mixture Models" in terms
    assert not any("stepper" in t for t in terms)


@pytest.mark.no_store
def test_quiz_sections_and_a_generic_heading_with_a_colon_name_a_part_of_a_page() -> None:
    for heading in ("Self-check questions", "Common interview questions", "Review exercises",
                    "Intuition: a pull towards zero", "Example: two coins"):
        assert is_generic_heading(heading), heading
    for heading in ("Weight Decay", "Complexity: Approximation Algorithms",
                    "Cryptography: Hash Functions", "Questions answering models"):
        assert not is_generic_heading(heading), heading


@pytest.mark.no_store
def test_a_guide_s_about_page_and_its_bucket_of_topics_name_no_concept() -> None:
    for title in ("About This Guide", "About these notes", "Advanced Topics", "Topics covered"):
        assert is_generic_title(title), title
    for title in ("Advanced Topics in Reinforcement Learning", "Topic Models", "Deep Learning"):
        assert not is_generic_title(title), title


def test_a_dendron_journal_day_s_headings_name_no_concept(tmp_path: Path) -> None:
    day = ("---\nid: d1\ntitle: '2025-01-02'\ndesc: ''\nupdated: 1700000000000\n"
           "created: 1700000000000\ntraitIds:\n  - journalNote\n---\n\n"
           "# Reading\n\nReading is what I did most today: two chapters on kernels.\n\n"
           "# Running\n\nRunning felt easier than last week; five kilometres.\n")
    note = ("---\nid: n1\ntitle: Kernels\ndesc: ''\nupdated: 1700000000000\n"
            "created: 1700000000000\n---\n\n# Kernels\n\nA kernel computes an inner product "
            "in a feature space without building it.\n\n## Gaussian Kernel\n\nThe Gaussian "
            "kernel is a kernel that decays with squared distance.\n")
    terms = terms_of(tmp_path, {"daily.journal.2025.01.02.md": day, "ml.kernels.md": note})
    assert "Kernels" in terms
    assert not terms & {"Reading", "Running"}
