"""Conversations and their messages.

- a space's conversation follows the space: read with `view`, write with `contribute` (the technical
  officer reads it but does not write there);
- a group conversation: its participants, while they may view the group's space; writing needs the
  space to be active;
- a one-to-one conversation: its two participants, while they share a space (writing: an active one),
  or always when one of them is operations staff (anyone may write to the operations support team);
- a message is edited or deleted by its author while they may write; the technical officer of the
  space removes others' messages; anyone who may write reports others' messages.
"""

from enum import StrEnum

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from ..models import Membership, Role, Space
from .core import Action, audience, check, filter_spaces, forget, is_signed_in, load, require_active


class ChatAction(StrEnum):
    READ = "read"
    POST = "post"


def _conversations():
    return apps.get_model("chat", "Conversation").objects


def _participants():
    return apps.get_model("chat", "Participant").objects


def _shared_spaces(user, other_user_ref):
    """Spaces where `user` and the user at `other_user_ref` (an id or an OuterRef) both hold an entering
    membership. One subquery, usable inside larger queries."""
    return Membership.objects.filter(
        user=user,
        state__in=Membership.ENTERING_STATES,
        space__memberships__user=other_user_ref,
        space__memberships__state__in=Membership.ENTERING_STATES,
    )


def access_conversation(user, public_id, action=ChatAction.READ):
    """Load a conversation by its public id and check `action` on it (404 for unknown or hidden)."""
    conversation = load(_conversations().select_related("space"), public_id=public_id)
    check_conversation(user, action, conversation)
    return conversation


def access_message(conversation, message_id):
    """The message `message_id` of `conversation` (already checked), or 404."""
    messages = apps.get_model("chat", "Message").objects.select_related("author", "conversation__space")
    return load(messages, conversation=conversation, pk=message_id)


def check_conversation(user, action, conversation, *, fresh=False):
    """Raise unless `user` may `action` ("read" or "post") in `conversation`.

    Http404 when they may not know it exists (not a participant, or not in the space); MembershipLocked
    (403) for a locked member of the space; PermissionDenied (403, with the reason) when they may read
    but not post (a concluded space, a technical officer in the space chat, no shared space any more).
    `fresh=True` forgets what was cached on the user object: long-lived websocket consumers ask again
    on every frame.
    """
    kinds = type(conversation).Kind
    action = ChatAction(action)
    if not is_signed_in(user):
        raise Http404
    if fresh:
        forget(user)
    if conversation.kind == kinds.SPACE:
        check(user, Action.VIEW if action == ChatAction.READ else Action.CONTRIBUTE, conversation.space)
        return
    if not _participants().filter(conversation=conversation, user=user, left_at__isnull=True).exists():
        raise Http404
    if conversation.kind == kinds.GROUP:
        check(user, Action.VIEW, conversation.space)
        if action == ChatAction.POST:
            require_active(conversation.space)
        return
    others = conversation.participants.exclude(user=user).select_related("user")
    other = next(iter(others), None)
    if user.is_staff or (other is not None and other.user.is_staff and other.user.is_active):
        return
    if other is None or not other.user.is_active:
        raise PermissionDenied(_("This conversation has ended."))
    shared = _shared_spaces(user, other.user_id)
    if action == ChatAction.POST:
        shared = shared.filter(space__status=Space.Status.ACTIVE)
    if not shared.exists():
        raise PermissionDenied(_("You no longer share an active space with this person."))


def can_conversation(user, action, conversation):
    """`check_conversation` as a bool, for templates and lists."""
    try:
        check_conversation(user, action, conversation)
    except (Http404, PermissionDenied):
        return False
    return True


def check_leave_conversation(user, conversation):
    """Raise unless `user` may leave `conversation`: a group conversation they read, in an active space."""
    if conversation.kind != type(conversation).Kind.GROUP:
        raise PermissionDenied(_("Only group conversations can be left."))
    check_conversation(user, ChatAction.READ, conversation)
    require_active(conversation.space)


def check_change_message(user, message, *, fresh=False):
    """Raise unless `user` may edit or delete `message` as its author: they wrote it and may still
    write in the conversation."""
    check_conversation(user, ChatAction.POST, message.conversation, fresh=fresh)
    if message.author_id != user.pk:
        raise PermissionDenied(_("You can change only your own messages."))


def can_change_message(user, message, may_post):
    """Whether the edit and delete controls show on `message` (`may_post`: the conversation's answer)."""
    return may_post and message.author_id == user.pk and message.deleted_at is None


def check_remove_message(user, message):
    """Raise unless `user` may remove someone else's `message`: the technical officer of its space."""
    conversation = message.conversation
    if conversation.space_id is None:
        raise PermissionDenied(_("You can change only your own messages."))
    check(user, Action.MODERATE, conversation.space)


def can_report_message(user, message, conversation):
    """Whether `user` may report `message` of `conversation`: someone else's, in a conversation of an
    active space or a one-to-one conversation."""
    return message.author_id != user.pk and (
        conversation.space_id is None or conversation.space.status == Space.Status.ACTIVE
    )


def can_message_directly(user, other):
    """True if `user` may open a one-to-one conversation with `other`: they share an active space, or
    one of them is operations staff (anyone may write to the operations support team)."""
    if not (is_signed_in(user) and other.is_active) or user.pk == other.pk:
        return False
    if user.is_staff or other.is_staff:
        return True
    return _shared_spaces(user, other.pk).filter(space__status=Space.Status.ACTIVE).exists()


def filter_direct_contacts(user):
    """The users `user` may write to one-to-one: co-members of their active spaces and operations staff."""
    users = get_user_model().objects
    if not is_signed_in(user):
        return users.none()
    if user.is_staff:
        return users.filter(is_active=True).exclude(pk=user.pk)
    spaces = Membership.objects.filter(
        user=user, state__in=Membership.ENTERING_STATES, space__status=Space.Status.ACTIVE
    ).values("space_id")
    co_members = Membership.objects.filter(space_id__in=spaces, state__in=Membership.ENTERING_STATES).values(
        "user_id"
    )
    return users.filter(is_active=True).filter(Q(pk__in=co_members) | Q(is_staff=True)).exclude(pk=user.pk)


def filter_group_candidates(user, space):
    """Who `user` may add to a group conversation in `space`: its members who may enter it now."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__space=space,
            memberships__state__in=Membership.ENTERING_STATES,
        )
        .exclude(pk=user.pk)
    )


def filter_conversations(user, queryset=None):
    """Filter conversations (all of them by default) to those `user` may read, as subqueries: the
    space chat of every space they may view, the group conversations they take part in inside those
    spaces, and their one-to-one conversations with someone they still share a space with or with staff."""
    if queryset is None:
        queryset = _conversations().all()
    if not is_signed_in(user):
        return queryset.none()
    kinds = queryset.model.Kind
    spaces = filter_spaces(user).values("pk")
    taking_part = Exists(_participants().filter(conversation=OuterRef("pk"), user=user, left_at__isnull=True))
    if user.is_staff:
        direct_ok = Q()
    else:
        reachable = (
            _participants()
            .filter(conversation=OuterRef("pk"))
            .exclude(user=user)
            .filter(
                Q(user__is_staff=True, user__is_active=True)
                | Q(user__is_active=True) & Exists(_shared_spaces(user, OuterRef("user_id")))
            )
        )
        direct_ok = Q(Exists(reachable))
    return queryset.filter(
        Q(kind=kinds.SPACE, space__in=spaces)
        | Q(taking_part, kind=kinds.GROUP, space__in=spaces)
        | Q(taking_part, direct_ok, kind=kinds.DIRECT)
    )


def conversation_audience_ids(conversation):
    """The ids of the users who may read `conversation` now (for notifications of a report)."""
    if conversation.kind == type(conversation).Kind.SPACE:
        return set(audience(conversation.space).values_list("pk", flat=True))
    return set(conversation.participants.filter(left_at__isnull=True).values_list("user_id", flat=True))


def message_report_audience(conversation):
    """Who receives a report of a chat message: the technical officer of the conversation's space, or
    for one-to-one conversations (no space) nobody in-app: operations staff handle them in admin."""
    users = get_user_model().objects
    if conversation.space_id is None:
        return users.none()
    return users.filter(
        memberships__space_id=conversation.space_id,
        memberships__role=Role.TECHNICAL_OFFICER,
        memberships__state__in=Membership.ENTERING_STATES,
        is_active=True,
    )
