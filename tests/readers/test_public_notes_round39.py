"""Round 39: round 38's reading leftovers (a Hugo site's list pages, steps of an algorithm, a
landing page's cards, a course's labels, a copied front matter title, caption READMEs) and
what two public repositories nobody here had read showed (a notebook of long notes that boxes
its definitions in callouts, a Jekyll blog with its notebooks). Files written here, in our own
words; nothing of those repositories is copied."""

from __future__ import annotations

from pathlib import Path

import pytest

import grimoire
from grimoire.readers import read_file
from grimoire.readers.conventions import is_generic_heading, names_no_concept
from tests.readers.conftest import terms_of, write_notes


def _entries(fmt: str, text: str, path: str) -> list[tuple[str, tuple[str, ...]]]:
    [doc] = read_file(fmt, text.encode(), path)
    return [(e.term, e.aliases) for e in doc.entries]


def test_a_site_s_list_page_names_nothing(tmp_path: Path) -> None:
    for title in ("Latest Posts", "Recent Articles", "Archived Courses", "All Projects",
                  "Posts by Tag", "posts by year"):
        assert names_no_concept(title), title
    for title in ("Recent Advances in Reinforcement Learning", "New Architectures",
                  "Selected Topics in Optimization", "Past Tense"):
        assert not names_no_concept(title), title
    terms = terms_of(tmp_path, {
        # a Hugo section's list page: a title, and the site draws the list
        "content/posts/_index.md": "---\ntitle: \"Latest Posts\"\ndraft: false\n---\n",
        # a Jekyll theme's archives, filled in by their layout
        "_pages/tags.md": "---\ntitle: \"Posts by Tag\"\nlayout: tags\n---\n",
        "_pages/shelf.md": "---\ntitle: Reading Shelf\nlayout: collection\n---\n",
        "index.md": "---\ntitle: \"Welcome!\"\nlayout: archive\n---\n\nI write here about "
                    "the models I train on weekends.\n",
        "content/notes/_index.md": "---\ntitle: \"Metrics\"\n---\n",
        "content/notes/kernels.md": "---\ntitle: \"Kernel Methods\"\n---\n\nA kernel method "
                                    "compares two inputs by a similarity that acts as an inner "
                                    "product in a feature space it never builds.\n",
        "_posts/2021-03-02-dropout.md": "---\ntitle: Dropout\nlayout: post\n---\n\nDropout "
                                        "switches off a random share of units at each "
                                        "training step.\n",
    })
    assert {"Kernel Methods", "Metrics", "Dropout"} <= terms
    assert not terms & {"Latest Posts", "Posts by Tag", "Reading Shelf", "Welcome!"}


QUICKSELECT = """# Quickselect

Quickselect finds the k-th smallest item of an unsorted array without sorting all of it.

## Outline of one call

Each call works on a slice of the array and narrows it down.

### Divide

The divide step picks a pivot and moves the smaller items to its left, the larger to its right.

### Conquer

In the **conquer** step we recurse into the one side that holds position k, and only that side.

### Combine

Nothing is left to join: the combine step is empty, since the answer sits at position k.

## Related selection methods

### Median of Medians

Median of medians picks a pivot from the medians of groups of five, so that the split is
never worse than a fixed share.

### Introselect

Introselect is quickselect that falls back to median of medians when a call goes badly.

### Floyd-Rivest

Floyd-Rivest samples the array to pick two pivots close to the k-th item.
"""


@pytest.mark.no_store
def test_a_section_its_text_calls_a_step_is_no_concept() -> None:
    terms = [t for t, _ in _entries("markdown", QUICKSELECT, "/notes/quickselect.md")]
    assert not set(terms) & {"Divide", "Conquer", "Combine"}
    assert {"Quickselect", "Median of Medians", "Introselect", "Floyd-Rivest"} <= set(terms)


LANDING = """<!DOCTYPE html>
<html><head><title>Mira Lab</title></head>
<body>
<main>
<section id="work">
  <h2>Selected work</h2>
  <p>Some of the things built over the last years on several platforms.</p>
  <div class="grid">
    <a href="projects/churn.html" class="card-link">
      <div class="card"><h3>Telecom Churn Forecasting</h3>
      <p>A gradient boosting model that flags customers likely to leave next month.</p></div>
    </a>
    <a href="projects/sentiment.html" class="card-link">
      <div class="card"><h3>Review Sentiment Tagger</h3>
      <p>Tagging shop reviews as positive or negative with a small fine-tuned encoder.</p></div>
    </a>
    <a href="https://example.org/talks/ab" class="card-link">
      <div class="card"><h3>A/B Testing Pitfalls</h3>
      <p>A talk on peeking, novelty effects and underpowered tests.</p></div>
    </a>
  </div>
</section>
<section id="bo">
  <h2><a href="#bo">Bayesian Optimization</a></h2>
  <p>Bayesian optimization is a strategy for tuning expensive black-box functions with a
  surrogate model.</p>
</section>
</main>
</body></html>
"""


@pytest.mark.no_store
def test_a_heading_inside_a_link_to_another_page_is_a_card_not_a_section() -> None:
    [doc] = read_file("html", LANDING.encode(), "/site/overrides/home.html")
    terms = {e.term for e in doc.entries}
    assert "Bayesian Optimization" in terms  # a heading's own permalink is no card
    assert not terms & {"Telecom Churn Forecasting", "Review Sentiment Tagger",
                        "A/B Testing Pitfalls"}
    # the cards' words are still the page's text, found by search
    assert any("Telecom Churn Forecasting" in p.text for p in doc.passages)


@pytest.mark.no_store
def test_a_course_part_before_the_colon_is_no_part_of_the_name() -> None:
    note = ("# Mathematical Fundamentals: Vector Norms\n\nA vector norm gives every vector a "
            "length; the L2 norm is the square root of the sum of squares.\n")
    assert _entries("markdown", note, "/notes/02. Maths/norms.md") == [
        ("Vector Norms", ("Mathematical Fundamentals: Vector Norms",))]
    data = ("# Dataset Introduction: Fashion Images\n\nFashion Images is a set of small grey "
            "pictures of clothes in ten classes.\n")
    assert _entries("markdown", data, "/notes/data/fashion.md")[0][0] == "Fashion Images"
    # a subject before the colon stays: the rest only says what kind of page it is
    survey = ("# Attention: a survey\n\nAttention lets a model weigh the parts of its input "
              "by how well they match a query.\n")
    assert _entries("markdown", survey, "/notes/02. Maths/survey.md")[0][0] == \
        "Attention: a survey"


def test_two_kinds_of_one_thing_in_title_and_h1_are_not_one_concept(tmp_path: Path) -> None:
    copied = ("---\ntitle: \"Linear Regression\"\n---\n\n# Logistic Regression\n\n"
              "Logistic regression models the log-odds of a yes-or-no outcome as a linear "
              "function of the inputs and turns it into a probability with the sigmoid.\n")
    assert _entries("markdown", copied, "/notes/week4.md") == [("Logistic Regression", ())]
    # one subject in two wordings is still one concept, named by the shorter
    attention = ("---\ntitle: \"Understanding Attention\"\n---\n\n# Attention\n\nAttention "
                 "weighs every position of a sequence by how well its key matches a query.\n")
    assert _entries("markdown", attention, "/notes/week5.md") == [
        ("Attention", ("Understanding Attention",))]
    write_notes(tmp_path / "notes", {"week4.md": copied})
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([tmp_path / "notes"], embed=False)
        labels = {c.label for c in kb.concepts()}
    assert "Logistic Regression" in labels and "Linear Regression" not in labels


def test_a_one_line_readme_is_a_caption_of_its_folder(tmp_path: Path) -> None:
    caption = "Figures saved by the training scripts\n"
    terms = terms_of(tmp_path, {
        "images/a/README": caption, "images/b/README": caption, "images/c/README.md": caption,
        "images/README.txt": "Weight Decay\n\nWeight decay shrinks every weight towards zero "
                             "a little at each step.\n",
        "notes/README.md": "# Gradient Clipping\n\nGradient clipping rescales a gradient whose "
                           "norm passes a threshold before the update.\n",
        "notes/Figures saved by the training scripts.txt": caption,
    })
    assert {"Weight Decay", "Gradient Clipping"} <= terms
    # only a README is a folder's caption: a note of one line elsewhere is still a note
    assert "Figures saved by the training scripts" in terms
    with grimoire.open(tmp_path / "kb.db") as kb:
        places = [e.entry.span.path for e in kb.entries()
                  if e.entry.term == "Figures saved by the training scripts"]
    assert len(places) == 1 and "README" not in places[0]


CALLOUTS = """## 2.1 Chains

Some words about chains before the boxes.

> [!definition] 2.1 — Markov Chain
> A **Markov chain** is a sequence of random states where each state depends only on the one
> before it.

> [!definition] 2.2 — Stationary Distribution
> A **stationary distribution** of a chain is a distribution over its states that one step
> leaves unchanged.

> [!tip] Burn-in
> Burn-in throws away the first samples, drawn before the chain forgets where it started.

> [!definition] 2.3 — Mixing Time
> How long a chain needs before its states look like draws from the target.

> [!definition] 2.4 — Transition Matrix and Rate Matrix
> For a finite chain, a transition matrix holds the one-step probabilities and a rate
> matrix their derivatives in continuous time.

> [!note] Thinning
> Keeping every tenth sample makes them less alike, at the price of fewer of them.

> [!NOTE]
> A box with no title of its own.

```markdown
> [!definition] Quoted Box
> A quoted box is only an example of the syntax.
```
"""


def test_a_callout_of_a_defining_type_titled_by_a_name_is_an_entry(tmp_path: Path) -> None:
    note = "---\ntitle: Sampling by Markov chains\n---\n\n" + CALLOUTS
    entries = dict(_entries("markdown", note, "/notes/sampling.md"))
    assert {"Markov Chain", "Stationary Distribution"} <= set(entries)
    # a box of the type definition names what it defines whatever its text opens with
    assert "Mixing Time" in entries
    # a box of two things is found by each name
    assert entries["Transition Matrix and Rate Matrix"] == ("Transition Matrix", "Rate Matrix")
    # a tip, a note whose text opens on something else, one with no title, one in a fence
    assert not set(entries) & {"Burn-in", "Thinning", "Quoted Box"}
    [doc] = read_file("markdown", note.encode(), "/notes/sampling.md")
    [chain] = [e for e in doc.entries if e.term == "Markov Chain"]
    assert chain.definition.startswith("A Markov chain is a sequence")
    assert (chain.span.start_line, chain.span.end_line) == (9, 11)
    # in an Obsidian vault too, beside the note's own page
    terms = terms_of(tmp_path / "t", {".obsidian/app.json": "{}", "Sampling.md": CALLOUTS})
    assert {"Sampling", "Markov Chain", "Stationary Distribution"} <= terms


@pytest.mark.no_store
def test_historical_notes_and_a_part_with_its_qualifier_are_generic() -> None:
    for heading in ("Historical Notes", "Historical Notes (Guidance)", "Summary (Part 2)",
                    "Examples (code)", "Concept", "Key Concept", "Bibliographic Notes"):
        assert is_generic_heading(heading), heading
    for heading in ("Attention (Transformers)", "Concept Drift", "Concept Bottleneck Models",
                    "Notes on Adam"):
        assert not is_generic_heading(heading), heading


def test_a_readme_titled_by_its_repository_s_name_names_no_concept(tmp_path: Path) -> None:
    terms = terms_of(tmp_path, {
        "README.md": "# deep-learning-journey\n\nWhat I read in a year, one folder a topic.\n",
        "optim/README.md": "# Adam\n\nAdam keeps running means of the gradient and of its "
                           "square and steps by their ratio.\n",
        "optim/k-means.md": "# k-means\n\nk-means moves each centre to the mean of the points "
                            "nearest to it, again and again.\n",
    })
    assert {"Adam", "k-means"} <= terms and "deep-learning-journey" not in terms
