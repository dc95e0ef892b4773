"""What the chat adds to e-mail digests: a count of new messages in each space's conversation, with a
link. Never the text of a message, and nothing from group or one-to-one conversations (private)."""

from django.urls import reverse
from django.utils.translation import ngettext_lazy

from workgroups.digests import DigestItem, DigestSource, register

from .models import Conversation, Message


def _space_messages(space_ids, since, until):
    rows = Message.objects.filter(
        conversation__kind=Conversation.Kind.SPACE,
        conversation__space_id__in=space_ids,
        deleted_at__isnull=True,
        created_at__gt=since,
        created_at__lte=until,
    ).values_list("conversation__space_id", "conversation__space__name", "author_id", "created_at")
    for space_id, space_name, author_id, created_at in rows:
        yield DigestItem(
            space_id=space_id,
            created_at=created_at,
            title=space_name,
            author_id=author_id,
            url=reverse("chat:space-chat", args=[space_id]),
            line=("chat", space_id),
        )


def register_sources():
    register(
        DigestSource(
            "chat",
            _space_messages,
            ngettext_lazy("%(count)s new chat message", "%(count)s new chat messages", "count"),
        )
    )
