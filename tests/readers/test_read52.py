"""Round 52 (read52): the faults rounds 50-51 left in reading real notes, each on notes
written here in this test's own words. Readers called directly (no store): milliseconds a
test."""

from __future__ import annotations

from grimoire import readers
from grimoire.model import Document
from tests.readers.test_read50 import _read as _tex
from tests.readers.test_read50 import _texts
from tests.readers.test_read51 import _md, _page
from tests.readers.test_review51a import INPUTS


def _read(text: str, path: str) -> Document:
    data = text.encode()
    reader = readers.detect(path, readers.sniff_head(data, path))
    assert reader is not None
    return readers.read_file(reader.name, data, path)[0]


KL = ("I worked the KL divergence out by hand this weekend: the expected extra cost of coding "
      "samples of one distribution with a code built for another.")


def test_a_title_with_a_subtitle_after_a_comma_is_named_by_its_head() -> None:
    # "KL divergence, slowly", "Mixture of Experts, explained without the hype": how the
    # post treats its subject, no part of the subject's name; the page was a concept of
    # that whole name beside the vault's "KL Divergence"
    term, aliases = _page("KL divergence, slowly", KL, "blog/2024-01-02-kl.md")
    assert term == "KL divergence" and "KL divergence, slowly" in aliases, (term, aliases)
    moe = ("A mixture of experts routes each token to a few expert layers out of many, so the "
           "model grows without each token costing more.")
    for title in ("Mixture of Experts, explained without the hype",
                  "Mixture of Experts, Visually", "Mixture of experts, from scratch",
                  "Mixture of Experts, revisited"):
        term, aliases = _page(title, moe, "blog/moe.md")
        assert term.casefold() == "mixture of experts" and title in aliases, (title, term)
    # two names, or a name the page never says, stay whole: no subtitle after the comma
    pair = "Precision and recall both count the true positives, over two different totals."
    assert _page("Precision, Recall", pair, "notes/pr.md")[0] == "Precision, Recall"
    term, _ = _page("Reading list, slowly", KL, "blog/reading.md")
    assert term != "Reading list", term
    # an HTML article's title the same
    doc = _read("<html><head><title>Mixture of Experts, explained without the hype | Blog"
                "</title></head><body><h1>Mixture of Experts, explained without the hype</h1>"
                f"<p>{moe}</p></body></html>", "site/moe.html")
    assert any(e.term == "Mixture of Experts" for e in doc.entries), [e.term for e in doc.entries]


def test_a_name_and_its_acronym_after_a_comma_is_the_name() -> None:
    # "Non-Maximum Suppression, NMS": the name, its acronym an alias (`show NMS` only
    # suggested the concept, and the whole heading was its name)
    doc = _md("# Detection\n\nNotes on detectors.\n\n## Non-Maximum Suppression, NMS\n\n"
              "Non-maximum suppression keeps the box with the highest score and drops every "
              "box that overlaps it too much.\n\n## AutoEncoder, AE\n\n"
              "An autoencoder is a network trained to give back its input through a narrow "
              "middle layer.\n\n"
              "## Weights, Biases\n\nWeights, biases are what a layer learns from the data.\n",
              "notes/detection.md")
    by_term = {e.term: e for e in doc.entries}
    assert "NMS" in by_term["Non-Maximum Suppression"].aliases, sorted(by_term)
    assert "AE" in by_term["AutoEncoder"].aliases, sorted(by_term)
    assert "Weights" not in by_term, sorted(by_term)  # no acronym after the comma


ARTICLE = """\
.. title: Notes on Deep Learning
.. slug: dl-notes

Activation Functions
====================

Sigmoid function (or logistic function)
    Squashes any real number into the range from zero to one, so its output can be read
    as a probability of the positive class.

Softmax function
    Turns a vector of scores into a probability distribution over the classes.

Linear model
============

Our prediction is

.. math::

    Price = Slope \\cdot Size + Offset

Slope
    the coefficient for the size.

Offset
    where the line meets the axis.

Backups
=======

Incremental backups - keep only the changes
    because a full copy every night takes too long.

- Tools:

  Some tool
      worth a look for the replicas.
"""


def test_an_articles_definition_list_of_names_is_a_glossary() -> None:
    # a Nikola page's "Activation Functions" listed Sigmoid and Softmax as a definition
    # list: no entries (round 36's rule keeps an article's lists as text, for a formula's
    # symbols); a list after a formula, of sentences, or inside a list item stays text
    doc = _read(ARTICLE, "pages/dl/index.rst")
    terms = {e.term for e in doc.entries}
    assert {"Sigmoid function (or logistic function)", "Softmax function"} <= terms, terms
    assert not terms & {"Slope", "Offset", "Some tool"}, terms
    assert not any(t.startswith("Incremental backups") for t in terms), terms
    assert any("the coefficient for the size" in p.text for p in doc.passages)


LISTING = """<!DOCTYPE html><html><head><title>{title} | My Notes</title>
<meta name="generator" content="Nikola (getnikola.com)"></head><body>
<article class="listpage"><h1>{title}</h1>
<ul><li><a href="posts/rbm/">RBM based autoencoders</a></li>
<li><a href="posts/gan/">Notes on GANs</a></li></ul></article>
<footer>Contents by me - Powered by Nikola</footer></body></html>"""


def test_a_site_generators_listing_pages_name_nothing() -> None:
    # Nikola's "Archive", "Tags", "Categories" and "Posts for year 2016" pages were entries
    for title, path in (("Archive", "archive.html"), ("Tags", "tags.html"),
                        ("Categories", "categories/index.html"),
                        ("Posts for year 2016", "2016/index.html"),
                        ("Posts about deep learning", "categories/dl.html")):
        doc = _read(LISTING.format(title=title), path)
        assert not doc.entries, (title, [e.term for e in doc.entries])
    # a page a generator built whose title names a thing is one
    doc = _read(LISTING.format(title="Autoencoders"), "pages/ae/index.html")
    assert [e.term for e in doc.entries] == ["Autoencoders"]


def test_a_chinese_also_is_a_kind_of_defines_its_heading() -> None:
    # "同X\uff0cY也是一种..." (like X, Y is also a kind of ...): pumpkin-book's 牛顿法 was lost
    doc = _md("# 优化方法\n\n这一页记下两种迭代求解的方法\uff0c以及它们的不同。\n\n"
              "## 梯度下降法\n\n梯度下降法是一种迭代求解的算法\uff0c先在定义域中随便选一个点"
              "\uff0c再沿着负梯度的方向走一小步\uff0c反复进行直到收敛为止。\n\n## 牛顿法\n\n"
              "同梯度下降法\uff0c牛顿法也是一种迭代求解的算法\uff0c它在选下一个点时还用到了"
              "二阶导数\uff0c所以通常收敛得更快。\n\n## 同态滤波\n\n同态滤波是一种频域增强方法"
              "\uff0c它先取对数再做滤波\uff0c能同时压缩亮度范围并增强对比度。\n", "notes/优化.md")
    terms = {e.term for e in doc.entries}
    # review52a: a name opening with 同 (or 像: 像素) is read before a comparison is cut off
    assert {"梯度下降法", "牛顿法", "同态滤波"} <= terms, terms


def test_a_product_edition_before_a_year_stays_in_the_name() -> None:
    from grimoire.readers.conventions import bare_name
    assert bare_name("Windows (Server 2019)") == "Windows (Server 2019)"
    assert bare_name("Office (Home Edition 2016)") == "Office (Home Edition 2016)"
    assert bare_name("SSD (ECCV 2016)") == "SSD"  # a venue still goes


def test_a_lower_case_title_and_tags_block_without_fences_is_text() -> None:
    # "title: ...", "tags: ..." opening a note with no `---`: front matter that lost its
    # fences, or the note's own first lines; qa51's Pelican rule blanked them, and only a
    # date, a slug or a category (Pelican's own) says a site's page
    doc = _md("title: Attention maps\ntags: vision, attention\n\n"
              "Attention maps show which patches a head looks at.\n", "notes/attention.md")
    assert any("tags: vision, attention" in p.text for p in doc.passages), doc.passages
    doc = _md("title: Attention maps\ndate: 2016-10-03\n\nAttention maps show which patches a "
              "head looks at.\n", "content/attention.md")
    assert doc.title == "Attention maps"
    assert not any("date: 2016" in p.text for p in doc.passages), doc.passages
    doc = _md("Title: Attention maps\nTags: vision\n\nAttention maps show which patches a "
              "head looks at.\n", "content/attention.md")
    assert doc.title == "Attention maps"


# review51a's document, its `\input` a table's and a figure's files
TABLE_INPUT = INPUTS.replace("\\input{chapters/dual}", "\\begin{center}\n\\input{tables/penalties}"
                             "\n\\end{center}\n\\input{figures/path_plot}")


def test_a_table_read_in_keeps_the_section_numbers() -> None:
    # `\input{tables/penalties}` holds a table, no section: "Kernels" is still Section 2
    # (review51a's rule read every section after any `\input` by its title)
    text = _texts(_tex(TABLE_INPUT))
    assert "Section 2 follows the file read in, and 1 comes first." in text, text
