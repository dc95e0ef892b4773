"""The space home's "next meeting" panel: the space's next scheduled event first, with its join
button (the meeting room's link, when the permission core shows it) or its place, then the few
events after it."""

from django.conf import settings
from django.utils import timezone

from workgroups import access, panels

from .selectors import event_next


def next_meeting_context(*, space, user):
    """The panel's context for `space` seen by `user`: the next meeting, what shows how to join it,
    and the events that follow. One query."""
    now = timezone.now()
    events = list(event_next(space=space, now=now))
    for event in events:
        event.space = space
    meeting = events[0] if events else None
    may_join = meeting is not None and access.can_join_meeting(user, meeting, now)
    return {
        "next_meeting": meeting,
        "later_events": events[1:],
        "meeting_url": space.meeting_url if may_join else "",
        "join_opens_later": meeting is not None
        and not may_join
        and meeting.is_online
        and bool(space.meeting_url)
        and space.is_active
        and access.can(user, access.Action.VIEW, meeting),
        "join_early_minutes": settings.CSSR_EVENT_JOIN_EARLY_MINUTES,
    }


NEXT_MEETING = panels.SpacePanel(
    key="next-events",
    template="events/partials/space_panel.html",
    context=next_meeting_context,
    order=100,
)
