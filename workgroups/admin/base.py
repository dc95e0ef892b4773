"""What the admin modules of this app share."""

from accounts.admin_content import ParticipantTextAdmin


class ReadOnlyAdmin(ParticipantTextAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
