"""Digest subscriptions and mutes."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from workgroups.models.discussions import Thread
from workgroups.models.spaces import Space


class DigestSubscription(models.Model):
    """How often a user receives the e-mail digest of their spaces."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")
        OFF = "off", _("Never")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest")
    frequency = models.CharField(
        _("digest"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY
    )
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
                condition=(
                    models.Q(space__isnull=False, thread__isnull=True)
                    | models.Q(space__isnull=True, thread__isnull=False)
                ),
                name="workgroups_digest_mute_one_target",
            ),
            models.UniqueConstraint(fields=["user", "space"], name="workgroups_digest_mute_space_once"),
            models.UniqueConstraint(fields=["user", "thread"], name="workgroups_digest_mute_thread_once"),
        ]

    def __str__(self):
        return f"{self.user} – {self.space or self.thread}"
