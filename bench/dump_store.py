"""What ingest stores, as sorted text lines: to diff two versions of the readers and the writer.

    python bench/dump_store.py ../shared/corpora > before.txt
    (change the code)
    python bench/dump_store.py ../shared/corpora > after.txt && diff before.txt after.txt

Each folder is ingested (`--no-embed`, one reader worker) into a fresh SQLite file, and every
stored row of documents, entries, entry names, passages, links and both full-text indexes is
printed with its file path and line span in place of row ids, so that the output does not
depend on the order in which files were stored; then the wanted pages (names links want and no
entry defines) with every place that wants them. `--generated N` adds `bench/ingest.py`'s N
generated notes.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest import generate

# This tree's grimoire, not whichever one the venv's editable install points at.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import grimoire
from grimoire.codec import dumps_records, from_data
from grimoire.ingest import ingest
from grimoire.model import Entry
from grimoire.store import open_store
from grimoire.store.document_rows import entry_data, stored_marks
from grimoire.store.sqlite import ENTRY_FTS_VALUES, PASSAGE_FTS_VALUES

# (label, query); every query's first column is a stable key of the row's owner.
QUERIES = [
    ("source", "SELECT s.path, s.format, s.status, s.reason, s.size, s.problems FROM sources s"),
    ("document", """SELECT s.path, d.page, d.title, d.format, d.tags, d.meta, d.revision
                    FROM documents d JOIN sources s ON s.id = d.source_id"""),
    # An entry's record and a passage's marks as the store reads them back (`entry_data`,
    # `stored_marks`): the columns and file the stored JSON leaves out put back (round 38).
    ("entry", """SELECT s.path || '#' || coalesce(d.page, ''), e.term, e.norm, e.start_line,
                        e.end_line, e.redirect, e.data, s.path
                 FROM entries e JOIN documents d ON d.id = e.document_id
                 JOIN sources s ON s.id = d.source_id"""),
    ("name", """SELECT s.path || '#' || coalesce(d.page, '') || ':' || e.start_line, n.name,
                       n.norm
                FROM entry_names n JOIN entries e ON e.id = n.entry_id
                JOIN documents d ON d.id = e.document_id JOIN sources s ON s.id = d.source_id"""),
    ("passage", """SELECT s.path || '#' || coalesce(d.page, ''), p.seq, p.kind, p.heading_path,
                          p.text, p.start_line, p.end_line, p.marks, e.term, e.start_line, s.path
                   FROM passages p JOIN documents d ON d.id = p.document_id
                   JOIN sources s ON s.id = d.source_id
                   LEFT JOIN entries e ON e.id = p.entry_id"""),
    ("link", """SELECT s.path || '#' || coalesce(d.page, ''), l.target, l.norm, l.label, l.kind,
                       l.fragment, l.exists_hint, l.start_line, l.end_line, e.term
                FROM links l JOIN documents d ON d.id = l.document_id
                JOIN sources s ON s.id = d.source_id
                LEFT JOIN entries e ON e.id = l.entry_id"""),
    # The full-text tables keep no copy of the text (schema 14): each row's values as the index
    # was given them, from the rows it indexes (`PASSAGE_FTS_VALUES`).
    ("passage_fts", f"""SELECT s.path || '#' || coalesce(d.page, '') || ':' || p.seq,
                               {PASSAGE_FTS_VALUES}
                       FROM passage_fts f JOIN passages p ON p.id = f.rowid
                       JOIN documents d ON d.id = p.document_id
                       JOIN sources s ON s.id = d.source_id"""),
    ("entry_fts", f"""SELECT s.path || '#' || coalesce(d.page, '') || ':' || e.start_line,
                             {ENTRY_FTS_VALUES}
                     FROM entry_fts f JOIN entries e ON e.id = f.rowid
                     JOIN documents d ON d.id = e.document_id
                     JOIN sources s ON s.id = d.source_id"""),
    ("counts", """SELECT 'rows', (SELECT count(*) FROM passage_fts),
                         (SELECT count(*) FROM passages), (SELECT count(*) FROM entry_fts),
                         (SELECT count(*) FROM entries)"""),
]


def _as_read(label: str, row: tuple[Any, ...]) -> tuple[Any, ...]:
    if label == "entry":
        key, term, norm, start, end, redirect, data, path = row
        entry = from_data(Entry, entry_data(data, path, term, start, end, redirect))
        return key, term, norm, start, end, redirect, dumps_records(entry)
    if label == "passage":
        *head, marks, term, start, path = row
        return *head, json.dumps(stored_marks(marks, path)), term, start
    return row


def dump(db: Path, root: Path, out: list[str]) -> None:
    conn = sqlite3.connect(db)
    prefix = str(root) + "/"
    for label, query in QUERIES:
        lines = sorted(
            json.dumps([label, *_as_read(label, row)], ensure_ascii=False).replace(prefix, "")
            for row in conn.execute(query)
        )
        out.extend(lines)
    conn.close()
    with grimoire.open(str(db)) as kb:  # resolves the concepts first
        out.extend(sorted(
            json.dumps(["wanted", page.name, page.norm, page.count, sorted(page.spellings),
                        sorted((s.path, s.start_line, s.end_line) for s in page.spans)],
                       ensure_ascii=False).replace(prefix, "")
            for page in kb.wanted(suggestions=False)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--generated", type=int, default=0)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="grimoire-dump-"))
    try:
        folders = [f.resolve() for f in args.folders]
        if args.generated:
            gen = tmp / "generated"
            for sub in ("vault", "blog", "gloss", "rst", "html"):
                (gen / sub).mkdir(parents=True)
            generate(gen, args.generated)
            folders.append(gen)
        out: list[str] = []
        for i, folder in enumerate(folders):
            db = tmp / f"{i}.db"
            store = open_store(str(db))
            ingest(store, [folder], workers=args.workers)
            store.close()
            dump(db, folder, out)
        sys.stdout.write("\n".join(out) + "\n")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
