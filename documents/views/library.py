"""The document library of a space, translation requests and the knowledge archive.

Every view asks the permission core first; every file leaves through `documents.downloads`.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cssr.forms import add_errors
from cssr.search import highlight
from documents import exports
from documents.downloads import bytes_response, file_response
from documents.forms.library import (
    ArchiveSearchForm,
    DocumentEditForm,
    DocumentFilterForm,
    DocumentForm,
    TranslationRequestForm,
    VersionForm,
)
from documents.selectors import drafts as drafts_selectors
from documents.selectors import library as selectors
from documents.services import library as services
from workgroups import access
from workgroups.access import Action

DOCUMENTS_PER_PAGE = 30
ARCHIVE_PER_PAGE = 20


@require_GET
def document_list(request, space_id):
    """The library: folders and tags to filter by, a search in titles, the documents with their
    current version."""
    space = access.access_space(request.user, space_id)
    filters = DocumentFilterForm(request.GET or None)
    folder, tag_id, query = "", None, ""
    if filters.is_valid():
        folder, tag_id, query = (
            filters.cleaned_data["folder"],
            filters.cleaned_data["tag"],
            filters.cleaned_data["q"],
        )
    documents = selectors.document_list(space=space, folder=folder, tag_id=tag_id, query=query)
    page = Paginator(documents, DOCUMENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "documents/document_list.html",
        {
            "space": space,
            "page": page,
            "folders": selectors.document_folders(space=space),
            "tags": selectors.document_tags(space=space),
            "folder": folder,
            "tag_id": tag_id,
            "query": query,
            "may_upload": access.can(request.user, Action.CONTRIBUTE, space),
            "query_string": urlencode(
                {
                    key: value
                    for key, value in (("q", query), ("folder", folder), ("tag", tag_id or ""))
                    if value
                }
            ),
        },
    )


@require_http_methods(["GET", "POST"])
def document_create(request, space_id):
    """Upload a new document (its first version)."""
    space = access.access_space(request.user, space_id)
    access.check(request.user, Action.CONTRIBUTE, space)
    form = DocumentForm(
        request.POST or None, request.FILES or None, initial={"folder": request.GET.get("folder", "")}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = services.document_create(
                actor=request.user,
                space=space,
                title=data["title"],
                upload=data["file"],
                description=data["description"],
                folder=data["folder"],
                tags=data["tags"],
                language=data["language"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The document was added to the library."))
            return redirect("documents:document-detail", space.pk, document.pk)
    return render(
        request,
        "documents/document_form.html",
        {"space": space, "form": form, "upload_limit": settings.CSSR_UPLOAD_MAX_BYTES},
    )


@require_http_methods(["GET", "POST"])
def document_edit(request, space_id, document_id):
    """Change a document's title, folder, tags and description (its uploader or a rapporteur)."""
    space = access.access_space(request.user, space_id)
    access.check(request.user, Action.CONTRIBUTE, space)
    document = access.access_document(request.user, space, document_id)
    access.check_change_document(request.user, document)
    initial = {
        "title": document.title,
        "folder": document.folder,
        "description": document.description,
        "tags": "، ".join(selectors.document_tag_names(document=document)),
    }
    form = DocumentEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.document_update(
                actor=request.user,
                document=document,
                title=data["title"],
                description=data["description"],
                folder=data["folder"],
                tags=data["tags"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The document's details were saved."))
            return redirect("documents:document-detail", space.pk, document.pk)
    return render(
        request, "documents/document_edit.html", {"space": space, "document": document, "form": form}
    )


@require_GET
def document_detail(request, space_id, document_id):
    """A document: its details, every version (who, when, size), the forms for a new version and
    for a translation request."""
    space = access.access_space(request.user, space_id)
    document = access.access_document(request.user, space, document_id)
    may_contribute = access.can(request.user, Action.CONTRIBUTE, space)
    return render(
        request, "documents/document_detail.html", _detail_context(request, space, document, may_contribute)
    )


def _detail_context(request, space, document, may_contribute, **forms):
    return {
        "space": space,
        "document": document,
        "versions": selectors.version_list(document=document),
        "tags": selectors.document_tag_list(document=document),
        "may_contribute": may_contribute,
        "may_edit": access.can_change_document(request.user, document),
        "version_form": forms.get("version_form") or (VersionForm() if may_contribute else None),
        "translation_form": forms.get("translation_form")
        or (TranslationRequestForm() if may_contribute else None),
        "translation_for": forms.get("translation_for"),
    }


@require_POST
def version_create(request, space_id, document_id):
    """Upload a new version of a document; the earlier versions stay."""
    space = access.access_space(request.user, space_id)
    access.check(request.user, Action.CONTRIBUTE, space)
    document = access.access_document(request.user, space, document_id)
    form = VersionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            version = services.document_version_add(
                actor=request.user,
                document=document,
                upload=form.cleaned_data["file"],
                note=form.cleaned_data["note"],
                language=form.cleaned_data["language"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Version %(number)s was added.") % {"number": version.number})
            return redirect("documents:document-detail", space.pk, document.pk)
    return render(
        request,
        "documents/document_detail.html",
        _detail_context(request, space, document, True, version_form=form),
    )


@require_GET
def version_download(request, space_id, document_id, version_id):
    """The file of a version, as a download (named as it was uploaded, Arabic kept)."""
    space = access.access_space(request.user, space_id)
    version = access.access_version(request.user, space, document_id, version_id)
    return file_response(version.file, filename=version.original_name, content_type=version.content_type)


@require_GET
def version_view(request, space_id, document_id, version_id):
    """The file of a version opened in the browser (PDF, images, text); other kinds are downloaded."""
    space = access.access_space(request.user, space_id)
    version = access.access_version(request.user, space, document_id, version_id)
    return file_response(
        version.file,
        filename=version.original_name,
        content_type=version.content_type,
        inline=version.is_viewable_inline,
    )


@require_GET
def version_thumbnail(request, space_id, document_id, version_id):
    """The small picture of an image version (made at upload)."""
    space = access.access_space(request.user, space_id)
    version = access.access_version(request.user, space, document_id, version_id)
    if not version.thumbnail:
        raise Http404
    return file_response(
        version.thumbnail, filename=f"thumbnail-{version.pk}.webp", content_type="image/webp", inline=True
    )


@require_POST
def translation_request(request, space_id, document_id, version_id):
    """Ask for a professional translation of a version (ar ↔ en)."""
    space = access.access_space(request.user, space_id)
    version = access.access_version(request.user, space, document_id, version_id)
    space = version.document.space
    access.check(request.user, Action.CONTRIBUTE, space)
    form = TranslationRequestForm(request.POST)
    if form.is_valid():
        try:
            services.translation_request_create(
                actor=request.user,
                version=version,
                target_language=form.cleaned_data["target_language"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Your translation request was sent to the operations support team."))
            return redirect("documents:document-detail", space.pk, version.document_id)
    return render(
        request,
        "documents/document_detail.html",
        _detail_context(
            request, space, version.document, True, translation_form=form, translation_for=version.pk
        ),
    )


# --- The knowledge archive ------------------------------------------------------------------------


@require_GET
def archive_list(request):
    """The archive of past outputs: newest first, or searched (Arabic spelling variants meet)."""
    access.check_read_archive(request.user)
    form = ArchiveSearchForm(request.GET or None)
    query, theme_id = "", None
    if form.is_valid():
        query, theme_id = form.cleaned_data["q"], form.cleaned_data["theme"]
    entries, terms = selectors.archive_list(query=query, theme_id=theme_id)
    page = Paginator(entries, ARCHIVE_PER_PAGE).get_page(request.GET.get("page"))
    for entry in page:
        entry.highlighted_title = highlight(entry.title, query) if terms else entry.title
        entry.highlighted_summary = highlight(entry.summary, query) if terms else entry.summary
    return render(
        request,
        "documents/archive_list.html",
        {
            "page": page,
            "form": form,
            "query": query,
            "theme_id": theme_id,
            "query_string": urlencode(
                {key: value for key, value in (("q", query), ("theme", theme_id or "")) if value}
            ),
            "themes": selectors.archive_theme_list(),
        },
    )


@require_GET
def archive_detail(request, entry_id):
    access.check_read_archive(request.user)
    entry = selectors.archive_get(entry_id=entry_id)
    if entry is None:
        raise Http404
    return render(
        request,
        "documents/archive_detail.html",
        {
            "entry": entry,
            "version": entry.version,
            "sharing_decision": drafts_selectors.sharing_decision_get(draft=entry.final_note)
            if entry.final_note_id
            else None,
        },
    )


@require_GET
def archive_download(request, entry_id):
    """The archived file, for any participant (the space may have concluded long ago)."""
    entry = selectors.archive_get(entry_id=entry_id)
    access.check_read_archived(request.user, entry)
    version = entry.version
    if version is None:  # an archived final note: its PDF, made from the locked text, names nobody
        content, title = exports.final_note_for_archive(entry.final_note)
        return bytes_response(
            content,
            filename=f"{title}.pdf",
            content_type="application/pdf",
            inline=request.GET.get("view") == "1",
        )
    return file_response(
        version.file,
        filename=version.original_name,
        content_type=version.content_type,
        inline=request.GET.get("view") == "1" and version.is_viewable_inline,
    )
