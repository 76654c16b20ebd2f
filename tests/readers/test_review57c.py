"""Round 57 (review57c): qa57's TiddlyWiki reader tried on TiddlyWiki's own documentation
(tw5.com, fr-FR): a link in a table cell lost its target (the cell split at the link's `|`),
a filter given to a macro (`<<list-links "[tag[...]]">>`) read as prose, and a `.tid` of no
fields whose first line reads `Note: ...` lost that line. Tiddlers of our own."""

from __future__ import annotations

from grimoire.readers import tiddlywiki


def _read(text: str, path: str = "wiki/tiddlers/Page.tid") -> tuple[str, list[str], int]:
    (doc,) = tiddlywiki.read(text.encode(), path)
    (entry,) = doc.entries
    return entry.definition, [x.target for x in entry.links], entry.span.start_line


def test_a_link_in_a_table_cell_keeps_its_target_and_text() -> None:
    text, links, _ = _read("title: Early stopping\n\nEarly stopping ends training early.\n\n"
                           "|!Setting |!Meaning |\n"
                           "|patience |wait, see [[the schedule|Learning rate schedule]]|\n"
                           "|delta |a [[Tolerance]] |\n")
    assert "Learning rate schedule" in links and "Tolerance" in links
    assert "wait, see the schedule" in text
    # without a blank line above (no Markdown table), the row's cells still keep the link
    text, links, _ = _read("title: Early stopping\n\nEarly stopping ends training early.\n"
                           "|patience |see [[the schedule|Learning rate schedule]] |\n")
    assert links == ["Learning rate schedule"]
    assert "see the schedule" in text


def test_a_filter_given_to_a_macro_is_no_text() -> None:
    text, _, _ = _read('title: Optimizers\n\nOptimizers update the weights.\n\n'
                       '<<list-links "[tag[Optimizers]] -[tag[Deprecated]]">>\n'
                       '<<note "Adam needs a smaller rate.">>\n')
    assert "[tag[" not in text and "Deprecated" not in text
    assert "Adam needs a smaller rate." in text


def test_a_first_line_like_a_field_without_a_title_is_text() -> None:
    text, _, line = _read("Note: the perceptron is a linear classifier.\nIt learns a plane.\n",
                          "wiki/tiddlers/Perceptron.tid")
    assert text.startswith("Note: the perceptron") and line == 1
    # a tiddler's fields (a title among them) stay fields even with no blank line after
    text, _, line = _read("title: Perceptron\ntags: Models\nA perceptron is a classifier.\n")
    assert text == "A perceptron is a classifier." and line == 3


def test_a_widget_whose_attribute_holds_angle_brackets_is_no_text() -> None:
    # a user's wiki (tiddlybrain): widget code left as a page's prose
    text, _, _ = _read('title: Drafts\n\nDrafts wait for review.\n\n'
                       '<$list filter="[<currentTiddler>!has[draft.of]]" variable="x">'
                       "<$link/></$list>\n"
                       "<%if [<key>match[Day]] %>Today<%else%>Another day<%endif%>\n")
    assert "filter" not in text and "has[draft.of]" not in text and "%" not in text
    assert "Drafts wait for review." in text and "Today" in text
