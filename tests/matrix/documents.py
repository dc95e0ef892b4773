"""Access-matrix rows and fixture content of the document library capability (joined in
tests/matrix/__init__.py)."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from .core import POSTERS, Row, signed_in, space_action, space_view

UPLOADERS = [
    "member",
    "rapporteur",
]  # who may edit a document's details: its uploader (the member) and rapporteurs


def png_bytes(size=(40, 30), color=(30, 120, 200)):
    output = io.BytesIO()
    Image.new("RGB", size, color).save(output, format="PNG")
    return output.getvalue()


def text_upload(name="ملاحظات.txt", text="ملاحظات الاجتماع الأول"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/plain")


def _space(world):
    return [world["space"].pk]


def _document(world):
    return [world["space"].pk, world["document"].pk]


def _version(world):
    return [world["space"].pk, world["document"].pk, world["document_version"].pk]


def _image_version(world):
    return [world["space"].pk, world["image_document"].pk, world["image_version"].pk]


def _entry(world):
    return [world["archive_entry"].pk]


ROWS = [
    Row("documents:document-list", space_view(200), args=_space),
    Row("documents:document-create", space_action(200, allowed=POSTERS), args=_space),
    Row(
        "documents:document-create",
        space_action(302, allowed=POSTERS),
        method="post",
        args=_space,
        data=lambda w: {
            "title": "محضر الاجتماع",
            "file": text_upload(),
            "folder": "محاضر",
            "tags": "اجتماعات",
        },
    ),
    Row("documents:document-detail", space_view(200), args=_document),
    Row(
        "documents:document-edit",
        space_action(200, allowed=UPLOADERS),
        args=_document,
        note="the member uploaded it",
    ),
    Row(
        "documents:document-edit",
        space_action(302, allowed=UPLOADERS),
        method="post",
        args=_document,
        data=lambda w: {"title": "ورقة معدلة", "folder": "أوراق", "tags": "دستور"},
    ),
    Row(
        "documents:version-create",
        space_action(302, allowed=POSTERS),
        method="post",
        args=_document,
        data=lambda w: {"file": text_upload("نسخة.txt", "النص بعد التعديل"), "note": "تصحيح"},
    ),
    Row("documents:version-download", space_view(200), args=_version),
    Row("documents:version-view", space_view(200), args=_version),
    Row("documents:version-thumbnail", space_view(200), args=_image_version),
    Row(
        "documents:translation-request",
        space_action(302, allowed=POSTERS),
        method="post",
        args=_version,
        data=lambda w: {"target_language": "en", "note": "للاجتماع مع الخبراء"},
    ),
    # The knowledge archive: every signed-in participant, whatever their spaces.
    Row("documents:archive-list", signed_in(200), data=lambda w: {"q": "الدستور"}),
    Row("documents:archive-detail", signed_in(200), args=_entry),
    Row("documents:archive-download", signed_in(200), args=_entry),
]


def content(world):
    """A text document uploaded by the member and a photo in `world["space"]`; a concluded space with
    a document published to the archive."""
    from documents.services import library as services
    from workgroups import services as workgroup_services
    from workgroups.models import Space

    from .. import factories

    space, member = world["space"], world["users"]["member"]
    document = services.document_create(
        actor=member,
        space=space,
        title="ورقة المبادئ الدستورية",
        upload=text_upload("ورقة المبادئ.txt", "المبادئ الدستورية العامة"),
        folder="أوراق",
        tags=["دستور"],
        language="ar",
    )
    image_document = services.document_create(
        actor=world["users"]["rapporteur"],
        space=space,
        title="صورة من الورشة",
        upload=SimpleUploadedFile("ورشة.png", png_bytes(), content_type="image/png"),
    )
    earlier = factories.make_space(name="الدورة السابقة", name_en="Earlier cohort")
    author = factories.add_member(earlier, username="earlier-member", display_name="عضو سابق")
    archived = services.document_create(
        actor=author,
        space=earlier,
        title="مذكرة الإحاطة حول الدستور",
        upload=text_upload("مذكرة.txt", "خلاصة عمل المجموعة حول الدستور"),
    )
    workgroup_services.space_set_status(actor=None, space=earlier, status=Space.Status.CONCLUDED)
    earlier.refresh_from_db()
    archived.refresh_from_db()
    entry = services.archive_publish_document(actor=world["users"]["staff"], document=archived)
    return {
        "document": document,
        "document_version": document.current_version,
        "image_document": image_document,
        "image_version": image_document.current_version,
        "archive_entry": entry,
    }
