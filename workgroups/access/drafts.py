"""Drafts, the final note, their comments, and the outputs inbox.

- read drafts: whoever may view the space;
- write in an ordinary draft: `contribute`; in the final note: `manage_outputs` (the rapporteurs);
- resolve or reopen a comment: its author or a rapporteur, while they may contribute;
- the outputs inbox: operations staff (every space) and the political officer of a space (its
  submitted outputs, also after the space concluded); nobody else knows it exists.
"""

from django.apps import apps
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from ..models import Membership, Role, Space
from .core import Action, can, check, is_operations, is_signed_in, load

OUTPUTS_LINK_SECONDS = 3600


def access_draft(user, space, draft_id, action=Action.VIEW):
    """The draft `draft_id` of `space` once `user` may do `action` on it (404 if not there)."""
    draft = load(apps.get_model("documents", "Draft").objects.all(), space=space, pk=draft_id)
    draft.space = space
    check(user, action, draft)
    return draft


def access_section(user, draft, section_id, action=Action.VIEW):
    """The section `section_id` of `draft` once `user` may do `action` on it."""
    section = load(apps.get_model("documents", "Section").objects.all(), draft=draft, pk=section_id)
    section.draft = draft
    check(user, action, section)
    return section


def access_comment(user, draft, comment_id, action=Action.VIEW):
    """The comment `comment_id` on a section of `draft` once `user` may do `action` on it."""
    comments = apps.get_model("documents", "SectionComment").objects.select_related("section")
    comment = load(comments, section__draft=draft, pk=comment_id)
    comment.section.draft = draft
    check(user, action, comment)
    return comment


def edit_action(draft):
    """What a user must be allowed to do in the space to change `draft`: rapporteurs write the final
    note; any contributor writes an ordinary draft."""
    return Action.MANAGE_OUTPUTS if draft.is_final_note else Action.CONTRIBUTE


def check_edit_draft(user, draft):
    """Raise (404/403 as `check`) unless `user` may write in `draft`'s sections."""
    check(user, edit_action(draft), draft)


def can_edit_draft(user, draft):
    return can(user, edit_action(draft), draft)


def can_resolve_comment(user, comment):
    """Rapporteurs and the comment's author resolve or reopen it (if they may contribute at all)."""
    return can(user, Action.CONTRIBUTE, comment) and (
        comment.author_id == user.pk or can(user, Action.MANAGE_OUTPUTS, comment)
    )


def check_resolve_comment(user, comment):
    """Raise unless `user` may resolve or reopen `comment` (404/403 as `check`)."""
    check(user, Action.CONTRIBUTE, comment)
    if not can_resolve_comment(user, comment):
        raise PermissionDenied(_("Only the rapporteurs or the comment's author can do this."))


def filter_output_spaces(user):
    """The spaces whose submitted outputs `user` receives in the outputs inbox: every space for
    operations staff; for a political officer, the spaces where they hold that role (also after the
    space concluded). Nobody else receives outputs."""
    if not is_signed_in(user):
        return Space.objects.none()
    if user.is_staff:
        return Space.objects.all()
    return Space.objects.filter(
        memberships__user=user,
        memberships__role=Role.POLITICAL_OFFICER,
        memberships__state__in=Membership.ENTERING_STATES,
    )


def can_receive_outputs(user):
    """Whether `user` has an outputs inbox (operations staff, a political officer of some space)."""
    return is_operations(user) or filter_output_spaces(user).exists()


def shows_outputs_inbox(user):
    """`can_receive_outputs` for the navigation of every page: kept an hour in the shared store and
    brought up to date when the user's memberships change (`grants`), so a page does not ask the
    database each time.
    The inbox itself asks `check_receive_outputs`."""
    if is_operations(user):
        return True
    if not is_signed_in(user):
        return False
    key = outputs_link_key(user.pk)
    shown = caches["access"].get(key)
    if shown is None:
        shown = filter_output_spaces(user).exists()
        caches["access"].set(key, shown, OUTPUTS_LINK_SECONDS)
    return shown


def outputs_link_key(user_id):
    return f"outputs-inbox:{user_id}"


def check_receive_outputs(user):
    """The outputs inbox: 404 for anyone who receives no outputs (as if it did not exist)."""
    if not can_receive_outputs(user):
        raise Http404
