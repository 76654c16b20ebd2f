"""The writer's rows built by the shortcuts of `document_rows` are those of the plain code."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from grimoire.model import Link, LinkKind, Span
from grimoire.names import normalize
from grimoire.store.document_rows import LinkRow, _json_strings, link_rows

_TEXT = st.text(st.characters(codec="utf-8"), max_size=12) | st.sampled_from(
    ["", "Ünïcode", 'say "x"', "back\\slash", "line\nbreak", "tab\t", "😀", "\x00", "\u2028"])

_LINKS = st.builds(
    Link, target=st.sampled_from(["LoRA", "lora", "Adam"]),
    kind=st.sampled_from([LinkKind.WIKILINK, LinkKind.URL]),
    span=st.builds(Span, path=st.just("n.md"), start_line=st.integers(1, 2),
                   end_line=st.just(2)),
    label=st.sampled_from([None, "it"]), exists_hint=st.sampled_from([None, False]))


@given(st.lists(_TEXT, max_size=4).map(tuple))
def test_heading_path_json_is_json_dumps(items: tuple[str, ...]) -> None:
    _json_strings.cache_clear()
    assert _json_strings(items) == json.dumps(list(items))


@given(st.lists(_LINKS, max_size=3).map(tuple))
def test_link_rows_keep_each_distinct_link_once_in_order(links: tuple[Link, ...]) -> None:
    expected: list[LinkRow] = [
        (link.target, normalize(link.target), link.label, str(link.kind), link.fragment,
         link.exists_hint, link.span.start_line, link.span.end_line, link.href, link.no_page)
        for link in dict.fromkeys(links)
    ]
    assert list(link_rows(links)) == expected
