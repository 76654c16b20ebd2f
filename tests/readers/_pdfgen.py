"""A small PDF writer for the PDF reader's tests: text pages, image-only pages, a title line.

Written here (not with a PDF library) so the tests control exactly what is in the file.
"""

from __future__ import annotations

from collections.abc import Sequence

IMAGE = None  # a page holding only an image (a scan)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf_bytes(
    pages: Sequence[Sequence[str] | None],
    *,
    title: str | None = None,
    heading: str | Sequence[str] | None = None,
    binary: bytes = b"",
    to_unicode: dict[str, str] | None = None,
) -> bytes:
    """A PDF whose page k shows the lines `pages[k]` (or one image when it is IMAGE).

    `title` goes to the /Info dictionary; `heading` is drawn at 22 pt above page 1's lines,
    one text run per item when it is a sequence (as Word splits a title at a hyphen).
    `binary` goes into a stream no page uses, first in the file, as a compressed font or image
    of a real PDF would (the file's start is then no text: NUL and control bytes).
    `to_unicode` maps a character to the UTF-16 code units (hex) the font's ToUnicode map
    gives for it, as a math font's map can give half a pair (`{"A": "D835"}`).
    """
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    if binary:
        add(b"<< /Length %d >>\nstream\n" % len(binary) + binary + b"\nendstream")
    catalog = add(b"")  # filled in below
    tree = add(b"")
    cmap = b""
    if to_unicode:
        pairs = "\n".join(f"<{ord(c):02X}> <{u}>" for c, u in to_unicode.items())
        body = (
            "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
            "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
            "1 begincodespacerange <00> <FF> endcodespacerange\n"
            f"{len(to_unicode)} beginbfchar\n{pairs}\nendbfchar\n"
            "endcmap CMapName currentdict /CMap defineresource pop end end"
        ).encode("latin-1")
        cmap = b" /ToUnicode %d 0 R" % add(
            b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica%s >>" % cmap)
    image = add(
        b"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Length 1 >>\nstream\n\xff\nendstream"
    )
    kids: list[int] = []
    for k, lines in enumerate(pages):
        if lines is None:
            content = b"q 500 0 0 700 50 50 cm /Im1 Do Q"
        else:
            ops = []
            if heading and k == 0 and not isinstance(heading, str):
                # each run a text object of its own, placed after the one before
                x = 72
                for run in heading:
                    ops.append(f"BT /F1 22 Tf {x} 740 Td ({_escape(run)}) Tj ET")
                    x += 11 * len(run)
            ops += ["BT", "/F1 11 Tf", "14 TL", "72 740 Td"]
            if heading and k == 0:
                if isinstance(heading, str):
                    ops += ["/F1 22 Tf", f"({_escape(heading)}) Tj"]
                ops += ["0 -30 Td", "/F1 11 Tf"]
            ops += [f"({_escape(line)}) Tj T*" for line in lines]
            ops.append("ET")
            content = "\n".join(ops).encode("latin-1")
        stream = add(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        resources = b"/Font << /F1 %d 0 R >>" % font
        if lines is None:
            resources += b" /XObject << /Im1 %d 0 R >>" % image
        kids.append(add(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
            b"/Resources << %s >> >>" % (tree, stream, resources)
        ))
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % tree
    objects[tree - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), len(kids)
    )
    info = add(b"<< /Title (%s) >>" % _escape(title).encode("latin-1")) if title else None
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    trailer = b"<< /Size %d /Root %d 0 R" % (len(objects) + 1, catalog)
    if info:
        trailer += b" /Info %d 0 R" % info
    out += b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)
