"""Presentation MathML that carries no TeX, written as TeX.

docutils (`--math-output=MathML`, Sphinx's default HTML builder off MathJax), pandoc's
`--mathml` and hand-written pages give `<math>` with no `<annotation encoding=
"application/x-tex">` and no `alttext`. Read as HTML, each `<mi>`, `<mo>` and `<mn>` was a line
of its own: "Has hyperparameters / alpha / , / beta / 1 / ..." on a concept page, in search
snippets and in answers. The layout elements map onto TeX one to one; tokens keep their
Unicode (KaTeX and MathML render `θ_i` as they render `\\theta_i`).
"""

from __future__ import annotations

from selectolax.lexbor import LexborNode

MAX_DEPTH = 64  # deeper layout is read as its text: each node is still visited once

_ESCAPES = str.maketrans({"{": r"\{", "}": r"\}", "$": r"\$", "%": r"\%", "#": r"\#",
                          "&": r"\&", "_": r"\_", "\\": r"\backslash "})
_ACCENTS = {"^": r"\hat", "\u02c6": r"\hat", "~": r"\tilde", "\u02dc": r"\tilde", "¯": r"\bar",
            "‾": r"\bar", "→": r"\vec", "⃗": r"\vec", "˙": r"\dot", "¨": r"\ddot",
            # docutils' \bar (U+02C9) and \overline (an escaped "_"), review32
            "\u02c9": r"\bar", r"\_": r"\overline"}
_SKIP = frozenset({"annotation", "annotation-xml", "mphantom", "none", "mprescripts"})


def mathml_tex(math: LexborNode) -> str:
    """The TeX of a `<math>` element's presentation markup ("" when it has none)."""
    return " ".join(_tex(math, 0).split())


def _children(node: LexborNode) -> list[LexborNode]:
    out = []
    child = node.child
    while child is not None:
        tag = child.tag or ""
        text = tag == "-text" and bool((child.text_content or "").strip())
        if text or (not tag.startswith("-") and tag not in _SKIP):
            out.append(child)
        child = child.next
    return out


def _group(tex: str) -> str:
    """An argument of `_`, `^` or a command: braced unless one character."""
    return tex if len(tex) == 1 else "{" + tex + "}"


def _tex(node: LexborNode, depth: int) -> str:
    tag = (node.tag or "").lower()
    if tag == "-text":
        return (node.text_content or "").strip().translate(_ESCAPES)
    if depth > MAX_DEPTH:
        return (node.text(deep=True) or "").strip().translate(_ESCAPES)
    kids = _children(node)
    parts = [_tex(k, depth + 1) for k in kids]
    if tag in ("mi", "mn", "mo", "ms"):
        return "".join(parts)
    if tag == "mtext":
        text = "".join(parts)
        return r"\text{" + text + "}" if text.strip() else " "
    if tag == "mspace":
        return " "
    if tag == "semantics":
        return parts[0] if parts else ""
    if len(parts) >= 2:
        base, first = parts[0], parts[1]
        if tag in ("msub", "munder"):
            return f"{_group(base)}_{_group(first)}"
        if tag in ("msup",):
            return f"{_group(base)}^{_group(first)}"
        if tag == "mover":
            accent = _ACCENTS.get(first)
            return (f"{accent}{{{base}}}" if accent
                    else rf"\overset{{{first}}}{{{base}}}")
        if tag in ("msubsup", "munderover") and len(parts) >= 3:
            accent = _ACCENTS.get(parts[2]) if tag == "munderover" else None
            if accent:  # docutils' \hat{m}_t
                return f"{accent}{{{base}}}_{_group(first)}"
            return f"{_group(base)}_{_group(first)}^{_group(parts[2])}"
        if tag == "mfrac":
            return rf"\frac{{{base}}}{{{first}}}"
        if tag == "mroot":
            return rf"\sqrt[{first}]{{{base}}}"
    if tag == "msqrt":
        return r"\sqrt{" + "".join(parts) + "}"
    if tag == "mtable":
        return r"\begin{matrix} " + r" \\ ".join(parts) + r" \end{matrix}"
    if tag in ("mtr", "mlabeledtr"):
        return " & ".join(parts)
    if tag == "mfenced":
        attrs = node.attributes
        inner = (attrs.get("separators") or ",").strip()[:1] or ","
        fence = ((attrs.get("open") or "(").translate(_ESCAPES),
                 (attrs.get("close") or ")").translate(_ESCAPES))
        return fence[0] + inner.join(parts) + fence[1]
    # math, mrow, mstyle, mpadded, menclose, merror, mtd, an unknown tag: its parts in a row
    return " ".join(p for p in parts if p)
