"""Round 45 (read45): round 44's reading leads that a real repository showed (qa44's Hugo blog
and Jupyter Book), each rebuilt here in our own words.

- A Hugo site's theme (`themes/<name>/`, marked by its `theme.toml`) was walked: its README's
  "Features/Mods", "Install/Update", "Release Changelog" were concepts, and a theme's
  `exampleSite/` demo posts would be too.
- A Hugo archetype (`archetypes/default.md`: front matter whose values are Go template
  actions, `date: {{ .Date }}`) was read as a note, with an "invalid front matter" warning.
- A book's front page "Welcome to <the book's name>" ("... Notes", "... Handbook") was a
  concept; "Welcome to Kubernetes" names its subject and stays one.
"""

from __future__ import annotations

from pathlib import Path

from grimoire.knowledge import Grimoire
from grimoire.readers import not_a_note, read_file
from tests.readers.conftest import labels, write_notes

ARCHETYPE = """\
---
title: "{{ replace .Name "-" " " | title }}"
date: {{ .Date }}
draft: true
---
"""

TOML_ARCHETYPE = """\
+++
title = '{{ replace .File.ContentBaseName "-" " " | title }}'
date = {{ .Date }}
draft = true
+++

## Summary
"""

THEME_README = """\
# Plainpaper

A small, fast theme for blogs and notes.

## Features/Mods

- light and dark mode, picked from the reader's system
- code highlighting without JavaScript

## Install/Update

Clone the theme into your site's themes folder, then set `theme` in the site's config.

## Release Changelog

The changelog is the list of every release's changes, kept on the theme's releases page.
"""

DEMO_POST = """\
---
title: "Markdown Syntax Guide"
date: 2019-03-11
---

This article shows the basic Markdown syntax and how the theme styles each element.

## Headings

Six levels of headings, from the largest to the smallest.
"""

POST = """\
---
title: "Gradient clipping"
date: 2024-05-02
---

Gradient clipping caps the norm of the gradient before each optimizer step, so that one
unlucky batch cannot throw the weights far from where they were.
"""


def entry_terms(text: str, path: str, fmt: str = "markdown") -> list[str]:
    """The terms of the entries a one-document note `text` at `path` is read into."""
    [doc] = read_file(fmt, text.encode(), path)
    return [e.term for e in doc.entries]


def test_a_hugo_sites_theme_and_archetypes_are_no_notes(kb: Grimoire, tmp_path: Path) -> None:
    site = write_notes(tmp_path / "blog", {
        "config.toml": 'baseURL = "https://example.org/"\ntheme = "plainpaper"\n',
        "content/posts/gradient-clipping.md": POST,
        "archetypes/default.md": ARCHETYPE,
        "themes/plainpaper/theme.toml": 'name = "Plainpaper"\nlicense = "MIT"\n',
        "themes/plainpaper/README.md": THEME_README,
        "themes/plainpaper/exampleSite/content/post/markdown-syntax.md": DEMO_POST,
        "themes/plainpaper/archetypes/default.md": TOML_ARCHETYPE,
    })
    report = kb.ingest([site], embed=False)
    assert report.failed == 0
    assert labels(kb) == {"Gradient clipping"}
    read = {Path(r.path).relative_to(site).as_posix(): r for r in kb.sources()}
    assert not any(path.startswith("themes/") for path in read)
    archetype = read["archetypes/default.md"]
    assert archetype.status == "skipped"
    assert "archetype" in (archetype.reason or ""), archetype.reason


def test_an_archetype_is_told_by_its_front_matter_alone() -> None:
    """Front matter whose values are Go template actions is an archetype wherever it is; a
    note whose text shows such an action (a note about Hugo) is still a note."""
    for text in (ARCHETYPE, TOML_ARCHETYPE):
        why = not_a_note("/site/archetypes/default.md", text.encode(), text)
        assert why is not None and "archetype" in why, text
    about_hugo = ("---\ntitle: Hugo archetypes\n---\n\nAn archetype fills a new page's front "
                  "matter, as in `date: {{ .Date }}`:\n\n```\ndate: {{ .Date }}\n```\n")
    assert not_a_note("/notes/hugo.md", about_hugo.encode(), about_hugo) is None
    plain = "---\ntitle: Templates\nsummary: the {{ and }} of Go\n---\n\nGo templates.\n"
    assert not_a_note("/notes/templates.md", plain.encode(), plain) is None


def test_a_books_welcome_page_names_no_concept() -> None:
    page = ("# Welcome to {}\n\nThese pages collect what I learned while studying; pick a "
            "chapter from the sidebar.\n\n## Contents\n\nFour parts, from algebra to "
            "statistics.\n")
    for name in ("Little Notes", "the ML Handbook", "Field Notes", "My Study Wiki",
                 "Applied Statistics Book"):
        assert entry_terms(page.format(name), "/book/intro.md") == [], name
    k8s = ("# Welcome to Kubernetes\n\nKubernetes schedules containers over a cluster of "
           "machines and restarts them when they fail.\n")
    assert entry_terms(k8s, "/notes/k8s.md") == ["Welcome to Kubernetes"]


def test_a_front_page_titled_by_its_collection_and_a_contribute_page_name_nothing() -> None:
    """Read from ../shared: the seeds' README ("# The seed documents") and the Sphinx cheat
    sheet's `index.rst` (its book's name, "... Glossary") titled their collections, and its
    `contribute.rst` ("Contribute") asked readers for pull requests: none is a concept. A
    README about one thing, and a glossary's own terms, stay."""
    cases = {
        "/course/README.md": "# The lecture documents\n\nSlides and handouts of the course, "
                             "one file a week.\n",
        "/course/index.md": "# Statistics Glossary\n\nShort definitions of the words these "
                            "notes use, one a line.\n",
        "/book/index.rst": "Deep Learning Glossary\n======================\n\nShort "
                           "definitions of the words the book uses.\n",
        "/book/contribute.rst": "Contribute\n==========\n\nSend us a pull request with a "
                                "new page or a fix.\n",
    }
    for path, text in cases.items():
        fmt = "rst" if path.endswith(".rst") else "markdown"
        assert entry_terms(text, path, fmt) == [], path
    about = "# Dropout\n\nDropout zeroes each unit at random while training.\n"
    assert entry_terms(about, "/notes/dropout/README.md") == ["Dropout"]
    terms = ("# Statistics Glossary\n\n## Median\n\nThe median is the middle value of a "
             "sorted sample.\n")
    assert entry_terms(terms, "/course/index.md") == ["Median"]


def test_a_sheet_of_questions_on_a_topic_names_no_concept() -> None:
    """A course deck's `questions.md` ("# Questions for Data Exploration and Cleaning", then
    the questions a student should answer) was a concept; "Questions about X" and "Questions
    on X" are such sheets too. A page on a kind of question stays a concept."""
    sheet = ("# Questions {} Feature Scaling\n\nBy the end of the week you should be able to "
             "answer these.\n\n- Why scale features before gradient descent?\n- When does "
             "scaling not matter?\n")
    for joint in ("for", "about", "on"):
        assert entry_terms(sheet.format(joint), "/course/questions.md") == [], joint
    kind = ("# Rhetorical question\n\nA rhetorical question is asked for effect, with no "
            "answer expected.\n")
    assert entry_terms(kind, "/notes/rhetoric.md") == ["Rhetorical question"]
