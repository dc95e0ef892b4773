from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET

from workgroups import access, fragments, panels, selectors
from workgroups.models import Space


@require_GET
def space_list(request):
    """ "My groups": active spaces first, then concluded cycles as a read-only archive."""
    spaces = list(selectors.space_list_for_user(user=request.user))
    return render(
        request,
        "workgroups/space_list.html",
        {
            "current_spaces": [s for s in spaces if s.status != Space.Status.CONCLUDED],
            "concluded_spaces": [s for s in spaces if s.status == Space.Status.CONCLUDED],
            "locked_memberships": selectors.locked_membership_list(user=request.user),
        },
    )


# The home page's own sections, placed among the panels other apps register (`panels`).
HOME_SECTIONS = {
    panels.AGENDA: "workgroups/partials/space_home_agenda.html",
    panels.DISCUSSIONS: "workgroups/partials/space_home_discussions.html",
    panels.STANDING: "workgroups/partials/space_home_standing.html",
    panels.MEMBERS: "workgroups/partials/space_home_members.html",
}


@require_GET
def space_detail(request, space_id):
    """A space's home page: what needs the viewer now (the next meeting, the agenda in play, discussions
    with new replies, the final note and the days left, their own standing), then the members."""
    space = access.access_space(request.user, space_id)
    # read only when the members' list is not in the cache under its current version
    memberships = SimpleLazyObject(lambda: selectors.membership_list_for_space(space=space))
    my_membership = selectors.membership_in_space(space=space, user=request.user)
    return render(
        request,
        "workgroups/space_detail.html",
        {
            "space": space,
            "memberships": memberships,
            "members_version": fragments.members_version(space.pk),
            "fragment_seconds": fragments.KEEP_SECONDS,
            "my_membership": my_membership,
            "may_contribute": access.can(request.user, access.Action.CONTRIBUTE, space),
            "election": selectors.election_current(space=space),
            "may_moderate": access.can(request.user, access.Action.MODERATE, space),
            "agenda": selectors.agenda_current(space=space),
            "new_replies": selectors.thread_with_new_replies_list(space=space, user=request.user),
            "standing": selectors.membership_standing(membership=my_membership, space=space),
            "sections": panels.sections_for(space=space, user=request.user, own=HOME_SECTIONS),
        },
    )
