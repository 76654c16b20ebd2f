"""Round 54 (review54c): qa54's reading rules on notes they were not written for: a Sphinx
site kept as the only copy of a course's notes, a hand-written API page that says something
of its own in a sentence opening on a role, a heading "$k$-NN". Each shape in our own words."""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire.files import walk_folder
from grimoire.ingest import skipped_dir
from grimoire.readers import not_a_note
from grimoire.readers.conventions import bare_name
from tests.conftest import write_notes

_BUILDINFO = "# Sphinx build info version 1\nconfig: 0123456789abcdef\ntags: fedcba9876543210\n"
_PAGE = """\
Limits
======

A limit says what value a function approaches as its input approaches a point, whether or
not the function is defined at that point.
"""
_HTML = ("<html><body><h1>Limits</h1><p>A limit says what value a function approaches as its"
         " input approaches a point.</p></body></html>\n")


def _walked(root: Path) -> list[str]:
    """The files the walk an ingest (and a watch) makes under `root` keeps, relative."""
    kept = []
    for folder, dirs, files in walk_folder(root):
        dirs[:] = [d for d in dirs if not skipped_dir(folder, d)]
        kept += [Path(folder, f).relative_to(root).as_posix() for f in files
                 if not f.startswith(".")]
    return sorted(kept)


@pytest.mark.no_store
def test_a_built_site_with_no_sources_beside_it_is_read(tmp_path: Path) -> None:
    """A course's published notes (its `gh-pages` branch: a Sphinx or Jupyter Book site,
    `.buildinfo` at its top) kept in a vault as they are, the only copy: every page was lost,
    with no word in `sources`. A built site is a copy only where its sources lie beside it
    (qa54's `docs/build/html/` beside `docs/source/`; a `docs/` published from `doc/src/`).
    Read, its pages are; the copies of their sources Sphinx keeps in `_sources/` are not."""
    vault = write_notes(tmp_path / "vault", {
        "calculus-site/.buildinfo": _BUILDINFO,
        "calculus-site/_sources/limits.rst.txt": _PAGE,
        "calculus-site/limits.html": _HTML,
        "own/derivatives.md": "# Derivatives\n\nThe slope of the tangent line at a point.\n",
    })
    assert _walked(vault) == ["calculus-site/limits.html", "own/derivatives.md"]
    # A `docs/` published from sources two folders away (`doc/src/`, Sphinx before 1.5:
    # `_sources/limits.txt`) is the copy it was.
    repo = write_notes(tmp_path / "repo", {
        "doc/src/conf.py": "project = 'Notes'\n",
        "doc/src/limits.rst": _PAGE,
        "docs/.buildinfo": _BUILDINFO,
        "docs/_sources/limits.txt": _PAGE,
        "docs/limits.html": _HTML,
    })
    assert _walked(repo) == ["doc/src/conf.py", "doc/src/limits.rst"]
    # ... and a site whose sources are another project's of the same first page is read.
    other = write_notes(tmp_path / "other", {
        "mine/conf.py": "project = 'Mine'\n",
        "mine/index.rst": _PAGE,
        "site/.buildinfo": _BUILDINFO,
        "site/_sources/index.rst.txt": _PAGE,
        "site/_sources/limits.rst.txt": _PAGE,
        "site/limits.html": _HTML,
    })
    assert "site/limits.html" in _walked(other)


_API_PAGE = """\
Optimizers
==========

.. automodule:: tinygrad2.optim
   :members:

:class:`SGD` steps each parameter against its gradient scaled by the learning rate, and
:class:`Adam` keeps running averages of the gradient and its square for each parameter.
"""


@pytest.mark.no_store
def test_an_api_page_with_sentences_of_its_own_is_a_note() -> None:
    """A hand-written API page whose sentences open on a role (":class:`SGD` steps ...") was
    taken for sphinx-apidoc's, its lines for a directive's options: the user's words were
    lost. A directive's option is indented under it, or a field with a space after its name
    (`:orphan:`, `:tocdepth: 2`); a role runs into its backquote."""
    assert not_a_note("/notes/api/optim.rst", _API_PAGE.encode(), _API_PAGE) is None
    stub = _API_PAGE.split("\n:class:")[0] + "\n"
    assert not_a_note("/notes/api/optim.rst", stub.encode(), stub) is not None
    fields = ":orphan:\n:tocdepth: 2\n\n" + stub
    assert not_a_note("/notes/api/optim.rst", fields.encode(), fields) is not None


@pytest.mark.no_store
def test_a_letter_joined_to_a_short_word_is_a_name() -> None:
    """"$k$-NN" held a formula beside a word of two letters, so was no name, where "k-NN"
    written plain was one and "$k$-NN Search" became "k-NN Search". A letter joined by a
    hyphen to a word is part of that word."""
    assert bare_name("$k$-NN") == "k-NN"
    assert bare_name("$Q$-Learning") == "Q-Learning"
    for title in ("$x$", "$x_i$ Values", "$K$", "$x$ vs $y$"):
        assert bare_name(title) == title, title
