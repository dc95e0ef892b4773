"""The document library, translation requests and the knowledge archive."""

import datetime
import hashlib
import io
import struct
import zipfile
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from PIL import Image

from documents import filetypes, pdf_safety
from documents.downloads import content_disposition
from documents.models import ArchiveEntry, Document, DocumentTag, DocumentVersion, TranslationRequest
from documents.services import library as services
from workgroups import services as workgroup_services
from workgroups.models import Contribution, Notification, Space

from . import factories
from .hostile_corpus import HOSTILE_MARKDOWN
from .hostile_pdfs import BENIGN_PDFS, HOSTILE_PDFS
from .hostile_pdfs import document as pdf_document
from .matrix.documents import png_bytes, text_upload

pytestmark = pytest.mark.django_db


# --- Files to upload ------------------------------------------------------------------------------


def minimal_pdf(text="CSSR"):
    """A small valid PDF (one page, one line of text)."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    output = io.BytesIO()
    output.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(output.tell())
        output.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = output.tell()
    output.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        output.write(b"%010d 00000 n \n" % offset)
    output.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return output.getvalue()


def jpeg_bytes(size=(60, 40), exif=None):
    output = io.BytesIO()
    image = Image.new("RGB", size, (200, 80, 40))
    image.save(output, format="JPEG", **({"exif": exif} if exif is not None else {}))
    return output.getvalue()


def zip_bytes(members):
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return output.getvalue()


def docx_bytes(text="نص المستند"):
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored_files(settings):
    root = settings.MEDIA_ROOT
    return (
        sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())
        if root.exists()
        else []
    )


def create_url(space):
    return reverse("documents:document-create", args=[space.pk])


def make_document(space, actor, *, title="ورقة عمل", data=None, name="ورقة.pdf", **fields):
    return services.document_create(
        actor=actor,
        space=space,
        title=title,
        upload=upload(name, data if data is not None else minimal_pdf()),
        **fields,
    )


# --- Uploading ----------------------------------------------------------------------------------


def test_member_uploads_a_document_with_folder_and_tags(
    world, clients, settings, django_capture_on_commit_callbacks
):
    space, member = world["space"], world["users"]["member"]
    data = minimal_pdf("principles")
    with django_capture_on_commit_callbacks(execute=True):
        response = clients["member"].post(
            create_url(space),
            {
                "title": "ورقة المبادئ الدستورية",
                "file": upload("ورقة المبادئ الدستورية.pdf", data),
                "folder": "أوراق العمل",
                "tags": "دستور، حقوق",
                "language": "ar",
            },
        )
    document = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:document-detail", args=[space.pk, document.pk])
    version = document.current_version
    assert (version.number, version.size, version.kind, version.content_type) == (
        1,
        len(data),
        "pdf",
        "application/pdf",
    )
    assert version.original_name == "ورقة المبادئ الدستورية.pdf"
    assert version.sha256 == hashlib.sha256(data).hexdigest()
    assert version.uploaded_by == member and version.language == "ar"
    assert document.folder == "أوراق العمل"
    assert sorted(document.tags.values_list("name", flat=True)) == ["حقوق", "دستور"]
    # Stored under a random name: nothing of the uploader's file name reaches the disk.
    assert version.file.name.startswith(f"library/{space.pk}/") and version.file.name.endswith(".pdf")
    assert "ورقة" not in version.file.name
    assert stored_files(settings) == [version.file.name]
    # A contribution, and the other members are told.
    assert Contribution.objects.filter(user=member, space=space, kind=Contribution.Kind.DOCUMENT).count() == 1
    notified = set(
        Notification.objects.filter(kind=Notification.Kind.NEW_DOCUMENT).values_list(
            "recipient__username", flat=True
        )
    )
    assert "rapporteur" in notified and "member" not in notified and "other" not in notified


def test_a_new_version_keeps_the_history(world, clients):
    space, member, rapporteur = world["space"], world["users"]["member"], world["users"]["rapporteur"]
    document = make_document(space, member)
    first = document.current_version
    response = clients["rapporteur"].post(
        reverse("documents:version-create", args=[space.pk, document.pk]),
        {"file": upload("ورقة 2.pdf", minimal_pdf("second version")), "note": "إضافة مبدأ جديد"},
    )
    assert response.status_code == 302
    document.refresh_from_db()
    versions = list(document.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0] == first and versions[0].uploaded_by == member
    assert versions[1].uploaded_by == rapporteur and versions[1].note == "إضافة مبدأ جديد"
    assert document.current_version == versions[1] and document.version_count == 2
    page = clients["member"].get(reverse("documents:document-detail", args=[space.pk, document.pk]))
    body = page.content.decode()
    assert "ليلى حداد" in body and "عمر الخطيب" in body and "إضافة مبدأ جديد" in body
    assert Contribution.objects.filter(user=rapporteur, kind=Contribution.Kind.DOCUMENT).count() == 1


def test_uploading_in_a_concluded_space_is_refused(world, clients, settings):
    space = world["space"]
    document = make_document(space, world["users"]["member"])
    workgroup_services.space_set_status(actor=None, space=space, status=Space.Status.CONCLUDED)
    files = stored_files(settings)
    response = clients["member"].post(create_url(space), {"title": "جديد", "file": text_upload()})
    assert response.status_code == 403
    response = clients["member"].post(
        reverse("documents:version-create", args=[space.pk, document.pk]), {"file": text_upload()}
    )
    assert response.status_code == 403
    assert Document.objects.count() == 1 and DocumentVersion.objects.count() == 1
    assert stored_files(settings) == files
    # Still readable.
    assert clients["member"].get(reverse("documents:document-list", args=[space.pk])).status_code == 200
    version = document.current_version
    assert (
        clients["member"]
        .get(reverse("documents:version-download", args=[space.pk, document.pk, version.pk]))
        .status_code
        == 200
    )


# --- Bad input: a clear message, nothing saved ----------------------------------------------------


def assert_refused(clients, world, settings, file, message):
    space = world["space"]
    response = clients["member"].post(create_url(space), {"title": "ملف", "file": file})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert (
        Document.objects.count() == 0
        and DocumentVersion.objects.count() == 0
        and DocumentTag.objects.count() == 0
    )
    assert Contribution.objects.filter(kind=Contribution.Kind.DOCUMENT).count() == 0
    assert stored_files(settings) == []


def test_oversized_file_is_refused(world, clients, settings):
    settings.CSSR_UPLOAD_MAX_BYTES = 1000
    assert_refused(clients, world, settings, upload("كبير.txt", "ن".encode() * 600), "الملف كبير جدًا")


def test_zero_byte_file_is_refused(world, clients, settings):
    assert_refused(clients, world, settings, upload("فارغ.pdf", b""), "الملف فارغ.")


def test_missing_file_is_refused(world, clients, settings):
    response = clients["member"].post(create_url(world["space"]), {"title": "ملف"})
    assert "اختر ملفًا لرفعه." in response.content.decode()
    assert Document.objects.count() == 0


def test_wrong_type_is_refused_whatever_its_name(world, clients, settings):
    # An old Word (OLE) file named .pdf: neither a PDF nor an accepted type.
    assert_refused(
        clients,
        world,
        settings,
        upload("تقرير.pdf", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600),
        "هذا النوع من الملفات غير مقبول",
    )


def test_type_not_in_the_allow_list_is_refused(world, clients, settings):
    settings.CSSR_UPLOAD_KINDS = ["pdf"]
    assert_refused(clients, world, settings, upload("صورة.png", png_bytes()), "الأنواع المقبولة: PDF")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200),
        ("photo.jpg", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200),
        ("ملاحظات.txt", b"#!/bin/sh\nrm -rf ~\n"),
        ("notes.txt", "\ufeff#!/usr/bin/env python\nprint(1)\n".encode()),
        ("slides.pdf", b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 200),
    ],
    ids=["windows-as-pdf", "linux-as-jpg", "shell-script-as-txt", "python-script-with-bom", "macos-as-pdf"],
)
def test_renamed_executable_is_refused(world, clients, settings, name, data):
    assert_refused(clients, world, settings, upload(name, data), "لا يمكن رفع البرامج والنصوص البرمجية")


def test_malformed_image_is_refused(world, clients, settings):
    assert_refused(
        clients,
        world,
        settings,
        upload("صورة.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 50),
        "الصورة تالفة أو ناقصة.",
    )


def test_truncated_image_is_refused(world, clients, settings):
    data = jpeg_bytes(size=(400, 300))
    assert_refused(
        clients, world, settings, upload("صورة.jpg", data[: len(data) // 2]), "الصورة تالفة أو ناقصة."
    )


def test_truncated_png_is_refused(world, clients, settings):
    output = io.BytesIO()
    Image.effect_noise((300, 300), 64).save(output, format="PNG")
    data = output.getvalue()
    assert_refused(
        clients, world, settings, upload("صورة.png", data[: len(data) - 200]), "الصورة تالفة أو ناقصة."
    )


def test_image_with_too_many_pixels_is_refused(world, clients, settings):
    settings.CSSR_IMAGE_MAX_PIXELS = 1_000_000
    output = io.BytesIO()
    Image.new("L", (2000, 2000)).save(output, format="PNG")  # a few kilobytes that decode to 4 million pixels
    assert len(output.getvalue()) < 50_000
    assert_refused(clients, world, settings, upload("قنبلة.png", output.getvalue()), "الصورة كبيرة جدًا")


def test_pdf_that_is_also_a_zip_is_refused(world, clients, settings):
    data = minimal_pdf() + zip_bytes({"payload.html": "<script>alert(1)</script>"})
    assert_refused(clients, world, settings, upload("ورقة.pdf", data), "رُفض حفاظًا على الأمان")


def test_pdf_that_is_also_a_web_page_is_refused(world, clients, settings):
    data = minimal_pdf().replace(b"%\xe2\xe3\xcf\xd3\n", b"%<html><script>alert(1)</script></html>\n", 1)
    assert_refused(clients, world, settings, upload("ورقة.pdf", data), "رُفض حفاظًا على الأمان")


def test_jpeg_with_a_zip_appended_is_refused(world, clients, settings):
    data = jpeg_bytes() + zip_bytes({"evil.exe": b"MZ" + b"\x00" * 100})
    assert_refused(clients, world, settings, upload("صورة.jpg", data), "رُفض حفاظًا على الأمان")


def test_pdf_with_javascript_is_refused(world, clients, settings):
    data = minimal_pdf().replace(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>",
    )
    assert_refused(clients, world, settings, upload("ورقة.pdf", data), "لا تُقبل ملفات PDF التي تحتوي")


def test_truncated_pdf_is_refused(world, clients, settings):
    data = minimal_pdf()
    assert_refused(
        clients, world, settings, upload("ورقة.pdf", data[: len(data) // 2]), "ملف PDF ناقص أو تالف."
    )


# --- PDF: active content and actions that run by themselves (tests/hostile_pdfs.py) ---------------

PDF_MESSAGES = {
    pdf_safety.ACTIVE: "PDF files with scripts, forms that run code or attached files are not accepted.",
    pdf_safety.AUTOMATIC: (
        "PDF files that open a web address, another file or a program by themselves are not accepted."
    ),
    pdf_safety.Unreadable: "The PDF file is incomplete or damaged.",
    pdf_safety.Encrypted: "This PDF file is encrypted or protected by a password, so it cannot be checked.",
    pdf_safety.TooLarge: "The document unpacks to too much data to be accepted.",
}


def _pdf_finding(data):
    try:
        found = pdf_safety.finding(data, max_inflated_bytes=filetypes.PDF_MAX_INFLATED_BYTES)
    except (pdf_safety.Unreadable, pdf_safety.TooLarge) as error:
        return type(error), str(error)
    return found and (found.rule, found.name)


@pytest.mark.parametrize(
    ("data", "expected"), [case[1:] for case in HOSTILE_PDFS], ids=[case[0] for case in HOSTILE_PDFS]
)
def test_hostile_pdf_is_refused_for_its_reason_and_nothing_is_saved(world, settings, data, expected):
    assert _pdf_finding(data) == expected
    with translation.override("en"), pytest.raises(ValidationError) as error:
        make_document(world["space"], world["users"]["member"], data=data, name="report.pdf")
    assert error.value.messages[0].startswith(PDF_MESSAGES[expected[0]])
    assert (
        Document.objects.count() == 0
        and DocumentVersion.objects.count() == 0
        and stored_files(settings) == []
    )


@pytest.mark.parametrize("data", [case[1] for case in BENIGN_PDFS], ids=[case[0] for case in BENIGN_PDFS])
def test_ordinary_pdf_is_accepted(world, data):
    assert _pdf_finding(data) is None
    document = make_document(world["space"], world["users"]["member"], data=data, name="report.pdf")
    assert document.current_version.kind == "pdf"


def _pdf_names(data):
    """Every name pypdf, an independent reader, sees in the file's objects (escapes decoded)."""
    import logging

    import pypdf
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    pending = [
        reader.trailer,
        *(IndirectObject(number, 0, reader) for number in range(1, reader.trailer["/Size"])),
    ]
    seen, names = set(), set()
    while pending:
        value = pending.pop()
        if isinstance(value, IndirectObject):
            if value.idnum in seen:
                continue
            seen.add(value.idnum)
            value = value.get_object()
        if isinstance(value, NameObject):
            names.add(value[1:])
        elif isinstance(value, DictionaryObject):
            names.update(key[1:] for key in value)
            pending += value.values()
        elif isinstance(value, ArrayObject):
            pending += value
    return names


# Files whose point is that readers disagree (two values for one key, an object defined twice), or
# whose action has no type: pypdf, following the cross-reference table, sees only one side.
READERS_DISAGREE = {"key-written-twice", "object-redefined-by-an-update", "action-without-a-type-on-open"}
READABLE_HOSTILE_PDFS = [
    case for case in HOSTILE_PDFS if isinstance(case[2][0], str) and case[0] not in READERS_DISAGREE
]


@pytest.mark.parametrize(
    ("data", "expected"),
    [case[1:] for case in READABLE_HOSTILE_PDFS],
    ids=[case[0] for case in READABLE_HOSTILE_PDFS],
)
def test_a_real_reader_opens_each_hostile_pdf_and_sees_what_is_refused(data, expected):
    assert expected[1] in _pdf_names(data)


def test_the_pdfs_the_platform_exports_are_accepted(world):
    from documents import exports
    from documents.services import drafts as services_drafts

    member = world["users"]["member"]
    draft = services_drafts.draft_create(actor=member, space=world["space"], title="ورقة المبادئ")
    services_drafts.section_save(
        actor=member,
        section=draft.sections.get(),
        base_revision=0,
        text="## المبادئ\n\nنص مع [رابط](https://www.un.org/ar/) و**تأكيد**.",
    )
    data = exports.draft_pdf(draft)
    assert b"/ObjStm" in data and "URI" in _pdf_names(data)  # the link is inside an object stream
    assert _pdf_finding(data) is None
    document = make_document(world["space"], member, data=data, name="ورقة المبادئ.pdf")
    assert document.current_version.sha256 == hashlib.sha256(data).hexdigest()  # stored as exported


def test_a_lower_unzip_limit_lowers_the_pdf_inflation_budget(world, settings):
    settings.CSSR_UPLOAD_MAX_UNZIPPED_BYTES = 100
    data = dict(BENIGN_PDFS)["object-streams-with-a-link"]
    with translation.override("en"), pytest.raises(ValidationError, match="unpacks to too much data"):
        make_document(world["space"], world["users"]["member"], data=data, name="report.pdf")


def test_a_pdf_built_to_make_the_check_slow_is_refused(world, monkeypatch):
    monkeypatch.setattr(pdf_safety, "MAX_STEPS", 40)
    with translation.override("en"), pytest.raises(ValidationError, match="incomplete or damaged"):
        make_document(world["space"], world["users"]["member"], data=dict(BENIGN_PDFS)["plain"], name="a.pdf")


def test_a_loop_of_references_ends():
    # (Not a valid PDF: an object may not be a bare reference. Readers give up; the check must end.)
    data = pdf_document(catalog=b"/OpenAction 6 0 R /AA 8 0 R", extra=[b"7 0 R", b"6 0 R", b"8 0 R"])
    assert _pdf_finding(data) is None


def test_pdf_with_escaped_javascript_is_refused_on_the_upload_page(world, clients, settings):
    data = {name: data for name, data, _ in HOSTILE_PDFS}["javascript-escaped-names"]
    assert_refused(clients, world, settings, upload("ورقة.pdf", data), "لا تُقبل ملفات PDF التي تحتوي")


def test_zip_that_is_not_an_office_document_is_refused(world, clients, settings):
    assert_refused(
        clients,
        world,
        settings,
        upload("مستند.docx", zip_bytes({"readme.txt": "x"})),
        "هذا النوع من الملفات غير مقبول",
    )


def test_office_document_with_macros_is_refused(world, clients, settings):
    data = zip_bytes(
        {
            "[Content_Types].xml": "<Types/>",
            "word/document.xml": "<w:document/>",
            "word/vbaProject.bin": b"\x00" * 50,
        }
    )
    assert_refused(clients, world, settings, upload("مستند.docx", data), "وحدات ماكرو")


def test_zip_bomb_is_refused(world, clients, settings):
    settings.CSSR_UPLOAD_MAX_UNZIPPED_BYTES = 1_000_000
    data = zip_bytes({"[Content_Types].xml": "<Types/>", "word/document.xml": b"\x00" * 5_000_000})
    assert len(data) < 50_000
    assert_refused(clients, world, settings, upload("مستند.docx", data), "بيانات أكثر من المسموح")


def test_damaged_office_document_is_refused(world, clients, settings):
    data = docx_bytes()
    assert_refused(
        clients,
        world,
        settings,
        upload("مستند.docx", data[: len(data) - 300]),
        "المستند تالف أو ليس مستندًا مكتبيًا.",
    )


def test_binary_file_named_txt_is_refused(world, clients, settings):
    assert_refused(
        clients,
        world,
        settings,
        upload("ملاحظات.txt", "نص\x00مع صفر".encode()),
        "هذا النوع من الملفات غير مقبول",
    )


def test_text_in_another_encoding_is_refused(world, clients, settings):
    assert_refused(
        clients,
        world,
        settings,
        upload("ملاحظات.txt", "ملاحظات".encode("cp1256")),
        "هذا النوع من الملفات غير مقبول",
    )


def test_bad_new_version_changes_nothing(world, clients, settings):
    space = world["space"]
    document = make_document(space, world["users"]["member"])
    files = stored_files(settings)
    response = clients["member"].post(
        reverse("documents:version-create", args=[space.pk, document.pk]),
        {"file": upload("ورقة.pdf", b"MZ" + b"\x00" * 100)},
    )
    assert response.status_code == 200
    assert "لا يمكن رفع البرامج" in response.content.decode()
    document.refresh_from_db()
    assert document.version_count == 1 and DocumentVersion.objects.count() == 1
    assert stored_files(settings) == files


def test_a_failure_after_the_file_is_written_leaves_no_file(world, settings, monkeypatch):
    """The transaction rolls back and the written file is removed again."""

    def fail(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "contribution_record", fail)
    with pytest.raises(RuntimeError):
        make_document(world["space"], world["users"]["member"], data=png_bytes(), name="صورة.png")
    assert Document.objects.count() == 0 and stored_files(settings) == []


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\windows\\system32\\notes.txt", "notes.txt"),
        ("/var/www/ملاحظات.txt", "ملاحظات.txt"),
        ("تقرير\u202egpj.txt", "تقريرgpj.txt"),  # a right-to-left override hiding the real extension
        ("a\x00b\x07c\x1b[31m.txt", "abc[31m.txt"),
        ("\u200fمحضر\u200b الاجتماع\n.txt", "محضر الاجتماع.txt"),
        ("CON.txt", "file-CON.txt"),
        ("lpt1.txt", "file-lpt1.txt"),
        ("...", "file.txt"),
        ('what<>:"|?*.txt', "what_______.txt"),
        ("photo.exe", "photo.txt"),  # the extension follows the content
    ],
)
def test_file_names_are_cleaned_and_arabic_is_kept(world, given, kept):
    document = services.document_create(
        actor=world["users"]["member"], space=world["space"], title="ملاحظات", upload=text_upload(given)
    )
    assert document.current_version.original_name == kept


def test_hostile_titles_are_shown_as_text(world, clients):
    space = world["space"]
    titles = HOSTILE_MARKDOWN[:12]
    for title in titles:
        services.document_create(
            actor=world["users"]["member"], space=space, title=title, upload=text_upload()
        )
    assert sorted(Document.objects.filter(space=space).values_list("title", flat=True)) == sorted(titles)
    body = clients["member"].get(reverse("documents:document-list", args=[space.pk])).content.decode()
    for title in titles:
        assert escape(title) in body and title not in body, title  # as text, never as markup
    assert "<script>alert(1)" not in body and "onerror=alert" not in body.replace("onerror=alert(1)&gt;", "")


# --- Images: metadata stripped, thumbnails ------------------------------------------------------


def _exif_with_gps():
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    exif[0x010F] = "Camera Maker"
    exif[0x0132] = "2026:01:02 10:00:00"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (33.0, 30.0, 50.0), 3: "E", 4: (36.0, 17.0, 30.0)})
    return exif


def test_exif_and_gps_are_stripped_from_photos(world, settings):
    data = jpeg_bytes(size=(60, 40), exif=_exif_with_gps())
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get_ifd(0x8825)  # the upload really carries a location
    document = make_document(world["space"], world["users"]["member"], data=data, name="صورة.jpg")
    version = document.current_version
    stored = (settings.MEDIA_ROOT / version.file.name).read_bytes()
    assert b"Exif" not in stored and b"Camera Maker" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert len(image.getexif()) == 0 and not image.getexif().get_ifd(0x8825)
        assert "exif" not in image.info
        assert image.size == (40, 60)  # the orientation was applied to the pixels
    assert version.size == len(stored) and version.sha256 == hashlib.sha256(stored).hexdigest()


def test_metadata_is_stripped_from_png_and_webp(world, settings):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "home: 33.51N 36.29E")
    output = io.BytesIO()
    Image.new("RGB", (30, 30), "red").save(output, format="PNG", pnginfo=info, exif=_exif_with_gps())
    png = make_document(world["space"], world["users"]["member"], data=output.getvalue(), name="a.png")
    output = io.BytesIO()
    Image.new("RGB", (30, 30), "blue").save(output, format="WEBP", exif=_exif_with_gps())
    webp = make_document(world["space"], world["users"]["member"], data=output.getvalue(), name="b.webp")
    for document in (png, webp):
        stored = (settings.MEDIA_ROOT / document.current_version.file.name).read_bytes()
        assert b"33.51N" not in stored and b"Exif" not in stored
        with Image.open(io.BytesIO(stored)) as image:
            assert len(image.getexif()) == 0 and "exif" not in image.info and "Comment" not in image.info


# --- Images: every kind of metadata is removed, animations are kept --------------------------------

SECRET = "SECRET-GPS-36.2"
XMP = (
    f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    f'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="{SECRET}"/>'
    f"</rdf:RDF></x:xmpmeta>"
)


def _exif_with_secret():
    exif = _exif_with_gps()
    exif[0x010E] = SECRET  # image description
    return exif


def _icc_with_secret():
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes() + SECRET.encode()


def _jpeg_segment(marker, payload):
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def _jpeg_with_metadata():
    output = io.BytesIO()
    Image.new("RGB", (48, 32), (200, 80, 40)).save(
        output,
        format="JPEG",
        exif=_exif_with_secret(),
        comment=SECRET,
        xmp=XMP.encode(),
        icc_profile=_icc_with_secret(),
    )
    data = output.getvalue()
    iptc = (
        b"Photoshop 3.0\x008BIM\x04\x04\x00\x00" + struct.pack(">I", 20) + b"\x1c\x02\x78" + SECRET.encode()
    )
    return data[:2] + _jpeg_segment(0xED, iptc) + _jpeg_segment(0xEF, SECRET.encode()) + data[2:]


def _gif_block(label, *payloads):
    blocks = b"".join(bytes([len(payload)]) + payload for payload in payloads)
    return b"\x21" + bytes([label]) + blocks + b"\x00"


def _gif_with_metadata(frames=1):
    output = io.BytesIO()
    pictures = [Image.new("RGB", (24, 16), (index * 80, 30, 200)) for index in range(frames)]
    options = {"save_all": True, "append_images": pictures[1:], "duration": [40, 80, 120][:frames], "loop": 0}
    pictures[0].save(output, format="GIF", comment=SECRET, **(options if frames > 1 else {}))
    data = output.getvalue()
    screen_flags = data[10]
    start = 13 + (3 * 2 ** ((screen_flags & 7) + 1) if screen_flags & 0x80 else 0)
    hidden = (
        _gif_block(0xFF, b"XMP DataXMP", SECRET.encode())  # an application extension
        + _gif_block(0x01, b"\x00" * 12, SECRET.encode())  # plain text drawn over the image
        + _gif_block(0xFE, SECRET.encode())
    )  # another comment
    return data[:start] + hidden + data[start:]


def _png_with_metadata(frames=1):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SECRET)  # tEXt
    info.add_text("Location", SECRET, zip=True)  # zTXt
    info.add_itxt("XML:com.adobe.xmp", XMP)  # iTXt
    info.add(b"tIME", struct.pack(">HBBBBB", 2026, 1, 2, 10, 0, 0))
    info.add(b"seCr", SECRET.encode())  # a private chunk
    pictures = [Image.new("RGBA", (24, 16), (index * 60, 90, 200, 255)) for index in range(frames)]
    output = io.BytesIO()
    animation = {
        "save_all": True,
        "append_images": pictures[1:],
        "duration": [40, 80, 120][:frames],
        "loop": 0,
    }
    pictures[0].save(
        output,
        format="PNG",
        pnginfo=info,
        exif=_exif_with_secret(),
        icc_profile=_icc_with_secret(),
        **(animation if frames > 1 else {}),
    )
    return output.getvalue()


def _webp_with_metadata(frames=1):
    pictures = [Image.new("RGB", (24, 16), (index * 60, 90, 200)) for index in range(frames)]
    output = io.BytesIO()
    animation = {
        "save_all": True,
        "append_images": pictures[1:],
        "duration": [40, 80, 120][:frames],
        "loop": 0,
    }
    pictures[0].save(
        output,
        format="WEBP",
        exif=_exif_with_secret(),
        xmp=XMP.encode(),
        icc_profile=_icc_with_secret(),
        **(animation if frames > 1 else {}),
    )
    return output.getvalue()


def _jpeg_markers(data):
    """The markers of a JPEG's segments up to its image data."""
    position, markers = 2, []
    while data[position + 1] != 0xDA:
        assert data[position] == 0xFF
        markers.append((data[position + 1], data[position + 4 : position + 9]))
        position += 2 + struct.unpack(">H", data[position + 2 : position + 4])[0]
    return markers


def _gif_extensions(data):
    """(label, first sub-block) of a GIF's extension blocks."""
    screen_flags = data[10]
    position = 13 + (3 * 2 ** ((screen_flags & 7) + 1) if screen_flags & 0x80 else 0)
    extensions = []
    while data[position] != 0x3B:
        if data[position] == 0x21:
            label, position = data[position + 1], position + 2
            first = data[position + 1 : position + 1 + data[position]]
            while data[position]:
                position += 1 + data[position]
            extensions.append((label, first))
        else:
            assert data[position] == 0x2C  # an image: descriptor, local colour table, LZW data
            image_flags = data[position + 9]
            position += 10 + (3 * 2 ** ((image_flags & 7) + 1) if image_flags & 0x80 else 0) + 1
            while data[position]:
                position += 1 + data[position]
        position += 1
    return extensions


def _png_chunks(data):
    position, chunks = 8, []
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        chunks.append(kind.decode("latin-1"))
        position += 12 + length
    return chunks


def _webp_chunks(data):
    position, chunks = 12, []
    while position < len(data):
        kind, size = (
            data[position : position + 4].decode("latin-1"),
            struct.unpack("<I", data[position + 4 : position + 8])[0],
        )
        chunks.append(kind)
        if kind == "VP8X":
            assert data[position + 8] & 0b101100 == 0  # no ICC profile, EXIF or XMP announced
        position += 8 + size + (size & 1)
    return chunks


def _assert_only_pixels(stored, key):
    if key == "jpeg":
        for marker, start in _jpeg_markers(stored):
            assert marker in (0xDB, 0xC0, 0xC1, 0xC2, 0xC4, 0xDD) or (marker, start) == (0xE0, b"JFIF\x00"), (
                hex(marker)
            )
    elif key == "gif":
        for label, first in _gif_extensions(stored):
            assert label == 0xF9 or (label, first) == (0xFF, b"NETSCAPE2.0"), (hex(label), first)
    elif key == "png":
        assert set(_png_chunks(stored)) <= {"IHDR", "PLTE", "tRNS", "IDAT", "IEND", "acTL", "fcTL", "fdAT"}
    else:
        assert set(_webp_chunks(stored)) <= {"VP8 ", "VP8L", "VP8X", "ALPH", "ANIM", "ANMF"}
    with Image.open(io.BytesIO(stored)) as image:
        assert len(image.getexif()) == 0
        for frame in range(getattr(image, "n_frames", 1)):
            image.seek(frame)
            image.load()
            assert not {
                "exif",
                "xmp",
                "comment",
                "icc_profile",
                "photoshop",
                "Comment",
                "Location",
                "XML:com.adobe.xmp",
            } & set(image.info), image.info
            assert (
                image.info.get("extension", (b"NETSCAPE2.0",))[0] == b"NETSCAPE2.0"
            )  # GIF: the loop count only
            assert SECRET not in repr(image.info)


IMAGES_WITH_METADATA = {
    "jpeg": ("jpeg", _jpeg_with_metadata, 1),
    "gif": ("gif", _gif_with_metadata, 1),
    "animated-gif": ("gif", lambda: _gif_with_metadata(frames=3), 3),
    "png": ("png", _png_with_metadata, 1),
    "animated-png": ("png", lambda: _png_with_metadata(frames=3), 3),
    "webp": ("webp", _webp_with_metadata, 1),
    "animated-webp": ("webp", lambda: _webp_with_metadata(frames=3), 3),
}


@pytest.mark.parametrize("case", list(IMAGES_WITH_METADATA))
def test_every_kind_of_image_metadata_is_removed(world, settings, case):
    key, build, frames = IMAGES_WITH_METADATA[case]
    data = build()
    with Image.open(io.BytesIO(data)) as original:  # the upload really carries the marker
        assert SECRET.encode() in data or SECRET in repr(original.info)
    document = make_document(
        world["space"], world["users"]["member"], data=data, name=f"صورة{filetypes.KINDS[key].extension}"
    )
    version = document.current_version
    stored = (settings.MEDIA_ROOT / version.file.name).read_bytes()
    thumbnail = (settings.MEDIA_ROOT / version.thumbnail.name).read_bytes()
    assert SECRET.encode() not in stored and SECRET.encode() not in thumbnail
    assert b"Exif" not in stored and b"xmpmeta" not in stored
    _assert_only_pixels(stored, key)
    _assert_only_pixels(thumbnail, "webp")
    with Image.open(io.BytesIO(stored)) as image:
        assert (image.format, getattr(image, "n_frames", 1)) == (filetypes.IMAGE_FORMATS[key], frames)
    assert version.size == len(stored) and version.sha256 == hashlib.sha256(stored).hexdigest()


@pytest.mark.parametrize("key", ["gif", "webp", "png"])
def test_an_animation_keeps_its_frames_timing_and_looping(world, settings, key):
    data = {"gif": _gif_with_metadata, "webp": _webp_with_metadata, "png": _png_with_metadata}[key](frames=3)
    document = make_document(world["space"], world["users"]["member"], data=data, name="a")
    stored = (settings.MEDIA_ROOT / document.current_version.file.name).read_bytes()
    with Image.open(io.BytesIO(stored)) as image:
        durations, colours = [], []
        for frame in range(image.n_frames):
            image.seek(frame)
            image.load()  # WebP reads a frame's duration with its pixels
            durations.append(image.info["duration"])
            colours.append(image.convert("RGB").getpixel((5, 5)))
        assert durations == [40, 80, 120] and image.info["loop"] == 0
        assert len(set(colours)) == 3  # three different pictures, not one repeated


def test_a_gif_that_plays_once_still_plays_once(world, settings):
    output = io.BytesIO()
    pictures = [Image.new("RGB", (10, 10), (index * 120, 60, 60)) for index in range(2)]
    pictures[0].save(output, format="GIF", save_all=True, append_images=pictures[1:], duration=60)
    document = make_document(world["space"], world["users"]["member"], data=output.getvalue(), name="a.gif")
    stored = (settings.MEDIA_ROOT / document.current_version.file.name).read_bytes()
    assert all(label != 0xFF for label, _ in _gif_extensions(stored))  # no loop count: plays once
    with Image.open(io.BytesIO(stored)) as image:
        assert image.n_frames == 2 and "loop" not in image.info


@pytest.mark.parametrize("key", ["png", "webp", "jpeg"])
def test_an_image_with_unreadable_exif_is_accepted_without_it(world, settings, key):
    output = io.BytesIO()
    Image.new("RGB", (20, 20), "green").save(
        output, format=filetypes.IMAGE_FORMATS[key], exif=b"Exif\x00\x00" + SECRET.encode()
    )
    document = make_document(world["space"], world["users"]["member"], data=output.getvalue(), name="a")
    stored = (settings.MEDIA_ROOT / document.current_version.file.name).read_bytes()
    assert SECRET.encode() not in stored
    _assert_only_pixels(stored, key)


def test_a_colour_profile_is_dropped_and_the_colours_stay(world, settings):
    from PIL import ImageCms

    output = io.BytesIO()
    Image.new("RGB", (20, 20), (180, 40, 40)).save(
        output, format="PNG", icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    )
    document = make_document(world["space"], world["users"]["member"], data=output.getvalue(), name="a.png")
    stored = (settings.MEDIA_ROOT / document.current_version.file.name).read_bytes()
    assert "iCCP" not in _png_chunks(stored)
    with Image.open(io.BytesIO(stored)) as image:
        red, green, blue = image.convert("RGB").getpixel((3, 3))
        assert abs(red - 180) <= 3 and abs(green - 40) <= 3 and abs(blue - 40) <= 3


def test_images_get_a_private_thumbnail(world, clients, settings):
    space = world["space"]
    document = make_document(
        space, world["users"]["member"], data=jpeg_bytes(size=(1200, 800)), name="صورة.jpg"
    )
    version = document.current_version
    assert version.thumbnail.name.startswith(f"thumbnails/{space.pk}/")
    response = clients["rapporteur"].get(
        reverse("documents:version-thumbnail", args=[space.pk, document.pk, version.pk])
    )
    assert response.status_code == 200 and response["Content-Type"] == "image/webp"
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as thumbnail:
        assert max(thumbnail.size) == settings.CSSR_THUMBNAIL_PIXELS
    pdf = make_document(space, world["users"]["member"])
    assert not pdf.current_version.thumbnail
    assert (
        clients["member"]
        .get(reverse("documents:version-thumbnail", args=[space.pk, pdf.pk, pdf.current_version.pk]))
        .status_code
        == 404
    )


def test_accepted_kinds(world):
    space, member = world["space"], world["users"]["member"]
    output = io.BytesIO()
    Image.new("P", (10, 10)).save(output, format="GIF")
    kinds = {
        "docx": docx_bytes(),
        "pdf": minimal_pdf(),
        "png": png_bytes(),
        "jpeg": jpeg_bytes(),
        "gif": output.getvalue(),
        "txt": "نص عربي\nسطر ثانٍ".encode(),
        "odt": zip_bytes({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"}),
        "xlsx": zip_bytes({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"}),
    }
    for kind, data in kinds.items():
        document = services.document_create(actor=member, space=space, title=kind, upload=upload("ملف", data))
        assert document.current_version.kind == kind
        assert document.current_version.original_name == "ملف" + filetypes.KINDS[kind].extension


# --- Downloads ----------------------------------------------------------------------------------


def test_download_streams_the_file_with_an_rfc5987_name(world, clients):
    space = world["space"]
    data = minimal_pdf()
    document = make_document(space, world["users"]["member"], data=data, name="تقرير الحماية.pdf")
    version = document.current_version
    response = clients["political_officer"].get(
        reverse("documents:version-download", args=[space.pk, document.pk, version.pk])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"document.pdf\"; filename*=UTF-8''" + quote("تقرير الحماية.pdf", safe="")
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "X-Accel-Redirect" not in response


def test_pdf_opens_in_the_browser(world, clients):
    space = world["space"]
    document = make_document(space, world["users"]["member"], name="report.pdf")
    version = document.current_version
    response = clients["member"].get(
        reverse("documents:version-view", args=[space.pk, document.pk, version.pk])
    )
    assert response["Content-Disposition"].startswith('inline; filename="report.pdf"')
    assert "object-src 'self'" in response["Content-Security-Policy"]
    assert "script-src" not in response["Content-Security-Policy"]  # default-src 'none' covers scripts
    detail = clients["member"].get(reverse("documents:document-detail", args=[space.pk, document.pk]))
    assert (
        reverse("documents:version-view", args=[space.pk, document.pk, version.pk]) in detail.content.decode()
    )


def test_office_documents_are_never_shown_inline(world, clients):
    space = world["space"]
    document = make_document(space, world["users"]["member"], data=docx_bytes(), name="مستند.docx")
    version = document.current_version
    response = clients["member"].get(
        reverse("documents:version-view", args=[space.pk, document.pk, version.pk])
    )
    assert response["Content-Disposition"].startswith("attachment;")


def test_content_disposition_has_an_ascii_fallback():
    assert (
        content_disposition("report.pdf")
        == "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf"
    )
    header = content_disposition('مذكرة "الإحاطة" 2026.pdf', inline=True)
    assert header.startswith("inline; filename=\"2026.pdf\"; filename*=UTF-8''%D9%85")
    assert (
        "\n" not in content_disposition("a\nb.txt")
        and '"' not in content_disposition('a"b.txt').split(";")[1][11:-1]
    )


def test_production_hands_the_download_to_nginx(world, clients, settings):
    settings.CSSR_X_ACCEL_REDIRECT = True
    space = world["space"]
    document = make_document(space, world["users"]["member"], name="ورقة.pdf")
    version = document.current_version
    response = clients["member"].get(
        reverse("documents:version-download", args=[space.pk, document.pk, version.pk])
    )
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_protected/{version.file.name}"
    assert response.content == b""
    assert response["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    # The refused still get nothing, and no redirect header.
    refused = clients["outsider"].get(
        reverse("documents:version-download", args=[space.pk, document.pk, version.pk])
    )
    assert refused.status_code == 404 and "X-Accel-Redirect" not in refused


def test_nginx_internal_location_matches_the_setting(settings):
    config = (settings.BASE_DIR / "deploy" / "nginx.conf").read_text()
    location = config.split(f"location {settings.CSSR_X_ACCEL_PREFIX} {{", 1)[1].split("}", 1)[0]
    assert "internal;" in location


def test_guessed_media_urls_give_404(world, clients, settings):
    space = world["space"]
    document = make_document(space, world["users"]["member"])
    name = document.current_version.file.name
    for role in ("member", "staff", "outsider"):
        for url in (f"{settings.MEDIA_URL}{name}", f"/media/{name}", f"/{name}", f"/_protected/{name}"):
            response = clients[role].get(url)
            assert response.status_code == 404, (role, url)


def test_a_version_is_not_reachable_through_another_space(world, clients):
    """The other group's member uploads in their space; the ids of that version under our space give 404,
    and our member cannot reach it through either space."""
    other_space, other = world["other_space"], world["users"]["other_member"]
    document = make_document(other_space, other)
    version = document.current_version
    mixed = reverse("documents:version-download", args=[world["space"].pk, document.pk, version.pk])
    assert clients["member"].get(mixed).status_code == 404
    direct = reverse("documents:version-download", args=[other_space.pk, document.pk, version.pk])
    assert clients["member"].get(direct).status_code == 404
    assert clients["other_member"].get(direct).status_code == 200


def test_locked_member_gets_the_lock_page_on_downloads(world, clients):
    space = world["space"]
    document = make_document(space, world["users"]["member"])
    version = document.current_version
    for name in ("version-download", "version-view"):
        response = clients["locked_member"].get(
            reverse(f"documents:{name}", args=[space.pk, document.pk, version.pk])
        )
        assert response.status_code == 403
        assert "X-Accel-Redirect" not in response and not hasattr(response, "streaming_content")


# --- Query counts ---------------------------------------------------------------------------------


def _count(client, url):
    client.get(url)  # the first request of a session does some one-off work (session, language)
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def _bulk_versions(document, count, user):
    document.refresh_from_db()
    start = document.version_count
    DocumentVersion.objects.bulk_create(
        DocumentVersion(
            document=document,
            number=start + i + 1,
            file=document.current_version.file.name,
            original_name=f"نسخة {i}.pdf",
            size=100 + i,
            kind="pdf",
            content_type="application/pdf",
            sha256="0" * 64,
            uploaded_by=user,
        )
        for i in range(count)
    )
    Document.objects.filter(pk=document.pk).update(version_count=start + count)


def test_library_queries_do_not_grow_with_documents_and_versions(world, clients, django_assert_num_queries):
    space, member = world["space"], world["users"]["member"]
    url = reverse("documents:document-list", args=[space.pk])
    for index in range(4):
        document = make_document(
            space, member, title=f"ورقة {index}", folder=f"مجلد {index % 2}", tags=["أ", "ب"]
        )
        _bulk_versions(document, 2, member)
    few = _count(clients["member"], url)
    for index in range(30):
        document = make_document(
            space,
            member,
            title=f"ورقة ب{index}",
            folder=f"مجلد {index % 5}",
            tags=[f"وسم {index}", "ب"],
            data=png_bytes(),
            name="صورة.png",
        )
        _bulk_versions(document, 5, member)
    assert _count(clients["member"], url) == few
    with django_assert_num_queries(few):
        clients["member"].get(url + "?folder=" + quote("مجلد 1"))


def test_document_page_queries_do_not_grow_with_versions(world, clients, django_assert_num_queries):
    space, member = world["space"], world["users"]["member"]
    document = make_document(space, member, tags=["أ"])
    url = reverse("documents:document-detail", args=[space.pk, document.pk])
    _bulk_versions(document, 3, member)
    few = _count(clients["member"], url)
    _bulk_versions(document, 60, world["users"]["rapporteur"])
    TranslationRequest.objects.create(
        version=document.versions.first(), source_language="ar", target_language="en", requested_by=member
    )
    assert _count(clients["member"], url) == few
    with django_assert_num_queries(few):
        clients["member"].get(url)


def test_archive_queries_do_not_grow_with_entries(world, clients, django_assert_num_queries):
    url = reverse("documents:archive-list")
    earlier = _concluded_space_with_documents(world, 3)
    few = _count(clients["outsider"], url)
    _concluded_space_with_documents(world, 15, earlier=earlier)
    assert _count(clients["outsider"], url) == few
    with django_assert_num_queries(few):
        clients["outsider"].get(url)


# --- Filters and search ---------------------------------------------------------------------------


def test_library_filters_by_folder_tag_and_title(world, clients):
    space, member = world["space"], world["users"]["member"]
    make_document(space, member, title="محضر الاجتماع الأول", folder="محاضر", tags=["اجتماعات"])
    make_document(space, member, title="ورقة الانتخابات", folder="أوراق", tags=["انتخابات"])
    url = reverse("documents:document-list", args=[space.pk])

    def titles(query):
        return [document.title for document in clients["member"].get(url, query).context["page"]]

    assert titles({"folder": "محاضر"}) == ["محضر الاجتماع الأول"]
    tag = DocumentTag.objects.get(name="انتخابات")
    assert titles({"tag": tag.pk}) == ["ورقة الانتخابات"]
    assert titles({"q": "الإنتخابات"}) == ["ورقة الانتخابات"]  # Arabic spelling variants meet
    assert titles({"tag": "not-a-number"}) == ["ورقة الانتخابات", "محضر الاجتماع الأول"]


def test_uploader_and_rapporteur_edit_details_others_may_not(world, clients):
    space = world["space"]
    document = make_document(space, world["users"]["member"], title="قديم")
    url = reverse("documents:document-edit", args=[space.pk, document.pk])
    response = clients["political_officer"].post(url, {"title": "جديد"})
    assert response.status_code == 403
    response = clients["rapporteur"].post(url, {"title": "جديد", "folder": "مخرجات", "tags": "أ، ب"})
    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.title, document.folder) == ("جديد", "مخرجات")
    assert document.versions.count() == 1


# --- Translation requests ---------------------------------------------------------------------------


def _request_url(document):
    return reverse(
        "documents:translation-request", args=[document.space_id, document.pk, document.current_version_id]
    )


def test_member_asks_for_a_translation_and_a_duplicate_is_refused(world, clients):
    space = world["space"]
    document = make_document(space, world["users"]["rapporteur"], language="ar")
    response = clients["member"].post(_request_url(document), {"target_language": "en", "note": "للخبراء"})
    assert response.status_code == 302
    request = TranslationRequest.objects.get()
    assert (request.source_language, request.target_language, request.requested_by) == (
        "ar",
        "en",
        world["users"]["member"],
    )
    response = clients["political_officer"].post(_request_url(document), {"target_language": "en"})
    assert response.status_code == 200
    assert "سبق أن طُلبت ترجمة هذه النسخة إلى هذه اللغة." in response.content.decode()
    assert TranslationRequest.objects.count() == 1
    response = clients["member"].post(_request_url(document), {"target_language": "ar"})
    assert "هذه النسخة مكتوبة بهذه اللغة أصلًا." in response.content.decode()
    assert TranslationRequest.objects.count() == 1


def _staff_admin_client(world):
    from .conftest import client_for

    return client_for(world["users"]["staff"])


def test_staff_upload_the_translation_and_the_requester_is_notified(
    world, django_capture_on_commit_callbacks
):
    space, member = world["space"], world["users"]["member"]
    document = make_document(space, world["users"]["rapporteur"], language="ar")
    request = services.translation_request_create(
        actor=member, version=document.current_version, target_language="en"
    )
    admin = _staff_admin_client(world)
    queue = admin.get(reverse("admin:documents_translationrequest_changelist") + "?status__exact=open")
    assert queue.status_code == 200 and document.title in queue.content.decode()
    url = reverse("admin:documents_translationrequest_change", args=[request.pk])
    assert admin.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            url,
            {
                "status": "in_progress",
                "staff_note": "",
                "translation_file": upload("principles-en.pdf", minimal_pdf("Principles")),
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    request.refresh_from_db()
    translation = request.translation
    assert request.status == TranslationRequest.Status.DONE and request.completed_at
    assert translation.translation_of == request.version  # linked to the version it translates
    assert translation.translation_of_id != translation.pk and translation.language == "en"
    document.refresh_from_db()
    assert document.current_version == translation and document.version_count == 2
    notice = Notification.objects.get(kind=Notification.Kind.TRANSLATION)
    assert notice.recipient == member and document.title in notice.title
    # No contribution is counted for staff's upload.
    assert not Contribution.objects.filter(user=world["users"]["staff"]).exists()


def test_staff_upload_of_a_bad_translation_file_changes_nothing(world, settings):
    document = make_document(world["space"], world["users"]["rapporteur"], language="ar")
    request = services.translation_request_create(
        actor=world["users"]["member"], version=document.current_version, target_language="en"
    )
    files = stored_files(settings)
    response = _staff_admin_client(world).post(
        reverse("admin:documents_translationrequest_change", args=[request.pk]),
        {"status": "open", "staff_note": "", "translation_file": upload("x.pdf", b"MZ" + b"\0" * 50)},
    )
    assert response.status_code == 200 and "لا يمكن رفع البرامج" in response.content.decode()
    request.refresh_from_db()
    assert (
        request.status == "open" and DocumentVersion.objects.count() == 1 and stored_files(settings) == files
    )


def test_staff_decline_a_request_with_a_reason(world, django_capture_on_commit_callbacks):
    document = make_document(world["space"], world["users"]["rapporteur"], language="ar")
    request = services.translation_request_create(
        actor=world["users"]["member"], version=document.current_version, target_language="en"
    )
    url = reverse("admin:documents_translationrequest_change", args=[request.pk])
    admin = _staff_admin_client(world)
    response = admin.post(url, {"status": "declined", "staff_note": ""})
    assert response.status_code == 200 and "اذكر سبب رفض الطلب." in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(url, {"status": "declined", "staff_note": "الوثيقة متاحة بالإنجليزية"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "declined" and request.staff_note == "الوثيقة متاحة بالإنجليزية"
    assert Notification.objects.filter(
        kind=Notification.Kind.TRANSLATION, recipient=world["users"]["member"]
    ).exists()
    # Declined: a new request may be made.
    services.translation_request_create(
        actor=world["users"]["member"], version=document.current_version, target_language="en"
    )


# --- The knowledge archive ------------------------------------------------------------------------------


def _concluded_space_with_documents(world, count, *, earlier=None):
    if earlier is None:
        earlier = factories.make_space(name="الدورة الأولى للمجموعة", name_en="First cohort")
        factories.add_member(earlier, username="alumnus", display_name="عضو سابق")
    else:
        workgroup_services.space_set_status(actor=None, space=earlier, status=Space.Status.ACTIVE)
    author = earlier.memberships.first().user
    documents = [
        make_document(earlier, author, title=f"مذكرة الإحاطة رقم {i}", name=f"مذكرة {i}.pdf")
        for i in range(count)
    ]
    workgroup_services.space_set_status(actor=None, space=earlier, status=Space.Status.CONCLUDED)
    for document in documents:
        document.refresh_from_db()
        services.archive_publish_document(actor=world["users"]["staff"], document=document)
    return earlier


def test_staff_publish_documents_of_concluded_spaces_only(world):
    active_document = make_document(world["space"], world["users"]["member"], title="ورقة حالية")
    earlier = factories.make_space(name="الدورة الأولى", name_en="First cohort")
    author = factories.add_member(earlier, username="alumnus")
    old = make_document(earlier, author, title="مذكرة الإحاطة الختامية")
    workgroup_services.space_set_status(actor=None, space=earlier, status=Space.Status.CONCLUDED)
    admin = _staff_admin_client(world)
    response = admin.post(
        reverse("admin:documents_document_changelist"),
        {"action": "publish_to_archive", "_selected_action": [active_document.pk, old.pk]},
        follow=True,
    )
    body = response.content.decode()
    assert "لا يُنشر في الأرشيف إلا مستندات المساحات المختتمة." in body
    entry = ArchiveEntry.objects.get()
    assert entry.version == old.current_version and entry.space == earlier and entry.theme == earlier.theme
    assert (entry.cycle_start, entry.cycle_end) == (earlier.cycle_start, earlier.cycle_end)
    # Publishing twice is refused too.
    response = admin.post(
        reverse("admin:documents_document_changelist"),
        {"action": "publish_to_archive", "_selected_action": [old.pk]},
        follow=True,
    )
    assert "هذه النسخة موجودة في الأرشيف بالفعل." in response.content.decode()
    assert ArchiveEntry.objects.count() == 1


def test_every_participant_reads_searches_and_downloads_the_archive(world, clients, client):
    earlier = _concluded_space_with_documents(world, 2)
    entry = ArchiveEntry.objects.order_by("pk").first()
    entry.summary_ar = "مجالات الاتفاق حول الانتخابات والمسؤولية"
    services.archive_entry_save(actor=world["users"]["staff"], entry=entry)
    outsider = clients["outsider"]  # in no space at all
    listing = outsider.get(reverse("documents:archive-list"))
    assert listing.status_code == 200 and len(listing.context["page"]) == 2
    # The normaliser: hamza forms, ta marbuta and the seat of the hamza meet.
    found = outsider.get(reverse("documents:archive-list"), {"q": "الإنتخابات مسئولية"})
    assert [e.pk for e in found.context["page"]] == [entry.pk]
    assert "<mark>" in found.content.decode()
    assert len(outsider.get(reverse("documents:archive-list"), {"q": "الاحاطه"}).context["page"]) == 2
    assert len(outsider.get(reverse("documents:archive-list"), {"q": "غير موجود"}).context["page"]) == 0
    detail = outsider.get(reverse("documents:archive-detail", args=[entry.pk]))
    assert detail.status_code == 200 and entry.title_ar in detail.content.decode()
    download = outsider.get(reverse("documents:archive-download", args=[entry.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == entry.version.file.read()
    # The space stays closed to them: only the archived file is open.
    version = entry.version
    assert (
        outsider.get(
            reverse("documents:version-download", args=[earlier.pk, version.document_id, version.pk])
        ).status_code
        == 404
    )
    # Anonymous visitors are sent to sign in.
    assert client.get(reverse("documents:archive-download", args=[entry.pk])).status_code == 302
    assert client.get(reverse("documents:archive-list")).status_code == 302


def test_archive_entries_of_unknown_ids_give_404(world, clients):
    assert clients["member"].get(reverse("documents:archive-detail", args=[999999])).status_code == 404
    assert clients["member"].get(reverse("documents:archive-download", args=[999999])).status_code == 404


def test_archive_filters_by_theme(world, clients):
    earlier = _concluded_space_with_documents(world, 1)
    other = factories.make_space(name="مجموعة أخرى", name_en="Other")
    author = factories.add_member(other, username="another")
    document = make_document(other, author, title="ورقة أخرى")
    workgroup_services.space_set_status(actor=None, space=other, status=Space.Status.CONCLUDED)
    document.refresh_from_db()
    services.archive_publish_document(actor=None, document=document)
    response = clients["member"].get(reverse("documents:archive-list"), {"theme": earlier.theme_id})
    assert [entry.space_id for entry in response.context["page"]] == [earlier.pk]


# --- Digests and demo -------------------------------------------------------------------------------


def test_digest_lists_new_documents_and_versions(world):
    from workgroups import digests

    space = world["space"]
    since = timezone.now() - datetime.timedelta(minutes=1)
    document = make_document(space, world["users"]["member"], title="ورقة للملخص")
    services.document_version_add(actor=world["users"]["rapporteur"], document=document, upload=text_upload())
    until = timezone.now() + datetime.timedelta(minutes=1)
    sources = {source.key: source for source in digests.SOURCES}
    new = list(sources["documents"].collect({space.pk}, since, until))
    versions = list(sources["document_versions"].collect({space.pk}, since, until))
    assert [item.title for item in new] == ["ورقة للملخص"]
    assert [item.title for item in versions] == ["ورقة للملخص"] and versions[0].line == document.pk
    assert not list(sources["documents"].collect({world["other_space"].pk}, since, until))


def test_demo_shows_the_library(settings, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", verbosity=0)
    legal = Document.objects.filter(space__name_en="Legal and constitutional issues working group")
    assert legal.count() >= 3
    principles = legal.get(title="ورقة المبادئ الدستورية")
    assert principles.version_count == 2 and principles.current_version.kind == "pdf"
    assert legal.filter(current_version__kind="jpeg", current_version__thumbnail__gt="").exists()
    assert TranslationRequest.objects.filter(status="open").count() == 1
    entry = ArchiveEntry.objects.get()
    assert entry.space.status == Space.Status.CONCLUDED and entry.title_en
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(entry.version.file.read())).pages[0].extract_text()
    assert "مذكرة الإحاطة" in text
