"""Every CSV and XLSX file the platform produces is written here, from a header and rows.

Spreadsheet programs run a cell that starts with `=`, `+`, `-` or `@` as a formula (and some also
after a tab or a carriage return), so a participant's text could open a link, fetch a URL or run a
command on the reader's machine. Following the OWASP guidance on CSV injection, each text cell that
a spreadsheet could read as a formula gets a single quote in front. The check looks past leading
whitespace and invisible characters (bidi marks, zero-width spaces), which a spreadsheet may drop
or a reader cannot see. Numbers are written as numbers: a count of -1 or a share is not text.

In an XLSX file every text cell is written as a string, never as a formula, whatever it holds.
The exports of notes (PDF, DOCX) are in `documents/exports.py`.
"""

import csv
import io
import re
import unicodedata
from decimal import Decimal

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The ASCII signs, and their full-width forms, which some spreadsheet programs also read as a formula.
FORMULA_SIGNS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
# Characters that start a formula on their own in some programs, even though they are whitespace.
FORMULA_CONTROLS = frozenset("\t\r")
# Whitespace, control and format characters (bidi marks, zero-width spaces, the BOM): invisible.
_INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf"})
_UNSAFE_FILE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
# Characters an XLSX file (XML 1.0) cannot hold: C0 controls other than tab, line feed, carriage return.
_ILLEGAL_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ILLEGAL_IN_SHEET_TITLE = re.compile(r"[\[\]:*?/\\]")


def is_number(value):
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def starts_a_formula(text):
    """Whether a spreadsheet program could read `text` as a formula."""
    if text[:1] in FORMULA_CONTROLS:
        return True
    for character in text:
        if character in FORMULA_SIGNS:
            return True
        if not (character.isspace() or unicodedata.category(character) in _INVISIBLE_CATEGORIES):
            return False
    return False


def safe_cell(value):
    """The value a cell holds: numbers as they are, nothing as "", any other value as text, with a
    single quote in front when a spreadsheet could read it as a formula."""
    if is_number(value):
        return value
    text = "" if value is None else str(value)
    return "'" + text if starts_a_formula(text) else text


def safe_rows(header, rows):
    """The header and the rows, every cell made safe; `rows` may be any iterable of iterables."""
    yield [safe_cell(value) for value in header]
    for row in rows:
        yield [safe_cell(value) for value in row]


def csv_response(*, name, header, rows):
    """A CSV attachment `<name>.csv`: UTF-8 with a byte order mark, so that spreadsheet programs
    read the Arabic as UTF-8."""
    response = HttpResponse(content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = _attachment(name, "csv")
    response["Cache-Control"] = "private, no-store"  # participants' names: never kept by a cache
    response.write("\ufeff")
    csv.writer(response).writerows(safe_rows(header, rows))
    return response


def xlsx_response(*, name, header, rows, sheet_title=""):
    """An XLSX attachment `<name>.xlsx` with one right-to-left sheet; text cells are strings."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(sheet_title))
    sheet.sheet_view.rightToLeft = True
    for row in safe_rows(header, rows):
        cells = []
        for value in row:
            if is_number(value):
                cells.append(WriteOnlyCell(sheet, value=value))
            else:
                cell = WriteOnlyCell(sheet, value=_ILLEGAL_IN_XLSX.sub("", value))
                cell.data_type = "s"  # a string whatever it holds, never a formula
                cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = _attachment(name, "xlsx")
    response["Cache-Control"] = "private, no-store"
    return response


def _attachment(name, extension):
    """A Content-Disposition header whose file name holds only ASCII letters, digits, `.`, `_`, `-`."""
    stem = _UNSAFE_FILE_NAME.sub("-", str(name)).strip(".-") or "export"
    return content_disposition_header(True, f"{stem[:100]}.{extension}")


def _sheet_title(title):
    return _ILLEGAL_IN_SHEET_TITLE.sub(" ", str(title)).strip()[:31] or "Sheet"
