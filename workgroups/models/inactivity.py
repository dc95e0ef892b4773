"""Inactivity lockout and e-mail digests: what the scheduled jobs read and write."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .discussions import Thread
from .spaces import Membership, Space


class ReinstatementRequest(models.Model):
    """A locked member asks the operations support team to let them back in."""

    class Outcome(models.TextChoices):
        OPEN = "open", pgettext_lazy("request outcome", "Open")
        REINSTATED = "reinstated", pgettext_lazy("request outcome", "Reinstated")
        DECLINED = "declined", pgettext_lazy("request outcome", "Declined")

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="reinstatement_requests")
    message = models.TextField(_("message"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.OPEN)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("reinstatement request")
        verbose_name_plural = _("reinstatement requests")
        constraints = [
            models.UniqueConstraint(fields=["membership"], condition=models.Q(outcome="open"),
                                    name="workgroups_one_open_reinstatement_request"),
        ]

    def __str__(self):
        return str(self.membership)


class DigestSubscription(models.Model):
    """How often a user receives the e-mail digest of their spaces."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")
        OFF = "off", _("Never")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest")
    frequency = models.CharField(_("digest"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("digest subscription")
        verbose_name_plural = _("digest subscriptions")

    def __str__(self):
        return f"{self.user} – {self.get_frequency_display()}"


class DigestMute(models.Model):
    """A space or a discussion the user leaves out of their digest."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_mutes")
    space = models.ForeignKey(Space, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(space__isnull=False, thread__isnull=True)
                           | models.Q(space__isnull=True, thread__isnull=False)),
                name="workgroups_digest_mute_one_target",
            ),
            models.UniqueConstraint(fields=["user", "space"], name="workgroups_digest_mute_space_once"),
            models.UniqueConstraint(fields=["user", "thread"], name="workgroups_digest_mute_thread_once"),
        ]

    def __str__(self):
        return f"{self.user} – {self.space or self.thread}"
