"""Admin inside spaces: read-mostly views for operations; participants' texts to superusers only,
each reading recorded; moderation goes through the services."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin_content import ParticipantTextAdmin, ParticipantTextMixin, SuperuserOnlyAdmin
from workgroups import services
from workgroups.admin.base import ReadOnlyAdmin
from workgroups.models import (
    AgendaItem,
    Concern,
    ModerationAction,
    Post,
    PostReport,
    PostRevision,
    Thread,
)


class ReportOutcomeForm(forms.ModelForm):
    decision = forms.ChoiceField(
        label=_("decision"),
        required=False,
        choices=[
            ("", _("— keep open —")),
            ("hide", _("Hide the post")),
            ("dismiss", _("Dismiss the report")),
        ],
    )
    note = forms.CharField(label=_("reason"), required=False, max_length=500)

    class Meta:
        model = PostReport
        fields = []

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") and not cleaned.get("note", "").strip():
            self.add_error("note", _("Give a reason."))
        return cleaned


@admin.register(PostReport)
class PostReportAdmin(ParticipantTextAdmin):
    """The moderation queue in admin (the technical officer's site queue shows the same reports).

    Staff decide from the report's reason and may hide the post (or dismiss the report); the reported
    text itself is the space's technical officer's to read, in the queue on the site. Superusers see it
    here too, each reading recorded.
    """

    form = ReportOutcomeForm
    list_display = ["created_at", "space_name", "reason", "outcome", "resolved_at"]
    list_filter = ["outcome", "post__thread__space"]
    list_select_related = ["post__thread__space"]
    readonly_fields = [
        "space_name",
        "discussion",
        "post_state",
        "post_text",
        "reason",
        "created_at",
        "outcome",
        "resolved_at",
        "resolved_by",
    ]
    fields = [*readonly_fields, "decision", "note"]
    content_fields = ("post_text",)
    content_hidden_message = _(
        "Hidden: the reported text is read by the space's technical officer in the moderation queue on the "
        "site. Decide from the reason given; hiding the post keeps it for the technical officer to review."
    )

    @admin.display(description=_("space"))
    def space_name(self, obj):
        return obj.post.thread.space

    @admin.display(description=_("discussion"))
    def discussion(self, obj):
        return obj.post.thread.title

    @admin.display(description=_("post"))
    def post_state(self, obj):
        if obj.post.deleted_at:
            return _("deleted by its author")
        return _("hidden") if obj.post.hidden_at else _("shown")

    @admin.display(description=_("post"))
    def post_text(self, obj):
        return obj.post.body

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        decision, note = form.cleaned_data.get("decision"), form.cleaned_data.get("note")
        if decision == "hide":
            services.post_hide(actor=request.user, post=obj.post, reason=note)
        elif decision == "dismiss":
            services.post_restore(actor=request.user, post=obj.post, reason=note)


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "reason", "actor", "post"]
    list_filter = ["kind", "post__thread__space"]
    list_select_related = ["actor", "post__thread"]


@admin.register(Thread)
class ThreadAdmin(ReadOnlyAdmin):
    list_display = ["title", "space", "created_at", "last_activity_at", "is_pinned", "is_closed"]
    list_filter = ["space", "is_pinned", "is_closed"]
    search_fields = ["title"]
    list_select_related = ["space"]
    exclude = ["search_text"]


@admin.register(Concern)
class ConcernAdmin(ReadOnlyAdmin):
    list_display = ["title", "space", "status", "priority", "endorsement_count", "created_at"]
    list_filter = ["space", "status", "priority"]
    search_fields = ["title"]
    list_select_related = ["space"]
    exclude = ["search_text", "author"]
    content_fields = ("description",)


@admin.register(AgendaItem)
class AgendaItemAdmin(ReadOnlyAdmin):
    list_display = ["title", "space", "status", "position"]
    list_filter = ["space", "status"]
    list_select_related = ["space"]
    exclude = ["search_text"]
    content_fields = ("description",)


class PostRevisionInline(ParticipantTextMixin, admin.TabularInline):
    model = PostRevision
    fields = ["created_at", "body"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    content_fields = ("body",)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Post)
class PostAdmin(SuperuserOnlyAdmin):
    """A post and its earlier versions, for superusers only; each reading is recorded."""

    list_display = ["pk", "thread", "space", "author", "created_at", "edited_at", "hidden_at", "deleted_at"]
    list_filter = ["thread__space"]
    list_select_related = ["thread__space", "author"]
    fields = [
        "thread",
        "author",
        "quote_of",
        "created_at",
        "edited_at",
        "deleted_at",
        "hidden_at",
        "hidden_reason",
        "body",
    ]
    readonly_fields = fields
    content_fields = ("body",)
    inlines = [PostRevisionInline]

    @admin.display(description=_("space"))
    def space(self, obj):
        return obj.thread.space
