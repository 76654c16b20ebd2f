"""Ask on real notes, round 16 (bench/questions/README.md, "Findings, round 16"): everyday
questions that share a word or two with the notes are not answered from them."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ask_notes, assert_quoted


def test_a_plain_word_is_not_a_name_that_holds_it(tmp_path: Path, corpora: Path) -> None:
    # The cheatsheet lists "- Sloan Digital Sky Survey (SDSS) - Mapping the Universe" among
    # its datasets: "sky" there is part of a name the question does not use.
    sheet = corpora / "ml-cheatsheet-rst"
    files = [sheet / f for f in ("datasets.rst", "libraries.rst", "linear_regression.rst")]
    answer = ask_notes(tmp_path, files, "Why is the sky blue?")
    assert answer.abstained, answer.answer


def test_bones_are_not_the_method_bone(tmp_path: Path, corpora: Path) -> None:
    # PEFT's adapters page has a section "Bone" ("Bone was deprecated and removed in PEFT
    # ..."): a method's name, which the question's plural "bones" is not.
    peft = corpora / "hf-docs" / "peft"
    files = [peft / "adapters.md", peft / "methods-overview.md"]
    answer = ask_notes(tmp_path, files, "How many bones are in the human body?")
    assert answer.abstained, answer.answer
    # Asked by its name, the method still answers.
    (tmp_path / "named").mkdir()
    named = ask_notes(tmp_path / "named", files, "What replaced Bone in PEFT?")
    assert_quoted(named, "MiSS")


def test_a_prompt_example_is_no_answer(tmp_path: Path, corpora: Path) -> None:
    # The role prompting note lists example prompts ("Describe how tides work for a ten-year
    # old."): a request for an explanation, not one.
    files = sorted((corpora / "google-ml-glossary-vault").glob("*prompt*.md"))
    answer = ask_notes(tmp_path, files, "What causes tides in the ocean?")
    assert answer.abstained, answer.answer


def test_a_data_record_is_no_answer(tmp_path: Path, corpora: Path) -> None:
    # The reward trainer's page shows its dataset format ({"chosen": "The sky is blue.",
    # ...}) and GRPO's example assigns `completions = [" blue.", " in the sky."]`.
    trl = corpora / "hf-docs" / "trl"
    files = [trl / "reward_trainer.md", trl / "grpo_trainer.md", trl / "dpo_trainer.md"]
    answer = ask_notes(tmp_path, files, "Why is the sky blue?")
    assert "sky" not in answer.answer.casefold(), answer.answer
    # A dict in a sentence whose values are not strings is an argument to pass, not a record:
    # "you can do so by passing the model_init_kwargs={"dtype": torch.bfloat16} argument".
    (tmp_path / "kto").mkdir()
    kto = ask_notes(tmp_path / "kto", [trl / "kto_trainer.md"],
                    "Which argument of KTOConfig sets the dtype the model is loaded in?")
    assert_quoted(kto, "torch.bfloat16")


def test_an_acronym_typed_in_small_letters_is_its_name(tmp_path: Path, corpora: Path) -> None:
    # "gan" and "kto" are the question's way of typing GAN and KTO, not plain words inside the
    # names "Generative Adversarial Network (GAN)" and "Kahneman-Tversky Optimization (KTO)":
    # both were refused as if "sky" had been found in "Sloan Digital Sky Survey" (review16).
    sheet = corpora / "ml-cheatsheet-rst"
    files = [sheet / f for f in ("architectures.rst", "datasets.rst", "glossary.rst")]
    assert_quoted(ask_notes(tmp_path, files, "what is a gan?"), "(GAN)")
    (tmp_path / "kto").mkdir()
    trl = corpora / "hf-docs" / "trl"
    kto = ask_notes(tmp_path / "kto", [trl / "kto_trainer.md", trl / "dpo_trainer.md"],
                    "what is kto")
    assert_quoted(kto, "(KTO)")


def test_a_word_spelled_otherwise_is_heard(tmp_path: Path, corpora: Path) -> None:
    # "optimiser" (British) and "backpropogation" (a common misspelling) are in no note, but
    # the passages found hold them as the answer's own stem does ("optimizer",
    # "backpropagation"): the question is not made of words the notes never use (review16).
    vault = corpora / "google-ml-glossary-vault"
    files = [vault / f for f in ("optimizer.md", "AdaGrad.md", "gradient descent.md")]
    assert_quoted(ask_notes(tmp_path, files, "what is an optimiser?"), "gradient descent")
    (tmp_path / "terms").mkdir()
    terms = corpora / "ml-glossary-terms" / "terms"
    files = [terms / f for f in ("backpropagation.md", "gradient-descent.md")]
    answer = ask_notes(tmp_path / "terms", files, "how does backpropogation work?")
    assert not answer.abstained, answer.answer
    assert Path(answer.citations[0].span.path).name == "backpropagation.md", answer.answer


def test_a_sentence_that_starts_with_the_name(tmp_path: Path, corpora: Path) -> None:
    # "The Hadamard product refers to ...": "The" is capitalised for starting the sentence, so
    # "hadamard" typed in small letters is not a plain word inside a longer name (review16).
    terms = corpora / "ml-glossary-terms" / "terms"
    files = [terms / f for f in ("hadamard-product.md", "sobel-filter-convolution.md")]
    answer = ask_notes(tmp_path, files, "what is hadamard?")
    assert_quoted(answer, "Hadamard product")
    assert Path(answer.citations[0].span.path).name == "hadamard-product.md", answer.answer
