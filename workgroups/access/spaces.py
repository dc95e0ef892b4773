"""Spaces: entering one, the locked member's page, the rapporteur election and operations pages."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from ..models import Election, Membership, Role, Space
from .core import Action, cache_of, can, check, is_operations, load

ELECTOR_ROLES = frozenset({Role.MEMBER, Role.RAPPORTEUR})


def access_space(user, space_id, action=Action.VIEW):
    """Load a space by id and check `action` on it (404 for an unknown or hidden space)."""
    space = load(Space.objects.select_related("theme"), pk=space_id)
    check(user, action, space)
    return space


def access_space_for_operations(user, space_id):
    """A space for the pages of its structure that operations staff run (its election, its balance
    report): staff reach them in every space, though they enter none of its discussions, chat or
    drafts; anyone else as `access_space`."""
    if not is_operations(user):
        return access_space(user, space_id)
    return load(Space.objects.select_related("theme"), pk=space_id)


def access_locked_membership(user, space_id):
    """The space and the user's locked membership of it (the only thing a locked member may act on),
    or 404."""
    space = load(Space.objects.all(), pk=space_id)
    membership = load(Membership.objects.all(), user=user, space=space, state=Membership.State.LOCKED)
    return space, membership


def access_election(space):
    """The newest election of `space` (under way, or the last confirmed one), or 404 when the space has
    had none. `space` comes from `access_space` or `access_space_for_operations`."""
    return load(Election.objects.order_by("-created_at", "-pk"), space=space)


def can_elect(user, space):
    """Members and rapporteurs elect the rapporteurs; officers and staff do not take part."""
    if not can(user, Action.CONTRIBUTE, space):
        return False
    cached = cache_of(user).elector
    if space.pk not in cached:
        cached[space.pk] = Membership.objects.filter(
            user=user, space=space, role__in=ELECTOR_ROLES, state__in=Membership.ENTERING_STATES
        ).exists()
    return cached[space.pk]


def check_elect(user, space):
    """Raise unless `user` may nominate and vote in the space's rapporteur election (404/403 as `check`)."""
    check(user, Action.CONTRIBUTE, space)
    if not can_elect(user, space):
        raise PermissionDenied(_("Only the group's members take part in the rapporteur election."))


def check_operate_space(user, space):
    """A staff action on a space's structure (confirming its election): staff may, in any space; 404
    for who may not see the space, 403 for other viewers."""
    if is_operations(user):
        return
    check(user, Action.VIEW, space)
    raise PermissionDenied(_("Only the operations support team can do this."))
