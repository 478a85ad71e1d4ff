"""Writes real PDF and DOCX files for the CV tests, without extra dependencies."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pypdf


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _pdf(objects: list[bytes]) -> bytes:
    """Serialises numbered objects (1-based, in order) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _stream(data: bytes, extra: str = "") -> bytes:
    return f"<< /Length {len(data)} {extra}>>\nstream\n".encode() + data + b"\nendstream"


def text_pdf(lines: list[str], lines_per_page: int = 55) -> bytes:
    """A text-layer PDF (Helvetica, one line per text row), paginated."""
    pages = [lines[i:i + lines_per_page] for i in range(0, len(lines), lines_per_page)] or [[]]
    font_number = 3
    first_page = 4
    kids = " ".join(f"{first_page + 2 * i} 0 R" for i in range(len(pages)))
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for i, page_lines in enumerate(pages):
        content = "BT /F1 10 Tf 12 TL 50 800 Td\n" + "".join(f"({_escape(l)}) Tj T*\n" for l in page_lines) + "ET"
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 {font_number} 0 R >> >> "
            f"/Contents {first_page + 2 * i + 1} 0 R >>".encode()
        )
        objects.append(_stream(content.encode("latin-1")))
    return _pdf(objects)


def image_only_pdf() -> bytes:
    """A 'scanned' page: one grey image and no text layer."""
    pixels = bytes((x * 7 + y * 3) % 256 for y in range(32) for x in range(32))
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>",
        _stream(b"q 500 0 0 700 50 70 cm /Im1 Do Q"),
        _stream(pixels, "/Type /XObject /Subtype /Image /Width 32 /Height 32 /ColorSpace /DeviceGray /BitsPerComponent 8 "),
    ])


def encrypted_pdf(lines: list[str], password: str = "hunter2") -> bytes:
    reader = pypdf.PdfReader(io.BytesIO(text_pdf(lines)))
    writer = pypdf.PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def cv_docx(path: Path, lines: list[str], roles_as_table: bool = False) -> None:
    """Headings as Word headings, bullets as list paragraphs; optionally the roles in a table, as templates do."""
    document = docx.Document()
    for line in lines:
        if line.startswith("## "):
            document.add_heading(line[3:], level=2)
        elif line.startswith("- "):
            document.add_paragraph(line[2:], style="List Bullet")
        elif roles_as_table and "|" in line and any(ch.isdigit() for ch in line):
            cells = [part.strip() for part in line.split("|")]
            table = document.add_table(rows=1, cols=len(cells))
            for c, cell in enumerate(cells):
                table.cell(0, c).text = cell
        else:
            document.add_paragraph(line)
    document.save(str(path))
