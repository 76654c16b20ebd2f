"""Checks of the Python API's arguments, at its edge.

A wrong type passed to `kb.search(None)` otherwise fails deep inside (AttributeError on
`.strip` in the search, on `.isascii` in name lookup), naming our code instead of the caller's
mistake. These raise TypeError or ValueError naming the argument, as the standard library does.
"""

from __future__ import annotations

import os
from typing import Any

from grimoire.errors import GrimoireError
from grimoire.files import storable

# A query or question longer than this is a pasted file, not a question: its cost grows with
# its length (a 5 MB question held the web server for 22 s), and no passage is that long to
# be found by: the longest passage of ../shared/corpora has 2,175 characters.
MAX_QUERY_CHARS = 20_000


def text(value: object, what: str) -> str:
    """`value`, which must be a str."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    return value


def optional_text(value: object, what: str) -> str | None:
    """`value`, which must be a str or None."""
    return None if value is None else text(value, what)


def count(value: object, what: str, minimum: int) -> int:
    """`value`, which must be an int (not a bool) of at least `minimum`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{what} must be at least {minimum}, not {value}")
    return value


def paths(value: Any) -> list[str | os.PathLike[str]]:
    """One path or a list of them, as a list; bytes, None and other types are refused."""
    if isinstance(value, str | os.PathLike):  # not a Sequence of one-letter paths
        return [value]
    if isinstance(value, bytes | bytearray) or not isinstance(value, list | tuple):
        raise TypeError(f"paths must be a str, a path or a list of them, not "
                        f"{type(value).__name__}")
    for item in value:
        if not isinstance(item, str | os.PathLike):
            raise TypeError(f"each path must be a str or a path, not {type(item).__name__}")
    return list(value)


def query(value: object, what: str) -> str:
    """`value`, a str of at most `MAX_QUERY_CHARS` characters (a GrimoireError past it, which
    every face shows as one line: the CLI, the web API's 400, an MCP tool error), each lone
    surrogate as U+FFFD: an answer repeats its question, and JSON (`{"question": "\\ud800"}`
    posted to the web API) decodes to one that no UTF-8 encoder takes (a 500 on the reply)."""
    text_value = text(value, what)
    if len(text_value) > MAX_QUERY_CHARS:
        raise GrimoireError(f"the {what} has {len(text_value):,} characters, over the "
                            f"{MAX_QUERY_CHARS:,} a {what} may have")
    return scalars(text_value)


def scalars(value: str) -> str:
    """`value` with each lone surrogate as U+FFFD (a pair is joined into its character)."""
    if value.isascii():
        return value
    return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")



# A command line hands a byte that is not UTF-8 over as a lone surrogate, which no database
# driver encodes (UnicodeEncodeError from inside the store). A NUL is dropped as PostgreSQL
# drops it from every value it stores: `source="\\0"` matched every file there, none on SQLite.


def source_filter(value: object) -> str | None:
    """A search's `source`: a path as ingest stored it (`\\xNN` for a byte that is not UTF-8).

    Longer than `MAX_QUERY_CHARS` bytes it is refused (no path is that long): SQLite takes a
    LIKE pattern of at most 50,000 bytes, and a 1 MB `--source` ended the CLI in a traceback
    ("LIKE or GLOB pattern too complex")."""
    given = optional_text(value, "source")
    if given is None:
        return None
    stored = storable(given.replace("\x00", ""))
    if (size := len(stored.encode("utf-8"))) > MAX_QUERY_CHARS:
        raise GrimoireError(f"the source has {size:,} bytes, over the {MAX_QUERY_CHARS:,} a "
                            "source (a path as ingested) may have")
    return stored


def value_filter(value: object, what: str) -> str | None:
    """A search's `format` or `tag`: a lone surrogate becomes U+FFFD, as in a note's text."""
    given = optional_text(value, what)
    if given is None:
        return None
    return scalars(given.replace("\x00", ""))
