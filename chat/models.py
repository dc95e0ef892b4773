"""Conversations, their participants, messages and reports.

A conversation is addressed by an opaque `public_id` (a UUID) in URLs and in channel-layer group names,
so no name of a space or a person ever travels in a URL or a Redis key.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Conversation(models.Model):
    class Kind(models.TextChoices):
        SPACE = "space", pgettext_lazy("conversation kind", "Space chat")
        GROUP = "group", pgettext_lazy("conversation kind", "Group chat")
        DIRECT = "direct", pgettext_lazy("conversation kind", "One-to-one chat")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # Space and group conversations live in a space; a one-to-one conversation has none (it is allowed
    # while the two people share an active space, or when one of them is operations staff).
    space = models.ForeignKey(
        "workgroups.Space",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="conversations",
        verbose_name=_("space"),
    )
    title = models.CharField(_("title"), max_length=120, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    # "<smaller user id>:<larger user id>" for one-to-one conversations: one conversation per pair.
    direct_key = models.CharField(max_length=40, null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        constraints = [
            models.UniqueConstraint(
                fields=["space"], condition=models.Q(kind="space"), name="chat_one_conversation_per_space"
            ),
            models.CheckConstraint(
                condition=models.Q(kind="direct") | models.Q(space__isnull=False), name="chat_space_or_direct"
            ),
        ]

    def __str__(self):
        return self.title or f"{self.get_kind_display()} {self.public_id}"

    def get_absolute_url(self):
        return reverse("chat:conversation-detail", args=[self.public_id])

    @property
    def group_name(self):
        """The channel-layer group of this conversation: opaque, never a name."""
        return f"chat.{self.public_id.hex}"


class Participant(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_participations"
    )
    last_read_message_id = models.BigIntegerField(_("last read message"), default=0)
    # Others' messages, not deleted, after the read marker: kept by chat.services (`unread_recount`
    # and the send/delete paths) so that the navigation's unread count is not counted per request.
    unread = models.PositiveIntegerField(_("unread messages"), default=0, editable=False)
    hide_read_marker = models.BooleanField(
        _("hide my read marker"),
        default=False,
        help_text=_("Others do not see how far I have read."),
    )
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)

    class Meta:
        ordering = ["conversation", "pk"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="chat_participant_once"),
        ]
        indexes = [models.Index(fields=["user", "left_at"])]

    def __str__(self):
        return f"{self.user} · {self.conversation}"


class Message(models.Model):
    access_space_path = "conversation__space"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="chat_messages",
        verbose_name=_("author"),
    )
    body = models.TextField(_("message"))
    reply_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reply to"),
    )
    # A document of the space's library, linked (never copied): who may read the conversation may view
    # the space, and the library's own pages check again when the link is followed.
    attachment = models.ForeignKey(
        "documents.Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("attached document"),
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        indexes = [models.Index(fields=["conversation", "id"])]

    def __str__(self):
        return f"#{self.pk} · {self.conversation}"

    @property
    def is_deleted(self):
        return self.deleted_at is not None


class Report(models.Model):
    """A message reported to the technical officer of its space (operations staff for one-to-one chats)."""

    access_space_path = "message__conversation__space"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("reported by")
    )
    reason = models.CharField(_("reason"), max_length=500)
    # The message as it was when reported: its author may edit or delete it afterwards.
    body_at_report = models.TextField(_("message when reported"), blank=True)
    created_at = models.DateTimeField(_("reported"), default=timezone.now)
    handled = models.BooleanField(_("handled"), default=False)

    class Meta:
        ordering = ["handled", "-created_at"]
        verbose_name = _("reported chat message")
        verbose_name_plural = _("reported chat messages")
        constraints = [
            models.UniqueConstraint(fields=["message", "reporter"], name="chat_report_once_per_reporter"),
        ]

    def __str__(self):
        return f"{self.message} · {self.reporter}"
