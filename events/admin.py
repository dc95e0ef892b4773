from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Event, EventAnswer, ExpertInvitation


class EventAnswerInline(admin.TabularInline):
    model = EventAnswer
    extra = 0
    readonly_fields = ["user", "answer", "answered_at"]
    can_delete = False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "space", "starts_at", "status", "sequence"]
    list_filter = ["status", "space"]
    search_fields = ["title"]
    date_hierarchy = "starts_at"
    readonly_fields = ["uid", "sequence", "created_by", "created_at", "updated_at"]
    raw_id_fields = ["space"]
    filter_horizontal = ["agenda_items"]
    inlines = [EventAnswerInline]


@admin.register(ExpertInvitation)
class ExpertInvitationAdmin(admin.ModelAdmin):
    """Staff decide the groups' requests to invite an expert: accept (the expert is e-mailed the
    meeting's details) or decline, with the reason written in "reason for the decision"."""

    list_display = ["name", "expertise", "event", "status", "created_at", "emailed_at"]
    list_filter = ["status"]
    search_fields = ["name", "expertise", "event__title"]
    fields = [
        "event",
        "requested_by",
        "name",
        "expertise",
        "email",
        "reason",
        "status",
        "decision_reason",
        "decided_by",
        "decided_at",
        "emailed_at",
        "created_at",
    ]
    readonly_fields = [
        "event",
        "requested_by",
        "name",
        "expertise",
        "email",
        "reason",
        "status",
        "decided_by",
        "decided_at",
        "emailed_at",
        "created_at",
    ]
    actions = ["accept", "decline", "send_again"]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        # Only the reason is editable here; decisions go through the actions (one service).
        type(obj).objects.filter(pk=obj.pk).update(decision_reason=obj.decision_reason)

    def _decide(self, request, queryset, accept):
        decided = 0
        for invitation in queryset.filter(status=ExpertInvitation.Status.PENDING):
            services.expert_invitation_decide(
                actor=request.user, invitation=invitation, accept=accept, reason=invitation.decision_reason
            )
            decided += 1
        self.message_user(request, _("%(count)s request(s) decided.") % {"count": decided}, messages.SUCCESS)

    @admin.action(description=_("Accept: e-mail the expert the meeting's details"))
    def accept(self, request, queryset):
        self._decide(request, queryset, accept=True)

    @admin.action(description=_("Decline (write the reason first)"))
    def decline(self, request, queryset):
        self._decide(request, queryset, accept=False)

    @admin.action(description=_("Send the invitation e-mail again where it failed"))
    def send_again(self, request, queryset):
        sent = sum(
            services.expert_invitation_send(invitation_id=pk) for pk in queryset.values_list("pk", flat=True)
        )
        self.message_user(request, _("%(count)s e-mail(s) sent.") % {"count": sent}, messages.SUCCESS)
