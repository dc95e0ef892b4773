"""Reads of the document library and the archive (each list costs the same few queries however long)."""

from django.db import connection
from django.db.models import Count, FloatField, Prefetch, Q, Value

from cssr import arabic

from .models import ArchiveEntry, Document, DocumentTag, DocumentVersion, TranslationRequest

QUERY_MAX_LENGTH = 200


def _matching(queryset, query):
    terms = arabic.terms((query or "")[:QUERY_MAX_LENGTH])
    condition = Q()
    for term in terms:
        condition &= Q(search_text__contains=term)
    return queryset.filter(condition), terms


def document_list(*, space, folder="", tag_id=None, query=""):
    """The space's documents, newest activity first, with their current version and tags."""
    documents = (
        Document.objects.filter(space=space)
        .select_related("current_version", "current_version__uploaded_by")
        .prefetch_related(Prefetch("tags", queryset=DocumentTag.objects.order_by("name")))
    )
    if folder:
        documents = documents.filter(folder=folder)
    if tag_id:
        documents = documents.filter(tags__pk=tag_id)
    if query:
        documents, _terms = _matching(documents, query)
    return documents.order_by("-updated_at", "-pk")


def document_folders(*, space):
    """The space's folders with how many documents each holds."""
    return list(
        Document.objects.filter(space=space).exclude(folder="").values("folder")
        .annotate(count=Count("pk")).order_by("folder")
    )


def document_tags(*, space):
    return list(DocumentTag.objects.filter(space=space, documents__isnull=False).annotate(count=Count("documents"))
                .order_by("name"))


def document_get(*, space, document_id):
    return Document.objects.filter(space=space, pk=document_id).select_related("space").first()


def version_list(*, document):
    """Every version of a document, newest first, with who uploaded it, what it translates, and the
    translation requests made on it."""
    return list(
        DocumentVersion.objects.filter(document=document)
        .select_related("uploaded_by", "translation_of")
        .prefetch_related(Prefetch(
            "translation_requests",
            queryset=TranslationRequest.objects.filter(status__in=TranslationRequest.OPEN_STATES).order_by("pk"),
            to_attr="open_requests",
        ))
        .order_by("-number")
    )


def version_get(*, space, document_id, version_id):
    return (DocumentVersion.objects.filter(document__space=space, document_id=document_id, pk=version_id)
            .select_related("document__space").first())


def archive_list(*, query="", theme_id=None):
    """Archive entries, newest first, or the best matches of `query` (Arabic spelling variants meet)."""
    entries = ArchiveEntry.objects.select_related("space", "theme", "version")
    if theme_id:
        entries = entries.filter(theme_id=theme_id)
    if not (query or "").strip():
        return entries.order_by("-published_at", "-pk"), []
    entries, terms = _matching(entries, query)
    if not terms:
        return entries.none(), []
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import (
            SearchQuery,
            SearchRank,
            SearchVector,
            TrigramWordSimilarity,
        )

        normalized = " ".join(terms)
        entries = entries.annotate(
            score=SearchRank(SearchVector("search_text", config="simple"),
                             SearchQuery(normalized, config="simple", search_type="plain"))
            + TrigramWordSimilarity(normalized, "search_text")
        ).order_by("-score", "-published_at", "-pk")
    else:
        entries = entries.annotate(score=Value(1.0, output_field=FloatField())).order_by("-published_at", "-pk")
    return entries, terms


def archive_get(*, entry_id):
    return ArchiveEntry.objects.select_related("space", "theme", "version").filter(pk=entry_id).first()
