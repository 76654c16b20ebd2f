"""Round 49 (qa49b): what a new user met reading an Obsidian vault of notes on attacks on
machine learning and a Chinese course's notes in Markdown with English terms; each shape
rebuilt here in our own words. One store, built once for the module, no vectors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from grimoire.errors import NotFound
from tests.conftest import written_store

NOTES = {
    # A vault's page of symbols, in two parts, each under its own H1 (a table under each).
    "vault/Math Notation.md": (
        "\n# Basic Learning Setup\n\n| Symbol | Meaning |\n|---|---|\n| w | model weights |\n"
        "| b | bias term |\n\n# Attack Symbols\n\nSymbols used on the [[Crafted Input]] page:\n\n"
        "| Symbol | Meaning |\n|---|---|\n| r | added noise |\n"),
    "vault/Crafted Input.md": (
        "An input nudged on purpose so that a trained model gets it wrong, while a person "
        "sees no change. The letters are on [[Math Notation#Attack Symbols|the attack "
        "symbols page]].\n\n## Known defences\n\nRetraining on such inputs helps a little.\n"),
    # A link to a section of a note, its label naming that section, not the note.
    "vault/Provable Defence.md": (
        "Unlike [[Crafted Input#Known defences|the usual defences against crafted inputs]], "
        "a provable defence holds for every input within a set radius.\n"),
    # A Chinese course note names each optimiser in English, then in brackets written with
    # full-width brackets its long form or its Chinese name.
    "course/optimisers.md": (
        "# Optimisers for training a net\n\nThe methods below refine the plain update.\n\n"
        "#### 1. Adam\uff08Adaptive Moment Estimation\uff09\n\n"
        "It keeps running averages of the gradient and of its square, and steps by their "
        "ratio.\n\n"
        "#### 2. Adagrad\uff08\u81ea\u9002\u5e94\u68af\u5ea6\u7b97\u6cd5\uff09\n\n"
        "It divides the step of each weight by the root of the summed squares of its past "
        "gradients.\n"),
}


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from written_store(tmp_path_factory, "qa49b", NOTES)


def test_a_vault_note_of_two_topics_under_a_qualified_generic_name(kb: Any) -> None:
    """The vault's `Math Notation.md` holds two H1 parts, one per topic (a symbol table
    under each): the note was the concept "General Machine Learning" defined by a table of
    symbols, and `show "Math Notation"` found nothing. Its file names the note (as for a
    note of topics side by side); "Notation" alone is still no name (`is_generic_title`)."""
    with pytest.raises(NotFound):
        kb.concept("Basic Learning Setup")
    assert kb.concept("Math Notation").label == "Math Notation"


def test_full_width_brackets_after_an_english_name(kb: Any) -> None:
    """"Adam(Adaptive Moment Estimation)" written with CJK full-width brackets: `show Adam` said
    "no concept named 'Adam'" (nor Adagrad, RMSprop). Full-width brackets part a name from
    its long form as ASCII ones do; a name in another script in them is a translation, and
    the English name before it is found (it was the only name: "Adagrad" found nothing)."""
    assert kb.concept("Adam").label.startswith("Adam")
    assert kb.concept("Adagrad").label == kb.concept(
        "Adagrad\uff08\u81ea\u9002\u5e94\u68af\u5ea6\u7b97\u6cd5\uff09").label


def test_a_section_links_label_is_no_name_of_the_note(kb: Any) -> None:
    """`[[Evasion Attack#Known Evasion defenses|most defenses against evasion attacks]]`: the
    label names the section the link points into, yet `show "Evasion Attack"` listed it as
    a name of the note (so for "evasion attacks math notation", a link into a page of
    symbols). A label of a link to a section is no name of the page."""
    for label in ("the usual defences against crafted inputs", "the attack symbols page"):
        with pytest.raises(NotFound):
            kb.concept(label)
    assert kb.concept("Provable Defence").label == "Provable Defence"
