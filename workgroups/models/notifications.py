"""In-app notifications and what each user muted."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workgroups.models.spaces import Space


class Notification(models.Model):
    """An in-app notification. Shown only while its user may still see its space (checked when shown)."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("Replies in discussions I follow")
        MENTION = "mention", _("Mentions of me")
        NEW_THREAD = "new_thread", _("New discussions in my groups")
        NEW_CONCERN = "new_concern", _("New concerns in my groups")
        AGENDA = "agenda", _("Changes to the agenda")
        MODERATION = "moderation", _("Messages from the technical officer")
        NEW_DOCUMENT = "new_document", _("New documents in my groups")
        DRAFT = "draft", _("Drafts open for comments, and replies to my comments")
        TRANSLATION = "translation", _("Translations I asked for")
        EVENT = "event", _("New, changed and cancelled events in my groups")
        REMINDER = "reminder", _("Reminders before events")
        QUESTIONNAIRE = "questionnaire", _("Questionnaires open to me")
        INACTIVITY_WARNING = "inactivity_warning", _("Warnings that my access will be locked for inactivity")
        LOCKOUT = "lockout", _("My access locked for inactivity")
        REINSTATEMENT = "reinstatement", _("Requests to be reinstated in a group, and their answers")
        ENVOY_DECISION = "envoy_decision", _("Decisions of the Special Envoy on my groups' final notes")

    # Notices about a membership's access (the inactivity lockout, a request to be reinstated and its
    # answer): addressed to the person named (the member, or operations staff, who enter no space)
    # whatever they may see, always written (they cannot be muted), and listed whatever the
    # recipient may see now. See `services.notify_many`.
    PERSONAL_KINDS = frozenset({Kind.INACTIVITY_WARNING, Kind.LOCKOUT, Kind.REINSTATEMENT})

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    title = models.CharField(max_length=255)
    url = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]

    def __str__(self):
        return f"{self.recipient} · {self.get_kind_display()}"


class NotificationSetting(models.Model):
    """A kind of notification a user switched off (none stored: everything on)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="muted_notifications"
    )
    kind = models.CharField(max_length=20, choices=Notification.Kind.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="workgroups_mute_once")]

    def __str__(self):
        return f"{self.user} – {self.get_kind_display()}"
