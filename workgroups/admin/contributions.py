"""Admin of contributions (what counts for the inactivity rule)."""

from django.contrib import admin

from workgroups.admin.base import ReadOnlyAdmin
from workgroups.models import (
    Contribution,
)


@admin.register(Contribution)
class ContributionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "space", "kind"]
    list_filter = ["kind", "space"]
    list_select_related = ["user", "space"]
    date_hierarchy = "created_at"
