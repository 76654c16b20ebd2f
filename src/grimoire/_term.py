"""Text on its way to a terminal: control characters made visible, rich markup made literal.

Notes, file names, model replies and server error texts are written by others. Printed raw,
`ESC[2J` clears the screen, `OSC 52` writes the clipboard, `OSC 8` hides a link, U+202E turns
`gpj.exe` into `exe.jpg`, and a newline or tab in a file name breaks `list`'s one record per
line (issue 11, item 5). Every string that did not come from our own code goes through one of:

- `clean`: control characters (C0 but newline/tab when kept, DEL, C1), bidi controls and line
  separators become visible escapes such as `\\x1b` and `\\u202e`;
- `safe`: `clean`, then rich markup escaped, for text printed through a rich console
  (`[/]` in a path would otherwise raise MarkupError);
- `field`: `clean` with newline and tab escaped too, for tab-separated lines;
- `json_text`: serialized JSON with the characters JSON leaves raw (C1, DEL, bidi) escaped as
  `\\uXXXX`, which decodes to the same data.
"""

from __future__ import annotations

import re

# C0 except tab and newline, DEL, C1, Arabic letter mark, LRM/RLM, line/paragraph separators,
# embeddings/overrides (U+202A-202E) and isolates (U+2066-2069).
_UNSAFE = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[{_UNSAFE}]")
_CONTROL_OR_SPACING = re.compile(f"[{_UNSAFE}\t\n]")
_JSON_RAW = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _visible(m: re.Match[str]) -> str:
    code = ord(m.group(0))
    if m.group(0) == "\n":
        return "\\n"
    if m.group(0) == "\t":
        return "\\t"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: str, *, lines: bool = True) -> str:
    """`text` with control and bidi characters shown as escapes; `lines=False` also escapes
    newline and tab (a file name, a table cell)."""
    pattern = _CONTROL if lines else _CONTROL_OR_SPACING
    return pattern.sub(_visible, text)


# What rich reads as a tag (`[bold]`, `[/]`, `[link=…]`), with the backslashes before it.
_TAG = re.compile(r"(\\*)(\[[a-z#/@][^\[]*?\])")


def _escaped(m: re.Match[str]) -> str:
    return m.group(1) * 2 + "\\" + m.group(2)


def safe(text: str, *, lines: bool = True) -> str:
    """`clean`, then rich markup escaped: for any outside text inside a rich `print`. Done
    here as rich's `escape` does it (each tag's backslashes doubled and one more before it,
    a lone backslash at the end doubled), without importing rich (28 modules): a piped
    `show` prints through `unmarked` instead (round 53)."""
    escaped = _TAG.sub(_escaped, clean(text, lines=lines))
    return escaped + "\\" if escaped.endswith("\\") and not escaped.endswith("\\\\") \
        else escaped


def unmarked(markup: str) -> str:
    """The text rich prints for `markup` where it shows no style (piped): its tags taken off,
    an escaped one (`\\[bold]`) kept as written, each pair of backslashes before a tag one,
    `\\[` a bracket, as `rich.markup.render` reads them."""
    if "[" not in markup:
        return markup
    out: list[str] = []
    pos = 0
    for m in _TAG.finditer(markup):
        out.append(markup[pos:m.start()].replace("\\[", "["))
        pairs, escaped = divmod(len(m.group(1)), 2)
        out.append("\\" * pairs)
        if escaped:
            out.append(m.group(2))
        pos = m.end()
    out.append(markup[pos:].replace("\\[", "["))
    return "".join(out)


def field(text: str) -> str:
    """One field of a tab-separated line: never a raw tab, newline or control character."""
    return clean(text, lines=False)


def packed(text: str, width: int | None, whole: tuple[str, ...] = ()) -> str:
    """`text` in lines of at most `width` cells, broken between words and never inside one of
    the `whole` phrases: "(pid 12507)" or "warnings 9" is never split across lines (an
    80-column terminal showed "(pid" at one line's end and "12507)" on the next). `width`
    None: one line. `text` may hold rich markup. A phrase wider than `width` breaks between
    its words, as any text does ("read 0 (new 0, updated 0) ·" ran 7 columns past a 20-column
    terminal, round 48)."""
    from rich.text import Text  # rich is imported when something is printed through it

    if width is None:
        return text
    for phrase in whole:
        if Text.from_markup(phrase).cell_len <= width:
            text = text.replace(phrase, phrase.replace(" ", "\0"))
    units = [unit.replace("\0", " ") for unit in text.split(" ")]
    lines: list[str] = []
    size = 0
    for unit in units:
        cells = Text.from_markup(unit).cell_len
        if lines and size + 1 + cells <= width:
            lines[-1] += " " + unit
            size += 1 + cells
        else:
            lines.append(unit)
            size = cells
    return "\n".join(lines)


def folded_path(path: str, width: int) -> list[str]:
    """A path in lines of at most `width` characters, broken after a `/` where one fits, else
    after a `-` or `_` inside a name (`sources` folded "notes/dln/2.5_imple" /
    "menting-gradient-de" at its column's edge); a run longer than `width` is cut where it
    must be."""
    lines = [""]
    parts = re.findall(r"[^/]*/|[^/]+$", path)
    parts = [bit for part in parts
             for bit in ([part] if len(part) <= width else re.findall(r"[^_-]*[_-]|[^_-]+$", part))]
    for part in parts:
        while part:
            room = width - len(lines[-1])
            if len(part) <= room:
                lines[-1] += part
                part = ""
            elif lines[-1]:
                lines.append("")
            else:
                lines[-1], part = part[:width], part[width:]
                if part:
                    lines.append("")
    return lines


def json_text(serialized: str) -> str:
    """JSON text without raw C1, DEL or bidi characters (escaped, so the data is the same)."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group(0)):04x}", serialized)


__all__ = ["clean", "field", "folded_path", "json_text", "packed", "safe", "unmarked"]
