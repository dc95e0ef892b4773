"""What search finds in chat: the messages of the conversations a user may read now (the permission
core's `filter_conversations`), never a deleted one."""

from django.utils.translation import gettext_lazy as _

from cssr.search import highlight
from workgroups import access
from workgroups.selectors.search import Result, SearchSource, register

from .models import Message


def _messages(scope):
    conversations = access.filter_conversations(scope.user).values("pk")
    return (
        Message.objects.filter(conversation__in=conversations, deleted_at__isnull=True)
        .select_related("conversation__space")
        .defer("search_text")
    )


def _show_message(scope, message):
    conversation = message.conversation
    return Result(
        "message",
        _("Chat message"),
        conversation.title
        or (conversation.space.name if conversation.space_id else _("Direct conversation")),
        highlight(message.body, scope.query),
        f"{conversation.get_absolute_url()}#message-{message.pk}",
        conversation.space.name if conversation.space_id else "",
        message.created_at,
        message.score,
    )


def register_search_source():
    register(SearchSource("message", _("Chat messages"), 90, _messages, _show_message))
