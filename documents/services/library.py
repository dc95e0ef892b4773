"""Every write of the document library, translation requests and the archive.

Trusts its caller for the actor's role: a view or admin has asked the permission core whether the
actor may contribute in the space (`access.check_change_document` for changes of details); a space
that is not active is asked of the core again (`access.require_active`). These functions check the
file itself (`documents.filetypes`), keep the rules of the objects (a concluded space is read-only,
one open translation request per version and language, only concluded spaces are archived) and
raise ValidationError or PermissionDenied. A refused upload leaves nothing behind: the file is
judged before anything is written, and files written by a transaction that fails are removed again.
"""

import datetime
import hashlib
import io
import re
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageCms

from cssr.search import index_text
from cssr.text import clean_single_line
from documents import extraction, filetypes
from documents.models import (
    ArchiveEntry,
    Document,
    DocumentTag,
    DocumentVersion,
    Language,
    TranslationRequest,
)
from workgroups import access
from workgroups.models import Contribution, Notification, Space
from workgroups.services import contribution_record
from workgroups.services.notifications import notify

TITLE_MAX = 200
FOLDER_MAX = 100
NOTE_MAX = 300
TAGS_MAX = 10
TAG_MAX = 60
DESCRIPTION_MAX = 5000
JPEG_QUALITY = 88


def _required(value, *, limit, empty_message):
    value = clean_single_line(value)
    if not value:
        raise ValidationError(empty_message, code="empty")
    if len(value) > limit:
        raise ValidationError(
            _("This text is too long (at most %(limit)s characters).") % {"limit": limit}, code="too_long"
        )
    return value


def _optional(value, *, limit):
    value = (value or "").strip()
    if len(value) > limit:
        raise ValidationError(
            _("This text is too long (at most %(limit)s characters).") % {"limit": limit}, code="too_long"
        )
    return value


def clean_folder(folder):
    """A folder is one level of free text (no slashes, no control characters)."""
    folder = filetypes.clean_name(folder).replace(".", " ").strip() if (folder or "").strip() else ""
    return " ".join(folder.split())[:FOLDER_MAX]


def parse_tags(text):
    """Tags typed as a list separated by commas (Latin or Arabic)."""
    names = []
    for name in re.split("[,،]", text or ""):
        name = " ".join(name.split())[:TAG_MAX]
        if name and name not in names:
            names.append(name)
    if len(names) > TAGS_MAX:
        raise ValidationError(_("At most %(limit)s tags.") % {"limit": TAGS_MAX}, code="too_many")
    return names


def _reject(error):
    raise ValidationError(error.message, code="file")


# --- Files ------------------------------------------------------------------------------------


# EXIF orientation -> the turn that shows the picture upright (as ImageOps.exif_transpose does).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
# What the encoders may still take from an image's `info`: which palette entry or colour is
# transparent. Everything else there is metadata.
_PIXEL_INFO = ("transparency",)
FRAME_MILLISECONDS = 100  # the duration of an animation frame that does not say


def _orientation(image):
    try:
        return image.getexif().get(0x0112, 1)
    except Exception:  # EXIF is whatever bytes the uploader chose; Pillow raises many kinds of error on them
        return 1


def _in_srgb(picture, profile):
    """The pixels converted from the image's colour profile to sRGB, so that the colours stay right once
    the profile (which can carry text) is dropped. An unreadable profile leaves the pixels as they are."""
    if not profile or picture.mode not in ("RGB", "RGBA", "CMYK"):
        return picture
    try:
        return ImageCms.profileToProfile(
            picture,
            ImageCms.ImageCmsProfile(io.BytesIO(profile)),
            ImageCms.createProfile("sRGB"),
            outputMode="RGBA" if picture.mode == "RGBA" else "RGB",
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return picture


def _pixels_only(image, *, orientation, profile):
    """The current frame of `image`, upright, in sRGB, carrying nothing but its pixels (and palette)."""
    picture = _in_srgb(image.copy(), profile)
    if orientation in _UPRIGHT:
        picture = picture.transpose(_UPRIGHT[orientation])
    picture.info = {
        key: image.info[key] for key in _PIXEL_INFO if key in image.info and picture.mode == image.mode
    }
    return picture


def _reencode(data, kind):
    """The image drawn again from its pixels alone, in its own format. Kept: the pixels (turned upright
    as EXIF asked, colours converted to sRGB), transparency, and for an animation (GIF, WebP, PNG) its
    frames, their durations and whether it loops. Dropped: EXIF (GPS, camera, time), XMP, IPTC, colour
    profiles, comments (JPEG COM segments, GIF comment extensions, PNG tEXt/zTXt/iTXt chunks), other
    application blocks and chunks (PNG eXIf and tIME, WebP EXIF and XMP), and anything after the image.
    The encoders then write only what the format needs (JFIF, Adobe's marker for CMYK, GIF's loop
    count)."""
    with Image.open(io.BytesIO(data)) as image:
        orientation = _orientation(image)
        profile = image.info.get("icc_profile")
        loop = image.info.get("loop")
        frames, durations = [], []
        for index in range(getattr(image, "n_frames", 1)):
            image.seek(index)
            frames.append(_pixels_only(image, orientation=orientation, profile=profile))
            durations.append(image.info.get("duration") or FRAME_MILLISECONDS)
    first, others = frames[0], frames[1:]
    animation = {}
    if others:
        animation = {"save_all": True, "append_images": others, "duration": durations}
        if loop is not None:
            animation["loop"] = loop
        if kind.key == "gif":
            animation["disposal"] = 2  # each frame is whole: clear the last one first
    output = io.BytesIO()
    if kind.key == "jpeg":
        if first.mode not in ("RGB", "L", "CMYK"):
            first = first.convert("RGB")
        first.save(output, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    elif kind.key == "png":
        first.save(output, format="PNG", optimize=True, **animation)
    elif kind.key == "webp":
        first.save(output, format="WEBP", quality=JPEG_QUALITY, **animation)
    else:
        first.save(output, format="GIF", **animation)
    return output.getvalue()


def _thumbnail(data, size):
    with Image.open(io.BytesIO(data)) as image:
        image.seek(0)
        small = image.convert("RGBA" if "A" in image.getbands() or image.mode == "P" else "RGB")
        small.thumbnail((size, size))
        output = io.BytesIO()
        small.save(output, format="WEBP", quality=80)
        return output.getvalue()


@contextmanager
def _files_removed_on_failure():
    """Collect the names of files written inside the block; remove them if the block fails."""
    written = []
    try:
        yield written
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise


def _checked_upload(upload):
    """(kind, stored bytes, thumbnail bytes or None, text for search) of an upload, or ValidationError.
    The text is read here, before any transaction, so no lock is held while a long PDF is read."""
    if upload is None:
        raise ValidationError(_("Choose a file to upload."), code="empty")
    try:
        kind = filetypes.inspect(upload)
    except filetypes.UploadRejected as error:
        _reject(error)
    upload.seek(0)
    data = upload.read()
    thumbnail = None
    if kind.key in filetypes.IMAGE_FORMATS:
        try:
            data = _reencode(data, kind)
            thumbnail = _thumbnail(data, settings.CSSR_THUMBNAIL_PIXELS)
        except (OSError, ValueError, Image.DecompressionBombError):
            raise ValidationError(_("The image is damaged or incomplete."), code="file") from None
    return kind, data, thumbnail, extraction.extract_text(data, kind.key)


def _add_version(*, actor, document, upload, checked, note="", language="", translation_of=None, written):
    """Write the checked file and the version row (inside the caller's transaction); the document
    points to it. The file was checked before the transaction (`_checked_upload`), so the write lock
    is not held while an image is decoded."""
    kind, data, thumbnail, extracted_text = checked
    if language and language not in Language.values:
        language = ""
    locked = Document.objects.select_for_update().get(pk=document.pk)
    version = DocumentVersion(
        document=locked,
        number=locked.version_count + 1,
        original_name=filetypes.clean_name(upload.name, kind=kind),
        size=len(data),
        kind=kind.key,
        content_type=kind.content_type,
        sha256=hashlib.sha256(data).hexdigest(),
        note=note,
        language=language,
        translation_of=translation_of,
        uploaded_by=actor,
        created_at=timezone.now(),
        extracted_text=extracted_text,
    )
    version.file.save(f"upload{kind.extension}", ContentFile(data), save=False)
    written.append(version.file.name)
    if thumbnail is not None:
        version.thumbnail.save("thumbnail.webp", ContentFile(thumbnail), save=False)
        written.append(version.thumbnail.name)
    version.save()
    tag_names = list(locked.tags.values_list("name", flat=True))
    Document.objects.filter(pk=locked.pk).update(
        current_version=version,
        version_count=F("version_count") + 1,
        updated_at=version.created_at,
        search_text=_search_text(locked, tag_names, file_text=extracted_text),
    )
    document.current_version = version
    document.version_count = locked.version_count + 1
    document.updated_at = version.created_at
    return version


def _search_text(document, tag_names, file_text=None):
    """A document's search text: its details, and the text of its current version's file (read from
    the database unless given)."""
    if file_text is None and document.current_version_id:
        versions = DocumentVersion.objects.filter(pk=document.current_version_id)
        file_text = versions.values_list("extracted_text", flat=True).first()
    return index_text(document.title, document.description, document.folder, *tag_names, file_text or "")


def document_create(*, actor, space, title, upload, description="", folder="", tags=(), language=""):
    """Add a document to the space's library with its first version. Counts as a contribution;
    the space's members are notified. Raises ValidationError (bad file or fields), PermissionDenied
    (space not active)."""
    access.require_active(space)
    title = _required(title, limit=TITLE_MAX, empty_message=_("A title is required."))
    description = _optional(description, limit=DESCRIPTION_MAX)
    folder = clean_folder(folder)
    tag_names = list(tags)[:TAGS_MAX]
    checked = _checked_upload(upload)
    with _files_removed_on_failure() as written, transaction.atomic():
        document = Document.objects.create(
            space=space, title=title, description=description, folder=folder, created_by=actor, search_text=""
        )
        tag_objects = [
            DocumentTag.objects.get_or_create(space=space, name=name[:TAG_MAX])[0] for name in tag_names
        ]
        document.tags.set(tag_objects)
        _add_version(
            actor=actor, document=document, upload=upload, checked=checked, language=language, written=written
        )
        contribution_record(user=actor, space=space, kind=Contribution.Kind.DOCUMENT)
        notify(
            recipients=access.audience(space),
            space=space,
            kind=Notification.Kind.NEW_DOCUMENT,
            actor=actor,
            title=title,
            url=document.get_absolute_url(),
        )
    return document


def document_add_to_concluded_space(
    *, actor, space, title, upload, description="", folder="", tags=(), language="", uploaded_at=None
):
    """Staff add an output that was delivered outside the platform to a space's library (a concluded
    space included), so that it can be published to the archive. No contribution, no notification;
    `uploaded_at` dates the document (a date or a datetime)."""
    title = _required(title, limit=TITLE_MAX, empty_message=_("A title is required."))
    checked = _checked_upload(upload)
    when = timezone.now()
    if uploaded_at is not None:
        if not isinstance(uploaded_at, datetime.datetime):
            uploaded_at = datetime.datetime.combine(uploaded_at, datetime.time(12), tzinfo=datetime.UTC)
        when = uploaded_at
    tag_names = list(tags)[:TAGS_MAX]
    with _files_removed_on_failure() as written, transaction.atomic():
        document = Document.objects.create(
            space=space,
            title=title,
            description=_optional(description, limit=DESCRIPTION_MAX),
            folder=clean_folder(folder),
            created_by=actor,
            created_at=when,
        )
        document.tags.set(
            [DocumentTag.objects.get_or_create(space=space, name=name[:TAG_MAX])[0] for name in tag_names]
        )
        version = _add_version(
            actor=actor, document=document, upload=upload, checked=checked, language=language, written=written
        )
        DocumentVersion.objects.filter(pk=version.pk).update(created_at=when)
        Document.objects.filter(pk=document.pk).update(updated_at=when)
        document.refresh_from_db()
    return document


def document_version_add(*, actor, document, upload, note="", language=""):
    """Upload a new version of a document; earlier versions stay in its history. Counts as a
    contribution; members are notified. Raises ValidationError, PermissionDenied."""
    space = document.space
    access.require_active(space)
    note = _optional(note, limit=NOTE_MAX)
    checked = _checked_upload(upload)
    with _files_removed_on_failure() as written, transaction.atomic():
        version = _add_version(
            actor=actor,
            document=document,
            upload=upload,
            checked=checked,
            note=note,
            language=language,
            written=written,
        )
        contribution_record(user=actor, space=space, kind=Contribution.Kind.DOCUMENT)
        notify(
            recipients=access.audience(space),
            space=space,
            kind=Notification.Kind.NEW_DOCUMENT,
            actor=actor,
            title=_("%(title)s (version %(number)s)") % {"title": document.title, "number": version.number},
            url=document.get_absolute_url(),
        )
    return version


def document_update(*, actor, document, title, description="", folder="", tags=()):
    """Change a document's title, description, folder and tags (its versions stay as they are)."""
    access.require_active(document.space)
    title = _required(title, limit=TITLE_MAX, empty_message=_("A title is required."))
    description = _optional(description, limit=DESCRIPTION_MAX)
    tag_names = list(tags)[:TAGS_MAX]
    with transaction.atomic():
        document.title, document.description, document.folder = title, description, clean_folder(folder)
        document.search_text = _search_text(document, tag_names)
        document.save(update_fields=["title", "description", "folder", "search_text"])
        document.tags.set(
            [
                DocumentTag.objects.get_or_create(space=document.space, name=name[:TAG_MAX])[0]
                for name in tag_names
            ]
        )
    return document


# --- Translation requests -------------------------------------------------------------------------


def translation_request_create(*, actor, version, target_language, note=""):
    """Ask for a professional translation of a version into the other language. Refused (ValidationError)
    while the same translation is already asked for, and for a version that is itself a translation."""
    space = version.document.space
    access.require_active(space)
    if target_language not in Language.values:
        raise ValidationError(_("Choose the language of the translation."), code="language")
    source = version.language or (Language.ENGLISH if target_language == Language.ARABIC else Language.ARABIC)
    if source == target_language:
        raise ValidationError(_("This version is already in that language."), code="same_language")
    note = _optional(note, limit=DESCRIPTION_MAX)
    duplicate = ValidationError(
        _("A translation of this version into that language has already been requested."), code="duplicate"
    )
    if TranslationRequest.objects.filter(
        version=version, target_language=target_language, status__in=TranslationRequest.OPEN_STATES
    ).exists():
        raise duplicate
    try:
        with transaction.atomic():
            return TranslationRequest.objects.create(
                version=version,
                source_language=source,
                target_language=target_language,
                note=note,
                requested_by=actor,
            )
    except IntegrityError:  # a request made at the same moment
        raise duplicate from None


def translation_deliver(*, actor, request, upload, note=""):
    """Staff upload the translation: a new version of the document, in the target language, linked
    to the version it translates. The request is done and the requester is notified."""
    if request.status not in TranslationRequest.OPEN_STATES:
        raise ValidationError(_("This request is already closed."), code="closed")
    document = request.version.document
    note = _optional(note, limit=NOTE_MAX)
    checked = _checked_upload(upload)
    with _files_removed_on_failure() as written, transaction.atomic():
        version = _add_version(
            actor=actor,
            document=document,
            upload=upload,
            checked=checked,
            note=note or _("Professional translation"),
            language=request.target_language,
            translation_of=request.version,
            written=written,
        )
        TranslationRequest.objects.filter(pk=request.pk).update(
            status=TranslationRequest.Status.DONE, translation=version, completed_at=timezone.now()
        )
        request.status, request.translation = TranslationRequest.Status.DONE, version
        _notify_requester(request, title=_("Translation ready: %(title)s") % {"title": document.title})
    return version


def translation_request_decline(*, actor, request, staff_note):
    """Staff decline a request with an answer; the requester is notified."""
    if request.status not in TranslationRequest.OPEN_STATES:
        raise ValidationError(_("This request is already closed."), code="closed")
    staff_note = _required(staff_note, limit=500, empty_message=_("Say why the request is declined."))
    with transaction.atomic():
        TranslationRequest.objects.filter(pk=request.pk).update(
            status=TranslationRequest.Status.DECLINED, staff_note=staff_note, completed_at=timezone.now()
        )
        request.status, request.staff_note = TranslationRequest.Status.DECLINED, staff_note
        _notify_requester(
            request,
            title=_("Translation request declined: %(title)s") % {"title": request.version.document.title},
        )
    return request


def _notify_requester(request, *, title):
    if request.requested_by_id is None:
        return

    document = request.version.document
    notify(
        recipients=get_user_model().objects.filter(pk=request.requested_by_id),
        space=document.space,
        kind=Notification.Kind.TRANSLATION,
        actor=None,
        title=title,
        url=document.get_absolute_url(),
    )


# --- The knowledge archive --------------------------------------------------------------------------


def _archive_search_text(entry):
    return index_text(
        entry.title_ar,
        entry.title_en,
        entry.summary_ar,
        entry.summary_en,
        entry.space.name_ar,
        entry.space.name_en,
        entry.theme.name_ar if entry.theme else "",
        entry.theme.name_en if entry.theme else "",
        entry.version.extracted_text if entry.version_id else "",
    )


def archive_publish_document(*, actor, document, title_ar=None, title_en="", summary_ar=None, summary_en=""):
    """Publish the current version of a document of a concluded space to the knowledge archive.
    Raises ValidationError for a space that is not concluded, a document without a version, or a
    version already archived."""
    space = document.space
    if space.status != Space.Status.CONCLUDED:
        raise ValidationError(
            _("Only documents of concluded spaces can be published to the archive."), code="not_concluded"
        )
    version = document.current_version
    if version is None:
        raise ValidationError(_("This document has no file to publish."), code="empty")
    if ArchiveEntry.objects.filter(version=version).exists():
        raise ValidationError(_("This version is already in the archive."), code="duplicate")
    entry = ArchiveEntry(
        kind=ArchiveEntry.Kind.DOCUMENT,
        space=space,
        theme=space.theme,
        cycle_start=space.cycle_start,
        cycle_end=space.cycle_end,
        version=version,
        published_by=actor,
        published_at=timezone.now(),
        title_ar=document.title if title_ar is None else title_ar,
        title_en=title_en,
        summary_ar=document.description if summary_ar is None else summary_ar,
        summary_en=summary_en,
    )
    entry.search_text = _archive_search_text(entry)
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        raise ValidationError(_("This version is already in the archive."), code="duplicate") from None
    return entry


def archive_entry_save(*, actor, entry):
    """Save an archive entry edited by staff (titles, summaries), keeping its search text in step."""
    if not (entry.title_ar.strip() or entry.title_en.strip()):
        raise ValidationError(_("An archive entry needs a title in Arabic or English."), code="empty")
    entry.search_text = _archive_search_text(entry)
    entry.save()
    return entry
