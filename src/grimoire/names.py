"""Normalised names: the key on which lookups and merges are made.

`normalize` folds what does not change a name's meaning: case, accents, hyphens and
punctuation, and a plural `s` on the last word (`MOE` = `MoE`, `L1-regularization` =
`l1 regularization`, `Transformers` = `transformer`).
"""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^\w]+")


def normalize(name: str) -> str:
    """The lookup key of a name."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace("_", " ")
    words = _NON_WORD.sub(" ", text).split()
    if words:
        words[-1] = _singular(words[-1])
    return " ".join(words)


def _singular(word: str) -> str:
    # Only the safe plural: "losses" and "ss"/"us"/"is" endings stay as they are.
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        if word.endswith("ies") and len(word) > 4:
            return word[:-3] + "y"
        return word[:-1]
    return word
