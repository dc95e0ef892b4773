from django.contrib import admin
from guardian.admin import GuardedModelAdmin
from modeltranslation.admin import TranslationAdmin

from . import services
from .models import Membership, MembershipEvent, Space, Theme


@admin.register(Theme)
class ThemeAdmin(TranslationAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name_en"]}


@admin.register(Space)
class SpaceAdmin(GuardedModelAdmin, TranslationAdmin):
    list_display = ["name", "kind", "theme", "status", "cycle_start", "cycle_end"]
    list_filter = ["kind", "status", "theme"]
    search_fields = ["name_ar", "name_en"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.space_saved(actor=request.user, space=obj)


@admin.register(MembershipEvent)
class MembershipEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "membership", "action", "detail", "actor"]
    list_filter = ["action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(Membership)
