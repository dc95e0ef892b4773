"""Inactivity lockout and e-mail digests: what the scheduled jobs read and write."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from workgroups.models.spaces import Membership


class ReinstatementRequest(models.Model):
    """A locked member asks the operations support team to let them back in."""

    class Outcome(models.TextChoices):
        OPEN = "open", pgettext_lazy("request outcome", "Open")
        REINSTATED = "reinstated", pgettext_lazy("request outcome", "Reinstated")
        DECLINED = "declined", pgettext_lazy("request outcome", "Declined")

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="reinstatement_requests"
    )
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
            models.UniqueConstraint(
                fields=["membership"],
                condition=models.Q(outcome="open"),
                name="workgroups_one_open_reinstatement_request",
            ),
        ]

    def __str__(self):
        return str(self.membership)
