"""A MediaWiki XML export of any size, written in pieces (for the streaming tests)."""

from __future__ import annotations

from pathlib import Path

_HEAD = ('<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11">\n'
         "  <siteinfo>\n    <sitename>Generated</sitename>\n  </siteinfo>\n")


def write_dump(path: Path, pages: int, old_bytes: int) -> int:
    """Write `pages` pages to `path`; each has an older revision of about `old_bytes` bytes
    (read and dropped, as every revision but the latest is) and a short latest one that
    defines the page's term. Returns the size of the file."""
    filler = ("Older wording of this page, replaced since. " * (old_bytes // 45 + 1))[:old_bytes]
    with path.open("w", encoding="utf-8") as out:
        out.write(_HEAD)
        for i in range(pages):
            out.write(
                f"  <page>\n    <title>Generated term {i}</title>\n    <ns>0</ns>\n"
                f"    <id>{i + 1}</id>\n"
                "    <revision>\n      <timestamp>2020-01-01T00:00:00Z</timestamp>\n"
                f"      <text xml:space=\"preserve\">{filler}</text>\n    </revision>\n"
                "    <revision>\n      <timestamp>2021-01-01T00:00:00Z</timestamp>\n"
                f"      <text xml:space=\"preserve\">'''Generated term {i}''' is the "
                f"{i}th entry of a generated glossary, kept in its latest revision.\n\n"
                f"== Uses ==\nIt links to [[Generated term {(i + 1) % pages}]].</text>\n"
                "    </revision>\n  </page>\n"
            )
        out.write("</mediawiki>\n")
    return path.stat().st_size
