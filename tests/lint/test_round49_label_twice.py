"""Round 49 (read49): a label one file defines twice (LaTeX, Sphinx, MyST) is a lint finding,
as LaTeX and Sphinx warn of it: a reference to it leads to the first definition, which may
not be the one meant. Notes written here."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ingested, write_notes

_TEX = r"""\documentclass{article}
\title{Regularisation}
\begin{document}
\section{Weight Decay}\label{sec:decay}
Weight decay is a penalty on the squared size of the weights, added to the loss.
\section{Early Stopping}\label{sec:decay}
Early stopping is a rule that ends training when the held-out error stops falling.
See Section~\ref{sec:decay}.
\end{document}
"""
_MYST = ("(install)=\n# Installing\n\nRun the installer first.\n\n(install)=\n## Checking\n\n"
         "Run the tool once; see {ref}`install`.\n")
_RST = (".. _setup:\n\nInstalling\n==========\n\nRun the installer first.\n\n"
        ".. _setup:\n\nConfiguring\n===========\n\nEdit the settings file, see :ref:`setup`.\n")


def test_a_label_defined_twice_in_one_file_is_a_finding(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {"reg.tex": _TEX, "tool.rst": _RST, "guide.md": _MYST,
                                              "once.tex": _TEX.replace(r"\label{sec:decay}"
                                                                       "\nEarly", "\nEarly")})
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        twice = sorted((f.span.path.rsplit("/", 1)[1], f.span.start_line, f.message)
                       for f in kb.lint().findings if "defined twice" in f.message)
        assert [(p, line) for p, line, _ in twice] == [
            ("guide.md", 6), ("reg.tex", 6), ("tool.rst", 8)], twice
        assert "'install'" in twice[0][2] and "line 1" in twice[0][2], twice
        assert "'sec:decay'" in twice[1][2] and "line 4" in twice[1][2], twice
        assert "'setup'" in twice[2][2], twice
        # the reference still leads to the first definition, as LaTeX and Sphinx do
        decay = kb.concept("Weight Decay")
        assert any(m.span.path.endswith("reg.tex") for m in kb.backlinks("Weight Decay")), decay
