"""Discussions, posts, concerns and the agenda.

Who may do what, in one place:
- read a discussion, a concern or the agenda: whoever may view the space;
- start a discussion, propose a concern or an agenda item, endorse: `contribute` in the space;
- reply in a discussion: `contribute`, and the discussion is not closed (`check_reply_thread`);
- edit or delete a post: its author, who may still contribute (`check_change_post`);
- report a post: whoever may view an active space (`check_report_post`; not offered on one's own);
- pin, close, order the agenda, set a concern's status: `manage_outputs` (the rapporteurs);
- hide, restore, warn, read earlier versions: `moderate` (the technical officer).
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from ..models import AgendaItem, Concern, Post, Thread
from .core import Action, Refused, can, can_write, check, check_writable, load


def access_thread(user, space, thread_id, action=Action.VIEW):
    """The discussion `thread_id` of `space` once `user` may do `action` on it (404 if it is not there)."""
    thread = load(Thread.objects.select_related("space"), space=space, pk=thread_id)
    check(user, action, thread)
    return thread


def access_post(user, space, post_id, action=Action.VIEW):
    """The post `post_id` of a discussion of `space` once `user` may do `action` on it."""
    posts = Post.objects.select_related("thread__space", "author")
    post = load(posts, thread__space=space, pk=post_id)
    check(user, action, post)
    return post


def access_concern(user, space, concern_id, action=Action.VIEW):
    """The concern `concern_id` of `space` once `user` may do `action` on it."""
    concerns = Concern.objects.select_related("space", "thread").prefetch_related("tags", "regions")
    concern = load(concerns, space=space, pk=concern_id)
    check(user, action, concern)
    return concern


def access_agenda_item(user, space, item_id, action=Action.VIEW):
    """The agenda item `item_id` of `space` once `user` may do `action` on it."""
    item = load(AgendaItem.objects.select_related("space"), space=space, pk=item_id)
    check(user, action, item)
    return item


def check_reply_thread(user, thread):
    """Raise unless `user` may reply in `thread`: 404/403 as `check` for `contribute`; a closed
    discussion refuses replies (shown beside the reply form)."""
    check(user, Action.CONTRIBUTE, thread)
    if thread.is_closed:
        raise Refused(_("This discussion is closed."), code="closed")


def can_reply_thread(user, thread):
    return can(user, Action.CONTRIBUTE, thread) and not thread.is_closed


def check_change_post(user, post):
    """Raise unless `user` may edit or delete `post`: its author, while they may contribute."""
    check(user, Action.CONTRIBUTE, post)
    if post.author_id != user.pk:
        raise PermissionDenied(_("You can only change your own posts."))


def can_change_post(user, post):
    return post.author_id == user.pk and can(user, Action.CONTRIBUTE, post)


def check_report_post(user, post):
    """Raise unless `user` may report `post` to the technical officer: anyone who may view an
    active space (404/403 as `check_writable`)."""
    check_writable(user, post)


def can_report_post(user, post):
    """Whether the report control is offered on `post`: as `check_report_post`, and not on one's own
    post (reporting it anyway through the form is harmless, so the check lets it through)."""
    return post.author_id != user.pk and can_write(user, post)
