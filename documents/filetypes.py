"""What an uploaded file really is, judged by its content, never by its name.

`inspect(upload)` reads the bytes and returns the `FileKind` of an accepted file, or raises
`UploadRejected` with a message for the user. A file is accepted only when its content is one of the
kinds allowed by `CSSR_UPLOAD_KINDS` and nothing else: programs (Windows, Linux, macOS, Java,
scripts with a `#!` line) are refused whatever they are called; so are polyglots (a file that is
also a zip archive or an HTML page), malformed or truncated images, images larger than
`CSSR_IMAGE_MAX_PIXELS`, office documents with macros and archives that unpack to more than
`CSSR_UPLOAD_MAX_UNZIPPED_BYTES`, PDF files with active content or actions that run by themselves
(`documents.pdf_safety`).

`clean_name(name)` makes an uploaded file name safe to show and to send back in a download (path,
control characters, direction overrides, reserved names removed) and keeps Arabic letters.
"""

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from PIL import Image, ImageFile

from cssr.text import clean_single_line

from . import pdf_safety


class UploadRejected(ValueError):
    """The file is refused; `message` says why, in the user's language."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FileKind:
    key: str
    content_type: str
    extension: str
    label: str


KINDS = {
    kind.key: kind
    for kind in [
        FileKind("pdf", "application/pdf", ".pdf", "PDF"),
        FileKind("png", "image/png", ".png", "PNG"),
        FileKind("jpeg", "image/jpeg", ".jpg", "JPEG"),
        FileKind("webp", "image/webp", ".webp", "WebP"),
        FileKind("gif", "image/gif", ".gif", "GIF"),
        FileKind(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ".docx",
            "Word (DOCX)",
        ),
        FileKind(
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ".xlsx",
            "Excel (XLSX)",
        ),
        FileKind(
            "pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            ".pptx",
            "PowerPoint (PPTX)",
        ),
        FileKind("odt", "application/vnd.oasis.opendocument.text", ".odt", "OpenDocument (ODT)"),
        FileKind("ods", "application/vnd.oasis.opendocument.spreadsheet", ".ods", "OpenDocument (ODS)"),
        FileKind("odp", "application/vnd.oasis.opendocument.presentation", ".odp", "OpenDocument (ODP)"),
        FileKind("txt", "text/plain; charset=utf-8", ".txt", gettext_lazy("Text (TXT)")),
    ]
}
IMAGE_FORMATS = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP", "gif": "GIF"}

# Programs: refused whatever their name says.
EXECUTABLE_SIGNATURES = (
    b"MZ",  # Windows (PE, DOS)
    b"\x7fELF",  # Linux and other Unixes
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",  # macOS Mach-O
    b"\xca\xfe\xba\xbe",  # Java class, macOS universal binary
    b"#!",  # scripts
    b"\x00asm",  # WebAssembly
)
# What a browser takes for a web page when it sniffs the first bytes of a response.
HTML_MARKERS = (
    b"<!doctype html",
    b"<html",
    b"<head",
    b"<body",
    b"<script",
    b"<iframe",
    b"<svg",
    b"<?xml-stylesheet",
)
# The most a PDF's object streams may inflate to, in all, while they are checked (real ones hold a
# few hundred kilobytes of dictionaries); CSSR_UPLOAD_MAX_UNZIPPED_BYTES lowers it further.
PDF_MAX_INFLATED_BYTES = 32 * 1024 * 1024
OPEN_DOCUMENT_TYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}
OFFICE_MAIN_PARTS = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx", "ppt/presentation.xml": "pptx"}
ZIP_MAX_MEMBERS = 5000
TEXT_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
HEAD_BYTES = 4096


def allowed_kinds():
    return [KINDS[key] for key in settings.CSSR_UPLOAD_KINDS if key in KINDS]


def allowed_labels():
    return pgettext("list separator", ", ").join(str(kind.label) for kind in allowed_kinds())


def _not_accepted():
    return UploadRejected(
        _("This type of file is not accepted. Accepted types: %(types)s.") % {"types": allowed_labels()}
    )


def _read_all(upload):
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def inspect(upload):
    """The accepted `FileKind` of `upload` (a Django UploadedFile or any binary file object).

    Raises UploadRejected (empty, too large, a program, a polyglot, a malformed or oversized image,
    a damaged or oversized archive, a type not in `CSSR_UPLOAD_KINDS`).
    """
    size = upload.size if getattr(upload, "size", None) is not None else len(_read_all(upload))
    if size == 0:
        raise UploadRejected(_("The file is empty."))
    if size > settings.CSSR_UPLOAD_MAX_BYTES:
        raise UploadRejected(
            _("The file is too large (%(size)s). The limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(settings.CSSR_UPLOAD_MAX_BYTES)}
        )
    data = _read_all(upload)
    if data.startswith(EXECUTABLE_SIGNATURES):
        raise UploadRejected(_("Programs and scripts cannot be uploaded, whatever their name."))
    key = _kind_of(data)
    if key is None or key not in settings.CSSR_UPLOAD_KINDS:
        raise _not_accepted()
    return KINDS[key]


def _looks_like_html(data):
    head = data[:HEAD_BYTES].lower()
    return any(marker in head for marker in HTML_MARKERS)


def _is_zip(data):
    """True if `data` carries a zip archive anywhere (zip readers look for its directory at the end)."""
    return zipfile.is_zipfile(io.BytesIO(data))


def _polyglot():
    return UploadRejected(
        _(
            "The file is at the same time of another type "
            "(for example a zip archive or a web page hidden in it). "
            "It was refused for safety."
        )
    )


def _kind_of(data):
    if data.startswith(b"%PDF-"):
        return _check_pdf(data)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _check_image(data, "png")
    if data.startswith(b"\xff\xd8\xff"):
        return _check_image(data, "jpeg")
    if data.startswith((b"GIF87a", b"GIF89a")):
        return _check_image(data, "gif")
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return _check_image(data, "webp")
    if data.startswith(b"PK\x03\x04"):
        return _check_zip(data)
    return _check_text(data)


def _check_pdf(data):
    """Refuse what a reader would run or open by itself (documents/pdf_safety.py says what and how)."""
    if _is_zip(data) or _looks_like_html(data):
        raise _polyglot()
    damaged = UploadRejected(_("The PDF file is incomplete or damaged."))
    if b"%%EOF" not in data[-2048:]:
        raise damaged
    budget = min(PDF_MAX_INFLATED_BYTES, settings.CSSR_UPLOAD_MAX_UNZIPPED_BYTES)
    try:
        found = pdf_safety.finding(data, max_inflated_bytes=budget)
    except pdf_safety.Encrypted:
        raise UploadRejected(
            _(
                "This PDF file is encrypted or protected by a password, so it cannot be checked. "
                "Save it without protection and upload it again."
            )
        ) from None
    except pdf_safety.TooLarge:
        raise UploadRejected(_("The document unpacks to too much data to be accepted.")) from None
    except pdf_safety.Unreadable:
        raise damaged from None
    if found is not None and found.rule == pdf_safety.AUTOMATIC:
        raise UploadRejected(
            _("PDF files that open a web address, another file or a program by themselves are not accepted.")
        )
    if found is not None:
        raise UploadRejected(
            _("PDF files with scripts, forms that run code or attached files are not accepted.")
        )
    return "pdf"


def _open_image(data):
    return Image.open(io.BytesIO(data))


def _load_strictly(image):
    lenient = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        image.load()
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient


def _check_image(data, key):
    if _is_zip(data) or _looks_like_html(data):
        raise _polyglot()
    damaged = UploadRejected(_("The image is damaged or incomplete."))
    try:
        with _open_image(data) as image:
            if image.format != IMAGE_FORMATS[key]:
                raise damaged
            pixels = image.width * image.height * max(getattr(image, "n_frames", 1), 1)
            if pixels > settings.CSSR_IMAGE_MAX_PIXELS:
                raise UploadRejected(
                    _("The image is too large (%(width)s × %(height)s pixels).")
                    % {"width": image.width, "height": image.height}
                )
            image.verify()
        # verify() leaves the image unusable and does not decode the pixels: decode them all too,
        # which is what finds a truncated file (even if a library turned on Pillow's global
        # LOAD_TRUNCATED_IMAGES, which would fill the missing part with grey).
        if key == "jpeg" and not data.rstrip(b"\x00\r\n ").endswith(b"\xff\xd9"):
            raise damaged
        with _open_image(data) as image:
            for frame in range(getattr(image, "n_frames", 1)):
                image.seek(frame)
                _load_strictly(image)
    except UploadRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRejected(_("The image is too large to be processed.")) from None
    except Exception:  # Pillow raises many kinds of error on bad input: each means "damaged".
        raise damaged from None
    return key


def _check_zip(data):
    damaged = UploadRejected(_("The document is damaged or is not an office document."))
    if _looks_like_html(data):
        raise _polyglot()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise damaged from None
    with archive:
        members = archive.infolist()
        if len(members) > ZIP_MAX_MEMBERS:
            raise damaged
        if sum(member.file_size for member in members) > settings.CSSR_UPLOAD_MAX_UNZIPPED_BYTES:
            raise UploadRejected(_("The document unpacks to too much data to be accepted."))
        names = {member.filename for member in members}
        if any(name.startswith("/") or ".." in name.split("/") for name in names):
            raise damaged
        key = _office_kind(archive, names)
        if key is None:
            raise _not_accepted()
        if any(
            name.lower().endswith("vbaproject.bin") or name.lower().startswith("basic/") for name in names
        ):
            raise UploadRejected(
                _("Documents with macros are not accepted. Save the document without macros.")
            )
        try:
            if archive.testzip() is not None:
                raise damaged
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
            raise damaged from None
    return key


def _office_kind(archive, names):
    if "[Content_Types].xml" in names:
        for part, key in OFFICE_MAIN_PARTS.items():
            if part in names:
                return key
        return None
    if "mimetype" in names:
        try:
            return OPEN_DOCUMENT_TYPES.get(archive.read("mimetype").strip())
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
            return None
    return None


def _check_text(data):
    if b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if text.lstrip("\ufeff").startswith("#!"):
        raise UploadRejected(_("Programs and scripts cannot be uploaded, whatever their name."))
    # Control characters other than line breaks and tabs mean a binary file, not a text.
    if TEXT_CONTROL.search(text):
        return None
    return "txt"


# --- File names ---------------------------------------------------------------------------------

NAME_MAX_LENGTH = 150
# Names Windows refuses for a file, whatever the extension.
RESERVED_NAMES = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(10)),
    *(f"lpt{i}" for i in range(10)),
}
_SEPARATORS = re.compile(r"[\\/]+")
_FORBIDDEN = re.compile(r'[<>:"|?*]')


def clean_name(name, *, kind=None):
    """A safe display and download name for an uploaded file: the last path component only, no control
    or format characters (direction overrides, zero-width), no characters Windows forbids, no leading
    dots, not a reserved device name; letters of every script (Arabic included) kept. With `kind`,
    the extension is the one of the detected kind."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = _SEPARATORS.split(name)[-1]
    # Controls are dropped here, not turned into spaces (a name is one word more often than a title);
    # then the shared one-line rule (direction controls, invisible and blank characters, spaces).
    name = "".join(
        char for char in name if unicodedata.category(char) not in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
    )
    name = _FORBIDDEN.sub("_", clean_single_line(name)).strip(" .")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    if kind is not None:
        extension = kind.extension.lstrip(".")
    stem = stem.strip(" .")
    if not stem or stem.lower() in RESERVED_NAMES or stem.split(".")[0].lower() in RESERVED_NAMES:
        stem = f"file-{stem}" if stem else "file"
    limit = NAME_MAX_LENGTH - len(extension) - 1
    stem = stem[:limit].rstrip(" .") or "file"
    return f"{stem}.{extension}" if extension else stem
