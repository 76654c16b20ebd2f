"""A book's labels across its files (round 37, `resolve.labels`): a MyST `(label)=` or a
Quarto `{#sec-label}` on a heading of one chapter, referred to from another chapter
(`{ref}`label``, `[text](#label)`, `<project:#label>`, `@sec-label`, `@fig-label` of a
figure in a labelled chunk or image), leads to the concept of the labelled heading, in a full
resolve on both engines and in an incremental one; a label that moves to another file, or
disappears, moves the links that name it; a label two files define is ambiguous, and lint
says so."""

from __future__ import annotations

from pathlib import Path

from grimoire.ingest import ingest
from grimoire.lint import concept_findings
from grimoire.names import normalize
from grimoire.resolve import load_overrides, refresh, resolve
from grimoire.resolve.view import dead_links
from grimoire.store import Store, open_store
from tests.conftest import write_notes

# MyST: the label sits on the line above the heading.
GRADIENTS = """# Gradient checks

(grad-check)=
## Finite differences

Compare each analytic gradient with a centred difference of the loss, one weight at a time.
"""
# Quarto: the label follows the heading.
SCHEDULES = """# Learning rate

## Warmup schedules {#sec-warmup}

Raise the step size linearly over the first few hundred updates, then let it decay.

```{python}
#| label: fig-ramp
#| echo: false
plot_ramp()
```

![The decay after the ramp](decay.png){#fig-decay width=50%}
"""
OVERVIEW_MD = """# Overview

Before trusting a new layer, run the checks in {ref}`grad-check`, or read
[the difference test](#grad-check) first (<project:#grad-check> has the recipe).
"""
OVERVIEW_QMD = """# Tuning

Start from the ramp in @sec-warmup, as [the warmup chapter](#sec-warmup) explains;
@fig-ramp draws it and @fig-decay shows what follows.
"""


def _book(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "gradients.md").write_text(GRADIENTS, encoding="utf-8")
    (folder / "overview.md").write_text(OVERVIEW_MD, encoding="utf-8")
    (folder / "schedules.qmd").write_text(SCHEDULES, encoding="utf-8")
    (folder / "tuning.qmd").write_text(OVERVIEW_QMD, encoding="utf-8")
    return folder


def _label_links(store: Store, name: str) -> list[tuple[str, str, str]]:
    """The links into the concept named `name`: (file, target as written, status). A short
    labelled section is a section of its page's concept (no entry of its own)."""
    (match,) = store.concepts_named(normalize(name))
    return sorted((m.span.path.rsplit("/", 1)[-1], m.target, m.status)
                  for m in store.concept_links(match.concept_id, incoming=True))


def test_a_reference_reaches_the_labelled_heading_of_another_file(
        store: Store, tmp_path: Path) -> None:
    folder = _book(tmp_path / "book")
    ingest(store, [folder], workers=1)
    resolve(store, load_overrides(store.source_roots()))
    assert _label_links(store, "Gradient checks") == [
        ("overview.md", "grad-check", "resolved")] * 3
    # A figure's label (a chunk option, an image's attribute) names the section it is in.
    assert _label_links(store, "Learning rate") == [
        ("tuning.qmd", "fig-decay", "resolved"), ("tuning.qmd", "fig-ramp", "resolved"),
        ("tuning.qmd", "sec-warmup", "resolved"), ("tuning.qmd", "sec-warmup", "resolved")]
    unresolved = {use.name for status in ("wanted", "dead", "elsewhere", "ambiguous")
                  for use in store.unresolved_links(status)}
    assert not unresolved & {"grad-check", "sec-warmup", "fig-ramp", "fig-decay"}


def test_a_label_two_files_define_is_ambiguous(store: Store, tmp_path: Path) -> None:
    folder = _book(tmp_path / "book")
    # A second chapter labels another heading `grad-check` too.
    (folder / "appendix.md").write_text(
        "# Appendix\n\n(grad-check)=\n## Complex-step derivatives\n\n"
        "A tiny imaginary step gives the derivative without cancellation.\n", encoding="utf-8")
    ingest(store, [folder], workers=1)
    resolve(store, load_overrides(store.source_roots()))
    ambiguous = [use for use in store.unresolved_links("ambiguous") if use.name == "grad-check"]
    assert len(ambiguous) == 3
    assert [m for m in _label_links(store, "Gradient checks") if m[1] == "grad-check"] == []
    found = [f for f in concept_findings([], dead_links(store), [],
                                         label_places=store.label_places)
             if "grad-check" in f.message]
    # Named with where each file labels it (round 38): the text under each labelled heading.
    assert len(found) == 3 and all(
        f.group == "dead-link" and "is defined in 2 files (appendix.md:6, gradients.md:6)"
        in f.message for f in found), found


def test_a_label_that_moves_or_disappears_moves_its_links_incrementally(
        tmp_path: Path) -> None:
    folder = _book(tmp_path / "book")
    store = open_store(str(tmp_path / "kb.db"))
    overrides = load_overrides([str(folder)])
    ingest(store, [folder], workers=1)
    resolve(store, overrides)
    # The label moves to a new chapter: the references follow it, no full resolve.
    (folder / "gradients.md").write_text(GRADIENTS.replace("(grad-check)=\n", ""),
                                         encoding="utf-8")
    (folder / "checks.md").write_text(
        "# Checks\n\n(grad-check)=\n## Gradient probes\n\n"
        "Perturb one input and watch how the output moves.\n", encoding="utf-8")
    ingest(store, [folder], workers=1)
    report = refresh(store, overrides)
    assert report.incremental
    assert [m[2] for m in _label_links(store, "Checks")] == ["resolved"] * 3
    assert [m for m in _label_links(store, "Gradient checks") if m[1] == "grad-check"] == []
    incremental = sorted(store.dump("link_targets"))
    resolve(store, overrides)
    assert sorted(store.dump("link_targets")) == incremental
    # The label disappears: its references lead nowhere any more.
    (folder / "checks.md").unlink()
    ingest(store, [folder], workers=1)
    assert refresh(store, overrides).incremental
    assert "grad-check" not in {m[1] for m in _label_links(store, "Gradient checks")}
    incremental = sorted(store.dump("link_targets"))
    resolve(store, overrides)
    assert sorted(store.dump("link_targets")) == incremental
    store.close()


def test_a_label_keeps_its_page_when_another_file_defines_the_headings_words(
        tmp_path: Path) -> None:
    """review37b: a new page titled like a labelled heading (no entry of its own page) takes
    none of the label's references, and an incremental resolve agrees with a full one (it
    moved two of four, keyed by the label, not by the heading's words)."""
    folder = _book(tmp_path / "book")
    store = open_store(str(tmp_path / "kb.db"))
    overrides = load_overrides([str(folder)])
    ingest(store, [folder], workers=1)
    resolve(store, overrides)
    before = _label_links(store, "Learning rate")
    (folder / "warmup.md").write_text(
        "# Warmup schedules\n\nA warmup schedule raises the step size from near zero over "
        "the first updates of training.\n", encoding="utf-8")
    ingest(store, [folder], workers=1)
    assert refresh(store, overrides).incremental
    assert _label_links(store, "Learning rate") == before
    incremental = sorted(store.dump("link_targets"))
    resolve(store, overrides)
    assert sorted(store.dump("link_targets")) == incremental
    assert _label_links(store, "Warmup schedules") == []
    store.close()


CHECKS_RST = ("Checks\n======\n\nWhat to check before training.\n\n.. _Grad-Check:\n\n"
              "Finite differences\n------------------\n\nCompare each analytic gradient with a "
              "centred difference of the loss.\n")
OVERVIEW_RST = "Overview\n========\n\nRun :ref:`Grad-Check` before trusting a new layer.\n"


def test_a_sphinx_label_is_found_whatever_its_case(store: Store, tmp_path: Path) -> None:
    """review37b: docutils lists `.. _Grad-Check:` as "grad-check" and Sphinx lowercases a
    `:ref:` target too; `:ref:`Grad-Check`` in another file led nowhere."""
    folder = write_notes(tmp_path / "docs", {
        "checks.rst": CHECKS_RST,
        "overview.rst": OVERVIEW_RST,
    })
    ingest(store, [folder], workers=1)
    resolve(store, load_overrides(store.source_roots()))
    assert _label_links(store, "Checks") == [("overview.rst", "Grad-Check", "resolved")]


def test_a_sphinx_label_of_another_case_moves_incrementally(tmp_path: Path) -> None:
    folder = write_notes(tmp_path / "docs", {
        "checks.rst": CHECKS_RST,
        "overview.rst": OVERVIEW_RST,
    })
    store = open_store(str(tmp_path / "kb.db"))
    overrides = load_overrides([str(folder)])
    ingest(store, [folder], workers=1)
    resolve(store, overrides)
    (folder / "checks.rst").write_text(CHECKS_RST.replace(".. _Grad-Check:\n\n", ""),
                                       encoding="utf-8")
    ingest(store, [folder], workers=1)
    assert refresh(store, overrides).incremental
    assert _label_links(store, "Checks") == []
    incremental = sorted(store.dump("link_targets"))
    resolve(store, overrides)
    assert sorted(store.dump("link_targets")) == incremental
    store.close()
