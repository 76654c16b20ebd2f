"""The query of every section heading for resolve, one text for both engines.

A heading's passages grouped: its lines, and `inside`, the entry whose text they all belong
to when that entry begins above the heading (a section of another term's page, not a page
section about the heading's own name: `resolve.links.attach_sections`). Each engine adds its
GROUP BY and ORDER BY.
"""

from __future__ import annotations

HEADING_SELECT = """
    SELECT p.document_id, s.path, p.heading_path, min(p.start_line), max(p.end_line),
           CASE WHEN count(p.entry_id) = count(*) AND min(p.entry_id) = max(p.entry_id)
                     AND min(e.start_line) < min(p.start_line)
                THEN min(p.entry_id) END
    FROM passages p JOIN documents d ON p.document_id = d.id
    JOIN sources s ON d.source_id = s.id
    LEFT JOIN entries e ON e.id = p.entry_id
    WHERE p.heading_path != '[]'"""
