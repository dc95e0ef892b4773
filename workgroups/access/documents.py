"""The document library of a space, and the knowledge archive.

- read a space's library: whoever may view the space; add a document or a version: `contribute`;
- change a document's details: who added it, or a rapporteur, while they may contribute
  (`check_change_document`);
- the knowledge archive: every signed-in participant, whatever their spaces; an archived document or
  final note stays readable after its space concluded, by people who were never in it.
"""

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from .core import Action, can, check, is_signed_in, load


def access_document(user, space, document_id, action=Action.VIEW):
    """The document `document_id` of `space` once `user` may do `action` on it (404 if not there)."""
    documents = apps.get_model("documents", "Document").objects.select_related("space")
    document = load(documents, space=space, pk=document_id)
    check(user, action, document)
    return document


def access_version(user, space, document_id, version_id, action=Action.VIEW):
    """A version of a document of `space` once `user` may do `action` on it."""
    versions = apps.get_model("documents", "DocumentVersion").objects.select_related("document__space")
    version = load(versions, document__space=space, document_id=document_id, pk=version_id)
    check(user, action, version)
    return version


def check_change_document(user, document):
    """Raise unless `user` may change `document`'s title, folder, tags and description."""
    check(user, Action.CONTRIBUTE, document)
    if not can_change_document(user, document):
        raise PermissionDenied(_("Only who added the document and the rapporteurs can change its details."))


def can_change_document(user, document):
    return can(user, Action.CONTRIBUTE, document) and (
        document.created_by_id == user.pk or can(user, Action.MANAGE_OUTPUTS, document)
    )


def check_read_archive(user):
    """The knowledge archive is readable by every signed-in participant, whatever their spaces;
    anyone else gets 404 (the sign-in requirement sends anonymous visitors to sign in first)."""
    if not is_signed_in(user):
        raise Http404


def filter_archive(user, queryset):
    """Archive entries `user` may read (the rule of `check_read_archive`, set-based: for search)."""
    return queryset if is_signed_in(user) else queryset.none()


def check_read_archived(user, entry):
    """An archived document (an archive entry with a published version) is readable by any
    participant, also after its space concluded and by people who were never in it: publishing
    it to the archive is what opened it. The same holds for an archived final note, whose PDF is made
    from its locked text. 404 for anyone else or for an entry without a file or note."""
    check_read_archive(user)
    if entry is None or (entry.version_id is None and entry.final_note_id is None):
        raise Http404
