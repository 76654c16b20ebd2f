"""Round 42 (qa42): a Jekyll site of course notes kept as a collection (`_notes/`, served at
`/notes/`), its pages linking each other through Liquid's `relative_url` filter and drawing
figures with `{% include image.html %}`; rebuilt in our own words on real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire.readers import not_a_note, read_file
from tests.conftest import ingested, write_notes

_FRONT = "---\ntitle: Soft Margins\n---\n\n"
_MARGINS = _FRONT + (
    "## Soft Margins\n\n"
    "A soft margin lets a few points sit inside the band around the boundary, each paying a "
    "slack cost. The distance of a point comes from the "
    '[appendix]({{ "/notes/ml/appendix/band_width.html" | relative_url }}), and the plot is '
    "made by [this script]({{ 'notes/ml/code/band_plot.html' | relative_url }}).\n\n"
    '{% include image.html url="notes/ml/images/band.png" description="The band narrows as '
    'the cost grows." img_classes="notes-img" %}\n\n'
    '{% capture img_url %}{{ "notes/ml/code/band_plot.html" | relative_url }} {% endcapture %}\n'
    '{% capture img_desc %}{{ "Cost against width, drawn by <a href=\'" | append: img_url '
    '| append: "\'>band_plot.py</a>"}}{% endcapture %}\n'
    '{% include image.html url="notes/ml/images/cost.png" description=img_desc %}\n\n'
    "{% comment %} the old figure, kept for later {% endcomment %}\n\n"
    "A larger cost tolerates fewer points inside the band.\n\n"
    "{% highlight python %}\n"
    "width = 2 / norm(weights)\n"
    "{% endhighlight %}\n"
)


def _text(docs: list) -> str:  # type: ignore[type-arg]
    return "\n".join(p.text for d in docs for p in d.passages)


@pytest.mark.no_store
def test_a_collection_page_using_capture_for_a_caption_is_a_note() -> None:
    """Eight pages of the site (momentum and Adam, ARIMA, smoothing, Gaussian processes) built
    a figure's caption with `{% capture %}`: each was skipped whole as "a site template page",
    its prose and formulas unread. A capture closed on its own line is a value, not a loop
    over the site's pages; a page that loops is still a template."""
    assert not_a_note("_notes/ml/svm/soft.md", _MARGINS.encode(), _MARGINS) is None
    loop = "---\nlayout: page\n---\n<ul>\n{% capture x %}\n{% for p in site.pages %}\n"
    assert not_a_note("list.md", loop.encode(), loop) is not None


@pytest.mark.no_store
def test_liquid_tags_leave_no_trace_in_the_text_and_captions_stay() -> None:
    """`show` and every search snippet printed `{% include image.html url=... %}`, the capture
    lines and `[appendix]({{ "/notes/..." | relative_url }})` as prose."""
    docs = read_file("markdown", _MARGINS.encode(), "site/_notes/ml/svm/soft.md")
    text = _text(docs)
    for mark in ("{%", "%}", "{{", "}}", "relative_url", "img_classes", "capture"):
        assert mark not in text, (mark, text)
    for words in ("A soft margin lets a few points", "The band narrows as the cost grows.",
                  "A larger cost tolerates fewer points", "appendix", "this script"):
        assert words in text, (words, text)
    assert "old figure" not in text
    code = [p for d in docs for p in d.passages if p.kind == "code"]
    assert [p.text.strip() for p in code] == ["width = 2 / norm(weights)"]


@pytest.mark.no_store
def test_a_relative_url_link_names_the_collection_page() -> None:
    """`{{ "/notes/x.html" | relative_url }}` is the page Jekyll builds from `_notes/x.md`: the
    link leads there from the linking page's folder."""
    docs = read_file("markdown", _MARGINS.encode(), "site/_notes/ml/svm/soft.md")
    targets = {link.href or link.target for d in docs for link in d.links}
    assert "../appendix/band_width" in targets, targets
    assert "../code/band_plot" in targets, targets
    # Outside a collection the site path stays as written.
    docs = read_file("markdown", _MARGINS.encode(), "site/pages/soft.md")
    targets = {link.href or link.target for d in docs for link in d.links}
    assert "/notes/ml/appendix/band_width.html" in targets, targets


def test_the_site_graph_links_its_collection_pages(tmp_path: Path) -> None:
    """Through the store: the page's concept links to the appendix's, and lint lists the one
    link to a page that is not there as dead (the site had one: a renamed appendix page)."""
    notes = write_notes(tmp_path / "site", {
        "_notes/ml/svm/soft.md": _MARGINS,
        "_notes/ml/appendix/band_width.md": "---\ntitle: Band Width\n---\n\n## Band Width\n\n"
        "Band width is twice the inverse of the weights' norm, measured across the "
        "boundary.\n",
        "_notes/ml/code/band_plot.md": "---\ntitle: Band Plot\n---\n\n## Band Plot\n\n"
        "Band plot is the script that draws the cost against the width.\n",
        "_notes/ml/svm/hard.md": "---\ntitle: Hard Margins\n---\n\n## Hard Margins\n\n"
        "A hard margin allows no point inside the band; see the "
        '[derivation]({{ "/notes/ml/appendix/no_such_page.html" | relative_url }}).\n',
    })
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        graph = kb.graph("Soft Margins")
        names = {node.label for node in graph.nodes}
        assert {"Band Width", "Band Plot"} <= names, names
        dead = kb.lint().by_group().get("dead-link", [])
        assert [f.span.path.rsplit("/", 1)[-1] for f in dead] == ["hard.md"], dead
