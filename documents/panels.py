"""The space home's "drafts and final note" panel: where the final briefing note stands, who acts
next, the days left in the work period, and how many drafts the group keeps."""

from workgroups import access, panels
from workgroups.access import Action

from .models import Draft
from .selectors.drafts import draft_list


def drafts_context(*, space, user):
    """The panel's context for `space` seen by `user`. Two queries, whatever the number of drafts."""
    drafts = draft_list(space=space)
    return {
        "final_note": drafts.filter(kind=Draft.Kind.FINAL_NOTE).first(),
        "draft_count": drafts.filter(kind=Draft.Kind.ORDINARY).count(),
        "days_left": space.days_left,
        "may_manage": access.can(user, Action.MANAGE_OUTPUTS, space),
        "may_contribute": access.can(user, Action.CONTRIBUTE, space),
    }


DRAFTS = panels.SpacePanel(
    key="drafts",
    template="documents/partials/space_panel.html",
    context=drafts_context,
    order=400,
)
