from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutgoingEmail(models.Model):
    """An e-mail written by a job and waiting to be sent (the outbox).

    Jobs write their e-mails here in the same transaction as the state they record (a digest
    period spent, a warning given), so a worker killed mid-job loses and doubles nothing; the
    outbox sender then sends each row once and marks it (see `services.outbox`).
    """

    class Kind(models.TextChoices):
        DIGEST = "digest", _("digest")
        INACTIVITY_WARNING = "inactivity_warning", _("inactivity warning")
        EVENT_REMINDER = "event_reminder", _("event reminder")
        OTHER = "other", _("other")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField()
    html = models.TextField(blank=True)
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["sent_at", "claimed_at"], name="workgroups_outbox_pending")]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient_id}"
