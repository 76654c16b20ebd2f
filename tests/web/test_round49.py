"""Round 49 (faces49): a LaTeX lecture on every face. Its source page shows the file as
written (its lines were drawn one by one: `\\R` a macro its preamble defines, a display split
over lines as TeX beside drawn formulas); a formula drops what prints nothing (a slide's
`\\pause`), and draws a spaced operator name, a boxed text command and text holding math,
which latex2mathml showed as TeX; an Anki card's MathJax gets no `\\pause` either. `--format`'s
names fit 80 columns in `--help`."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from fastapi.testclient import TestClient

import grimoire
from grimoire.cli import main
from grimoire.export.anki import _math_field
from grimoire.web.render import math_html
from tests.conftest import write_notes
from tests.web.conftest import make_app

LECTURE = r"""\documentclass{beamer}
\newcommand{\R}{\mathbb{R}}
\title{Kernel Methods Lecture}
\begin{document}

\section{Feature maps}
A feature map $\phi:\mathcal{X}\to\R^d$ sends each input to a vector.

\section{Kernel trick}
The kernel trick is a way to work in a feature space through inner products alone.
Ridge regression picks
$$\hat{w} = \operatornamewithlimits{arg\,min}_{w} J(w) \pause$$
where $\mbox{\textbf{Excess Risk}} = R(\hat f) - R(f^*)$, at \cite{rahimi2007} cost, and
\begin{equation}
\xi(\theta) = 2\theta \quad \mbox{for $0<\theta<1$}
\end{equation}
\end{document}
"""


def test_a_latex_lecture_on_the_web_and_in_anki(tmp_path: Path) -> None:
    """The source page of a .tex file drew `$\\phi:\\mathcal{X}\\to\\R^d$` with `\\R` as
    typed, and its full path ran past a phone's width. The concept page drew "\\pause",
    `\\operatornamewithlimits{arg\\,min}` as seven italic letters, `\\mbox{\\textbf{Excess
    Risk}}` as its TeX, and `\\mbox{$2\\theta$ for ...}` as source."""
    notes = write_notes(tmp_path / "notes", {"kernels.tex": LECTURE})
    db = tmp_path / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([notes], embed=False)
        kb.resolve()
    app, kb = make_app(db)
    path = str((notes / "kernels.tex").resolve())
    with kb, TestClient(app, base_url="http://127.0.0.1:8000") as c:
        source = c.get("/source", params={"path": path, "hl": "9-13"})
        trick = c.get("/c/Kernel trick")
    assert source.status_code == 200 and trick.status_code == 200
    body = source.text[source.text.index('class="source'):]
    assert "<math" not in body and r"$\phi:\mathcal{X}\to\R^d$" in body, body[:2000]
    assert '<p class="dim path">' in source.text  # `.path` wraps anywhere (app.css)

    page = trick.text[trick.text.index("<main"):]
    assert r"\pause" not in page and r"\textbf" not in page and r"\mbox" not in page, page
    assert 'class="tex"' not in page, page  # no formula shown as its source
    # a display sets an operator's limits under it (latex2mathml's `msub` drew them beside)
    assert '<munder><mo movablelimits="true">arg\u2009min</mo>' in page, page
    assert '<mtext mathvariant="bold">Excess\xa0Risk</mtext>' in page, page
    assert "<mtext>for\xa0</mtext>" in page and "[rahimi2007]" in page, page
    # `$$…$$` inside a sentence is display in a LaTeX file (its reader writes `$$` for
    # display math only); a Markdown note keeps kramdown's reading (inline there)
    at = page.index("Ridge regression picks")
    picks = page[at:page.index("where", at)]
    assert picks.count('<span class="math-block">') == 1, picks  # faces55: in parts
    assert 'display="block"' in picks and 'display="inline"' not in picks, picks

    assert "<munder><mo>min</mo>" in str(math_html(r"\min_w f", True))
    assert "<msub><mo>min</mo>" in str(math_html(r"\min_w f"))  # inline: beside, as TeX
    assert "<msub><mi>x</mi>" in str(math_html(r"x_i", True))
    # each piece alone, and `$\pause$` draws nothing (it was "\pause" as code)
    assert str(math_html(r"\pause")) == ""
    assert r"\onslide" not in str(math_html(r"\onslide<2->{x} + \only<3>{y}"))
    assert re.search(r"<mi>x</mi>.*<mi>y</mi>", str(math_html(r"\onslide<2->{x} + \only<3>{y}")))
    # Anki's MathJax drew an unknown `\pause` in red; a formula of nothing else is left out
    card = _math_field(r"Then $x \pause + y$ and $\pause$ done.")
    assert card == r"Then \(x  + y\) and  done.", card


def test_the_format_option_fits_80_columns() -> None:
    """`--format [pdf|notebook|...|latex|html|text]` was 86 columns in `search --help` and
    `ingest --help` once LaTeX was a reader (click does not wrap an option's name): it is
    `--format FORMAT` now, the names at the end of its help, wrapped."""
    runner = CliRunner()
    for command in ("search", "ingest"):
        got = runner.invoke(main, [command, "--help"], terminal_width=80)
        assert got.exit_code == 0, got.output
        assert max(map(len, got.output.splitlines())) <= 80, got.output
        assert "--format FORMAT" in got.output
        shown = " ".join(got.output.split())
        assert "latex, typst, asciidoc, tiddlywiki, html, text." in shown, got.output
    wrong = runner.invoke(main, ["search", "--format", "tex", "x", "--json"])
    assert wrong.exit_code == 2 and "'latex'" in wrong.output, wrong.output


def _contrast(one: str, two: str) -> float:
    """WCAG's contrast ratio of two `#rrggbb` (or `#rgb`) colours."""
    def luminance(colour: str) -> float:
        if len(colour) == 4:
            colour = "#" + "".join(c * 2 for c in colour[1:])
        rgb = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    hi, lo = sorted((luminance(one), luminance(two)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_colours_read_in_light_and_dark() -> None:
    """Dark mode drew a button's white words on its light blue (2.3:1: "Search", "Ask",
    "Show") and a matched word on its mark at 4.0:1; WCAG AA asks 4.5:1 of text. Each pair
    of app.css's colours that text is drawn in, in both schemes."""
    css = (Path(grimoire.__file__).parent / "web" / "static" / "app.css").read_text()
    colour = re.compile(r"--([a-z-]+): (#[0-9a-f]{6}|#[0-9a-f]{3})\b")
    light = dict(colour.findall(css[:css.index("@media")]))
    dark = {**light, **dict(colour.findall(
        css[css.index("prefers-color-scheme: dark"):].split("}", 1)[0]))}
    assert "color: var(--on-accent)" in css
    for scheme in (light, dark):
        pairs = {("on-accent", "accent"), ("fg", "mark"), ("fg", "bg"), ("fg", "card"),
                 ("dim", "bg"), ("dim", "card"), ("accent", "bg"), ("accent", "card"),
                 ("fg", "hl"), ("fg", "code")}
        low = {(f, b): round(_contrast(scheme[f], scheme[b]), 2) for f, b in pairs
               if _contrast(scheme[f], scheme[b]) < 4.5}
        assert not low, (scheme is dark, low)
