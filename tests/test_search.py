"""Search on real notes: names, acronyms, typos, descriptions, hostile input, re-embedding."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import grimoire
from grimoire.cli import main
from grimoire.names import normalize
from grimoire.readers.sections import PAGE_REASONS
from grimoire.search import MARK_CLOSE, MARK_OPEN, NO_PASSAGE, snippet
from grimoire.store.records import TABLES
from tests.conftest import (
    CORPORA,
    SEEDS,
    _need,
    copy_store,
    ingested,
    notes_store,
    reading,
    seed,
    shared_store,
    write_notes,
)

HOSTILE = ["multi-agent", "C++", "who's", '"', "AND", "NEAR(", "title:x", "'; DROP TABLE",
           "OR OR", "*", "a:b:c", "(", "NOT", "^x", "\x00", "   ", "-", "col:", "\"unclosed"]


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
       ) -> grimoire.Grimoire:
    _need(SEEDS)
    _need(CORPORA)
    # The seeds: a copy of the session's store of them (tests/test_ask.py starts from it too)
    db = copy_store(request, [str(SEEDS)], tmp_path_factory.mktemp("search") / "kb.db")
    kb = grimoire.open(db)
    kb.ingest([SEEDS, CORPORA / "ml-glossary-terms" / "terms" / "kullback-leibler-kl-divergence.md",
               CORPORA / "hf-docs" / "peft"])
    return kb


def names_of(kb: grimoire.Grimoire, hit: grimoire.model.Hit) -> set[str]:
    """Every name the hit's concept (or entry, or document) goes by."""
    names = {normalize(n) for n in (hit.concept, hit.title) if n}
    for label in (hit.concept, hit.title):
        names |= {normalize(m) for m in re.findall(r"\(([^)]*)\)", label or "")}
    if hit.entry_id is not None:
        for aliases in kb.store.entry_aliases([hit.entry_id]).values():
            names |= {normalize(a) for a in aliases}
    if hit.concept_id is not None:
        names |= {normalize(n.name) for n in kb.store.concept_names_of(int(hit.concept_id))}
    return names


def test_ingest_embeds_by_default(kb: grimoire.Grimoire) -> None:
    have, total = kb.store.vector_counts()
    assert have == total > 100


@pytest.mark.parametrize("mode", ["lexical", "hybrid"])
def test_a_name_puts_its_concept_first(kb: grimoire.Grimoire, mode: str) -> None:
    hits = kb.search("LoRA", mode=mode)
    assert "lora" in names_of(kb, hits[0])
    assert Path(hits[0].span.path).is_file() and hits[0].span.start_line > 0


@pytest.mark.parametrize("mode", ["lexical", "hybrid"])
def test_an_abbreviated_name_finds_kullback_leibler(kb: grimoire.Grimoire, mode: str) -> None:
    top = kb.search("kl div", mode=mode)[:2]
    found = set().union(*(names_of(kb, h) for h in top))
    assert found & {"kl divergence", "kullback leibler divergence",
                    "kullback leibler kl divergence"}, [h.concept or h.title for h in top]


def test_a_typo_still_finds_the_concept(kb: grimoire.Grimoire) -> None:
    assert "perplexity" in names_of(kb, kb.search("perplexty")[0])


@pytest.mark.parametrize("mode", ["semantic", "hybrid"])
def test_a_description_finds_lora(kb: grimoire.Grimoire, mode: str) -> None:
    hits = kb.search("fine-tune a big model by training two low-rank matrices", mode=mode, k=3)
    assert any("lora" in names_of(kb, h) for h in hits), [h.concept or h.title for h in hits]


def test_one_concept_does_not_fill_the_page(kb: grimoire.Grimoire) -> None:
    hits = kb.search("adapter fine-tuning methods", k=10)
    groups = [(h.entry_id,) if h.entry_id is not None else (h.span.path, h.title) for h in hits]
    assert len(groups) == len(set(groups)) == 10


def _prose_sentences(kb: grimoire.Grimoire, n: int) -> list[tuple[int, str]]:
    """(passage id, its first sentence) for `n` passages of page prose outside any entry (an
    entry that stands for a whole page, with no text of its own, defines nothing)."""
    out: list[tuple[int, str]] = []
    columns = TABLES["passages"]
    e_columns = TABLES["entries"]
    pages = {r[e_columns.index("id")] for r in kb.store.dump("entries")
             if json.loads(r[e_columns.index("data")]).get("reason") in PAGE_REASONS}
    rows = sorted((r[columns.index("id")], r[columns.index("text")])
                  for r in kb.store.dump("passages")  # the store's contract: PostgreSQL too
                  if r[columns.index("entry_id")] in (None, *pages)
                  and r[columns.index("kind")] == "text")
    for pid, text in rows:
        first = re.split(r"(?<=[.!?])\s+", text.strip())[0]
        if 12 <= len(first.split()) <= 40 and "`" not in first:
            out.append((pid, first))
        if len(out) == n:
            break
    return out


@pytest.mark.parametrize("mode", ["lexical", "hybrid"])
def test_an_exact_sentence_ranks_its_own_passage_first(kb: grimoire.Grimoire, mode: str) -> None:
    # Six: sections that define their heading are entries (round 2), so the fixture's pages
    # have fewer passages of free prose than before.
    sentences = _prose_sentences(kb, 6)
    assert len(sentences) == 6
    for pid, sentence in sentences:
        assert kb.search(sentence, mode=mode)[0].passage_id == pid, sentence


def test_a_near_exact_sentence_ranks_its_own_passage_first(kb: grimoire.Grimoire) -> None:
    for pid, sentence in _prose_sentences(kb, 6):
        words = sentence.split()
        # One word dropped and the words of one pair swapped: no longer a phrase match.
        near = [*words[:3], *words[4:]]
        near[-2], near[-1] = near[-1], near[-2]
        assert kb.search(" ".join(near))[0].passage_id == pid, sentence


def test_equal_scores_keep_one_order_however_the_store_was_built(tmp_path: Path) -> None:
    # Three copies of one page score the same for any query; their order must not follow row
    # ids, which differ between a store built at once and one built file by file.
    notes = tmp_path / "notes"
    notes.mkdir()
    page = "Some loose remarks.\n\nWarmup schedules raise the learning rate slowly at first.\n"
    for name in ("a.md", "b.md", "c.md"):
        (notes / name).write_text(page)
    at_once = grimoire.open(tmp_path / "once.db")
    at_once.ingest([notes], embed=False)
    by_file = grimoire.open(tmp_path / "by-file.db")
    for name in ("c.md", "b.md", "a.md"):
        by_file.ingest([notes / name], embed=False)

    def order(kb: grimoire.Grimoire) -> list[str]:
        hits = kb.searcher.search("warmup schedules", mode="lexical", k=2)
        return [Path(h.span.path).name for h in hits]

    def shown(kb: grimoire.Grimoire) -> list[list[str]]:
        # What the faces show: the copies folded into one hit (search.COPIES), in one order.
        hits = kb.search("warmup schedules", mode="lexical", k=2)
        return [[Path(s.path).name for s in (h.span, *h.copies)] for h in hits]

    assert order(at_once) == order(by_file) == ["a.md", "b.md"]
    assert shown(at_once) == shown(by_file) == [["a.md", "b.md", "c.md"]]


def test_a_passage_is_listed_once(tmp_path: Path) -> None:
    # An HTML page named by its <title> alone is a concept with no passage of its own (its
    # entry spans the title), shown by the page's first passage; that passage belongs to no
    # entry, so its words and its vector found it as a second group: one result listed twice,
    # with and without its concept (round 34, a saved demo page of a book on LLMs).
    notes = write_notes(tmp_path / "notes", {
        "gelu.html":
            "<html><head><title>Gelu Playground</title></head><body>\n"
            "<h1>Playing with the GELU activation</h1>\n"
            "<p>GELU weights each input by the chance that a standard normal variable falls below "
            "it, so small negative inputs leak through a little.</p>\n"
            "<p>Drag the slider to move the input and watch the output curve.</p>\n"
            "<h2>Outputs</h2>\n<p>Input 1.0 gives 0.84; input -1.0 gives -0.16.</p>\n"
            "</body></html>\n",
    })
    kb = grimoire.open(tmp_path / "kb.db")
    kb.ingest([notes])
    for query in ("gelu", "gelu playgrund", "an activation that weighs inputs by a normal cdf"):
        hits = kb.search(query, k=5)
        shown = [h.passage_id for h in hits]
        assert len(shown) == len(set(shown)), (query, [(h.passage_id, h.concept) for h in hits])
        assert hits[0].concept == "Gelu Playground", query


@pytest.mark.parametrize("query", HOSTILE)
@pytest.mark.parametrize("mode", ["lexical", "semantic", "hybrid"])
def test_hostile_queries_are_searched_literally(
    kb: grimoire.Grimoire, query: str, mode: str
) -> None:
    hits = kb.search(query, mode=mode)
    assert isinstance(hits, list)
    assert kb.store.integrity_check() == "ok"


def test_fts_syntax_words_are_plain_words(kb: grimoire.Grimoire) -> None:
    # "AND" is searched as the word "and", which many passages contain.
    assert kb.search("AND", mode="lexical")
    assert kb.search("multi-agent", mode="lexical")


def test_snippets_mark_the_matched_words(kb: grimoire.Grimoire) -> None:
    hit = kb.search("KL divergence", mode="lexical")[0]
    assert f"{MARK_OPEN}divergence{MARK_CLOSE}" in hit.snippet.casefold()
    text = "one two three matrix four five"
    assert snippet(text, {"matrices"}) == f"one two three {MARK_OPEN}matrix{MARK_CLOSE} four five"


@pytest.mark.no_store
def test_a_snippet_shows_the_most_distinct_query_words() -> None:
    # "model" four times later on must not hide the one sentence that holds "bootstrap".
    text = ("Bagging stands for bootstrap aggregation and trains learners. " + "filler " * 30
            + "a model, a model, a model and a model.")
    shown = snippet(text, {"bootstrap", "model", "trains"}, size=12)
    assert shown.startswith("Bagging stands for")
    assert f"{MARK_OPEN}bootstrap{MARK_CLOSE}" in shown


@pytest.mark.no_store
def test_a_snippet_holds_its_match_and_starts_a_sentence() -> None:
    # The window that first holds a lone match ends on it; stepping back two words for
    # context dropped the match itself. A sentence that begins a few words before the match
    # is shown from its start, and a match near the end still gets a full window.
    words = [f"w{i}" for i in range(40)]
    assert snippet(" ".join([*words, "target", "here"]), {"target"}, size=8) == \
        f"… w34 w35 w36 w37 w38 w39 {MARK_OPEN}target{MARK_CLOSE} here"
    text = ("Zero one two three four five six seven eight nine ten. A function that squishes "
            "an input value into a range, typically 0 to 1.")
    assert snippet(text, {"squishes"}, size=8) == \
        f"… A function that {MARK_OPEN}squishes{MARK_CLOSE} an input value into …"
    for size in range(3, 30):
        for word in words:
            assert f"{MARK_OPEN}{word}{MARK_CLOSE}" in snippet(" ".join(words), {word}, size)


def test_filters(kb: grimoire.Grimoire) -> None:
    md = kb.search("low-rank adaptation", format="markdown")
    assert md and all(h.format == "markdown" for h in md)
    peft = str(CORPORA / "hf-docs" / "peft")
    only = kb.search("prompt", source=peft, mode="hybrid")
    assert only and all(h.span.path.startswith(peft) for h in only)
    assert kb.search("LoRA", tag="no-such-tag") == []
    assert kb.search("LoRA", source="/nowhere") == []


def test_unknown_mode_is_a_clear_error(kb: grimoire.Grimoire) -> None:
    with pytest.raises(grimoire.GrimoireError, match="unknown search mode"):
        kb.search("x", mode="fuzzy")


def test_reingest_embeds_only_changed_passages(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    source = next(_need(SEEDS).glob("000_*.txt"))
    shutil.copy(source, notes / "glossary.txt")
    kb = grimoire.open(tmp_path / "kb.db")
    kb.ingest([notes], embed=False)
    assert kb.search("perplexity", mode="semantic") == []  # no vectors yet
    first = kb.embed()
    assert first.embedded > 20 and first.reused == 0
    assert kb.search("perplexity", mode="semantic")
    text = (notes / "glossary.txt").read_text()
    changed = text.replace("Perplexity\n\n", "Perplexity\n\nHow surprised a model is. ", 1)
    assert changed != text
    (notes / "glossary.txt").write_text(changed)
    kb.ingest([notes], embed=False)
    # The unchanged texts keep their vectors through the re-read itself (round 39): the
    # next embedding run has only the changed ones to do.
    have, total = kb.store.vector_counts()
    assert have >= first.embedded - 3 and total - have <= 3, (have, total)
    again = kb.embed()
    assert 1 <= again.embedded <= 3, again
    assert kb.embed().embedded == 0
    # The FTS index follows the passages in the same transaction, removal included.
    assert kb.search("surprised", mode="lexical")
    (notes / "glossary.txt").unlink()
    kb.ingest([notes], prune=True)  # the folder is now empty: removal needs --prune
    assert kb.search("perplexity", mode="lexical") == []
    assert kb.store.vector_counts() == (0, 0)
    kb.close()


def test_cli_search_json_and_embed(kb: grimoire.Grimoire, tmp_path: Path) -> None:
    runner = CliRunner()
    db = str(tmp_path / "cli.db")
    seed = str(next(SEEDS.glob("000_*.txt")))
    result = runner.invoke(main, ["--db", db, "ingest", "--no-embed", seed])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["--db", db, "embed", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["embedded"] > 0
    result = runner.invoke(main, ["--db", db, "search", "kl", "div", "--json", "-k", "3"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)
    assert 1 <= len(hits) <= 3
    assert {"concept", "snippet", "span", "score", "passage_id"} <= hits[0].keys()
    assert hits[0]["concept"] == "KL divergence"
    result = runner.invoke(main, ["--db", db, "search", "NEAR(", "--mode", "lexical"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["--db", db, "search", "perplexity", "--mode", "semantic"])
    assert result.exit_code == 0 and "Perplexity" in result.output


@pytest.fixture(scope="module")
def q_learning(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
               ) -> Iterator[grimoire.Grimoire]:
    """q-learning.md (a title and a related term, no text) among pages with text: the seeds
    (a copy of the session's store of them, embedded once) and three term pages."""
    terms = _need(CORPORA) / "ml-glossary-terms" / "terms"
    _need(SEEDS)
    db = copy_store(request, [str(SEEDS)], tmp_path_factory.mktemp("q-learning") / "kb.db")
    kb = grimoire.open(db)
    kb.ingest([terms / "q-learning.md", terms / "reinforcement-learning.md",
               terms / "gradient-descent.md", SEEDS])
    yield kb
    kb.close()


@pytest.mark.parametrize("query", ["Q-learning", "q learnng"])
def test_a_title_only_page_is_a_result(q_learning: grimoire.Grimoire, query: str) -> None:
    # q-learning.md has no passage, only an entry. It is still the concept a reader asks for,
    # in every mode, shown by its term.
    for mode in ("lexical", "semantic", "hybrid"):
        top = q_learning.search(query, mode=mode)[0]
        assert Path(top.span.path).name == "q-learning.md", (mode, top)
        assert top.text == top.snippet == "Q-learning" and top.span.start_line == 1


OPTIMIZERS = ("learning-rate.md", "adagrad.md", "adadelta.md", "adaptive-learning-rate.md",
              "learning-rate-decay.md", "stochastic-gradient-descent-sgd.md",
              "gradient-descent.md", "momentum-optimization.md", "adam-optimizer.md",
              "q-learning.md", "reinforcement-learning.md", "dropout.md", "overfitting.md",
              "backpropagation.md", "batch-normalization.md", "softmax.md")


@pytest.fixture(scope="module")
def optimizers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[grimoire.Grimoire]:
    terms = _need(CORPORA) / "ml-glossary-terms" / "terms"
    kb = grimoire.open(tmp_path_factory.mktemp("optimizers") / "kb.db")
    kb.ingest([terms / name for name in OPTIMIZERS])
    yield kb
    kb.close()


def concepts(hits: list[grimoire.model.Hit]) -> list[str]:
    return [h.concept or h.title for h in hits]


@pytest.mark.parametrize("query", [
    "the step size of gradient descent, which some optimizers adapt over the course of "
    "training instead of keeping it fixed",
    "how far each update moves the parameters, the knob that adaptive optimizers change "
    "while training runs",
])
def test_a_title_only_page_is_found_by_the_pages_that_link_to_it(
    optimizers: grimoire.Grimoire, query: str
) -> None:
    # learning-rate.md is a title and nothing else; a description of it never says its name,
    # and its vector is its name alone. AdaGrad, ADADELTA, adaptive learning rate and
    # learning rate decay link to it: their passages, found by the description, lift it.
    hits = concepts(optimizers.search(query, k=10))
    assert "Learning rate" in hits[:3], hits


def test_a_page_that_links_to_a_title_only_page_comes_before_it_for_itself(
    optimizers: grimoire.Grimoire,
) -> None:
    # AdaGrad's page links to the learning rate: its own description finds it first (in the
    # first three on PostgreSQL, whose bm25 puts gradient descent first), and the title-only
    # page it links to after it.
    query = ("an optimizer that adapts the step size of each parameter from the sum of its "
             "past squared gradients, suited to sparse features")
    hits = concepts(optimizers.search(query, k=10))
    assert "AdaGrad" in hits[:3], hits
    assert "Learning rate" not in hits or hits.index("Learning rate") > hits.index("AdaGrad")


@pytest.mark.parametrize("query", ["AdaGrad", "adadelta"])
def test_a_name_is_followed_by_pages_with_text_not_the_title_only_pages_it_links_to(
    optimizers: grimoire.Grimoire, query: str
) -> None:
    # AdaGrad's and ADADELTA's pages link to the title-only learning rate and SGD: lifted by
    # them, those two came second and third, showing only their titles, before the adaptive
    # optimizers described around the concept named.
    hits = optimizers.search(query, k=10)
    assert hits[0].concept is not None and normalize(hits[0].concept) == normalize(query)
    assert all(h.passage_id != NO_PASSAGE for h in hits[:3]), concepts(hits)


@pytest.mark.parametrize("query", ["frobnication", "the quantum knob turned slowly on a widget"])
def test_a_title_only_hit_is_shown_by_its_page_in_the_source_searched(
    tmp_path: Path, query: str
) -> None:
    # Two sources each hold a title-only page "Frobnication": one concept. Searched in the
    # second, by its name or by the page there that links to it, the hit showed the page of
    # the first source (the concept's first entry, whatever the filter).
    first, second = tmp_path / "a-first", tmp_path / "b-second"
    for folder in (first, second):
        folder.mkdir()
        (folder / "frob.md").write_text("---\ntitle: Frobnication\n---\n")
    (second / "tuning.md").write_text(
        "---\ntitle: Widget tuning\n---\nWidget tuning turns the quantum knob slowly, "
        "then applies [frobnication](frob.md) to the whole widget.\n")
    kb = grimoire.open(tmp_path / "kb.db")
    kb.ingest([first, second], embed=False)
    kb.resolve()
    hits = kb.search(query, k=5, mode="lexical", source=str(second))
    assert "Frobnication" in concepts(hits)
    assert all(Path(h.span.path).parent == second for h in hits), [h.span.path for h in hits]
    kb.close()


@pytest.mark.parametrize("query", ["RNN", "recurrent neural network"])
def test_a_concept_is_shown_by_its_definition_not_its_redirect(tmp_path: Path, query: str) -> None:
    # The vault's RNN.md only says it abbreviates recurrent neural network; its words match
    # best, but the hit for the concept shows the definition, in the definition's file.
    vault = _need(CORPORA) / "google-ml-glossary-vault"
    kb = grimoire.open(tmp_path / "kb.db")
    kb.ingest([vault / "RNN.md", vault / "recurrent neural network.md",
               vault / "Long Short-Term Memory (LSTM).md"], embed=False)
    top = kb.search(query, mode="lexical")[0]
    assert top.concept == "recurrent neural network"
    assert Path(top.span.path).name == "recurrent neural network.md", top
    assert "Abbreviation" not in top.text
    kb.close()


def test_a_mask_token_in_a_description_reads_as_a_blank(kb: grimoire.Grimoire) -> None:
    # Held-out sets hide names as `___` or as `[MASK]`; MiniLM reads `[MASK]` as its special
    # token. A sentence with either finds the same concepts; a short query keeps the token.
    described = "{} fine-tunes a big model by training two small low-rank matrices instead"
    blank = [h.concept or h.title for h in kb.search(described.format("___"), k=5)]
    for token in ("[MASK]", "<mask>", "[TERM]", "<term>", "{concept}", "[BLANK]", "***"):
        hidden = [h.concept or h.title for h in kb.search(described.format(token), k=5)]
        assert hidden == blank, token
    assert any("lora" in names_of(kb, h) for h in kb.search(described.format("[MASK]"), k=3))
    token = [h.passage_id for h in kb.search("[MASK] tokens", k=5, mode="semantic")]
    assert token != [h.passage_id for h in kb.search("___ tokens", k=5, mode="semantic")]


def test_a_description_ranks_the_concepts_it_names_lower(kb: grimoire.Grimoire) -> None:
    # "like LoRA" names a neighbour of what is described (LoHa): the named concept counts half,
    # so the unnamed low-rank variants come before it.
    query = ("a method like LoRA that multiplies two low-rank Hadamard products to build the "
             "weight update with fewer parameters")
    hits = kb.search(query, k=10)
    names = [names_of(kb, h) for h in hits]
    assert "loha" in names[0], [h.concept for h in hits]
    lora = next((i for i, n in enumerate(names) if "lora" in n), len(hits))
    lokr = next(i for i, n in enumerate(names) if "lokr" in n)
    assert lokr < lora, [h.concept for h in hits]


@pytest.fixture(scope="module")
def cheatsheet_pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[grimoire.Grimoire]:
    _need(CORPORA)
    kb = grimoire.open(tmp_path_factory.mktemp("subject") / "kb.db")
    cheatsheet = CORPORA / "ml-cheatsheet-rst"
    kb.ingest([cheatsheet / name for name in
               ("optimizers.rst", "loss_functions.rst", "gradient_descent.rst")])
    yield kb
    kb.close()


@pytest.mark.parametrize(("query", "name"), [
    ("Adadelta, an optimizer that keeps a decaying average of past squared gradients and "
     "updates, needs no learning rate", "adadelta"),
    ("Cross-entropy is the loss that measures how far the predicted probabilities are from "
     "the true labels in classification", "cross entropy"),
])
def test_a_description_that_opens_with_its_name_finds_it(
    cheatsheet_pages: grimoire.Grimoire, query: str, name: str
) -> None:
    # A description whose name was not hidden (a held-out set masks names as its source
    # spells them: "AdaDelta" slips through a mask of "ADADELTA") is about the concept it
    # opens with, not a neighbour it names: that concept keeps its whole score. It counted
    # half, and came after RMSProp, Adagrad, Adam and Momentum.
    hits = cheatsheet_pages.search(query, k=10)
    assert name in names_of(cheatsheet_pages, hits[0]), [h.concept for h in hits]


@pytest.mark.no_store
def test_what_a_description_opens_with_is_its_subject() -> None:
    from grimoire.search import _subjects

    assert "adadelta" in _subjects("Adadelta, an optimizer that keeps an average")
    assert "cross validation" in _subjects("Cross-validation refers to a group of techniques")
    assert {"generative adversarial network", "gan"} <= set(
        _subjects("A generative adversarial network (GAN) is a framework for training"))
    assert "feature" in _subjects("With respect to a dataset, a feature represents a value")
    assert "learning rate" in _subjects("The size of these steps is called the learning rate.")
    # A concept named inside a description stays a neighbour: it is not what it defines.
    assert "supervised learning" not in _subjects(
        "A supervised learning model made of conditions and leaves")
    assert "lora" not in _subjects("a method like LoRA that multiplies two low-rank products")
    assert _subjects("___ is a function that squashes its input") == []


@pytest.mark.no_store
def test_a_clause_opening_with_a_name_before_any_present_tense_verb_has_it_as_subject() -> None:
    from grimoire.search import _subjects

    # Not only a verb of definition ends a subject: any verb in -s does, after an adverb too.
    assert "cross entropy" in _subjects(
        "A loss for two distributions. Cross-entropy quantifies how far apart they are")
    assert "sgd" in _subjects("One example at a time. In other words, SGD trains on one example")
    assert "gradient descent" in _subjects(
        "A way to lower a loss. Gradient descent iteratively adjusts every weight")
    # A name ending in -ly is not an adverb; a name inside a clause is not its subject.
    assert "exponential family" in _subjects("The exponential family describes many laws")
    assert "exponential" not in _subjects("The exponential family describes many laws")
    assert "decision tree" not in _subjects(
        "many decision trees, each trained on a sample, vote together")


@pytest.fixture(scope="module")
def descent_pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[grimoire.Grimoire]:
    _need(CORPORA)
    kb = grimoire.open(tmp_path_factory.mktemp("present-verb") / "kb.db")
    terms = CORPORA / "ml-glossary-terms" / "terms"
    kb.ingest([terms / f"{name}.md" for name in (
        "gradient-descent", "minibatch-gradient-descent", "stochastic-gradient-descent-sgd",
        "1-bit-stochastic-gradient-descent-1-bit-sgd", "gradient", "learning-rate",
        "loss-function", "momentum-optimization", "adagrad", "adam-optimizer",
        "convex-optimization", "optimization", "stochastic-optimization", "cross-entropy-loss",
        "hinge-loss", "backpropagation")])
    yield kb
    kb.close()


def test_a_description_whose_second_sentence_opens_with_its_name_finds_it(
    descent_pages: grimoire.Grimoire,
) -> None:
    # The name was left in (a masking that knew other spellings) as the subject of the second
    # sentence, before a verb that is not one of definition ("adjusts", "moves", "trains"): it
    # read as a neighbour and counted half, and gradient descent was not in the top 5 (its
    # kinds, minibatch and stochastic gradient descent, first). descriptions2 `--hide source`
    # (bench/README.md, round 30): 5 queries up, none down.
    query = ("A way to lower a model's loss one small step at a time. Gradient descent "
             "repeatedly moves every weight a little against its gradient until the loss stops "
             "falling.")
    hits = descent_pages.search(query, k=5)
    assert "gradient descent" in names_of(descent_pages, hits[0]), [h.concept for h in hits]


@pytest.fixture(scope="module")
def recurrent_pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[grimoire.Grimoire]:
    _need(CORPORA)
    kb = grimoire.open(tmp_path_factory.mktemp("named-first") / "kb.db")
    terms = CORPORA / "ml-glossary-terms" / "terms"
    kb.ingest([terms / f"{name}.md" for name in (
        "long-short-term-memory-lstm", "recurrent-neural-network", "peephole-connection-lstm",
        "tree-lstm", "neural-network", "gradient-clipping", "exploding-gradient-problem",
        "bidirectional-lstm", "multilayer-lstm", "gradient")])
    yield kb
    kb.close()


def test_a_description_that_names_what_it_describes_finds_it(
    recurrent_pages: grimoire.Grimoire,
) -> None:
    # The name was left in (a masking that knew other spellings), and the clause does not open
    # with a verb of definition, so it read as a neighbour and counted half: LSTM came 4th,
    # after RNN, Tree-LSTM and Peephole connection. The vectors put it first, and still do
    # with every name of the query blanked: it is what the query describes.
    query = ("A long short-term memory (LSTM) network keeps a cell state behind gates, so that "
             "gradients last over long sequences.")
    hits = recurrent_pages.search(query, k=5)
    assert "lstm" in names_of(recurrent_pages, hits[0]), [h.concept for h in hits]


@pytest.fixture(scope="module")
def layer_pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[grimoire.Grimoire]:
    _need(CORPORA)
    kb = grimoire.open(tmp_path_factory.mktemp("plural") / "kb.db")
    vault = CORPORA / "google-ml-glossary-vault"
    kb.ingest([vault / f"{name}.md" for name in (
        "activation function", "convolutional filter", "convolutional layer",
        "convolutional neural network", "convolutional operation", "dense layer",
        "dropout regularization", "fully connected layer", "hidden layer", "input layer", "layer",
        "output layer", "recurrent neural network", "regularization", "neural network", "neuron",
        "pooling", "deep model", "sigmoid function", "ReLU")])
    yield kb
    kb.close()


@pytest.mark.parametrize(("pages", "query", "neighbour"), [
    ("recurrent_pages", "A variant of recurrent neural networks whose cells keep a memory through "
     "input, forget and output gates, so that it learns long-range dependencies.",
     "recurrent neural network"),
    ("layer_pages", "Each layer of these neural networks slides small filters over the image, so "
     "that the same weights look for a pattern everywhere.", "neural network"),
])
def test_a_name_in_the_plural_inside_a_description_is_a_neighbour(
    request: pytest.FixtureRequest, pages: str, query: str, neighbour: str
) -> None:
    # A name is looked up in the singular wherever it stands in a description, not only as
    # its last word: "recurrent neural networks" in mid-sentence named nothing, so the
    # neighbour kept its whole score and came second, after LSTM and before the convolutional
    # neural network described. It counts half now, as it would in the singular.
    kb: grimoire.Grimoire = request.getfixturevalue(pages)
    hits = kb.search(query, k=10)
    names = [names_of(kb, h) for h in hits]
    assert all(neighbour not in n for n in names[:3]), [h.concept for h in hits]


@pytest.mark.no_store
def test_a_subject_in_the_plural_is_a_subject() -> None:
    from grimoire.search import _subjects

    # Named in the plural, a description's subject takes a plural verb, or any verb when it
    # opens the description; so it is not demoted as a neighbour once plurals are names.
    assert "activation function" in _subjects(
        "Activation functions sit inside each layer and bend its weighted sums")
    assert "weight" in _subjects("In such a model, the weights consist of one number per input")
    assert "bag of word" in _subjects(
        "The term bag-of-words usually means a text seen only as the counts of its words")
    assert "exponential family" in _subjects(
        "The exponential family is a set of distributions of one common form")
    assert "recurrent neural network" not in _subjects(
        "A layer that feeds recurrent neural networks with embeddings")
    assert "neural network" not in _subjects(
        "Each layer of these neural networks slides small filters over the image")


@pytest.mark.parametrize("query", [
    "Unlike X, plain gradient descent uses one learning rate for every parameter; X adapts it "
    "from the squared gradients seen so far.",
    "In X, gradient descent takes each step on a single example chosen at random instead of "
    "the whole training set.",
    "Unlike X, mean squared error punishes large errors quadratically and is used for "
    "regression, not for predicted class probabilities.",
])
def test_an_x_that_hides_a_name_reads_as_a_blank(
    cheatsheet_pages: grimoire.Grimoire, query: str
) -> None:
    # A capital X standing for a hidden name ranks as the blank would. Read as a word, it
    # was no blank, so the names the description holds ("gradient descent", "mean squared
    # error") counted as its subject and kept their whole score.
    with_x = [h.concept for h in cheatsheet_pages.search(query, k=5)]
    blank = [h.concept for h in cheatsheet_pages.search(query.replace("X", "___"), k=5)]
    assert with_x == blank


@pytest.mark.no_store
def test_what_stands_for_a_name_and_what_belongs_to_one() -> None:
    from grimoire.search import _after_of, _blank_masks, _blank_phrases

    assert _blank_phrases("A Long Short-Term Memory (LSTM) net keeps state.",
                          ["long short term memory", "lstm"]) == "A ___ (___) net keeps state."
    assert _blank_phrases("we use gradient_descent here", ["gradient descent"]) == (
        "we use ___ here")
    assert _after_of("A type of autoencoder that adds noise to its inputs", "autoencoder")
    assert _after_of("the step size of gradient descent, which optimizers adapt",
                     "gradient descent")
    assert not _after_of("An autoencoder that adds noise to its inputs", "autoencoder")
    assert _blank_masks("X is a function that squashes its input into a range") == (
        "___ is a function that squashes its input into a range")
    # X as a variable, inside a name, in a formula, in a question, or in a short query stays.
    for kept in ["a function that maps X to Y with learned weights and biases",
                 "the Tesla Model X range and battery life in cold weather",
                 r"\frac{X}{\sqrt{d}} scales the scores of attention before softmax",
                 "what is X used for in transformers?", "X factor"]:
        assert _blank_masks(kept) == kept


def test_a_formula_query_finds_its_concept(kb: grimoire.Grimoire) -> None:
    # A formula in LaTeX is routed like a description with a larger share for the vectors:
    # bm25 matches its commands (`frac`, `log`), which every formula of the notes shares.
    from grimoire.search import _formula

    query = r"\sum_{x} p(x) \log \frac{p(x)}{q(x)}"
    assert _formula(query)
    assert not _formula("the cost of a model, in words: sum over x of p log p over q")
    assert not _formula(r"what does \alpha scale in LoRA?")
    hits = kb.search(query, k=3)
    assert any("kl divergence" in names_of(kb, h) for h in hits), [h.concept for h in hits]


@pytest.mark.no_store
def test_what_a_formula_defines_is_its_subject() -> None:
    from grimoire.search import _subjects

    # The left-hand side of a formula names what it defines: in a text command, or as the
    # letters outside commands, arguments and subscripts.
    assert _subjects(r"\text{Precision} = \frac{\text{TP}}{\text{TP} + \text{FP}}") == [
        "precision"]
    assert _subjects(r"\operatorname{softmax}(x)_i = \frac{\exp(x_i)}{\sum_j \exp(x_j)}") == [
        "softmax"]
    assert _subjects(r"MSE = \frac{1}{n} \sum_{i} (y_i - \hat{y}_i)^2") == ["mse"]
    # The names on its right-hand side are what it is made of, and a formula without a
    # left-hand side names nothing.
    assert "true positive" not in _subjects(
        r"\text{Precision} = \frac{\text{true positives}}{\text{true positives} + 1}")
    assert _subjects(r"\sum_{x} p(x) \log \frac{p(x)}{q(x)}") == []
    assert _subjects(r"\sigma_i = \frac{e^{z_i}}{\sum_j e^{z_j}}") == []


@pytest.fixture(scope="module")
def metric_pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[grimoire.Grimoire]:
    _need(CORPORA)
    kb = grimoire.open(tmp_path_factory.mktemp("formula-subject") / "kb.db")
    cheatsheet = CORPORA / "ml-cheatsheet-rst"
    kb.ingest([cheatsheet / "glossary.rst", cheatsheet / "activation_functions.rst"])
    kb.search("warm up")
    kb.searcher.load_names()
    assert kb.searcher.names_loaded(60)
    yield kb
    kb.close()


@pytest.mark.parametrize(("query", "name"), [
    (r"\text{Precision} = \frac{\text{TP}}{\text{TP} + \text{FP}}", "precision"),
    (r"\mathrm{ReLU}(x) = \max(0, x)", "relu"),
])
def test_a_formula_finds_the_concept_it_defines(
    metric_pages: grimoire.Grimoire, query: str, name: str
) -> None:
    # The name a formula defines is no neighbour of it: it counted half, as a name inside a
    # description does, and Precision came 7th (after false positive rate, true positive
    # rate, accuracy, ...), ReLU 3rd after LeakyReLU and ELU.
    hits = metric_pages.search(query, k=5)
    assert name in names_of(metric_pages, hits[0]), [h.concept for h in hits]


@pytest.mark.parametrize("query", ["DPO", "KTO"])
def test_a_page_is_not_shown_by_a_passage_without_text(tmp_path: Path, query: str) -> None:
    # TRL's trainer pages open with a row of badges under the title: a passage with no text,
    # which matched the title's words and was the page's hit, shown empty.
    kb = grimoire.open(tmp_path / "kb.db")
    kb.ingest([_need(CORPORA) / "hf-docs" / "trl"], embed=False)
    hits = kb.search(query, mode="lexical")
    assert hits[0].title == f"{query} Trainer"
    assert all(h.text.strip() for h in hits)
    kb.close()


@pytest.mark.parametrize("query", ["LLaMa Guard", "Local Outlier Factor"])
def test_an_empty_entry_is_not_shown_by_the_entry_above_it(tmp_path: Path, query: str) -> None:
    # The large glossary's page has empty entries (a term line, "See also", nothing else): the
    # hit for one was shown by the nearest passage before it, the definition of the entry
    # above, under the empty entry's name and with that entry's line.
    page = seed("003")
    kb = grimoire.open(tmp_path / "kb.db")
    kb.ingest([page], embed=False)
    top = kb.search(query, mode="lexical")[0]
    assert top.concept is not None and top.concept.startswith(query)
    line = page.read_text(encoding="utf-8").splitlines()[top.span.start_line - 1]
    assert line.startswith(query), (top.span, line)
    assert top.text == top.snippet == top.concept
    kb.close()


def test_a_name_with_a_possessive_keeps_its_kind_word(tmp_path: Path) -> None:
    # The cheatsheet's optimizers page has a section "Newton's Method": the kind word was cut
    # off as for "Gradient Descent Algorithm", and the hit was labelled "Newton's".
    page = _need(CORPORA) / "ml-cheatsheet-rst" / "optimizers.rst"
    heading = next(line.strip() for line in page.read_text(encoding="utf-8").splitlines()
                   if line.startswith("Newton"))
    kb = grimoire.open(tmp_path / "kb.db")
    kb.ingest([page], embed=False)
    top = kb.search(heading, mode="lexical")[0]
    assert top.concept == heading, top
    kb.close()


@pytest.fixture(scope="module")
def softmax_pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[grimoire.Grimoire]:
    """Four vault notes (the session's store of them: each query below reads it, none writes)."""
    vault = _need(CORPORA) / "google-ml-glossary-vault"
    yield from notes_store(tmp_path_factory, "softmax", [
        vault / "softmax.md", vault / "full softmax.md", vault / "logits.md",
        vault / "sigmoid function.md"])


@pytest.mark.parametrize("query", ["softmax", "Softmax", "sofmax"])
def test_a_name_shows_the_definition_of_its_concept(softmax_pages: grimoire.Grimoire,
                                                     query: str) -> None:
    # The vault's softmax note works an example below its definition: the example's input
    # vector is a short code block, embedded with its note's name, so it earned the most and
    # the concept was shown by "[1.2, 2.5, 1.8]". A query that is the name (or a typo of it)
    # shows what the note says the thing is.
    kb = softmax_pages
    for mode in ("lexical", "semantic", "hybrid"):
        top = kb.search(query, mode=mode)[0]
        assert Path(top.span.path).name == "softmax.md", (mode, top)
        if mode != "semantic":  # a name match decides what is shown; vectors alone do not
            assert top.text.startswith("A function that determines probabilities"), (mode, top)


@pytest.fixture(scope="module")
def long_pages() -> Iterator[grimoire.Grimoire]:
    """Distill's articles: long pages of prose, most of it outside any entry."""
    yield from _collection("distill-articles")


def _collection(collection: str) -> Iterator[grimoire.Grimoire]:
    """The session's store of one collection of ../shared/corpora (the folder, as the ask tests
    of the whole collection read it), vectors and all: these tests search it lexically only."""
    with reading(shared_store([str(_need(CORPORA) / collection)])) as kb:
        yield kb


def _sentences_anywhere(kb: grimoire.Grimoire, n: int) -> list[tuple[int, str]]:
    """(passage id, sentence) for `n` sentences of 6 to 40 words drawn from anywhere in the
    passages (not only their first), each found in one passage only.

    Drawn by a hash of the sentence, so that a file added or dropped elsewhere (the corpus's
    SOURCE.txt, no longer a note since round 18) does not redraw the whole sample.
    """

    columns = TABLES["passages"]
    texts = {r[columns.index("id")]: r[columns.index("text")] for r in kb.store.dump("passages")}
    found = [(pid, s) for pid, text in sorted(texts.items())
             for s in re.split(r"(?<=[.!?])\s+", text.strip()) if 6 <= len(s.split()) <= 40]
    once = [(pid, s) for pid, s in found if sum(s in t for t in texts.values()) == 1]
    return sorted(once, key=lambda x: hashlib.sha1(x[1].encode()).hexdigest())[:n]


def test_any_sentence_of_a_long_page_ranks_its_own_passage_first(
    long_pages: grimoire.Grimoire,
) -> None:
    # A short sentence deep in a long passage ranked below every short note sharing its words
    # (bm25 favours short passages): "These models have an encoder and a decoder." was not in
    # the first ten. Typed whole, or with one word left out, its passage comes first.
    missed = []
    for pid, sentence in _sentences_anywhere(long_pages, 120):
        words = sentence.split()
        for query in (sentence, " ".join(words[:2] + words[3:])):
            hits = long_pages.search(query, mode="lexical")
            if not hits or hits[0].passage_id != pid:
                missed.append(query)
    # Over all 1,919 such sentences of the distill articles, 32 of the 3,838 queries miss, the
    # same on main before round 18 (short, common-word sentences such as "What should we do
    # with it?"); the sample drawn holds 1 of them. More than 1 in 100 is a regression.
    assert len(missed) <= 240 // 100, missed


def test_a_typed_sentence_finds_its_note_before_a_sibling_that_says_nearly_the_same(
    tmp_path: Path,
) -> None:
    notes = write_notes(tmp_path / "notes", {
        "wide model.md":
                "# Wide model\n\nA wide model has many inputs and more than one hidden layer, but"
                " not so deep.\n",
    })
    filler = " ".join(f"Step {i} of the recipe adjusts the schedule again." for i in range(8))
    (notes / "training notes.md").write_text(  # one passage: under the passage size
        f"# Training notes\n\n{filler} A deep model has many inputs and more than one hidden"
        f" layer. {filler}\n", encoding="utf-8")
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        for changed, expected in (("deep", "training notes.md"), ("wide", "wide model.md")):
            query = f"A {changed} model has many inputs and more than one hidden layer."
            hits = kb.search(query, mode="lexical")
            assert Path(hits[0].span.path).name == expected, query


@pytest.fixture(scope="module")
def hf_docs() -> Iterator[grimoire.Grimoire]:
    """The Hugging Face docs: long user guides whose sentences hold markdown links."""
    yield from _collection("hf-docs")


def _linked_sentences(root: Path) -> list[tuple[Path, int, str]]:
    """(file, line, sentence as written) for each prose line whose first sentence holds a
    markdown link and says it once in the collection, drawn by a hash of the sentence."""
    found: list[tuple[Path, int, str]] = []
    seen: dict[str, int] = {}
    for path in sorted(root.rglob("*.md")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            first = re.split(r"(?<=[.!?])\s+(?=[A-Z])", line.strip())[0]
            if line.startswith(("!", "|", "#", ">", "-", "*")) or "](http" not in first:
                continue
            if len(first.split()) >= 8:
                seen[first] = seen.get(first, 0) + 1
                found.append((path, number, first))
    once = [f for f in found if seen[f[2]] == 1]
    return sorted(once, key=lambda f: hashlib.sha1(f[2].encode()).hexdigest())[:30]


def test_a_sentence_pasted_from_a_notes_markdown_source_finds_its_line(
    hf_docs: grimoire.Grimoire,
) -> None:
    # "The official code can be found in [ContextualAI/HALOs](https://github.com/...)." as
    # copied from a note's source: the link's target is in no passage (the reader keeps the
    # link's text), so its words ("https", "github", "com") sank the sentence's own passage
    # below pages sharing its common words: 15 of these 30 missed in lexical mode.
    sentences = _linked_sentences(CORPORA / "hf-docs")
    assert len(sentences) == 30
    missed = []
    for path, number, sentence in sentences:
        hits = hf_docs.search(sentence, mode="lexical")
        span = hits[0].span if hits else None
        if span is None or Path(span.path) != path \
                or not span.start_line <= number <= span.end_line:
            missed.append((path.name, number, span))
    assert len(missed) <= 1, missed


@pytest.fixture(scope="module")
def cheatsheet() -> Iterator[grimoire.Grimoire]:
    """The ML cheatsheet: short rst pages, a few of them an algorithm family's overview."""
    yield from _collection("ml-cheatsheet-rst")


def test_the_vectors_first_is_not_passed_by_a_page_holding_one_word_of_a_description(
    cheatsheet: grimoire.Grimoire,
) -> None:
    # own_words16 and 17 (written before the search code was read): the vectors put
    # hierarchical clustering first, but a page whose passages hold one word of the
    # description ("grouping") outscored it on bm25 alone, and it came 2nd and 3rd
    # (`WEAK_WORDS`).
    for query in ("grouping points by repeatedly merging the two closest groups into one, "
                  "building a tree of nested groups that can be cut at any depth",
                  "bottom-up grouping that starts with every point as its own group and keeps "
                  "merging the closest two, producing a tree you can cut at any level"):
        first = cheatsheet.search(query, k=1, mode="semantic")[0]
        assert "hierarchical" in names_of(cheatsheet, first)
        hits = cheatsheet.search(query, k=5)
        assert "hierarchical" in names_of(cheatsheet, hits[0]), [h.concept for h in hits]


def test_a_concept_an_entry_vector_finds_is_not_crowded_out_by_a_page_s_passages(
    cheatsheet: grimoire.Grimoire,
) -> None:
    # own_words20 (written before the search code was read): the Layers page's entry for the
    # fully connected layer and the Applications page's for question answering are the nearest
    # entry vectors, but in the vectors' one list a section of the Forwardpropagation page
    # ("Weighted input") and the Libraries page came first, and hybrid kept them first; the
    # entries' own list puts the described concept first (`ENTRY_VOTE`).
    for query, name in (
            ("___: a layer where every input unit is wired to every output unit, computing"
             " W·x + b", "fully connected"),
            ("___: the NLP task of returning a short span of a passage, or a generated reply,"
             " that responds to a natural-language query about it", "question answering")):
        hits = cheatsheet.search(query, k=5)
        assert any(name in n for n in names_of(cheatsheet, hits[0])), concepts(hits)


@pytest.fixture(scope="module")
def stubs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[grimoire.Grimoire]:
    """A quarter of the terms glossary, about half of whose pages hold only their title, and
    the pages around Hamming distance and the Hessian matrix."""
    terms = _need(CORPORA / "ml-glossary-terms" / "terms")
    near = [terms / f"{name}.md" for name in (
        "hamming-distance", "hessian-matrix", "same-convolution", "semantic-hashing",
        "second-order-information", "laplacian-matrix", "jacobian-matrix", "distance-metric")]
    files = list(dict.fromkeys([*sorted(terms.glob("*.md"))[::4], *near]))
    with grimoire.open(tmp_path_factory.mktemp("stubs") / "kb.db") as kb:
        kb.ingest([str(f) for f in files])
        yield kb


def test_a_title_only_page_the_vectors_find_is_not_passed_by_bm25(
    stubs: grimoire.Grimoire,
) -> None:
    # Hamming distance's page holds its title alone: bm25 cannot see it, and Semantic hashing,
    # whose text says "Hamming" and "strings", came first while bm25 had its full share.
    hits = stubs.search("counting the places where two equally long strings have different"
                        " symbols", k=5)
    assert hits[0].concept == "Hamming distance"
    assert hits[0].passage_id == NO_PASSAGE


@pytest.fixture(scope="module")
def co_adaptation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[grimoire.Grimoire]:
    """Dropout and the pages around it; regularization.md and model-averaging.md are title-only
    pages that dropout.md links to."""
    terms = _need(CORPORA / "ml-glossary-terms" / "terms")
    names = ("co-adaptation", "dropout", "regularization", "inverted-dropout", "model-averaging",
             "batch-normalization", "overfitting", "early-stopping")
    with grimoire.open(tmp_path_factory.mktemp("co-adaptation") / "kb.db") as kb:
        kb.ingest([str(terms / f"{name}.md") for name in names])
        yield kb


def test_a_title_only_page_is_not_lifted_above_a_named_neighbour_that_links_to_it(
    co_adaptation: grimoire.Grimoire,
) -> None:
    # The description names dropout, a neighbour: its page counts half. It links to the
    # title-only regularization page, whose lift came from what dropout earned before it was
    # halved, so the page with nothing of its own ranked first, above every page linking to it
    # (co-adaptation's, which the description is about, was second). A lifted page stays below
    # the best page linking to it as that page finally scores.
    query = ("units in a hidden layer that only work in concert, each useless alone; randomly "
             "switching units off with dropout stops this")
    hits = co_adaptation.search(query, k=8)
    top = concepts(hits)
    assert hits[0].passage_id != NO_PASSAGE, top
    linking = [h.score for h in hits if h.concept in ("Co-adaptation", "Dropout",
                                                      "Inverted dropout")]
    for stub in (h for h in hits if h.passage_id == NO_PASSAGE):
        assert stub.score < max(linking), (stub.concept, top)


@pytest.fixture(scope="module")
def glossary_and_two_notes(tmp_path_factory: pytest.TempPathFactory
                           ) -> Iterator[grimoire.Grimoire]:
    """250 term pages of a glossary (most of them a title only, so the vectors' candidates are
    mostly names) and two notes of ours that each say "sigmoid" once, in passing."""
    terms = _need(CORPORA / "ml-glossary-terms" / "terms")
    root = tmp_path_factory.mktemp("one-word")
    (root / "loading.md").write_text(
        "# Data loading checklist\n\n"
        "Before a run, check that every CSV file has the same columns, that dates are parsed in "
        "one time zone, that missing values are marked the same way in each file, that the "
        "shards are shuffled before they are split, and that the loader streams files larger "
        "than memory instead of reading them whole. Scale the numeric columns to the range the "
        "sigmoid output layer expects, and keep the label column out of the scaler.\n")
    (root / "exam.md").write_text(
        "# Exam week\n\n"
        "The written exam is on Thursday morning in the large hall; bring a pen, a calculator "
        "without memory and your student card. Last year one question asked for the derivative "
        "of the sigmoid, another for the cost of a hash table lookup, and most of the rest were "
        "about sorting algorithms and graph search.\n")
    pages = sorted(terms.glob("*.md"))[:250]
    with grimoire.open(root / "kb.db") as kb:
        kb.ingest([str(p) for p in pages] + [str(root / "loading.md"), str(root / "exam.md")])
        yield kb


def test_a_one_word_query_ranks_the_notes_that_hold_the_word_first(
    glossary_and_two_notes: grimoire.Grimoire,
) -> None:
    # "sigmoid" is no concept here. The vectors put the short names nearest to one word first
    # (a page section headed "Neural networks", "Polysemy", "R-CNN": none says it), above the
    # two notes that say it in passing; lexical search had them right.
    hits = glossary_and_two_notes.search("sigmoid", k=5)
    assert {h.title for h in hits[:2]} == {"Data loading checklist", "Exam week"}, concepts(hits)
    assert all("sigmoid" in h.text for h in hits[:2])
    # A word that names a concept still puts that concept first, above notes that use it.
    assert glossary_and_two_notes.search("dropout", k=3)[0].concept == "Dropout"


def test_a_description_s_bm25_weighs_a_page_s_name_as_its_text(tmp_path: Path) -> None:
    # A description hides the name of what it describes: its words found in a page's name are
    # a neighbour's name ("a test at an internal node of a tree ..." and the page "Tree
    # height"), and bm25's tenfold name weight put that page above the one whose text says
    # what the description says. For a description, every column weighs alike.
    from grimoire.search import DESCRIPTIVE, NAME_LIKE, _text_query, _words

    notes = write_notes(tmp_path / "notes", {
        "tree-height.md":
            "# Tree height\n\nThe number of edges on the longest path from the root to a leaf.\n",
        "oblique-split.md":
            "# Oblique split\n\nA split that tests a weighted sum of two or more inputs, such as"
            " height plus width, instead of one input alone.\n",
    })
    kb = grimoire.open(tmp_path / "kb.db")
    try:
        kb.ingest([notes], embed=False)
        query = _text_query(_words("a test at an internal node of a tree that looks at the height"
                                   " and width of an input together"))

        def first(columns: tuple[float, float, float, float]) -> str:
            with kb.store.reading():
                best = kb.store.fts_passages(query, 5, None, columns)[0]
                return kb.store.passage_rows([best.id])[best.id].term or ""

        assert first(DESCRIPTIVE.passage_columns) == "Oblique split"
        # A name typed (a short query) still weighs a page's name tenfold.
        assert first(NAME_LIKE.passage_columns) == "Tree height"
    finally:
        kb.close()
