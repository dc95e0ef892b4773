"""Admin of reinstatement requests."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from workgroups import services
from workgroups.admin.base import ReadOnlyAdmin
from workgroups.models import (
    ReinstatementRequest,
)


@admin.register(ReinstatementRequest)
class ReinstatementRequestAdmin(ReadOnlyAdmin):
    """Locked members asking to come back; reinstating restarts their inactivity clock."""

    list_display = ["created_at", "membership", "outcome", "resolved_at"]
    list_filter = ["outcome", "membership__space"]
    list_select_related = ["membership__user", "membership__space"]
    readonly_fields = ["membership", "message", "created_at", "outcome", "resolved_at", "resolved_by"]
    actions = ["reinstate", "decline"]

    def _resolve(self, request, queryset, reinstate):
        for item in queryset:
            services.reinstatement_resolve(actor=request.user, request=item, reinstate=reinstate)
        self.message_user(request, _("Done."))

    @admin.action(description=_("Reinstate the selected members"))
    def reinstate(self, request, queryset):
        self._resolve(request, queryset, True)

    @admin.action(description=_("Decline the selected requests"))
    def decline(self, request, queryset):
        self._resolve(request, queryset, False)
