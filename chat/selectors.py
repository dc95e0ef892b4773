"""Reads of the chat, always through the permission core. A constant number of queries per page."""

from django.contrib.auth import get_user_model
from django.db.models import Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from documents.models import Document
from workgroups import access
from workgroups.access import Action

from .models import Conversation, Message, Participant, Report


def unread_total(*, user):
    """How many messages `user` has not read, over every conversation they may read, from the counts
    the chat keeps (`Participant.unread`): one query when nothing is unread, two otherwise (the
    permission core filters the conversations that have some), whatever the number of messages."""
    if not (user.is_authenticated and user.is_active):
        return 0
    counts = dict(
        Participant.objects.filter(user=user, left_at__isnull=True, unread__gt=0).values_list(
            "conversation_id", "unread"
        )
    )
    if not counts:
        return 0
    readable = access.filter_conversations(user, Conversation.objects.filter(pk__in=sorted(counts)))
    return sum(counts[pk] for pk in readable.values_list("pk", flat=True))


def conversation_list(*, user):
    """The conversations `user` may read and takes part in (the space chats of their spaces included),
    most recently active first, each with `unread`, `last_message_id` and `last_message_at`."""
    unread = Participant.objects.filter(conversation=OuterRef("pk"), user=user, left_at__isnull=True).values(
        "unread"
    )[:1]
    latest = Message.objects.filter(conversation=OuterRef("pk")).order_by("-pk")
    taking_part = Participant.objects.filter(conversation=OuterRef("pk"), user=user, left_at__isnull=True)
    return (
        access.filter_conversations(user)
        .filter(Exists(taking_part) | Q(kind=Conversation.Kind.SPACE))
        .select_related("space")
        .annotate(
            unread=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)),
            last_message_id=Subquery(latest.values("pk")[:1]),
            last_message_at=Subquery(latest.values("created_at")[:1]),
        )
        .order_by(F("last_message_at").desc(nulls_last=True), "-created_at")
    )


def direct_contact_list(*, user):
    """The people `user` may write to one-to-one, staff first, then by name (lazy)."""
    return access.filter_direct_contacts(user).order_by("-is_staff", "display_name", "pk")


def group_space_list(*, user):
    """The active spaces where `user` may open a group conversation (lazy)."""
    return access.filter_spaces(user, Action.CONTRIBUTE).filter(status="active")


def contact_get(*, user_id):
    """The user with id `user_id`, or None; the caller asks the permission core whether to write."""
    return get_user_model().objects.filter(pk=user_id).first()


def space_conversation_get(*, space):
    """The space's own conversation, or None before anyone opened it."""
    return Conversation.objects.filter(space=space, kind=Conversation.Kind.SPACE).first()


def participant_get(*, conversation, user):
    """`user`'s participation in the conversation, or None."""
    return conversation.participants.filter(user=user).first()


def direct_partner_names(*, user, conversations):
    """{conversation id: the other person's name} for the one-to-one conversations in the list (one query)."""
    ids = [c.pk for c in conversations if c.kind == Conversation.Kind.DIRECT]
    if not ids:
        return {}
    rows = Participant.objects.filter(conversation_id__in=ids).exclude(user=user).select_related("user")
    return {row.conversation_id: row.user.public_name for row in rows}


def message_list(*, conversation):
    """The conversation's messages, oldest first, with authors and the message each replies to."""
    return conversation.messages.select_related("author", "reply_to__author", "attachment").order_by("pk")


def message_reply_target_get(*, conversation, message_id):
    """A message of the conversation that may be replied to (not deleted), with its author, or None."""
    return (
        conversation.messages.filter(pk=message_id, deleted_at__isnull=True).select_related("author").first()
    )


def messages_since(*, conversation, after, limit):
    """Up to `limit` messages after id `after` (catch-up after a reconnect, and the polling fallback)."""
    return list(message_list(conversation=conversation).filter(pk__gt=after)[:limit])


def read_markers(*, user, conversation, message_ids, participant):
    """{message id: [names]} of the others whose read marker stands at one of `message_ids`. Empty
    when `user` hides their own marker (`participant`: their participation, or None; read receipts
    are mutual), and never shows hidden markers."""
    if not message_ids or (participant is not None and participant.hide_read_marker):
        return {}
    rows = (
        Participant.objects.filter(
            conversation=conversation,
            left_at__isnull=True,
            hide_read_marker=False,
            last_read_message_id__range=(min(message_ids), max(message_ids)),
        )
        .exclude(user=user)
        .select_related("user")
        .order_by("pk")
    )
    shown = set(message_ids)
    markers = {}
    for row in rows:
        if row.last_read_message_id in shown:
            markers.setdefault(row.last_read_message_id, []).append(row.user.public_name)
    return markers


def attachable_documents(*, conversation, limit=100):
    """The most recent documents of the conversation's space library, to attach to a message."""
    if conversation.space_id is None:
        return Document.objects.none()
    return Document.objects.filter(space_id=conversation.space_id).order_by("-updated_at", "-pk")[:limit]


def report_list(*, space):
    """The reports on chat messages of the space, with the message, its author and conversation, and
    the reporter (lazy)."""
    return Report.objects.filter(message__conversation__space=space).select_related(
        "message__author", "message__conversation", "reporter"
    )


def report_get(*, space, report_id):
    """A report on a chat message of the space, or None."""
    return report_list(space=space).filter(pk=report_id).first()
