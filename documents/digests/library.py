"""What the library adds to e-mail digests: new documents and new versions (titles and links only)."""

from django.utils.translation import ngettext_lazy

from documents.models import Document, DocumentVersion
from workgroups.digests import DigestSource, recent_items


def _documents(space_ids, since, until):
    return recent_items(
        Document.objects.all(),
        space_ids,
        since,
        until,
        url_name="documents:document-detail",
        author="created_by_id",
    )


def _versions(space_ids, since, until):
    """Later versions of documents (a document's first version is the new document itself)."""
    return recent_items(
        DocumentVersion.objects.filter(number__gt=1),
        space_ids,
        since,
        until,
        url_name="documents:document-detail",
        space="document__space_id",
        author="uploaded_by_id",
        title="document__title",
        target="document_id",
        one_line_per_target=True,
    )


SOURCES = [
    DigestSource(
        "documents", _documents, ngettext_lazy("%(count)s new document", "%(count)s new documents", "count")
    ),
    DigestSource(
        "document_versions",
        _versions,
        ngettext_lazy("%(count)s new version of a document", "%(count)s new versions of documents", "count"),
    ),
]
