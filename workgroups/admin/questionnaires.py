"""Admin of questionnaires and their submissions."""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from workgroups import services
from workgroups.models import (
    Answer,
    Option,
    Question,
    Questionnaire,
    Submission,
)


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ["position", "text_ar", "text_en", "kind", "is_required", "key"]
    readonly_fields = ["key", "kind"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "space",
        "purpose",
        "audience",
        "is_anonymous",
        "status",
        "opens_at",
        "closes_at",
    ]
    list_filter = ["status", "purpose", "is_anonymous", "space"]
    search_fields = ["title_ar", "title_en"]
    readonly_fields = [
        "space",
        "purpose",
        "audience",
        "audience_space",
        "audience_role",
        "is_anonymous",
        "status",
        "created_by",
        "created_at",
        "published_at",
    ]
    fields = [
        "title_ar",
        "title_en",
        "intro_ar",
        "intro_en",
        *readonly_fields,
        "allow_changes",
        "opens_at",
        "closes_at",
    ]
    inlines = [QuestionInline]
    list_select_related = ["space"]

    def has_add_permission(self, request):
        return False  # built on the site, where the rules of the builder apply

    def save_related(self, request, form, formsets, change):
        """Search finds a questionnaire by its texts and its questions': index what was edited here."""
        super().save_related(request, form, formsets, change)
        services.questionnaire_reindex(questionnaire=form.instance)


class OptionInline(admin.TabularInline):
    model = Option
    fields = ["position", "text_ar", "text_en", "code"]
    readonly_fields = ["code"]
    extra = 0
    can_delete = False


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "questionnaire", "kind", "is_required"]
    list_filter = ["kind"]
    fields = [
        "questionnaire",
        "key",
        "kind",
        "is_required",
        "text_ar",
        "text_en",
        "help_text_ar",
        "help_text_en",
    ]
    readonly_fields = ["questionnaire", "key", "kind", "is_required"]
    inlines = [OptionInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.questionnaire_reindex(questionnaire=obj.questionnaire)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AnswerInline(admin.TabularInline):
    model = Answer
    fields = ["question", "shown"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question").prefetch_related("choices__option")

    @admin.display(description=_("answer"))
    def shown(self, answer):
        return answer_display(answer)


def answer_display(answer):
    chosen = sorted(answer.choices.all(), key=lambda choice: choice.rank or 0)
    if chosen:
        return "; ".join(f"{c.rank}. {c.option.text}" if c.rank else c.option.text for c in chosen)
    if answer.question.kind == Question.Kind.DECLARATION:
        return _("Confirmed")
    return answer.text or ("" if answer.number is None else str(answer.number))


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["pk", "questionnaire", "who", "is_submitted", "region", "role"]
    list_filter = ["questionnaire", "is_submitted"]
    fields = ["questionnaire", "who", "is_submitted", "submitted_at", "region", "role"]
    readonly_fields = fields
    inlines = [AnswerInline]
    list_select_related = ["questionnaire", "respondent"]

    def get_search_results(self, request, queryset, search_term):
        """Search named responses by respondent; anonymous ones never match a person."""
        if not search_term:
            return queryset, False
        return queryset.filter(questionnaire__is_anonymous=False).filter(
            Q(respondent__username__icontains=search_term)
            | Q(respondent__display_name__icontains=search_term)
        ), False

    search_fields = ["respondent__username"]

    @admin.display(description=_("respondent"))
    def who(self, submission):
        if submission.questionnaire.is_anonymous:
            return _("anonymous")
        return submission.respondent.public_name if submission.respondent else "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
