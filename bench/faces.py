"""What the faces show of each concept, counted on real stores (round 35).

    python bench/faces.py /work/cache/faces35/stores/*.db

Per store: the entries with neither a definition nor a redirect (a page named by its title),
how many of them have opening words to show (`Grimoire.said`, which the web page, `grimoire
show`, `show --json`, MCP's `show` and the jsonl, anki and site exports all use), how many of
those openings still hold reStructuredText or Markdown markup (an underline, a directive, a
badge's `](`), and the names a face would show that no note wrote (`Concept.shown_names` of
reason "spelling"; those kept only to match are `matched_names`).

Round 36: the outgoing links `show` lists as wanted that are file links (`[x](a.md)`, a dead
link to lint), those it lists as dead links, and those that lead out of the notes; and the
shown names that leave out a kind word the label keeps ("A Neural Conversational" of "A
Neural Conversational Model"). Opening a store resolved by older rules resolves it again.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import grimoire
from grimoire.resolve.links import FILE_LINKS

MARKUP = re.compile(r"={4,}|-{4,}|^\.\. |\s\.\. \w|\]\(|!\[")


def survey(path: Path) -> dict[str, int]:
    counts = dict.fromkeys(("concepts", "no_definition", "opening", "markup", "shown_spellings",
                            "matched_spellings", "wanted_files", "dead", "elsewhere",
                            "headless_shown"), 0)
    with grimoire.open(path, create=False) as kb:
        for summary in kb.concepts():
            concept = kb.concept(summary.label, concept_id=summary.id)
            counts["concepts"] += 1
            openings = {s.entry_id: s for s in kb.said(concept) if s.kind == "opening"}
            for stored in concept.entries:
                e = stored.entry
                if e.definition.strip() or e.redirect:
                    continue
                counts["no_definition"] += 1
                if stored.id in openings:
                    counts["opening"] += 1
                    counts["markup"] += bool(MARKUP.search(openings[stored.id].text))
            counts["shown_spellings"] += sum(n.reason == "spelling" for n in concept.shown_names)
            counts["matched_spellings"] += len(concept.matched_names)
            counts["wanted_files"] += sum(m.kind in FILE_LINKS for m in concept.wanted)
            counts["dead"] += sum(m.status == "dead" for m in concept.links)
            counts["elsewhere"] += sum(m.status == "elsewhere" for m in concept.links)
            label = concept.label.casefold()
            counts["headless_shown"] += sum(
                n.reason == "without kind" and label.startswith(n.name.casefold() + " ")
                and concept.kind is None for n in concept.shown_names)
    return counts


def main() -> None:
    for arg in sys.argv[1:]:
        c = survey(Path(arg))
        print(f"{Path(arg).stem}: {c['concepts']} concepts; {c['no_definition']} entries with no "
              f"definition, {c['opening']} with opening words ({c['markup']} holding markup); "
              f"spellings shown {c['shown_spellings']}, kept to match {c['matched_spellings']}; "
              f"file links shown as wanted {c['wanted_files']}, dead {c['dead']}, out of the "
              f"notes {c['elsewhere']}; names without a kind word the label keeps shown "
              f"{c['headless_shown']}")


if __name__ == "__main__":
    main()
