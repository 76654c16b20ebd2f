"""Code inside a definition or a section's text, kept as a fenced code block.

An entry's definition and a concept page's section are their passages' texts joined. A code
passage (a notebook's code cell, a Markdown fence, an rst literal block) joined unfenced
read as prose: the web showed its lines as paragraphs, a `# comment` line as a heading. So a
code passage is written into the joined text as a fence, as CommonMark writes one, whatever
the note's format; the web renders it as code (`web/render`), and the embedded text of an
entry (`store/_embed_text`) knows where it is.
"""

from __future__ import annotations

import re

# A fence of three or more backticks alone on its line, as `fenced` writes it.
FENCED = re.compile(r"^(?P<bar>`{3,})\n(?P<code>.*?)\n(?P=bar)$", re.MULTILINE | re.DOTALL)


def fenced(code: str) -> str:
    """`code` between fence lines longer than any run of backticks in it.

    >>> print(fenced("x = 1"))
    ```
    x = 1
    ```
    >>> fenced("s = '```'").split("\\n")[0]
    '````'
    """
    code = code.strip("\n")
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    bar = "`" * max(3, longest + 1)
    return f"{bar}\n{code}\n{bar}"


def joined(parts: list[tuple[str, str]]) -> str:
    """The texts of (kind, text) parts, each code part fenced, at blank lines."""
    return "\n\n".join(fenced(t) if kind == "code" else t for kind, t in parts if t.strip())
