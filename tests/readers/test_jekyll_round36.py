"""Round 36 (follow36f): a site generator's template page is not a note.

A Jekyll glossary keeps pages such as `acronyms.html` and `meta/unfinished.html` that are
front matter and Liquid loops over the site's pages; each was read as a note whose text was
"--- layout: page ... {% assign pages = site.pages %}". Pages written here, in our own words."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ingested, write_notes

TEMPLATE = """---
layout: page
title: "Every Term With A Picture"
---
<p>Links to the terms that show a figure.</p>
<ul>
{% assign pictured = site.pages | where_exp: "p", "p.figure" %}
{% for page in pictured %}
  <li><a href="{{ page.url }}">{{ page.title }}</a></li>
{% endfor %}
</ul>
"""
NOTE = """---
title: Dropout
layout: page
---
Dropout switches off a random share of units at each training step, so that no unit
can lean on another; see [weight decay]({% link terms/weight-decay.md %}).
"""
ABOUT_JEKYLL = """---
title: Liquid loops
---
A Liquid loop walks over the site's pages:

```liquid
{% for page in site.pages %}
{{ page.title }}
{% endfor %}
```
"""


def test_a_liquid_template_page_is_skipped_and_a_note_using_a_tag_is_read(
        tmp_path: Path) -> None:
    notes = tmp_path / "site"
    (notes / "meta").mkdir(parents=True)
    (notes / "meta" / "pictured.html").write_text(TEMPLATE)
    (notes / "pictured.md").write_text(TEMPLATE)
    (notes / "dropout.md").write_text(NOTE)
    (notes / "liquid-loops.md").write_text(ABOUT_JEKYLL)
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        status = {Path(r.path).name: (r.status, r.reason or "") for r in kb.sources()}
        texts = " ".join(e.entry.definition for e in kb.entries())
        terms = {e.entry.term for e in kb.entries()}
    for name in ("pictured.html", "pictured.md"):
        assert status[name][0] == "skipped", status
        assert "template" in status[name][1] and "line 7" in status[name][1]
    assert status["dropout.md"][0] == "ok" and "Dropout" in terms
    assert status["liquid-loops.md"][0] == "ok" and "Liquid loops" in terms
    assert "site.pages | where_exp" not in texts
    assert "Every Term With A Picture" not in terms


def test_a_site_s_404_page_is_skipped_and_a_self_redirect_is_no_redirect(tmp_path: Path) -> None:
    notes = tmp_path / "site"
    (notes / "terms").mkdir(parents=True)
    (notes / "404.md").write_text(
        "---\ntitle: Page Missing\nlayout: page\n---\nNothing lives at this address.\n")
    (notes / "terms" / "batch-size.md").write_text(
        "---\ntitle: Batch size\nlayout: page\ndestination: batch-size\n---\n"
        "The number of examples one training step averages over.\n")
    (notes / "terms" / "minibatch.md").write_text(
        "---\ntitle: Minibatch\nlayout: redirect\ndestination: batch-size\n---\n")
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        status = {Path(r.path).name: (r.status, r.reason or "") for r in kb.sources()}
        redirects = {e.entry.term: e.entry.redirect for e in kb.entries()}
    assert status["404.md"][0] == "skipped" and "404" in status["404.md"][1]
    assert "Page Missing" not in redirects
    assert redirects["Batch size"] is None  # its own address: no redirect
    assert redirects["Minibatch"] == "batch-size"


QUOTED_LOOPS = """---
title: Liquid loops, quoted
---
An indented loop, shown as code:

    {% for page in site.pages %}
    {{ page.title }}
    {% endfor %}

{% raw %}
{% assign first = site.pages | first %}
{% endraw %}
"""


def test_liquid_quoted_as_code_or_raw_does_not_make_a_note_a_template(tmp_path: Path) -> None:
    # Review of round 36: only fenced code counted as quoted Liquid; an indented code block
    # or a `{% raw %}` block made a note about Jekyll a skipped template.
    notes = write_notes(tmp_path / "site", {
        "quoted.md": QUOTED_LOOPS,
    })
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        status = {Path(r.path).name: (r.status, r.reason or "") for r in kb.sources()}
    assert status["quoted.md"][0] == "ok", status
