from django.urls import path

import cssr.converters  # noqa: F401 - registers <id:…>

from .views import drafts, library

app_name = "documents"

urlpatterns = [
    # library
    path("spaces/<id:space_id>/documents/", library.document_list, name="document-list"),
    path("spaces/<id:space_id>/documents/new/", library.document_create, name="document-create"),
    path("spaces/<id:space_id>/documents/<id:document_id>/", library.document_detail, name="document-detail"),
    path(
        "spaces/<id:space_id>/documents/<id:document_id>/edit/", library.document_edit, name="document-edit"
    ),
    path(
        "spaces/<id:space_id>/documents/<id:document_id>/versions/",
        library.version_create,
        name="version-create",
    ),
    path(
        "spaces/<id:space_id>/documents/<id:document_id>/versions/<id:version_id>/download/",
        library.version_download,
        name="version-download",
    ),
    path(
        "spaces/<id:space_id>/documents/<id:document_id>/versions/<id:version_id>/view/",
        library.version_view,
        name="version-view",
    ),
    path(
        "spaces/<id:space_id>/documents/<id:document_id>/versions/<id:version_id>/thumbnail/",
        library.version_thumbnail,
        name="version-thumbnail",
    ),
    path(
        "spaces/<id:space_id>/documents/<id:document_id>/versions/<id:version_id>/translation/",
        library.translation_request,
        name="translation-request",
    ),
    path("archive/", library.archive_list, name="archive-list"),
    path("archive/<id:entry_id>/", library.archive_detail, name="archive-detail"),
    path("archive/<id:entry_id>/download/", library.archive_download, name="archive-download"),
    # drafts
    path("spaces/<id:space_id>/drafts/", drafts.draft_list, name="draft-list"),
    path("spaces/<id:space_id>/drafts/final-note/", drafts.final_note_create, name="final-note-create"),
    path("spaces/<id:space_id>/drafts/<id:draft_id>/", drafts.draft_detail, name="draft-detail"),
    path("spaces/<id:space_id>/drafts/<id:draft_id>/sections/", drafts.section_create, name="section-create"),
    path(
        "spaces/<id:space_id>/drafts/<id:draft_id>/sections/<id:section_id>/edit/",
        drafts.section_edit,
        name="section-edit",
    ),
    path(
        "spaces/<id:space_id>/drafts/<id:draft_id>/sections/<id:section_id>/history/",
        drafts.section_history,
        name="section-history",
    ),
    path(
        "spaces/<id:space_id>/drafts/<id:draft_id>/sections/<id:section_id>/compare/",
        drafts.section_diff,
        name="section-diff",
    ),
    path(
        "spaces/<id:space_id>/drafts/<id:draft_id>/sections/<id:section_id>/restore/",
        drafts.section_restore,
        name="section-restore",
    ),
    path(
        "spaces/<id:space_id>/drafts/<id:draft_id>/sections/<id:section_id>/comments/",
        drafts.comment_create,
        name="comment-create",
    ),
    path(
        "spaces/<id:space_id>/drafts/<id:draft_id>/comments/<id:comment_id>/resolve/",
        drafts.comment_resolve,
        name="comment-resolve",
    ),
    path(
        "spaces/<id:space_id>/drafts/<id:draft_id>/concerns/",
        drafts.final_note_pull_concerns,
        name="final-note-pull-concerns",
    ),
    path("spaces/<id:space_id>/drafts/<id:draft_id>/step/", drafts.draft_transition, name="draft-transition"),
    path(
        "spaces/<id:space_id>/drafts/<id:draft_id>/export.<str:export_format>",
        drafts.draft_export,
        name="draft-export",
    ),
    path("outputs/", drafts.outputs_inbox, name="outputs-inbox"),
    path("outputs/<id:draft_id>/decision/", drafts.output_decision, name="output-decision"),
]
