"""Round 45 (wanted45): lint's findings on public notes that were no fault of the notes.

A course keeps its slides as Markdown and, beside them, the PDF each renders to: every PDF
repeated its source (12 of one course's 23 near-duplicate findings). A PDF of slides shows a
slide again with one more point (a build), and a paper's every page carries the same
download stamp: each repeated its own pages (9 findings in three repositories). Neither is a
copy an editor would remove; nor is a solution that repeats its exercise (2 findings). A note
copied into another note, or into a PDF of another name, still is. Notes written here."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ingested, write_notes
from tests.readers._pdfgen import pdf_bytes

_LOSS = [
    "Cross-entropy loss compares the predicted class probabilities with the true label and "
    "grows without bound as the probability given to the right class falls towards zero.",
    "Label smoothing moves a little of the target mass from the right class to the others so "
    "that the model is never pushed to give one class a probability of exactly one.",
]
_BUILD = [
    "Why hold out a validation split: the rows it keeps back are never used to fit the "
    "weights, so the score on them says how the model does on rows it has not seen, and "
    "that score is what every choice of settings is judged by",
    "it shows when memorising starts",
    "it compares settings fairly",
]
_HANDED = ("Weight decay adds the squared size of the weights to the loss, so that of two "
           "fits that explain the data equally well the one with smaller weights wins.")
_TASK = ("Train the small network twice, once with dropout after each hidden layer and once "
         "without it, and plot both validation curves on one figure to compare them.")
_COPIED = ("Early stopping halts training once the validation loss has not improved for a "
           "set number of epochs and keeps the weights from the best epoch seen so far.")


def _notes(root: Path) -> Path:
    write_notes(root, {
        # the slides as written, and a note that copies a paragraph of another note
        "lectures/04-loss/04-loss.md": "# Loss functions\n\n" + "\n\n".join(_LOSS) + "\n",
        "lectures/05-training/05-training.md": "# Training\n\n" + _COPIED + "\n",
        "lectures/05-training/summary.md": "# Summary\n\n" + _COPIED + "\n",
        "lectures/07-regularisation.md": "# Regularisation\n\n" + _HANDED + "\n",
        # an exercise and its solution, which repeats the exercise's text
        "lab/08_dropout.md": "# Lab\n\n" + _TASK + "\n",
        "lab/08_dropout_solution.md": "# Lab\n\n" + _TASK + "\n\nAnswer: p = 0.5.\n",
    })
    (root / "pdfs").mkdir()
    # the PDF the slides render to: the same text
    (root / "pdfs/04-loss.pdf").write_bytes(pdf_bytes([["Loss functions", *_LOSS]]))
    # a deck whose slide is shown again with each new point (a build)
    (root / "pdfs/06-validation.pdf").write_bytes(pdf_bytes(
        [_BUILD[:1], _BUILD[:2], _BUILD[:3]]))
    # a handout of another name that copies a note: still a copy to remove
    (root / "pdfs/handout.pdf").write_bytes(pdf_bytes([["Handout", _HANDED]]))
    return root


def test_a_rendered_pdf_a_decks_builds_a_solution_are_no_near_duplicates(tmp_path: Path) -> None:
    with ingested(tmp_path / "kb.db", _notes(tmp_path / "notes"), embed=False) as kb:
        found = [f for f in kb.lint().findings if f.group == "near-duplicate"]
    pairs = sorted(tuple(sorted(p.rsplit("/", 1)[-1] for p in (f.span.path, f.other.path)))
                   for f in found if f.other is not None)
    # the note copied into another note, and the handout's copy of a note
    assert ("05-training.md", "summary.md") in pairs
    assert ("07-regularisation.md", "handout.pdf") in pairs
    # not the PDF against the slides it renders, nor a deck's slide against its build
    assert ("04-loss.md", "04-loss.pdf") not in pairs
    assert ("06-validation.pdf", "06-validation.pdf") not in pairs
    # nor an exercise against its solution
    assert ("08_dropout.md", "08_dropout_solution.md") not in pairs
    assert len(found) == 2, [str(f) for f in found]


def test_a_wanted_variant_of_a_defined_name_is_not_offered_it(tmp_path: Path) -> None:
    """"QLoRA Fine-Tuning", wanted in a public glossary, was offered "did you mean LoRA
    Fine-Tuning?": one letter more at the start of a short word names a variant in a longer
    name as it does alone (QLoRA, DoRA, SELU), no typo. A typo inside a word is still
    offered its name ("Name-Entity Recognition")."""
    notes = write_notes(tmp_path / "notes", {
        "LoRA Fine-Tuning.md": "# LoRA Fine-Tuning\n\nLoRA fine-tuning trains two small "
                               "low-rank matrices beside each frozen weight matrix.\n",
        "Named Entity Recognition.md": "# Named Entity Recognition\n\nNamed entity "
                                       "recognition tags each word of a text as a person, a "
                                       "place, an organisation or none of them.\n",
        "Adapters.md": "# Adapters\n\nAdapters are small layers added to a frozen model; "
                       "see [[QLoRA Fine-Tuning]] and [[Name-Entity Recognition]].\n",
    })
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        wanted = {f.concept: f.message for f in kb.lint().findings if f.group == "wanted"}
    assert set(wanted) == {"QLoRA Fine-Tuning", "Name-Entity Recognition"}, wanted
    assert "did you mean" not in wanted["QLoRA Fine-Tuning"]
    assert wanted["Name-Entity Recognition"].endswith("did you mean Named Entity Recognition?")
