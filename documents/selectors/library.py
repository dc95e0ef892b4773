"""Reads of the document library and the archive (each list costs the same few queries however long)."""

from django.db.models import Count, Prefetch

from cssr.search import query_terms, rank, search_filter
from documents.models import ArchiveEntry, Document, DocumentTag, DocumentVersion, TranslationRequest
from workgroups.models import Theme


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
        documents = search_filter(documents, query_terms(query))
    return documents.order_by("-updated_at", "-pk")


def document_folders(*, space):
    """The space's folders with how many documents each holds."""
    return list(
        Document.objects.filter(space=space)
        .exclude(folder="")
        .values("folder")
        .annotate(count=Count("pk"))
        .order_by("folder")
    )


def document_tags(*, space):
    """The space's tags that label at least one document, by name, with how many each labels."""
    return list(
        DocumentTag.objects.filter(space=space, documents__isnull=False)
        .annotate(count=Count("documents"))
        .order_by("name")
    )


def document_tag_list(*, document):
    """The document's tags (a list)."""
    return list(document.tags.all())


def document_tag_names(*, document):
    """The names of the document's tags (lazy)."""
    return document.tags.values_list("name", flat=True)


def version_list(*, document):
    """Every version of a document, newest first, with who uploaded it, what it translates, and the
    translation requests made on it."""
    return list(
        DocumentVersion.objects.filter(document=document)
        .select_related("uploaded_by", "translation_of")
        .prefetch_related(
            Prefetch(
                "translation_requests",
                queryset=TranslationRequest.objects.filter(
                    status__in=TranslationRequest.OPEN_STATES
                ).order_by("pk"),
                to_attr="open_requests",
            )
        )
        .order_by("-number")
    )


def archive_list(*, query="", theme_id=None):
    """Archive entries, newest first, or the best matches of `query` (Arabic spelling variants meet)."""
    entries = ArchiveEntry.objects.select_related("space", "theme", "version")
    if theme_id:
        entries = entries.filter(theme_id=theme_id)
    if not (query or "").strip():
        return entries.order_by("-published_at", "-pk"), []
    terms = query_terms(query)
    if not terms:
        return entries.none(), []
    return rank(search_filter(entries, terms), terms, order=("-published_at", "-pk")), terms


def archive_theme_list():
    """The themes that have at least one archive entry (lazy)."""
    return Theme.objects.filter(pk__in=archive_list()[0].values("theme_id"))


def archive_get(*, entry_id):
    """An archive entry with its space, theme and version, or None."""
    return ArchiveEntry.objects.select_related("space", "theme", "version").filter(pk=entry_id).first()
