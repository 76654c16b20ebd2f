"""Ask what an acronym stands for, in any of the ways people ask it, on real notes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from grimoire.ask.extractive import expansion, stands_for
from tests.conftest import answer_words, ask_notes, assert_quoted, notes_store, span_of


@pytest.mark.parametrize(("question", "short"), [
    ("What does PPO stand for?", "PPO"),
    ("What is LoRA short for?", "LoRA"),
    ("what's SGD short for", "SGD"),
    ("RLHF is an abbreviation of what?", "RLHF"),
    ("What is the full form of GRPO?", "GRPO"),
    ("What does the acronym ReLU stand for?", "ReLU"),
    ("What does RLHF mean?", "RLHF"),
    ("Expand the acronym GAN", "GAN"),
    # Not a question for letters: a word that is not written as an acronym, or no such ask.
    ("What does dropout mean?", None),
    ("What does Adam mean?", None),
    ("What is LoRA?", None),
    ("Is a short sequence padded?", None),
])
@pytest.mark.no_store
def test_questions_for_what_letters_stand_for(question: str, short: str | None) -> None:
    assert stands_for(question) == short


@pytest.mark.parametrize(("short", "text", "spelled"), [
    ("LoRA", "the Low-Rank Adaptation (LoRA) method", "Low-Rank Adaptation"),
    ("AdaLoRA", "Adaptive Low-Rank Adaptation", "Adaptive Low-Rank Adaptation"),
    ("RLHF", "reinforcement learning from human feedback (RLHF)",
     "reinforcement learning from human feedback"),
    ("PEFT", "Parameter-Efficient Fine-Tuning", "Parameter-Efficient Fine-Tuning"),
    ("BoW", "a bag of words.", "bag of words"),
    ("KTO", "Kahneman-Tversky Optimization (KTO)", "Kahneman-Tversky Optimization"),
    ("AUC", "the area under the curve", "area under the curve"),
    # A mixed-case acronym's capitals start words: "low-rank" alone is not LoRA.
    ("LoRA", "updates through low-rank decomposition", None),
    # The acronym itself is no spelling ("GRP" + "objective").
    ("GRPO", "the intuition behind GRPO objective", None),
    # Linking words give no start or end ("in a" is not IA3).
    ("IA3", "as in a model", None),
    ("SGD", "SGD trains on one example", None),
    # A linking word gives a letter only as a small letter of a mixed-case acronym.
    ("CTC", "the repositories carry the CC BY 4.0 licence", None),
    ("MoE", "a mixture of experts model", "mixture of experts"),
    # A hyphenated word may give one letter: "Pre-trained" is P, and the longest spelling
    # wins (the "T" of "trained" gave "Generative Pre-trained").
    ("GPT", "GPT (Generative Pre-trained Transformer)", "Generative Pre-trained Transformer"),
    ("KL", "the Kullback\u2013Leibler divergence", "Kullback\u2013Leibler"),
    ("LSTM", "LONG SHORT-TERM MEMORY (LSTM)", "LONG SHORT-TERM MEMORY"),
    # Names of the notes that spelled a shorter acronym by accident: another acronym gives
    # no letter, nor a word with a digit, and an expansion does not cross a parenthesis,
    # colon or comma.
    ("ML", "Long Short-Term Memory (LSTM)", None),
    ("ML", "MAE (L1)", None),
    ("EM", "Mean Squared Error (MSE)", None),
    ("KL", "KTO loss", None),
    ("DPO", "during PPO optimization", None),
    ("RNN", "ReLU in neural networks", None),
    ("SGD", "First Steps: Gradient Descent", None),
    ("PR", "pub), the rendered article page", None),
])
@pytest.mark.no_store
def test_expansion(short: str, text: str, spelled: str | None) -> None:
    assert expansion(short, text) == spelled


@pytest.fixture(scope="module")
def hf_docs(tmp_path_factory: pytest.TempPathFactory, corpora: Path) -> Iterator[Any]:
    hf = corpora / "hf-docs"
    yield from notes_store(tmp_path_factory, "acronyms-hf", [
        hf / "trl" / "grpo_trainer.md", hf / "trl" / "dpo_trainer.md",
        hf / "trl" / "ppo_trainer.md", hf / "peft" / "adapters.md"])


@pytest.mark.parametrize("question", [
    "What does GRPO stand for?", "What is GRPO short for?", "What is the full form of GRPO?",
    "GRPO is an abbreviation of what?",
])
def test_the_sentence_that_spells_it_out_answers(hf_docs: Any, question: str) -> None:
    # The GRPO page spells the letters out once, in its quoted abstract. "full form" and
    # "short" were weighed as words of the answer, so "the more general form" and "a short
    # sequence" answered instead.
    answer = hf_docs.ask(question)
    assert not answer.abstained
    assert "Group Relative Policy Optimization" in answer.answer, answer.answer
    assert answer.citations[0].span.path.endswith("grpo_trainer.md")
    assert answer_words(answer) <= 40


def test_a_heading_that_spells_it_out_answers(hf_docs: Any) -> None:
    # No sentence of the adapters page spells LoRA out; its heading does ("Low-Rank Adaptation
    # (LoRA)"). The answer says so, cited as the passage under that heading.
    answer = hf_docs.ask("What is LoRA short for?")
    assert answer.answer.startswith("LoRA stands for Low-Rank Adaptation [1]."), answer.answer
    first = answer.citations[0]
    assert first.span.path.endswith("adapters.md")
    assert first.concept == "Low-Rank Adaptation (LoRA)"
    assert answer_words(answer) <= 40


def test_a_note_title_that_spells_it_out_answers(tmp_path: Path, corpora: Path) -> None:
    # The vault's note "stochastic gradient descent (SGD).md" never writes the words in its
    # text: its title does. (With the batch size note beside it, that note's sentence
    # "Stochastic Gradient Descent (SGD), in which ..." answers: a sentence comes first.)
    import grimoire

    vault = corpora / "google-ml-glossary-vault"
    files = [vault / "stochastic gradient descent (SGD).md", vault / "gradient descent.md"]
    with grimoire.open(tmp_path / "notes.db") as kb:
        kb.ingest([str(f) for f in files])
        answer = kb.ask("What is SGD short for?")
    assert answer.answer.startswith("SGD stands for stochastic gradient descent [1]."), (
        answer.answer)
    assert answer.citations[0].span.path.endswith("stochastic gradient descent (SGD).md")


def test_a_title_spelled_with_a_hyphenated_word(tmp_path: Path, corpora: Path) -> None:
    # The vault's GPT note says what GPT is but never spells it out; its title does, with a
    # hyphenated "Pre-trained". The answer led with "GPT stands for Generative Pre-trained
    # [1]." (the T taken from "trained").
    vault = corpora / "google-ml-glossary-vault"
    files = [vault / "GPT (Generative Pre-trained Transformer).md", vault / "Transformer.md",
             vault / "generative AI.md", vault / "generative model.md"]
    answer = ask_notes(tmp_path, files, "What does GPT stand for?")
    assert answer.answer.startswith(
        "GPT stands for Generative Pre-trained Transformer [1]."), answer.answer
    assert answer.citations[0].span.path.endswith("GPT (Generative Pre-trained Transformer).md")


def test_a_nodes_question_keeps_its_words(tmp_path: Path, corpora: Path) -> None:
    # "stand for" about a plain word with more to the question is asked as written: asked as
    # "what does nodes stand for?", its TensorFlow words were lost and the decision tree's
    # node answered.
    assert stands_for("In a TensorFlow graph, what do the nodes stand for?") == "nodes"
    vault = corpora / "google-ml-glossary-vault"
    files = [vault / f"node ({kind}).md"
             for kind in ("TensorFlow graph", "decision tree", "neural network")]
    answer = ask_notes(tmp_path, files, "In a TensorFlow graph, what do the nodes stand for?")
    assert not answer.abstained, answer.answer
    assert answer.citations[0].span.path.endswith("node (TensorFlow graph).md"), answer.answer


@pytest.mark.parametrize(("question", "span"), [
    ("What are the advantages of ReLU?", ("It avoids", "problem")),
    ("What are the drawbacks of the sigmoid activation?", ("Sigmoids saturate", "gradients")),
    ("What are the disadvantages of tanh?", ("Tanh also has", "problem")),
])
def test_advantages_meet_pros(tmp_path: Path, corpora: Path, question: str,
                              span: tuple[str, str]) -> None:
    # The cheatsheet heads what is good and bad about each activation "Pros" and "Cons"; an
    # outsider asks for advantages and drawbacks. "What are the advantages of ReLU?" was
    # refused, and the sigmoid's drawbacks were answered from its Pros. (Each quoted span is
    # an item of that activation's Pros or Cons list.)
    note = corpora / "ml-cheatsheet-rst" / "activation_functions.rst"
    answer = ask_notes(tmp_path, [note], question)
    assert_quoted(answer, span_of(note, *span))


def test_the_advantages_of_x_are_about_x(hf_docs: Any, corpora: Path) -> None:
    # "What are the advantages of LoRA?" was read as a definition question about "advantages
    # of LoRA", and refused because the best sentence never says "advantages".
    note = corpora / "hf-docs" / "peft" / "adapters.md"
    answer = hf_docs.ask("What are the advantages of LoRA?")
    assert_quoted(answer, span_of(note, "LoRA makes finetuning more efficient", "parameters"))


def test_a_spelling_in_the_acronyms_own_passage_leads(tmp_path: Path, corpora: Path) -> None:
    # The CTC article spells its letters out once, in its opening ("A visual guide to
    # Connectionist Temporal Classification, ..."), without writing "(CTC)" there; sentences
    # that only use "CTC" answered before it.
    note = corpora / "distill-articles" / "ctc.html"
    answer = ask_notes(tmp_path, [note], "What does CTC stand for?")
    assert not answer.abstained
    assert "Connectionist Temporal Classification" in answer.answer, answer.answer
    assert answer_words(answer) <= 40


def test_a_possessive_names_its_owner(tmp_path: Path, corpora: Path) -> None:
    # "t-SNE's perplexity" was read as the name "t SNE s perplexity", which no passage holds
    # together, and the question was refused as one about a neighbouring concept.
    note = corpora / "distill-articles" / "misread-tsne.html"
    answer = ask_notes(tmp_path, [note], "How does t-SNE's perplexity parameter affect the plot?")
    assert not answer.abstained, answer.answer
    assert "perplexit" in answer.answer
    assert all(c.span.path.endswith("misread-tsne.html") for c in answer.citations)


def test_what_an_acronym_means_is_defined_first(tmp_path: Path, corpora: Path) -> None:
    # "What does MSE mean?" asks for a definition as much as for the letters: the note's
    # definition leads, as for any "what does X mean?", not a later sentence that happens to
    # spell the letters out ("Mean Squared Error is a popular training optimizer").
    note = corpora / "google-ml-glossary-vault" / "Mean Squared Error (MSE).md"
    answer = ask_notes(tmp_path, [note], "What does MSE mean?")
    assert_quoted(answer, "The average loss per example")
    # Round 45's NEAR may put the title's own spelling-out ("MSE stands for Mean Squared
    # Error") first; the definition comes next, before any other sentence of the note.
    body = answer.answer.removeprefix("MSE stands for Mean Squared Error [1]. ")
    assert body.startswith("The average loss per example"), answer.answer
