"""Admin of the documents app: the library, translation requests and the archive; drafts and final notes."""

# library
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from documents import filetypes
from documents.models import ArchiveEntry, Document, DocumentVersion, TranslationRequest
from documents.services import library as services_library


class DocumentVersionInline(admin.TabularInline):
    """The history of a document: read-only (versions are added on the site or as translations)."""

    model = DocumentVersion
    fk_name = "document"
    extra = 0
    can_delete = False
    fields = [
        "number",
        "original_name",
        "size",
        "kind",
        "language",
        "translation_of",
        "uploaded_by",
        "created_at",
        "sha256",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "space", "folder", "version_count", "updated_at"]
    list_filter = ["space__status", "space"]
    search_fields = ["title", "folder"]
    list_select_related = ["space"]
    readonly_fields = ["space", "current_version", "created_by", "created_at", "updated_at", "version_count"]
    fields = [
        "space",
        "title",
        "description",
        "folder",
        "current_version",
        "created_by",
        "created_at",
        "updated_at",
        "version_count",
    ]
    inlines = [DocumentVersionInline]
    actions = ["publish_to_archive"]

    def has_add_permission(self, request):
        return False  # files are checked and cleaned by the upload on the site

    @admin.action(description=_("Publish to the knowledge archive"))
    def publish_to_archive(self, request, queryset):
        published = 0
        for document in queryset.select_related("space", "space__theme", "current_version"):
            try:
                services_library.archive_publish_document(actor=request.user, document=document)
            except ValidationError as error:
                for message in error.messages:
                    self.message_user(request, f"{document.title}: {message}", messages.ERROR)
            else:
                published += 1
        if published:
            self.message_user(
                request,
                ngettext(
                    "%(count)d document published to the archive.",
                    "%(count)d documents published to the archive.",
                    published,
                )
                % {"count": published},
            )


class TranslationRequestForm(forms.ModelForm):
    translation_file = forms.FileField(
        label=_("Translation"),
        required=False,
        allow_empty_file=True,
        help_text=_(
            "Upload the translated file: it becomes a new version of the document, linked to the "
            "version it translates, and the request is done."
        ),
    )

    class Meta:
        model = TranslationRequest
        fields = ["status", "staff_note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (value, label)
            for value, label in TranslationRequest.Status.choices
            if value != TranslationRequest.Status.DONE
            or self.instance.status == TranslationRequest.Status.DONE
        ]

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("translation_file")
        if self.instance.status not in TranslationRequest.OPEN_STATES:
            raise forms.ValidationError(_("This request is already closed."))
        if upload is not None:
            try:
                filetypes.inspect(upload)
            except filetypes.UploadRejected as error:
                self.add_error("translation_file", error.message)
        elif (
            cleaned.get("status") == TranslationRequest.Status.DECLINED
            and not (cleaned.get("staff_note") or "").strip()
        ):
            self.add_error("staff_note", _("Say why the request is declined."))
        return cleaned


@admin.register(TranslationRequest)
class TranslationRequestAdmin(admin.ModelAdmin):
    """The translation queue: open requests first; upload the translation on the request's page."""

    form = TranslationRequestForm
    list_display = [
        "document_title",
        "space",
        "source_language",
        "target_language",
        "requested_by",
        "status",
        "created_at",
    ]
    list_filter = ["status", "target_language", "version__document__space"]
    search_fields = ["version__document__title", "note"]
    list_select_related = ["version__document__space", "requested_by"]
    readonly_fields = [
        "version",
        "source_language",
        "target_language",
        "note",
        "requested_by",
        "created_at",
        "translation",
        "completed_at",
    ]
    fields = [
        "version",
        "source_language",
        "target_language",
        "note",
        "requested_by",
        "created_at",
        "status",
        "staff_note",
        "translation_file",
        "translation",
        "completed_at",
    ]

    @admin.display(description=_("document"), ordering="version__document__title")
    def document_title(self, obj):
        return obj.version.document.title

    @admin.display(description=_("space"))
    def space(self, obj):
        return obj.version.document.space

    def has_add_permission(self, request):
        return False  # members ask from the document's page

    def save_model(self, request, obj, form, change):
        upload = form.cleaned_data.get("translation_file")
        if upload is not None:
            services_library.translation_deliver(actor=request.user, request=obj, upload=upload)
        elif obj.status == TranslationRequest.Status.DECLINED:
            obj.status = form.initial.get("status", TranslationRequest.Status.OPEN)
            services_library.translation_request_decline(
                actor=request.user, request=obj, staff_note=form.cleaned_data["staff_note"]
            )
        else:
            super().save_model(request, obj, form, change)


class ArchiveEntryForm(forms.ModelForm):
    class Meta:
        model = ArchiveEntry
        fields = ["title_ar", "title_en", "summary_ar", "summary_en"]

    def clean(self):
        cleaned = super().clean()
        if not ((cleaned.get("title_ar") or "").strip() or (cleaned.get("title_en") or "").strip()):
            raise forms.ValidationError(_("An archive entry needs a title in Arabic or English."))
        return cleaned


@admin.register(ArchiveEntry)
class ArchiveEntryAdmin(admin.ModelAdmin):
    """The knowledge archive. Entries are published with the action of Documents (or of final
    notes); here staff edit their titles and summaries, or remove an entry from the archive."""

    form = ArchiveEntryForm
    list_display = ["__str__", "kind", "space", "theme", "published_at"]
    list_filter = ["kind", "theme"]
    search_fields = ["title_ar", "title_en", "summary_ar", "summary_en"]
    list_select_related = ["space", "theme"]
    readonly_fields = [
        "kind",
        "space",
        "theme",
        "cycle_start",
        "cycle_end",
        "version",
        "published_by",
        "published_at",
    ]
    fields = [
        "kind",
        "space",
        "theme",
        "cycle_start",
        "cycle_end",
        "version",
        "title_ar",
        "title_en",
        "summary_ar",
        "summary_en",
        "published_by",
        "published_at",
    ]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        services_library.archive_entry_save(actor=request.user, entry=obj)
