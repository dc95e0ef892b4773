"""The document library of each space, translation requests and the knowledge archive.

Files are never public: they are stored under random names in private storage and served only by
the permission-checked views of `documents.downloads`.
"""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from workgroups.models import Space, Theme


class Language(models.TextChoices):
    ARABIC = "ar", _("Arabic")
    ENGLISH = "en", _("English")


def _random_name(prefix, space_id, extension):
    return f"{prefix}/{space_id}/{secrets.token_hex(16)}{extension}"


def version_upload_to(instance, filename):
    """A random name: nothing of the uploader's file name reaches the disk. `filename` carries only
    the extension of the detected kind (set by the service)."""
    extension = filename[filename.rfind(".") :] if "." in filename else ""
    return _random_name("library", instance.document.space_id, extension)


def thumbnail_upload_to(instance, filename):
    return _random_name("thumbnails", instance.document.space_id, ".webp")


class DocumentTag(models.Model):
    """A label for documents, kept per space."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="document_tags")
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        ordering = ["name"]
        verbose_name = _("document tag")
        verbose_name_plural = _("document tags")
        constraints = [
            models.UniqueConstraint(fields=["space", "name"], name="documents_tag_unique_in_space")
        ]

    def __str__(self):
        return self.name


class Document(models.Model):
    """A document of a space's library.

    It has a title, a folder and tags, and its versions (the newest is current).
    """

    space = models.ForeignKey(
        Space, on_delete=models.CASCADE, related_name="documents", verbose_name=_("space")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    folder = models.CharField(_("folder"), max_length=100, blank=True, db_index=True)
    tags = models.ManyToManyField(DocumentTag, blank=True, related_name="documents", verbose_name=_("tags"))
    current_version = models.ForeignKey(
        "DocumentVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current version"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("added"), default=timezone.now)
    updated_at = models.DateTimeField(_("last version"), default=timezone.now, db_index=True)
    version_count = models.PositiveIntegerField(_("versions"), default=0, editable=False)
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [models.Index(fields=["space", "-updated_at"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("documents:document-detail", args=[self.space_id, self.pk])


class DocumentVersion(models.Model):
    """One uploaded file of a document. Versions are never changed or deleted by members: a new
    upload adds a version, so the history (who, when, size) stays. A professional translation is a
    version too, linked to the version it translates (`translation_of`)."""

    access_space_path = "document__space"

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="versions", verbose_name=_("document")
    )
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=version_upload_to, max_length=255)
    thumbnail = models.FileField(upload_to=thumbnail_upload_to, max_length=255, blank=True, editable=False)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    kind = models.CharField(_("type"), max_length=20)
    content_type = models.CharField(_("content type"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, blank=True)
    translation_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="translations",
        verbose_name=_("translation of"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    # The text of a PDF, DOCX or TXT file, read at upload for search (bounded; empty for other files).
    extracted_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="documents_version_number_unique"),
        ]

    def __str__(self):
        return f"{self.document} · v{self.number}"

    @property
    def is_image(self):
        return self.kind in IMAGE_KINDS

    @property
    def is_viewable_inline(self):
        return self.kind in INLINE_KINDS


# Kinds of `documents.filetypes` shown in the browser instead of downloaded.
IMAGE_KINDS = frozenset({"png", "jpeg", "webp", "gif"})
INLINE_KINDS = IMAGE_KINDS | {"pdf", "txt"}


class TranslationRequest(models.Model):
    """A member asks for a professional translation of a version; staff upload it in admin."""

    access_space_path = "version__document__space"

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("translation request", "Open")
        IN_PROGRESS = "in_progress", pgettext_lazy("translation request", "In progress")
        DONE = "done", pgettext_lazy("translation request", "Done")
        DECLINED = "declined", pgettext_lazy("translation request", "Declined")

    OPEN_STATES = (Status.OPEN, Status.IN_PROGRESS)

    version = models.ForeignKey(
        DocumentVersion,
        on_delete=models.CASCADE,
        related_name="translation_requests",
        verbose_name=_("version"),
    )
    source_language = models.CharField(_("from"), max_length=2, choices=Language.choices)
    target_language = models.CharField(_("into"), max_length=2, choices=Language.choices)
    note = models.TextField(_("note for the translator"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    translation = models.ForeignKey(
        DocumentVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("translation"),
    )
    staff_note = models.CharField(_("answer to the requester"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("translation request")
        verbose_name_plural = _("translation requests")
        constraints = [
            # One open request per version and target language: a second one would be translated twice.
            models.UniqueConstraint(
                fields=["version", "target_language"],
                condition=models.Q(status__in=["open", "in_progress"]),
                name="documents_translation_request_open_once",
            ),
            models.CheckConstraint(
                condition=~models.Q(source_language=models.F("target_language")),
                name="documents_translation_request_languages_differ",
            ),
        ]

    def __str__(self):
        return f"{self.version} → {self.target_language}"


class ArchiveEntry(models.Model):
    """An output of a concluded space published by staff to the knowledge archive, readable
    and searchable by every participant.

    Kind "document": a chosen version of a library document (`version`, fixed at publication).
    Kind "final_note": a submitted final briefing note (`final_note`).
    """

    class Kind(models.TextChoices):
        DOCUMENT = "document", _("Document")
        FINAL_NOTE = "final_note", _("Final briefing note")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.DOCUMENT)
    space = models.ForeignKey(
        Space, on_delete=models.PROTECT, related_name="archive_entries", verbose_name=_("from the space")
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("theme")
    )
    cycle_start = models.DateField(_("work period start"))
    cycle_end = models.DateField(_("work period end"))
    title_ar = models.CharField(_("title (Arabic)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    summary_ar = models.TextField(_("summary (Arabic)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    version = models.ForeignKey(
        DocumentVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="archive_entries",
        verbose_name=_("document version"),
    )
    final_note = models.OneToOneField(
        "documents.Draft",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="archive_entry",
        verbose_name=_("final note"),
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published"), default=timezone.now, db_index=True)
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("archive entry")
        verbose_name_plural = _("archive entries")
        constraints = [
            models.UniqueConstraint(
                fields=["version"],
                condition=models.Q(version__isnull=False),
                name="documents_archive_version_once",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("documents:archive-detail", args=[self.pk])

    def _in_language(self, arabic, english):
        if (get_language() or "").startswith("en"):
            return english or arabic
        return arabic or english

    @property
    def title(self):
        return self._in_language(self.title_ar, self.title_en)

    @property
    def summary(self):
        return self._in_language(self.summary_ar, self.summary_en)
