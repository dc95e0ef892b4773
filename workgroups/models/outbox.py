from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutgoingEmail(models.Model):
    """An e-mail waiting to be sent, or sent a few days ago (the outbox): every e-mail of the platform.

    Whatever causes an e-mail (a job, an invitation, a staff decision, an account mail of allauth)
    writes it here in the same transaction as the state it records, so a rollback sends nothing and a
    worker killed mid-job loses and doubles nothing; the outbox sender then sends each row once and
    marks it (see `services.outbox`). A row goes to its `recipient`'s address of the moment, or, for
    people without an account (an invited expert) and for allauth's mails, to `address`.
    """

    class Kind(models.TextChoices):
        DIGEST = "digest", _("digest")
        INACTIVITY_WARNING = "inactivity_warning", _("inactivity warning")
        EVENT_REMINDER = "event_reminder", _("event reminder")
        INVITATION = "invitation", _("invitation")
        EXPERT_INVITATION = "expert_invitation", _("expert invitation")
        REINSTATEMENT = "reinstatement", _("reinstatement request or answer")
        ACCOUNT = "account", _("account e-mail")
        OTHER = "other", _("other")

    # Kinds whose text holds a secret link or code (an invitation, a password reset): their text is
    # blanked as soon as they are sent, and admin never shows it.
    SECRET_KINDS = frozenset({Kind.INVITATION, Kind.ACCOUNT})

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    address = models.EmailField(_("address"), blank=True)
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
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=False) | ~models.Q(address=""),
                name="workgroups_outbox_has_recipient_or_address",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient_id or self.address}"

    @property
    def holds_secret(self):
        return self.kind in self.SECRET_KINDS
