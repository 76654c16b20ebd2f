"""Round 42 (review42d): what qa42's Jekyll and file-name readings must leave alone in notes
that are no Jekyll page, each case rebuilt in our own words."""

from __future__ import annotations

import pytest

from grimoire.readers import read_file

_FRONT = "---\ntags: [web]\n---\n\n"


def _read(text: str, path: str) -> tuple[list[str], str]:
    docs = read_file("markdown", text.encode(), path)
    return ([e.term for d in docs for e in d.entries],
            "\n".join(p.text for d in docs for p in d.passages))


@pytest.mark.no_store
def test_liquid_quoted_in_a_vault_note_with_front_matter_stays_as_written() -> None:
    """A vault's note has front matter as a Jekyll page does. Django's `{% comment %}` quoted
    in a code span opened a comment never closed, and every line after it was blanked; a
    quoted include was cut out of its sentence; an indented block of Go template code was
    blanked line by line, and a formula of braces alone (`{{n}\\choose{k}}`) too."""
    text = _FRONT + (
        "# Template Tags\n\n"
        "A page pulls in a shared header with `{% include 'header.html' %}` at its top.\n\n"
        "Django hides a note to the developer between `{% comment %}` and its end tag.\n\n"
        "A Go template prints fields so:\n\n"
        "    {{ .Title }}\n"
        "    {% for x in y %}\n\n"
        "Autoescaping keeps the markup of a value from reaching the page.\n\n"
        "$$\n{{n}\\choose{k}}\n$$\n")
    _, body = _read(text, "vault/web/Template Tags.md")
    for words in ("{% include 'header.html' %}", "{% comment %}", "{{ .Title }}",
                  "{% for x in y %}", "Autoescaping keeps the markup", "\\choose"):
        assert words in body, (words, body)


@pytest.mark.no_store
def test_a_jekyll_page_still_loses_its_liquid_lines() -> None:
    """The same reading keeps qa42's: a figure under a list item is its caption, a comment
    that closes goes whole, a highlight that ends is a fence."""
    text = _FRONT + (
        "- Margins\n\n"
        '    {% include image.html url="a.png" description="The band narrows." %}\n\n'
        "{% comment %}\nan old figure\n{% endcomment %}\n\n"
        "{% highlight python %}\nwidth = 2\n{% endhighlight %}\n")
    docs = read_file("markdown", text.encode(), "site/_notes/svm.md")
    body = "\n".join(p.text for d in docs for p in d.passages)
    assert "The band narrows." in body and "{%" not in body and "old figure" not in body, body
    assert [p.text.strip() for d in docs for p in d.passages if p.kind == "code"] == ["width = 2"]


@pytest.mark.no_store
def test_a_name_in_snake_case_keeps_its_leading_number() -> None:
    """`8_bit_quantization.md` was the concept "bit_quantization" and `3_body_problem.md`
    "body_problem": where "_" is the file's blank throughout, the number is the name's. An
    order number is still dropped (`06_LSTM`, `2_attention heads`, `01_linear_models`)."""
    body = "\n\nA sentence that says what this note is about, in plain words.\n"
    for name, term in (("8_bit_quantization", "8_bit_quantization"),
                       ("3_body_problem", "3_body_problem"), ("06_LSTM", "LSTM"),
                       ("2_attention heads", "attention heads"),
                       ("01_linear_models", "linear_models")):
        terms, _ = _read(body, f"notes/{name}.md")
        assert terms == [term], (name, terms)


@pytest.mark.no_store
def test_a_welcome_to_a_named_thing_is_its_note() -> None:
    """"Welcome to Kubernetes" titled a note about Kubernetes; a home page's "Welcome!" or
    "Welcome to my notes" names nothing still."""
    text = "# Welcome to Kubernetes\n\nKubernetes schedules containers across machines.\n"
    assert _read(text, "notes/k8s.md")[0] == ["Welcome to Kubernetes"]
    for title in ("Welcome!", "Welcome to my notes", "Welcome to the wiki"):
        assert _read(f"# {title}\n\nThe pages are listed below.\n", "site/index.md")[0] == [], \
            title


@pytest.mark.no_store
def test_a_line_of_blanks_after_an_open_highlight_is_read() -> None:
    """Finding whether a page closes a highlight searched the whole text with a pattern that
    opens with `[ \\t]*`: quadratic on a run of blanks (80,000 took 20 s, a megabyte would
    not return). The line is read, as text: no highlight closes it."""
    text = _FRONT + "{% highlight python " + " " * 1_000_000 + "\nThe end of the page.\n"
    _, body = _read(text, "site/_notes/blank.md")
    assert "{% highlight python" in body and "The end of the page." in body
