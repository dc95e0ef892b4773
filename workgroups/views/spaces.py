from django.shortcuts import render
from django.views.decorators.http import require_GET

from workgroups import access, panels, selectors
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


@require_GET
def space_detail(request, space_id):
    """A space's home page: theme, work period, people, and the meeting room for members."""
    space = access.access_space(request.user, space_id)
    memberships = selectors.membership_list_for_space(space=space)
    return render(
        request,
        "workgroups/space_detail.html",
        {
            "space": space,
            "memberships": memberships,
            "rapporteurs": [m for m in memberships if m.role == "rapporteur"],
            "my_membership": next((m for m in memberships if m.user_id == request.user.pk), None),
            "recent_arrivals": selectors.recent_membership_activity(space=space),
            "may_contribute": access.can(request.user, access.Action.CONTRIBUTE, space),
            "election": selectors.election_current(space=space),
            "may_moderate": access.can(request.user, access.Action.MODERATE, space),
            "agenda": selectors.agenda_current(space=space),
            "recent_threads": selectors.recent_threads(space=space),
            "panels": panels.panels_for(space=space, user=request.user),
        },
    )
