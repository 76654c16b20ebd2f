"""Errors Grimoire raises.

    GrimoireError            anything Grimoire reports to a user: message, path, line
    ├── ReadError            a file could not be read (encoding, size, malformed)
    ├── StoreError           the database cannot be used
    │   ├── CorruptDatabase  the file is not a healthy Grimoire database; never overwritten
    │   ├── RefusedValue     the database refused a value it was given (the input's fault)
    │   └── NoRoom           a write failed for want of room (a full disk); a smaller one may fit
    └── NotFound             no entry or concept by that name (carries suggestions)
"""

from __future__ import annotations


class GrimoireError(Exception):
    """An error that prints as `path:line: message`."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line is not None else f"{self.path}: "
        return f"{where}{self.message}"


def quoted(text: str, limit: int = 80) -> str:
    """`text` as repr() shows it, cut to about `limit` characters: a 100,000-character query
    that names nothing must not fill the screen with its own echo."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text):,} characters)"


class ReadError(GrimoireError):
    """A file could not be read."""


class StoreError(GrimoireError):
    """The database cannot be used."""


class CorruptDatabase(StoreError):  # noqa: N818 - reads as a state, like httpx names
    """The database file is damaged or not Grimoire's."""


class RefusedValue(StoreError):  # noqa: N818 - as CorruptDatabase
    """The database refused a value of the write (a constraint, a value of the wrong form):
    the rows written are at fault, not the database, and a write of other rows can succeed."""


class NoRoom(StoreError):  # noqa: N818 - as CorruptDatabase
    """A write failed for want of room (a full disk, a file-size limit) and was rolled back:
    what was stored before is intact, and a smaller write may fit (`watch` splits a batch
    that failed so, round 52)."""


class NotFound(GrimoireError):  # noqa: N818
    """No entry or concept by that name. `choices`, when the name belongs to several concepts,
    holds each one's (label, concept id): two concepts a `grimoire.toml` split apart keep one
    label, and only the id tells them apart."""

    def __init__(self, message: str, suggestions: tuple[str, ...] = (),
                 choices: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(message)
        self.suggestions = suggestions
        self.choices = choices
