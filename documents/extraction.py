"""The text of an uploaded file, for search: PDF, DOCX and TXT.

Read once, when the file is uploaded, and bounded: at most `MAX_PAGES` pages of a PDF, `MAX_PARAGRAPHS`
paragraphs of a DOCX and `MAX_CHARACTERS` characters in all. A file that cannot be read (damaged,
encrypted, odd) gives no text and never an error: the upload itself was already judged by
`documents.filetypes`, and search is only the better for the text.
"""

import io
import logging
import zipfile

logger = logging.getLogger(__name__)

MAX_PAGES = 200
MAX_PARAGRAPHS = 20000
MAX_CHARACTERS = 1_000_000


def _bounded(pieces):
    """Join text pieces until `MAX_CHARACTERS` is reached."""
    collected, size = [], 0
    for piece in pieces:
        piece = (piece or "").replace("\x00", "")
        if not piece:
            continue
        collected.append(piece[: MAX_CHARACTERS - size])
        size += len(collected[-1]) + 1
        if size >= MAX_CHARACTERS:
            break
    return "\n".join(collected)[:MAX_CHARACTERS]


def _pdf_pages(data):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        return
    for index, page in enumerate(reader.pages):
        if index == MAX_PAGES:
            break
        yield page.extract_text()


def _docx_paragraphs(data):
    from docx import Document

    document = Document(io.BytesIO(data))
    for index, paragraph in enumerate(document.paragraphs):
        if index == MAX_PARAGRAPHS:
            return
        yield paragraph.text
    for table in document.tables:
        for row in table.rows:
            yield " ".join(cell.text for cell in row.cells)


def _txt_lines(data):
    yield data[: MAX_CHARACTERS * 4].decode("utf-8", errors="replace")


_READERS = {"pdf": _pdf_pages, "docx": _docx_paragraphs, "txt": _txt_lines}


def extract_text(data: bytes, kind: str) -> str:
    """The text of a file of kind `kind` (a `documents.filetypes` key), or "" for other kinds and for
    files that cannot be read."""
    reader = _READERS.get(kind)
    if reader is None:
        return ""
    try:
        return _bounded(reader(data))
    except (Exception, RecursionError, zipfile.BadZipFile) as error:  # noqa: BLE001 - any damaged file
        logger.info("No text read from an uploaded %s file: %s", kind, type(error).__name__)
        return ""
