"""Review of round 45 (review45a): read45's and faces45's changes at a user's edges.

- A snippet's list item began a line inside a display formula: the cheat sheet's
  `linear_algebra.rst` writes a sum as `$$ [2 2 2] \\n+\\n 1 = ... $$`, and its "+" line was
  taken for a list item, so the search page split the formula at a `<br>` and showed raw TeX
  where main drew it. No line begins inside a `$$` formula or a code fence.
- A note whose front matter shows a template in a value ("{{ x }} prints a field", a LaTeX
  `{{n}\\choose{k}}`) was dropped whole as a Hugo archetype; an archetype's value is an action
  alone.
- /health streams: lint failing mid-way (a store missing a table) ended the page after
  "Checking ...", which then showed forever; the error is said on the page.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import grimoire
from grimoire.readers import not_a_note, read_file
from grimoire.search import snippet
from grimoire.web.app import snippet_html
from tests.conftest import write_notes


@pytest.mark.no_store
def test_a_snippet_begins_no_line_inside_a_formula_or_a_code_block(corpora: Path) -> None:
    path = corpora / "ml-cheatsheet-rst" / "linear_algebra.rst"
    [doc] = read_file("rst", path.read_bytes(), str(path))
    [text] = [p.text for p in doc.passages if "$$" in p.text and "\n+\n" in p.text][:1]
    got = snippet(text, {"scalar", "vector", "number"}, 60)
    assert "$$" in got and "\n" not in got, got
    assert "<math" in str(snippet_html(got)) and "$$" not in str(snippet_html(got))

    fenced = ("Settings for the adapter run:\n```yaml\nmodules:\n- q_proj\n- v_proj\n```\n"
              "Then a list of what mattered:\n- the adapter rank\n- the modules")
    got = snippet(fenced, {"adapter", "modules"}, 60)
    # in the fence no list item begins, but its lines are code among prose: each begins a
    # line (round 46: a glossary's code ran into its definition)
    assert got == ("Settings for the «adapter» run:\n```yaml\n«modules»:\n- q_proj\n- v_proj\n"
                   "```\nThen a list of what mattered:\n- the «adapter» rank\n- the «modules»"), got


@pytest.mark.no_store
def test_front_matter_showing_a_template_in_a_value_is_a_note() -> None:
    notes = {
        "jinja": '---\ntitle: Jinja\nexample: "{{ user.name }} prints a field"\n---\n\nText.\n',
        "latex": '---\ntitle: Binomial\nformula: "{{n}\\\\choose{k}}"\n---\n\nText.\n',
        "latex2": "---\ntitle: Binomial\nformula: '{{n \\choose k}}'\n---\n\nText.\n",
    }
    for name, text in notes.items():
        assert not_a_note(f"/notes/{name}.md", text.encode(), text) is None, name
    archetypes = [
        '---\ntitle: "{{ replace .Name "-" " " | title }}"\ndate: {{ .Date }}\n---\n',
        "+++\ntitle = '{{ replace .File.ContentBaseName \"-\" \" \" | title }}'\n"
        "date = {{ .Date }}  # when made\n+++\n",
        "---\ndate: {{- .Date -}}\n---\n",
    ]
    for text in archetypes:
        why = not_a_note("/site/archetypes/default.md", text.encode(), text)
        assert why is not None and "archetype" in why, text


@pytest.mark.sqlite_only(reason="drops a table of the SQLite file")
def test_health_says_a_failed_check_on_the_page(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from grimoire.web import Guard, Settings, create_app

    notes = write_notes(tmp_path / "notes", {"d.md": "# Dropout\n\nSee [[Nowhere]].\n"})
    with grimoire.open(tmp_path / "kb.db") as kb:
        kb.ingest([notes], embed=False)
    kb = grimoire.open(tmp_path / "kb.db")
    try:
        app = create_app(kb, Guard.for_bind("127.0.0.1", 8000, None), Settings())
        with sqlite3.connect(tmp_path / "kb.db") as con:  # damage lint reads, not the stats
            con.execute("DROP TABLE link_targets")
        with TestClient(app, base_url="http://127.0.0.1:8000",
                        raise_server_exceptions=False) as client:
            r = client.get("/health")
        assert r.status_code == 200 and "Checking 1 passages" in r.text
        assert 'role="alert"' in r.text and "link_targets" in r.text, r.text[-500:]
        assert r.text.rstrip().endswith("</html>")
    finally:
        kb.close()


@pytest.mark.no_store
def test_a_topic_front_page_ending_in_documents_or_glossary_is_its_concept() -> None:
    """"... documents" and "... Glossary" titled a collection's front page in ../shared ("The
    seed documents", "Machine Learning Glossary"), but a page bundle's post (`tfidf/index.md`)
    or a topic folder's README ends so too: "Ranking documents" is the concept its page is."""
    pages = {
        "/blog/content/posts/tfidf/index.md": "---\ntitle: \"TF-IDF: weighting words across "
        "documents\"\n---\n\nTF-IDF weighs a word by its count and its rarity.\n",
        "/blog/content/posts/glossary/index.md": "---\ntitle: Building a glossary\n---\n\n"
        "A list of terms with a sentence each, kept as the project grows.\n",
        "/notes/ranking/README.md": "# Ranking documents\n\nOrder them by relevance.\n",
    }
    for path, text in pages.items():
        [doc] = read_file("markdown", text.encode(), path)
        # "Name: what it does" is named by the name, the whole title kept as its alias (read51).
        named = doc.title.split(":")[0]
        assert [e.term for e in doc.entries] == [named], path
        assert all(doc.title in (e.term, *e.aliases) for e in doc.entries), path
