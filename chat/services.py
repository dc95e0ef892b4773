"""Every write of the chat. Authorises: each asks the permission core itself (`access.check_conversation`,
`check_change_message`, `check_remove_message`, `check_leave_conversation`), because views and the
websocket consumer share these functions; each runs in a transaction and broadcasts to the
conversation's channel-layer group only after commit (a rolled-back message reaches nobody)."""

import datetime
import logging
import zoneinfo

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts import audit
from cssr.search import index_text
from cssr.text import clean_single_line
from documents.models import Document
from workgroups import access
from workgroups.access import Action, ChatAction
from workgroups.models import Contribution, Notification, Space
from workgroups.services import contribution_record
from workgroups.services.notifications import notify

from .models import Conversation, Message, Participant, Report

logger = logging.getLogger(__name__)

CONTRIBUTING_KINDS = frozenset({Conversation.Kind.SPACE, Conversation.Kind.GROUP})


class RateLimited(ValidationError):
    """The user sent too many messages in the current window. `flooding` when far over the limit."""

    def __init__(self, *, flooding):
        super().__init__(
            _("You are sending messages too quickly. Wait a few seconds and try again."), code="rate_limited"
        )
        self.flooding = flooding


def broadcast(group, event):
    """Send `event` to a channel-layer group now (callers wrap it in `transaction.on_commit`).

    What is broadcast is already saved. A Redis connection the layer opened before a Redis restart fails
    once and is dropped, so a failed send is tried once more on a new connection; when Redis cannot be
    reached at all the failure is logged and the write stands: pages catch up by id when they reconnect
    (and ignore a message they already hold)."""
    layer = get_channel_layer()
    if layer is None:
        return
    for attempt in (1, 2):
        try:
            async_to_sync(layer.group_send)(group, event)
            return
        except Exception:
            if attempt == 2:
                logger.warning(
                    "chat: could not broadcast %s to %s; pages catch up by id",
                    event.get("type"),
                    group,
                    exc_info=True,
                )


def _broadcast_on_commit(conversation, event):
    group = conversation.group_name
    transaction.on_commit(lambda: broadcast(group, event))


def message_payload(message):
    """What clients receive for one message (the same shape over the socket and the polling endpoint)."""
    deleted = message.deleted_at is not None
    reply = message.reply_to if message.reply_to_id else None
    attachment = None
    if message.attachment_id and not deleted:
        attachment = {
            "id": message.attachment_id,
            "title": message.attachment.title,
            "url": message.attachment.get_absolute_url(),
        }
    return {
        "id": message.pk,
        "author_id": message.author_id,
        "author": message.author.public_name if message.author_id else "",
        "body": "" if deleted else message.body,
        "created_at": message.created_at.isoformat(),
        "edited": message.edited_at is not None,
        "deleted": deleted,
        "attachment": attachment,
        "reply_to": None
        if reply is None
        else {
            "id": reply.pk,
            "author": reply.author.public_name if reply.author_id else "",
            "excerpt": "" if reply.deleted_at else reply.body[:140],
        },
    }


def message_time_text(created_at, *, language, zone):
    """A message's time as the conversation page writes it for a reader: `SHORT_DATETIME_FORMAT` of
    their `language`, in their time `zone` (a ZoneInfo). Live messages carry the same text."""
    with translation.override(language):
        return date_format(timezone.localtime(created_at, zone), "SHORT_DATETIME_FORMAT")


def reader_zone(user):
    """The time zone pages use for `user` (theirs, else the platform's default)."""
    for name in (getattr(user, "time_zone", ""), settings.CSSR_DEFAULT_TIME_ZONE):
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
            continue
    return datetime.UTC


def payload_for_reader(payload, *, language, zone):
    """`payload` (see `message_payload`) with `created_text`, its time as the page shows it to a reader."""
    created_at = datetime.datetime.fromisoformat(payload["created_at"])
    return {**payload, "created_text": message_time_text(created_at, language=language, zone=zone)}


def _clean_body(body):
    body = (body or "").replace("\x00", "").strip()
    if not body:
        raise ValidationError(_("Write a message first."), code="empty")
    limit = settings.CSSR_CHAT_MAX_MESSAGE_CHARS
    if len(body) > limit:
        raise ValidationError(
            _("A message can be at most %(limit)d characters long.") % {"limit": limit}, code="too_long"
        )
    return body


def _rate_check(user):
    """A fixed window per user, shared by every worker through the cache (Redis in production)."""
    window = settings.CSSR_CHAT_RATE_SECONDS
    limit = settings.CSSR_CHAT_RATE_MESSAGES
    key = f"chat-rate:{user.pk}:{int(timezone.now().timestamp() // window)}"
    try:
        count = cache.incr(key)
    except ValueError:  # the first message of the window (one cache round trip otherwise)
        if cache.add(key, 1, timeout=window * 2):
            count = 1
        else:  # another worker created it meanwhile
            count = cache.incr(key)
    if count > limit:
        raise RateLimited(flooding=count > 2 * limit)


def _lock_conversation(conversation):
    """Writers of a conversation's messages queue on its row (PostgreSQL; SQLite has one writer at a
    time anyway): message ids are then given in the order the kept unread counts are changed.

    FOR NO KEY UPDATE, not FOR UPDATE: the foreign-key checks of other transactions (a participant's
    read marker written twice in one transaction is checked again at its commit) take a KEY SHARE lock
    on the conversation, which FOR UPDATE would make them wait for while this transaction waits for
    their row: a deadlock."""
    Conversation.objects.select_for_update(no_key=True).filter(pk=conversation.pk).values_list("pk").first()


def unread_recount(participants):
    """Set the kept `unread` count of `participants` (a queryset) from the messages themselves: those
    of others, not deleted, after each one's read marker. One UPDATE whatever their number."""
    later = (
        Message.objects.filter(
            conversation=OuterRef("conversation"),
            pk__gt=OuterRef("last_read_message_id"),
            deleted_at__isnull=True,
        )
        .exclude(author=OuterRef("user"))
        .order_by()
        .values("conversation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    participants.update(unread=Coalesce(Subquery(later, output_field=IntegerField()), Value(0)))


def space_conversation_get_or_create(*, space):
    """The one conversation of `space` for all its members (created the first time it is asked for)."""
    conversation = Conversation.objects.filter(space=space, kind=Conversation.Kind.SPACE).first()
    if conversation is not None:
        return conversation
    try:
        with transaction.atomic():
            return Conversation.objects.create(space=space, kind=Conversation.Kind.SPACE)
    except IntegrityError:  # created meanwhile by another request
        return Conversation.objects.get(space=space, kind=Conversation.Kind.SPACE)


def participants_ensure(*, user):
    """Give `user` a participant row in the space conversation of every space they may view, starting
    at the latest message (a newcomer does not inherit months of "unread"). Cheap when nothing is missing."""
    spaces = access.filter_spaces(user).exclude(conversations__kind=Conversation.Kind.SPACE)
    if user.is_staff:
        spaces = spaces.none()  # staff read every space chat but are not counted in them
    for space in spaces.filter(status=Space.Status.ACTIVE):
        space_conversation_get_or_create(space=space)
    conversations = access.filter_conversations(
        user, Conversation.objects.filter(kind=Conversation.Kind.SPACE)
    ).exclude(participants__user=user)
    if user.is_staff:
        return
    latest = dict(
        Message.objects.filter(conversation__in=conversations)
        .values("conversation")
        .annotate(last=Max("id"))
        .values_list("conversation", "last")
    )
    Participant.objects.bulk_create(
        [
            Participant(conversation_id=pk, user=user, last_read_message_id=latest.get(pk, 0))
            for pk in conversations.values_list("pk", flat=True)
        ],
        ignore_conflicts=True,
    )


def direct_conversation_open(*, actor, other):
    """The one-to-one conversation of `actor` and `other` (opened the first time). PermissionDenied
    unless they share an active space or one of them is operations staff."""
    if not access.can_message_directly(actor, other):
        raise PermissionDenied(
            _("You can write only to members of your groups and to the operations support team.")
        )
    low, high = sorted([actor.pk, other.pk])
    key = f"{low}:{high}"
    with transaction.atomic():
        conversation, created = Conversation.objects.get_or_create(
            direct_key=key, defaults={"kind": Conversation.Kind.DIRECT, "created_by": actor}
        )
        if created:
            Participant.objects.bulk_create(
                [
                    Participant(conversation=conversation, user=actor),
                    Participant(conversation=conversation, user=other),
                ]
            )
        else:
            conversation.participants.filter(left_at__isnull=False).update(left_at=None)
    return conversation


def group_conversation_create(*, actor, space, title, members):
    """A group conversation opened by a member of `space` with chosen members of it."""
    access.check(actor, Action.CONTRIBUTE, space)
    title = clean_single_line(title or "")  # no direction controls or invisible characters
    if not title:
        raise ValidationError(_("Give the conversation a title."), code="title")
    allowed = set(
        access.filter_group_candidates(actor, space)
        .filter(pk__in=[member.pk for member in members])
        .values_list("pk", flat=True)
    )
    if not allowed or len(allowed) != len({member.pk for member in members}):
        raise ValidationError(_("Choose members of this space."), code="members")
    with transaction.atomic():
        conversation = Conversation.objects.create(
            kind=Conversation.Kind.GROUP, space=space, title=title[:120], created_by=actor
        )
        Participant.objects.bulk_create(
            [Participant(conversation=conversation, user_id=pk) for pk in sorted(allowed | {actor.pk})]
        )
    return conversation


def conversation_leave(*, actor, conversation):
    """Leave a group conversation.

    Its history stays, nothing more reaches `actor`, and their sockets on it close.
    """
    access.check_leave_conversation(actor, conversation)
    with transaction.atomic():
        Participant.objects.filter(conversation=conversation, user=actor).update(left_at=timezone.now())
        _broadcast_on_commit(conversation, {"type": "chat.participant_left", "user_id": actor.pk})


def _attachment(conversation, attachment_id):
    """A document of the conversation's own space library, or ValidationError (one-to-one
    conversations belong to no space, so they take no attachment)."""
    document = None
    if conversation.space_id is not None:
        document = Document.objects.filter(pk=attachment_id, space_id=conversation.space_id).first()
    if document is None:
        raise ValidationError(_("Attach a document of this space's library."), code="attachment")
    return document


def message_send(*, actor, conversation, body, reply_to_id=None, attachment_id=None):
    """Store a message, then (after commit) broadcast it. Raises Http404/PermissionDenied from the core,
    ValidationError for an empty or too long body, RateLimited when the user sends too fast.

    A message in a space's conversations (its space chat or a group conversation in it) is a
    contribution to the space; one-to-one messages are not (docs/architecture.md, "What counts as a
    contribution").
    """
    body = _clean_body(body)
    with transaction.atomic():
        access.check_conversation(actor, ChatAction.POST, conversation, fresh=True)
        _rate_check(actor)
        _lock_conversation(conversation)
        reply_to = None
        if reply_to_id:
            reply_to = (
                Message.objects.filter(conversation=conversation, pk=reply_to_id)
                .select_related("author")
                .first()
            )
            if reply_to is None:
                raise ValidationError(
                    _("The message you reply to is not in this conversation."), code="reply_to"
                )
        attachment = _attachment(conversation, attachment_id) if attachment_id else None
        message = Message.objects.create(
            conversation=conversation,
            author=actor,
            body=body,
            reply_to=reply_to,
            attachment=attachment,
            search_text=index_text(body),
        )
        # The sender has read up to their own message, everyone else has one more unread message: one
        # statement (the sender's row then the others' in two would let two writers lock them crosswise).
        Participant.objects.get_or_create(conversation=conversation, user=actor)
        sender = Q(user=actor)
        Participant.objects.filter(conversation=conversation).update(
            last_read_message_id=Case(
                When(sender, then=Value(message.pk)),
                default="last_read_message_id",
                output_field=BigIntegerField(),
            ),
            unread=Case(When(sender, then=Value(0)), default=F("unread") + 1),
        )
        if conversation.kind in CONTRIBUTING_KINDS:
            contribution_record(
                user=actor, space=conversation.space, kind=Contribution.Kind.MESSAGE, at=message.created_at
            )
        message.author = actor
        _broadcast_on_commit(conversation, {"type": "chat.message", "message": message_payload(message)})
    return message


def _own_live_message(actor, message):
    access.check_change_message(actor, message, fresh=True)
    if message.deleted_at is not None:
        raise ValidationError(_("This message was deleted."), code="deleted")


def message_edit(*, actor, message, body):
    """The author changes the text of their message (marked "edited"); broadcast after commit."""
    body = _clean_body(body)
    conversation = message.conversation
    with transaction.atomic():
        _own_live_message(actor, message)
        message.body, message.edited_at, message.search_text = body, timezone.now(), index_text(body)
        message.save(update_fields=["body", "edited_at", "search_text"])
        _broadcast_on_commit(conversation, {"type": "chat.edit", "message": message_payload(message)})
    return message


def message_delete(*, actor, message):
    """The author deletes their message (the text is removed; a placeholder stays), or the technical
    officer of the space removes it. Broadcast after commit."""
    conversation = message.conversation
    moderating = message.author_id != actor.pk
    with transaction.atomic():
        if moderating:
            access.check_remove_message(actor, message)
        else:
            access.check_change_message(actor, message, fresh=True)
        if message.deleted_at is not None:
            return message
        _lock_conversation(conversation)
        message.deleted_at = timezone.now()
        message.save(update_fields=["deleted_at"])
        unread_recount(conversation.participants.filter(last_read_message_id__lt=message.pk))
        if moderating:
            Report.objects.filter(message=message).update(handled=True)
            audit.record(
                actor=actor,
                action=audit.Action.MODERATION,
                target=message,
                space=conversation.space_id,
                kind="remove",
            )
        _broadcast_on_commit(conversation, {"type": "chat.delete", "message": message_payload(message)})
    return message


def message_remove_by_staff(*, actor, message):
    """Operations staff remove a reported message in admin (the text goes; a placeholder stays)."""
    with transaction.atomic():
        if message.deleted_at is None:
            _lock_conversation(message.conversation)
            message.deleted_at = timezone.now()
            message.save(update_fields=["deleted_at"])
            unread_recount(message.conversation.participants.filter(last_read_message_id__lt=message.pk))
            _broadcast_on_commit(
                message.conversation, {"type": "chat.delete", "message": message_payload(message)}
            )
            audit.record(
                actor=actor,
                action=audit.Action.MODERATION,
                target=message,
                space=message.conversation.space_id,
                kind="remove",
            )
        Report.objects.filter(message=message).update(handled=True)


def reports_mark_handled_by_staff(*, actor, reports):
    """Operations staff mark reports handled in admin (the messages stay). Returns how many changed."""
    with transaction.atomic():
        pending = list(reports.filter(handled=False).select_related("message__conversation"))
        Report.objects.filter(pk__in=[report.pk for report in pending]).update(handled=True)
        for report in pending:
            audit.record(
                actor=actor,
                action=audit.Action.MODERATION,
                target=report.message,
                space=report.message.conversation.space_id,
                kind="report_handled",
            )
    return len(pending)


def message_report(*, actor, message, reason):
    """Report a message to the technical officer of its space (to operations staff in admin for
    one-to-one conversations). Once per reporter; the text is kept as it was."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why you report this message."), code="reason")
    conversation = message.conversation
    access.check_conversation(actor, ChatAction.READ, conversation)
    if conversation.space_id is not None:  # one-to-one conversations belong to no space
        access.check_writable(actor, conversation)
    if message.deleted_at is not None:
        raise ValidationError(_("This message was deleted."), code="deleted")
    if message.author_id == actor.pk:
        raise ValidationError(_("You cannot report your own message."), code="own")
    with transaction.atomic():
        report, created = Report.objects.get_or_create(
            message=message, reporter=actor, defaults={"reason": reason[:500], "body_at_report": message.body}
        )
        if not created:
            raise ValidationError(_("You have already reported this message."), code="duplicate")
        if conversation.space_id is not None:
            notify(
                recipients=access.message_report_audience(conversation),
                space=conversation.space,
                kind=Notification.Kind.MODERATION,
                actor=None,
                title=_("A chat message was reported"),
                url=reverse("chat:report-list", args=[conversation.space_id]),
            )
    return report


def report_handle(*, actor, report):
    """The technical officer marks a report handled (the message stays)."""
    access.check(actor, Action.MODERATE, report.message.conversation.space)
    with transaction.atomic():
        if Report.objects.filter(pk=report.pk, handled=False).update(handled=True):
            audit.record(
                actor=actor,
                action=audit.Action.MODERATION,
                target=report.message,
                space=report.message.conversation.space_id,
                kind="report_handled",
            )


def conversation_mark_read(*, actor, conversation, message_id):
    """Move `actor`'s read marker forward to `message_id` (never back); others learn it unless hidden."""
    already = Participant.objects.filter(
        conversation=conversation, user=actor, last_read_message_id__gte=message_id, unread=0
    )
    if already.exists():
        # read up to there with nothing unread: no marker to move, nothing to count (each visit to a
        # conversation's latest page asks; a message sent meanwhile is counted by its sender)
        return
    latest = conversation.messages.filter(pk__lte=message_id).aggregate(last=Max("id"))["last"]
    if latest is None:
        return
    with transaction.atomic():
        # The row is held first (a sender raising its count meanwhile has committed, a later one waits
        # for this transaction), then the count is taken with a view from after that: a message is
        # counted once, by the recount or by its sender, never lost or counted twice.
        participant, _created = Participant.objects.select_for_update().get_or_create(
            conversation=conversation, user=actor
        )
        moved = participant.last_read_message_id < latest
        mine = Participant.objects.filter(pk=participant.pk)
        mine.update(last_read_message_id=Greatest("last_read_message_id", Value(latest)))
        unread_recount(mine)
        if moved and not participant.hide_read_marker:
            _broadcast_on_commit(
                conversation,
                {"type": "chat.read", "user_id": actor.pk, "name": actor.public_name, "message_id": latest},
            )


def participant_set_hide_read_marker(*, actor, conversation, hide):
    """Choose whether others see how far `actor` has read (hiding it also hides theirs from `actor`)."""
    with transaction.atomic():
        participant, created = Participant.objects.get_or_create(conversation=conversation, user=actor)
        Participant.objects.filter(pk=participant.pk).update(hide_read_marker=bool(hide))
        if created:
            unread_recount(Participant.objects.filter(pk=participant.pk))
