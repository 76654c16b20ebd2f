"""Code references in documentation Markdown (issue 10 round 2, item 2): [`BertModel`],
[`~Trainer.train`] and `[[autodoc]] X` name objects of a library's API, not concepts. They
resolve to a concept of that name (or of their class) when the notes define one, and are
otherwise external references, never wanted pages."""

from __future__ import annotations

from pathlib import Path

from grimoire.model import LinkKind
from grimoire.readers import markdown
from tests.conftest import ingested, write_notes

PAGE = """# Fine-tuning guide

The [`Trainer`] runs the loop; call [`~Trainer.train`] to start and load weights with
[`~transformers.AutoModel.from_pretrained`]. A [`BertModel`] is a backbone.

## Trainer

The Trainer is the class that runs the training loop of a model, with its optimizer and
its schedule, and saves checkpoints as it goes.

[[autodoc]] Trainer
    - train
    - evaluate

## Callbacks

[[autodoc]] TrainerCallback
"""


def test_code_references_are_api_links(tmp_path: Path) -> None:
    (doc,) = markdown.read(PAGE.encode(), "guide.md")
    api = {(x.target, x.label) for x in doc.links if x.kind == LinkKind.API}
    assert api >= {("Trainer", "Trainer"), ("Trainer.train", "~Trainer.train"),
                   ("AutoModel.from_pretrained", "~transformers.AutoModel.from_pretrained"),
                   ("BertModel", "BertModel"), ("TrainerCallback", None)}
    assert not any(t in ("train", "evaluate") or t.startswith("-") for t, _ in api)
    assert not any(k == LinkKind.WIKILINK for k in (x.kind for x in doc.links))


def test_code_references_are_never_wanted(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "guide.md": PAGE,
    })
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        assert [w.name for w in kb.wanted()] == []
        # the one the notes define resolves, by its name or its class
        mentions = {(m.target, m.status) for m in kb.backlinks("Trainer")}
        assert {("Trainer", "resolved"), ("Trainer.train", "resolved")} <= mentions
