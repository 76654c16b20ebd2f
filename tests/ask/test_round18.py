"""Ask on real notes, round 18 (bench/questions/README.md, "Findings, round 18"): a name the
notes write only as the start of an identifier ("XLNet" in `XLNetModel`) is not a name the
notes lack."""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire.ask import in_identifier
from tests.conftest import ask_notes, assert_quoted


def test_a_name_inside_an_identifier_is_held(tmp_path: Path, corpora: Path) -> None:
    # The transformers glossary says which token XLNet adds only as "[`XLNetModel`] use an
    # additional token". The word index holds "xlnetmodel", never "xlnet", so the question was
    # refused as one about a model the notes do not name (`unknown_names`).
    hf = corpora / "hf-docs"
    files = [hf / "transformers" / "glossary.md", hf / "transformers" / "perplexity.md"]
    answer = ask_notes(tmp_path, files, "Which token type id does XLNet add?")
    assert_quoted(answer, "use an additional token represented by a")
    # A name no identifier starts with is still one the notes lack.
    (tmp_path / "other").mkdir()
    other = ask_notes(tmp_path / "other", files, "Which token type id does GPTNeoX add?")
    assert other.abstained, other.answer


@pytest.mark.no_store
def test_in_identifier_reads_camel_case_and_digits_only() -> None:
    assert in_identifier("XLNet", "Some models, like [`XLNetModel`] use")
    assert in_identifier("GPT2", "load GPT2LMHeadModel first")
    assert not in_identifier("XLNet", "an XLNet model")  # the whole word: the index has it
    assert not in_identifier("XLNet", "theXLNetModel")  # not where a word starts
    assert not in_identifier("Kalman", "a KalmanFilter class")  # a plain capitalised word
    assert not in_identifier("Ad", "AdaGrad")  # too short to look for
