"""Hostile notes: every payload of RELIABILITY case 25 (and 26-29) in every place a note's text
reaches a page. A payload that runs sets `window.__pwned` or asks evil.test for something."""

from __future__ import annotations

import json
from pathlib import Path

PAYLOADS = (
    '<script>window.__pwned=1;fetch("http://evil.test/s")</script>',
    '<img src=x onerror="window.__pwned=2">',
    '<svg onload="window.__pwned=3"></svg>',
    '<iframe srcdoc="<script>parent.__pwned=4</script>"></iframe>',
    '<embed src="http://evil.test/e.swf">',
    '<details open ontoggle="window.__pwned=5">x</details>',
    '<style onload="window.__pwned=6">body{}</style>',
    '<link rel=stylesheet href="http://evil.test/x.css">',
    '<noscript><p title="</noscript><img src=x onerror=window.__pwned=7>"></noscript>',
    '<form><button formaction="javascript:window.__pwned=8">go</button></form>',
    '"><img src=x onerror=window.__pwned=9>',
)
URLS = (
    "JaVaScRiPt:window.__pwned=10",
    "&#106;avascript:window.__pwned=11",
    "java\tscript:window.__pwned=12",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5wYXJlbnQuX19wd25lZD0xMzwvc2NyaXB0Pg==",
    "http://evil.test/track.png",
)
MATH = (
    r"\href{javascript:window.__pwned=14}{click}",
    r"\href{JaVa	ScRiPt:window.__pwned=15}{tab}",
    r"\frac{<img src=x onerror=window.__pwned=16>}{2}",
    r"\includegraphics{x\" onerror=\"window.__pwned=17}",
    r"\htmlData{foo=bar}{x}",
    r"\rule{999em}{999em}",
    "\\sqrt{" * 1000 + "x" + "}" * 1000,
)
SVG = ('<svg xmlns="http://www.w3.org/2000/svg"><script>parent.__pwned=20;'
       'fetch("http://evil.test/svg")</script><circle r="5"/></svg>')


def write_hostile_notes(folder: Path) -> list[Path]:
    """One note per payload (in title, alias, description, heading, body, link, image, code
    span, fence),
    plus one for the dangerous URLs and math, and an SVG attachment that carries script."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for i, payload in enumerate(PAYLOADS):
        q = json.dumps(payload)
        url = URLS[i % len(URLS)]
        text = (f"---\ntitle: {q}\naliases: [{q}]\ndescription: {q}\ntags: [hostile]\n---\n"
                f"# {payload}\n\n{payload} is a hostile term; see [[{payload}]] and "
                f"[this link]({url}) and ![an image]({url}).\n\n"
                f"Its formula: ${MATH[i % len(MATH)]}$\n\n"
                f"Quoted as code: `{payload}`\n\n"
                f"```<style/onload=window.__pwned={30 + i}>\n{payload}\n```\n\n"
                f"See also: [[Hostile {i}]]\n")
        path = folder / f"payload-{i:02d}.md"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    links = "\n".join(f"- [{u[:6]}]({u}) and <{u}> and ![img]({u})" for u in URLS)
    maths = "\n\n".join(f"$${m}$$" for m in MATH)
    path = folder / "urls-and-math.md"
    path.write_text("# Hostile links\n\nEvery dangerous address:\n\n" + links +
                    "\n\n![[evil.svg]]\n\n" + maths + "\n\n[[../../etc/passwd]] ![[/etc/passwd]]"
                    " ![](%2e%2e/%2e%2e/etc/passwd) ![[C:\\Windows\\win.ini]]\n",
                    encoding="utf-8")
    written.append(path)
    (folder / "evil.svg").write_text(SVG, encoding="utf-8")
    return written

_BAD_TAGS = {"script", "iframe", "embed", "object", "style", "link", "form", "button", "svg",
             "details", "noscript", "meta", "base", "frame", "frameset"}
_BAD_URL = ("javascript:", "vbscript:", "data:text")
_OWN_FORMS = {"find", "search-form", "ask-form", "graph-form"}


def live_markup(html: str, allowed_scripts: tuple[str, ...] = ()) -> list[str]:
    """Every element or attribute in `html` that could run or fetch something it should not.

    Parsed as a browser would (selectolax/lexbor); escaped text that merely reads like a tag
    is not counted.
    """
    from selectolax.lexbor import LexborHTMLParser

    found = []
    tree = LexborHTMLParser(html)
    for own in tree.css(", ".join(f"form.{c}" for c in _OWN_FORMS)):
        own.decompose()  # the page's own forms (search, ask, graph): nothing from a note
    for node in tree.root.traverse() if tree.root else ():
        tag = node.tag or ""
        if tag in _BAD_TAGS:
            src = node.attributes.get("src") or ""
            if tag == "script" and src in allowed_scripts:
                continue
            if tag == "svg" and "graph-svg" in (node.attributes.get("class") or ""):
                continue
            if (tag == "details" and dict(node.attributes) == {"class": "more"}
                    and node.parent is not None and node.parent.tag == "section"):
                continue  # a card's own fold of a long text (no note's HTML makes one)
            if (tag == "details" and dict(node.attributes) == {"class": "graph-list"}
                    and node.parent is not None and node.parent.tag in ("main", "body")):
                continue  # the graph page's list of its concepts (round 51; `<main>` cut off)
            found.append(f"<{tag}>")
        for name, value in node.attributes.items():
            if name.lower().startswith("on"):
                found.append(f"{tag}[{name}]")
            plain = "".join((value or "").split()).lower()
            if name.lower() in ("href", "src", "action", "formaction", "xlink:href") and \
                    plain.startswith(_BAD_URL):
                found.append(f"{tag}[{name}={value}]")
    return found
