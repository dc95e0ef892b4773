"""What search finds in the documents app: library documents (with the text of their files), drafts
and final notes (the current text of their sections) and the knowledge archive."""

from django.db.models import Prefetch
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from cssr import text
from cssr.search import highlight
from workgroups import access
from workgroups.selectors.search import Result, SearchSource, register

from .models import ArchiveEntry, Document, Draft, Section

# How much of a file's text is read to show where the query matched.
EXCERPT_SOURCE_LENGTH = 20000


def _documents(scope):
    return (
        Document.objects.filter(space__in=scope.spaces)
        .select_related("space")
        .defer("search_text")
        .annotate(file_text=Substr("current_version__extracted_text", 1, EXCERPT_SOURCE_LENGTH))
    )


def _show_document(scope, document):
    shown = " — ".join(part for part in (document.title, document.description, document.file_text) if part)
    return Result(
        "document",
        _("Document"),
        document.title,
        highlight(shown, scope.query),
        document.get_absolute_url(),
        document.space.name,
        document.updated_at,
        document.score,
    )


def _drafts(scope):
    sections = Section.objects.order_by("position").only("draft_id", "title", "text", "position")
    return (
        Draft.objects.filter(space__in=scope.spaces)
        .select_related("space")
        .defer("search_text")
        .prefetch_related(Prefetch("sections", queryset=sections))
    )


def _show_draft(scope, draft):
    body = " — ".join(
        part
        for section in draft.sections.all()
        for part in (section.title, text.plain_text(section.text)[:EXCERPT_SOURCE_LENGTH])
        if part
    )
    return Result(
        "draft",
        draft.get_kind_display(),
        draft.title,
        highlight(f"{draft.title} — {body}", scope.query),
        draft.get_absolute_url(),
        draft.space.name,
        draft.updated_at,
        draft.score,
    )


def _archive(scope):
    """The archive as its pages show it: every entry, to every signed-in participant."""
    return access.filter_archive(
        scope.user, ArchiveEntry.objects.select_related("space").defer("search_text")
    )


def _show_archive_entry(scope, entry):
    return Result(
        "archive",
        _("Archive"),
        entry.title,
        highlight(f"{entry.title} — {entry.summary}", scope.query),
        entry.get_absolute_url(),
        entry.space.name,
        entry.published_at,
        entry.score,
    )


def register_search_sources():
    register(SearchSource("document", _("Documents"), 50, _documents, _show_document))
    register(SearchSource("draft", _("Drafts and final notes"), 60, _drafts, _show_draft))
    register(SearchSource("archive", _("Knowledge archive"), 100, _archive, _show_archive_entry))
