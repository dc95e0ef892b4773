"""What the library adds to e-mail digests: new documents and new versions (titles and links only)."""

from django.urls import reverse
from django.utils.translation import ngettext_lazy

from documents.models import Document, DocumentVersion
from workgroups.digests import DigestItem, DigestSource


def _documents(space_ids, since, until):
    for pk, space_id, author_id, created_at, title in (
        Document.objects.filter(space_id__in=space_ids, created_at__gt=since, created_at__lte=until)
        .values_list("pk", "space_id", "created_by_id", "created_at", "title")
        .order_by("-created_at")
    ):
        yield DigestItem(
            space_id=space_id,
            created_at=created_at,
            title=title,
            author_id=author_id,
            url=reverse("documents:document-detail", args=[space_id, pk]),
        )


def _versions(space_ids, since, until):
    """Later versions of documents (a document's first version is the new document itself)."""
    for document_id, space_id, author_id, created_at, title in DocumentVersion.objects.filter(
        document__space_id__in=space_ids, number__gt=1, created_at__gt=since, created_at__lte=until
    ).values_list("document_id", "document__space_id", "uploaded_by_id", "created_at", "document__title"):
        yield DigestItem(
            space_id=space_id,
            created_at=created_at,
            title=title,
            author_id=author_id,
            url=reverse("documents:document-detail", args=[space_id, document_id]),
            line=document_id,
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
