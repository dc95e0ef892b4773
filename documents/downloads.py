"""Sending a stored file to a user who was allowed to have it (the caller asked the permission core).

In production (`CSSR_X_ACCEL_REDIRECT` on) the response carries no bytes: nginx serves the file from
its internal location `CSSR_X_ACCEL_PREFIX` (deploy/nginx.conf). In the embedded default the file is
streamed. There is no URL that serves the media directory itself: a guessed path gives 404.
"""

import unicodedata
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse

# A file shown in the browser runs nothing and loads nothing: PDFs are drawn by the browser's own
# viewer (an object of the same origin), images and text need no more.
FILE_CSP = (
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'; frame-ancestors 'none'"
)


def _ascii(text):
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(char if char.isalnum() or char in " ._-()" else "_" for char in text).strip(" ._")


def content_disposition(filename, *, inline=False):
    """`Content-Disposition` with the name in UTF-8 (RFC 5987/6266 `filename*`, Arabic kept) and an
    ASCII fallback (`filename`) for clients that do not read the former."""
    disposition = "inline" if inline else "attachment"
    stem, dot, extension = filename.rpartition(".")
    if not dot:
        stem, extension = filename, ""
    ascii_stem = _ascii(stem)
    if not any(char.isalnum() for char in ascii_stem):
        ascii_stem = "document"
    ascii_extension = _ascii(extension)
    ascii_name = f"{ascii_stem}.{ascii_extension}" if ascii_extension else ascii_stem
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def file_response(stored_file, *, filename, content_type, inline=False):
    """The response for a permitted download of `stored_file` (a FieldFile), named `filename`."""
    if not stored_file or not stored_file.name:
        raise Http404
    if settings.CSSR_X_ACCEL_REDIRECT:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = (
            settings.CSSR_X_ACCEL_PREFIX.rstrip("/") + "/" + quote(stored_file.name)
        )
    else:
        try:
            handle = default_storage.open(stored_file.name, "rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, content_type=content_type)
    return _protected(response, filename=filename, inline=inline)


def bytes_response(content, *, filename, content_type, inline=False):
    """The response for a permitted download of bytes made on request (an archived final note's PDF)."""
    return _protected(HttpResponse(content, content_type=content_type), filename=filename, inline=inline)


def _protected(response, *, filename, inline):
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
