"""What events add to a digest: events planned, changed or cancelled in the period (one query)."""

from django.urls import reverse
from django.utils.translation import ngettext_lazy

from workgroups.digests import DigestItem, DigestSource

from .models import Event


def _events(space_ids, since, until):
    for pk, space_id, author_id, updated_at, title in (
        Event.objects.filter(space_id__in=space_ids, updated_at__gt=since, updated_at__lte=until)
        .values_list("pk", "space_id", "created_by_id", "updated_at", "title")
        .order_by("-updated_at")
    ):
        yield DigestItem(
            space_id=space_id,
            created_at=updated_at,
            title=title,
            author_id=author_id,
            url=reverse("events:event-detail", args=[space_id, pk]),
        )


SOURCE = DigestSource(
    "events",
    _events,
    ngettext_lazy("%(count)s new or changed event", "%(count)s new or changed events", "count"),
)
