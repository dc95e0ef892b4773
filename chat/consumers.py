"""The chat websocket at /ws/chat/<conversation uuid>/ (protocol and close codes: docs/architecture.md,
"Chat").

An interface only: it authenticates from the scope, asks the permission core on connect and on every
frame, calls the chat services (which save before they broadcast), joins and leaves channel-layer
groups, and forwards events. Frames are JSON objects with a "type".

Nothing goes out once the session or the access behind the socket changed: before every event and
every client frame the socket checks the shared liveness store (`accounts.liveness`), and the
process's liveness watchdog closes it within seconds when no event comes; the `access.revoked` event
closes it at once where the channel layer carries it.
"""

import json
import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts import liveness
from workgroups import access
from workgroups.access import ChatAction

from . import selectors, services
from .models import Conversation

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_SESSION_ENDED = 4408
CLOSE_FLOODING = 4429
CLOSE_TOO_BIG = 1009


class Refused(Exception):
    """The user may no longer do this in the conversation: the socket closes with CLOSE_FORBIDDEN."""


class SessionEnded(Exception):
    """The session no longer signs the user in: the socket closes with CLOSE_UNAUTHENTICATED."""


class ChatConsumer(AsyncWebsocketConsumer):
    conversation_id = None
    group_name = None
    user_group = None
    liveness_ticket = None  # set once authorised: what every later check compares against
    ended = False  # closed by the server: nothing more is sent

    async def connect(self):
        user = self.scope.get("user")
        await self.accept()  # a close code reaches the browser only after the handshake
        if user is None or not user.is_authenticated:
            await self._end(CLOSE_UNAUTHENTICATED)
            return
        self.user_id = user.pk
        self.language = getattr(user, "preferred_language", None) or settings.LANGUAGE_CODE
        self.zone = services.reader_zone(user)
        self.session_key = getattr(self.scope.get("session"), "session_key", None)
        public_id = self.scope["url_route"]["kwargs"]["conversation_id"]
        # Read before authorising: a change stored after this read is seen by the next check.
        ticket = await liveness.ticket_for(user_id=user.pk, session_key=self.session_key)
        if ticket is None:
            await self._end(CLOSE_SESSION_ENDED)
            return
        try:
            conversation, ticket.deadline = await self._authorise(public_id)
        except SessionEnded:
            await self._end(CLOSE_UNAUTHENTICATED)
            return
        except Refused:
            await self._end(CLOSE_FORBIDDEN)
            return
        self.conversation_id = conversation.pk
        self.group_name = conversation.group_name
        self.user_group = f"user.{user.pk}"
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.channel_layer.group_add(self.user_group, self.channel_name)
        self.liveness_ticket = ticket
        liveness.watch(self)
        await self.send_json({"type": "ready", "conversation": str(conversation.public_id)})

    async def dispatch(self, message):
        """Every event and client frame passes the liveness check before its handler runs; a socket the
        server closed handles nothing more."""
        kind = message["type"]
        if kind not in ("websocket.connect", "websocket.disconnect"):
            if self.ended:
                return
            if self.liveness_ticket is not None and not await liveness.holds(self.liveness_ticket):
                await self.liveness_lost()
                return
        await super().dispatch(message)

    async def disconnect(self, code):
        liveness.unwatch(self)
        await self._leave_groups()

    async def liveness_lost(self):
        """The session ended or the access changed (seen in the liveness store): close as on
        `access.revoked`; a client whose session still holds reconnects and is authorised afresh."""
        await self._end(CLOSE_SESSION_ENDED)

    async def _end(self, code):
        """Leave the groups, then close with `code`; once only."""
        if self.ended:
            return
        self.ended = True
        liveness.unwatch(self)
        await self._leave_groups()
        await self.close(code=code)

    async def _leave_groups(self):
        """Leave the conversation's and the user's groups, as far as the channel layer can be reached:
        with its Redis down this fails, and the socket must close all the same (a closed socket is sent
        nothing, and its page catches up by id when it reconnects)."""
        groups, self.group_name, self.user_group = (self.group_name, self.user_group), None, None
        for group in groups:
            if group:
                try:
                    await self.channel_layer.group_discard(group, self.channel_name)
                except Exception:
                    logger.warning("chat: could not leave the channel-layer group %s", group, exc_info=True)

    async def receive(self, text_data=None, bytes_data=None):
        if self.group_name is None:
            return
        raw = text_data if text_data is not None else bytes_data or b""
        size = len(raw.encode() if isinstance(raw, str) else raw)
        if size > settings.CSSR_CHAT_MAX_FRAME_BYTES:
            await self._end(CLOSE_TOO_BIG)
            return
        try:
            frame = json.loads(raw)
        except (TypeError, ValueError):
            frame = None
        if not isinstance(frame, dict):
            await self.send_error("malformed", self._t(gettext_noop("The frame is not a JSON object.")))
            return
        handler = {
            "send": self.on_send,
            "since": self.on_since,
            "read": self.on_read,
            "ping": self.on_ping,
        }.get(frame.get("type"))
        if handler is None:
            await self.send_error("unknown_type", self._t(gettext_noop("Unknown frame type.")))
            return
        try:
            await handler(frame)
        except Refused:
            await self.send_error(
                "forbidden", self._t(gettext_noop("This conversation is no longer open to you."))
            )
            await self._end(CLOSE_FORBIDDEN)

    # --- frames from the client ----------------------------------------------------------------

    async def on_send(self, frame):
        body, reply_to, client_id = frame.get("body"), frame.get("reply_to"), frame.get("client_id")
        attachment = frame.get("attachment")
        if not isinstance(body, str) or not all(
            value is None or (isinstance(value, int) and not isinstance(value, bool))
            for value in (reply_to, attachment)
        ):
            await self.send_error(
                "invalid", self._t(gettext_noop("The message is not valid.")), client_id=client_id
            )
            return
        try:
            message_id = await self._send_message(body, reply_to, attachment)
        except services.RateLimited as error:
            await self.send_error("rate_limited", self._message_of(error), client_id=client_id)
            if error.flooding:
                await self._end(CLOSE_FLOODING)
            return
        except ValidationError as error:
            await self.send_error(error.code or "invalid", self._message_of(error), client_id=client_id)
            return
        await self.send_json({"type": "ack", "client_id": client_id, "id": message_id})

    async def on_since(self, frame):
        after = frame.get("after")
        if not isinstance(after, int) or isinstance(after, bool) or after < 0:
            await self.send_error("invalid", self._t(gettext_noop("The message is not valid.")))
            return
        while True:
            payloads, complete = await self._messages_since(after)
            await self.send_json({"type": "history", "messages": payloads, "complete": complete})
            if complete or not payloads:
                return
            after = payloads[-1]["id"]

    async def on_read(self, frame):
        message_id = frame.get("message_id")
        if isinstance(message_id, int) and not isinstance(message_id, bool) and message_id > 0:
            await self._mark_read(message_id)

    async def on_ping(self, frame):
        await self.send_json({"type": "pong"})

    # --- events from the channel layer ---------------------------------------------------------

    async def chat_message(self, event):
        await self.send_json({"type": "message", "message": self._for_reader(event["message"])})

    async def chat_edit(self, event):
        await self.send_json({"type": "edit", "message": self._for_reader(event["message"])})

    async def chat_delete(self, event):
        await self.send_json({"type": "delete", "message": self._for_reader(event["message"])})

    async def chat_read(self, event):
        await self.send_json(
            {
                "type": "read",
                "user_id": event["user_id"],
                "name": event["name"],
                "message_id": event["message_id"],
            }
        )

    async def chat_participant_left(self, event):
        if event["user_id"] == self.user_id:
            await self._end(CLOSE_FORBIDDEN)

    async def access_revoked(self, event):
        """The user lost access somewhere, signed out, or their sessions were ended: close now; a
        client that still may read reconnects and is authorised afresh."""
        await self._end(CLOSE_SESSION_ENDED)

    # --- helpers -------------------------------------------------------------------------------

    async def send_json(self, content):
        if not self.ended:  # the watchdog may have closed the socket while a frame was being handled
            await self.send(text_data=json.dumps(content, ensure_ascii=False))

    async def send_error(self, code, message, **extra):
        await self.send_json({"type": "error", "code": code, "message": message, **extra})

    def _t(self, text):
        with translation.override(self.language):
            return str(_(text))

    def _for_reader(self, payload):
        """The message with its time written as this reader's page writes it."""
        return services.payload_for_reader(payload, language=self.language, zone=self.zone)

    def _message_of(self, error):
        return " ".join(str(message) for message in error.messages)

    def _load(self, public_id=None):
        """The user and the conversation, loaded again (a deactivated user, a concluded space)."""
        user = get_user_model().objects.filter(pk=self.user_id, is_active=True).first()
        lookup = {"public_id": public_id} if public_id is not None else {"pk": self.conversation_id}
        conversation = Conversation.objects.select_related("space").filter(**lookup).first()
        if user is None or conversation is None:
            raise Refused
        return user, conversation

    def _fresh(self, public_id=None):
        """Load the user and the conversation again and ask the core whether they may read."""
        user, conversation = self._load(public_id)
        try:
            access.check_conversation(user, ChatAction.READ, conversation, fresh=True)
        except (Http404, PermissionDenied) as error:
            raise Refused from error
        return user, conversation

    @database_sync_to_async
    def _authorise(self, public_id):
        """On connect: the session must still sign the user in (Channels checked it before the liveness
        ticket was read), and the user may read the conversation. Returns the conversation and when the
        session reaches its limit (the watchdog asks again then)."""
        user, conversation = self._fresh(public_id)
        deadline = liveness.session_deadline(self.session_key, user)
        if deadline is False:
            raise SessionEnded
        return conversation, deadline

    @database_sync_to_async
    def _send_message(self, body, reply_to, attachment):
        """The service asks the core (fresh, with the user and conversation just loaded) before it
        stores anything; a refusal closes the socket unless the user may still read (read-only)."""
        with translation.override(self.language):
            user, conversation = self._load()
            try:
                return services.message_send(
                    actor=user,
                    conversation=conversation,
                    body=body,
                    reply_to_id=reply_to,
                    attachment_id=attachment,
                ).pk
            except (Http404, PermissionDenied) as error:
                if isinstance(error, PermissionDenied) and not isinstance(error, access.MembershipLocked):
                    try:
                        access.check_conversation(user, ChatAction.READ, conversation, fresh=True)
                    except (Http404, PermissionDenied):
                        raise Refused from error
                    raise ValidationError(str(error), code="read_only") from error
                raise Refused from error

    @database_sync_to_async
    def _messages_since(self, after):
        _user, conversation = self._fresh()
        limit = settings.CSSR_CHAT_SINCE_LIMIT
        rows = selectors.messages_since(conversation=conversation, after=after, limit=limit)
        return [self._for_reader(services.message_payload(row)) for row in rows], len(rows) < limit

    @database_sync_to_async
    def _mark_read(self, message_id):
        user, conversation = self._fresh()
        services.conversation_mark_read(actor=user, conversation=conversation, message_id=message_id)
