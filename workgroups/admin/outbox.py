"""Admin of the outbox: what was sent to whom and when (bodies holding secrets never shown)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from workgroups.admin.base import ReadOnlyAdmin
from workgroups.models import (
    OutgoingEmail,
)


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyAdmin):
    """The outbox: what the jobs wrote, what went out, and what the mail server refused."""

    list_display = ["created_at", "kind", "recipient", "address", "sent_at", "attempts", "last_error"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter), "attempts"]
    list_select_related = ["recipient"]
    search_fields = ["recipient__username", "recipient__email", "address", "last_error"]
    actions = ["retry"]
    content_fields = ("body", "html")  # digests and notices quote participants' texts

    def get_fields(self, request, obj=None):
        # An invitation or an account e-mail holds a working link or code: nobody reads it here.
        fields = super().get_fields(request, obj)
        return (
            [name for name in fields if name not in self.content_fields]
            if obj and obj.holds_secret
            else fields
        )

    def shows_participant_text(self, request, obj):
        return not obj.holds_secret and super().shows_participant_text(request, obj)

    @admin.action(description=_("Try the selected unsent e-mails again at the next run"))
    def retry(self, request, queryset):
        count = queryset.filter(sent_at__isnull=True).update(attempts=0, claimed_at=None)
        self.message_user(
            request,
            ngettext("%(count)d e-mail will be tried again.", "%(count)d e-mails will be tried again.", count)
            % {"count": count},
        )
