"""What counts as a contribution (the inactivity rule reads these)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workgroups.models.spaces import Space


class Contribution(models.Model):
    """One contribution of a member to a space. Written only by `services.contribution_record`; the
    inactivity lockout reads it (see docs/architecture.md, "What counts as a contribution")."""

    class Kind(models.TextChoices):
        THREAD = "thread", _("new discussion")
        POST = "post", _("reply")
        CONCERN = "concern", _("new concern")
        ENDORSEMENT = "endorsement", _("endorsement")
        AGENDA_ITEM = "agenda_item", _("agenda proposal")
        DOCUMENT = "document", _("document")
        DRAFT = "draft", _("draft")
        MESSAGE = "message", _("chat message")
        EVENT = "event", _("event")
        RESPONSE = "response", _("questionnaire response")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contributions")
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="contributions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        indexes = [models.Index(fields=["space", "user", "-created_at"])]

    def __str__(self):
        return f"{self.user} · {self.get_kind_display()}"
