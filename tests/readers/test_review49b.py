"""Round 49 (review49b): a second look at read49's reading rules, on notes written here in
this test's own words. Readers called directly (no store): milliseconds a test."""

from __future__ import annotations

from grimoire import readers
from grimoire.readers import latex


def _md_terms(text: str, path: str) -> list[str]:
    doc, = readers.read_file("markdown", text.encode(), path)
    return [e.term for e in doc.entries]


def test_a_look_back_or_part_pair_its_text_defines_is_an_entry() -> None:
    # "X Review", "X Summary" and two page-part words ("Code" + "Review", "Source" + "Code")
    # read as a page's moments, but a section whose text defines its heading names a thing
    practices = """# Team Practices

## Code Review

Code review is the practice of having another engineer read a change before it is merged,
so that mistakes are caught early and knowledge spreads through the team.

## Pair Programming

Pair programming is a technique in which two programmers share one workstation, one typing
while the other reads each line as it is written.

## Trunk-Based Development

Trunk-based development is a way of working in which everyone merges small changes into one
shared branch at least once a day.
"""
    terms = _md_terms(practices, "notes/practices.md")
    assert "Code Review" in terms and "Pair Programming" in terms, terms
    research = """# Research Methods

## Systematic Review

A systematic review is a survey of published studies that follows a fixed protocol for
finding, selecting and appraising them, so that another team could repeat it.

## Meta-analysis

A meta-analysis is a statistical method that pools the effect sizes of several studies
into one estimate with its uncertainty.

## Peer Review

Peer review is the appraisal of a manuscript by experts in its field before a journal
accepts it.
"""
    terms = _md_terms(research, "notes/research.md")
    assert {"Systematic Review", "Meta-analysis", "Peer Review"} <= set(terms), terms
    design = """# Software Design

## Software Architecture

Software architecture is the high-level structure of a system: its parts and how they talk.

## Source Code

Source code is the human-readable text of a program, written in a programming language.

## Executive Summary

An executive summary is a short document that sums up a longer report for busy readers.
"""
    terms = _md_terms(design, "notes/design.md")
    assert {"Software Architecture", "Source Code", "Executive Summary"} <= set(terms), terms
    # a look back that does not define its heading is still a part of the page, also beside
    # parallel sections that do define theirs
    boosting = """# Boosting

## Shrinkage

Shrinkage is a factor below one that scales each new tree before it joins the ensemble.

## Early Stopping

Early stopping is a rule that ends the rounds when held-out error stops falling.

## Bagging Review

Last week we averaged trees grown on bootstrap samples; the variance of the average fell.

## Intro Question

Which loss makes each new tree fit the residuals of the ones before it exactly?
"""
    terms = _md_terms(boosting, "notes/boosting.md")
    assert {"Shrinkage", "Early Stopping"} <= set(terms), terms
    assert not {"Bagging Review", "Intro Question"} & set(terms), terms


def test_an_iffalse_block_is_skipped_as_latex_skips_it() -> None:
    # an author keeps an old draft of a section under `\iffalse`: LaTeX never reads it, so
    # its label is not defined twice and its text is nothing of the note
    tex = r"""\documentclass{article}
\newif\ifdraft
\begin{document}
\section{Dropout}\label{sec:dropout}
Dropout is a regularizer that zeroes each unit with some probability while training.
\iffalse
\section{Dropout (first try)}\label{sec:dropout}
Dropping units at random during training. \ifdraft A margin note. \fi
\fi
\section{Weight Decay}\label{sec:decay}
Weight decay is a penalty on the squared size of the weights, added to the loss.
\iffalse
an unclosed block: LaTeX stops here, and the text is read as it is
"""
    doc, = latex.read(tex.encode(), "regularizers.tex")
    assert [p.message for p in doc.problems] == [], doc.problems
    text = " ".join(p.text for p in doc.passages)
    assert "first try" not in text and "Dropping units" not in text, text
    assert "an unclosed block" in text, text
    assert {e.term: e.span.start_line for e in doc.entries} == {
        "Dropout": 4, "Weight Decay": 10}, doc.entries
