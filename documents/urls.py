from django.urls import path

import cssr.converters  # noqa: F401 - registers <id:…>

from . import views_drafts, views_library

app_name = "documents"

urlpatterns = [
    # library
    path("spaces/<id:space_id>/documents/", views_library.document_list, name="document-list"),
    path("spaces/<id:space_id>/documents/new/", views_library.document_create, name="document-create"),
    path("spaces/<id:space_id>/documents/<id:document_id>/", views_library.document_detail,
         name="document-detail"),
    path("spaces/<id:space_id>/documents/<id:document_id>/edit/", views_library.document_edit,
         name="document-edit"),
    path("spaces/<id:space_id>/documents/<id:document_id>/versions/", views_library.version_create,
         name="version-create"),
    path("spaces/<id:space_id>/documents/<id:document_id>/versions/<id:version_id>/download/",
         views_library.version_download, name="version-download"),
    path("spaces/<id:space_id>/documents/<id:document_id>/versions/<id:version_id>/view/",
         views_library.version_view, name="version-view"),
    path("spaces/<id:space_id>/documents/<id:document_id>/versions/<id:version_id>/thumbnail/",
         views_library.version_thumbnail, name="version-thumbnail"),
    path("spaces/<id:space_id>/documents/<id:document_id>/versions/<id:version_id>/translation/",
         views_library.translation_request, name="translation-request"),
    path("archive/", views_library.archive_list, name="archive-list"),
    path("archive/<id:entry_id>/", views_library.archive_detail, name="archive-detail"),
    path("archive/<id:entry_id>/download/", views_library.archive_download, name="archive-download"),

    # drafts
    path("spaces/<id:space_id>/drafts/", views_drafts.draft_list, name="draft-list"),
    path("spaces/<id:space_id>/drafts/final-note/", views_drafts.final_note_create, name="final-note-create"),
    path("spaces/<id:space_id>/drafts/<id:draft_id>/", views_drafts.draft_detail, name="draft-detail"),
    path("spaces/<id:space_id>/drafts/<id:draft_id>/sections/", views_drafts.section_create, name="section-create"),
    path("spaces/<id:space_id>/drafts/<id:draft_id>/sections/<id:section_id>/edit/", views_drafts.section_edit,
         name="section-edit"),
    path("spaces/<id:space_id>/drafts/<id:draft_id>/sections/<id:section_id>/history/",
         views_drafts.section_history, name="section-history"),
    path("spaces/<id:space_id>/drafts/<id:draft_id>/sections/<id:section_id>/compare/",
         views_drafts.section_diff, name="section-diff"),
    path("spaces/<id:space_id>/drafts/<id:draft_id>/sections/<id:section_id>/restore/",
         views_drafts.section_restore, name="section-restore"),
    path("spaces/<id:space_id>/drafts/<id:draft_id>/sections/<id:section_id>/comments/",
         views_drafts.comment_create, name="comment-create"),
    path("spaces/<id:space_id>/drafts/<id:draft_id>/comments/<id:comment_id>/resolve/",
         views_drafts.comment_resolve, name="comment-resolve"),
    path("spaces/<id:space_id>/drafts/<id:draft_id>/concerns/", views_drafts.final_note_pull_concerns,
         name="final-note-pull-concerns"),
    path("spaces/<id:space_id>/drafts/<id:draft_id>/step/", views_drafts.draft_transition, name="draft-transition"),
    path("spaces/<id:space_id>/drafts/<id:draft_id>/export.<str:export_format>", views_drafts.draft_export,
         name="draft-export"),
    path("outputs/", views_drafts.outputs_inbox, name="outputs-inbox"),
    path("outputs/<id:draft_id>/decision/", views_drafts.output_decision, name="output-decision"),
]
