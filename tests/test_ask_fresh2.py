"""Ask on real notes, for the round-6 outsider questions (bench/questions/ask_dev.jsonl, set
"fresh2"): a list item wrapped over several lines is one sentence, and an entry's opening
statement that ends in ':' before its list still answers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import grimoire
from grimoire.ask import verify_citation
from grimoire.ask.extractive import Question, Scored, _answerable, choose
from grimoire.ask.retrieve import Candidate
from grimoire.ask.sentences import split_sentences
from grimoire.model import Span
from tests.conftest import answer_words, ask_notes, notes_store


@pytest.fixture(scope="module")
def terms(tmp_path_factory: pytest.TempPathFactory,
          corpora: Path) -> Iterator[grimoire.Grimoire]:
    """Real term files: an entry whose first sentence introduces a numbered list, and the
    entries it links to."""
    folder = corpora / "ml-glossary-terms" / "terms"
    yield from notes_store(tmp_path_factory, "ask-fresh2-terms", [folder / f"{n}.md" for n in (
        "bias-variance-tradeoff", "overfitting", "underfitting", "regularization",
        "embed-encode-attend-predict")])


@pytest.mark.no_store
def test_a_wrapped_list_item_is_one_sentence() -> None:
    # Markdown's lazy continuation: an item's text goes on, unindented, on the next lines.
    text = ("1. Tokenize -- Here the text is cut\n"
            "into pieces of words.\n"
            "2. Count -- Each piece is counted in\n"
            "(roughly) every document.\n"
            "3. Rank -- The documents are sorted\n"
            "Best first by a score.")
    got = [s.text for s in split_sentences(text)]
    assert got == ["1. Tokenize -- Here the text is cut into pieces of words.",
                   "2. Count -- Each piece is counted in (roughly) every document.",
                   # A capital after a line that stops mid-sentence may start a paragraph.
                   "3. Rank -- The documents are sorted",
                   "Best first by a score."]


@pytest.mark.no_store
def test_a_list_number_is_not_the_end_of_a_sentence() -> None:
    text = "The steps run in order.\n2. Count the pieces. Then rank them."
    got = [s.text for s in split_sentences(text)]
    assert got == ["The steps run in order.", "2. Count the pieces.", "Then rank them."]


@pytest.mark.no_store
def test_a_statement_before_its_list_is_an_answer_a_lead_in_is_not() -> None:
    assert _answerable("Model selection weighs how well a model fits against how much it "
                       "can vary between training sets:")
    # These say nothing until the list comes.
    assert not _answerable("A model is well trained when both of these goals are met:")
    assert not _answerable("The score of a document is computed as follows:")
    assert not _answerable("Common choices of activation function include, such as:")
    assert not _answerable("The three steps mean:")


def test_an_entry_that_opens_with_a_statement_before_its_list(
        terms: grimoire.Grimoire) -> None:
    # The entry's first sentence ends in ':' and introduces the two kinds of error; it
    # says what the tradeoff is about, the sentences after the list do not.
    answer = terms.ask("What is the bias-variance tradeoff about?")
    assert not answer.abstained
    assert "two different sources of error" in answer.answer, answer.answer
    assert any(c.span.path.endswith("bias-variance-tradeoff.md") for c in answer.citations)
    assert all(verify_citation(c) for c in answer.citations)


def test_a_wrapped_list_item_is_quoted_whole(terms: grimoire.Grimoire) -> None:
    answer = terms.ask("In the embed, encode, attend, predict framework, what does the "
                       "embed step turn text into?")
    assert not answer.abstained
    # The item's words after its first line's end are part of the same quote.
    assert any("turning text" in c.quote and "dense word embeddings" in c.quote
               for c in answer.citations), answer.answer
    assert all(verify_citation(c) for c in answer.citations)


@pytest.fixture(scope="module")
def rl_page(tmp_path_factory: pytest.TempPathFactory,
            corpora: Path) -> Iterator[grimoire.Grimoire]:
    """The cheatsheet's reinforcement learning page: sections with text and sections whose
    only line is a placeholder."""
    yield from notes_store(tmp_path_factory, "ask-fresh2-rl",
                           [corpora / "ml-cheatsheet-rst" / "reinforcement_learning.rst"])


def test_a_section_named_with_its_page_and_nothing_under_it_abstains(
        rl_page: grimoire.Grimoire) -> None:
    # The page's title is named too ("reinforcement learning"), and the page's other
    # sections have text; the section the question is about has none.
    answer = rl_page.ask("What does planning mean in reinforcement learning?")
    assert answer.abstained, answer.answer
    # A section of the same page that has text answers.
    answer = rl_page.ask("What is Q-learning in reinforcement learning?")
    assert not answer.abstained
    assert all(c.span.path.endswith("reinforcement_learning.rst") for c in answer.citations)


def test_a_title_only_entry_the_question_names_abstains(
        tmp_path: Path, corpora: Path) -> None:
    # negative-log-likelihood.md is front matter alone; likelihood.md has text, and shares
    # one word of the name; the others are what a search for the question finds near it.
    folder = corpora / "ml-glossary-terms" / "terms"
    with grimoire.open(tmp_path / "notes.db") as kb:
        kb.ingest([str(folder / f"{n}.md") for n in (
            "negative-log-likelihood", "likelihood", "maximum-likelihood-estimation-mle",
            "triplet-loss", "neural-style-transfer", "minimax",
            "harmonic-precision-recall-mean-f1-score", "bias-variance-tradeoff")])
        answer = kb.ask("What is negative log likelihood and why do we minimize it?")
        assert answer.abstained, answer.answer
        answer = kb.ask("What is likelihood in statistics?")
        assert not answer.abstained
        assert any(c.span.path.endswith("likelihood.md") for c in answer.citations)




def _scored(pid: int, index: int, text: str, score: float, terms: set[str]) -> Scored:
    cand = Candidate(pid, text, Span(f"/notes/{pid}.md", 1, 1), "Graphs", (), None, None,
                     1.0, "search")
    return Scored(cand, index, text, text, 0, len(text), 0.6, 0.6, score, frozenset(terms))


@pytest.mark.no_store
def test_a_near_tie_joins_before_a_weaker_neighbour() -> None:
    # The best sentence is about one kind of task; a sentence about as good, in another
    # paragraph, names all three kinds. It joins the answer ahead of the best sentence's
    # longer, weaker neighbour (an example), which would use up the answer's words.
    q = Question("what kinds of prediction tasks are there on graphs?",
                 {"kind": 1.0, "predic": 1.0, "task": 1.0, "graph": 1.0})
    best = _scored(1, 0, "In a whole-graph task we predict one property of the entire graph.",
                   0.72, {"predic", "task", "graph"})
    tie = _scored(2, 1, "Tasks on graphs come in three kinds: whole-graph, node and edge tasks.",
                  0.70, {"kind", "task", "graph"})
    example = _scored(1, 1, "For instance, with a molecule drawn as a graph we could ask how it "
                      "smells, or whether it binds to a receptor that is involved in some "
                      "disease, which would matter a lot to chemists.", 0.66,
                      {"predic", "graph"})
    chosen = choose([best, tie, example], q)
    assert tie in chosen, [c.text for c in chosen]


def test_a_sentence_that_sets_up_an_example_is_read_with_the_next(
        tmp_path: Path, corpora: Path) -> None:
    # "For example, consider a model that predicts ..." holds the question's words; what
    # the example shows is in the sentence after it.
    answer = ask_notes(tmp_path, [corpora / "google-ml-glossary-vault" / "ground truth.md"],
                       "For a model that predicts whether a first-year student will "
                       "graduate, what is the ground truth?")
    assert not answer.abstained
    assert "actually graduated" in answer.answer, answer.answer
    assert answer_words(answer) <= 40
    assert all(verify_citation(c) for c in answer.citations)
