"""What events add to a digest: events planned, changed or cancelled in the period (one query)."""

from django.utils.translation import ngettext_lazy

from workgroups.digests import DigestSource, recent_items

from .models import Event


def _events(space_ids, since, until):
    return recent_items(
        Event.objects.all(),
        space_ids,
        since,
        until,
        url_name="events:event-detail",
        when="updated_at",
        author="created_by_id",
    )


SOURCE = DigestSource(
    "events",
    _events,
    ngettext_lazy("%(count)s new or changed event", "%(count)s new or changed events", "count"),
)
