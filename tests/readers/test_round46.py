"""Round 46 (read46): round 45's reading leads that a real repository showed, each rebuilt
here in our own words.

- A book's section that opens by describing its heading with a pronoun ("## Logistic
  Regression" over "It models the chance that ...", "## Generalized Additive Models" over
  "They add smooth functions ...") was no concept: only a sentence that opens with the
  heading's own words defined it. qa45's Quarto book of course notes lost about fifteen
  concepts so ("Logistic Regression", "Best Subset Selection", "Clustering"), and `show`
  said "no concept named" for each.
"""

from __future__ import annotations

from grimoire.readers import read_file


def _entries(text: str, path: str) -> dict[str, str]:
    return {e.term: e.definition for d in read_file("markdown", text.encode(), path)
            for e in d.entries}


CHAPTER = """\
# Models for classes

Some notes on the models of the chapter, with the exercises at the end.

## Logistic Regression

It models the chance that an outcome falls in one of two classes, passing a linear score
through the sigmoid so that the result lies between zero and one.

## Generalized Additive Models

They extend a linear model by letting each predictor enter through a smooth function of its
own, while the effects still add up.

## Subset Selection

This approach fits a model on each group of predictors and keeps the group that scores best
on held-out data.

### Pre-processing

This method works better with categories, so numbers are cut into bins before the fit.
"""


def test_a_section_that_describes_its_heading_by_a_pronoun_defines_it() -> None:
    """A section's first sentence that opens with "It" or "They" (or "This approach", "These
    models") and a verb is about its heading; an impersonal "It is worth ..." is not, and a
    sub-section whose "This method" is its parent's method defines nothing."""
    entries = _entries(CHAPTER, "book/classes.qmd")
    reasons = {e.term: e.reason for d in read_file("markdown", CHAPTER.encode(), "c.qmd")
               for e in d.entries}
    assert str(reasons["Logistic Regression"]).endswith("whose text opens by describing it")
    assert entries["Logistic Regression"].startswith("It models the chance")
    assert "Generalized Additive Models" in entries
    assert "Subset Selection" in entries
    assert "Pre-processing" not in entries
    page = "# Tuning\n\nWhat I do before comparing models.\n\n"
    aside = page + "## Cross-Validation\n\nIt is worth fixing the folds once, before any tuning.\n"
    assert "Cross-Validation" not in _entries(aside, "book/tuning.qmd")
    own = page + "## Cross-Validation\n\nIt trains once per fold, each fold held out in its turn.\n"
    assert "Cross-Validation" in _entries(own, "book/tuning.qmd")


def test_a_section_defined_by_a_pronoun_makes_no_topics_of_its_siblings() -> None:
    """Three ways to model a survival time: only the last opens "This method ...". It is a
    concept; its siblings, which open on what they do ("To link the hazard ..."), are steps
    of the chapter, as they were before a pronoun could define a heading."""
    text = ("# Survival\n\nNotes on time-to-event data.\n\n"
            "## Modelling the time\n\nHow the covariates change how long a unit lasts.\n\n"
            "### Linear hazard\n\nTo link the hazard to the covariates, we take the log of "
            "the hazard as a linear function of them.\n\n"
            "### Flexible hazard\n\nTo let the baseline hazard take any shape, we leave it "
            "unspecified and estimate only the effects.\n\n"
            "### Weibull model\n\nThis method assumes the time to the event follows a "
            "Weibull distribution with a shape and a scale to fit.\n")
    entries = _entries(text, "book/survival.qmd")
    assert "Weibull model" in entries
    assert "Linear hazard" not in entries
    assert "Flexible hazard" not in entries


def test_a_pronoun_under_an_aspect_of_a_topic_is_the_topics() -> None:
    """Under "## Bucket sort", "### Complexity" opening "It runs in ..." and "### Memory"
    opening "It needs ..." say what bucket sort does: "It" is the sort, and neither heading
    becomes a concept cut out of the sort's entry."""
    text = ("# Sorting\n\nNotes on sorting lists.\n\n"
            "## Bucket sort\n\nBucket sort spreads the items over buckets by value, sorts "
            "each bucket and joins them in order.\n\n"
            "### Complexity\n\nIt runs in linear time on average, "
            "when the values spread evenly over the buckets.\n\n"
            "### Memory\n\nIt needs room for every bucket besides the list itself, unlike "
            "sorts that work in place.\n\n"
            "## Quicksort\n\nQuicksort picks a pivot, puts the smaller items before it and "
            "the larger after it, and sorts both sides the same way.\n")
    entries = _entries(text, "notes/sorting.md")
    assert "Complexity" not in entries
    assert "Memory" not in entries
    assert "linear time" in entries["Bucket sort"]
