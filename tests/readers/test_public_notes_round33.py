"""Round 33: what more public notes gave as concepts, wanted pages and lint findings, each
shape rebuilt here in our own words.

- An Obsidian vault gave a note's other name as one string (`alias: supervised learning`):
  read as tags are, split at its spaces, the note had the aliases "supervised" and
  "learning", the notes on supervised and unsupervised learning merged by "learning", and
  `[[hyperparameter]]` (a page nobody wrote) went to the note aliased "hyperparameter
  tuning".
- An org-roam note's `- tags :: [[file:../deployment/kafka.org][Kafka]]` pointed into a
  folder that was not ingested: lint called it a dead link, twice at one line, with the hint
  "a web address needs its scheme: https://kafka.org".
- An org-roam note held one heading that was only a captured web page's link
  (`* [[https://github.com/owner/repo][owner/repo]]`) over a date line: the repository's
  name was a concept beside the note's own.
- A link in a Markdown heading (`# $\\nabla$ [Gradient](gradient.md)`) was dropped: the
  note linked nowhere and the linked page had no backlink.
"""

from __future__ import annotations

from pathlib import Path

from grimoire.knowledge import Grimoire
from grimoire.readers import read_file
from grimoire.readers.conventions import is_generic_heading
from tests.readers.conftest import labels, notebook, write_notes


def test_an_alias_written_as_one_string_is_one_name(kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "vault", {
        ".obsidian/app.json": "{}",
        "supervised.md": "---\nalias: learning from labels\n---\n# Learning from labels\n\n"
                         "Every training example comes with the answer the model should give."
                         "\n",
        "unsupervised.md": "---\nalias: learning without labels\n---\n# Learning without "
                           "labels\n\nThe examples come with no answers, and the model looks "
                           "for structure in them.\n",
        "tuning.md": "---\nalias: search of settings\n---\n# Search of settings\n\nTrying "
                     "random values of each setting beats a grid.\n",
        "notes.md": "# Practice\n\nEach [[settings|setting]] is tuned on the validation split."
                    "\n\nSee [[learning from labels]] and [[learning without labels]].\n",
        "two.md": "---\naliases: stepwise decay, step decay\n---\n# Staircase schedule\n\n"
                  "The learning rate drops by a factor at fixed epochs.\n",
    })
    kb.ingest([notes], embed=False)
    assert {"Learning from labels", "Learning without labels"} <= labels(kb)
    assert kb.concept("learning without labels").label == "Learning without labels"
    names = {n.name for n in kb.concept("Search of settings").names}
    assert "search of settings" in {n.casefold() for n in names}
    assert not {"search", "of", "settings"} & names
    assert [p.name for p in kb.wanted()] == ["settings"]
    # a list at commas is still its names
    assert kb.concept("step decay").label == kb.concept("stepwise decay").label


def test_a_file_link_out_of_the_notes_is_not_dead_and_a_dead_one_is_said_once(
        kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "roam", {
        "ds/arrow.org": "#+TITLE: Columnar Memory\n\n"
                        "- tags :: [[file:../streaming/broker.org][Broker]]\n"
                        "- see :: [[file:parquet_notes.org][Parquet]]\n",
        "ds/pandas.org": "#+TITLE: Data Frames\n\nA data frame is a table of named columns "
                         "that may each hold another type.\n",
        # a page whose opening is a badge that links (no text of its own), as a library's
        # docs open: its entry holds the link, and so did the page's free passage
        "tuning.md": "# Preference Tuning\n\n[![chapter badge](badge.png)](missing_page.md)"
                     "\n\n## Overview\n\nThe trainer compares two answers to one prompt.\n",
    })
    kb.ingest([notes], embed=False)
    dead = [f for f in kb.lint().findings if f.group == "dead-link"]
    # `../streaming/` holds no note: the page is elsewhere, not missing
    assert not [f for f in dead if "broker" in f.message]
    parquet = [f for f in dead if "parquet_notes" in f.message]
    assert len(parquet) == 1 and "web address" not in parquet[0].message
    assert parquet[0].span.start_line == 4
    # ... and each dead link is said once
    assert len([f for f in dead if "missing_page" in f.message]) == 1


def test_a_heading_that_only_links_a_web_page_names_no_concept(kb: Grimoire,
                                                               tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "roam", {
        "kernels.org": "#+TITLE: Notebook Kernels\n\n"
                       "* [[https://github.com/acme/kernel-lab][acme/kernel-lab]]\n"
                       ":PROPERTIES:\n:ID:       7d3e\n:END:\n"
                       "- [2021-03-02 Tue 10:15] <- [[id:91ab][kernels]]\n",
        # a heading that links its subject's home page, over text that defines it, stays
        "board.md": "# [Metric Board](https://example.org/board)\n\nMetric Board is a page "
                    "that plots each run's training loss against its steps.\n",
    })
    kb.ingest([notes], embed=False)
    found = labels(kb)
    assert "acme/kernel-lab" not in found
    assert {"Notebook Kernels", "Metric Board"} <= found
    (doc,) = read_file("org", (notes / "kernels.org").read_bytes(), str(notes / "kernels.org"))
    # the heading's link still links, from the text under it
    assert "https://github.com/acme/kernel-lab" in {x.target for p in doc.passages
                                                    for x in p.links}


def test_a_link_in_a_heading_still_links(kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "symbols.md": "# Symbols\n\nThe marks a formula uses, one by one.\n\n"
                      "## $\\nabla$ [Gradient](gradient.md)\n\n"
                      "The nabla before a function stands for its gradient.\n\n"
                      "## $\\odot$ [Elementwise product](elementwise.md)\n\n"
                      "The circled dot multiplies two arrays position by position.\n",
        "gradient.md": "# Gradient\n\nThe gradient is the vector of a function's partial "
                       "derivatives.\n",
    })
    kb.ingest([notes], embed=False)
    assert [m.concept for m in kb.concept("Gradient").backlinks] == ["Symbols"]
    dead = [f for f in kb.lint().findings if f.group == "dead-link"]
    assert [f.span.start_line for f in dead] == [9]
    # the section's text still starts where it did: the heading's line is the link's only
    (doc,) = read_file("markdown", (notes / "symbols.md").read_bytes(),
                       str(notes / "symbols.md"))
    first = next(p for p in doc.passages if p.links)
    assert (first.span.start_line, first.links[0].span.start_line) == (7, 5)


def test_a_step_of_a_worked_example_that_is_mostly_code_is_no_topic(kb: Grimoire,
                                                                    tmp_path: Path) -> None:
    loop = "\n".join(f"    history[{k}] = cost(theta, xs, ys)  # after step {k}" for k in range(12))
    notes = write_notes(tmp_path / "nb", {
        "fit.ipynb": notebook(
            ("markdown", "# Straight-line fit\n\nA first model on the house prices."),
            ("markdown", "## Gradient Step\n\nA gradient step moves the weights against the "
                         "slope of the cost, scaled by the learning rate."),
            ("code", "theta = theta - rate * grad(theta, xs, ys)"),
            ("markdown", "## Tracing\n\nRecord the cost after each step, to see that it falls:"),
            ("code", "history = {}\nfor step in range(12):\n" + loop),
            ("markdown", "## Forecast\n\nThe price the fitted line gives a small house:"),
            ("code", "price = np.array([1, 0.7]) @ theta  # seventy square metres\n" * 6),
            # a topic of prose with its code stays one
            ("markdown", "## Early Halting\n\nTraining stops once the error on held-out "
                         "examples has risen for several checks in a row, and the weights of "
                         "the best check are kept; more epochs would only fit the noise of "
                         "the training examples."),
            ("code", "if val_err > best:\n    waited += 1\nelse:\n    best, waited = val_err, 0"),
        ),
    })
    kb.ingest([notes], embed=False)
    found = labels(kb)
    assert "Gradient Step" in found and "Early Halting" in found
    assert not {"Tracing", "Forecast"} & found


def test_a_wikis_template_index_and_log_give_no_concept_and_no_wanted_page(
        kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "wiki", {
        # a template in the writer's language, its front matter not even valid YAML
        "templates/quelle.md": '---\ntitle: "{{TITEL}}"\ndatum: {{DATUM}}\n---\n\n'
                               "# {{TITEL}}\n\n## Seiten\n\n- [[seite-eins]] ergänzt\n",
        "wiki/index.md": "---\ntitle: Index\ntype: index\n---\n# Index\n\n"
                         "| Seite | Status |\n|---|---|\n| [[stationarity]] | neu |\n",
        "wiki/log.md": "---\ntitle: Log\ntype: log\n---\n# Log\n\n"
                       "## 2026-04-15\n\nStationarity added.\n",
        "wiki/stationarity.md": "# Stationarity\n\nA series is stationary when its mean and "
                                "variance do not change over time.\n",
    })
    kb.ingest([notes], embed=False)
    found = labels(kb)
    assert "Stationarity" in found
    assert not {"Index", "Log", "{{TITEL}}"} & found
    assert not kb.wanted()
    # a German notebook's cell, as "Cell 3: ..." is one
    assert is_generic_heading("Zelle 3 - Torch und Threads")
    assert is_generic_heading("Cell 3: Torch and threads")
    # and a README's "## Install" over its commands, as "## Installation" is
    assert is_generic_heading("Install")


def test_a_folder_page_of_a_title_only_is_a_page_not_an_empty_entry(kb: Grimoire,
                                                                    tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "garden", {
        "metrics/index.md": "---\ntitle: Metriken\n---\n",
        "metrics/recall.md": "---\ntitle: Recall\n---\nRecall is the share of the positive "
                             "examples that the model finds.\n",
        # a glossary's term file of a title only is a term still to write
        "terms/margin.md": "---\ntitle: Margin\n---\n",
    })
    kb.ingest([notes], embed=False)
    assert {"Metriken", "Recall", "Margin"} <= labels(kb)
    empty = [f.message for f in kb.lint().findings if f.group == "empty"]
    assert empty == ["entry 'Margin' has no definition"]
