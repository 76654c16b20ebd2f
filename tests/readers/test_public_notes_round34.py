"""Round 34: what more public notes gave as concepts, wanted pages and lint findings, each
shape rebuilt here in our own words.

- A vault's "Update the [[parameters]] after each batch" was a dead link "names a part of a
  page": every generic heading ("Parameters" heads a section) counted as a part of a page for
  links too. Only a page's furniture does now (`[[Source]]`, `[[Notes]]`, `[[Summary]]`).
- A course notebook titled "Training of Neural Networks" had no concept: "Training of ..."
  was read as a part of a page, as "Summary of ..." is.
- A notebook's "Calculation" ("Define the features matrix as", then code) was a topic of its
  page beside "Gradient Descent": a step of a worked example.
- A course book's notebooks titled "Lecture 12: Support Vector Machines" had no concept
  "Support Vector Machines"; its "Algorithm: Ridge Regression" was named so.
- Two Jekyll glossary sites: `_layouts/` and `_includes/` gave concepts "default", "footer",
  "sidebar" and dead links `{{ ref }}`; every `[Adam]({{ site.baseurl }}{% post_url ... %})`
  link was lost (left as text in the definition), and an index page's Liquid loop
  `[{{ post.title }}]({{ site.baseurl }}{{ post.url }})` was a dead link; a term's other
  names in `aka:` front matter were not read; a 404 page and tag archives (`search:
  exclude`) were concepts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire.knowledge import Grimoire
from grimoire.readers.conventions import is_generic_heading, is_generic_title, is_page_part
from tests.readers.conftest import labels, notebook, write_notes


def test_a_link_to_a_generic_heading_is_a_wanted_page_unless_it_names_furniture(
        kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "vault", {
        ".obsidian/app.json": "{}",
        "batches.md": "# Small batches\n\nEach step uses a few examples and then changes the "
                      "[[weights]] and [[parameters]] of the model. [[Source]]\n\nThe "
                      "[[evaluation]] of the model waits until the end. [[Summary]]\n",
    })
    kb.ingest([notes], embed=False)
    assert [w.name for w in kb.wanted()] == ["evaluation", "parameters", "weights"]
    groups = kb.lint().by_group()
    assert sorted(f.concept for f in groups["wanted"]) == ["evaluation", "parameters", "weights"]
    parts = [f.message for f in groups["dead-link"] if "names a part of a page" in f.message]
    assert len(parts) == 2
    # as a heading, "Parameters" is still a part of its page
    assert is_generic_heading("Parameters") and not is_page_part("Parameters")
    assert is_page_part("Further reading") and is_page_part("Figure 3")


def test_a_title_that_says_of_what_by_a_topic_word_names_its_page(
        kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "nb", {
        "deep-nets-training.ipynb": notebook(
            ("markdown", "# Training of Deep Networks\n\nHow dropout and weight decay keep a "
                         "deep network from memorising its examples."),
            ("markdown", "### Load Data\n\nReadings of a river's height over two years."),
            ("code", "levels = np.loadtxt('river.txt')"),
        ),
        "wrap.md": "# Summary of Chapter 4\n\n- dropout\n- weight decay\n",
    })
    kb.ingest([notes], embed=False)
    assert "Training of Deep Networks" in labels(kb)
    assert "Summary of Chapter 4" not in labels(kb)
    # a section headed so is still a part of its page
    assert is_generic_heading("Training of the model")
    assert not is_generic_title("Training of Deep Networks")


def test_a_step_of_code_that_opens_with_an_instruction_is_no_topic(
        kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "nb", {
        "line.ipynb": notebook(
            ("markdown", "# Fitting a line\n\nA first model of the rents."),
            ("markdown", "### Arithmetic\n\nBuild the design matrix $A$ with a column of ones "
                         "beside the sizes:"),
            ("code", "A = np.ones((len(x), 2))\nA[:, 1] = x"),
            ("markdown", "Initialize $w$ with zeros and multiply to get every prediction"),
            ("code", "w = np.zeros((2, 1))\n(A @ w).shape"),
            ("markdown", "### Squared Cost\n\nThe squared cost is the mean of the squared gaps "
                         "between the rents and the line's predictions."),
            ("code", "def cost(w):\n    return np.mean((A @ w - y) ** 2)"),
            ("markdown", "### Slope Search\n\nThe fit walks the weights downhill on the cost, "
                         "a small step at a time, until it stops falling."),
            ("code", "for _ in range(500):\n    w -= 0.01 * grad(w)"),
        ),
    })
    kb.ingest([notes], embed=False)
    found = labels(kb)
    assert "Squared Cost" in found
    assert "Arithmetic" not in found


def test_a_lecture_is_named_by_its_subject_and_an_algorithm_box_by_its_name(
        kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "book", {
        "lec07.ipynb": notebook(
            ("markdown", "# **Lecture 7: Margin Classifiers**"),
            ("markdown", "# 7.1. Margins\n\nHow far each point lies from the boundary."),
            ("markdown", "## 7.1.2. Algorithm: Hinge Fitting\n\nHinge fitting is the search "
                         "for the weights that make the hinge loss plus a penalty smallest."),
        ),
        "lec08.ipynb": notebook(
            ("markdown", "# Lecture 8: Introduction\n\nWhat the course covers and how it is "
                         "graded."),
        ),
        "week3.md": "# Week 3 — Margins\n\nThe readings for the week, in order.\n",
    })
    kb.ingest([notes], embed=False)
    found = labels(kb)
    assert "Margin Classifiers" in found
    assert kb.concept("Lecture 7: Margin Classifiers").label == "Margin Classifiers"
    assert not {"Introduction", "Margins"} & found  # a lecture's opening, a course's week
    assert "Hinge Fitting" in found
    assert not any(label.startswith("Algorithm") for label in found)


def test_a_jekyll_sites_templates_are_no_notes_and_its_liquid_links_link(
        kb: Grimoire, tmp_path: Path) -> None:
    site = write_notes(tmp_path / "site", {
        "_config.yml": "title: Words\n",
        "_layouts/default.html": "<html><head><title>{{ page.title }}</title></head><body>"
                                 "<h1>{{ page.title }}</h1>{{ content }}<a href=\"{{ ref }}\">"
                                 "see</a></body></html>\n",
        "_includes/footer.html": "<footer><h2>Footer</h2><p>Kept by the course team, "
                                 "corrections welcome.</p></footer>\n",
        "_posts/2019-03-01-momentum.md":
            "---\nlayout: page\ntitle: Momentum\naka: momentum method, MM\n---\nKeeps a "
            "running average of past gradients and steps along it, as [Heavy Ball]("
            "{{ site.baseurl }}{% post_url 2019-03-01-heavy-ball %}) does.\n",
        "_posts/2019-03-01-heavy-ball.md":
            "---\nlayout: page\ntitle: Heavy Ball\n---\nAdds a fraction of the last step to "
            "the next one, so the weights roll on through flat stretches. See also "
            "[Momentum]({{ site.baseurl }}/momentum.html).\n",
        # a page the site's search leaves out: no concept
        "404.md": "---\ntitle: Nothing Here\nsearch: exclude\n---\nThe address you followed "
                  "leads nowhere on this site; try the list of terms.\n",
        "tags/optimizers.md": "---\ntitle: Pages on optimizers\nsearch_exclude: true\n---\n"
                              "{% include tag_list.html tag=\"optimizers\" %}\n",
        "index.md": "---\nlayout: default\n---\n{% for post in site.posts %}\n"
                    "* [{{ post.title }}]({{ site.baseurl }}{{ post.url }})\n{% endfor %}\n",
    })
    kb.ingest([site], embed=False)
    assert labels(kb) == {"Momentum", "Heavy Ball"}
    momentum = kb.concept("Momentum")
    assert {(m.concept, m.status) for m in momentum.links} == {("Heavy Ball", "resolved")}
    assert {m.concept for m in momentum.backlinks} == {"Heavy Ball"}
    (entry,) = momentum.entries
    assert "post_url" not in entry.entry.definition and "{{" not in entry.entry.definition
    assert not kb.lint().by_group().get("dead-link")
    # `aka:` ("also known as") names the term's other names
    assert kb.concept("momentum method").label == kb.concept("MM").label == "Momentum"


def test_a_numbered_gerund_heading_is_no_name_of_a_family(kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "book", {
        "ensembles.md": "# 9. Ensembles\n\nMany small models vote on each answer.\n\n"
                        "## 9.1. Weak Learners\n\nWeak learners are models only a little "
                        "better than a coin toss.\n\n"
                        "## 9.2. Strong Learners\n\nStrong learners are models whose error can "
                        "be pushed as low as one likes.\n\n"
                        "## 9.3. Stacked Learners\n\nStacked learners are models trained on "
                        "the answers of other models.\n\n"
                        "## 9.4. Combining Learners\n\nWe now put the pieces together and see "
                        "how the votes add up over the rounds of training.\n",
    })
    kb.ingest([notes], embed=False)
    found = labels(kb)
    assert {"Weak Learners", "Strong Learners", "Stacked Learners"} <= found
    assert "Combining Learners" not in found


def test_a_months_notes_are_named_by_no_section_of_them(kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "Monthly/Mar 2031 notes.md": "\n## launches\n\n- a model that reads charts\n"
                                     "- a cheaper small model\n",
        "Monthly/Apr 2031.md": "## labs\n\n- two labs merged\n- one lab hired a chief "
                               "scientist\n",
        "Monthly/Apr 2031 notes 1.md": "## labs\n\n- two labs merged\n",
        # a note's first section still names a page that is no day's or month's
        "Retrieval.md": "## Dense retrieval\n\nDense retrieval finds passages by the nearness "
                        "of their vectors to the question's.\n",
    })
    kb.ingest([notes], embed=False)
    assert labels(kb) == {"Dense retrieval"}


@pytest.mark.no_store
def test_a_number_in_an_address_is_no_operand_and_a_claim_stays_on_its_line() -> None:
    from grimoire.lint.arithmetic import wrong_claims

    links = ("- the launch https://example.org/u/status/1700000000000000001\n"
             "- 3+4=7 said the model, rightly\n- 4 + 4 = 9 is wrong\n")
    assert [c.expression for c in wrong_claims(links)] == ["4 + 4"]
    assert [c.expression for c in wrong_claims("12\n- 3 = 4, and 2 * 3 = 7")] == ["2 * 3"]


def test_a_licence_named_for_what_it_covers_is_metadata(kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "site", {
        "licenses/LICENSE-BSD-MENU.txt": "/* The licence of the menu widget we bundle. */\n\n"
                                         "Copyright the menu's authors.\n\nRedistribution "
                                         "and use in source and binary forms are permitted.\n",
        "LICENSE-MIT": "Permission is hereby granted, free of charge, to any person.\n",
        "License-free data.md": "# License-free data\n\nLicense-free data is data anyone may "
                                "train on without asking.\n",
    })
    kb.ingest([notes], embed=False)
    assert labels(kb) == {"License-free data"}


def test_a_front_matter_title_of_the_sites_section_does_not_name_the_page(
        kb: Grimoire, tmp_path: Path) -> None:
    page = "---\ntitle: Learning from labels\nsidebar: labels_sidebar\n---\n\n## {h}\n\n{text}\n"
    site = write_notes(tmp_path / "site", {
        "labels/trees.md": page.format(h="Decision Trees", text="A decision tree asks one "
                                       "question of the input at each node until a leaf "
                                       "gives the answer."),
        "labels/forest.md": page.format(h="Random Forests", text="A random forest averages "
                                        "many trees, each grown on a resample of the data."),
        "labels/knn.md": page.format(h="K-Nearest Neighbours", text="The answer is the vote "
                                     "of the closest stored examples."),
        # a note whose file says its title keeps it, and its first section is a section
        "Transformer.md": "---\ntitle: Transformer\n---\n\n## Self-Attention\n\nSelf-attention "
                          "weighs every token by how well its key matches the query.\n",
    })
    kb.ingest([site], embed=False)
    found = labels(kb)
    assert "Learning from labels" not in found
    assert {"Decision Trees", "Random Forests", "K-Nearest Neighbours", "Transformer"} <= found
    (trees,) = kb.concept("Decision Trees").entries
    assert trees.entry.definition.startswith("A decision tree asks one question")
