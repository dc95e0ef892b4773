"""What drafts add to e-mail digests: final notes opened for members' comments, notes submitted
to the Office of the Special Envoy, and the envoy's decisions on them (titles and links only)."""

from django.utils.translation import ngettext_lazy

from documents.models import Draft, SharingDecision
from workgroups import digests


def _notes(space_ids, since, until):
    return digests.recent_items(
        Draft.objects.filter(
            kind=Draft.Kind.FINAL_NOTE, status__in=[Draft.Status.OPEN_FOR_COMMENTS, Draft.Status.SUBMITTED]
        ),
        space_ids,
        since,
        until,
        url_name="documents:draft-detail",
        when="status_changed_at",
        author="status_changed_by_id",
    )


def _decisions(space_ids, since, until):
    return digests.recent_items(
        SharingDecision.objects.all(),
        space_ids,
        since,
        until,
        url_name="documents:draft-detail",
        space="draft__space_id",
        when="recorded_at",
        author="recorded_by_id",
        title="draft__title",
        target="draft_id",
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
    digests.register(
        digests.DigestSource(
            "envoy_decisions",
            _decisions,
            ngettext_lazy(
                "%(count)s decision of the Special Envoy on a final note",
                "%(count)s decisions of the Special Envoy on final notes",
                "count",
            ),
        )
    )
