"""Gets plain text out of a CV file (PDF, DOCX, TXT, MD), with one-line errors for files we can't use."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

from prepai_cli.errors import PrepAIError

MAX_CV_BYTES = 10 * 1024 * 1024
SUPPORTED = (".pdf", ".docx", ".txt", ".md")
# A text layer shorter than this over the whole PDF means it is a scan (images of text).
_MIN_PDF_TEXT_CHARS = 40


class CVReadError(PrepAIError):
    pass


def read_cv_text(path: Path) -> str:
    if not path.exists():
        raise CVReadError(f"CV file not found: {path}")
    if not path.is_file():
        raise CVReadError(f"CV path is not a file: {path}")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise CVReadError(f"unsupported CV format {suffix or '(no extension)'}; use {', '.join(SUPPORTED)}")
    size = path.stat().st_size
    if size > MAX_CV_BYTES:
        raise CVReadError(f"CV file is {size / 1024 / 1024:.0f} MB; the limit is {MAX_CV_BYTES // 1024 // 1024} MB")
    if size == 0:
        raise CVReadError(f"CV file is empty: {path}")
    if suffix == ".pdf":
        return _read_pdf(path)
    if suffix == ".docx":
        return _read_docx(path)
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CVReadError(f"CV file is not UTF-8 text: {path}") from None


def _read_pdf(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    # pypdf logs its complaints about a damaged file ("invalid pdf header", "EOF marker not found") straight to the
    # terminal; the one error below says it instead.
    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(str(path))
            # PDFs with only an owner password (print/copy restrictions) open with an empty user password.
            if reader.is_encrypted and not reader.decrypt(""):
                raise CVReadError(f"CV PDF is password-protected; save an unprotected copy: {path.name}")
            pages = [page.extract_text() or "" for page in reader.pages]
    except CVReadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise CVReadError(f"cannot read CV PDF {path.name}: it is not a valid PDF ({exc})") from None
    finally:
        pypdf_log.setLevel(level)
    text = "\n".join(pages)
    if len(text.strip()) < _MIN_PDF_TEXT_CHARS:
        raise CVReadError(f"CV PDF {path.name} has no text layer (a scanned image?); export it as text-based PDF")
    return text


def _read_docx(path: Path) -> str:
    import zipfile

    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise CVReadError(f"cannot read CV DOCX {path.name}: {exc or 'not a Word document'}") from None
    from docx.table import Table

    lines: list[str] = []
    # Body order matters: many CV templates put each role's header in a table between paragraphs.
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells: list[str] = []
                for cell in row.cells:
                    if cell.text not in cells:  # merged cells repeat their text
                        cells.append(cell.text)
                lines.append(" | ".join(cells))
        else:
            lines.append(block.text)
    return "\n".join(lines)
