"""Round 53 (review53c): qa53's reading rules on notes of kinds they were not written for, each
shape in our own words. No store (the PDF one is in test_qa52.py's module store)."""

from __future__ import annotations

import pytest

from grimoire.readers import read_file


def _read(kind: str, text: str, path: str) -> tuple[list[str], list[str], list[str]]:
    docs = read_file(kind, text.encode(), path)
    return ([d.title for d in docs], [e.term for d in docs for e in d.entries],
            [p.text for d in docs for p in d.passages])


def _frame(title: str, body: str) -> str:
    return f"\\bgroup\n\\begin{{frame}}{{{title}}}\n{body}\n\\end{{frame}}\n\\egroup\n"


_BULLETS = ("\\begin{itemize}\n\\item Keep each transition $(s, a, r, s')$ in a buffer of the "
            "last million steps\n\\item Train on minibatches drawn from it at random, not on "
            "the steps in the order they came\n\\end{itemize}")


@pytest.mark.no_store
def test_a_slide_file_named_by_its_slides_concept_is_that_concept() -> None:
    """A course kept one Beamer frame a file (`src/experience_replay.tex`, "Experience Replay";
    `q_learning.tex`, "Q-learning"): the author named the file and the slide by the concept and
    the slide explains it in bullets, as slides do. qa53 made such a file no concept unless its
    text defines its title in a sentence (`show "experience replay"` and `show DQN` found
    nothing, where main had the concept under its file's name)."""
    titles, terms, _ = _read("latex", _frame("Experience Replay", _BULLETS),
                             "rl/src/experience_replay.tex")
    assert titles == ["Experience Replay"] and terms == ["Experience Replay"], (titles, terms)
    # The file names a concept its slide's longer title holds: the concept as the slide
    # spells it, its text the slide's.
    titles, terms, _ = _read("latex", _frame("Minibatch learning with experience replay",
                                             _BULLETS), "rl/src/experience_replay.tex")
    assert titles == ["Minibatch learning with experience replay"], titles
    assert terms == ["experience replay"], terms
    dqn = _frame("Replay memory in deep Q-networks (DQN)", "DQN keeps a replay memory and a "
                 "second, older copy of its network for the targets.\n" + _BULLETS)
    titles, terms, _ = _read("latex", dqn, "rl/src/dqn.tex")
    assert terms == ["DQN"], terms
    # A slide of a figure alone is read, and explains nothing.
    figure = _frame("Linear SARSA in mountain car", "\\begin{center}\n\\includegraphics["
                    "width=0.8\\textwidth]{img/mountain_car.png}\n\\end{center}")
    assert _read("latex", figure, "rl/src/mountain_car.tex")[1] == []
    # qa53's cases stay: a file of an order or a part names nothing, nor a common word of a
    # longer title (`setting.tex`, "AdaBoost: setting"), nor a slug unlike its slide, nor a
    # page's furniture, nor the words a question opens with.
    for stem, title in (("boundary1", "AdaBoost: example (1)"), ("setting", "AdaBoost: setting"),
                        ("td_vs_mc_3", "Bias and variance"), ("closer2", "A closer look (2)"),
                        ("credits", "Credits"), ("which_model", "Which model family?")):
        titles, terms, _ = _read("latex", _frame(title, _BULLETS), f"boost/src/{stem}.tex")
        assert titles == [title] and terms == [], (stem, titles, terms)


_PROSE_BETWEEN_RULES = (
    "\n---\nBackpropagation: the chain rule applied to a network's loss, one layer at a time.\n"
    "---\n\nGradient descent then moves each weight against its gradient.\n")


@pytest.mark.no_store
def test_a_plain_note_opening_with_a_blank_line_and_a_rule_keeps_its_text() -> None:
    """qa53 read `---` / mapping / `---` after blank lines as front matter, as Pandoc does for a
    Quarto page. An Obsidian, Hugo or Jekyll note opening with an empty line has no front
    matter (they read it on the first line only): a line of `Name: text` between two rules
    there is text the note shows (a setext heading to CommonMark), and it vanished from every
    passage and title. A `.qmd` page's front matter after a blank line is still read, and a
    `.md` one holding a title too (Quarto renders `.md` pages with Pandoc)."""
    titles, _, texts = _read("markdown", _PROSE_BETWEEN_RULES, "notes/training.md")
    assert any("chain rule" in t for t in titles + texts), (titles, texts)
    quarto = "\n---\ntitle: Training\nauthor: A. Student\n---\n\nGradient descent moves on.\n"
    for path in ("notes/training.md", "notes/training.qmd"):
        titles, _, texts = _read("markdown", quarto, path)
        assert titles == ["Training"] and not any("author" in t for t in texts), (path, texts)
