"""Admin of drafts and final notes: staff follow them and record the Special Envoy's sharing decision.
Texts are the participants' own: admin shows them read-only, and to superusers only (each reading
recorded); staff read submitted notes where they are delivered, in the outputs inbox."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin_content import ParticipantTextAdmin, ParticipantTextMixin, SuperuserOnlyAdmin
from documents.models import Draft, Section, SectionRevision, SharingDecision
from documents.services import drafts as services_drafts


class SectionInline(ParticipantTextMixin, admin.StackedInline):
    model = Section
    fields = ["title", "position", "revision_number", "text"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    content_fields = ("text",)

    def has_add_permission(self, request, obj=None):
        return False


class SharingDecisionInline(admin.StackedInline):
    model = SharingDecision
    fields = ["decision", "decided_on", "note", "recorded_by", "recorded_at"]
    readonly_fields = ["recorded_by", "recorded_at"]
    extra = 0
    can_delete = False


@admin.register(Draft)
class DraftAdmin(ParticipantTextAdmin):
    list_display = ["title", "space", "kind", "status", "updated_at", "submitted_at"]
    list_filter = ["kind", "status", "space"]
    search_fields = ["title"]
    fields = [
        "title",
        "space",
        "kind",
        "status",
        "created_at",
        "updated_at",
        "status_changed_at",
        "submitted_at",
        "submitted_by",
    ]
    readonly_fields = fields
    inlines = [SectionInline]
    actions = ["publish_to_archive"]

    def get_inlines(self, request, obj):
        if obj is not None and obj.is_final_note and obj.is_locked:
            return [SectionInline, SharingDecisionInline]
        return [SectionInline]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Publish to the knowledge archive (submitted notes of concluded spaces)"))
    def publish_to_archive(self, request, queryset):
        published = 0
        for draft in queryset.select_related("space__theme"):
            try:
                services_drafts.final_note_publish_to_archive(actor=request.user, draft=draft)
            except ValidationError as error:
                messages.error(request, f"{draft.title}: {'; '.join(error.messages)}")
            else:
                published += 1
        if published:
            messages.success(
                request,
                ngettext(
                    "%(count)s note published to the archive.",
                    "%(count)s notes published to the archive.",
                    published,
                )
                % {"count": published},
            )

    def save_formset(self, request, form, formset, change):
        if formset.model is not SharingDecision:
            return
        for inline_form in formset.forms:
            if not inline_form.has_changed() or not inline_form.is_valid():
                continue
            data = inline_form.cleaned_data
            try:
                services_drafts.sharing_decision_record(
                    actor=request.user,
                    draft=form.instance,
                    decision=data["decision"],
                    decided_on=data["decided_on"],
                    note=data.get("note", ""),
                )
            except ValidationError as error:
                messages.error(request, "; ".join(error.messages))


@admin.register(SharingDecision)
class SharingDecisionAdmin(admin.ModelAdmin):
    list_display = ["draft", "decision", "decided_on", "recorded_by", "recorded_at"]
    list_filter = ["decision"]
    fields = ["draft", "decision", "decided_on", "note", "recorded_by", "recorded_at"]
    readonly_fields = ["recorded_by", "recorded_at"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "draft":
            kwargs["queryset"] = Draft.objects.filter(
                kind=Draft.Kind.FINAL_NOTE, status=Draft.Status.SUBMITTED
            )
            kwargs["label"] = _("submitted final note")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        obj.pk = services_drafts.sharing_decision_record(
            actor=request.user,
            draft=obj.draft,
            decision=obj.decision,
            decided_on=obj.decided_on,
            note=obj.note,
        ).pk


@admin.register(SectionRevision)
class SectionRevisionAdmin(SuperuserOnlyAdmin):
    """A saved revision of a section, for superusers only; each reading is recorded."""

    list_display = ["section", "draft", "number", "author", "created_at", "note"]
    list_filter = ["section__draft__space"]
    list_select_related = ["section__draft", "author"]
    fields = ["section", "number", "author", "created_at", "note", "text"]
    readonly_fields = fields
    content_fields = ("text",)

    @admin.display(description=_("draft"))
    def draft(self, obj):
        return obj.section.draft
