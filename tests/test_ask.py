"""Ask, extractive path, end to end on the seeds and examples/, with citations checked
against the files themselves."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import grimoire
from grimoire.ask import NOT_COVERED, verify_citation
from grimoire.ask.cite import SourceLines, locate
from grimoire.ask.sanitize import sanitize
from grimoire.ask.sentences import split_sentences
from grimoire.cli import main
from grimoire.model import Answer, Citation, Span
from tests.conftest import ingested

from .conftest import EXAMPLES, SEEDS, copy_store, notes_store
from .conftest import ask_notes as shared_ask


@pytest.fixture(scope="module")
def kb_path(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest,
            seeds: Path) -> Path:
    """Where `kb` is, as a `--db` names it (in the PostgreSQL pass, its database's path)."""
    # The seeds: a copy of the session's store of them (tests/test_search.py starts from it too)
    return copy_store(request, [str(seeds)], tmp_path_factory.mktemp("ask") / "notes.db")


@pytest.fixture(scope="module")
def kb(kb_path: Path, seeds: Path) -> Iterator[grimoire.Grimoire]:
    base = grimoire.open(kb_path)
    base.ingest([str(seeds)] + ([str(EXAMPLES)] if EXAMPLES.is_dir() else []))
    yield base
    base.close()


def _lines(span: Span) -> str:
    lines = Path(span.path).read_text(encoding="utf-8").splitlines()
    return "\n".join(lines[span.start_line - 1 : span.end_line])


def ask_notes(tmp_path: Path, notes: dict[str, str], question: str) -> Answer:
    """Write `notes` (file name -> text) into a fresh folder, ingest it, ask `question`."""
    folder = tmp_path / "notes"
    folder.mkdir()
    for name, text in notes.items():
        (folder / name).write_text(text)
    with ingested(tmp_path / "kb.db", str(folder)) as base:
        return base.ask(question)


def test_lora_answer_cites_the_right_lines(kb: grimoire.Grimoire) -> None:
    answer = kb.ask("what does LoRA replace an N x M weight update with?")
    assert not answer.abstained
    assert "[N, k] @ [k, M]" in answer.answer
    seed = [c for c in answer.citations if c.span.path.startswith(str(SEEDS))]
    assert seed, answer.citations
    assert "000_" in seed[0].span.path
    assert seed[0].span.start_line == 73 == seed[0].span.end_line
    assert "[N, k] @ [k, M]" in _lines(seed[0].span)
    for c in answer.citations:
        assert verify_citation(c)
        assert f"[{c.n}]" in answer.answer


@pytest.mark.parametrize("question", [
    "why is cross entropy preferred over squared error for softmax outputs?",
    "what is a common threshold for the p-value?",
    "what does L1 regularization do to the weights of irrelevant features?",
    "what is the derivative of softmax?",
])
def test_every_citation_span_holds_its_quote(kb: grimoire.Grimoire, question: str) -> None:
    answer = kb.ask(question)
    assert not answer.abstained
    assert 1 <= len(answer.citations) <= 3
    for c in answer.citations:
        assert verify_citation(c), c
        text = _lines(c.span)
        # the first and last words of the quote are on the cited lines (a clipped quote's
        # ellipsis is no word of the notes)
        words = c.quote.replace("\u2026", " ").split()
        assert words[0].strip("$[(") in text or words[-1].strip(".)]$") in text


def test_formula_is_quoted_whole(kb: grimoire.Grimoire) -> None:
    answer = kb.ask("what is the derivative of softmax?")
    assert "$= softmax_p . (1 - softmax_p)$" not in answer.answer  # never cut inside math
    assert "${d_{softmax_p} \\over d_{raw_p}} = softmax_p . (1 - softmax_p)$" in answer.answer


def test_wrong_arithmetic_is_marked(kb: grimoire.Grimoire) -> None:
    answer = kb.ask("what is the geometric mean used for?")
    assert not answer.abstained
    assert "0.995 = 0.99" in answer.answer or "0.995 * 0.995 = 0.99" in answer.answer
    assert "lint:" in answer.answer and "99.0025" in answer.answer


@pytest.mark.parametrize("question", [
    "who won the 2022 FIFA World Cup?",
    "how do I bake sourdough bread?",
    "what is the boiling point of ethanol?",
])
def test_abstains_when_notes_are_silent(kb: grimoire.Grimoire, question: str) -> None:
    answer = kb.ask(question)
    assert answer.abstained
    assert answer.answer.startswith(NOT_COVERED)
    assert answer.citations == ()
    assert answer.nearest


def test_a_heading_alone_is_not_an_answer(tmp_path: Path) -> None:
    answer = ask_notes(tmp_path, {
        "empty.md": "# Quantum annealing schedules\n\n## Quantum annealing\n",
        "other.md": "# Dropout\n\nDropout zeroes random activations while training so units "
                    "do not co-adapt.\n",
    }, "what are quantum annealing schedules?")
    assert answer.abstained


def test_two_sources_that_disagree_are_both_cited(tmp_path: Path) -> None:
    answer = ask_notes(tmp_path, {
        "adam.md": "# Adam\n\nAdam keeps moving averages of the gradient and its square.\n"
                   "The default beta2 of the Adam optimizer is 0.999 in most libraries.\n",
        "optimizers.md": "# Optimizers\n\n## Adam\n\nFor the Adam optimizer the default beta2 "
                         "is 0.99 according to my course notes.\n",
    }, "what is the default beta2 of the Adam optimizer?")
    assert not answer.abstained
    assert "disagree" in answer.answer
    paths = {Path(c.span.path).name for c in answer.citations}
    assert paths == {"adam.md", "optimizers.md"}
    assert "0.999" in answer.answer and "0.99 " in answer.answer
    assert all(verify_citation(c) for c in answer.citations)


@pytest.mark.no_store
def test_verify_citation_rejects_a_wrong_span(seeds: Path) -> None:
    path = str(next(seeds.glob("000_*.txt")))
    quote = "In practice it emulates a [N, M] matrice, by using two [N, k] @ [k, M] matricies"
    assert verify_citation(Citation(1, Span(path, 73, 73), quote))
    assert not verify_citation(Citation(1, Span(path, 77, 77), quote))
    assert not verify_citation(Citation(1, Span(path, 9000, 9001), quote))
    assert not verify_citation(Citation(1, Span(path + ".gone", 73, 73), quote))
    assert SourceLines().lines(path + ".gone") == []


@pytest.mark.no_store
def test_sentences_never_split_inside_math() -> None:
    text = ("$PPL(X) = P(X_1 … X_N)^{-{1 \\over N}}$ metric. Say we guess. It gives $a. B$ "
            "here. See e.g. Next one.\n- item one\n- item two")
    got = [s.text for s in split_sentences(text)]
    assert got[0] == "$PPL(X) = P(X_1 … X_N)^{-{1 \\over N}}$ metric."
    assert "It gives $a. B$ here." in got
    assert "See e.g. Next one." in got
    assert got[-2:] == ["- item one", "- item two"]


@pytest.mark.no_store
def test_sanitize_strips_images_and_foreign_urls() -> None:
    text = ("See ![](https://x/?d=SECRET) and [docs](https://evil.example/a) and "
            "https://ok.example/page. <img src=https://x/y.png> $a<b$")
    clean = sanitize(text, {"https://ok.example/page"})
    assert "https://x" not in clean and "evil.example" not in clean and "<img" not in clean
    assert "https://ok.example/page" in clean and "$a<b$" in clean and "![" not in clean


def test_cli_ask_json(kb: grimoire.Grimoire, kb_path: Path) -> None:
    # kb_path, not the store's own path: the PostgreSQL pass skipped this test (round 56)
    db = kb_path
    result = CliRunner().invoke(
        main, ["--db", str(db), "ask", "what", "is", "a", "common", "threshold", "for", "the",
               "p-value?", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["abstained"] is False
    assert "0.05" in data["answer"]
    c = data["citations"][0]
    assert set(c) >= {"n", "span", "quote", "concept"}
    assert c["span"]["path"].endswith(".txt") and c["span"]["start_line"] == 89


def test_cli_ask_text(kb: grimoire.Grimoire, kb_path: Path) -> None:
    db = kb_path
    result = CliRunner().invoke(main, ["--db", str(db), "ask", "what does RAG add to an LLM?"])
    assert result.exit_code == 0, result.output
    assert "[1]" in result.output and "000_f4d7ce3493df2891.txt:109" in result.output


@pytest.mark.no_store
def test_citation_starts_on_the_line_where_the_sentence_starts(tmp_path: Path) -> None:
    note = tmp_path / "ppl.md"
    note.write_text(
        "# Perplexity\n\n"
        "Perplexity is a common metric for language models, and it is cheap. Before\n"
        "diving in, we should say that the metric applies to causal language models and\n"
        "is not well defined for masked language models such as the BERT family of encoders.\n"
        "Another sentence follows on the next line.\n")
    quote = ("Before diving in, we should say that the metric applies to causal language models"
             " and is not well defined for masked language models such as the BERT family of"
             " encoders.")
    passage = Span(str(note), 3, 6)
    sources = SourceLines()
    # The word-share check alone accepts lines 4-5 (only "Before" is missing): the span must
    # still start on line 3, whether the guess was line 4 or there was no usable guess.
    for guess in (4, 9):
        span = locate(sources, passage, guess, 5 if guess == 4 else 9, quote)
        assert span is not None
        assert (span.start_line, span.end_line) == (3, 5)
        assert verify_citation(Citation(1, span, quote), sources)
    # A sentence that starts at the beginning of its line is not widened to the line before.
    later = locate(sources, passage, 6, 6, "Another sentence follows on the next line.")
    assert later is not None and (later.start_line, later.end_line) == (6, 6)


@pytest.mark.no_store
def test_an_initial_does_not_end_a_sentence() -> None:
    got = [s.text for s in split_sentences(
        "It was introduced by Diederik P. Kingma and Jimmy Lei Ba. They combined two ideas.")]
    assert got == ["It was introduced by Diederik P. Kingma and Jimmy Lei Ba.",
                   "They combined two ideas."]


@pytest.fixture(scope="module")
def peft_terms(tmp_path_factory: pytest.TempPathFactory,
               corpora: Path) -> Iterator[grimoire.Grimoire]:
    """A store of a few real notes: two PEFT guides that say the same thing about frozen
    weights, a glossary stub with a title only, and its neighbours."""
    db = tmp_path_factory.mktemp("ask-corpora") / "notes.db"
    base = grimoire.open(db)
    terms = corpora / "ml-glossary-terms" / "terms"
    base.ingest([str(corpora / "hf-docs" / "peft" / "ia3.md"),
                 str(corpora / "hf-docs" / "peft" / "adapters.md"),
                 *(str(terms / f"{n}.md") for n in (
                     "hamming-distance", "distance-metric", "jaccard-index", "lexeme",
                     "word2vec", "synset"))])
    yield base
    base.close()


@pytest.mark.parametrize("question", [
    "What is the Hamming distance?",  # a title-only stub beside a defined neighbour
    "What is a lexeme?",  # a title-only stub
    "How does QLoRA quantize the base model to 4 bits?",  # a name no note holds
    "What is the capital of Australia?",  # outside the field
    "Who wrote Pride and Prejudice?",
])
def test_abstains_on_real_notes_that_do_not_answer(peft_terms: grimoire.Grimoire,
                                                   question: str) -> None:
    answer = peft_terms.ask(question)
    assert answer.abstained, answer.answer
    assert answer.citations == ()


def test_answers_on_real_notes_in_few_words(peft_terms: grimoire.Grimoire) -> None:
    answer = peft_terms.ask("What is the Jaccard index otherwise known as?")
    assert not answer.abstained
    assert "intersection over union" in answer.answer
    assert len(answer.answer.split()) <= 40
    assert answer.citations[0].span.path.endswith("jaccard-index.md")
    assert all(verify_citation(c) for c in answer.citations)


@pytest.mark.parametrize(("question", "file"), [
    ("Are the original pretrained weights kept frozen with IA3?", "ia3.md"),
    ("Are the original pretrained weights kept frozen with LoRA?", "adapters.md"),
])
def test_two_sources_say_the_same_the_one_asked_about_is_cited(
        peft_terms: grimoire.Grimoire, question: str, file: str) -> None:
    answer = peft_terms.ask(question)
    assert not answer.abstained
    assert "frozen" in answer.answer
    assert Path(answer.citations[0].span.path).name == file, answer.citations


@pytest.fixture(scope="module")
def perplexity_docs(tmp_path_factory: pytest.TempPathFactory,
                    corpora: Path) -> Iterator[grimoire.Grimoire]:
    """A real guide whose sentences often start at the end of a wrapped line, beside the
    glossary of the same documentation, which covers some of the same ground (in the order
    ask/test_round18.py asks of them: the session's store of the two, shared)."""
    docs = corpora / "hf-docs" / "transformers"
    yield from notes_store(tmp_path_factory, "ask-ppl", [docs / "glossary.md",
                                                          docs / "perplexity.md"])


def _starts_on_first_line(citation: Citation) -> bool:
    """The quote's first words begin on the first line of its span (not on a later one)."""
    lines = Path(citation.span.path).read_text(encoding="utf-8").splitlines()
    span_lines = lines[citation.span.start_line - 1 : citation.span.end_line]
    head = [w.casefold() for w in re.findall(r"\w+", citation.quote)][:3]
    seen = [w.casefold() for w in re.findall(r"\w+", "\n".join(span_lines))]
    first = len(re.findall(r"\w+", span_lines[0])) if span_lines else 0
    at = next((i for i in range(len(seen)) if seen[i : i + len(head)] == head), None)
    return at is not None and at < first


@pytest.mark.parametrize(("question", "opening"), [
    # Each answer sentence starts with its first words at the end of a line.
    ("Can perplexity be used to evaluate masked language models like BERT?", "Before diving in"),
    ("Which tasks are decoder input IDs meant for?", "These"),
    ("What happens when chunk_size is set to 0?", "If"),
])
def test_real_citation_starts_on_the_line_where_the_quote_starts(
        perplexity_docs: grimoire.Grimoire, question: str, opening: str) -> None:
    answer = perplexity_docs.ask(question)
    assert not answer.abstained, answer.answer
    for c in answer.citations:
        assert verify_citation(c)
        assert _starts_on_first_line(c), (c.span, c.quote)
    lead = [c for c in answer.citations if c.quote.startswith(opening)]
    assert lead, answer.citations
    lines = Path(lead[0].span.path).read_text(encoding="utf-8").splitlines()
    assert opening in lines[lead[0].span.start_line - 1]
    assert opening not in lines[lead[0].span.start_line]


@pytest.fixture(scope="module")
def cheatsheet(tmp_path_factory: pytest.TempPathFactory,
               corpora: Path) -> Iterator[grimoire.Grimoire]:
    """Four real Sphinx pages: a glossary, two article pages with headings that have no text
    yet ("Be the first to contribute!"), and a page of loss formulas."""
    pages = corpora / "ml-cheatsheet-rst"
    yield from notes_store(tmp_path_factory, "ask-cheatsheet", [pages / f"{n}.rst" for n in (
        "glossary", "optimizers", "clustering_algos", "loss_functions")])


@pytest.mark.parametrize("question", [
    "How does Nesterov momentum look ahead before computing the gradient?",
    "How does k-means decide where the cluster centres go?",
    "How does mean shift clustering find the modes of the data?",
])
def test_a_heading_with_only_a_placeholder_abstains(cheatsheet: grimoire.Grimoire,
                                                    question: str) -> None:
    answer = cheatsheet.ask(question)
    assert answer.abstained, answer.answer
    assert "contribute" not in answer.answer


@pytest.mark.parametrize(("question", "fact", "file"), [
    # The sentence under a heading that has text answers, beside empty headings.
    ("How does RMSProp adapt its step size?",
     "exponentially weighted average of the squares of past gradients", "optimizers.rst"),
    # A question for a formula gets the displayed formula.
    ("What is the formula for mean squared error?", r"\frac{1}{m}", "loss_functions.rst"),
])
def test_cheatsheet_answers_hold_the_fact(cheatsheet: grimoire.Grimoire, question: str,
                                          fact: str, file: str) -> None:
    answer = cheatsheet.ask(question)
    assert not answer.abstained
    assert fact in answer.answer, answer.answer
    assert len(answer.answer.split()) <= 45
    assert any(Path(c.span.path).name == file for c in answer.citations), answer.citations
    assert all(verify_citation(c) for c in answer.citations)


@pytest.mark.no_store
def test_a_very_short_sentence_is_read_with_the_next(corpora: Path) -> None:
    from grimoire.ask.extractive import _units

    text = (corpora / "ml-cheatsheet-rst" / "glossary.rst").read_text(encoding="utf-8")
    start = text.index("Also called sensitivity.")
    paragraph = text[start : text.index("\n\n", start)]
    units = _units(paragraph, set())
    assert units[0].text.startswith("Also called sensitivity. In the context of binary")
    assert paragraph[units[0].start : units[0].end].startswith("Also called sensitivity.")
    # A run-in heading is joined too; a heading named as such is left out.
    assert [u.text for u in _units("Recall\n\nAlso called sensitivity. It counts hits.",
                                   {"recall"})] == [
        "Also called sensitivity. It counts hits."]


def test_what_an_acronym_stands_for_is_answered_by_its_expansion(
        peft_terms: grimoire.Grimoire) -> None:
    from grimoire.ask.extractive import spells_out

    assert spells_out("PPO", "training LLMs with Proximal Policy Optimization (PPO)")
    assert not spells_out("IA3", "it works in a team")  # "in a" does not spell IA3
    answer = peft_terms.ask("What does IA3 stand for?")
    assert not answer.abstained
    assert "Infused Adapter by Inhibiting and Amplifying Inner Activations" in answer.answer
    assert Path(answer.citations[0].span.path).name == "ia3.md"


@pytest.fixture(scope="module")
def neighbours(tmp_path_factory: pytest.TempPathFactory,
               corpora: Path) -> Iterator[grimoire.Grimoire]:
    """Real notes around positional encoding and overfitting (vault), and a glossary that
    names vision transformers only as "Vision-based Transformers" (hf-docs)."""
    db = tmp_path_factory.mktemp("ask-neighbours") / "notes.db"
    base = grimoire.open(db)
    vault = corpora / "google-ml-glossary-vault"
    base.ingest([*(str(vault / f"{n}.md") for n in (
        "positional encoding", "Transformer", "token", "overfitting", "generalization",
        "regularization rate", "attention")),
        str(corpora / "hf-docs" / "transformers" / "glossary.md")])
    yield base
    base.close()


@pytest.mark.no_store
def test_subject_phrase_stops_before_the_verb() -> None:
    from grimoire.ask import subject_phrase

    assert subject_phrase("How does rotary position embedding encode token positions?") == (
        "rotary", "position")
    assert subject_phrase("How does a vision transformer split an image into patches?") == (
        "vision", "transformer")
    assert subject_phrase("How does Adagrad choose the learning rate?") == ("Adagrad",)
    assert subject_phrase("What is a vision transformer?") == ()


def test_a_neighbouring_concept_the_notes_lack_abstains(neighbours: grimoire.Grimoire) -> None:
    # The notes define positional encoding; "rotary position embedding" is only its neighbour.
    answer = neighbours.ask("How does rotary position embedding encode token positions?")
    assert answer.abstained, answer.answer
    assert "positional encoding" in answer.nearest
    # Written apart in the notes ("Vision-based Transformers"), the name still answers.
    answer = neighbours.ask("How does a vision transformer turn an image into model input?")
    assert not answer.abstained
    assert "split an image into smaller patches" in answer.answer
    assert Path(answer.citations[0].span.path).name == "glossary.md"


def test_a_question_names_its_entry_in_another_form(neighbours: grimoire.Grimoire) -> None:
    # "overfit" names the "overfitting" entry, whose first sentence defines it.
    answer = neighbours.ask("What does it mean for a model to overfit?")
    assert not answer.abstained
    assert any(Path(c.span.path).name == "overfitting.md" for c in answer.citations)
    assert "fails to make correct predictions on new data" in answer.answer


def test_a_definition_leads_with_the_entrys_first_sentence(
        neighbours: grimoire.Grimoire) -> None:
    # A later sentence of the entry repeats more of the question's words ("a typical
    # attention mechanism ... neural network"); the entry's first sentence defines it.
    answer = neighbours.ask("What is attention in a neural network?")
    assert not answer.abstained
    assert answer.answer.startswith("A mechanism used in a neural network that indicates the "
                                    "importance of a particular word"), answer.answer
    assert Path(answer.citations[0].span.path).name == "attention.md"
    assert answer.citations[0].span.start_line == 3
    assert all(verify_citation(c) for c in answer.citations)


@pytest.mark.no_store
def test_a_name_spelled_out_names_its_acronym() -> None:
    from grimoire.ask.extractive import _spelled, stem

    assert _spelled("What is the formula for mean squared error?", ("MSE", "L2")) == {
        stem("mean"), stem("squared"), stem("error")}
    assert _spelled("What is the formula for mean absolute error?", ("MSE",)) == frozenset()


def test_a_guessed_verb_does_not_make_a_neighbour(neighbours: grimoire.Grimoire) -> None:
    from grimoire.ask import gather, neighbour

    # No function word places the verb: "overfitting hurt" may be "overfitting" + a verb,
    # and the notes hold "overfitting", so this is not a neighbouring concept.
    question = "How does overfitting hurt predictions?"
    assert not neighbour(question, gather(neighbours.searcher, question, semantic=False))
    # "rotary" is in no passage found at all.
    question = "How does rotary position embedding encode token positions?"
    assert neighbour(question, gather(neighbours.searcher, question, semantic=False))


def test_the_notes_own_reference_numbers_are_not_citations(tmp_path: Path) -> None:
    answer = ask_notes(tmp_path, {
        "loss.md": "# Mean squared error\n\nMean squared error averages the squared differences "
                   "between predictions and labels, as surveyed in [6] and [10].\n",
    }, "what does mean squared error average?")
    assert not answer.abstained
    assert "(6) and (10)" in answer.answer and "[6]" not in answer.answer
    assert re.findall(r"\[(\d+)\]", answer.answer) == ["1"]
    assert "[6] and [10]" in answer.citations[0].quote
    assert verify_citation(answer.citations[0])


def test_a_line_of_code_is_not_an_answer(tmp_path: Path, corpora: Path) -> None:
    """The cheatsheet's Early Stopping section holds a Python function whose signature and
    docstring name the question's words; the answer is the prose that says what it is."""
    # The session's store of the page (tests/test_ask_round12.py asks of it too)
    answer = shared_ask(tmp_path, [corpora / "ml-cheatsheet-rst" / "regularization.rst"],
                        "What is early stopping?")
    assert not answer.abstained
    assert "def " not in answer.answer and "(theta0" not in answer.answer, answer.answer
    assert all(c.span.path.endswith("regularization.rst") for c in answer.citations)


@pytest.fixture(scope="module")
def twins(tmp_path_factory: pytest.TempPathFactory,
          corpora: Path) -> Iterator[grimoire.Grimoire]:
    """Real entries that copy each other's sentences or mirror them: face verification and
    face recognition, a GAN and mode collapse, and two fairness notes whose examples give
    different figures."""
    db = tmp_path_factory.mktemp("ask-twins") / "notes.db"
    base = grimoire.open(db)
    terms = corpora / "ml-glossary-terms" / "terms"
    vault = corpora / "google-ml-glossary-vault"
    base.ingest([*(str(terms / f"{n}.md") for n in (
        "face-verification", "face-recognition", "generative-adversarial-network-gan",
        "mode-collapse")),
        str(vault / "equalized odds.md"), str(vault / "equality of opportunity.md")])
    yield base
    base.close()


@pytest.mark.parametrize(("question", "file"), [
    ("Is face verification harder or easier than face recognition?", "face-verification.md"),
    ("Is face recognition harder or easier than face verification?", "face-recognition.md"),
])
def test_two_files_say_the_same_the_one_named_first_is_cited(
        twins: grimoire.Grimoire, question: str, file: str) -> None:
    answer = twins.ask(question)
    assert not answer.abstained
    assert "only compares a single image to one person" in answer.answer, answer.answer
    assert Path(answer.citations[0].span.path).name == file, answer.citations
    assert all(verify_citation(c) for c in answer.citations)


def test_a_sentence_two_entries_copy_is_cited_from_the_entry_named(
        twins: grimoire.Grimoire) -> None:
    answer = twins.ask("When is a generative adversarial network successfully trained?")
    assert not answer.abstained
    names = {Path(c.span.path).name for c in answer.citations}
    assert names == {"generative-adversarial-network-gan.md"}, answer.citations
    # The answer is the list the sentence "A GAN is successfully trained when both of these
    # goals are achieved:" introduces, which the reader puts in a passage of its own.
    assert "fools the discriminator" in answer.answer, answer.answer


def test_different_concepts_with_different_figures_do_not_disagree(
        twins: grimoire.Grimoire) -> None:
    # Each note's worked example gives its own admission rates: not a disagreement, and no
    # answer runs past 40 words.
    answer = twins.ask(
        "In the equalized odds example, why are few Brobdingnagian students qualified?")
    assert not answer.abstained
    assert "disagree" not in answer.answer, answer.answer
    assert len(re.sub(r"\s*\[\d+\]", "", answer.answer).split()) <= 40, answer.answer


def test_two_sources_that_disagree_fit_in_forty_words(tmp_path: Path) -> None:
    long_a = ("The default beta2 of the Adam optimizer is 0.999 in most libraries, which "
              "keeps a long memory of squared gradients so that the step size stays smooth "
              "across many thousands of updates in practice.")
    long_b = ("For the Adam optimizer the default beta2 is 0.99 according to my course "
              "notes, a shorter memory of squared gradients that reacts faster when the "
              "gradient scale changes during training of deep networks.")
    answer = ask_notes(tmp_path, {"adam.md": f"# Adam\n\n{long_a}\n",
                                  "optimizers.md": f"# Optimizers\n\n## Adam\n\n{long_b}\n"},
                       "what is the default beta2 of the Adam optimizer?")
    assert "disagree" in answer.answer
    assert "0.999" in answer.answer and "0.99 " in answer.answer
    assert len(re.sub(r"\s*\[\d+\]", "", answer.answer).split()) <= 40, answer.answer
    assert len(answer.citations) == 2
    assert all(verify_citation(c) for c in answer.citations)


@pytest.mark.parametrize(("text", "points"), [
    ("Excellent overview below [6] and [10].", True),
    ("See the table below.", True),
    ("Here is an overview:", True),
    ("The following formula calculates the false negative rate:", False),
    ("If epsilon is 0.9, the policy follows a random policy 90% of the time.", False),
])
@pytest.mark.no_store
def test_a_sentence_that_only_points_elsewhere_is_no_answer(text: str, points: bool) -> None:
    from grimoire.ask.extractive import pointer

    assert pointer(text) is points


def test_the_mse_answer_does_not_open_with_a_pointer(cheatsheet: grimoire.Grimoire) -> None:
    answer = cheatsheet.ask("What is the formula for mean squared error?")
    assert "overview below" not in answer.answer.casefold(), answer.answer
    assert r"\frac{1}{m}" in answer.answer


@pytest.mark.no_store
def test_a_citation_starts_where_its_sentence_starts_after_a_broken_wikilink(
        corpora: Path) -> None:
    # The line before the sentence ends a wikilink broken over two lines; the reader joins
    # the link, so the sentence's guessed lines start one line early.
    path = corpora / "google-ml-glossary-vault" / "crash blossom.md"
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines, 1) if line.startswith("For example"))
    quote = " ".join(" ".join(lines[at - 1 : at + 2]).replace("<em>", "").replace(
        "</em>", "").split())
    assert quote.startswith("For example")
    span = locate(SourceLines(), Span(str(path), 1, len(lines)), at - 1, at + 1, quote)
    assert span is not None
    assert span.start_line == at, span
    assert verify_citation(Citation(1, span, quote))


def test_a_note_whose_name_is_not_utf8_answers(tmp_path: Path) -> None:
    # Stored as 'caf\xe9.md' (files.storable): the citation check opened that text as a path,
    # found no such file, and so no sentence of the note could be cited: ask abstained on a note
    # it answers from under a UTF-8 name.
    import os

    notes = tmp_path / "notes"
    notes.mkdir()
    text = ("# Warmup\n\nLearning rate warmup raises the learning rate linearly from zero over "
            "the first thousand steps, which keeps early Adam updates small.\n")
    (notes / os.fsdecode(b"warmup-caf\xe9.md")).write_text(text)
    with ingested(tmp_path / "kb.db", notes) as kb:
        answer = kb.ask("How is the learning rate raised during warmup?")
    assert not answer.abstained, answer.answer
    assert answer.citations and answer.citations[0].span.path.endswith("caf\\xe9.md")
    assert "first thousand steps" in answer.answer
    assert all(verify_citation(c) for c in answer.citations)
