"""Words that are no question: `ask` answers them only from a passage that holds them all.

Round 35 (qa35): `grimoire ask "'; DROP TABLE notes; --"` was answered from a note on a table
generator, a sentence that holds "table" and not "drop" (half the question's weight, and the
meaning of "notes" beside its "Note:" lifted it over the threshold). A text with no question
mark that opens with no word a question or a request opens with is words to search by, not a
question: no sentence answers the ones its passage does not hold. A question ("what does
DROP TABLE do?") is judged as before.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from grimoire.ask.extractive import content_words, stem

if TYPE_CHECKING:
    from grimoire.ask import Evidence

# A question mark anywhere, or an opening word of a question or a request.
_ASKS = re.compile(
    r"\?|^\W*(?:what|how|why|who|whom|whose|which|when|where|is|are|was|were|do|does|did"
    r"|can|could|should|would|will|shall|may|might|must|has|have|had|explain|describe"
    r"|define|list|name|give|tell|show|compare|summari[sz]e|find|in\s+what|according)\b",
    re.IGNORECASE)
# Round 53: "Expand the acronym LSTM." was refused (the vault's "Abbreviation for Long
# Short-Term Memory." holds no "expand"): a request opens with these verbs too
# (`MORE_REQUESTS`; False: off).
MORE_REQUESTS = True
_REQUESTS = re.compile(
    r"^\W*(?:expand|spell\s+out|clarify|outline|state|identify|illustrate|elaborate|discuss"
    r"|contrast|distinguish|interpret|write\s+out)\b", re.IGNORECASE)
_WORD = re.compile(r"\w+")


def unasked(question: str, evidence: Evidence) -> bool:
    """True when `question` is no question (`_ASKS`) and the passage of the best sentence,
    with its concept, title and headings, lacks one of its content words."""
    if _ASKS.search(question) or not evidence.sentences:
        return False
    if MORE_REQUESTS and _REQUESTS.search(question):
        return False
    want = {stem(w) for w in content_words(question)}
    c = evidence.sentences[0].candidate
    have = {stem(w) for w in _WORD.findall(
        " ".join([c.text, c.concept or "", c.title, *c.heading_path]))}
    return not want <= have
