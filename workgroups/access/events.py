"""Events, their answers and the meeting room.

Events are objects inside a space. Planning one is contributing (members, rapporteurs and the
political officer; the technical officer does not take part). Its organiser and the rapporteurs
change or cancel it. Answering and the meeting room belong to the space's people (a membership that
lets them in); operations staff enter no space, so they neither answer nor get the room's link.
"""

from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from ..models import Space
from .core import Action, can, check, check_writable, load, space_of
from .spaces import can_elect


def access_event(user, space, event_id, queryset=None):
    """The event `event_id` of `space` once `user` may view it (404 if it is not there). `queryset`
    lets the caller choose what is loaded with it."""
    if queryset is None:
        queryset = apps.get_model("events", "Event").objects.select_related("space")
    event = load(queryset, space=space, pk=event_id)
    check(user, Action.VIEW, event)
    return event


def check_change_event(user, event):
    """Raise unless `user` may edit or cancel `event`: its organiser or a rapporteur, in an active space."""
    check(user, Action.CONTRIBUTE, event)
    if event.created_by_id != user.pk and not can(user, Action.MANAGE_OUTPUTS, event):
        raise PermissionDenied(_("Only the organiser of this event or a rapporteur can change it."))


def can_change_event(user, event):
    return can(user, Action.CONTRIBUTE, event) and (
        event.created_by_id == user.pk or can(user, Action.MANAGE_OUTPUTS, event)
    )


def check_respond_event(user, event):
    """Raise unless `user` may answer `event` (going, maybe, not going): the space's people, active space."""
    check_writable(user, event)


def can_join_meeting(user, event, now):
    """Whether the "join the meeting" link is shown to `user` for `event` at `now`: the space's people
    only, for an online event of an active space with a room, from a little before the start to the end."""
    space = space_of(event)
    if (
        event.status != "scheduled"
        or not event.is_online
        or not space.meeting_url
        or space.status != Space.Status.ACTIVE
    ):
        return False
    early = timedelta(minutes=settings.CSSR_EVENT_JOIN_EARLY_MINUTES)
    if not (event.starts_at - early <= now < event.ends_at):
        return False
    return can(user, Action.VIEW, event)


def check_request_expert(user, event):
    """Raise unless `user` may ask the Office to invite an expert to `event`: members and rapporteurs."""
    check(user, Action.CONTRIBUTE, event)
    if not can_elect(user, space_of(event)):
        raise PermissionDenied(_("Only the group's members and rapporteurs ask for an expert."))
