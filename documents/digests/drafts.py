"""What drafts add to e-mail digests: final notes opened for members' comments and notes submitted
to the Office of the Special Envoy (titles and links only)."""

from django.urls import reverse
from django.utils.translation import ngettext_lazy

from documents.models import Draft
from workgroups import digests


def _notes(space_ids, since, until):
    for pk, space_id, author_id, changed_at, title in (
        Draft.objects.filter(
            space_id__in=space_ids,
            kind=Draft.Kind.FINAL_NOTE,
            status__in=[Draft.Status.OPEN_FOR_COMMENTS, Draft.Status.SUBMITTED],
            status_changed_at__gt=since,
            status_changed_at__lte=until,
        )
        .values_list("pk", "space_id", "status_changed_by_id", "status_changed_at", "title")
        .order_by("-status_changed_at")
    ):
        yield digests.DigestItem(
            space_id=space_id,
            created_at=changed_at,
            title=title,
            author_id=author_id,
            url=reverse("documents:draft-detail", args=[space_id, pk]),
        )


def register_digest_sources():
    digests.register(
        digests.DigestSource(
            "final_notes",
            _notes,
            ngettext_lazy(
                "%(count)s final note open for comments or submitted",
                "%(count)s final notes open for comments or submitted",
                "count",
            ),
        )
    )
