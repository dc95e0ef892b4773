"""Chat in admin: conversations can be looked up, not read. Reported messages are handled here by
operations staff, who decide from the report's reason; the reported text, and messages themselves,
are shown to superusers only, each reading recorded (`accounts.admin_content`)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin_content import ParticipantTextAdmin, SuperuserOnlyAdmin

from . import services
from .models import Conversation, Message, Report


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    """Conversations can be looked up, not read: message text is shown only through reports."""

    list_display = ["public_id", "kind", "space", "title", "created_at"]
    list_filter = ["kind"]
    search_fields = ["title", "space__name"]
    readonly_fields = ["public_id", "kind", "space", "title", "created_by", "created_at"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False


@admin.register(Report)
class ReportAdmin(ParticipantTextAdmin):
    """Reported chat messages: the technical officer handles those of their space on the site;
    operations staff handle every report here, one-to-one conversations included."""

    list_display = ["created_at", "conversation_kind", "space_name", "reason", "handled"]
    list_filter = ["handled", "message__conversation__kind"]
    list_select_related = ["message__conversation__space"]
    readonly_fields = ["message", "reporter", "reason", "body_at_report", "created_at", "handled"]
    fields = readonly_fields
    actions = ["mark_handled", "remove_messages"]
    content_fields = ("body_at_report",)
    content_hidden_message = _(
        "Hidden: the reported text is read by the space's technical officer on the site (a superuser can "
        "read it here, and each reading is recorded). Decide from the reason given."
    )

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("kind"))
    def conversation_kind(self, obj):
        return obj.message.conversation.get_kind_display()

    @admin.display(description=_("space"))
    def space_name(self, obj):
        space = obj.message.conversation.space
        return space.name if space else "—"

    @admin.action(description=_("Mark the selected reports as handled"))
    def mark_handled(self, request, queryset):
        count = services.reports_mark_handled_by_staff(actor=request.user, reports=queryset)
        self.message_user(
            request,
            ngettext("%(count)d report handled.", "%(count)d reports handled.", count) % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Remove the reported messages"))
    def remove_messages(self, request, queryset):
        for report in queryset.select_related("message__conversation"):
            services.message_remove_by_staff(actor=request.user, message=report.message)
        self.message_user(request, _("The messages were removed."), messages.SUCCESS)


@admin.register(Message)
class MessageAdmin(SuperuserOnlyAdmin):
    """A chat message, for superusers only; each reading is recorded."""

    list_display = ["pk", "conversation", "author", "created_at", "edited_at", "deleted_at"]
    list_filter = ["conversation__kind"]
    list_select_related = ["conversation", "author"]
    fields = [
        "conversation",
        "author",
        "reply_to",
        "attachment",
        "created_at",
        "edited_at",
        "deleted_at",
        "body",
    ]
    readonly_fields = fields
    content_fields = ("body",)
