"""review32: a long entry on one line is folded on its concept page as a long entry of many
lines is (round 32's `web/render.halves`)."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

import grimoire
from grimoire import readers
from tests.conftest import write_notes
from tests.web.conftest import make_app


def test_a_paragraph_of_100000_characters_on_one_line_is_folded(corpora: Path,
                                                                 tmp_path: Path) -> None:
    # A page's text read as one paragraph, on one line (Distill's CTC article, its prose joined):
    # halves() folded only at a line end, and a line of 100,000 characters has none inside it:
    # the card showed all of it, and the cards under it were out of reach.
    html = readers.by_name("html")
    page = html.read((corpora / "distill-articles" / "ctc.html").read_bytes(), "ctc.html")[0]
    prose = " ".join(p.text.replace("\n", " ") for p in page.passages if p.kind == "text")
    line = ""
    while len(line) < 100_000:
        line += prose + " "
    notes = write_notes(tmp_path / "notes", {
        "ctc.md": f"# Connectionist Temporal Classification\n\n{line.strip()}\n",
    })
    db = tmp_path / "kb.db"
    with grimoire.open(db) as kb:
        kb.ingest([notes], embed=False)
    app, kb = make_app(db)
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        body = client.get("/c/Connectionist Temporal Classification").text
    kb.close()
    card = body[body.index('<div class="prose">'):]
    shown = card[:card.index("</div>")]
    assert '<details class="more"><summary>Show the rest (' in card
    assert 1_000 < len(re.sub(r"<[^>]+>", "", shown)) < 5_000, len(shown)
